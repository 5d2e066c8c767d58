/*
 * usmbd-lockd: the shared state and the request protocol.
 *
 * Every request is { u32 op, u64 request id, op-specific body } and gets
 * exactly one reply { u32 op, u64 request id, u32 NTSTATUS, body }, so a
 * worker can match replies to requests even when they are answered out
 * of order (a share-mode wait, later an oplock break).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ipc.h"
#include "lockd.h"
#include "lockd_brl.h"
#include "lockd_oplock.h"
#include "lockd_proto.h"
#include "lockd_share.h"
#include "lockd_tcon.h"
#include "log.h"
#include "util.h"


/* The worker being released: lockd tells it nothing any more. */
static uint32_t	lockd_releasing;
static int	lockd_releasing_on;

struct lockd_peer *
lockd_peer_find(uint32_t id)
{
	struct lockd_peer *p;

	if (lockd_releasing_on && id == lockd_releasing)
		return NULL;
	TAILQ_FOREACH(p, &L.peers, entry)
		if (p->id == id)
			return p;
	return NULL;
}

/* The late final answer of a LOCK (lockd_brl.c). */
static void
lockd_brl_reply_cb(uint32_t peer, uint64_t reqid, uint32_t status)
{
	struct lockd_peer *p;

	if ((p = lockd_peer_find(peer)) != NULL)
		lockd_send_reply(p, LOCKD_OP_LOCK, reqid, status, NULL, 0);
}

static int
lockd_brl_notify_cb(uint32_t peer, uint64_t id, const uint64_t *handles,
    size_t n)
{
	struct lockd_peer *p;
	struct wbuf w;
	size_t i;
	int rv;

	if ((p = lockd_peer_find(peer)) == NULL || !lockd_peer_writable(p))
		return -1;
	wbuf_init(&w, 12 + 8 * n);
	wbuf_put_u64le(&w, id);
	wbuf_put_u32le(&w, (uint32_t)n);
	for (i = 0; i < n; i++)
		wbuf_put_u64le(&w, handles[i]);
	rv = wbuf_error(&w) ? -1 : ipc_chan_send(p->chan, IPC_LOCKD_NOTIFY,
	    p->id, -1, wbuf_data(&w), wbuf_len(&w));
	wbuf_free(&w);
	if (rv == -1)
		log_warnx("lockd peer %u: cannot announce byte-range locks",
		    peer);
	return rv == -1 ? -1 : 0;
}

/*
 * A worker that sends requests but does not read the replies (or the
 * notices other workers' locks cause) would make lockd queue without
 * bound.  Past LOCKD_PEER_MAX_QUEUED its messages are dropped and it is
 * marked; lockd.c drops its channel at its next request.
 */
int
lockd_peer_writable(struct lockd_peer *p)
{
	if (p->stalled)
		return 0;
	if (ipc_chan_queued(p->chan) <= LOCKD_PEER_MAX_QUEUED)
		return 1;
	log_warnx("lockd peer %u: more than %d bytes wait for it to read; "
	    "dropping its messages", p->id, LOCKD_PEER_MAX_QUEUED);
	p->stalled = 1;
	return 0;
}

/*
 * A request lockd cannot parse, or an operation it does not know, comes
 * from a worker that is broken or no longer ours: no answer, and its
 * channel is closed once the request is done (doc/design.md §7.5), which
 * releases its opens and locks as if it had exited.
 */
static void
lockd_peer_refuse(struct lockd_peer *p, uint32_t op)
{
	log_warnx("lockd peer %u: malformed request (operation %u); closing "
	    "its channel", p->id, op);
	p->refused = 1;
}

void
lockd_state_init(void)
{
	lockd_brl_init(lockd_brl_reply_cb, lockd_brl_notify_cb);
}

