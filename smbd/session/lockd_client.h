/*
 * The session worker's side of the lockd protocol (shared/lockd_proto.h):
 * asynchronous requests matched to replies by request id.
 */
#ifndef USMBD_LOCKD_CLIENT_H
#define USMBD_LOCKD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct rbuf;

/* Called with the reply's NTSTATUS and body. */
typedef void	(*lockd_reply_cb)(uint32_t, struct rbuf *, void *);

int	lockd_client_init(struct event_base *, int);
/* Send op with body; cb runs once with the reply (or an error status). */
int	lockd_client_request(uint32_t, const void *, size_t, lockd_reply_cb,
	    void *);
int	lockd_client_available(void);
/*
 * The same with a descriptor of the file the request is about, passed
 * to lockd over SCM_RIGHTS (LOCKD_OP_OPEN: lockd names a file only by
 * what it fstat()s).  The caller keeps its fd.
 */
int	lockd_client_request_fd(uint32_t, const void *, size_t, int,
	    lockd_reply_cb, void *);
/* And the request id it went out with (an OPEN that may be cancelled). */
int	lockd_client_request_fd_id(uint32_t, const void *, size_t, int,
	    lockd_reply_cb, void *, uint64_t *);
/* The same, and the request id it went out with (to cancel it). */
int	lockd_client_request_id(uint32_t, const void *, size_t,
	    lockd_reply_cb, void *, uint64_t *);
/* Called with the payload of each IPC_LOCKD_NOTIFY. */
typedef void	(*lockd_notify_cb)(const uint8_t *, size_t);
void	lockd_client_set_notify(lockd_notify_cb);
/* Called with the payload of each IPC_LOCKD_BREAK (smb2_oplock.c). */
void	lockd_client_set_break(lockd_notify_cb);

/*
 * Called when the channel to lockd closes: the sharing state of this
 * worker's opens is gone with it.
 */
void	lockd_client_set_lost(void (*)(void));

#endif /* USMBD_LOCKD_CLIENT_H */
