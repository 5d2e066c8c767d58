/*
 * Oplock breaks in usmbd-lockd (doc/oplocks.md): the OPENs that wait for
 * holders to acknowledge, the IPC_LOCKD_BREAK messages to the holders'
 * workers, acknowledgements, reported writes and the break timeout.
 * The rules themselves are lockd_oplock.c's; the opens and files are
 * lockd_share.c's.
 *
 * A waiting OPEN is in one of two phases.  After a sharing violation
 * that broke Batch oplocks it holds nothing and tries the share check
 * once more when the breaks ended.  After the share check it holds its
 * share-mode registration (so that no later open slips in under it) and
 * waits for the breaks its own open caused.  Whenever anything may have
 * ended a break (an acknowledgement, a close, a worker gone, the
 * one-second tick that expires breaks), every waiting OPEN is looked at
 * again; there are few, and none when nobody breaks.
 *
 * A rename or a delete through an open (LOCKD_OP_RENAME_CHECK, and
 * LOCKD_OP_SET_DELETE that sets the disposition) breaks the handle
 * caching of other keys first (MS-FSA 2.1.4.12, MS-SMB2 3.3.4.6): their
 * clients may be keeping handles that their users closed, which would
 * otherwise keep the file in place or refuse the rename.  It waits in
 * the same list as the OPENs (phase OW_HANDLE), and runs its share
 * check and answers once the breaks ended.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "buf.h"
#include "ipc.h"
#include "lockd.h"
#include "lockd_brl.h"
#include "lockd_oplock.h"
#include "lockd_proto.h"
#include "lockd_share.h"
#include "log.h"
#include "util.h"

/* Waiting OPENs of one worker, at most (beyond: INSUFFICIENT_RESOURCES). */
#define LOCKD_BREAK_MAX_PEER_WAITS	1024
/* Opens of one AppInstanceId closed for one OPEN, and how long. */
#define LOCKD_APP_MAX_CLOSE		16
#define LOCKD_APP_CLOSE_MS		5000
/* Workers told at once to report writes to one file. */
#define LOCKD_BREAK_MAX_REPORT		1024

enum owait_phase {
	OW_APPINST,		/* opens of its AppInstanceId are to close */
	OW_SHARING,		/* a sharing violation broke holders */
	OW_GRANT,		/* registered; its own open broke holders */
	OW_HANDLE,		/* a RENAME_CHECK or SET_DELETE broke holders */
};

struct owait {
	TAILQ_ENTRY(owait)	 entry;
	enum owait_phase	 phase;
	uint32_t		 peer;
	uint64_t		 reqid;
	uint32_t		 op;		/* LOCKD_OP_OPEN, or OW_HANDLE's */
	uint64_t		 handle;	/* OW_GRANT, OW_HANDLE */
	struct lockd_open_args	 a;
	/* OW_APPINST: the workers were told; how long they are waited for. */
	int			 app_told;
	uint64_t		 app_deadline;
};

static TAILQ_HEAD(, owait) owaits = TAILQ_HEAD_INITIALIZER(owaits);
static size_t		 nowaits;
static struct lockd_oplock_breaks breaks;
/* Every worker was told that directory leases exist. */
static int		 dirleases_told;

static size_t
owait_peer_count(uint32_t peer)
{
	struct owait *w;
	size_t n = 0;

	TAILQ_FOREACH(w, &owaits, entry)
		if (w->peer == peer)
			n++;
	return n;
}

/* Disconnected durable opens a break reached, to be closed. */
static uint64_t	*purge_v;
static size_t	 purge_n, purge_cap;
static int	 purge_rerun;

static void
break_purge_add(uint64_t handle)
{
	if (purge_n == purge_cap) {
		purge_cap = purge_cap == 0 ? 16 : purge_cap * 2;
		purge_v = xreallocarray(purge_v, purge_cap, sizeof(*purge_v));
	}
	purge_v[purge_n++] = handle;
}

static void
break_rerun_cb(evutil_socket_t fd, short what, void *arg)
{
	purge_rerun = 0;
	lockd_break_rerun();
}

