/*
 * Durable handle reconnects (MS-SMB2 3.3.5.9.7 DHnC, 3.3.5.9.12 DH2C;
 * doc/durable.md).  The open outlived its worker in usmbd-lockd; this
 * worker asks lockd for it (LOCKD_OP_DURABLE_FIND: lockd answers only
 * for an open of this worker's user), reopens its file by the path
 * lockd kept, below the share root and as the user, with the access
 * the open was granted, and hands lockd the descriptor
 * (LOCKD_OP_DURABLE_RECLAIM): lockd checks that it is the open's file
 * and makes the open this worker's, with its share modes, locks and
 * lease or oplock as they were.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "ipc.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "log.h"
#include "ntstatus.h"
#include "oplock_wire.h"
#include "session.h"
#include "session_ident.h"
#include "smb2.h"
#include "smb2_cctx.h"
#include "smb2_close.h"
#include "smb2_conn.h"
#include "smb2_create.h"
#include "smb2_file.h"
#include "smb2_meta.h"
#include "smb2_stream.h"
#include "smb2_tree.h"
#include "usmbd.h"
#include "util.h"
#include "vfs.h"

/* A reconnect between its two questions to lockd. */
struct dh_wait {
	struct smb2_conn	*c;
	uint8_t			 key[LOCKD_DURABLE_KEY_LEN];
	int			 version;
	struct smb2_lease_req	 lease;		/* as the request names it */
	char			*name;		/* the CREATE's, with '/' */
	int			 fd;
	struct stat		 st;
	char			*path;
	char			*stream;	/* NULL: the data stream */
	uint32_t		 access;
	uint32_t		 share;
	uint32_t		 flags;		/* LOCKD_OPEN_* */
	uint32_t		 create_options;
	uint64_t		 alloc;		/* AlSi at the open */
	uint64_t		 position;
};

static void
dh_free(struct dh_wait *dw)
{
	if (dw->fd != -1)
		close(dw->fd);
	free(dw->path);
	free(dw->stream);
	free(dw->name);
	free(dw);
}

/*
 * Does the CREATE name the open's file?  The name is ignored for an
 * oplock, but a lease is of a file name (MS-SMB2 3.3.5.9.7: a lease
 * reconnect with another name is INVALID_PARAMETER, smbtorture
 * smb2.durable-open.reopen2-lease); case is not looked at, since the
 * path kept is the name on disk.
 */
static int
dh_name_matches(const struct dh_wait *dw)
{
	size_t len = strcspn(dw->name, ":");

	return strlen(dw->path) == len &&
	    strncasecmp(dw->name, dw->path, len) == 0;
}

/* The CREATE ends with status; out holds the body when it succeeded. */
static void
dh_finish(struct dh_wait *dw, uint32_t status)
{
	struct smb2_conn *c = dw->c;

	if (log_getverbose() >= 3)
		log_debug("%s: durable reconnect: %s", c->peer,
		    ntstatus_name(status));
	c->work->req.status = status;
	dh_free(dw);
	smb2_conn_resume(c);
}

