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

/* lockd_state.c */
void	lockd_state_init(void);
void	lockd_handle_request(struct lockd_peer *, struct ipc_msg *);
/* Drop everything a worker held, as if it had closed every open. */
void	lockd_peer_release(struct lockd_peer *);
/* Whether lockd may queue another message for this worker. */
int	lockd_peer_writable(struct lockd_peer *);

#endif /* USMBD_LOCKD_H */