static void
break_purge_run(void)
{
	static const struct timeval now = { 0, 0 };
	size_t i, n = 0;

	for (i = 0; i < purge_n; i++)
		n += (size_t)lockd_share_durable_purge(purge_v[i]);
	purge_n = 0;
	if (n == 0 || purge_rerun || L.base == NULL)
		return;
	if (event_base_once(L.base, -1, EV_TIMEOUT, break_rerun_cb, NULL,
	    &now) == 0)
		purge_rerun = 1;
}

void
lockd_durable_free(struct lockd_durable *d)
{
	if (d == NULL)
		return;
	free(d->path);
	free(d);
}

/* The one-second tick: disconnected opens past their timeout close. */
void
lockd_break_durable_expire(void)
{
	if (lockd_share_durable_count() > 0 &&
	    lockd_share_durable_expire(time_mono_ms()) > 0)
		lockd_break_rerun();
}

/* b: the lease fields of a lease break; NULL for the other kinds. */
static void
break_send(uint32_t peer, uint64_t handle, uint8_t kind, uint8_t level,
    uint8_t ack, const struct lockd_oplock_break *b)
{
	static const uint8_t nokey[LOPL_KEY_LEN];
	struct lockd_peer *p;
	uint8_t mem[LOCKD_BREAK_LEN];
	struct wbuf w;

	/*
	 * A worker that is gone or does not read is not told; its break
	 * ends at the timeout, as for a client that does not answer.
	 */
	if ((p = lockd_peer_find(peer)) == NULL || !lockd_peer_writable(p))
		return;
	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u64le(&w, handle);
	wbuf_put_u8(&w, kind);
	wbuf_put_u8(&w, level);
	wbuf_put_u8(&w, ack);
	wbuf_put_u8(&w, b != NULL ? b->from : 0);
	wbuf_put_u16le(&w, b != NULL ? b->epoch : 0);
	wbuf_put_u8(&w, b != NULL ? (uint8_t)b->version : 0);
	wbuf_put_u8(&w, 0);
	wbuf_put_bytes(&w, b != NULL ? b->lease_key : nokey, LOPL_KEY_LEN);
	if (wbuf_error(&w) || ipc_chan_send(p->chan, IPC_LOCKD_BREAK, p->id,
	    -1, wbuf_data(&w), wbuf_len(&w)) == -1)
		log_warnx("lockd peer %u: cannot send an oplock break", peer);
}

/* Send what the last call into lockd_oplock.c decided. */
static void
break_flush(void)
{
	struct lockd_oplock_break *b;
	uint64_t other;
	uint32_t peer;
	size_t i;

	for (i = 0; i < breaks.n; i++) {
		b = &breaks.v[i];
		if (lockd_share_handle_peer(b->open, &peer) == -1)
			continue;
		/*
		 * A break to a disconnected durable open closes it (MS-SMB2
		 * 3.3.4.6, 3.3.4.7): nobody is there to give up its caching.
		 * It is closed once every break is sent, and the waiting
		 * opens look again from the event loop, not from inside the
		 * caller's walk of them.
		 */
		if (peer == LOCKD_PEER_DISCONNECTED) {
			break_purge_add(b->open);
			/*
			 * A lease is its client's: if another open of it
			 * is connected, the break goes there instead.
			 */
			if (!b->lease || lockd_share_lease_other(b->open,
			    &peer, &other) == -1)
				continue;
			break_send(peer, other, LOCKD_BREAK_LEASE, b->to,
			    (uint8_t)(b->ack != 0), b);
			continue;
		}
		if (b->lease)
			break_send(peer, b->open, LOCKD_BREAK_LEASE, b->to,
			    (uint8_t)(b->ack != 0), b);
		else
			break_send(peer, b->open, LOCKD_BREAK_OPLOCK, b->to,
			    (uint8_t)(b->ack != 0), NULL);
	}
	breaks.n = 0;
	break_purge_run();
}

/*
 * A file's reads are cached now: the workers of its other opens report
 * their writes from here on, so that they break the Level II oplocks.
 */