/* LOCKD_OP_LOCK and LOCKD_OP_UNLOCK; see lockd_proto.h. */
static void
lockd_op_lock(struct lockd_peer *p, uint32_t op, uint64_t reqid,
    struct rbuf *r)
{
	struct lockd_brl_elem *e;
	uint64_t handle;
	uint32_t n, i, status;

	rbuf_get_u64le(r, &handle);
	rbuf_get_u32le(r, &n);
	if (rbuf_error(r) || n == 0 || n > LOCKD_MAX_LOCK_ELEMENTS ||
	    rbuf_left(r) != (size_t)n * 20) {
		lockd_peer_refuse(p, op);
		return;
	}
	e = xcalloc(n, sizeof(*e));
	for (i = 0; i < n; i++) {
		rbuf_get_u64le(r, &e[i].off);
		rbuf_get_u64le(r, &e[i].len);
		rbuf_get_u32le(r, &e[i].flags);
	}
	/* A lock breaks Level II oplocks, the locker's own too (brl1). */
	if (op == LOCKD_OP_LOCK)
		(void)lockd_break_event(p, handle, LOPL_EV_LOCK);
	if (op == LOCKD_OP_LOCK)
		status = lockd_brl_lock(p->id, handle, reqid, e, n);
	else
		status = lockd_brl_unlock(p->id, handle, e, n);
	free(e);
	if (status != LOCKD_BRL_LATER)
		lockd_send_reply(p, op, reqid, status, NULL, 0);
}

static void
lockd_op_check(struct lockd_peer *p, uint64_t reqid, struct rbuf *r)
{
	struct lockd_brl_io *io;
	uint32_t n, i, status, w, body[2];
	size_t at = 0;
	int haslocks = 0;

	rbuf_get_u32le(r, &n);
	if (rbuf_error(r) || n == 0 || n > LOCKD_MAX_LOCK_ELEMENTS ||
	    rbuf_left(r) != (size_t)n * 28) {
		lockd_peer_refuse(p, LOCKD_OP_CHECK);
		return;
	}
	io = xcalloc(n, sizeof(*io));
	for (i = 0; i < n; i++) {
		rbuf_get_u64le(r, &io[i].handle);
		rbuf_get_u64le(r, &io[i].off);
		rbuf_get_u64le(r, &io[i].len);
		rbuf_get_u32le(r, &w);
		io[i].write = w != 0;
	}
	status = lockd_brl_check(p->id, io, n, &haslocks, &at);
	free(io);
	body[0] = (uint32_t)haslocks;
	body[1] = (uint32_t)at;
	lockd_send_reply(p, LOCKD_OP_CHECK, reqid, status, body, sizeof(body));
}

/* LOCKD_OP_LOCK_CANCEL and LOCKD_OP_BRL_ACK: body u64. */
static void
lockd_op_brl_u64(struct lockd_peer *p, uint32_t op, uint64_t reqid,
    struct rbuf *r)
{
	uint64_t v;

	rbuf_get_u64le(r, &v);
	if (rbuf_error(r) || rbuf_left(r) != 0) {
		lockd_peer_refuse(p, op);
		return;
	}
	if (op == LOCKD_OP_LOCK_CANCEL)
		lockd_brl_cancel(p->id, v);
	else
		lockd_brl_ack(p->id, v);
	lockd_send_reply(p, op, reqid, LOCKD_STATUS_OK, NULL, 0);
}

/* The lease part of LOCKD_OP_OPEN; see lockd_proto.h. */
static int
lockd_open_lease(struct rbuf *r, struct lockd_share_oreq *q)
{
	uint8_t version = 0, state = 0, flags = 0, pad = 0;

	rbuf_get_u8(r, &version);
	rbuf_get_u8(r, &state);
	rbuf_get_u8(r, &flags);
	rbuf_get_u8(r, &pad);
	rbuf_get_u16le(r, &q->epoch);
	rbuf_get_bytes(r, q->client_guid, sizeof(q->client_guid));
	rbuf_get_bytes(r, q->lease_key, sizeof(q->lease_key));
	rbuf_get_bytes(r, q->parent_key, sizeof(q->parent_key));
	if (rbuf_error(r) || (version != 1 && version != 2) ||
	    (state & ~(LOPL_R | LOPL_H | LOPL_W)) != 0 ||
	    (flags & ~LOCKD_LEASE_PARENT) != 0 || pad != 0)
		return -1;
	q->lease_version = version;
	q->lease_state = state;
	q->has_parent = (flags & LOCKD_LEASE_PARENT) != 0;
	return 0;
}

