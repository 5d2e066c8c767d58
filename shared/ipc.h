/*
 * Framed messages between usmbd processes over AF_UNIX SOCK_SEQPACKET
 * socketpairs, with at most one file descriptor per message (SCM_RIGHTS).
 *
 * A sequenced-packet socket keeps message boundaries, so one recvmsg()
 * returns exactly one message; a message longer than the receive buffer
 * (MSG_TRUNC) or an fd that could not be delivered (MSG_CTRUNC) is an
 * error, never a partial message.
 *
 * Every receiving program has one table (shared/ipc_rules.c) of the
 * message types it accepts, from which senders, in which phase of the
 * channel, their payload length bounds and whether an fd must come with
 * them (struct ipc_rule).  Anything else ends the channel before a single
 * payload byte is looked at.
 */
#ifndef USMBD_IPC_H
#define USMBD_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc_types.h"

struct event_base;

struct ipc_hdr {
	uint32_t	type;
	uint32_t	len;	/* payload bytes after the header */
	uint32_t	peerid;	/* connection or session the message is about */
	uint32_t	pid;	/* sender's pid, filled in by ipc_send() */
};

#define IPC_HDR_LEN		((size_t)sizeof(struct ipc_hdr))
#define IPC_MAX_PAYLOAD		(128 * 1024)

struct ipc_msg {
	struct ipc_hdr	 hdr;
	int		 fd;	/* -1 when none came */
	const uint8_t	*data;	/* hdr.len bytes, valid during dispatch */
};

enum ipc_fdrule {
	IPC_FD_NONE = 0,	/* an fd must not come */
	IPC_FD_REQUIRED,	/* an fd must come */
	IPC_FD_OPTIONAL,
};

/*
 * Where a channel is in its protocol, as its receiver sees it: one bit
 * each, so that a rule can name every phase it is allowed in.  A rule may
 * move the channel on (struct ipc_rule's next); a receiver that asks a
 * question moves it to IPC_PH_ASKED itself (ipc_chan_set_phase()).
 */
#define IPC_PH_START	0x01	/* the sender has not said IPC_HELLO yet */
#define IPC_PH_START2	0x02	/* the second of two start messages is due */
#define IPC_PH_RUN	0x04	/* running, nothing asked */
#define IPC_PH_ASKED	0x08	/* asked: one answer may come */
#define IPC_PH_GONE	0x10	/* the sender handed off and is leaving */
#define IPC_PH_ALL	0x1f

/* The senders a rule is for, one bit per enum usmbd_prog. */
#define IPC_FROM(prog)	(1U << (prog))

/*
 * One message a receiver accepts: from whom, in which phases, its payload
 * length bounds, its fd, and the phase it leads to (0: the same).
 */
struct ipc_rule {
	uint32_t	 from;
	uint32_t	 phases;
	uint32_t	 type;
	size_t		 minlen;
	size_t		 maxlen;
	enum ipc_fdrule	 fd;
	uint32_t	 next;
};

/* A receiver's whole table (shared/ipc_rules.c holds the programs'). */
struct ipc_rules {
	const char		*receiver;
	const struct ipc_rule	*rule;
	size_t			 n;
};

extern const struct ipc_rules	ipc_rules_master;
extern const struct ipc_rules	ipc_rules_preauth;
extern const struct ipc_rules	ipc_rules_session;
extern const struct ipc_rules	ipc_rules_authd;
extern const struct ipc_rules	ipc_rules_lockd;

/* What a receiver expects of one channel: its table, its sender, a phase. */
struct ipc_peer {
	const struct ipc_rules	*rules;
	uint32_t		 from;	/* IPC_FROM() of who may be there */
	uint32_t		 phase;
};

/* Low level, for blocking use before an event loop exists. */
int	ipc_send(int, uint32_t, uint32_t, int, const void *, size_t);
/* Like ipc_send() without an fd, failing with EAGAIN instead of blocking. */
int	ipc_send_nowait(int, uint32_t, uint32_t, const void *, size_t);
/*
 * Receive one message into buf (at least IPC_HDR_LEN + IPC_MAX_PAYLOAD
 * bytes).  Returns 1 with a message, 0 on orderly EOF, -1 on error (errno
 * EAGAIN when a non-blocking socket has nothing; EPROTO for a malformed
 * frame, a truncated message or a lost fd).
 */
int	ipc_recv(int, struct ipc_msg *, uint8_t *, size_t);
/*
 * Whether the rules let m through from this peer in its phase; if so the
 * peer moves to the rule's next phase.  0 or -1.
 */
int	ipc_check(struct ipc_peer *, const struct ipc_msg *);
/* Create a SOCK_SEQPACKET socketpair with CLOEXEC set on both ends. */
int	ipc_socketpair(int [2]);

/* Event-driven channel on a libevent base. */
struct ipc_chan;
typedef void	(*ipc_dispatch_cb)(struct ipc_chan *, struct ipc_msg *,
		    void *);
typedef void	(*ipc_closed_cb)(struct ipc_chan *, void *);

/*
 * Wrap fd in a channel.  Messages that pass the rules go to dispatch; the
 * fd of a message is owned by dispatch (close it if unused).  On EOF,
 * error or a rule violation the closed callback runs once; the callback
 * must then call ipc_chan_free().
 */
struct ipc_chan	*ipc_chan_new(struct event_base *, int, const char *,
		    const struct ipc_peer *, ipc_dispatch_cb, ipc_closed_cb,
		    void *);
/* Move the channel to a phase: IPC_PH_ASKED after asking its peer. */
void		 ipc_chan_set_phase(struct ipc_chan *, uint32_t);
uint32_t	 ipc_chan_phase(const struct ipc_chan *);
/* Queue a message; the fd (if not -1) is duplicated, the caller keeps it. */
int		 ipc_chan_send(struct ipc_chan *, uint32_t, uint32_t, int,
		    const void *, size_t);
/*
 * Memory held by messages not yet taken by the socket: a peer that does
 * not read makes this grow, and its sender decides where to stop.
 */
size_t		 ipc_chan_queued(const struct ipc_chan *);
/* Write everything queued, blocking; used before exit or a handoff. */
int		 ipc_chan_flush(struct ipc_chan *);
/*
 * Dispatch every message already in the socket, without waiting: what a
 * peer that has exited sent before it went must still be read (a preauth
 * process sends its handoff and exits at once).  Returns 1 when the owner
 * freed the channel during a dispatch or its closed callback, else 0.
 */
int		 ipc_chan_drain(struct ipc_chan *);
int		 ipc_chan_fd(const struct ipc_chan *);
const char	*ipc_chan_name(const struct ipc_chan *);
void		 ipc_chan_free(struct ipc_chan *);

#endif /* USMBD_IPC_H */
