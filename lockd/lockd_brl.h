/*
 * Byte-range locks in usmbd-lockd (MS-FSA 2.1.5.7, 2.1.4.10).  The lock
 * table is state only; what must go to a worker (a late reply, the news
 * that a file now has locks) goes through the two functions given to
 * lockd_brl_init(), so that the table can be tested on its own.
 */
#ifndef USMBD_LOCKD_BRL_H
#define USMBD_LOCKD_BRL_H

#include <stddef.h>
#include <stdint.h>

struct lockd_brl_file;

/* One element of a LOCKD_OP_LOCK or LOCKD_OP_UNLOCK. */
struct lockd_brl_elem {
	uint64_t	 off;
	uint64_t	 len;
	uint32_t	 flags;		/* SMB2 lock flags, as sent */
};

/* One range of a LOCKD_OP_CHECK. */
struct lockd_brl_io {
	uint64_t	 handle;
	uint64_t	 off;
	uint64_t	 len;
	int		 write;
};

/*
 * A reply that lockd_brl decided later: the final answer of a LOCK that
 * waited (for a conflicting lock, or for the workers' acknowledgements).
 */
typedef void	(*lockd_brl_reply_fn)(uint32_t peer, uint64_t reqid,
		    uint32_t status);
/*
 * Tell a worker that these of its opens now have byte-range locks on
 * their file; it answers LOCKD_OP_BRL_ACK with the id.  Returns -1 if
 * the worker cannot be told (it is gone).
 */
typedef int	(*lockd_brl_notify_fn)(uint32_t peer, uint64_t id,
		    const uint64_t *handles, size_t n);

/* Returned by lockd_brl_lock() when the reply will come later. */
#define LOCKD_BRL_LATER		0xffffffffU

void	 lockd_brl_init(lockd_brl_reply_fn, lockd_brl_notify_fn);
/* Locks one worker may hold ("max byte range locks"). */
void	 lockd_brl_set_limit(size_t);

/* The range rules, exported for the unit tests. */
int	 lockd_brl_range_valid(uint64_t, uint64_t);
int	 lockd_brl_overlap(uint64_t, uint64_t, uint64_t, uint64_t);

/*
 * LOCKD_OP_LOCK.  Returns an NTSTATUS to answer now, LOCKD_STATUS_PENDING
 * when the lock waits (answer the interim PENDING now; the final answer
 * comes through the reply function), or LOCKD_BRL_LATER when only the
 * final answer comes later.
 */
uint32_t lockd_brl_lock(uint32_t, uint64_t, uint64_t,
	    const struct lockd_brl_elem *, size_t);
uint32_t lockd_brl_unlock(uint32_t, uint64_t, const struct lockd_brl_elem *,
	    size_t);
/*
 * *haslocks: whether any of the files may still have locks; *at: the
 * index of the first range in conflict.
 */
uint32_t lockd_brl_check(uint32_t, const struct lockd_brl_io *, size_t,
	    int *, size_t *);
/* Whether the file of this open has (or is about to have) locks. */
int	 lockd_brl_file_locked(uint32_t, uint64_t);
void	 lockd_brl_cancel(uint32_t, uint64_t);
void	 lockd_brl_ack(uint32_t, uint64_t);
/* Before the open is closed: drop its locks, end its waits. */
void	 lockd_brl_close(uint32_t, uint64_t);
/* A durable open's locks follow it to another worker (or none). */
void	 lockd_brl_move(uint64_t, uint32_t, uint32_t);
/* A worker is gone: drop everything it had here. */
void	 lockd_brl_release_peer(uint32_t);
/* The file record goes away (lockd_share.c). */
void	 lockd_brl_file_free(struct lockd_brl_file *);
/*
 * Stop waiting for acknowledgements older than the timeout (ms); now is
 * time_mono_ms().
 */
void	 lockd_brl_expire(uint64_t, uint64_t);
#define LOCKD_BRL_ACK_TIMEOUT_MS	15000
size_t	 lockd_brl_count(void);
size_t	 lockd_brl_peer_locks(uint32_t);

#endif /* USMBD_LOCKD_BRL_H */