/* A u16-counted name of at most max bytes, no NUL, into a string. */
static int
lockd_get_name(struct rbuf *r, size_t min, size_t max, char *out)
{
	const uint8_t *np;
	uint16_t len = 0;

	rbuf_get_u16le(r, &len);
	if (rbuf_error(r) || len < min || len > max ||
	    rbuf_get_ptr(r, &np, len) == -1 || memchr(np, '\0', len) != NULL)
		return -1;
	memcpy(out, np, len);
	out[len] = '\0';
	return 0;
}

/* The durable part of LOCKD_OP_OPEN; see lockd_proto.h. */
static struct lockd_durable *
lockd_open_durable(struct rbuf *r)
{
	struct lockd_durable *d;
	char path[LOCKD_DURABLE_MAX_PATH + 1];
	uint8_t version = 0, pad8 = 0;
	uint16_t pad16 = 0;

	d = xcalloc(1, sizeof(*d));
	rbuf_get_u8(r, &version);
	rbuf_get_u8(r, &pad8);
	rbuf_get_u16le(r, &pad16);
	rbuf_get_u32le(r, &d->timeout_ms);
	rbuf_get_bytes(r, d->create_guid, sizeof(d->create_guid));
	rbuf_get_bytes(r, d->client_guid, sizeof(d->client_guid));
	rbuf_get_u32le(r, &d->create_options);
	rbuf_get_u64le(r, &d->alloc);
	if (rbuf_error(r) || (version != 1 && version != 2) || pad8 != 0 ||
	    pad16 != 0 ||
	    lockd_get_name(r, 1, LOCKD_MAX_SHARE_NAME, d->share) == -1 ||
	    lockd_get_name(r, 0, LOCKD_DURABLE_MAX_PATH, path) == -1) {
		free(d);
		return NULL;
	}
	/* AppInstanceId, if the CREATE had one (v2 only). */
	if (rbuf_left(r) >= 16 && version == 2)
		rbuf_get_bytes(r, d->app_id, sizeof(d->app_id));
	d->version = version;
	d->path = xstrdup(path);
	return d;
}