/* A u16-counted name of lockd's answer, as a string. */
static char *
dh_get_name(struct rbuf *r)
{
	const uint8_t *p;
	uint16_t len = 0;
	char *s;

	rbuf_get_u16le(r, &len);
	if (rbuf_error(r) || rbuf_get_ptr(r, &p, len) == -1 ||
	    memchr(p, '\0', len) != NULL)
		return NULL;
	s = xmalloc((size_t)len + 1);
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/*
 * The open flags for the access the open was granted, as CREATE opened
 * it: a named stream lives in its file's xattrs, read through a
 * read-only descriptor.
 */
static int
dh_oflags(const struct dh_wait *dw)
{
	int oflags;

	if (dw->stream != NULL)
		return O_RDONLY | O_NONBLOCK;
	if (dw->access & (FILE_WRITE_DATA | FILE_APPEND_DATA))
		oflags = O_RDWR;
	else
		oflags = O_RDONLY;
	if (dw->create_options & FILE_WRITE_THROUGH)
		oflags |= O_DSYNC;
	return oflags;
}

static uint32_t
dh_reopen(struct dh_wait *dw, struct smb2_tree *t)
{
	struct vfs_share vs;
	int oflags = dh_oflags(dw);

	/*
	 * As whom the tree's share acts (force user): lockd's answer may
	 * come after other work switched the identity.
	 */
	session_ident_tree(t);
	memset(&vs, 0, sizeof(vs));
	vs.rootfd = t->ss->rootfd;
	vs.cfg = t->ss->share;
	vs.case_sensitive = t->ss->share->case_sensitive ==
	    CASE_SENSITIVE_YES;
	dw->fd = vfs_open(&vs, dw->path, oflags, 0);
	/* Write-only, as CREATE grants it to whom may not read. */
	if (dw->fd == -1 && errno == EACCES && (oflags & O_ACCMODE) == O_RDWR &&
	    !(dw->access & (FILE_READ_DATA | FILE_EXECUTE)))
		dw->fd = vfs_open(&vs, dw->path,
		    (oflags & ~O_ACCMODE) | O_WRONLY, 0);
	/* Attributes only: a path descriptor, as CREATE falls back to. */
	if (dw->fd == -1 && errno == EACCES && (oflags & O_ACCMODE) ==
	    O_RDONLY && !(dw->access & (FILE_READ_DATA | FILE_EXECUTE)))
		dw->fd = vfs_open(&vs, dw->path, O_PATH, 0);
	if (dw->fd == -1)
		return errno == ENOENT || errno == ENOTDIR ?
		    NT_STATUS_OBJECT_NAME_NOT_FOUND :
		    ntstatus_from_errno(errno);
	if (fstat(dw->fd, &dw->st) == -1)
		return ntstatus_from_errno(errno);
	/* Durable opens are of files; a directory there is another file. */
	if (S_ISDIR(dw->st.st_mode))
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	return NT_STATUS_SUCCESS;
}

static void	dh_reclaim_reply(uint32_t, struct rbuf *, void *);

/*
 * lockd's answer to FIND: the open's record.  The file is reopened
 * below the root of this request's tree, which must be of the share the
 * open was made in (another share may hold the same path and file).
 */
static void
dh_find_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct dh_wait *dw = arg;
	struct smb2_tree *t = dw->c->work->req.tree;
	char *share = NULL;

	if (status != NT_STATUS_SUCCESS) {
		dh_finish(dw, status);
		return;
	}
	rbuf_get_u32le(r, &dw->access);
	rbuf_get_u32le(r, &dw->share);
	rbuf_get_u32le(r, &dw->flags);
	rbuf_get_u32le(r, &dw->create_options);
	if (rbuf_error(r) || (share = dh_get_name(r)) == NULL ||
	    (dw->path = dh_get_name(r)) == NULL ||
	    (dw->stream = dh_get_name(r)) == NULL) {
		free(share);
		dh_finish(dw, NT_STATUS_INTERNAL_ERROR);
		return;
	}
	rbuf_get_u64le(r, &dw->alloc);
	rbuf_get_u64le(r, &dw->position);
	if (rbuf_error(r)) {
		free(share);
		dh_finish(dw, NT_STATUS_INTERNAL_ERROR);
		return;
	}
	if (dw->stream[0] == '\0') {
		free(dw->stream);
		dw->stream = NULL;
	}
	if (strcasecmp(share, t->ss->share->name) != 0 ||
	    (dw->flags & LOCKD_OPEN_DIRECTORY)) {
		free(share);
		dh_finish(dw, NT_STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	free(share);
	if (dw->lease.version != 0 && !(dw->flags &
	    LOCKD_OPEN_DELETE_ON_CLOSE) && !dh_name_matches(dw)) {
		dh_finish(dw, NT_STATUS_INVALID_PARAMETER);
		return;
	}
	if ((status = dh_reopen(dw, t)) != NT_STATUS_SUCCESS) {
		dh_finish(dw, status);
		return;
	}
	if (lockd_client_request_fd(LOCKD_OP_DURABLE_RECLAIM, dw->key,
	    sizeof(dw->key), dw->fd, dh_reclaim_reply, dw) == -1)
		dh_finish(dw, NT_STATUS_INSUFFICIENT_RESOURCES);
}

/* The open as lockd kept it becomes an open of this worker. */
static struct smb2_open *
dh_open_new(struct dh_wait *dw, uint64_t handle, uint32_t oflags,
    const uint8_t *g)
{
	struct smb2_conn *c = dw->c;
	struct smb2_req *req = &c->work->req;
	struct smb2_open *o;
	uint8_t level = g[0];

	o = smb2_open_new(c, req);
	o->persistent_id = handle | LOCKD_DURABLE_ID_BIT;
	o->fd = dw->fd;
	dw->fd = -1;
	o->path = dw->path;
	dw->path = NULL;
	o->stream = dw->stream;
	dw->stream = NULL;
	o->st = dw->st;
	if (o->stream != NULL)
		smb2_stream_stat(o, &o->st);
	o->access = dw->access;
	o->share_access = dw->share;
	o->create_options = dw->create_options;
	o->delete_on_close = (dw->flags & LOCKD_OPEN_DELETE_ON_CLOSE) != 0;
	o->file_attributes = smb2_file_attributes(req->tree, o->path, &o->st);
	o->lockd_handle = handle;
	o->brl = (oflags & LOCKD_OPENED_BRL) != 0;
	o->durable = dw->version;
	o->position = dw->position;
	/* The allocation reserved beyond the end of file stays reported. */
	if (o->stream == NULL && dw->alloc > (uint64_t)o->st.st_size)
		o->alloc_reserved = dw->alloc;
	o->oplock = level;
	if (level == SMB2_OPLOCK_LEVEL_LEASE) {
		struct rbuf gb;
		uint16_t epoch = 0;
		uint32_t flags = 0;

		/* The grant's u16 epoch at 3 and u32 flags at 5. */
		rbuf_init(&gb, g, 9);
		rbuf_peek_u16le(&gb, 3, &epoch);
		rbuf_peek_u32le(&gb, 5, &flags);
		o->lease = dw->lease;
		o->lease.state = g[1];
		o->lease.version = g[2];
		o->lease.epoch = g[2] == 2 ? epoch : 0;
		o->lease.flags = flags & ~SMB2_LEASE_FLAG_PARENT_KEY_SET;
	}
	o->opl_report = (oflags & LOCKD_OPENED_CACHED) != 0 ||
	    level == SMB2_OPLOCK_LEVEL_II;
	return o;
}

static void
dh_reclaim_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct dh_wait *dw = arg;
	struct smb2_conn *c = dw->c;
	struct smb2_open *o;
	uint64_t handle = 0;
	uint32_t oflags = 0;
	uint8_t g[9];

	rbuf_get_u64le(r, &handle);
	rbuf_get_u32le(r, &oflags);
	rbuf_get_bytes(r, g, sizeof(g));
	if (status == NT_STATUS_SUCCESS && rbuf_error(r))
		status = NT_STATUS_INTERNAL_ERROR;
	if (status != NT_STATUS_SUCCESS) {
		dh_finish(dw, status);
		return;
	}
	o = dh_open_new(dw, handle, oflags, g);
	smb2_create_response(c->work->req.out, o, FILE_OPENED, 0, 0);
	log_info("%s: durable open of %s reclaimed", c->peer, o->path);
	dh_finish(dw, NT_STATUS_SUCCESS);
}

uint32_t
smb2_durable_reconnect(struct smb2_conn *c, struct smb2_req *req,
    const struct smb2_cctx *cc, const struct smb2_lease_req *lease,
    const char *name)
{
	char *p;
	struct smb2_tree *t = req->tree;
	struct dh_wait *dw;
	struct wbuf w;
	int v2 = (cc->seen & SMB2_CCTX_DH2C) != 0;

	/* MS-SMB2 3.3.5.9.7, .10, .12: no mixing of v1 and v2. */
	if ((cc->seen & SMB2_CCTX_DHNC) && (cc->seen & (SMB2_CCTX_DH2Q |
	    SMB2_CCTX_DH2C)))
		return NT_STATUS_INVALID_PARAMETER;
	if (v2 && (cc->seen & (SMB2_CCTX_DHNQ | SMB2_CCTX_DH2Q)))
		return NT_STATUS_INVALID_PARAMETER;
	/* No open to find: not a durable FileId, or no durable share. */
	if (t->ipc || !t->ss->share->durable_handles ||
	    !(cc->dhc_persistent & LOCKD_DURABLE_ID_BIT) ||
	    (v2 && c->nres.dialect < SMB2_DIALECT_300))
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	dw = xcalloc(1, sizeof(*dw));
	dw->c = c;
	dw->fd = -1;
	dw->version = v2 ? 2 : 1;
	if (lease != NULL)
		dw->lease = *lease;
	dw->name = xstrdup(name != NULL ? name : "");
	for (p = dw->name; *p != '\0'; p++)
		if (*p == '\\')
			*p = '/';
	wbuf_init_fixed(&w, dw->key, sizeof(dw->key));
	wbuf_put_u64le(&w, cc->dhc_persistent & ~LOCKD_DURABLE_ID_BIT);
	wbuf_put_u8(&w, (uint8_t)dw->version);
	wbuf_put_u8(&w, lease != NULL && lease->version != 0);
	wbuf_put_u16le(&w, 0);
	wbuf_put_bytes(&w, cc->dh2c_guid, 16);
	wbuf_put_bytes(&w, c->nres.client_guid, 16);
	if (lease != NULL && lease->version != 0)
		wbuf_put_bytes(&w, lease->key, 16);
	else
		wbuf_put_zero(&w, 16);
	if (wbuf_error(&w) || lockd_client_request(LOCKD_OP_DURABLE_FIND,
	    dw->key, sizeof(dw->key), dh_find_reply, dw) == -1) {
		dh_free(dw);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	c->waiting = 1;
	return SMB2_DEFER;
}

/*
 * Detaches lockd has not answered yet: the end of an old session for
 * a PreviousSessionId is answered only once lockd parked its opens, so
 * that the new session's reconnect finds them.
 */
static unsigned int	 dh_detaching;
static int		 dh_end_due;	/* an answer waits for them */
static void		 dh_end_answer(void);

static void
dh_detach_reply(uint32_t status, struct rbuf *r, void *arg)
{
	if (status != NT_STATUS_SUCCESS)
		log_debug("durable open not kept at logoff: %s",
		    ntstatus_name(status));
	if (dh_detaching > 0 && --dh_detaching == 0 && dh_end_due)
		dh_end_answer();
}

int
smb2_durable_detach(struct smb2_open *o)
{
	uint8_t body[8];
	uint64_t h = o->lockd_handle;
	int i;

	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(h >> (8 * i));
	if (lockd_client_request(LOCKD_OP_DURABLE_DETACH, body, sizeof(body),
	    dh_detach_reply, NULL) == -1)
		return -1;
	dh_detaching++;
	smb2_open_free(NULL, o);
	return 0;
}

static void
dh_position_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct smb2_conn *c = arg;

	/* The position is set here whatever lockd says; it only keeps it. */
	if (status != NT_STATUS_SUCCESS)
		log_debug("%s: durable position not kept: %s", c->peer,
		    ntstatus_name(status));
	/* The SET_INFO response body (MS-SMB2 2.2.40). */
	c->work->req.status = NT_STATUS_SUCCESS;
	wbuf_reset(c->work->req.out);
	wbuf_put_u16le(c->work->req.out, 2);
	smb2_conn_resume(c);
}

uint32_t
smb2_durable_position(struct smb2_conn *c, struct smb2_open *o)
{
	uint8_t body[16];
	int i;

	for (i = 0; i < 8; i++) {
		body[i] = (uint8_t)(o->lockd_handle >> (8 * i));
		body[8 + i] = (uint8_t)(o->position >> (8 * i));
	}
	if (lockd_client_request(LOCKD_OP_DURABLE_POSITION, body,
	    sizeof(body), dh_position_reply, c) == -1)
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	c->waiting = 1;
	return SMB2_DEFER;
}

/*
 * PreviousSessionId (MS-SMB2 3.3.5.5.3).  A new session that names an
 * old one asks the master, which tells every other worker of the same
 * uid (from its own table) to end that session if it has it
 * (IPC_SESSION_END), and answers once they all did.  A worker ends the
 * session as a LOGOFF does: its durable opens are parked in lockd, to
 * be reclaimed at once by the new session, and its client's next
 * request on it gets USER_SESSION_DELETED.
 */
#define DH_END_STEP_MS		10
#define DH_END_TRIES		50
#define DH_PREV_TIMEOUT_MS	5000

static struct event	*dh_end_timer;
static uint64_t		 dh_end_id;
static uint32_t		 dh_end_found;
static int		 dh_end_pending;
static int		 dh_end_tries;

static void
dh_end_answer(void)
{
	uint8_t body[12];
	int i;

	dh_end_due = 0;
	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(dh_end_id >> (8 * i));
	for (i = 0; i < 4; i++)
		body[8 + i] = (uint8_t)(dh_end_found >> (8 * i));
	if (ipc_send(USMBD_FD_MASTER, IPC_SESSION_END_REPLY, 0, -1, body,
	    sizeof(body)) == -1)
		log_warn("cannot answer the master's end of a session");
}

/* End the session if this worker has it; answer when lockd has parked. */
static void
dh_end_run(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, DH_END_STEP_MS * 1000 };
	struct smb2_conn *c = S.conn;
	struct smb2_session *s;

	if (!dh_end_pending)
		return;
	s = c != NULL ? smb2_session_find(c, dh_end_id) : NULL;
	dh_end_found = 0;
	if (s != NULL && !s->logged_off) {
		/* A request in progress may use the session: wait a little. */
		if (c->waiting && ++dh_end_tries < DH_END_TRIES) {
			evtimer_add(dh_end_timer, &tv);
			return;
		}
		log_info("%s: session 0x%llx ended: a new session of its user "
		    "named it as its previous one", c->peer,
		    (unsigned long long)s->id);
		if (c->waiting)
			s->logged_off = 1;
		else
			smb2_session_free(c, s);
		dh_end_found = 1;
	}
	dh_end_pending = 0;
	if (dh_detaching == 0)
		dh_end_answer();
	else
		dh_end_due = 1;
}