static void
break_report(uint32_t peer, uint64_t handle)
{
	static uint32_t peers[LOCKD_BREAK_MAX_REPORT];
	static uint64_t handles[LOCKD_BREAK_MAX_REPORT];
	size_t i, n;

	n = lockd_share_unreported(peer, handle, peers, handles,
	    LOCKD_BREAK_MAX_REPORT);
	for (i = 0; i < n; i++)
		if (peers[i] != peer || handles[i] != handle)
			break_send(peers[i], handles[i], LOCKD_BREAK_REPORT, 0,
			    0, NULL);
}

/*
 * The first directory lease: every worker is told to report changes of
 * children from now on (LOCKD_BREAK_DIRLEASES).  When the last one has
 * gone, the workers learn it from their next OPEN reply, which says
 * whether any exist (LOCKD_OPENED_DIRLEASES): no message to every worker
 * for that.
 */
static void
dirleases_announce(void)
{
	struct lockd_peer *p;

	if (!lockd_share_dirleases()) {
		dirleases_told = 0;
		return;
	}
	if (dirleases_told)
		return;
	dirleases_told = 1;
	TAILQ_FOREACH(p, &L.peers, entry)
		break_send(p->id, 0, LOCKD_BREAK_DIRLEASES, 1, 0, NULL);
}

/* The final answer of an OPEN; an error left no open behind. */
static void
owait_answer(struct lockd_peer *p, uint64_t reqid, uint32_t status,
    uint64_t handle, uint32_t oflags, const struct lockd_oplock_grant *g)
{
	static const struct lockd_oplock_grant none;
	uint8_t mem[LOCKD_OPEN_REPLY_LEN];
	struct wbuf w;

	if (status != LOCKD_STATUS_OK || g == NULL) {
		handle = 0;
		oflags = 0;
		g = &none;
	} else {
		dirleases_announce();
		if (lockd_share_dirleases())
			oflags |= LOCKD_OPENED_DIRLEASES;
	}
	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u64le(&w, handle);
	wbuf_put_u32le(&w, oflags);
	wbuf_put_u8(&w, g->level);
	wbuf_put_u8(&w, g->lease_state);
	wbuf_put_u8(&w, (uint8_t)g->lease_version);
	wbuf_put_u16le(&w, g->epoch);
	wbuf_put_u32le(&w, g->lease_flags);
	lockd_send_reply(p, LOCKD_OP_OPEN, reqid, status, wbuf_data(&w),
	    wbuf_len(&w));
}

/*
 * AppInstanceId (MS-SMB2 3.3.5.9.13): the opens of the same application
 * instance from another client go before the new open's share check.
 * Disconnected ones are closed at once; the workers of connected ones
 * are told to close them (LOCKD_BREAK_CLOSE: no break reaches their
 * clients), and the OPEN waits until they did or LOCKD_APP_CLOSE_MS
 * passed; then the share check decides as for any open.  Returns 1
 * while it waits.
 */
static int
owait_app_instance(struct owait *w, uint32_t uid, uint64_t now)
{
	uint64_t h[LOCKD_APP_MAX_CLOSE];
	uint32_t peer[LOCKD_APP_MAX_CLOSE];
	size_t i, n;

	n = lockd_share_app_instance(uid, w->a.dev, w->a.ino, w->a.stream,
	    w->a.dur, h, peer, LOCKD_APP_MAX_CLOSE);
	if (n == 0)
		return 0;
	if (!w->app_told) {
		for (i = 0; i < n && i < LOCKD_APP_MAX_CLOSE; i++)
			break_send(peer[i], h[i], LOCKD_BREAK_CLOSE, 0, 0,
			    NULL);
		w->app_told = 1;
		w->app_deadline = now + LOCKD_APP_CLOSE_MS;
	}
	return now < w->app_deadline;
}

/*
 * One step of an OPEN: the share check (unless done), then the grant.
 * Returns 1 when it must wait, with *w describing where; 0 when it was
 * answered.
 */
