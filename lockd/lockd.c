/*
 * usmbd-lockd: the cross-session state broker (doc/design.md §1).
 *
 * It holds the sharing state every session worker must agree on: share
 * modes, delete-pending, byte-range locks and the tree connects counted
 * for a share's "max connections", oplocks and leases of files; directory
 * leases and durable handles as those features land.  It has no
 * filesystem access at
 * all; workers talk to it over socketpairs that the master creates.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "buf.h"
#include "ipc.h"
#include "lockd.h"
#include "lockd_brl.h"
#include "lockd_proto.h"
#include "lockd_share.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "usmbd.h"
#include "util.h"

struct lockd	 L;

static void
lockd_peer_closed(struct ipc_chan *chan, void *arg)
{
	struct lockd_peer *p = arg;

	log_debug("worker of connection %u gone", p->id);
	lockd_peer_release(p);
	TAILQ_REMOVE(&L.peers, p, entry);
	ipc_chan_free(p->chan);
	free(p);
}

static void
lockd_peer_dispatch(struct ipc_chan *chan, struct ipc_msg *m, void *arg)
{
	struct lockd_peer *p = arg;

	if (p->stalled) {
		/* It does not read what lockd sends (lockd_peer_writable). */
		if (m->fd != -1)
			close(m->fd);
		log_warnx("lockd peer %u: does not read its replies; closing "
		    "its channel", p->id);
		lockd_peer_closed(chan, p);
		return;
	}
	lockd_handle_request(p, m);
	if (p->refused)
		lockd_peer_closed(chan, p);
}

/*
 * usmbd-ctl status: the totals, and each worker's opens and locks.  A
 * count per worker costs a walk of the tables each; a status is rare.
 */
static void
lockd_status(struct ipc_msg *m)
{
	struct lockd_peer *p;
	struct rbuf r;
	struct wbuf w;
	uint32_t seq = 0, n = 0;

	rbuf_init(&r, m->data, m->hdr.len);
	rbuf_get_u32le(&r, &seq);
	TAILQ_FOREACH(p, &L.peers, entry)
		n++;
	if (n > LOCKD_STATUS_MAX_PEERS)
		n = LOCKD_STATUS_MAX_PEERS;
	wbuf_init(&w, LOCKD_STATUS_MAX);
	wbuf_put_u32le(&w, seq);
	wbuf_put_u32le(&w, (uint32_t)lockd_share_nfiles());
	wbuf_put_u32le(&w, (uint32_t)lockd_share_count());
	wbuf_put_u32le(&w, (uint32_t)lockd_brl_count());
	wbuf_put_u32le(&w, n);
	TAILQ_FOREACH(p, &L.peers, entry) {
		if (n-- == 0)
			break;
		wbuf_put_u32le(&w, p->id);
		wbuf_put_u32le(&w, (uint32_t)lockd_share_peer_opens(p->id));
		wbuf_put_u32le(&w, (uint32_t)lockd_brl_peer_locks(p->id));
	}
	if (wbuf_error(&w) || ipc_chan_send(L.master, IPC_LOCKD_STATUS_REPLY,
	    0, -1, wbuf_data(&w), wbuf_len(&w)) == -1)
		log_warnx("cannot answer the master's status question");
	wbuf_free(&w);
}

static void
lockd_master_dispatch(struct ipc_chan *chan, struct ipc_msg *m, void *arg)
{
	struct lockd_peer *p;
	struct rbuf r;
	char name[48];

	if (m->hdr.type == IPC_LOCKD_STATUS) {
		lockd_status(m);
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->id = m->hdr.peerid;
	rbuf_init(&r, m->data, m->hdr.len);
	rbuf_get_u32le(&r, &p->uid);
	snprintf(name, sizeof(name), "lockd peer %u", p->id);
	p->chan = ipc_chan_new(L.base, m->fd, name,
	    &(struct ipc_peer){ &ipc_rules_lockd, IPC_FROM(PROG_SESSION),
	    IPC_PH_RUN }, lockd_peer_dispatch, lockd_peer_closed, p);
	if (p->chan == NULL) {
		log_warn("%s", name);
		close(m->fd);
		free(p);
		return;
	}
	TAILQ_INSERT_TAIL(&L.peers, p, entry);
}

static void
lockd_master_closed(struct ipc_chan *chan, void *arg)
{
	/* Without the master there is nobody to serve. */
	log_debug("master gone, exiting");
	exit(0);
}

/*
 * Once a second: announcements of byte-range locks nobody answers, and
 * oplock breaks not acknowledged within "oplock break timeout", whose
 * waiting opens then go on.
 */
static void
lockd_tick(evutil_socket_t fd, short what, void *arg)
{
	lockd_brl_expire(time_mono_ms(), LOCKD_BRL_ACK_TIMEOUT_MS);
	lockd_break_durable_expire();
	if (lockd_break_waiting() > 0)
		lockd_break_rerun();
}

static void
lockd_signal(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopexit(L.base, NULL);
}

int
main(int argc, char **argv)
{
	struct proc_ctx ctx;
	struct sandbox_user su;
	struct event *ev, *tick;
	struct timeval second = { 1, 0 };
	char *root;

	proc_child_setup(&ctx, PROG_LOCKD, argc, argv);
	if (sandbox_user_lookup(ctx.conf->g.lockd_user, &su) == -1)
		fatalx("lockd user %s", ctx.conf->g.lockd_user);

	/* Setup: every open file of every session may pass through here. */
	sandbox_limits(PROG_LOCKD, (rlim_t)ctx.conf->g.max_open_files * 4);
	TAILQ_INIT(&L.peers);
	lockd_state_init();
	lockd_brl_set_limit((size_t)ctx.conf->g.max_byte_range_locks);
	/*
	 * A worker keeps at most "max open files"; the rest is room for
	 * several sessions of one user on one worker.
	 */
	lockd_share_set_peer_limit((size_t)ctx.conf->g.max_open_files * 4);
	lockd_share_set_oplock((uint64_t)ctx.conf->g.oplock_break_timeout *
	    1000);
	lockd_share_set_durable_max(
	    (uint64_t)ctx.conf->g.durable_handle_timeout * 1000);
	if ((L.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	ev = evsignal_new(L.base, SIGTERM, lockd_signal, NULL);
	if (ev == NULL || event_add(ev, NULL) == -1)
		fatalx("signal event");
	tick = event_new(L.base, -1, EV_PERSIST, lockd_tick, NULL);
	if (tick == NULL || event_add(tick, &second) == -1)
		fatalx("timer event");
	signal(SIGPIPE, SIG_IGN);
	L.master = ipc_chan_new(L.base, USMBD_FD_MASTER, "master",
	    &(struct ipc_peer){ &ipc_rules_lockd, IPC_FROM(PROG_MASTER),
	    IPC_PH_RUN }, lockd_master_dispatch, lockd_master_closed, NULL);
	if (L.master == NULL)
		fatal("master channel");

	xasprintf(&root, "%s/empty", ctx.conf->g.state_directory);
	if (chroot(root) == -1 || chdir("/") == -1)
		fatal("chroot %s", root);
	free(root);
	setproctitle("lockd");
	sandbox_drop_privs(&su);
	sandbox_enter(PROG_LOCKD, NULL, ctx.debug);
	proc_hello(PROG_LOCKD);

	event_base_dispatch(L.base);
	return 0;
}
