/*
 * Oplocks and leases in the session worker (doc/oplocks.md).
 * usmbd-lockd decides every grant and break for all workers; the worker
 * carries them to its client and back:
 *
 * - lockd's IPC_LOCKD_BREAK for one of its opens becomes an SMB2
 *   OPLOCK_BREAK notification (MS-SMB2 2.2.23.1), or for a lease a
 *   Lease Break Notification (2.2.23.2), sent unasked;
 * - the client's acknowledgment (MS-SMB2 3.3.5.22.1 and .2) goes to
 *   lockd, which answers the level or state now held, or the error the
 *   client gets;
 * - writes, and changes of the end of file or allocation, are reported
 *   to lockd (LOCKD_OP_WROTE) while lockd says that someone caches the
 *   file's reads, so that Level II oplocks break to none.  Nothing waits
 *   for those reports: Level II breaks are never acknowledged.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "log.h"
#include "ntstatus.h"
#include "oplock_wire.h"
#include "session.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_create.h"
#include "smb2_file.h"
#include "smb2_klease.h"
#include "smb2_oplock.h"
#include "util.h"
#include "vfs.h"

/* A request that lockd may make wait for breaks (smb2_oplock_request). */
struct oplock_wait {
	struct smb2_conn	*c;
	struct smb2_async	*a;	/* once it went asynchronous */
	uint64_t		 reqid;
	int			 orphan;	/* answered: only clean up */
	smb2_oplock_done	 done;
	void			*arg;
};

/*
 * Directory leases exist (lockd's LOCKD_BREAK_DIRLEASES, or its last OPEN
 * reply): changes of children are reported (smb2_oplock_dir_changed()).
 * Off, they cost nothing.
 */
static int	dirleases;

/* An acknowledgment waiting for lockd. */
struct oplock_ack_wait {
	struct smb2_conn	*c;
	uint64_t		 handle;
	uint8_t			 file_id[16];
};

struct lease_state_walk {
	const uint8_t	*key;
	uint32_t	 state;
	int		 breaking;
};

static void
lease_state_one(struct smb2_open *o, void *arg)
{
	const struct lease_state_walk *lw = arg;

	if (o->oplock != SMB2_OPLOCK_LEVEL_LEASE ||
	    memcmp(o->lease.key, lw->key, 16) != 0)
		return;
	o->lease.state = lw->state;
	o->opl_breaking = lw->breaking;
	/*
	 * No flush awaited: the file lease follows now.  A directory has
	 * nothing to flush, and its watch goes as soon as it breaks to none.
	 */
	if (!lw->breaking || o->is_dir)
		klease_sync(o);
}

/*
 * One lease may cover several opens of this connection (one ClientGuid,
 * one key): each shows the lease's state.
 */
void
smb2_lease_state_set(const uint8_t key[16], uint32_t state, int breaking)
{
	struct lease_state_walk lw = { key, state, breaking };

	smb2_open_foreach(lease_state_one, &lw);
}

/*
 * lockd: a lease of this worker's client must give up caching.  The
 * notification names the lease, not the open (MS-SMB2 2.2.23.2); it
 * goes out on this worker's connection, signed or encrypted as the
 * open's session and tree require.
 */
static void
lease_break_msg(struct smb2_open *o, uint8_t to, uint8_t ack, uint8_t from,
    uint16_t epoch, uint8_t version, const uint8_t key[16])
{
	struct wbuf w;
	uint8_t mem[SMB2_LEASE_BREAK_LEN];

	if (o->oplock != SMB2_OPLOCK_LEVEL_LEASE || (to & ~SMB2_LEASE_STATES) ||
	    memcmp(o->lease.key, key, 16) != 0) {
		log_warnx("lockd: a lease break that is not this open's");
		return;
	}
	/* Writes beside a lease that keeps no read cache still break R. */
	o->opl_report = 1;
	smb2_lease_state_set(key, to, ack);
	if (S.conn == NULL)
		return;
	wbuf_init_fixed(&w, mem, sizeof(mem));
	smb2_lease_break_body(&w, version == 2 ? epoch : 0,
	    ack ? SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED : 0, key, from,
	    to);
	if (log_getverbose() >= 2)
		log_debug("%s: lease break of %s from %u to %u%s",
		    S.conn->peer, o->path, from, to,
		    ack ? ", acknowledgment awaited" : "");
	smb2_conn_notify(S.conn, o->sess, o->tree, SMB2_OPLOCK_BREAK,
	    wbuf_data(&w), wbuf_len(&w));
}