static int
owait_step(struct lockd_peer *p, uint64_t reqid, struct owait *w,
    uint64_t now)
{
	struct lockd_open_args *a = &w->a;
	struct lockd_oplock_grant g;
	uint32_t status, oflags = 0;

	if (w->phase == OW_APPINST) {
		if (owait_app_instance(w, p->uid, now))
			return 1;
		w->phase = OW_SHARING;
	}
	if (w->phase == OW_SHARING) {
		status = lockd_share_open_opl(p->id, p->uid, a->dev, a->ino,
		    a->stream, a->access, a->share, a->flags, &a->q, now,
		    &breaks, &w->handle);
		break_flush();
		if (status == LOCKD_STATUS_PENDING) {
			/* Try the share check once more, breaking nothing. */
			a->q.retry = 1;
			return 1;
		}
		if (status != LOCKD_STATUS_OK) {
			lockd_durable_free(a->dur);
			a->dur = NULL;
			owait_answer(p, reqid, status, 0, 0, NULL);
			return 0;
		}
		w->phase = OW_GRANT;
	}
	status = lockd_share_grant(p->id, w->handle, &a->q, now, &breaks,
	    &g, &oflags);
	break_flush();
	if (status == LOCKD_STATUS_PENDING)
		return 1;
	if (status == LOCKD_STATUS_OK) {
		if (lockd_brl_file_locked(p->id, w->handle))
			oflags |= LOCKD_OPENED_BRL;
		if (g.level != LOPL_LEVEL_NONE)
			break_report(p->id, w->handle);
		if (a->dur != NULL && lockd_share_durable_set(p->id,
		    w->handle, a->dur))
			oflags |= LOCKD_OPENED_DURABLE;
		a->dur = NULL;
	}
	lockd_durable_free(a->dur);
	a->dur = NULL;
	owait_answer(p, reqid, status, w->handle, oflags, &g);
	return 0;
}