/* The body of LOCKD_OP_OPEN; see lockd_proto.h. */
static void
lockd_op_open(struct lockd_peer *p, uint64_t reqid, struct rbuf *r, int fd)
{
	struct lockd_open_args a;
	struct stat st;
	uint16_t namelen;
	uint8_t level = 0, oflags = 0;
	uint32_t disp = LOPL_FILE_OPEN;
	const uint8_t *name;

	/*
	 * The file is what the worker's descriptor is: a worker can name
	 * only a file its user could open.  lockd keeps nothing of it.
	 */
	if (fd == -1 || fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		lockd_peer_refuse(p, LOCKD_OP_OPEN);
		return;
	}
	close(fd);
	memset(&a, 0, sizeof(a));
	a.dev = (uint64_t)st.st_dev;
	a.ino = (uint64_t)st.st_ino;
	rbuf_get_u32le(r, &a.access);
	rbuf_get_u32le(r, &a.share);
	rbuf_get_u32le(r, &a.flags);
	rbuf_get_u16le(r, &namelen);
	if (rbuf_error(r) || namelen > LOCKD_MAX_STREAM_NAME ||
	    rbuf_get_ptr(r, &name, namelen) == -1 ||
	    memchr(name, '\0', namelen) != NULL) {
		lockd_peer_refuse(p, LOCKD_OP_OPEN);
		return;
	}
	/* The oplock request is optional: without it, none is asked. */
	if (rbuf_left(r) != 0) {
		rbuf_get_u8(r, &level);
		rbuf_get_u8(r, &oflags);
		rbuf_get_u32le(r, &disp);
	}
	if (level == LOPL_LEVEL_LEASE && rbuf_left(r) != 0 &&
	    lockd_open_lease(r, &a.q) == -1) {
		lockd_peer_refuse(p, LOCKD_OP_OPEN);
		return;
	}
	if ((oflags & LOCKD_OPLOCK_DURABLE) &&
	    (a.dur = lockd_open_durable(r)) == NULL) {
		lockd_peer_refuse(p, LOCKD_OP_OPEN);
		return;
	}
	if (rbuf_error(r) || rbuf_left(r) != 0 ||
	    disp > LOPL_FILE_OVERWRITE_IF ||
	    (oflags & ~(LOCKD_OPLOCK_NO_LEVEL2 | LOCKD_OPLOCK_DIR_LEASE |
	    LOCKD_OPLOCK_DURABLE)) != 0) {
		lockd_durable_free(a.dur);
		lockd_peer_refuse(p, LOCKD_OP_OPEN);
		return;
	}
	memcpy(a.stream, name, namelen);
	a.stream[namelen] = '\0';
	a.q.level = level;
	a.q.disposition = disp;
	a.q.no_level2 = (oflags & LOCKD_OPLOCK_NO_LEVEL2) != 0;
	a.q.dir_lease = (oflags & LOCKD_OPLOCK_DIR_LEASE) != 0;
	lockd_break_open(p, reqid, &a);
}

/*
 * LOCKD_OP_DIR_CHANGED; see lockd_proto.h.  The directory is what the
 * worker's descriptor is, as for an OPEN: a worker breaks the leases
 * only of directories its user could open.
 */
static void
lockd_op_dir_changed(struct lockd_peer *p, uint64_t reqid, struct rbuf *r,
    int fd)
{
	uint8_t has = 0, guid[16], key[16];
	struct stat st;

	if (fd == -1 || fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		lockd_peer_refuse(p, LOCKD_OP_DIR_CHANGED);
		return;
	}
	close(fd);
	rbuf_get_u8(r, &has);
	rbuf_get_bytes(r, guid, sizeof(guid));
	rbuf_get_bytes(r, key, sizeof(key));
	if (rbuf_error(r) || rbuf_left(r) != 0 || has > 1 ||
	    !S_ISDIR(st.st_mode)) {
		lockd_peer_refuse(p, LOCKD_OP_DIR_CHANGED);
		return;
	}
	lockd_break_dir_changed(p, reqid, (uint64_t)st.st_dev,
	    (uint64_t)st.st_ino, guid, has ? key : NULL);
}

static void
lockd_op_handle(struct lockd_peer *p, uint32_t op, uint64_t reqid,
    struct rbuf *r)
{
	uint64_t handle;
	uint32_t on = 0, status, a = 0, b = 0;
	uint8_t body[8];
	size_t blen = 0;

	rbuf_get_u64le(r, &handle);
	if (op == LOCKD_OP_SET_DELETE)
		rbuf_get_u32le(r, &on);
	if (rbuf_error(r) || rbuf_left(r) != 0) {
		lockd_peer_refuse(p, op);
		return;
	}
	switch (op) {
	case LOCKD_OP_CLOSE:
		/* Its locks go first, and whoever waited on them is told. */
		lockd_brl_close(p->id, handle);
		status = lockd_share_close(p->id, handle, &a);
		memcpy(body, &a, 4);
		blen = 4;
		/* Its oplock went with it: opens waiting on it go on. */
		lockd_send_reply(p, op, reqid, status, body, blen);
		lockd_break_rerun();
		return;
	case LOCKD_OP_SET_DELETE:
		if (on != 0) {
			/* Other keys' handle caching is broken first. */
			lockd_break_handle(p, reqid, op, handle);
			return;
		}
		status = lockd_share_set_delete(p->id, handle, 0);
		break;
	case LOCKD_OP_RENAME_CHECK:
		lockd_break_handle(p, reqid, op, handle);
		return;
	default:
		status = lockd_share_query(p->id, handle, &a, &b);
		memcpy(body, &a, 4);
		memcpy(body + 4, &b, 4);
		blen = 8;
		break;
	}
	lockd_send_reply(p, op, reqid, status, body, blen);
}

