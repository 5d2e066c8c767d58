/*
 * SMB2 LOCK (MS-SMB2 3.3.5.14) and the byte-range lock checks of IO.
 *
 * The locks live in usmbd-lockd, shared by every worker
 * (lockd/lockd_brl.c explains the design).  A LOCK goes to lockd as the
 * client sent it and waits for the answer.  A lock that has to wait gets
 * an interim answer from lockd first: the request goes asynchronous here
 * (STATUS_PENDING with an AsyncId) and is answered when lockd grants,
 * cancels or ends it.  A CANCEL asks lockd to cancel; lockd's reply
 * answers the client either way, so a lock granted while the CANCEL
 * was on its way is answered as granted, never lost.
 *
 * A close, a TREE_DISCONNECT or a LOGOFF closes the opens in lockd; a
 * lock that waited on one of those opens ends with RANGE_NOT_LOCKED,
 * one that waited on another open's lock may be granted by it, as
 * Windows does (smb2.lock.cancel-tdis, cancel-logoff).  The answer to a
 * request of a session that logged off goes out unsigned, since its
 * keys are gone; for an encrypted session it is answered at the logoff.
 *
 * IO: an open whose file may have locks (o->brl, set by the OPEN reply
 * or by lockd's IPC_LOCKD_NOTIFY) asks lockd before each READ, WRITE
 * or copy chunk (smb2_lock_check()), and its IO then runs synchronously.
 *
 * Not done: lock sequence numbers (MS-SMB2 3.3.5.14, replay of LOCKs on
 * resilient, durable or multichannel opens); this server offers none
 * of those, and LockSequence is ignored.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "log.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_lock.h"
#include "util.h"

/* A LOCK waiting for lockd. */
struct lock_wait {
	struct smb2_conn	*c;
	struct smb2_async	*a;	/* once it went asynchronous */
	uint64_t		 reqid;
	int			 orphan;	/* answered: drop the reply */
};

/* A READ, WRITE or copy waiting for lockd's check. */
struct check_wait {
	struct smb2_conn	*c;
	size_t			 n;
	uint64_t		 handles[];
};

static void
lock_ignore_reply(uint32_t status, struct rbuf *r, void *arg)
{
}

/* lockd's answer as the client should see it. */
static uint32_t
lock_status(uint32_t status)
{
	if (status == LOCKD_STATUS_INVALID_HANDLE)
		return NT_STATUS_FILE_CLOSED;
	return status;
}

static void
lock_cancel(struct smb2_conn *c, struct smb2_async *a)
{
	struct lock_wait *w = a->arg;
	uint8_t body[8];
	int i;

	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(w->reqid >> (8 * i));
	if (c->cancel_status == 0) {
		/* A CANCEL: lockd's reply to the LOCK answers it. */
		if (lockd_client_request(LOCKD_OP_LOCK_CANCEL, body,
		    sizeof(body), lock_ignore_reply, NULL) == -1) {
			w->a = NULL;
			w->orphan = 1;
			smb2_async_complete(c, a, NT_STATUS_CANCELLED, NULL, 0);
		}
		return;
	}
	/*
	 * The session ends.  Its opens are about to be closed in lockd,
	 * which then answers this lock; keep waiting for that answer, but
	 * without the session's keys, which go away now.
	 */
	if (a->encrypt) {
		/* Never in the clear: answer now and drop lockd's reply. */
		lockd_client_request(LOCKD_OP_LOCK_CANCEL, body, sizeof(body),
		    lock_ignore_reply, NULL);
		w->a = NULL;
		w->orphan = 1;
		smb2_async_complete(c, a, NT_STATUS_CANCELLED, NULL, 0);
		return;
	}
	a->sess = NULL;
	a->sign = 0;
}

