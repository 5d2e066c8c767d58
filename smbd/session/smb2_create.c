/*
 * CREATE (MS-SMB2 2.2.13, 2.2.14, 3.3.5.9; MS-FSA 2.1.5.1 for what
 * opening a file means).  CLOSE is in smb2_close.c.
 *
 * The kernel decides access, since the worker is the user; usmbd-lockd
 * decides share modes and delete-pending for every worker at once.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "log.h"
#include "ntstatus.h"
#include "session.h"
#include "smb2.h"
#include "smb2_cctx.h"
#include "smb2_access.h"
#include "smb2_close.h"
#include "smb2_conn.h"
#include "smb2_oplock.h"
#include "smb2_create.h"
#include "smb2_file.h"
#include "smb2_info.h"
#include "smb2_meta.h"
#include "oplock_wire.h"
#include "smb2_klease.h"
#include "meta.h"
#include "smb2_pipe.h"
#include "smb2_stream.h"
#include "smb2_tree.h"
#include "smb2_wtime.h"
#include "unicode.h"
#include "util.h"
#include "vfs.h"

#define FILE_CREATE_TREE_CONNECTION	0x00000080
#define FILE_OPEN_BY_FILE_ID	0x00002000
#define FILE_RESERVE_OPFILTER	0x00100000
#define FILE_OPEN_REPARSE_POINT	0x00200000
/* Options Windows refuses as not supported, and the reserved ones. */
#define CREATE_OPTIONS_UNSUPPORTED	(FILE_CREATE_TREE_CONNECTION | \
	FILE_OPEN_BY_FILE_ID | FILE_RESERVE_OPFILTER)
#define CREATE_OPTIONS_RESERVED	0xff000000U
/* Attributes a CREATE may not ask for: VOLUME, DEVICE, bit 15, above. */
#define CREATE_ATTRS_INVALID	0xffff8048U

/* The rights that change a file or stream (refused on a read-only share). */
#define CREATE_WRITING		(FILE_WRITE_DATA | FILE_APPEND_DATA | \
	DELETE | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA)

/* What CREATE checks against the maximal access of an existing file. */
#define CREATE_CHECKED		(FILE_READ_DATA | FILE_WRITE_DATA | \
	FILE_APPEND_DATA | FILE_READ_EA | FILE_WRITE_EA | FILE_EXECUTE | \
	FILE_DELETE_CHILD | FILE_WRITE_ATTRIBUTES | WRITE_DAC | WRITE_OWNER)

/*
 * What a CREATE does once lockd has granted the open: nothing that
 * changes an existing file may happen before, or a refused open (a
 * sharing violation) would already have truncated someone's data.
 */
struct create_extra {
	uint32_t		 cctx;		/* contexts to answer */
	uint32_t		 maximal;	/* for MxAc */
	int			 truncate;	/* overwrite, supersede */
	uint64_t		 alloc;		/* AlSi, 0 for none */
	int			 store_meta;	/* attributes of a new file */
	int			 created;
	uint32_t		 attrs;
	struct meta_ea		*eas;		/* ExtA */
	size_t			 neas;
	uint8_t			*secd;		/* SecD, for a new file */
	size_t			 secd_len;
	uint8_t			 oplock;	/* RequestedOplockLevel */
	uint8_t			 oplock_flags;	/* LOCKD_OPLOCK_* */
	uint32_t		 disposition;
	struct smb2_lease_req	 lease;		/* oplock 0xFF */
	/* A durable handle asked for (doc/durable.md): version, 0 none. */
	int			 durable;
	uint32_t		 durable_timeout;	/* ms */
	uint8_t			 create_guid[16];
	/*
	 * The DOS attributes the CREATE read of a file it opens as it
	 * was (create_disposition), for the response: read once.
	 */
	int			 meta_ok;
	int			 meta_stored;	/* di holds a DOSATTRIB */
	struct meta_dosinfo	 di;
	uint8_t			 app_id[16];	/* AppInstanceId, 0: none */
};

/*
 * Where a CREATE waits for lockd.  When lockd says the open waits for
 * oplock breaks, the CREATE goes async (a); the client may CANCEL it,
 * its session may end (orphan: answered already), or its tree go away
 * with its open (o NULL).
 */
struct create_wait {
	struct smb2_conn	*c;
	struct smb2_open	*o;
	uint32_t		 action;
	int			 created;	/* remove again on refusal */
	struct create_extra	 x;
	uint64_t		 reqid;		/* of the lockd OPEN */
	struct smb2_async	*a;
	int			 orphan;
	int			 waited;	/* lockd said PENDING */
};

/* lockd's final answer to an OPEN (lockd_proto.h). */
struct create_grant {
	uint8_t			 level;
	uint8_t			 lease_state;
	uint8_t			 lease_version;
	uint16_t		 epoch;
	uint32_t		 lease_flags;
};

/*
 * The response; x, when not NULL, holds the DOS attributes the CREATE
 * read already (create_extra), which are not read again.
 */
static void
create_response(struct wbuf *out, struct smb2_open *o, uint32_t action,
    uint32_t cctx, uint32_t maximal, const struct create_extra *x)
{
	struct meta_file mf;
	uint8_t id[16], data[32];
	size_t prev = (size_t)-1, start;

	smb2_open_fileid(o, id);
	if (o->pipe == NULL) {
		/*
		 * An open that changed nothing and waited for no one has
		 * the stat its open took (create_open) still.
		 */
		if (o->fd != -1 && ((x != NULL && x->meta_ok &&
		    o->stream == NULL) || fstat(o->fd, &o->st) == 0)) {
			smb2_stream_stat(o, &o->st);
			if (o->stream == NULL)
				smb2_wt_stat(o, &o->st);
		}
		if (x != NULL && x->meta_ok && o->stream == NULL)
			smb2_meta_compose(o->tree, o->path, x->meta_stored ?
			    &x->di : NULL, &o->st, 1, &mf);
		else
			smb2_file_meta(o->tree, o->path, o->fd, &o->st, &mf);
		o->file_attributes = mf.attrs =
		    smb2_stream_attributes(o, mf.attrs);
	} else {
		memset(&mf, 0, sizeof(mf));
		mf.create_time = smb2_filetime(&o->st.st_ctim);
	}
	wbuf_reset(out);
	wbuf_put_u16le(out, 89);
	wbuf_put_u8(out, o->oplock);	/* OplockLevel */
	wbuf_put_u8(out, 0);	/* Flags */
	wbuf_put_u32le(out, action);
	smb2_put_meta_times_sizes(out, &o->st, &mf,
	    o->alloc_reserved);
	wbuf_put_u32le(out, o->file_attributes);
	wbuf_put_u32le(out, 0);	/* Reserved2 */
	wbuf_put_bytes(out, id, 16);
	wbuf_put_u32le(out, 0);	/* CreateContextsOffset */
	wbuf_put_u32le(out, 0);	/* CreateContextsLength */
	start = wbuf_len(out);
	if (cctx & SMB2_CCTX_MXAC) {
		/* QueryStatus, then MaximalAccess (MS-SMB2 2.2.14.2.5). */
		memset(data, 0, 8);
		data[4] = (uint8_t)maximal;
		data[5] = (uint8_t)(maximal >> 8);
		data[6] = (uint8_t)(maximal >> 16);
		data[7] = (uint8_t)(maximal >> 24);
		smb2_cctx_put(out, &prev, "MxAc", data, 8);
	}
	if (cctx & SMB2_CCTX_QFID) {
		/* DiskFileId, VolumeId, Reserved (MS-SMB2 2.2.14.2.9). */
		uint64_t ino = (uint64_t)o->st.st_ino;
		uint64_t dev = (uint64_t)o->st.st_dev;
		int i;

		memset(data, 0, sizeof(data));
		for (i = 0; i < 8; i++) {
			data[i] = (uint8_t)(ino >> (8 * i));
			data[8 + i] = (uint8_t)(dev >> (8 * i));
		}
		smb2_cctx_put(out, &prev, "QFid", data, 32);
	}
	/* The durable handle granted (MS-SMB2 2.2.14.2.3, 2.2.14.2.12). */
	if ((cctx & SMB2_CCTX_DHNQ) && o->durable == 1) {
		memset(data, 0, 8);
		smb2_cctx_put(out, &prev, "DHnQ", data, 8);
	}
	if ((cctx & SMB2_CCTX_DH2Q) && o->durable == 2) {
		memset(data, 0, 8);
		data[0] = (uint8_t)o->durable_timeout;
		data[1] = (uint8_t)(o->durable_timeout >> 8);
		data[2] = (uint8_t)(o->durable_timeout >> 16);
		data[3] = (uint8_t)(o->durable_timeout >> 24);
		smb2_cctx_put(out, &prev, "DH2Q", data, 8);
	}
	if (o->oplock == SMB2_OPLOCK_LEVEL_LEASE && o->lease.version != 0) {
		struct wbuf lw;
		uint8_t lmem[SMB2_LEASE_V2_LEN];

		wbuf_init_fixed(&lw, lmem, sizeof(lmem));
		smb2_lease_ctx_body(&lw, &o->lease);
		smb2_cctx_put(out, &prev, "RqLs", wbuf_data(&lw),
		    wbuf_len(&lw));
	}
	if (prev != (size_t)-1) {
		wbuf_set_u32le(out, 80, (uint32_t)(SMB2_HDR_LEN + start));
		wbuf_set_u32le(out, 84,
		    (uint32_t)(wbuf_len(out) - start));
	}
}