void
smb2_durable_end_question(const struct ipc_msg *m)
{
	struct timeval tv = { 0, 0 };
	struct rbuf r;

	rbuf_init(&r, m->data, m->hdr.len);
	if (dh_end_pending || dh_end_due ||
	    rbuf_get_u64le(&r, &dh_end_id) == -1) {
		log_warnx("the master's end of a session out of turn");
		return;
	}
	dh_end_pending = 1;
	dh_end_tries = 0;
	/* Never from inside a request (a name lookup reads it too). */
	evtimer_add(dh_end_timer, &tv);
}

static int
dh_previous_ask(uint64_t prev)
{
	uint8_t body[8];
	int i;

	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(prev >> (8 * i));
	if (ipc_send(USMBD_FD_MASTER, IPC_SESSION_PREVIOUS, 0, -1, body,
	    sizeof(body)) == -1) {
		log_warn("cannot ask the master to end a previous session");
		return -1;
	}
	return 0;
}

/*
 * A session set up on this running worker: asked, not waited for (the
 * master's IPC_SESSION_PREVIOUS_DONE is read and dropped).
 */
static void
dh_previous_running(struct smb2_conn *c, struct smb2_session *s)
{
	(void)dh_previous_ask(s->prev_id);
	s->prev_id = 0;
}

