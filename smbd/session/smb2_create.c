/*
 * CREATE and CLOSE (MS-SMB2 2.2.13-2.2.16, 3.3.5.9, 3.3.5.10; MS-FSA
 * 2.1.5.1 for what opening a file means).
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

#include "buf.h"
#include "conf.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "log.h"
#include "ntstatus.h"
#include "session.h"
#include "smb2.h"
#include "smb2_cctx.h"
#include "smb2_conn.h"
#include "smb2_create.h"
#include "smb2_file.h"
#include "smb2_info.h"
#include "smb2_notify.h"
#include "smb2_meta.h"
#include "meta.h"
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

#define SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB 0x0001

#define FILE_GENERIC_READ	0x00120089
#define FILE_GENERIC_WRITE	0x00120116
#define FILE_GENERIC_EXECUTE	0x001200a0
#define FILE_ALL_ACCESS		0x001f01ff
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
};

/* Where a CREATE waits for lockd. */
struct create_wait {
	struct smb2_conn	*c;
	struct smb2_open	*o;
	uint32_t		 action;
	int			 created;	/* remove again on refusal */
	struct create_extra	 x;
};

uint32_t
smb2_map_generic(uint32_t access)
{
	if (access & GENERIC_READ)
		access |= FILE_GENERIC_READ;
	if (access & GENERIC_WRITE)
		access |= FILE_GENERIC_WRITE;
	if (access & GENERIC_EXECUTE)
		access |= FILE_GENERIC_EXECUTE;
	if (access & GENERIC_ALL)
		access |= FILE_ALL_ACCESS;
	return access & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE |
	    GENERIC_ALL);
}

/*
 * What this user may do with the file, as far as the kernel says: the
 * basis of MAXIMUM_ALLOWED, of the MxAc context and of the access check
 * of CREATE.  The data rights come from the kernel's verdict on the
 * POSIX ACL (faccessat), mapped as the descriptor maps rwx
 * (smb2_secdesc.c): r is FILE_GENERIC_READ, w FILE_GENERIC_WRITE, x
 * FILE_GENERIC_EXECUTE.  The owner also holds WRITE_DAC (it may chmod
 * and set ACLs whatever the mode), and with read and write access
 * everything: a new file has no x bit (create mask 0666), yet Windows
 * gives its owner full control, 0x1f01ff (smb2.create.blob), and
 * executing a file over SMB is reading it.  DELETE is the kernel's rule
 * for unlink: a writable parent directory.
 */