void
smb2_create_response(struct wbuf *out, struct smb2_open *o, uint32_t action,
    uint32_t cctx, uint32_t maximal)
{
	create_response(out, o, action, cctx, maximal, NULL);
}

/*
 * Truncate, reserve space, store attributes and EAs now that the open is
 * granted, so that a refused open changes nothing of someone's file.
 */
static uint32_t
create_granted(struct smb2_open *o, const struct create_extra *x)
{
	uint32_t status;

	if (x->truncate && o->stream != NULL) {
		/* An overwritten stream is emptied; the file keeps its data. */
		if (smb2_stream_make(o->fd, o->stream, 1) == -1)
			return smb2_stream_status(errno);
	} else if (x->truncate) {
		if (ftruncate(o->fd, 0) == -1)
			return ntstatus_from_errno(errno);
		/* Overwriting a file replaces its named streams too. */
		smb2_stream_remove_all(o->fd);
	}
	if (x->store_meta)
		smb2_meta_create_store(o, x->created, x->attrs);
	if (x->neas > 0 && (status = smb2_meta_apply_eas(o->fd, x->eas,
	    x->neas)) != NT_STATUS_SUCCESS)
		return status;
	if (x->alloc > 0 && x->alloc <= INT64_MAX &&
	    fallocate(o->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)x->alloc) == -1 &&
	    errno != EOPNOTSUPP)
		return ntstatus_from_errno(errno);
	/*
	 * The descriptor last: it may take away the owner's write access
	 * that storing the attributes and EAs needs.
	 */
	if (x->secd != NULL && (status = smb2_secdesc_create(o->fd, o->path,
	    x->secd, x->secd_len)) != NT_STATUS_SUCCESS)
		return status;
	if ((x->truncate || x->alloc > 0 || x->secd != NULL) &&
	    fstat(o->fd, &o->st) == -1)
		return ntstatus_from_errno(errno);
	if (x->alloc > (uint64_t)o->st.st_size)
		o->alloc_reserved = x->alloc;
	return NT_STATUS_SUCCESS;
}

/* Remove what a refused CREATE made, below the share root. */
static void
smb2_open_unlink(struct smb2_open *o)
{
	struct vfs_share sh = { .rootfd = o->tree->ss->rootfd,
	    .cfg = o->tree->ss->share };

	vfs_unlink(&sh, o->path, o->is_dir ? AT_REMOVEDIR : 0);
}

static void
create_ignore_reply(uint32_t status, struct rbuf *r, void *arg)
{
}

/* Tell lockd to give up a waiting OPEN; its reply answers the CREATE. */
static int
create_cancel_lockd(struct create_wait *cw)
{
	uint8_t body[8];
	int i;

	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(cw->reqid >> (8 * i));
	return lockd_client_request(LOCKD_OP_OPEN_CANCEL, body, sizeof(body),
	    create_ignore_reply, NULL);
}

static void
create_wait_free(struct create_wait *cw)
{
	if (cw->o != NULL)
		cw->o->create_wait = NULL;
	free(cw->x.eas);
	free(cw->x.secd);
	free(cw);
}

/*
 * A CANCEL of a CREATE that waits for oplock breaks: lockd answers it
 * CANCELLED (or granted, if the CANCEL came too late).  When the
 * session ends, the CREATE is answered now and lockd's answer dropped.
 */
static void
create_cancel(struct smb2_conn *c, struct smb2_async *a)
{
	struct create_wait *cw = a->arg;

	if (c->cancel_status == 0 && create_cancel_lockd(cw) == 0)
		return;
	if (c->cancel_status != 0)
		(void)create_cancel_lockd(cw);
	cw->a = NULL;
	cw->orphan = 1;
	smb2_async_complete(c, a, NT_STATUS_CANCELLED, NULL, 0);
}

/*
 * lockd's interim answer: the open waits for oplock holders.  The CREATE
 * goes async, so that the connection serves other requests meanwhile
 * (the acknowledgment may come on it).  One that is not the last of its
 * chain, or past "max async requests", just waits.
 */
static void
create_pending(struct create_wait *cw)
{
	struct smb2_conn *c = cw->c;
	struct smb2_req *req;

	if (cw->a != NULL || cw->orphan || !c->waiting || c->work == NULL ||
	    c->work->off < c->work->framelen || smb2_async_full(c))
		return;
	req = &c->work->req;
	cw->a = smb2_async_new(c, req, create_cancel, cw);
	req->status = NT_STATUS_PENDING;
	req->no_sign = 1;
	wbuf_reset(req->out);
	smb2_error_body(req->out);
	req->error_data = 1;
	smb2_conn_resume(c);
}

/*
 * The final answer to a CREATE whose client no longer waits for it: an
 * open that was granted is closed again.
 */
static void
create_orphan(struct create_wait *cw, uint32_t status, uint64_t handle)
{
	struct smb2_open *o = cw->o;

	if (o != NULL) {
		o->create_wait = NULL;
		cw->o = NULL;
		if (status == NT_STATUS_SUCCESS)
			o->lockd_handle = handle;
		(void)smb2_close_open(NULL, o);
	} else if (status == NT_STATUS_SUCCESS)
		(void)lockd_client_request(LOCKD_OP_CLOSE, &handle, 8,
		    create_ignore_reply, NULL);
	if (cw->a != NULL)
		smb2_async_complete(cw->c, cw->a, NT_STATUS_CANCELLED, NULL, 0);
	cw->a = NULL;
	create_wait_free(cw);
}

/* What lockd's final answer makes of the CREATE: out gets the body. */
static uint32_t
create_answer(struct create_wait *cw, uint32_t status, uint64_t handle,
    uint32_t oflags, const struct create_grant *g, struct wbuf *out)
{
	struct smb2_conn *c = cw->c;
	struct smb2_open *o = cw->o;
	uint8_t level = g->level;

	o->create_wait = NULL;
	cw->o = NULL;
	if (status != NT_STATUS_SUCCESS) {
		if (cw->created && o->stream != NULL)
			smb2_stream_undo_create(o, cw->created);
		else if (cw->created && o->tree->ss != NULL)
			smb2_open_unlink(o);
		smb2_open_free(c, o);
		return status;
	}
	o->lockd_handle = handle;
	smb2_oplock_dirleases((oflags & LOCKD_OPENED_DIRLEASES) != 0);
	/* The file has byte-range locks: IO must ask (smb2_lock.c). */
	o->brl = (oflags & LOCKD_OPENED_BRL) != 0;
	o->oplock = level;
	if (level == SMB2_OPLOCK_LEVEL_LEASE && g->lease_version != 0) {
		/* The key and parent as asked; the rest as lockd decided. */
		o->lease = cw->x.lease;
		o->lease.version = g->lease_version;
		o->lease.state = g->lease_state;
		o->lease.flags = g->lease_flags;
		o->lease.epoch = g->lease_version == 2 ? g->epoch : 0;
		if (g->lease_version != 2)
			o->lease.flags &= ~SMB2_LEASE_FLAG_PARENT_KEY_SET;
		/* An upgrade is the state of the lease's other opens too. */
		smb2_lease_state_set(o->lease.key, o->lease.state, 0);
	} else if (level == SMB2_OPLOCK_LEVEL_LEASE)
		o->oplock = SMB2_OPLOCK_LEVEL_NONE;
	/* Others cache the file, or this open does: report its writes. */
	o->opl_report = (oflags & LOCKD_OPENED_CACHED) != 0 ||
	    level == SMB2_OPLOCK_LEVEL_II;
	/*
	 * A durable open is named by its lockd handle, so that a worker
	 * of a later connection can ask lockd for it (doc/durable.md).
	 */
	if (oflags & LOCKD_OPENED_DURABLE) {
		o->durable = cw->x.durable;
		o->durable_timeout = cw->x.durable_timeout;
		o->persistent_id = handle | LOCKD_DURABLE_ID_BIT;
		smb2_durable_granted(o, cw->x.create_guid, cw->action,
		    cw->x.cctx, cw->x.maximal);
	}
	status = create_granted(o, &cw->x);
	if (status == NT_STATUS_SUCCESS) {
		klease_sync(o);
		/*
		 * The attributes read before are still the file's unless
		 * the CREATE waited for others' oplock breaks, whose
		 * holders may have changed them meanwhile.
		 */
		create_response(out, o, cw->action, cw->x.cctx,
		    cw->x.maximal, cw->waited ? NULL : &cw->x);
		/* A new or overwritten child changes its directory. */
		if (cw->action != FILE_OPENED && o->stream == NULL &&
		    o->tree->ss != NULL)
			smb2_oplock_dir_changed(o->tree->ss->rootfd, o->path,
			    smb2_oplock_parent_key(o));
		return status;
	}
	/* A refused SecD leaves no new file behind. */
	if (cw->created && o->stream == NULL && o->tree->ss != NULL)
		smb2_open_unlink(o);
	smb2_close_open(NULL, o);
	return status;
}