static void
lock_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct lock_wait *w = arg;
	struct smb2_conn *c = w->c;
	struct smb2_req *req;
	static const uint8_t ok[4] = { 4, 0, 0, 0 };

	if (status == LOCKD_STATUS_PENDING) {
		/* The lock waits: answer STATUS_PENDING and go on. */
		if (w->a != NULL || w->orphan || !c->waiting ||
		    c->work == NULL)
			return;
		req = &c->work->req;
		w->a = smb2_async_new(c, req, lock_cancel, w);
		req->status = NT_STATUS_PENDING;
		req->no_sign = 1;
		wbuf_reset(req->out);
		smb2_error_body(req->out);
		req->error_data = 1;
		smb2_conn_resume(c);
		return;
	}
	status = lock_status(status);
	if (w->orphan) {
		free(w);
		return;
	}
	if (w->a != NULL) {
		if (log_getverbose() >= 3)
			log_debug("%s: waiting LOCK ends: %s", c->peer,
			    ntstatus_name(status));
		smb2_async_complete(c, w->a, status,
		    status == NT_STATUS_SUCCESS ? ok : NULL,
		    status == NT_STATUS_SUCCESS ? sizeof(ok) : 0);
	} else if (c->waiting && c->work != NULL) {
		req = &c->work->req;
		req->status = status;
		if (status == NT_STATUS_SUCCESS) {
			wbuf_reset(req->out);
			wbuf_put_bytes(req->out, ok, sizeof(ok));
		}
		smb2_conn_resume(c);
	}
	free(w);
}