/*
 * LOCKD_OP_TCON_CLAIM and LOCKD_OP_TCON_RELEASE; see lockd_proto.h.  A
 * limit or a name out of range is a broken worker, as any request that
 * does not parse.
 */
static void
lockd_op_tcon(struct lockd_peer *p, uint32_t op, uint64_t reqid,
    struct rbuf *r)
{
	char name[LOCKD_MAX_SHARE_NAME + 1];
	const uint8_t *np;
	uint32_t limit = 0, status;
	uint16_t namelen;

	if (op == LOCKD_OP_TCON_CLAIM)
		rbuf_get_u32le(r, &limit);
	rbuf_get_u16le(r, &namelen);
	if (rbuf_error(r) || namelen == 0 ||
	    namelen > LOCKD_MAX_SHARE_NAME ||
	    rbuf_get_ptr(r, &np, namelen) == -1 || rbuf_left(r) != 0 ||
	    memchr(np, '\0', namelen) != NULL ||
	    (op == LOCKD_OP_TCON_CLAIM && (limit == 0 ||
	    limit > LOCKD_TCON_MAX_LIMIT))) {
		lockd_peer_refuse(p, op);
		return;
	}
	memcpy(name, np, namelen);
	name[namelen] = '\0';
	if (op == LOCKD_OP_TCON_CLAIM)
		status = lockd_tcon_claim(p->id, name, limit);
	else
		status = lockd_tcon_release(p->id, name);
	lockd_send_reply(p, op, reqid, status, NULL, 0);
}

/*
 * LOCKD_OP_OPLOCK_ACK, LOCKD_OP_WROTE, LOCKD_OP_OPEN_CANCEL and
 * LOCKD_OP_LOCAL_BREAK; see
 * lockd_proto.h.  Each names the worker's own handle or request only:
 * another worker's is not found (lockd_share.c looks up by peer too).
 */
/* LOCKD_OP_LEASE_ACK; see lockd_proto.h. */
static void
lockd_op_lease_ack(struct lockd_peer *p, uint64_t reqid, struct rbuf *r)
{
	uint8_t guid[16], key[16], state = 0;

	rbuf_get_bytes(r, guid, sizeof(guid));
	rbuf_get_bytes(r, key, sizeof(key));
	rbuf_get_u8(r, &state);
	if (rbuf_error(r) || rbuf_left(r) != 0) {
		lockd_peer_refuse(p, LOCKD_OP_LEASE_ACK);
		return;
	}
	lockd_break_lease_ack(p, reqid, guid, key, state);
}

static void
lockd_op_oplock(struct lockd_peer *p, uint32_t op, uint64_t reqid,
    struct rbuf *r)
{
	uint64_t v;
	uint8_t level = 0;

	rbuf_get_u64le(r, &v);
	if (op == LOCKD_OP_OPLOCK_ACK)
		rbuf_get_u8(r, &level);
	if (rbuf_error(r) || rbuf_left(r) != 0) {
		lockd_peer_refuse(p, op);
		return;
	}
	switch (op) {
	case LOCKD_OP_OPLOCK_ACK:
		lockd_break_ack(p, reqid, v, level);
		break;
	case LOCKD_OP_WROTE:
		lockd_break_wrote(p, reqid, v);
		break;
	case LOCKD_OP_LOCAL_BREAK:
		lockd_break_local(p, reqid, v);
		break;
	default:
		lockd_break_cancel(p, reqid, v);
		break;
	}
}