/* lockd: an open of this worker must give up caching, or report writes. */
static void
oplock_break_msg(const uint8_t *data, size_t len)
{
	struct smb2_open *o;
	struct rbuf r;
	struct wbuf w;
	uint64_t handle = 0;
	uint16_t epoch = 0;
	uint8_t kind = 0, level = 0, ack = 0, from = 0, version = 0, pad = 0;
	uint8_t key[16], id[16], mem[32];

	rbuf_init(&r, data, len);
	rbuf_get_u64le(&r, &handle);
	rbuf_get_u8(&r, &kind);
	rbuf_get_u8(&r, &level);
	rbuf_get_u8(&r, &ack);
	rbuf_get_u8(&r, &from);
	rbuf_get_u16le(&r, &epoch);
	rbuf_get_u8(&r, &version);
	rbuf_get_u8(&r, &pad);
	rbuf_get_bytes(&r, key, sizeof(key));
	if (rbuf_error(&r)) {
		log_warnx("lockd: malformed oplock break");
		return;
	}
	if (kind == LOCKD_BREAK_DIRLEASES) {
		dirleases = 1;
		return;
	}
	/* Closed meanwhile: lockd learns it from the CLOSE. */
	if ((o = smb2_open_find_lockd(handle)) == NULL)
		return;
	if (kind == LOCKD_BREAK_REPORT) {
		o->opl_report = 1;
		return;
	}
	if (kind == LOCKD_BREAK_CLOSE) {
		smb2_durable_app_close(handle);
		return;
	}
	if (kind == LOCKD_BREAK_LEASE) {
		lease_break_msg(o, level, ack, from, epoch, version, key);
		return;
	}
	if (kind != LOCKD_BREAK_OPLOCK || (level != SMB2_OPLOCK_LEVEL_NONE &&
	    level != SMB2_OPLOCK_LEVEL_II)) {
		log_warnx("lockd: oplock break of kind %u to level %u",
		    kind, level);
		return;
	}
	/* A client at Level II writes nothing cached: report its writes. */
	if (level == SMB2_OPLOCK_LEVEL_II)
		o->opl_report = 1;
	o->oplock = level;
	o->opl_breaking = ack;
	/* Nothing to flush: the file lease follows now. */
	if (!ack)
		klease_sync(o);
	if (S.conn == NULL)
		return;
	smb2_open_fileid(o, id);
	wbuf_init_fixed(&w, mem, sizeof(mem));
	smb2_oplock_break_body(&w, level, id);
	if (log_getverbose() >= 2)
		log_debug("%s: oplock break of %s to %s%s", S.conn->peer,
		    o->path, level == SMB2_OPLOCK_LEVEL_II ? "Level II" :
		    "none", ack ? ", acknowledgment awaited" : "");
	smb2_conn_notify(S.conn, o->sess, o->tree, SMB2_OPLOCK_BREAK,
	    wbuf_data(&w), wbuf_len(&w));
}