static void
create_lockd_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct create_wait *cw = arg;
	struct smb2_conn *c = cw->c;
	struct smb2_req *req;
	struct create_grant g;
	struct wbuf out;
	uint64_t handle = 0;
	uint32_t oflags = 0;

	if (status == LOCKD_STATUS_PENDING) {
		cw->waited = 1;
		create_pending(cw);
		return;
	}
	memset(&g, 0, sizeof(g));
	rbuf_get_u64le(r, &handle);
	rbuf_get_u32le(r, &oflags);
	rbuf_get_u8(r, &g.level);
	rbuf_get_u8(r, &g.lease_state);
	rbuf_get_u8(r, &g.lease_version);
	rbuf_get_u16le(r, &g.epoch);
	rbuf_get_u32le(r, &g.lease_flags);
	if (status != NT_STATUS_SUCCESS)
		handle = 0;
	if (cw->orphan || cw->o == NULL) {
		create_orphan(cw, status, handle);
		return;
	}
	if (cw->a != NULL) {
		wbuf_init(&out, 256);
		status = create_answer(cw, status, handle, oflags, &g, &out);
		if (log_getverbose() >= 3)
			log_debug("%s: waiting CREATE ends: %s", c->peer,
			    ntstatus_name(status));
		smb2_async_complete(c, cw->a, status,
		    status == NT_STATUS_SUCCESS ? wbuf_data(&out) : NULL,
		    status == NT_STATUS_SUCCESS ? wbuf_len(&out) : 0);
		wbuf_free(&out);
		create_wait_free(cw);
		return;
	}
	req = &c->work->req;
	req->status = create_answer(cw, status, handle, oflags, &g,
	    req->out);
	create_wait_free(cw);
	smb2_conn_resume(c);
}

/*
 * The open's tree or session goes away while its CREATE waits for
 * oplock breaks: the open is freed now, and lockd's answer finds none.
 */
void
smb2_create_abandon(struct smb2_open *o)
{
	struct create_wait *cw = o->create_wait;

	if (cw == NULL)
		return;
	o->create_wait = NULL;
	cw->o = NULL;
	(void)create_cancel_lockd(cw);
}

/*
 * The lease part of lockd's OPEN: lockd adds the uid it knows for this
 * worker to ClientGuid and LeaseKey (doc/oplocks.md §5).
 */
static void
create_put_lease(struct wbuf *w, struct smb2_conn *c,
    const struct smb2_lease_req *l)
{
	wbuf_put_u8(w, (uint8_t)l->version);
	wbuf_put_u8(w, (uint8_t)l->state);
	wbuf_put_u8(w, (l->flags & SMB2_LEASE_FLAG_PARENT_KEY_SET) ?
	    LOCKD_LEASE_PARENT : 0);
	wbuf_put_u8(w, 0);
	wbuf_put_u16le(w, l->epoch);
	wbuf_put_bytes(w, c->nres.client_guid, 16);
	wbuf_put_bytes(w, l->key, 16);
	wbuf_put_bytes(w, l->parent, 16);
}

/*
 * "kernel oplocks": the open failed with EWOULDBLOCK because someone
 * holds a file lease (a local process, or another open's worker), and
 * the kernel now breaks it.  The CREATE goes async and is tried again
 * until the holder lets go, for at most lease-break-time and a second
 * (the kernel then takes the lease away itself).
 */
#define CREATE_LEASED	0xfffffff0U
#define CREATE_RETRY_MS	100

struct create_retry {
	struct smb2_conn	*c;
	struct smb2_async	*a;
	struct event		*ev;
	struct smb2_req		 req;
	uint8_t			*msg;
	size_t			 len;
	struct wbuf		 out;
	uint64_t		 deadline;
};

static struct create_retry *create_retrying;

/*
 * The durable part of lockd's OPEN: what a worker of a later connection
 * needs to reopen the file, and what lockd checks a reconnect against.
 */
static void
create_put_durable(struct wbuf *w, struct smb2_conn *c,
    const struct smb2_open *o, const struct create_extra *x)
{
	const char *share = o->tree->ss->share->name;

	wbuf_put_u8(w, (uint8_t)x->durable);
	wbuf_put_u8(w, 0);
	wbuf_put_u16le(w, 0);
	wbuf_put_u32le(w, x->durable_timeout);
	wbuf_put_bytes(w, x->create_guid, 16);
	wbuf_put_bytes(w, c->nres.client_guid, 16);
	wbuf_put_u32le(w, o->create_options);
	wbuf_put_u64le(w, x->alloc);
	wbuf_put_u16le(w, (uint16_t)strlen(share));
	wbuf_put_bytes(w, share, strlen(share));
	wbuf_put_u16le(w, (uint16_t)strlen(o->path));
	wbuf_put_bytes(w, o->path, strlen(o->path));
	/* lockd closes the other opens of the same application first. */
	if (x->durable == 2)
		wbuf_put_bytes(w, x->app_id, 16);
}