/* The key of LOCKD_OP_DURABLE_FIND and _RECLAIM; see lockd_proto.h. */
static int
lockd_durable_key(struct rbuf *r, struct lockd_durable_key *k)
{
	uint8_t version = 0, lease = 0;
	uint16_t pad = 0;

	memset(k, 0, sizeof(*k));
	rbuf_get_u64le(r, &k->handle);
	rbuf_get_u8(r, &version);
	rbuf_get_u8(r, &lease);
	rbuf_get_u16le(r, &pad);
	rbuf_get_bytes(r, k->create_guid, sizeof(k->create_guid));
	rbuf_get_bytes(r, k->client_guid, sizeof(k->client_guid));
	rbuf_get_bytes(r, k->lease_key, sizeof(k->lease_key));
	if (rbuf_error(r) || rbuf_left(r) != 0 ||
	    (version != 1 && version != 2) || lease > 1 || pad != 0)
		return -1;
	k->version = version;
	k->has_lease = lease;
	return 0;
}

static void
lockd_wput_name(struct wbuf *w, const char *s)
{
	size_t len = strlen(s);

	wbuf_put_u16le(w, (uint16_t)len);
	wbuf_put_bytes(w, s, len);
}

/*
 * LOCKD_OP_DURABLE_FIND: the open is looked up with the uid the master
 * gave with the sender's channel, never a uid the worker names.
 */
static void
lockd_op_durable_find(struct lockd_peer *p, uint64_t reqid, struct rbuf *r)
{
	struct lockd_durable_key k;
	struct lockd_durable_info info;
	struct wbuf w;
	uint32_t status;

	if (lockd_durable_key(r, &k) == -1) {
		lockd_peer_refuse(p, LOCKD_OP_DURABLE_FIND);
		return;
	}
	status = lockd_share_durable_find(p->uid, &k, &info);
	if (status != LOCKD_STATUS_OK) {
		lockd_send_reply(p, LOCKD_OP_DURABLE_FIND, reqid, status,
		    NULL, 0);
		return;
	}
	wbuf_init(&w, 64 + LOCKD_DURABLE_MAX_PATH);
	wbuf_put_u32le(&w, LOCKD_OP_DURABLE_FIND);
	wbuf_put_u64le(&w, reqid);
	wbuf_put_u32le(&w, status);
	wbuf_put_u32le(&w, info.access);
	wbuf_put_u32le(&w, info.share);
	wbuf_put_u32le(&w, info.flags);
	wbuf_put_u32le(&w, info.create_options);
	lockd_wput_name(&w, info.share_name);
	lockd_wput_name(&w, info.path);
	lockd_wput_name(&w, info.stream);
	wbuf_put_u64le(&w, info.alloc);
	wbuf_put_u64le(&w, info.position);
	/* LOCKD_DURABLE_MAX_PATH keeps it short enough (lockd_proto.h). */
	if (wbuf_error(&w) || wbuf_len(&w) > LOCKD_REPLY_MAX) {
		wbuf_free(&w);
		lockd_send_reply(p, LOCKD_OP_DURABLE_FIND, reqid,
		    LOCKD_STATUS_OBJECT_NAME_NOT_FOUND, NULL, 0);
		return;
	}
	if (!lockd_peer_writable(p) ||
	    ipc_chan_send(p->chan, IPC_LOCKD_REPLY, p->id, -1, wbuf_data(&w),
	    wbuf_len(&w)) == -1)
		log_warnx("lockd peer %u: cannot send reply", p->id);
	wbuf_free(&w);
}

/*
 * LOCKD_OP_DURABLE_RECLAIM: as FIND, and the descriptor the worker
 * opened must be of the open's file (the worker reopened it by the
 * path lockd gave, which may name another file by now).
 */
