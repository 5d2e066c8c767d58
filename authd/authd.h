/*
 * usmbd-authd internals.
 */
#ifndef USMBD_AUTHD_H
#define USMBD_AUTHD_H

#include <sys/queue.h>

#include <stdint.h>

#include "buf.h"

struct conf;
struct event;
struct event_base;
struct ipc_chan;
struct ipc_msg;
struct proc_ctx;

struct authd_exchange;

/* One preauth process (one client connection). */
struct authd_peer {
	TAILQ_ENTRY(authd_peer)	 entry;
	uint32_t		 id;	/* connection id from the master */
	struct ipc_chan		*chan;
	struct authd_exchange	*ex;	/* the authentication in progress */
	char			 addr[64];	/* client address */
	struct event		*ev_delay;	/* throttled answer */
	struct wbuf		 delayed;
};

struct authd {
	struct conf		*conf;
	struct event_base	*base;
	struct ipc_chan		*master;
	TAILQ_HEAD(, authd_peer) peers;
};

extern struct authd A;

/* authd_auth.c */
/* Returns the keytab file authd reads, or NULL without Kerberos. */
char	*authd_init(struct proc_ctx *);
void	authd_handle_request(struct authd_peer *, struct ipc_msg *);
void	authd_peer_cleanup(struct authd_peer *);
void	authd_handle_confirm(struct ipc_msg *);

#endif /* USMBD_AUTHD_H */