static void
oplock_ack_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct oplock_ack_wait *aw = arg;
	struct smb2_conn *c = aw->c;
	struct smb2_open *o;
	struct smb2_req *req;
	uint8_t level = 0;

	rbuf_get_u8(r, &level);
	/* A lease is not acknowledged as an oplock: it stays as it is. */
	if ((o = smb2_open_find_lockd(aw->handle)) != NULL &&
	    o->oplock != SMB2_OPLOCK_LEVEL_LEASE) {
		o->oplock = status == NT_STATUS_SUCCESS ? level : 0;
		o->opl_breaking = 0;
		if (o->oplock == SMB2_OPLOCK_LEVEL_II)
			o->opl_report = 1;
		/* The client flushed: a local opener may go on. */
		klease_sync(o);
	}
	if (c->waiting && c->work != NULL) {
		req = &c->work->req;
		/* Its open closed while lockd was asked. */
		if (status == LOCKD_STATUS_INVALID_HANDLE)
			status = NT_STATUS_FILE_CLOSED;
		req->status = status;
		if (status == NT_STATUS_SUCCESS)
			smb2_oplock_break_body(req->out, level, aw->file_id);
		smb2_conn_resume(c);
	}
	free(aw);
}

static void
lease_ack_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct oplock_ack_wait *aw = arg;
	struct smb2_conn *c = aw->c;
	struct smb2_req *req;
	uint8_t state = 0;

	rbuf_get_u8(r, &state);
	if (status == NT_STATUS_SUCCESS && !rbuf_error(r))
		smb2_lease_state_set(aw->file_id, state & SMB2_LEASE_STATES, 0);
	if (c->waiting && c->work != NULL) {
		req = &c->work->req;
		req->status = status;
		if (status == NT_STATUS_SUCCESS)
			smb2_lease_ack_body(req->out, aw->file_id, state);
		smb2_conn_resume(c);
	}
	free(aw);
}

/*
 * A Lease Break Acknowledgment (MS-SMB2 3.3.5.22.2).  lockd finds the
 * lease by this connection's ClientGuid, the key and the worker's uid,
 * and answers NOT_FOUND, UNSUCCESSFUL (no break out) or
 * REQUEST_NOT_ACCEPTED (not a state the break offered).
 */