static void
lockd_op_durable_reclaim(struct lockd_peer *p, uint64_t reqid,
    struct rbuf *r, int fd)
{
	struct lockd_durable_key k;
	struct lockd_oplock_grant g;
	uint8_t mem[LOCKD_OPEN_REPLY_LEN];
	struct wbuf w;
	struct stat st;
	uint32_t status, oflags = 0;
	uint64_t handle = 0;

	if (fd == -1 || fstat(fd, &st) == -1 ||
	    lockd_durable_key(r, &k) == -1) {
		if (fd != -1)
			close(fd);
		lockd_peer_refuse(p, LOCKD_OP_DURABLE_RECLAIM);
		return;
	}
	close(fd);
	status = lockd_share_durable_reclaim(p->id, p->uid, &k,
	    (uint64_t)st.st_dev, (uint64_t)st.st_ino, &g, &oflags);
	if (status == LOCKD_STATUS_OK) {
		handle = k.handle;
		if (lockd_brl_file_locked(p->id, handle))
			oflags |= LOCKD_OPENED_BRL;
		log_debug("lockd peer %u reclaimed durable open %llu", p->id,
		    (unsigned long long)handle);
	} else
		memset(&g, 0, sizeof(g));
	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u64le(&w, handle);
	wbuf_put_u32le(&w, oflags);
	wbuf_put_u8(&w, g.level);
	wbuf_put_u8(&w, g.lease_state);
	wbuf_put_u8(&w, (uint8_t)g.lease_version);
	wbuf_put_u16le(&w, g.epoch);
	wbuf_put_u32le(&w, g.lease_flags);
	lockd_send_reply(p, LOCKD_OP_DURABLE_RECLAIM, reqid, status,
	    wbuf_data(&w), wbuf_len(&w));
}

/*
 * LOCKD_OP_DURABLE_DETACH and LOCKD_OP_DURABLE_POSITION: the sender's
 * own open only.
 */
static void
lockd_op_durable_detach(struct lockd_peer *p, uint32_t op, uint64_t reqid,
    struct rbuf *r)
{
	uint64_t handle, pos = 0;
	uint32_t status;

	rbuf_get_u64le(r, &handle);
	if (op == LOCKD_OP_DURABLE_POSITION)
		rbuf_get_u64le(r, &pos);
	if (rbuf_error(r) || rbuf_left(r) != 0) {
		lockd_peer_refuse(p, op);
		return;
	}
	if (op == LOCKD_OP_DURABLE_POSITION) {
		status = lockd_share_durable_position(p->id, handle, pos);
		lockd_send_reply(p, op, reqid, status, NULL, 0);
		return;
	}
	/* Its waiting locks are the session's, which ended. */
	status = lockd_share_durable_detach(p->id, handle, time_mono_ms());
	lockd_send_reply(p, LOCKD_OP_DURABLE_DETACH, reqid, status, NULL, 0);
	lockd_break_rerun();
}

void
lockd_send_reply(struct lockd_peer *p, uint32_t op, uint64_t reqid,
    uint32_t status, const void *body, size_t len)
{
	uint8_t mem[256];
	struct wbuf w;

	if (!lockd_peer_writable(p))
		return;
	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u32le(&w, op);
	wbuf_put_u64le(&w, reqid);
	wbuf_put_u32le(&w, status);
	wbuf_put_bytes(&w, body, len);
	if (wbuf_error(&w) ||
	    ipc_chan_send(p->chan, IPC_LOCKD_REPLY, p->id, -1, wbuf_data(&w),
	    wbuf_len(&w)) == -1)
		log_warnx("lockd peer %u: cannot send reply", p->id);
}