/*
 * The session the preauth process set up: the old one ends before this
 * worker reads its client's first request, so that the client that goes
 * on to reconnect its durable opens finds them parked, and one that uses
 * the old session gets USER_SESSION_DELETED.
 */
void
smb2_durable_previous_init(struct smb2_conn *c)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	static struct ipc_peer master = { &ipc_rules_session,
	    IPC_FROM(PROG_MASTER), IPC_PH_RUN };
	struct pollfd pfd = { USMBD_FD_MASTER, POLLIN, 0 };
	struct smb2_session *s;
	struct ipc_msg m;
	uint64_t prev = 0, deadline;
	int rv;

	dh_end_timer = evtimer_new(S.base, dh_end_run, NULL);
	if (dh_end_timer == NULL)
		fatalx("session end timer");
	smb2_sesssetup_previous = dh_previous_running;
	TAILQ_FOREACH(s, &c->sessions, entry)
		if (s->prev_id != 0) {
			prev = s->prev_id;
			s->prev_id = 0;
		}
	if (prev == 0 || dh_previous_ask(prev) == -1)
		return;
	deadline = time_mono_ms() + DH_PREV_TIMEOUT_MS;
	for (;;) {
		uint64_t now = time_mono_ms();

		if (now >= deadline)
			break;
		rv = poll(&pfd, 1, (int)(deadline - now));
		if (rv == -1 && errno == EINTR)
			continue;
		if (rv != 1 || ipc_recv(USMBD_FD_MASTER, &m, buf,
		    sizeof(buf)) != 1 || ipc_check(&master, &m) == -1)
			break;
		if (m.hdr.type == IPC_SESSION_PREVIOUS_DONE)
			return;
		if (m.hdr.type == IPC_SESSION_END) {
			/* Nothing runs yet: answered now, or two wait. */
			smb2_durable_end_question(&m);
			dh_end_run(-1, 0, NULL);
		} else
			session_master_msg(&m);
	}
	log_warnx("%s: the master did not say whether the previous session "
	    "ended", c->peer);
}