uint32_t
smb2_cmd_lock(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_lock_req lr;
	struct smb2_lock_elem e;
	struct smb2_open *o;
	struct lock_wait *w;
	struct wbuf b;
	uint32_t op;
	size_t i;

	if (smb2_lock_parse(&req->body, &lr) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, lr.file_id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	if (lr.count == 0)
		return NT_STATUS_INVALID_PARAMETER;
	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	/* MS-FSA "Server Requests a Byte-Range Lock": not on directories. */
	if (o->is_dir || o->lockd_handle == 0)
		return NT_STATUS_INVALID_PARAMETER;
	if (lr.count > LOCKD_MAX_LOCK_ELEMENTS) {
		log_warnx("%s: LOCK of %u ranges; at most %d are served",
		    c->peer, lr.count, LOCKD_MAX_LOCK_ELEMENTS);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	smb2_lock_elem_get(&lr, 0, &e);
	op = (e.flags & SMB2_LOCKFLAG_UNLOCK) ? LOCKD_OP_UNLOCK :
	    LOCKD_OP_LOCK;
	/*
	 * Locking needs read or write access to the data, as Windows'
	 * LockFileEx documents; MS-FSA leaves that check to the caller.
	 */
	if (op == LOCKD_OP_LOCK &&
	    !(o->access & (FILE_READ_DATA | FILE_WRITE_DATA)))
		return NT_STATUS_ACCESS_DENIED;
	/* A LOCK that may wait needs room among the waiting requests. */
	if (op == LOCKD_OP_LOCK && lr.count == 1 &&
	    !(e.flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY) && smb2_async_full(c))
		return NT_STATUS_INSUFFICIENT_RESOURCES;

	wbuf_init(&b, 12 + (size_t)lr.count * 20);
	wbuf_put_u64le(&b, o->lockd_handle);
	wbuf_put_u32le(&b, lr.count);
	for (i = 0; i < lr.count; i++) {
		smb2_lock_elem_get(&lr, i, &e);
		wbuf_put_u64le(&b, e.off);
		wbuf_put_u64le(&b, e.len);
		wbuf_put_u32le(&b, e.flags);
	}
	w = xcalloc(1, sizeof(*w));
	w->c = c;
	if (wbuf_error(&b) || lockd_client_request_id(op, wbuf_data(&b),
	    wbuf_len(&b), lock_reply, w, &w->reqid) == -1) {
		wbuf_free(&b);
		free(w);
		log_warnx("%s: lockd unreachable; refusing LOCK", c->peer);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	wbuf_free(&b);
	c->waiting = 1;
	return SMB2_DEFER;
}

static void
check_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct check_wait *cw = arg;
	struct smb2_conn *c = cw->c;
	struct smb2_req *req;
	uint32_t has = 1, at = 0, st;
	size_t i;

	rbuf_get_u32le(r, &has);
	rbuf_get_u32le(r, &at);
	/* No locks left on these files: their IO need not ask again. */
	if (status == LOCKD_STATUS_OK && has == 0)
		for (i = 0; i < cw->n; i++)
			smb2_open_brl_set(cw->handles[i], 0);
	free(cw);
	if (!c->waiting || c->work == NULL)
		return;
	req = &c->work->req;
	/*
	 * The handler runs again, now doing its IO, or answering the
	 * conflict (a copy still copies the chunks before it).
	 */
	req->brl_checked = 1;
	if (status != LOCKD_STATUS_OK) {
		req->brl_status = lock_status(status);
		req->brl_index = at;
	}
	st = c->cmds[req->hdr.command].fn(c, req);
	if (st == SMB2_DEFER) {
		/* Its IO runs in the thread pool (smb2_rw_aio.c). */
		smb2_conn_detach(c);
		return;
	}
	if (st == SMB2_NO_RESPONSE || st == SMB2_ASYNC) {
		log_warnx("%s: %s went asynchronous after a lock check",
		    c->peer, smb2_command_name(req->hdr.command));
		st = NT_STATUS_INTERNAL_ERROR;
	}
	req->status = st;
	smb2_conn_resume(c);
}

uint32_t
smb2_lock_check(struct smb2_conn *c, struct smb2_req *req,
    const struct smb2_lock_range *rg, size_t n)
{
	struct check_wait *cw;
	struct wbuf b;
	size_t i;
	int rv;

	if (n == 0 || n > LOCKD_MAX_LOCK_ELEMENTS)
		return NT_STATUS_INVALID_PARAMETER;
	cw = xcalloc(1, sizeof(*cw) + n * sizeof(cw->handles[0]));
	cw->c = c;
	cw->n = n;
	wbuf_init(&b, 4 + n * 28);
	wbuf_put_u32le(&b, (uint32_t)n);
	for (i = 0; i < n; i++) {
		cw->handles[i] = rg[i].handle;
		wbuf_put_u64le(&b, rg[i].handle);
		wbuf_put_u64le(&b, rg[i].off);
		wbuf_put_u64le(&b, rg[i].len);
		wbuf_put_u32le(&b, rg[i].write ? 1 : 0);
	}
	rv = wbuf_error(&b) ? -1 : lockd_client_request(LOCKD_OP_CHECK,
	    wbuf_data(&b), wbuf_len(&b), check_reply, cw);
	wbuf_free(&b);
	if (rv == -1) {
		free(cw);
		log_warnx("%s: lockd unreachable; refusing IO on a locked "
		    "file", c->peer);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	c->waiting = 1;
	return SMB2_DEFER;
}

uint32_t
smb2_lock_check_io(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, uint64_t off, uint64_t len, int write)
{
	struct smb2_lock_range rg;

	rg.handle = o->lockd_handle;
	rg.off = off;
	rg.len = len;
	rg.write = write;
	return smb2_lock_check(c, req, &rg, 1);
}

/*
 * lockd: a file of these opens got byte-range locks.  Mark them, then
 * acknowledge, which lets lockd answer the lock.
 */
static void
lock_notify(const uint8_t *data, size_t len)
{
	struct rbuf r;
	uint64_t id = 0, h;
	uint32_t n = 0, i;
	uint8_t body[8];

	rbuf_init(&r, data, len);
	rbuf_get_u64le(&r, &id);
	rbuf_get_u32le(&r, &n);
	if (rbuf_error(&r) || rbuf_left(&r) != (size_t)n * 8)
		log_warnx("lockd: malformed lock notice");
	for (i = 0; i < n && rbuf_left(&r) >= 8; i++) {
		rbuf_get_u64le(&r, &h);
		smb2_open_brl_set(h, 1);
	}
	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(id >> (8 * i));
	if (lockd_client_request(LOCKD_OP_BRL_ACK, body, sizeof(body),
	    lock_ignore_reply, NULL) == -1)
		log_warnx("lockd: cannot acknowledge a lock notice");
}

void
smb2_lock_init(void)
{
	lockd_client_set_notify(lock_notify);
}