void
lockd_handle_request(struct lockd_peer *p, struct ipc_msg *m)
{
	struct rbuf r;
	uint32_t op;
	uint64_t reqid;

	rbuf_init(&r, m->data, m->hdr.len);
	rbuf_get_u32le(&r, &op);
	rbuf_get_u64le(&r, &reqid);
	/*
	 * Only an OPEN, a DIR_CHANGED and a RECLAIM come with a descriptor,
	 * and they always do.
	 */
	if (op != LOCKD_OP_OPEN && op != LOCKD_OP_DIR_CHANGED &&
	    op != LOCKD_OP_DURABLE_RECLAIM &&
	    m->fd != -1) {
		close(m->fd);
		lockd_peer_refuse(p, op);
		return;
	}
	switch (op) {
	case LOCKD_OP_PING:
		lockd_send_reply(p, op, reqid, LOCKD_STATUS_OK, NULL, 0);
		break;
	case LOCKD_OP_OPEN:
		lockd_op_open(p, reqid, &r, m->fd);
		break;
	case LOCKD_OP_CLOSE:
	case LOCKD_OP_SET_DELETE:
	case LOCKD_OP_RENAME_CHECK:
	case LOCKD_OP_QUERY:
		lockd_op_handle(p, op, reqid, &r);
		break;
	case LOCKD_OP_LOCK:
	case LOCKD_OP_UNLOCK:
		lockd_op_lock(p, op, reqid, &r);
		break;
	case LOCKD_OP_CHECK:
		lockd_op_check(p, reqid, &r);
		break;
	case LOCKD_OP_LOCK_CANCEL:
	case LOCKD_OP_BRL_ACK:
		lockd_op_brl_u64(p, op, reqid, &r);
		break;
	case LOCKD_OP_TCON_CLAIM:
	case LOCKD_OP_TCON_RELEASE:
		lockd_op_tcon(p, op, reqid, &r);
		break;
	case LOCKD_OP_OPLOCK_ACK:
	case LOCKD_OP_WROTE:
	case LOCKD_OP_OPEN_CANCEL:
	case LOCKD_OP_LOCAL_BREAK:
		lockd_op_oplock(p, op, reqid, &r);
		break;
	case LOCKD_OP_LEASE_ACK:
		lockd_op_lease_ack(p, reqid, &r);
		break;
	case LOCKD_OP_DIR_CHANGED:
		lockd_op_dir_changed(p, reqid, &r, m->fd);
		break;
	case LOCKD_OP_DURABLE_FIND:
		lockd_op_durable_find(p, reqid, &r);
		break;
	case LOCKD_OP_DURABLE_RECLAIM:
		lockd_op_durable_reclaim(p, reqid, &r, m->fd);
		break;
	case LOCKD_OP_DURABLE_DETACH:
	case LOCKD_OP_DURABLE_POSITION:
		lockd_op_durable_detach(p, op, reqid, &r);
		break;
	default:
		lockd_peer_refuse(p, op);
		break;
	}
}

void
lockd_peer_release(struct lockd_peer *p)
{
	size_t n, trees, kept;

	lockd_releasing = p->id;
	lockd_releasing_on = 1;
	lockd_break_release_peer(p->id);
	/* Its durable opens stay, with their locks (doc/durable.md). */
	kept = lockd_share_durable_park(p->id, time_mono_ms());
	lockd_brl_release_peer(p->id);
	n = lockd_share_release_peer(p->id);
	trees = lockd_tcon_release_peer(p->id);
	lockd_releasing_on = 0;
	/* Opens that waited for its oplocks go on. */
	lockd_break_rerun();
	if (n > 0)
		log_info("worker of connection %u ended with %zu opens; "
		    "released", p->id, n);
	if (kept > 0)
		log_info("worker of connection %u ended with %zu durable "
		    "opens; kept for their client to reclaim", p->id, kept);
	/* An ordinary end: a client that drops its connection. */
	if (trees > 0)
		log_debug("worker of connection %u ended with %zu tree "
		    "connects counted for max connections; released", p->id,
		    trees);
}