/*
 * AppInstanceId (MS-SMB2 3.3.5.9.13): lockd names an open of this
 * worker that an open of another client with the same AppInstanceId
 * replaces.  It is closed as a CLOSE would, without a word to its
 * client (whose later use of it gets FILE_CLOSED), from the event loop
 * once no request of the connection is in progress (one may use it);
 * lockd waits for the close, and stops waiting after 5 seconds.
 */
#define DH_APP_MAX	16

static struct event	*dh_app_timer;
static uint64_t		 dh_app_handles[DH_APP_MAX];
static size_t		 dh_app_n;
static int		 dh_app_tries;

static void
dh_app_run(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, DH_END_STEP_MS * 1000 };
	struct smb2_open *o;
	size_t i;

	if (S.conn != NULL && S.conn->waiting && ++dh_app_tries <
	    DH_END_TRIES) {
		evtimer_add(dh_app_timer, &tv);
		return;
	}
	for (i = 0; i < dh_app_n; i++) {
		if ((o = smb2_open_find_lockd(dh_app_handles[i])) == NULL)
			continue;
		if (S.conn != NULL && S.conn->waiting) {
			log_warnx("%s: %s not closed for the open of another "
			    "client with its AppInstanceId: a request is in "
			    "progress", S.peer, o->path);
			continue;
		}
		log_info("%s: %s closed: an open of another client with its "
		    "AppInstanceId replaces it", S.peer,
		    o->path[0] == '\0' ? "the root" : o->path);
		(void)smb2_close_open(NULL, o);
	}
	dh_app_n = 0;
}