/* Register the open with lockd; the CREATE completes in the reply. */
static uint32_t
create_register(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, uint32_t action, int created,
    const struct create_extra *x)
{
	struct create_wait *cw;
	uint8_t mem[256 + LOCKD_MAX_STREAM_NAME + LOCKD_DURABLE_MAX_PATH];
	struct wbuf w;
	uint32_t flags = 0;
	size_t slen = o->stream != NULL ? strlen(o->stream) : 0;

	if (o->delete_on_close)
		flags |= LOCKD_OPEN_DELETE_ON_CLOSE;
	if (o->is_dir)
		flags |= LOCKD_OPEN_DIRECTORY;
	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u32le(&w, o->access);
	wbuf_put_u32le(&w, o->share_access);
	wbuf_put_u32le(&w, flags);
	/* Each stream has share modes of its own (MS-FSA 2.1.5.1.2). */
	wbuf_put_u16le(&w, (uint16_t)slen);
	wbuf_put_bytes(&w, o->stream, slen);
	/* The oplock rides on the registration: no extra round trip. */
	wbuf_put_u8(&w, x->oplock);
	wbuf_put_u8(&w, x->oplock_flags |
	    (x->durable != 0 ? LOCKD_OPLOCK_DURABLE : 0));
	wbuf_put_u32le(&w, x->disposition);
	if (x->oplock == SMB2_OPLOCK_LEVEL_LEASE)
		create_put_lease(&w, c, &x->lease);
	if (x->durable != 0)
		create_put_durable(&w, c, o, x);
	cw = xcalloc(1, sizeof(*cw));
	cw->c = c;
	cw->o = o;
	cw->action = action;
	cw->created = created;
	cw->x = *x;
	/* lockd learns which file from the descriptor (invariant 8). */
	if (lockd_client_request_fd_id(LOCKD_OP_OPEN, wbuf_data(&w),
	    wbuf_len(&w), o->fd, create_lockd_reply, cw, &cw->reqid) == -1) {
		free(cw->x.eas);
		free(cw->x.secd);
		free(cw);
		if (created && o->stream != NULL)
			smb2_stream_undo_create(o, created);
		else if (created && o->tree->ss != NULL)
			smb2_open_unlink(o);
		smb2_open_free(c, o);
		log_warnx("%s: lockd unreachable; refusing CREATE", c->peer);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	o->create_wait = cw;
	if (create_retrying != NULL) {
		/* A retried CREATE is async already: lockd answers that. */
		cw->a = create_retrying->a;
		cw->a->cancel = create_cancel;
		cw->a->arg = cw;
		return SMB2_DEFER;
	}
	c->waiting = 1;
	return SMB2_DEFER;
}

static uint32_t
create_pipe(struct smb2_conn *c, struct smb2_req *req, const char *name)
{
	struct smb2_open *o;
	struct stat st;

	o = smb2_open_new(c, req);
	o->pipe_name = xstrdup(name);
	o->pipe = smb2_pipe_open(name);
	if (o->pipe == NULL) {
		smb2_open_free(c, o);
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	memset(&st, 0, sizeof(st));
	o->st = st;
	o->file_attributes = FILE_ATTRIBUTE_NORMAL;
	o->access = FILE_GENERIC_READ | FILE_GENERIC_WRITE;
	smb2_create_response(req->out, o, FILE_OPENED, 0, 0);
	return NT_STATUS_SUCCESS;
}

/* INVALID_PARAMETER, with the reason in the debug log. */
static uint32_t
create_invalid(struct smb2_conn *c, int why)
{
	log_debug("%s: CREATE refused as invalid (check %d)", c->peer, why);
	return NT_STATUS_INVALID_PARAMETER;
}

/*
 * One CREATE of a file or directory as it is taken apart: the request
 * (create_parse, create_check), the name it resolves to (create_lookup),
 * what the disposition makes of it (create_disposition), the open itself
 * (create_open) and the open registered with lockd (create_finish).  A
 * named stream takes the same path with steps of its own where a stream
 * differs (create_stream): its base file is found or made, and the
 * disposition is the stream's.
 */
struct create_req {
	struct smb2_tree	*t;
	struct vfs_share	 vs;
	struct smb2_cctx	 cc;
	uint8_t			 oplock;
	struct smb2_lease_req	 lease;		/* version 0: none */
	int			 smb3;		/* 3.x: DH2Q and DH2C count */
	int			 reconnect;	/* DHnC or DH2C */
	uint32_t		 imp, access, attrs, share, disp, opts;
	char			*name;		/* as the client sent it */
	struct vfs_name		 vn;
	int			 trailing;	/* a trailing '\' */
	int			 stype;		/* "::$DATA" and the like */
	char			*real;		/* the resolved path */
	int			 found;
	struct stat		 st;
	int			 isdir;
	int			 waslink;	/* the name is a symlink */
	int			 islink;	/* ... opened as one */
	uint32_t		 action;
	int			 readonly;	/* a read-only file */
	struct meta_ea		*eas;
	size_t			 neas;
	/* What create_open made (STREAM_CREATED_* for a stream). */
	int			 fd;
	int			 oflags;
	int			 created;
	int			 readonly_fd;
	/* A named stream: its stored name, and whether it was there. */
	char			*stream;
	int			 sfound;
	/*
	 * The name as vfs_resolve_fd found it (O_PATH, not following a
	 * last symlink; -1: none), which the lookup and the access check
	 * look at instead of walking the path again; and the file's
	 * user.DOSATTRIB, read once (meta_read, meta_rc 0 when there).
	 */
	int			 pathfd;
	int			 meta_later;	/* read from the open (create_open) */
	int			 meta_read;
	int			 meta_rc;
	struct meta_dosinfo	 di;
};

/*
 * A durable handle (MS-SMB2 3.3.5.9.6, 3.3.5.9.10): asked of lockd only
 * with a Batch oplock or a lease with H requested on a file, in a share
 * with "durable handles"; lockd grants it only if that is what the open
 * gets.  v2's timeout is the client's (60 s for 0, as Windows and
 * Samba), v1's the limit, both at most "durable handle timeout".  A
 * persistent handle is not granted: the open is durable only.
 */
static void
create_durable(const struct create_req *cr, struct create_extra *x,
    const char *path)
{
	const struct conf_share *sh = cr->t->ss->share;
	uint32_t max = (uint32_t)S.conf->g.durable_handle_timeout * 1000;
	int v = 0;

	if ((cr->cc.seen & SMB2_CCTX_DH2Q) && cr->smb3)
		v = 2;
	else if (cr->cc.seen & SMB2_CCTX_DHNQ)
		v = 1;
	if (v == 0 || !sh->durable_handles || cr->isdir ||
	    strlen(path) > LOCKD_DURABLE_MAX_PATH ||
	    strlen(sh->name) > LOCKD_MAX_SHARE_NAME)
		return;
	if (x->oplock != SMB2_OPLOCK_LEVEL_BATCH &&
	    !(x->oplock == SMB2_OPLOCK_LEVEL_LEASE &&
	    (x->lease.state & SMB2_LEASE_H)))
		return;
	x->durable = v;
	x->durable_timeout = max;
	if (v == 2) {
		if (cr->cc.dh2q_timeout != 0 && cr->cc.dh2q_timeout < max)
			x->durable_timeout = cr->cc.dh2q_timeout;
		else if (cr->cc.dh2q_timeout == 0 && max > 60000)
			x->durable_timeout = 60000;
		memcpy(x->create_guid, cr->cc.dh2q_guid, 16);
		if (cr->cc.seen & SMB2_CCTX_APPID)
			memcpy(x->app_id, cr->cc.app_id, 16);
	}
}

/*
 * The oplock or lease this CREATE asks lockd for: what the client
 * requested, unless the share grants none ("oplocks = no", which takes
 * leases too, as in Samba) or no Level II ("level2 oplocks = no", or
 * "kernel oplocks").
 */
static void
create_oplock(struct smb2_conn *c, const struct create_req *cr,
    struct create_extra *x)
{
	const struct conf_share *sh = cr->t->ss->share;

	x->disposition = cr->disp;
	x->oplock = sh->oplocks ? cr->oplock : SMB2_OPLOCK_LEVEL_NONE;
	/* A lease is asked for with its context only (create_parse). */
	if (x->oplock == SMB2_OPLOCK_LEVEL_LEASE && cr->lease.version == 0)
		x->oplock = SMB2_OPLOCK_LEVEL_NONE;
	if (x->oplock == SMB2_OPLOCK_LEVEL_LEASE)
		x->lease = cr->lease;
	/*
	 * No Level II under kernel oplocks either, as in Samba: a read
	 * lease under every Level II holder would make each open for
	 * writing, local or SMB, wait for a break (smb2.kernel-oplocks5).
	 */
	if (!sh->level2_oplocks || sh->kernel_oplocks)
		x->oplock_flags |= LOCKD_OPLOCK_NO_LEVEL2;
	/* Only a connection that negotiated it leases directories. */
	if (c->nres.server_capabilities & SMB2_GLOBAL_CAP_DIRECTORY_LEASING)
		x->oplock_flags |= LOCKD_OPLOCK_DIR_LEASE;
}

/*
 * The mode of a new file or directory, as Samba computes it: what the
 * mask lets through, plus what the share forces; or, with "inherit
 * permissions", the parent directory's mode (without the execute bits
 * for a file).  The worker's umask is 0 (session.c), so nothing else
 * takes bits away.
 */
static mode_t
create_mode(struct create_req *cr, int dir)
{
	const struct conf_share *sh = cr->t->ss->share;
	const char *last;
	struct stat st;
	int pfd, r;

	if (sh->inherit_permissions &&
	    (pfd = vfs_open_parent(&cr->vs, cr->real, &last)) != -1) {
		r = fstat(pfd, &st);
		close(pfd);
		if (r == 0)
			return dir ? st.st_mode & 07777 : st.st_mode & 0666;
	}
	if (dir)
		return (0777 & sh->directory_mask) |
		    (sh->force_directory_mode & 07777);
	return (0666 & sh->create_mask) | (sh->force_create_mode & 07777);
}

/* The fixed part, the create contexts and the name (MS-SMB2 2.2.13). */
static uint32_t
create_parse(struct smb2_conn *c, struct smb2_req *req, struct create_req *cr)
{
	struct rbuf r = req->body, nameb;
	uint16_t ssize, noff, nlen;
	uint32_t ctxoff, ctxlen;
	uint64_t flags, reserved;
	uint8_t secflags;
	size_t namelen;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u8(&r, &secflags);
	rbuf_get_u8(&r, &cr->oplock);
	rbuf_get_u32le(&r, &cr->imp);
	rbuf_get_u64le(&r, &flags);
	rbuf_get_u64le(&r, &reserved);
	rbuf_get_u32le(&r, &cr->access);
	rbuf_get_u32le(&r, &cr->attrs);
	rbuf_get_u32le(&r, &cr->share);
	rbuf_get_u32le(&r, &cr->disp);
	rbuf_get_u32le(&r, &cr->opts);
	rbuf_get_u16le(&r, &noff);
	rbuf_get_u16le(&r, &nlen);
	rbuf_get_u32le(&r, &ctxoff);
	rbuf_get_u32le(&r, &ctxlen);
	if (rbuf_error(&r))
		return create_invalid(c, 1);
	cr->smb3 = c->nres.dialect >= SMB2_DIALECT_300;
	/*
	 * A durable reconnect ignores the rest of the request, which a
	 * client need not fill in (MS-SMB2 3.3.5.9.7, 3.3.5.9.12), but
	 * for a lease context that names the open's lease.
	 */
	if (smb2_cctx_parse(&req->msg, ctxoff, ctxlen, &cr->cc) ==
	    NT_STATUS_SUCCESS && (cr->cc.seen & (SMB2_CCTX_DHNC |
	    SMB2_CCTX_DH2C))) {
		cr->reconnect = 1;
		/* Only a lease reconnect looks at the name. */
		if (nlen % 2 == 0 && nlen > 0 &&
		    rbuf_sub(&req->msg, noff, nlen, &nameb) == 0)
			(void)utf16le_to_utf8(&nameb, nlen, &cr->name,
			    &namelen);
		if ((cr->cc.seen & SMB2_CCTX_RQLS) &&
		    (c->nres.server_capabilities & SMB2_GLOBAL_CAP_LEASING) &&
		    smb2_lease_ctx_parse(&cr->cc.rqls, cr->smb3,
		    &cr->lease) == -1)
			return create_invalid(c, 26);
		return NT_STATUS_SUCCESS;
	}
	if (cr->imp > 3)
		return NT_STATUS_BAD_IMPERSONATION_LEVEL;
	if (cr->disp > FILE_OVERWRITE_IF)
		return create_invalid(c, 2);
	if ((cr->opts & FILE_DIRECTORY_FILE) &&
	    (cr->opts & FILE_NON_DIRECTORY_FILE))
		return create_invalid(c, 20);
	if (cr->opts & CREATE_OPTIONS_RESERVED)
		return create_invalid(c, 21);
	/*
	 * MS-FSA 2.1.5.1: a directory cannot be superseded or
	 * overwritten.
	 */
	if ((cr->opts & FILE_DIRECTORY_FILE) && (cr->disp == FILE_SUPERSEDE ||
	    cr->disp == FILE_OVERWRITE || cr->disp == FILE_OVERWRITE_IF))
		return create_invalid(c, 24);
	if (cr->opts & CREATE_OPTIONS_UNSUPPORTED)
		return NT_STATUS_NOT_SUPPORTED;
	if (smb2_cctx_parse(&req->msg, ctxoff, ctxlen, &cr->cc) !=
	    NT_STATUS_SUCCESS)
		return create_invalid(c, 23);
	/*
	 * A lease context counts only with the lease level, on a
	 * connection that negotiated leasing (MS-SMB2 3.3.5.9.8); v2 only
	 * in SMB 3.x (3.3.5.9.11).
	 */
	if (cr->oplock == SMB2_OPLOCK_LEVEL_LEASE &&
	    (cr->cc.seen & SMB2_CCTX_RQLS) &&
	    (c->nres.server_capabilities & SMB2_GLOBAL_CAP_LEASING) &&
	    smb2_lease_ctx_parse(&cr->cc.rqls,
	    c->nres.dialect >= SMB2_DIALECT_300, &cr->lease) == -1)
		return create_invalid(c, 25);
	if (nlen % 2 != 0)
		return create_invalid(c, 3);
	if (nlen == 0)
		cr->name = xstrdup("");
	else if (rbuf_sub(&req->msg, noff, nlen, &nameb) == -1 ||
	    utf16le_to_utf8(&nameb, nlen, &cr->name, &namelen) == -1)
		return NT_STATUS_OBJECT_NAME_INVALID;
	if (cr->name[0] == '\\')
		return create_invalid(c, 4);
	return NT_STATUS_SUCCESS;
}

/*
 * What is refused before the name is looked at: the access and
 * attributes asked for, contexts that cannot be served, the name's
 * form.  The name is parsed into cr->vn.
 */
static uint32_t
create_check(struct smb2_conn *c, struct create_req *cr)
{
	struct smb2_tree *t = cr->t;
	uint32_t status;

	cr->access = smb2_map_generic(cr->access);
	/*
	 * Reserved bits or no access at all are refused as Windows does
	 * (SYNCHRONIZE alone is fine: smb2.getinfo.getinfo_access); the
	 * SACL needs a privilege nobody here holds.
	 */
	if ((cr->access & ~(FILE_ALL_ACCESS | MAXIMUM_ALLOWED |
	    ACCESS_SYSTEM_SECURITY)) != 0 || cr->access == 0)
		return NT_STATUS_ACCESS_DENIED;
	if (cr->access & ACCESS_SYSTEM_SECURITY)
		return NT_STATUS_PRIVILEGE_NOT_HELD;
	/*
	 * Windows looks at the desired access before the attributes: a
	 * reserved access bit with a volume attribute is ACCESS_DENIED
	 * (smb2.create.gentest).
	 */
	if (cr->attrs & CREATE_ATTRS_INVALID)
		return create_invalid(c, 22);
	/*
	 * No previous versions are kept, and no durable handle exists to
	 * reconnect to.
	 */
	if (cr->cc.seen & SMB2_CCTX_TWRP)
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	/* v1 and v2 together (MS-SMB2 3.3.5.9.10). */
	if ((cr->cc.seen & SMB2_CCTX_DH2Q) && (cr->cc.seen & SMB2_CCTX_DHNQ) &&
	    cr->smb3)
		return create_invalid(c, 27);
	/* A malformed SecD descriptor fails the CREATE before anything. */
	if ((cr->cc.seen & SMB2_CCTX_SECD) && rbuf_left(&cr->cc.secd) > 0 &&
	    (status = smb2_secdesc_check(rbuf_cur(&cr->cc.secd),
	    rbuf_left(&cr->cc.secd))) != NT_STATUS_SUCCESS)
		return status;
	/* Without streams a colon is no more than a character NTFS refuses. */
	if (!t->ss->share->streams && strchr(cr->name, ':') != NULL)
		return NT_STATUS_OBJECT_NAME_INVALID;
	if ((status = vfs_name_parse(cr->name, &cr->vn)) != NT_STATUS_SUCCESS)
		return status;
	cr->vs.rootfd = t->ss->rootfd;
	cr->vs.cfg = t->ss->share;
	cr->vs.case_sensitive =
	    t->ss->share->case_sensitive == CASE_SENSITIVE_YES;
	cr->trailing = cr->vn.trailing_sep;
	cr->stype = cr->vn.stream_type;
	if (vfs_is_vetoed(&cr->vs, cr->vn.path))
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	return NT_STATUS_SUCCESS;
}

/*
 * What the resolved name is: nothing, a file, a directory, or a symlink
 * (followed below the root, or opened itself with
 * FILE_OPEN_REPARSE_POINT, so that a client can delete or rename one it
 * cannot follow; only plain opens, never to write).
 */
static uint32_t
create_lookup(struct create_req *cr)
{
	uint32_t status;
	int fd;

	if (cr->found && (cr->pathfd != -1 ? fstat(cr->pathfd, &cr->st) :
	    vfs_lstat(&cr->vs, cr->real, &cr->st)) == -1)
		return ntstatus_from_errno(errno);
	cr->waslink = cr->found && S_ISLNK(cr->st.st_mode);
	cr->islink = cr->waslink && (cr->opts & FILE_OPEN_REPARSE_POINT) &&
	    (cr->disp == FILE_OPEN || cr->disp == FILE_OPEN_IF) &&
	    !(cr->opts & FILE_DIRECTORY_FILE);
	if (cr->waslink && !cr->islink) {
		/* Follow it, below the root only. */
		if ((fd = vfs_open(&cr->vs, cr->real, O_PATH, 0)) == -1)
			return errno == ENOENT ?
			    NT_STATUS_OBJECT_NAME_NOT_FOUND :
			    ntstatus_from_errno(errno);
		if (fstat(fd, &cr->st) == -1) {
			status = ntstatus_from_errno(errno);
			close(fd);
			return status;
		}
		close(fd);
	}
	cr->isdir = cr->found ? S_ISDIR(cr->st.st_mode) :
	    (cr->opts & FILE_DIRECTORY_FILE) != 0;
	/* "dir::$DATA" and "file::$INDEX_ALLOCATION" */
	if ((status = smb2_stream_check_type(cr->stype, cr->isdir,
	    cr->opts)) != NT_STATUS_SUCCESS)
		return status;
	/* A trailing '\' names a directory only (MS-FSA 2.1.5.1). */
	if (cr->trailing && (!cr->isdir ||
	    (cr->opts & FILE_NON_DIRECTORY_FILE)))
		return NT_STATUS_OBJECT_NAME_INVALID;
	return NT_STATUS_SUCCESS;
}

/*
 * What a disposition makes of a file or stream that was found or not:
 * the CreateAction, or the refusal (MS-FSA 2.1.5.1).
 */
static uint32_t
create_action(uint32_t disp, int found, uint32_t *action)
{
	switch (disp) {
	case FILE_OPEN:
	case FILE_OVERWRITE:
		if (!found)
			return NT_STATUS_OBJECT_NAME_NOT_FOUND;
		*action = disp == FILE_OPEN ? FILE_OPENED : FILE_OVERWRITTEN;
		break;
	case FILE_CREATE:
		if (found)
			return NT_STATUS_OBJECT_NAME_COLLISION;
		*action = FILE_CREATED;
		break;
	case FILE_SUPERSEDE:
		*action = found ? FILE_SUPERSEDED : FILE_CREATED;
		break;
	case FILE_OPEN_IF:
		*action = found ? FILE_OPENED : FILE_CREATED;
		break;
	default:
		*action = found ? FILE_OVERWRITTEN : FILE_CREATED;
		break;
	}
	return NT_STATUS_SUCCESS;
}

static int	create_oflags(const struct create_req *);

/*
 * An open of an existing file for reading (attributes or data) that
 * neither overwrites it nor deletes it on close: no attribute rule can
 * refuse it (smb2_meta_create_check), so its attributes are read from
 * the descriptor the open makes, not from one opened for that alone.
 */
static int
create_meta_later(const struct create_req *cr)
{
	return !cr->waslink && cr->action == FILE_OPENED &&
	    !(cr->opts & FILE_DELETE_ON_CLOSE) &&
	    (create_oflags(cr) & O_ACCMODE) == O_RDONLY;
}

/*
 * What the disposition makes of what was found (cr->action), and
 * whether this user may do that to it.
 */
static uint32_t
create_disposition(struct smb2_conn *c, struct create_req *cr)
{
	struct smb2_tree *t = cr->t;
	struct meta_file mf;
	int found = cr->found, isdir = cr->isdir;
	uint32_t status, want;

	if ((status = create_action(cr->disp, found, &cr->action)) !=
	    NT_STATUS_SUCCESS)
		return status;
	/*
	 * No file is stored encrypted here, so none is made so (what a
	 * standalone Windows or Samba server answers).
	 */
	if ((cr->attrs & FILE_ATTRIBUTE_ENCRYPTED) &&
	    cr->action != FILE_OPENED)
		return NT_STATUS_ACCESS_DENIED;
	if (found && isdir && (cr->opts & FILE_NON_DIRECTORY_FILE))
		return NT_STATUS_FILE_IS_A_DIRECTORY;
	if (found && !isdir && (cr->opts & FILE_DIRECTORY_FILE))
		return NT_STATUS_NOT_A_DIRECTORY;
	if (isdir && cr->action != FILE_OPENED && cr->action != FILE_CREATED)
		return create_invalid(c, 5);
	if ((cr->opts & FILE_DELETE_ON_CLOSE) && !(cr->access & (DELETE |
	    MAXIMUM_ALLOWED)))
		return NT_STATUS_ACCESS_DENIED;
	/* A read-only file cannot be deleted, on close or otherwise. */
	if ((cr->opts & FILE_DELETE_ON_CLOSE) && !found &&
	    (cr->attrs & FILE_ATTRIBUTE_READONLY))
		return NT_STATUS_CANNOT_DELETE;
	if (cr->action != FILE_OPENED && !t->writeable)
		return NT_STATUS_ACCESS_DENIED;
	/*
	 * Attribute rules and the ExtA EAs (smb2_meta.c), on the attributes
	 * the file has, without the HIDDEN that "hide files" and "hide dot
	 * files" add to what clients see: a name the share hides is
	 * overwritten as any other (as Samba does, smb2.dosmode).  They are
	 * read once, and kept for the response.
	 */
	cr->meta_later = found && create_meta_later(cr);
	if (found && !cr->meta_later) {
		cr->meta_rc = smb2_meta_read(t, cr->real, &cr->st, &cr->di);
		cr->meta_read = 1;
		smb2_meta_compose(t, cr->real, cr->meta_rc == 0 ? &cr->di :
		    NULL, &cr->st, 0, &mf);
		if ((status = smb2_meta_create_check(&mf, &cr->st, cr->disp,
		    cr->opts, cr->attrs, &cr->access, &cr->readonly)) !=
		    NT_STATUS_SUCCESS)
			return status;
	}
	/*
	 * The rights an open of an existing file asks for are checked
	 * against what the kernel grants (smb2_maximal_access), so that
	 * the open, MxAc and the descriptor agree: the kernel itself
	 * judges only the data rights, and only once it opens for them.
	 * DELETE stays with the kernel's unlink, which alone knows it.
	 */
	want = cr->access & ~MAXIMUM_ALLOWED & CREATE_CHECKED;
	if (found && !cr->waslink && want != 0 && (cr->pathfd != -1 ?
	    smb2_access_fd(t, &cr->vs, cr->real, cr->pathfd, &cr->st, want,
	    1) != want : (want & ~smb2_maximal_access(t, &cr->vs,
	    cr->real)) != 0))
		return NT_STATUS_ACCESS_DENIED;
	if ((status = smb2_meta_create_eas(&cr->cc, &cr->eas, &cr->neas)) !=
	    NT_STATUS_SUCCESS)
		return status;
	if ((cr->access & CREATE_WRITING) && !t->writeable)
		return NT_STATUS_ACCESS_DENIED;
	return NT_STATUS_SUCCESS;
}

/* The open flags for what the CREATE asks of this file. */
static int
create_oflags(const struct create_req *cr)
{
	uint32_t a = cr->access;
	int oflags;

	if (cr->islink)
		oflags = O_PATH | O_NOFOLLOW;
	else if (cr->isdir)
		oflags = O_RDONLY | O_DIRECTORY;
	else if (a & (FILE_WRITE_DATA | FILE_APPEND_DATA) ||
	    cr->action != FILE_OPENED)
		oflags = (a & (FILE_READ_DATA | FILE_EXECUTE |
		    MAXIMUM_ALLOWED)) || cr->action != FILE_OPENED ? O_RDWR :
		    O_WRONLY;
	else if ((a & MAXIMUM_ALLOWED) && cr->t->writeable)
		/* Writable if the kernel allows it; see create_open(). */
		oflags = O_RDWR;
	else
		oflags = O_RDONLY;
	if (!cr->isdir && !cr->found)
		oflags |= O_CREAT | O_EXCL;
	if ((cr->opts & FILE_WRITE_THROUGH) && !cr->islink)
		oflags |= O_DSYNC;
	/* A file lease held elsewhere fails the open instead of blocking. */
	if (!cr->islink && !cr->isdir && klease_share(cr->t))
		oflags |= O_NONBLOCK;
	return oflags;
}

/*
 * The attributes of a file create_meta_later() chose, from its open
 * descriptor (or, for one opened O_PATH, as create_disposition reads
 * them), and the rules that then only say whether it is read-only.
 */
static uint32_t
create_meta_open(struct create_req *cr, int pathonly)
{
	struct meta_file mf;

	if (pathonly)
		cr->meta_rc = smb2_meta_read(cr->t, cr->real, &cr->st,
		    &cr->di);
	else if (S_ISREG(cr->st.st_mode) || S_ISDIR(cr->st.st_mode))
		cr->meta_rc = meta_get_dosinfo(cr->fd, &cr->di);
	else
		cr->meta_rc = -1;
	cr->meta_read = 1;
	smb2_meta_compose(cr->t, cr->real, cr->meta_rc == 0 ? &cr->di : NULL,
	    &cr->st, 0, &mf);
	return smb2_meta_create_check(&mf, &cr->st, cr->disp, cr->opts,
	    cr->attrs, &cr->access, &cr->readonly);
}

/* Create what does not exist yet, and open it, as the user. */
static uint32_t
create_open(struct create_req *cr)
{
	const char *last;
	int pfd, pathonly = 0;

	if (!cr->found && cr->isdir) {
		pfd = vfs_open_parent(&cr->vs, cr->real, &last);
		if (pfd == -1 || mkdirat(pfd, last,
		    create_mode(cr, 1)) == -1) {
			uint32_t status = errno == ENOENT ?
			    NT_STATUS_OBJECT_PATH_NOT_FOUND :
			    ntstatus_from_errno(errno);

			if (pfd != -1)
				close(pfd);
			return status;
		}
		close(pfd);
		cr->created = 1;
	}
	cr->oflags = create_oflags(cr);
	cr->fd = vfs_open(&cr->vs, cr->real, cr->oflags, create_mode(cr, 0));
	/*
	 * MAXIMUM_ALLOWED on an existing file the user may not write: open
	 * it for reading, and grant no write access below.
	 */
	if (cr->fd == -1 && (errno == EACCES || errno == EROFS ||
	    errno == ETXTBSY) && (cr->access & MAXIMUM_ALLOWED) && cr->found &&
	    cr->action == FILE_OPENED && (cr->oflags & O_ACCMODE) == O_RDWR) {
		cr->oflags = (cr->oflags & ~O_ACCMODE) | O_RDONLY;
		cr->fd = vfs_open(&cr->vs, cr->real, cr->oflags, 0);
		cr->readonly_fd = 1;
	}
	/*
	 * Attributes only: a path fd is enough.  It is also what such an
	 * open gets beside another open's file lease ("kernel oplocks"),
	 * which it must not break: it is a stat open.
	 */
	if (cr->fd == -1 && (errno == EACCES ||
	    (errno == EWOULDBLOCK && klease_share(cr->t))) &&
	    (cr->oflags & ~O_NONBLOCK) == O_RDONLY &&
	    !(cr->access & (FILE_READ_DATA | FILE_EXECUTE))) {
		cr->fd = vfs_open(&cr->vs, cr->real, O_PATH, 0);
		pathonly = 1;
	}
	if (cr->fd == -1 && errno == EWOULDBLOCK && klease_share(cr->t))
		return CREATE_LEASED;
	if (cr->fd == -1)
		return errno == ENOENT ? NT_STATUS_OBJECT_PATH_NOT_FOUND :
		    ntstatus_from_errno(errno);
	if (!cr->isdir && !cr->found)
		cr->created = 1;
	if (fstat(cr->fd, &cr->st) == -1)
		return ntstatus_from_errno(errno);
	if (cr->meta_later)
		return create_meta_open(cr, pathonly);
	return NT_STATUS_SUCCESS;
}

/* The open, its access as granted, and what lockd is to hear. */
static uint32_t
create_finish(struct smb2_conn *c, struct smb2_req *req,
    struct create_req *cr)
{
	struct smb2_tree *t = cr->t;
	struct create_extra x;
	struct smb2_open *o;
	uint32_t access = cr->access, maximal = 0;

	/*
	 * Asked of the descriptor just opened, which is the file (a symlink
	 * opened as one is not: its target's rights are asked by name).
	 */
	if (((access & MAXIMUM_ALLOWED) || (cr->cc.seen & SMB2_CCTX_MXAC)) &&
	    !cr->islink)
		maximal = smb2_access_fd(t, &cr->vs, cr->real, cr->fd, &cr->st,
		    UINT32_MAX, 0);
	else if ((access & MAXIMUM_ALLOWED) || (cr->cc.seen & SMB2_CCTX_MXAC))
		maximal = smb2_maximal_access(t, &cr->vs, cr->real);
	if (access & MAXIMUM_ALLOWED) {
		access &= ~MAXIMUM_ALLOWED;
		access |= maximal;
		/* A read-only file is not granted writing (MS-FSA). */
		if (cr->readonly || cr->readonly_fd ||
		    (!cr->isdir && (cr->oflags & O_ACCMODE) == O_RDONLY))
			access &= ~(FILE_WRITE_DATA | FILE_APPEND_DATA);
	}
	o = smb2_open_new(c, req);
	o->fd = cr->fd;
	o->is_dir = cr->isdir;
	o->path = cr->real;
	o->st = cr->st;
	o->access = access;
	o->share_access = cr->share;
	o->create_options = cr->opts;
	o->delete_on_close = (cr->opts & FILE_DELETE_ON_CLOSE) != 0;
	if (cr->meta_read) {
		struct meta_file mf;

		smb2_meta_compose(t, cr->real, cr->meta_rc == 0 ? &cr->di :
		    NULL, &cr->st, 1, &mf);
		o->file_attributes = mf.attrs;
	} else
		o->file_attributes = smb2_file_attributes(t, cr->real,
		    &cr->st);
	cr->fd = -1;
	cr->real = NULL;
	memset(&x, 0, sizeof(x));
	if (cr->action != FILE_OPENED) {
		x.store_meta = 1;
		x.created = cr->created;
		x.attrs = cr->attrs;
		x.eas = cr->eas;
		x.neas = cr->neas;
	} else
		free(cr->eas);
	cr->eas = NULL;
	/* An open that changes nothing reports what create_disposition read. */
	if (cr->meta_read && cr->action == FILE_OPENED) {
		x.meta_ok = 1;
		x.meta_stored = cr->meta_rc == 0;
		x.di = cr->di;
	}
	x.cctx = cr->cc.seen;
	x.maximal = maximal;
	x.truncate = !cr->isdir && cr->found &&
	    (cr->action == FILE_OVERWRITTEN || cr->action == FILE_SUPERSEDED);
	/* SecD: the descriptor of a file this CREATE made. */
	if ((cr->cc.seen & SMB2_CCTX_SECD) && cr->created &&
	    rbuf_left(&cr->cc.secd) > 0) {
		x.secd_len = rbuf_left(&cr->cc.secd);
		x.secd = xmalloc(x.secd_len);
		memcpy(x.secd, rbuf_cur(&cr->cc.secd), x.secd_len);
	}
	/* AlSi: reserve space for a new or overwritten file. */
	if ((cr->cc.seen & SMB2_CCTX_ALSI) && !cr->isdir &&
	    cr->action != FILE_OPENED)
		x.alloc = cr->cc.alloc_size;
	create_oplock(c, cr, &x);
	klease_before(o, &x.oplock, &x.lease);
	create_durable(cr, &x, o->path);
	return create_register(c, req, o, cr->action, cr->created, &x);
}

/* Undo what a failed attempt made, so that it may be tried again. */
static void
create_undo(struct create_req *cr)
{
	free(cr->eas);
	cr->eas = NULL;
	cr->neas = 0;
	if (cr->fd != -1)
		close(cr->fd);
	cr->fd = -1;
	if (cr->created)
		vfs_unlink(&cr->vs, cr->real, cr->isdir ? AT_REMOVEDIR : 0);
}

/* The file a named stream belongs to: found, or made as Windows does. */
static uint32_t
create_stream_base(struct create_req *cr)
{
	struct smb2_tree *t = cr->t;
	const char *at = *cr->real == '\0' ? "." : cr->real;

	/* A named stream is data, never a directory (MS-FSA 2.1.5.1). */
	if (cr->opts & FILE_DIRECTORY_FILE)
		return NT_STATUS_NOT_A_DIRECTORY;
	if (cr->stype == STREAM_TYPE_INDEX)
		return NT_STATUS_OBJECT_NAME_INVALID;
	if (!cr->found) {
		if (cr->disp == FILE_OPEN || cr->disp == FILE_OVERWRITE)
			return NT_STATUS_OBJECT_NAME_NOT_FOUND;
		if (!t->writeable)
			return NT_STATUS_ACCESS_DENIED;
		cr->fd = vfs_open(&cr->vs, cr->real, O_RDONLY | O_CREAT |
		    O_EXCL, create_mode(cr, 0));
		if (cr->fd == -1)
			return errno == ENOENT ?
			    NT_STATUS_OBJECT_PATH_NOT_FOUND :
			    ntstatus_from_errno(errno);
		cr->created = STREAM_CREATED_BASE;
	} else if ((cr->fd = vfs_open(&cr->vs, at, O_RDONLY | O_NONBLOCK,
	    0)) == -1) {
		/* (Non-blocking: a FIFO in the share must not hang us.) */
		if (errno == EWOULDBLOCK && klease_share(t))
			return CREATE_LEASED;
		return errno == ENOENT ? NT_STATUS_OBJECT_NAME_NOT_FOUND :
		    ntstatus_from_errno(errno);
	}
	if (fstat(cr->fd, &cr->st) == -1)
		return ntstatus_from_errno(errno);
	return NT_STATUS_SUCCESS;
}

/* The stream's disposition, and whether this user may do that. */
static uint32_t
create_stream_disposition(struct create_req *cr)
{
	struct smb2_tree *t = cr->t;
	const char *at = *cr->real == '\0' ? "." : cr->real;
	uint32_t status;

	if (cr->access & MAXIMUM_ALLOWED) {
		cr->access &= ~MAXIMUM_ALLOWED;
		cr->access |= smb2_maximal_access(t, &cr->vs, at);
	}
	/*
	 * Writing a stream writes an xattr of the file, which the kernel
	 * allows only to who may write the file (asked of the descriptor
	 * opened below the share root, not of a path).
	 */
	if ((cr->access & CREATE_WRITING) && (!t->writeable ||
	    faccessat(cr->fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) == -1))
		return NT_STATUS_ACCESS_DENIED;
	if ((cr->opts & FILE_DELETE_ON_CLOSE) && !(cr->access & DELETE))
		return NT_STATUS_ACCESS_DENIED;
	if ((cr->sfound = smb2_stream_find(cr->fd, cr->vn.stream,
	    &cr->stream)) == -1)
		return ntstatus_from_errno(errno);
	if ((status = create_action(cr->disp, cr->sfound, &cr->action)) !=
	    NT_STATUS_SUCCESS)
		return status;
	if (cr->action != FILE_OPENED && !t->writeable)
		return NT_STATUS_ACCESS_DENIED;
	return NT_STATUS_SUCCESS;
}

/*
 * A new stream is made now, empty; an existing one that is overwritten
 * is emptied only once lockd grants the open (create_granted).
 */
static uint32_t
create_stream_open(struct create_req *cr)
{
	if (cr->sfound)
		return NT_STATUS_SUCCESS;
	cr->stream = xstrdup(cr->vn.stream);
	if (smb2_stream_make(cr->fd, cr->stream, 0) == -1)
		return smb2_stream_status(errno);
	cr->created |= STREAM_CREATED_STREAM;
	return NT_STATUS_SUCCESS;
}

static void
create_stream_undo(struct create_req *cr)
{
	if (cr->fd != -1 && (cr->created & STREAM_CREATED_STREAM))
		smb2_stream_unmake(cr->fd, cr->stream);
	if (cr->fd != -1)
		close(cr->fd);
	cr->fd = -1;
	if (cr->created & STREAM_CREATED_BASE)
		vfs_unlink(&cr->vs, cr->real, 0);
	cr->created = 0;
	free(cr->stream);
	cr->stream = NULL;
}

/* A named stream: its own steps, then registered as any open is. */
static uint32_t
create_stream(struct smb2_conn *c, struct smb2_req *req,
    struct create_req *cr)
{
	struct create_extra x;
	struct smb2_open *o;
	uint32_t status;

	if ((status = create_stream_base(cr)) != NT_STATUS_SUCCESS ||
	    (status = create_stream_disposition(cr)) != NT_STATUS_SUCCESS ||
	    (status = create_stream_open(cr)) != NT_STATUS_SUCCESS) {
		create_stream_undo(cr);
		return status;
	}
	o = smb2_open_new(c, req);
	o->fd = cr->fd;
	o->path = cr->real;
	o->stream = cr->stream;
	smb2_stream_stat(o, &cr->st);
	o->st = cr->st;
	o->access = cr->access;
	o->share_access = cr->share;
	o->create_options = cr->opts;
	o->delete_on_close = (cr->opts & FILE_DELETE_ON_CLOSE) != 0;
	o->file_attributes = smb2_stream_attributes(o,
	    smb2_file_attributes(cr->t, cr->real, &cr->st));
	cr->fd = -1;
	cr->real = NULL;
	cr->stream = NULL;
	/* A file made for its first stream gets its metadata. */
	if (cr->created & STREAM_CREATED_BASE)
		smb2_meta_create_store(o, 1, cr->attrs);
	memset(&x, 0, sizeof(x));
	x.truncate = cr->sfound && cr->action != FILE_OPENED;
	/*
	 * MxAc and QFid are answered for a stream too; its File-ID is its
	 * file's, as on Windows (smb2.fileid).
	 */
	x.cctx = cr->cc.seen & (SMB2_CCTX_MXAC | SMB2_CCTX_QFID);
	if (cr->cc.seen & SMB2_CCTX_MXAC)
		x.maximal = smb2_maximal_access(cr->t, &cr->vs, o->path);
	create_oplock(c, cr, &x);
	create_durable(cr, &x, o->path);
	return create_register(c, req, o, cr->action, cr->created, &x);
}

/*
 * A file or directory: look, decide, open; a name that another open
 * creates between our look and our create is looked at once more.
 */
static uint32_t
create_file(struct smb2_conn *c, struct smb2_req *req, struct create_req *cr)
{
	uint32_t status;
	char *want;
	int raced = 0;

	for (;;) {
		if ((status = create_lookup(cr)) == NT_STATUS_SUCCESS &&
		    (status = create_disposition(c, cr)) ==
		    NT_STATUS_SUCCESS &&
		    (status = create_open(cr)) == NT_STATUS_SUCCESS)
			return create_finish(c, req, cr);
		create_undo(cr);
		/*
		 * Another open created the name between our lookup and our
		 * create: a disposition that accepts an existing file looks
		 * again and opens it (smb2.create.mkdir-dup races two of
		 * them).
		 */
		if (status != NT_STATUS_OBJECT_NAME_COLLISION || cr->found ||
		    cr->created || cr->disp == FILE_CREATE || raced)
			return status;
		raced = 1;
		want = cr->real;
		cr->real = NULL;
		if (cr->pathfd != -1)
			close(cr->pathfd);
		cr->meta_read = 0;
		status = vfs_resolve_fd(&cr->vs, want, &cr->real, &cr->found,
		    &cr->pathfd);
		free(want);
		if (status != NT_STATUS_SUCCESS)
			return status;
	}
}

static void
create_retry_free(struct create_retry *r)
{
	if (r->ev != NULL)
		event_free(r->ev);
	wbuf_free(&r->out);
	free(r->msg);
	free(r);
}

static void
create_retry_cancel(struct smb2_conn *c, struct smb2_async *a)
{
	struct create_retry *r = a->arg;

	smb2_async_complete(c, a, NT_STATUS_CANCELLED, NULL, 0);
	create_retry_free(r);
}

static void
create_retry_run(evutil_socket_t fd, short what, void *arg)
{
	struct create_retry *r = arg;
	struct smb2_conn *c = r->c;
	struct timeval tv = { 0, CREATE_RETRY_MS * 1000 };
	uint32_t status;

	r->req.sess = smb2_session_find(c, r->req.hdr.session_id);
	r->req.tree = r->req.sess == NULL ? NULL :
	    smb2_tree_find(r->req.sess, r->req.hdr.tree_id);
	if (r->req.tree == NULL) {
		status = NT_STATUS_NETWORK_NAME_DELETED;
		goto done;
	}
	rbuf_init(&r->req.msg, r->msg, r->len);
	rbuf_init(&r->req.body, r->msg + SMB2_HDR_LEN, r->len - SMB2_HDR_LEN);
	wbuf_reset(&r->out);
	create_retrying = r;
	status = smb2_cmd_create(c, &r->req);
	create_retrying = NULL;
	if (status == SMB2_DEFER) {
		/* Registered with lockd, whose answer completes it. */
		r->a = NULL;
		create_retry_free(r);
		return;
	}
	if (status == CREATE_LEASED) {
		if (time_mono_ms() < r->deadline) {
			evtimer_add(r->ev, &tv);
			return;
		}
		status = NT_STATUS_SHARING_VIOLATION;
	}
 done:
	smb2_async_complete(c, r->a, status, NULL, 0);
	create_retry_free(r);
}

/*
 * The first EWOULDBLOCK: go async, unless the CREATE is not the last of
 * its chain or the connection is at "max async requests", where it
 * fails as a sharing violation would.
 */
static uint32_t
create_retry_start(struct smb2_conn *c, struct smb2_req *req)
{
	struct create_retry *r;
	struct timeval tv = { 0, CREATE_RETRY_MS * 1000 };

	if (c->work == NULL || &c->work->req != req ||
	    c->work->off < c->work->framelen || smb2_async_full(c))
		return NT_STATUS_SHARING_VIOLATION;
	r = xcalloc(1, sizeof(*r));
	r->c = c;
	r->len = req->msg.len;
	r->msg = xmalloc(r->len);
	memcpy(r->msg, req->msg.data, r->len);
	r->req = *req;
	wbuf_init(&r->out, 256);
	r->req.out = &r->out;
	r->deadline = time_mono_ms() + 1000 *
	    (uint64_t)(klease_break_time() + 1);
	if ((r->ev = evtimer_new(c->base, create_retry_run, r)) == NULL ||
	    evtimer_add(r->ev, &tv) == -1) {
		create_retry_free(r);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	r->a = smb2_async_new(c, req, create_retry_cancel, r);
	if (log_getverbose() >= 2)
		log_debug("%s: CREATE waits for a file lease to be let go",
		    c->peer);
	return SMB2_ASYNC;
}

uint32_t
smb2_cmd_create(struct smb2_conn *c, struct smb2_req *req)
{
	struct create_req cr;
	uint32_t status;

	/* "max open files": every handle of the connection counts. */
	if (smb2_open_count() >= (size_t)c->conf->g.max_open_files) {
		if (!c->opens_warned)
			log_warnx("%s: %zu files open, the limit (max open "
			    "files); refusing more with "
			    "STATUS_TOO_MANY_OPENED_FILES", c->peer,
			    smb2_open_count());
		c->opens_warned = 1;
		return NT_STATUS_TOO_MANY_OPENED_FILES;
	}
	memset(&cr, 0, sizeof(cr));
	cr.t = req->tree;
	cr.fd = -1;
	cr.pathfd = -1;
	if ((status = create_parse(c, req, &cr)) != NT_STATUS_SUCCESS) {
		free(cr.name);
		return status;
	}
	if (smb2_durable_replay(c, req, &cr.cc)) {
		free(cr.name);
		return NT_STATUS_SUCCESS;
	}
	if (cr.reconnect) {
		status = smb2_durable_reconnect(c, req, &cr.cc,
		    cr.lease.version != 0 ? &cr.lease : NULL, cr.name);
		free(cr.name);
		return status;
	}
	if (cr.t->ipc) {
		status = create_pipe(c, req, cr.name);
		free(cr.name);
		return status;
	}
	status = create_check(c, &cr);
	free(cr.name);
	if (status == NT_STATUS_SUCCESS)
		status = vfs_resolve_fd(&cr.vs, cr.vn.path, &cr.real,
		    &cr.found, &cr.pathfd);
	if (status == NT_STATUS_SUCCESS)
		status = cr.vn.stream != NULL ? create_stream(c, req, &cr) :
		    create_file(c, req, &cr);
	vfs_name_free(&cr.vn);
	free(cr.real);
	if (cr.pathfd != -1)
		close(cr.pathfd);
	if (status == CREATE_LEASED && create_retrying == NULL)
		status = create_retry_start(c, req);
	return status;
}