void
lockd_break_open(struct lockd_peer *p, uint64_t reqid,
    const struct lockd_open_args *a)
{
	struct owait *w, tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.phase = a->dur != NULL ? OW_APPINST : OW_SHARING;
	tmp.op = LOCKD_OP_OPEN;
	tmp.a = *a;
	if (!owait_step(p, reqid, &tmp, time_mono_ms()))
		return;
	if (owait_peer_count(p->id) >= LOCKD_BREAK_MAX_PEER_WAITS) {
		log_warnx("lockd peer %u: %d opens wait for oplock breaks; "
		    "refusing another", p->id, LOCKD_BREAK_MAX_PEER_WAITS);
		if (tmp.phase == OW_GRANT) {
			uint32_t fl;

			(void)lockd_share_close(p->id, tmp.handle, &fl);
		}
		lockd_durable_free(tmp.a.dur);
		owait_answer(p, reqid, LOCKD_STATUS_INSUFFICIENT_RESOURCES, 0,
		    0, NULL);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	*w = tmp;
	w->peer = p->id;
	w->reqid = reqid;
	TAILQ_INSERT_TAIL(&owaits, w, entry);
	nowaits++;
	/* The worker answers its client STATUS_PENDING meanwhile. */
	lockd_send_reply(p, LOCKD_OP_OPEN, reqid, LOCKD_STATUS_PENDING, NULL,
	    0);
}

/*
 * One step of a RENAME_CHECK or of a SET_DELETE that sets the
 * disposition: break the handle caching of the other keys, and once
 * nobody is left to wait for, the share check and the answer.  Returns
 * 1 when it must wait.
 */
static int
hwait_step(struct lockd_peer *p, uint64_t reqid, struct owait *w,
    uint64_t now)
{
	uint32_t status;

	status = lockd_share_event(p->id, w->handle,
	    w->op == LOCKD_OP_RENAME_CHECK ? LOPL_EV_RENAME : LOPL_EV_DELETE,
	    now, &breaks);
	break_flush();
	if (status == LOCKD_STATUS_PENDING)
		return 1;
	if (status == LOCKD_STATUS_OK && w->op == LOCKD_OP_RENAME_CHECK)
		status = lockd_share_rename_check(p->id, w->handle);
	else if (status == LOCKD_STATUS_OK)
		status = lockd_share_set_delete(p->id, w->handle, 1);
	lockd_send_reply(p, w->op, reqid, status, NULL, 0);
	return 0;
}

/*
 * LOCKD_OP_RENAME_CHECK, and LOCKD_OP_SET_DELETE with on set: answered
 * at once unless another key's handle caching must be broken first;
 * then an interim PENDING, and the answer when the breaks ended.
 */
void
lockd_break_handle(struct lockd_peer *p, uint64_t reqid, uint32_t op,
    uint64_t handle)
{
	struct owait *w, tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.phase = OW_HANDLE;
	tmp.op = op;
	tmp.handle = handle;
	if (!hwait_step(p, reqid, &tmp, time_mono_ms()))
		return;
	if (owait_peer_count(p->id) >= LOCKD_BREAK_MAX_PEER_WAITS) {
		log_warnx("lockd peer %u: %d requests wait for oplock breaks; "
		    "refusing another", p->id, LOCKD_BREAK_MAX_PEER_WAITS);
		lockd_send_reply(p, op, reqid,
		    LOCKD_STATUS_INSUFFICIENT_RESOURCES, NULL, 0);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	*w = tmp;
	w->peer = p->id;
	w->reqid = reqid;
	TAILQ_INSERT_TAIL(&owaits, w, entry);
	nowaits++;
	lockd_send_reply(p, op, reqid, LOCKD_STATUS_PENDING, NULL, 0);
}

static void
owait_free(struct owait *w)
{
	TAILQ_REMOVE(&owaits, w, entry);
	nowaits--;
	lockd_durable_free(w->a.dur);
	free(w);
}

/*
 * Something may have ended a break: every waiting OPEN whose holders
 * are done goes on.  A step may break more holders (a chain of opens),
 * which leaves that OPEN waiting again.
 */
void
lockd_break_rerun(void)
{
	struct owait *w, *next;
	struct lockd_peer *p;
	uint64_t now = time_mono_ms();
	int blocked;

	for (w = TAILQ_FIRST(&owaits); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		if ((p = lockd_peer_find(w->peer)) == NULL)
			continue;
		if (w->phase == OW_APPINST)
			blocked = 0;	/* owait_app_instance() looks */
		else if (w->phase == OW_SHARING)
			blocked = lockd_share_file_blocked(w->a.dev, w->a.ino,
			    w->a.stream, now);
		else
			blocked = lockd_share_blocked(w->peer, w->handle, now);
		if (blocked)
			continue;
		if (w->phase == OW_HANDLE ? hwait_step(p, w->reqid, w, now) :
		    owait_step(p, w->reqid, w, now))
			continue;
		owait_free(w);
		/* Answering may have changed the list after w. */
		next = TAILQ_FIRST(&owaits);
	}
}

/* A worker is gone: its waiting OPENs with it (its opens close apart). */
void
lockd_break_release_peer(uint32_t peer)
{
	struct owait *w, *next;

	for (w = TAILQ_FIRST(&owaits); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		if (w->peer == peer)
			owait_free(w);
	}
}

/*
 * LOCKD_OP_OPEN_CANCEL: only the sender's own waiting OPEN, RENAME_CHECK
 * or SET_DELETE.
 */
void
lockd_break_cancel(struct lockd_peer *p, uint64_t reqid, uint64_t which)
{
	struct owait *w;
	uint32_t fl;

	TAILQ_FOREACH(w, &owaits, entry)
		if (w->peer == p->id && w->reqid == which)
			break;
	if (w != NULL) {
		if (w->phase == OW_GRANT)
			(void)lockd_share_close(p->id, w->handle, &fl);
		if (w->phase == OW_HANDLE)
			lockd_send_reply(p, w->op, which,
			    LOCKD_STATUS_CANCELLED, NULL, 0);
		else
			owait_answer(p, which, LOCKD_STATUS_CANCELLED, 0, 0,
			    NULL);
		owait_free(w);
		lockd_break_rerun();
	}
	lockd_send_reply(p, LOCKD_OP_OPEN_CANCEL, reqid, LOCKD_STATUS_OK, NULL,
	    0);
}

/* LOCKD_OP_OPLOCK_ACK; see lockd_proto.h. */
void
lockd_break_ack(struct lockd_peer *p, uint64_t reqid, uint64_t handle,
    uint8_t level)
{
	uint32_t status;
	uint8_t granted = 0;

	status = lockd_share_oplock_ack(p->id, handle, level, time_mono_ms(),
	    &breaks, &granted);
	break_flush();
	if (status == LOCKD_STATUS_OK && granted != LOPL_LEVEL_NONE)
		break_report(p->id, handle);
	lockd_send_reply(p, LOCKD_OP_OPLOCK_ACK, reqid, status, &granted, 1);
	lockd_break_rerun();
}

/*
 * LOCKD_OP_LEASE_ACK: the lease is looked up with the uid lockd knows
 * for the sender, so that no worker acknowledges another user's lease.
 */
void
lockd_break_lease_ack(struct lockd_peer *p, uint64_t reqid,
    const uint8_t *guid, const uint8_t *key, uint8_t state)
{
	uint32_t status;
	uint8_t held = 0;

	status = lockd_share_lease_ack(p->uid, guid, key, state,
	    time_mono_ms(), &breaks);
	break_flush();
	if (status == LOCKD_STATUS_OK)
		held = state;
	lockd_send_reply(p, LOCKD_OP_LEASE_ACK, reqid, status, &held, 1);
	lockd_break_rerun();
}

/*
 * An operation of an open that breaks others' oplocks: a write (also
 * LOCKD_OP_WROTE's reply) or a byte-range lock.  Nothing waits for these
 * breaks: with oplocks only Level II can be held beside an open that
 * writes or locks, and Level II is never acknowledged.
 */
uint32_t
lockd_break_event(struct lockd_peer *p, uint64_t handle, int ev)
{
	uint32_t status;

	status = lockd_share_event(p->id, handle, ev, time_mono_ms(), &breaks);
	break_flush();
	return status;
}

/* Another worker's handle is not found: it breaks nobody's oplock. */
void
lockd_break_wrote(struct lockd_peer *p, uint64_t reqid, uint64_t handle)
{
	uint32_t cached = 0, status;

	status = lockd_break_event(p, handle, LOPL_EV_WRITE);
	if (status == LOCKD_STATUS_INVALID_HANDLE) {
		lockd_send_reply(p, LOCKD_OP_WROTE, reqid, status, &cached, 4);
		return;
	}
	cached = (uint32_t)lockd_share_cached(p->id, handle);
	lockd_send_reply(p, LOCKD_OP_WROTE, reqid, LOCKD_STATUS_OK, &cached,
	    4);
}

/*
 * LOCKD_OP_LOCAL_BREAK: the kernel told the worker of this open that a
 * local process opens the file.  Only the sender's own handle is found,
 * so a worker breaks only files it has open itself.  Nothing waits here:
 * the local opener waits in the kernel until the worker lets go of its
 * file lease, once its client acknowledged or the break timed out.
 */
void
lockd_break_local(struct lockd_peer *p, uint64_t reqid, uint64_t handle)
{
	uint32_t status;

	status = lockd_break_event(p, handle, LOPL_EV_LOCAL);
	if (status == LOCKD_STATUS_PENDING)
		status = LOCKD_STATUS_OK;
	lockd_send_reply(p, LOCKD_OP_LOCAL_BREAK, reqid, status, NULL, 0);
	lockd_break_rerun();
}

/* LOCKD_OP_DIR_CHANGED: nothing waits for these breaks. */
void
lockd_break_dir_changed(struct lockd_peer *p, uint64_t reqid, uint64_t dev,
    uint64_t ino, const uint8_t *guid, const uint8_t *parent_key)
{
	(void)lockd_share_dir_changed(p->uid, dev, ino, guid, parent_key,
	    time_mono_ms(), &breaks);
	break_flush();
	lockd_send_reply(p, LOCKD_OP_DIR_CHANGED, reqid, LOCKD_STATUS_OK,
	    NULL, 0);
}

size_t
lockd_break_file_all(uint64_t dev, uint64_t ino)
{
	size_t n;

	n = lockd_share_break_all(dev, ino, time_mono_ms(), &breaks);
	break_flush();
	return n;
}

size_t
lockd_break_waiting(void)
{
	return nowaits;
}