void
smb2_durable_app_close(uint64_t handle)
{
	struct timeval tv = { 0, 0 };

	if (dh_app_timer == NULL &&
	    (dh_app_timer = evtimer_new(S.base, dh_app_run, NULL)) == NULL) {
		log_warnx("AppInstanceId close: no timer");
		return;
	}
	if (dh_app_n >= DH_APP_MAX)
		return;
	dh_app_handles[dh_app_n++] = handle;
	if (dh_app_n == 1) {
		dh_app_tries = 0;
		evtimer_add(dh_app_timer, &tv);
	}
}

/*
 * Replay of a CREATE (MS-SMB2 3.3.5.9.10): a client that lost the
 * answer to a CREATE with DH2Q sends it again with
 * SMB2_FLAGS_REPLAY_OPERATION, and gets the open its CreateGuid made,
 * answered as it was then, instead of a second open.  Only the opens of
 * the request's session on this connection are looked at: a replay on
 * another channel would need multichannel, which is not offered.
 */
void
smb2_durable_granted(struct smb2_open *o, const uint8_t *guid,
    uint32_t action, uint32_t cctx, uint32_t maximal)
{
	if (o->durable != 2)
		return;
	memcpy(o->create_guid, guid, 16);
	o->create_action = action;
	o->create_cctx = cctx;
	o->create_maximal = maximal;
}

struct dh_replay_walk {
	const struct smb2_session	*sess;
	const uint8_t			*guid;
	struct smb2_open		*found;
};

static void
dh_replay_one(struct smb2_open *o, void *arg)
{
	struct dh_replay_walk *rw = arg;

	if (rw->found == NULL && o->durable == 2 && o->sess == rw->sess &&
	    memcmp(o->create_guid, rw->guid, 16) == 0)
		rw->found = o;
}

int
smb2_durable_replay(struct smb2_conn *c, struct smb2_req *req,
    const struct smb2_cctx *cc)
{
	static const uint8_t zero[16];
	struct dh_replay_walk rw;

	if (!(req->hdr.flags & SMB2_FLAGS_REPLAY_OPERATION) ||
	    !(cc->seen & SMB2_CCTX_DH2Q) ||
	    memcmp(cc->dh2q_guid, zero, 16) == 0)
		return 0;
	rw.sess = req->sess;
	rw.guid = cc->dh2q_guid;
	rw.found = NULL;
	smb2_open_foreach(dh_replay_one, &rw);
	if (rw.found == NULL)
		return 0;
	log_debug("%s: a replayed CREATE of %s answered with its open",
	    c->peer, rw.found->path);
	smb2_create_response(req->out, rw.found, rw.found->create_action,
	    rw.found->create_cctx, rw.found->create_maximal);
	return 1;
}