uint32_t
smb2_maximal_access(const struct smb2_tree *t, const struct vfs_share *vs,
    const char *path)
{
	uint32_t a = FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE;
	struct stat st;
	const char *last;
	int fd, pfd, r, w, x, isdir, owner;

	/*
	 * The file and its directory are opened below the share root like
	 * every path (vfs_open), and the kernel is asked about those
	 * descriptors, so no symlink among the parents leads elsewhere.
	 */
	if (strcmp(path, ".") == 0)
		path = "";
	if ((fd = vfs_open(vs, path, O_PATH, 0)) == -1)
		return a & t->maximal_access;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return a & t->maximal_access;
	}
	isdir = S_ISDIR(st.st_mode);
	owner = st.st_uid == geteuid();
	r = faccessat(fd, "", R_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
	w = t->writeable &&
	    faccessat(fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
	x = faccessat(fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
	close(fd);
	if (r)
		a |= FILE_GENERIC_READ;
	if (x)
		a |= FILE_GENERIC_EXECUTE;
	if (w)
		a |= FILE_GENERIC_WRITE | (isdir ? FILE_DELETE_CHILD : 0);
	if (owner && t->writeable) {
		a |= WRITE_DAC;
		if (r && w && (x || !isdir))
			a |= FILE_ALL_ACCESS;
	}
	if (t->writeable && *path != '\0' &&
	    (pfd = vfs_open_parent(vs, path, &last)) != -1) {
		if (faccessat(pfd, "", W_OK | X_OK,
		    AT_EACCESS | AT_EMPTY_PATH) == 0)
			a |= DELETE;
		close(pfd);
	}
	return a & t->maximal_access;
}

/* DOS attributes of a file as clients see them (smb2_meta.c). */
uint32_t
smb2_file_attributes(const struct smb2_tree *t, const char *path,
    const struct stat *st)
{
	struct meta_file mf;

	smb2_file_meta(t, path, -1, st, &mf);
	return mf.attrs;
}

/*
 * CreationTime, LastAccessTime, LastWriteTime and ChangeTime, as every
 * info class, directory entry and CREATE report them.
 */
void
smb2_put_times(struct wbuf *w, const struct stat *st)
{
	struct timespec btime = st->st_ctim;

	/* Without a stored create time the oldest known time stands in. */
	if (st->st_mtim.tv_sec < btime.tv_sec)
		btime = st->st_mtim;
	wbuf_put_u64le(w, smb2_filetime(&btime));
	wbuf_put_u64le(w, smb2_filetime(&st->st_atim));
	wbuf_put_u64le(w, smb2_filetime(&st->st_mtim));
	wbuf_put_u64le(w, smb2_filetime(&st->st_ctim));
}

/* The four times, then AllocationSize and EndOfFile. */
void
smb2_put_times_sizes(struct wbuf *w, const struct stat *st)
{
	smb2_put_times(w, st);
	wbuf_put_u64le(w, smb2_alloc_size(st, 0));
	wbuf_put_u64le(w, S_ISDIR(st->st_mode) ? 0 : (uint64_t)st->st_size);
}

static void
create_response(struct smb2_req *req, struct smb2_open *o, uint32_t action,
    uint32_t cctx, uint32_t maximal)
{
	struct meta_file mf;
	uint8_t id[16], data[32];
	size_t prev = (size_t)-1, start;

	smb2_open_fileid(o, id);
	if (o->pipe == NULL) {
		if (o->fd != -1 && fstat(o->fd, &o->st) == 0) {
			smb2_stream_stat(o, &o->st);
			if (o->stream == NULL)
				smb2_wt_stat(o, &o->st);
		}
		smb2_file_meta(o->tree, o->path, o->fd, &o->st, &mf);
		o->file_attributes = mf.attrs =
		    smb2_stream_attributes(o, mf.attrs);
	} else {
		memset(&mf, 0, sizeof(mf));
		mf.create_time = smb2_filetime(&o->st.st_ctim);
	}
	wbuf_reset(req->out);
	wbuf_put_u16le(req->out, 89);
	wbuf_put_u8(req->out, 0);	/* OplockLevel: none granted yet */
	wbuf_put_u8(req->out, 0);	/* Flags */
	wbuf_put_u32le(req->out, action);
	smb2_put_meta_times_sizes(req->out, &o->st, &mf,
	    o->alloc_reserved);
	wbuf_put_u32le(req->out, o->file_attributes);
	wbuf_put_u32le(req->out, 0);	/* Reserved2 */
	wbuf_put_bytes(req->out, id, 16);
	wbuf_put_u32le(req->out, 0);	/* CreateContextsOffset */
	wbuf_put_u32le(req->out, 0);	/* CreateContextsLength */
	start = wbuf_len(req->out);
	if (cctx & SMB2_CCTX_MXAC) {
		/* QueryStatus, then MaximalAccess (MS-SMB2 2.2.14.2.5). */
		memset(data, 0, 8);
		data[4] = (uint8_t)maximal;
		data[5] = (uint8_t)(maximal >> 8);
		data[6] = (uint8_t)(maximal >> 16);
		data[7] = (uint8_t)(maximal >> 24);
		smb2_cctx_put(req->out, &prev, "MxAc", data, 8);
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
		smb2_cctx_put(req->out, &prev, "QFid", data, 32);
	}
	if (prev != (size_t)-1) {
		wbuf_set_u32le(req->out, 80, (uint32_t)(SMB2_HDR_LEN + start));
		wbuf_set_u32le(req->out, 84,
		    (uint32_t)(wbuf_len(req->out) - start));
	}
}

/*
 * Truncate, reserve space, store attributes and EAs now that the open is
 * granted, so that a refused open changes nothing of someone's file.
 */
static uint32_t
create_granted(struct smb2_open *o, const struct create_extra *x)
{
	uint32_t status;

	if (x->truncate && ftruncate(o->fd, 0) == -1)
		return ntstatus_from_errno(errno);
	/* Overwriting a file replaces its named streams too. */
	if (x->truncate)
		smb2_stream_remove_all(o->fd);
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
create_lockd_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct create_wait *cw = arg;
	struct smb2_conn *c = cw->c;
	struct smb2_req *req = &c->work->req;
	struct smb2_open *o = cw->o;
	uint64_t handle = 0;
	uint32_t oflags = 0;

	rbuf_get_u64le(r, &handle);
	rbuf_get_u32le(r, &oflags);
	if (status != NT_STATUS_SUCCESS) {
		if (cw->created && o->stream != NULL)
			smb2_stream_undo_create(o, cw->created);
		else if (cw->created && o->tree->ss != NULL)
			smb2_open_unlink(o);
		smb2_open_free(c, o);
		req->status = status;
	} else {
		o->lockd_handle = handle;
		/* The file has byte-range locks: IO must ask (smb2_lock.c). */
		o->brl = (oflags & LOCKD_OPENED_BRL) != 0;
		req->status = create_granted(o, &cw->x);
		if (req->status == NT_STATUS_SUCCESS)
			create_response(req, o, cw->action, cw->x.cctx,
			    cw->x.maximal);
		else {
			/* A refused SecD leaves no new file behind. */
			if (cw->created && o->stream == NULL &&
			    o->tree->ss != NULL)
				smb2_open_unlink(o);
			smb2_close_open(NULL, o);
		}
	}
	free(cw->x.eas);
	free(cw->x.secd);
	free(cw);
	smb2_conn_resume(c);
}

/* Register the open with lockd; the CREATE completes in the reply. */
static uint32_t
create_register(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, uint32_t action, int created,
    const struct create_extra *x)
{
	struct create_wait *cw;
	uint8_t mem[64 + LOCKD_MAX_STREAM_NAME];
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
	cw = xcalloc(1, sizeof(*cw));
	cw->c = c;
	cw->o = o;
	cw->action = action;
	cw->created = created;
	cw->x = *x;
	/* lockd learns which file from the descriptor (invariant 8). */
	if (lockd_client_request_fd(LOCKD_OP_OPEN, wbuf_data(&w),
	    wbuf_len(&w), o->fd, create_lockd_reply, cw) == -1) {
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
	create_response(req, o, FILE_OPENED, 0, 0);
	return NT_STATUS_SUCCESS;
}

/* INVALID_PARAMETER, with the reason in the debug log. */
static uint32_t
create_invalid(struct smb2_conn *c, int why)
{
	log_debug("%s: CREATE refused as invalid (check %d)", c->peer, why);
	return NT_STATUS_INVALID_PARAMETER;
}

uint32_t
smb2_cmd_create(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_tree *t = req->tree;
	struct vfs_share vs;
	struct vfs_name vn;
	struct smb2_open *o;
	struct rbuf r = req->body, nameb;
	struct smb2_cctx cc;
	struct create_extra x;
	struct stat st;
	uint16_t ssize, noff, nlen;
	uint8_t secflags, oplock;
	uint32_t imp, access, attrs, share, disp, opts, ctxoff, ctxlen;
	uint32_t status, action, maximal = 0;
	uint64_t flags, reserved;
	char *name = NULL, *real = NULL;
	struct meta_ea *eas = NULL;
	size_t namelen, neas = 0;
	int found, fd = -1, oflags, created = 0, isdir = 0, stype;
	int trailing, islink, readonly_fd = 0, raced = 0, readonly = 0;
	int waslink = 0;

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
	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u8(&r, &secflags);
	rbuf_get_u8(&r, &oplock);
	rbuf_get_u32le(&r, &imp);
	rbuf_get_u64le(&r, &flags);
	rbuf_get_u64le(&r, &reserved);
	rbuf_get_u32le(&r, &access);
	rbuf_get_u32le(&r, &attrs);
	rbuf_get_u32le(&r, &share);
	rbuf_get_u32le(&r, &disp);
	rbuf_get_u32le(&r, &opts);
	rbuf_get_u16le(&r, &noff);
	rbuf_get_u16le(&r, &nlen);
	rbuf_get_u32le(&r, &ctxoff);
	rbuf_get_u32le(&r, &ctxlen);
	if (rbuf_error(&r))
		return create_invalid(c, 1);
	if (imp > 3)
		return NT_STATUS_BAD_IMPERSONATION_LEVEL;
	if (disp > FILE_OVERWRITE_IF)
		return create_invalid(c, 2);
	if ((opts & FILE_DIRECTORY_FILE) && (opts & FILE_NON_DIRECTORY_FILE))
		return create_invalid(c, 20);
	if (opts & CREATE_OPTIONS_RESERVED)
		return create_invalid(c, 21);
	/*
	 * MS-FSA 2.1.5.1: a directory cannot be superseded or
	 * overwritten.
	 */
	if ((opts & FILE_DIRECTORY_FILE) && (disp == FILE_SUPERSEDE ||
	    disp == FILE_OVERWRITE || disp == FILE_OVERWRITE_IF))
		return create_invalid(c, 24);
	if (opts & CREATE_OPTIONS_UNSUPPORTED)
		return NT_STATUS_NOT_SUPPORTED;
	if ((status = smb2_cctx_parse(&req->msg, ctxoff, ctxlen, &cc)) !=
	    NT_STATUS_SUCCESS)
		return create_invalid(c, 23);
	if (nlen % 2 != 0)
		return create_invalid(c, 3);
	if (nlen == 0)
		name = xstrdup("");
	else if (rbuf_sub(&req->msg, noff, nlen, &nameb) == -1 ||
	    utf16le_to_utf8(&nameb, nlen, &name, &namelen) == -1)
		return NT_STATUS_OBJECT_NAME_INVALID;
	if (name[0] == '\\') {
		free(name);
		return create_invalid(c, 4);
	}
	if (t->ipc) {
		status = create_pipe(c, req, name);
		free(name);
		return status;
	}

	access = smb2_map_generic(access);
	/*
	 * Reserved bits or no access at all are refused as Windows does
	 * (SYNCHRONIZE alone is fine: smb2.getinfo.getinfo_access); the
	 * SACL needs a privilege nobody here holds.
	 */
	if ((access & ~(FILE_ALL_ACCESS | MAXIMUM_ALLOWED |
	    ACCESS_SYSTEM_SECURITY)) != 0 || access == 0) {
		free(name);
		return NT_STATUS_ACCESS_DENIED;
	}
	if (access & ACCESS_SYSTEM_SECURITY) {
		free(name);
		return NT_STATUS_PRIVILEGE_NOT_HELD;
	}
	/*
	 * Windows looks at the desired access before the attributes: a
	 * reserved access bit with a volume attribute is ACCESS_DENIED
	 * (smb2.create.gentest).
	 */
	if (attrs & CREATE_ATTRS_INVALID) {
		free(name);
		return create_invalid(c, 22);
	}
	/*
	 * No previous versions are kept, and no durable handle exists to
	 * reconnect to.
	 */
	if (cc.seen & (SMB2_CCTX_TWRP | SMB2_CCTX_DHNC | SMB2_CCTX_DH2C)) {
		free(name);
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	/* A malformed SecD descriptor fails the CREATE before anything. */
	if ((cc.seen & SMB2_CCTX_SECD) && rbuf_left(&cc.secd) > 0 &&
	    (status = smb2_secdesc_check(rbuf_cur(&cc.secd),
	    rbuf_left(&cc.secd))) != NT_STATUS_SUCCESS) {
		free(name);
		return status;
	}
	/* Without streams a colon is no more than a character NTFS refuses. */
	if (!t->ss->share->streams && strchr(name, ':') != NULL) {
		free(name);
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	status = vfs_name_parse(name, &vn);
	free(name);
	if (status != NT_STATUS_SUCCESS)
		return status;
	vs.rootfd = t->ss->rootfd;
	vs.cfg = t->ss->share;
	vs.case_sensitive = t->ss->share->case_sensitive == CASE_SENSITIVE_YES;
	trailing = vn.trailing_sep;
	if (vfs_is_vetoed(&vs, vn.path)) {
		vfs_name_free(&vn);
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	if (vn.stream != NULL) {
		status = smb2_stream_create(c, req, &vs, &vn, access, share,
		    disp, opts, &o, &action, &created);
		vfs_name_free(&vn);
		if (status != NT_STATUS_SUCCESS)
			return status;
		/* A file made for its first stream gets its metadata. */
		if (created & STREAM_CREATED_BASE)
			smb2_meta_create_store(o, 1, attrs);
		memset(&x, 0, sizeof(x));
		/*
		 * MxAc and QFid are answered for a stream too; its File-ID
		 * is its file's, as on Windows (smb2.fileid).
		 */
		x.cctx = cc.seen & (SMB2_CCTX_MXAC | SMB2_CCTX_QFID);
		if (cc.seen & SMB2_CCTX_MXAC)
			x.maximal = smb2_maximal_access(t, &vs, o->path);
		return create_register(c, req, o, action, created, &x);
	}
	stype = vn.stream_type;
	status = vfs_resolve(&vs, vn.path, &real, &found);
	vfs_name_free(&vn);
	if (status != NT_STATUS_SUCCESS)
		return status;
 resolved:

	if (found && vfs_lstat(&vs, real, &st) == -1) {
		status = ntstatus_from_errno(errno);
		goto fail;
	}
	/*
	 * FILE_OPEN_REPARSE_POINT opens a symlink itself, so that a client
	 * can delete or rename one it cannot follow (one that leaves the
	 * share, or a dangling one); only plain opens, never to write.
	 */
	waslink = found && S_ISLNK(st.st_mode);
	islink = found && S_ISLNK(st.st_mode) &&
	    (opts & FILE_OPEN_REPARSE_POINT) &&
	    (disp == FILE_OPEN || disp == FILE_OPEN_IF) &&
	    !(opts & FILE_DIRECTORY_FILE);
	if (found && S_ISLNK(st.st_mode) && !islink) {
		/* Follow it, below the root only. */
		if ((fd = vfs_open(&vs, real, O_PATH, 0)) == -1 ||
		    fstat(fd, &st) == -1) {
			status = errno == ENOENT ?
			    NT_STATUS_OBJECT_NAME_NOT_FOUND :
			    ntstatus_from_errno(errno);
			goto fail;
		}
		close(fd);
		fd = -1;
	}
	isdir = found ? S_ISDIR(st.st_mode) : (opts & FILE_DIRECTORY_FILE) != 0;
	/* "dir::$DATA" and "file::$INDEX_ALLOCATION" */
	if ((status = smb2_stream_check_type(stype, isdir, opts)) !=
	    NT_STATUS_SUCCESS)
		goto fail;
	/* A trailing '\' names a directory only (MS-FSA 2.1.5.1). */
	if (trailing && (!isdir || (opts & FILE_NON_DIRECTORY_FILE))) {
		status = NT_STATUS_OBJECT_NAME_INVALID;
		goto fail;
	}

	switch (disp) {
	case FILE_OPEN:
	case FILE_OVERWRITE:
		if (!found) {
			status = NT_STATUS_OBJECT_NAME_NOT_FOUND;
			goto fail;
		}
		action = disp == FILE_OPEN ? FILE_OPENED : FILE_OVERWRITTEN;
		break;
	case FILE_CREATE:
		if (found) {
			status = NT_STATUS_OBJECT_NAME_COLLISION;
			goto fail;
		}
		action = FILE_CREATED;
		break;
	case FILE_SUPERSEDE:
		action = found ? FILE_SUPERSEDED : FILE_CREATED;
		break;
	case FILE_OPEN_IF:
		action = found ? FILE_OPENED : FILE_CREATED;
		break;
	default:
		action = found ? FILE_OVERWRITTEN : FILE_CREATED;
		break;
	}
	/*
	 * No file is stored encrypted here, so none is made so (what a
	 * standalone Windows or Samba server answers).
	 */
	if ((attrs & FILE_ATTRIBUTE_ENCRYPTED) && action != FILE_OPENED) {
		status = NT_STATUS_ACCESS_DENIED;
		goto fail;
	}
	if (found && isdir && (opts & FILE_NON_DIRECTORY_FILE)) {
		status = NT_STATUS_FILE_IS_A_DIRECTORY;
		goto fail;
	}
	if (found && !isdir && (opts & FILE_DIRECTORY_FILE)) {
		status = NT_STATUS_NOT_A_DIRECTORY;
		goto fail;
	}
	if (isdir && action != FILE_OPENED && action != FILE_CREATED) {
		status = create_invalid(c, 5);
		goto fail;
	}
	if ((opts & FILE_DELETE_ON_CLOSE) && !(access & (DELETE |
	    MAXIMUM_ALLOWED))) {
		status = NT_STATUS_ACCESS_DENIED;
		goto fail;
	}
	/* A read-only file cannot be deleted, on close or otherwise. */
	if ((opts & FILE_DELETE_ON_CLOSE) && !found &&
	    (attrs & FILE_ATTRIBUTE_READONLY)) {
		status = NT_STATUS_CANNOT_DELETE;
		goto fail;
	}
	if (action != FILE_OPENED && !t->writeable) {
		status = NT_STATUS_ACCESS_DENIED;
		goto fail;
	}
	/* Attribute rules and the ExtA EAs (smb2_meta.c). */
	if (found && (status = smb2_meta_create_check(t, real, &st, disp,
	    opts, attrs, &access, &readonly)) != NT_STATUS_SUCCESS)
		goto fail;
	/*
	 * The rights an open of an existing file asks for are checked
	 * against what the kernel grants (smb2_maximal_access), so that
	 * the open, MxAc and the descriptor agree: the kernel itself
	 * judges only the data rights, and only once it opens for them.
	 * DELETE stays with the kernel's unlink, which alone knows it.
	 */
	if (found && !waslink && (access & ~MAXIMUM_ALLOWED & CREATE_CHECKED &
	    ~smb2_maximal_access(t, &vs, real))) {
		status = NT_STATUS_ACCESS_DENIED;
		goto fail;
	}
	if ((status = smb2_meta_create_eas(&cc, &eas, &neas)) !=
	    NT_STATUS_SUCCESS)
		goto fail;
	if ((access & (FILE_WRITE_DATA | FILE_APPEND_DATA | DELETE |
	    FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA)) && !t->writeable) {
		status = NT_STATUS_ACCESS_DENIED;
		goto fail;
	}

	/* Create what does not exist yet, as the user. */
	if (!found && isdir) {
		const char *last;
		int pfd = vfs_open_parent(&vs, real, &last);

		if (pfd == -1 || mkdirat(pfd, last,
		    0777 & t->ss->share->directory_mask) == -1) {
			status = errno == ENOENT ?
			    NT_STATUS_OBJECT_PATH_NOT_FOUND :
			    ntstatus_from_errno(errno);
			if (pfd != -1)
				close(pfd);
			goto fail;
		}
		close(pfd);
		created = 1;
	}
	if (islink)
		oflags = O_PATH | O_NOFOLLOW;
	else if (isdir)
		oflags = O_RDONLY | O_DIRECTORY;
	else if (access & (FILE_WRITE_DATA | FILE_APPEND_DATA) ||
	    action != FILE_OPENED)
		oflags = (access & (FILE_READ_DATA | FILE_EXECUTE |
		    MAXIMUM_ALLOWED)) || action != FILE_OPENED ? O_RDWR :
		    O_WRONLY;
	else if ((access & MAXIMUM_ALLOWED) && t->writeable)
		/* Writable if the kernel allows it; see the fallback below. */
		oflags = O_RDWR;
	else
		oflags = O_RDONLY;
	if (!isdir && !found)
		oflags |= O_CREAT | O_EXCL;
	if ((opts & FILE_WRITE_THROUGH) && !islink)
		oflags |= O_DSYNC;
	fd = vfs_open(&vs, real, oflags, 0666 &
	    t->ss->share->create_mask);
	/*
	 * MAXIMUM_ALLOWED on an existing file the user may not write: open
	 * it for reading, and grant no write access below.
	 */
	if (fd == -1 && (errno == EACCES || errno == EROFS ||
	    errno == ETXTBSY) && (access & MAXIMUM_ALLOWED) && found &&
	    action == FILE_OPENED && (oflags & O_ACCMODE) == O_RDWR) {
		oflags = (oflags & ~O_ACCMODE) | O_RDONLY;
		fd = vfs_open(&vs, real, oflags, 0);
		readonly_fd = 1;
	}
	if (fd == -1 && errno == EACCES && oflags == O_RDONLY &&
	    !(access & (FILE_READ_DATA | FILE_EXECUTE)))
		/* Attributes only: a path fd is enough. */
		fd = vfs_open(&vs, real, O_PATH, 0);
	if (fd == -1) {
		status = errno == ENOENT ? NT_STATUS_OBJECT_PATH_NOT_FOUND :
		    ntstatus_from_errno(errno);
		goto fail;
	}
	if (!isdir && !found)
		created = 1;
	if (fstat(fd, &st) == -1) {
		status = ntstatus_from_errno(errno);
		goto fail;
	}
	if ((access & MAXIMUM_ALLOWED) || (cc.seen & SMB2_CCTX_MXAC))
		maximal = smb2_maximal_access(t, &vs, real);
	if (access & MAXIMUM_ALLOWED) {
		access &= ~MAXIMUM_ALLOWED;
		access |= maximal;
		/* A read-only file is not granted writing (MS-FSA). */
		if (readonly || readonly_fd ||
		    (!isdir && (oflags & O_ACCMODE) == O_RDONLY))
			access &= ~(FILE_WRITE_DATA | FILE_APPEND_DATA);
	}

	o = smb2_open_new(c, req);
	o->fd = fd;
	o->is_dir = isdir;
	o->path = real;
	o->st = st;
	o->access = access;
	o->share_access = share;
	o->create_options = opts;
	o->delete_on_close = (opts & FILE_DELETE_ON_CLOSE) != 0;
	o->file_attributes = smb2_file_attributes(t, real, &st);
	memset(&x, 0, sizeof(x));
	if (action != FILE_OPENED) {
		x.store_meta = 1;
		x.created = created;
		x.attrs = attrs;
		x.eas = eas;
		x.neas = neas;
	} else
		free(eas);
	eas = NULL;
	x.cctx = cc.seen;
	x.maximal = maximal;
	x.truncate = !isdir && found && (action == FILE_OVERWRITTEN ||
	    action == FILE_SUPERSEDED);
	/* SecD: the descriptor of a file this CREATE made. */
	if ((cc.seen & SMB2_CCTX_SECD) && created &&
	    rbuf_left(&cc.secd) > 0) {
		x.secd_len = rbuf_left(&cc.secd);
		x.secd = xmalloc(x.secd_len);
		memcpy(x.secd, rbuf_cur(&cc.secd), x.secd_len);
	}
	/* AlSi: reserve space for a new or overwritten file. */
	if ((cc.seen & SMB2_CCTX_ALSI) && !isdir && action != FILE_OPENED)
		x.alloc = cc.alloc_size;
	return create_register(c, req, o, action, created, &x);

 fail:
	free(eas);
	if (fd != -1)
		close(fd);
	fd = -1;
	if (created)
		vfs_unlink(&vs, real, isdir ? AT_REMOVEDIR : 0);
	/*
	 * Another open created the name between our lookup and our
	 * create: a disposition that accepts an existing file looks again
	 * and opens it (smb2.create.mkdir-dup races two of them).
	 */
	if (status == NT_STATUS_OBJECT_NAME_COLLISION && !found && !created &&
	    disp != FILE_CREATE && !raced) {
		char *want = real;

		raced = 1;
		real = NULL;
		status = vfs_resolve(&vs, want, &real, &found);
		free(want);
		if (status != NT_STATUS_SUCCESS)
			return status;
		goto resolved;
	}
	free(real);
	return status;
}

/* After lockd's answer to a CLOSE: remove the file if told to. */
struct close_wait {
	struct smb2_conn	*c;	/* NULL: nobody waits for a response */
	int			 rootfd;
	char			*path;
	char			*stream;	/* a named stream's name */
	int			 is_dir;
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

	if (o->pipe != NULL)
		smb2_pipe_close(o->pipe);
	o->pipe = NULL;
	if (h == 0) {
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
	return smb2_close_open(c, o);
}
