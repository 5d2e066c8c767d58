/*
 * CLOSE (MS-SMB2 2.2.15, 2.2.16, 3.3.5.10), and the closing of an open
 * that every other way of ending one shares: lockd hears of it, and the
 * last open of a delete-pending file or stream removes it.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "log.h"
#include "meta.h"
#include "ntstatus.h"
#include "session.h"
#include "session_ident.h"
#include "smb2.h"
#include "smb2_close.h"
#include "smb2_create.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_meta.h"
#include "smb2_notify.h"
#include "smb2_oplock.h"
#include "smb2_pipe.h"
#include "smb2_stream.h"
#include "smb2_tree.h"
#include "smb2_wtime.h"
#include "util.h"
#include "vfs.h"

#define SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB 0x0001

/* After lockd's answer to a CLOSE: remove the file if told to. */
struct close_wait {
	struct smb2_conn	*c;	/* NULL: nobody waits for a response */
	int			 rootfd;
	char			*path;
	char			*stream;	/* a named stream's name */
	int			 is_dir;
	int			 has_parent;	/* parent_key is set */
	uint8_t			 parent_key[16];
};

static void
close_lockd_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct close_wait *cw = arg;
	uint32_t flags = 0;

	rbuf_get_u32le(r, &flags);
	if (status == NT_STATUS_SUCCESS && cw->stream != NULL &&
	    cw->rootfd != -1)
		smb2_stream_closed(cw->rootfd, cw->path, cw->stream, flags);
	else if (status == NT_STATUS_SUCCESS && (flags & LOCKD_CLOSE_DELETE) &&
	    cw->rootfd != -1) {
		struct vfs_share sh = { .rootfd = cw->rootfd };

		if (vfs_unlink(&sh, cw->path,
		    cw->is_dir ? AT_REMOVEDIR : 0) == -1)
			log_warn("delete on close: %s", cw->path);
		else
			smb2_oplock_dir_changed(cw->rootfd, cw->path,
			    cw->has_parent ? cw->parent_key : NULL);
	}
	free(cw->path);
	free(cw->stream);
	if (cw->c != NULL)
		smb2_conn_resume(cw->c);
	free(cw);
}

/*
 * Close an open: tell lockd, delete the file if it was the last open of
 * a delete-pending file.  With c set, the current request waits for it.
 */
uint32_t
smb2_close_open(struct smb2_conn *c, struct smb2_open *o)
{
	struct close_wait *cw;
	uint8_t body[8];
	uint64_t h = o->lockd_handle;

	/*
	 * A logoff or a lost connection closes opens of every tree: each
	 * as whom its share acts (the sticky write time, delete on close).
	 */
	session_ident_tree(o->tree);
	if (o->pipe != NULL)
		smb2_pipe_close(o->pipe);
	o->pipe = NULL;
	if (h == 0) {
		/* Its CREATE still waits for lockd: lockd's answer drops it. */
		smb2_create_abandon(o);
		smb2_open_free(c, o);
		return NT_STATUS_SUCCESS;
	}
	cw = xcalloc(1, sizeof(*cw));
	cw->c = c;
	cw->rootfd = o->tree->ss != NULL ? o->tree->ss->rootfd : -1;
	cw->path = xstrdup(o->path);
	if (o->stream != NULL)
		cw->stream = xstrdup(o->stream);
	cw->is_dir = o->is_dir;
	if (smb2_oplock_parent_key(o) != NULL) {
		cw->has_parent = 1;
		memcpy(cw->parent_key, smb2_oplock_parent_key(o), 16);
	}
	/* Its new size and times show in its directory now. */
	if (o->changed && o->stream == NULL)
		smb2_oplock_dir_changed(cw->rootfd, o->path,
		    smb2_oplock_parent_key(o));
	if (o->is_dir && o->delete_on_close && o->stream == NULL)
		smb2_notify_delete_pending(o);
	smb2_open_free(c, o);
	memcpy(body, &h, 8);
	if (lockd_client_request(LOCKD_OP_CLOSE, body, sizeof(body),
	    close_lockd_reply, cw) == -1) {
		free(cw->path);
		free(cw->stream);
		free(cw);
		return NT_STATUS_SUCCESS;
	}
	if (c == NULL)
		return NT_STATUS_SUCCESS;
	c->waiting = 1;
	return SMB2_DEFER;
}

/* A CLOSE that makes its file's delete pending, while lockd breaks. */
struct close_delete {
	struct smb2_conn	*c;
	uint64_t		 persistent_id;
	uint64_t		 volatile_id;
	uint8_t			*body;		/* the CLOSE response */
	size_t			 len;
};

