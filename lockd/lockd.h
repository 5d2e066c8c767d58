/*
 * usmbd-lockd internals.
 */
#ifndef USMBD_LOCKD_H
#define USMBD_LOCKD_H

#include <sys/queue.h>

#include <stdint.h>

struct event_base;
struct ipc_chan;
struct ipc_msg;

/* One session worker. */
struct lockd_peer {
	TAILQ_ENTRY(lockd_peer)	 entry;
	uint32_t		 id;	/* connection id from the master */
	uint32_t		 uid;	/* its worker's user, from the master */
	struct ipc_chan		*chan;
	/* It stopped reading: lockd drops it at its next request. */
	int			 stalled;
	/* It sent a request lockd could not parse: its channel closes. */
	int			 refused;
};

/*
 * What lockd queues for one worker that does not read its channel, at
 * most; past it, messages to that worker are dropped.
 */
#define LOCKD_PEER_MAX_QUEUED	(8 * 1024 * 1024)

struct lockd {
	struct event_base	*base;
	struct ipc_chan		*master;
	TAILQ_HEAD(, lockd_peer) peers;
};

extern struct lockd L;

#include "lockd_proto.h"
#include "lockd_share.h"

/* What an OPEN asked for, kept while it waits for oplock breaks. */
struct lockd_open_args {
	uint64_t		 dev;
	uint64_t		 ino;
	char			 stream[LOCKD_MAX_STREAM_NAME + 1];
	uint32_t		 access;
	uint32_t		 share;
	uint32_t		 flags;
	struct lockd_share_oreq	 q;
	/* LOCKD_OPLOCK_DURABLE's part, NULL without; owned by the OPEN. */
	struct lockd_durable	*dur;
};

/* lockd_state.c */
void	lockd_state_init(void);
void	lockd_handle_request(struct lockd_peer *, struct ipc_msg *);
/* Drop everything a worker held, as if it had closed every open. */
void	lockd_peer_release(struct lockd_peer *);
/* Whether lockd may queue another message for this worker. */
int	lockd_peer_writable(struct lockd_peer *);
/* A worker by id; NULL when gone or being released. */
struct lockd_peer *lockd_peer_find(uint32_t);
void	lockd_send_reply(struct lockd_peer *, uint32_t, uint64_t, uint32_t,
	    const void *, size_t);

/* lockd_break.c: oplock breaks and the OPENs that wait for them. */
void	lockd_break_open(struct lockd_peer *, uint64_t,
	    const struct lockd_open_args *);
void	lockd_break_handle(struct lockd_peer *, uint64_t, uint32_t,
	    uint64_t);
void	lockd_break_rerun(void);
void	lockd_break_dir_changed(struct lockd_peer *, uint64_t, uint64_t,
	    uint64_t, const uint8_t *, const uint8_t *);
/*
 * A change to the file (dev, ino) by something that is no client's open
 * (a local process): every oplock and lease on it breaks to none, now.
 */
size_t	lockd_break_file_all(uint64_t, uint64_t);
void	lockd_break_release_peer(uint32_t);
void	lockd_break_cancel(struct lockd_peer *, uint64_t, uint64_t);
void	lockd_break_ack(struct lockd_peer *, uint64_t, uint64_t, uint8_t);
void	lockd_break_lease_ack(struct lockd_peer *, uint64_t,
	    const uint8_t *, const uint8_t *, uint8_t);
uint32_t lockd_break_event(struct lockd_peer *, uint64_t, int);
void	lockd_break_wrote(struct lockd_peer *, uint64_t, uint64_t);
void	lockd_break_local(struct lockd_peer *, uint64_t, uint64_t);
size_t	lockd_break_waiting(void);
/* The disconnected durable opens past their timeout go. */
void	lockd_break_durable_expire(void);
void	lockd_durable_free(struct lockd_durable *);

#endif /* USMBD_LOCKD_H */