static uint32_t
lease_ack(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_lease_ack a;
	struct oplock_ack_wait *aw;
	struct wbuf w;
	uint8_t body[33];

	if (smb2_lease_ack_parse(&req->body, &a) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if (!(c->nres.server_capabilities & SMB2_GLOBAL_CAP_LEASING))
		return NT_STATUS_INVALID_PARAMETER;
	/* No break offers more than R, H and W. */
	if (a.state & ~SMB2_LEASE_STATES)
		return NT_STATUS_REQUEST_NOT_ACCEPTED;
	wbuf_init_fixed(&w, body, sizeof(body));
	wbuf_put_bytes(&w, c->nres.client_guid, 16);
	wbuf_put_bytes(&w, a.key, 16);
	wbuf_put_u8(&w, (uint8_t)a.state);
	aw = xcalloc(1, sizeof(*aw));
	aw->c = c;
	/* The lease key stands where an oplock's FileId would. */
	memcpy(aw->file_id, a.key, 16);
	if (wbuf_error(&w) || lockd_client_request(LOCKD_OP_LEASE_ACK,
	    wbuf_data(&w), wbuf_len(&w), lease_ack_reply, aw) == -1) {
		free(aw);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	c->waiting = 1;
	return SMB2_DEFER;
}

/*
 * OPLOCK_BREAK from the client: an acknowledgment (MS-SMB2 3.3.5.22.1).
 * The worker finds the open in its session and tree; lockd, which alone
 * knows whether a break is out, decides the rest.  StructureSize 36 is
 * a lease's (3.3.5.22.2).
 */
uint32_t
smb2_cmd_oplock_break(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_oplock_ack a;
	struct oplock_ack_wait *aw;
	struct smb2_open *o;
	struct rbuf peek = req->body;
	uint16_t ssize = 0;
	uint8_t body[9];
	int i;

	rbuf_get_u16le(&peek, &ssize);
	if (ssize == SMB2_LEASE_ACK_LEN)
		return lease_ack(c, req);
	if (smb2_oplock_ack_parse(&req->body, &a) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, a.file_id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	/* A pipe or a directory never has an oplock. */
	if (o->lockd_handle == 0)
		return NT_STATUS_INVALID_OPLOCK_PROTOCOL;
	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(o->lockd_handle >> (8 * i));
	body[8] = a.level;
	aw = xcalloc(1, sizeof(*aw));
	aw->c = c;
	aw->handle = o->lockd_handle;
	memcpy(aw->file_id, a.file_id, 16);
	if (lockd_client_request(LOCKD_OP_OPLOCK_ACK, body, sizeof(body),
	    oplock_ack_reply, aw) == -1) {
		free(aw);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	c->waiting = 1;
	return SMB2_DEFER;
}

static void
oplock_wrote_reply(uint32_t status, struct rbuf *r, void *arg)
{
	uint64_t *handle = arg;
	struct smb2_open *o;
	uint32_t cached = 1;

	rbuf_get_u32le(r, &cached);
	/*
	 * Nobody caches the file any more: stop reporting until lockd says
	 * otherwise (a later IPC_LOCKD_BREAK comes after this reply).
	 */
	if (status == LOCKD_STATUS_OK && cached == 0 &&
	    (o = smb2_open_find_lockd(*handle)) != NULL &&
	    o->oplock != SMB2_OPLOCK_LEVEL_II)
		o->opl_report = 0;
	free(handle);
}

void
smb2_oplock_wrote(struct smb2_open *o)
{
	uint64_t *handle;
	uint8_t body[8];
	int i;

	/* Its directory's leases break when it closes (lease.v2_request). */
	o->changed = 1;
	if (!o->opl_report || o->lockd_handle == 0)
		return;
	/* The writer's own Level II is broken too (smb2.oplock.batch6). */
	if (o->oplock == SMB2_OPLOCK_LEVEL_II)
		o->oplock = SMB2_OPLOCK_LEVEL_NONE;
	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(o->lockd_handle >> (8 * i));
	handle = xmalloc(sizeof(*handle));
	*handle = o->lockd_handle;
	if (lockd_client_request(LOCKD_OP_WROTE, body, sizeof(body),
	    oplock_wrote_reply, handle) == -1)
		free(handle);
}

static void
oplock_ignore_reply(uint32_t status, struct rbuf *r, void *arg)
{
}

/* Ask lockd to give up the waiting request; its reply answers it. */
static int
oplock_wait_cancel_lockd(struct oplock_wait *w)
{
	uint8_t body[8];
	int i;

	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(w->reqid >> (8 * i));
	return lockd_client_request(LOCKD_OP_OPEN_CANCEL, body, sizeof(body),
	    oplock_ignore_reply, NULL);
}

/*
 * A CANCEL: lockd answers CANCELLED (or its answer, if the CANCEL came
 * late).  The end of the session answers now and drops lockd's answer.
 */
static void
oplock_wait_cancel(struct smb2_conn *c, struct smb2_async *a)
{
	struct oplock_wait *w = a->arg;

	if (c->cancel_status == 0 && oplock_wait_cancel_lockd(w) == 0)
		return;
	if (c->cancel_status != 0)
		(void)oplock_wait_cancel_lockd(w);
	w->a = NULL;
	w->orphan = 1;
	smb2_async_complete(c, a, NT_STATUS_CANCELLED, NULL, 0);
}

static void
oplock_wait_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct oplock_wait *w = arg;
	struct smb2_conn *c = w->c;
	struct smb2_req *req;
	struct wbuf out;

	(void)r;
	if (status == LOCKD_STATUS_PENDING) {
		/*
		 * The holders are asked to give up caching: go async, so
		 * that the connection serves other requests meanwhile (the
		 * acknowledgment may come on it).  A request that is not the
		 * last of its chain, or past "max async requests", waits.
		 */
		if (w->a != NULL || w->orphan || !c->waiting ||
		    c->work == NULL || c->work->off < c->work->framelen ||
		    smb2_async_full(c))
			return;
		req = &c->work->req;
		w->a = smb2_async_new(c, req, oplock_wait_cancel, w);
		req->status = NT_STATUS_PENDING;
		req->no_sign = 1;
		wbuf_reset(req->out);
		smb2_error_body(req->out);
		req->error_data = 1;
		smb2_conn_resume(c);
		return;
	}
	if (w->orphan) {
		(void)w->done(status, w->arg, NULL);
	} else if (w->a != NULL) {
		wbuf_init(&out, 64);
		status = w->done(status, w->arg, &out);
		if (log_getverbose() >= 3)
			log_debug("%s: waiting request ends: %s", c->peer,
			    ntstatus_name(status));
		smb2_async_complete(c, w->a, status,
		    status == NT_STATUS_SUCCESS ? wbuf_data(&out) : NULL,
		    status == NT_STATUS_SUCCESS ? wbuf_len(&out) : 0);
		wbuf_free(&out);
	} else {
		req = &c->work->req;
		status = w->done(status, w->arg, req->out);
		if (status != SMB2_DEFER) {
			req->status = status;
			smb2_conn_resume(c);
		}
	}
	free(w);
}

int
smb2_oplock_request(struct smb2_conn *c, uint32_t op, const void *body,
    size_t len, smb2_oplock_done done, void *arg)
{
	struct oplock_wait *w;

	w = xcalloc(1, sizeof(*w));
	w->c = c;
	w->done = done;
	w->arg = arg;
	if (lockd_client_request_id(op, body, len, oplock_wait_reply, w,
	    &w->reqid) == -1) {
		free(w);
		return -1;
	}
	c->waiting = 1;
	return 0;
}

void
smb2_oplock_dirleases(int on)
{
	dirleases = on;
}

/*
 * A child of a directory was created, renamed, deleted or changed: the
 * directory's leases break, but the one named by parent_key, the
 * changing open's ParentLeaseKey (NULL: none), from this client.  path
 * is the child's, below the share root rootfd.  lockd is told with a
 * descriptor of the directory; nobody waits for the answer.
 */
void
smb2_oplock_dir_changed(int rootfd, const char *path,
    const uint8_t *parent_key)
{
	static const uint8_t zero[16];
	struct vfs_share sh = { .rootfd = rootfd };
	uint8_t mem[LOCKD_DIR_CHANGED_LEN];
	struct wbuf w;
	const char *slash;
	char *dir;
	int fd;

	if (!dirleases || rootfd == -1 || path == NULL || *path == '\0' ||
	    S.conn == NULL)
		return;
	slash = strrchr(path, '/');
	dir = xstrndup(path, slash != NULL ? (size_t)(slash - path) : 0);
	fd = vfs_open(&sh, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	free(dir);
	if (fd == -1)
		return;
	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u8(&w, parent_key != NULL);
	wbuf_put_bytes(&w, S.conn->nres.client_guid, 16);
	wbuf_put_bytes(&w, parent_key != NULL ? parent_key : zero, 16);
	(void)lockd_client_request_fd(LOCKD_OP_DIR_CHANGED, wbuf_data(&w),
	    wbuf_len(&w), fd, oplock_ignore_reply, NULL);
	close(fd);
}

/* The ParentLeaseKey an open named, if it has a v2 lease with one. */
const uint8_t *
smb2_oplock_parent_key(const struct smb2_open *o)
{
	if (o->oplock != SMB2_OPLOCK_LEVEL_LEASE || o->lease.version != 2 ||
	    !(o->lease.flags & SMB2_LEASE_FLAG_PARENT_KEY_SET))
		return NULL;
	return o->lease.parent;
}

void
smb2_oplock_init(void)
{
	lockd_client_set_break(oplock_break_msg);
}