/*
 * The delete is pending now, other clients have given up caching
 * handles of the file: close as any CLOSE does.  Once the request went
 * async, lockd's answer to the close is not waited for.
 */
static uint32_t
close_delete_done(uint32_t status, void *arg, struct wbuf *out)
{
	struct close_delete *cd = arg;
	struct smb2_open *o;

	o = smb2_open_find(cd->persistent_id, cd->volatile_id);
	if (out == NULL || o == NULL) {
		/* The client no longer waits, or a CLOSE came first. */
		if (o != NULL)
			(void)smb2_close_open(NULL, o);
		status = o == NULL ? NT_STATUS_FILE_CLOSED : status;
	} else if (cd->c->work != NULL && out == cd->c->work->req.out) {
		/* Still the current request: the body is in place. */
		status = smb2_close_open(cd->c, o);
	} else {
		(void)smb2_close_open(NULL, o);
		wbuf_reset(out);
		wbuf_put_bytes(out, cd->body, cd->len);
		status = NT_STATUS_SUCCESS;
	}
	free(cd->body);
	free(cd);
	return status;
}

/*
 * A CLOSE of an open with delete on close makes the file's delete
 * pending: other clients' handle caching is broken first, and the CLOSE
 * waits for it, as for FileDispositionInformation (smbtorture
 * smb2.lease.unlink).  lockd answers at once when nobody caches.
 */
static uint32_t
close_delete_first(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o)
{
	struct close_delete *cd;
	uint8_t body[12];
	uint32_t on = 1;

	cd = xcalloc(1, sizeof(*cd));
	cd->c = c;
	cd->persistent_id = o->persistent_id;
	cd->volatile_id = o->volatile_id;
	cd->len = wbuf_len(req->out);
	cd->body = xmalloc(cd->len);
	memcpy(cd->body, wbuf_data(req->out), cd->len);
	memcpy(body, &o->lockd_handle, 8);
	memcpy(body + 8, &on, 4);
	if (smb2_oplock_request(c, LOCKD_OP_SET_DELETE, body, sizeof(body),
	    close_delete_done, cd) == -1) {
		free(cd->body);
		free(cd);
		return smb2_close_open(c, o);
	}
	return SMB2_DEFER;
}

/* Every open of a tree that goes away is closed with it. */
void
smb2_tree_close_files(struct smb2_tree *t)
{
	struct smb2_open *o;

	while ((o = TAILQ_FIRST(&t->files)) != NULL) {
		/*
		 * A durable open outlives its session's LOGOFF, to be
		 * reclaimed by a later session (MS-SMB2 3.3.5.6;
		 * doc/durable.md); a TREE_DISCONNECT closes it.
		 */
		if (t->session_ends && o->durable != 0 &&
		    o->lockd_handle != 0 && !o->delete_on_close &&
		    smb2_durable_detach(o) == 0)
			continue;
		smb2_close_open(NULL, o);
	}
}

uint32_t
smb2_cmd_close(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_open *o;
	struct rbuf r = req->body;
	struct stat st;
	struct meta_file mf;
	uint16_t ssize, flags;
	uint32_t reserved, attrs = 0;
	uint8_t id[16];
	int have = 0;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u16le(&r, &flags);
	rbuf_get_u32le(&r, &reserved);
	rbuf_get_bytes(&r, id, 16);
	if (rbuf_error(&r))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	/* A write time still owed is set before it is reported. */
	smb2_wt_close(o);
	if ((flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) && o->fd != -1 &&
	    fstat(o->fd, &st) == 0) {
		smb2_stream_stat(o, &st);
		if (o->stream == NULL)
			smb2_wt_stat(o, &st);
		have = 1;
		smb2_file_meta(o->tree, o->path, o->fd, &st, &mf);
		mf.attrs = smb2_stream_attributes(o, mf.attrs);
		attrs = mf.attrs;
	}
	wbuf_reset(req->out);
	wbuf_put_u16le(req->out, 60);
	wbuf_put_u16le(req->out, have ? SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB : 0);
	wbuf_put_u32le(req->out, 0);
	if (have)
		smb2_put_meta_times_sizes(req->out, &st, &mf,
		    o->alloc_reserved);
	else
		wbuf_put_zero(req->out, 48);
	wbuf_put_u32le(req->out, attrs);
	if (o->delete_on_close && o->lockd_handle != 0 && o->pipe == NULL)
		return close_delete_first(c, req, o);
	return smb2_close_open(c, o);
}
