/*
 * SET_INFO (MS-SMB2 2.2.39, 3.3.5.21; classes from MS-FSCC 2.4; what
 * they mean from MS-FSA 2.1.5.14).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "smb2_oplock.h"
#include "log.h"
#include "ntstatus.h"
#include "session.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_create.h"
#include "smb2_file.h"
#include "smb2_info.h"
#include "smb2_meta.h"
#include "smb2_stream.h"
#include "smb2_tree.h"
#include "smb2_wtime.h"
#include "unicode.h"
#include "util.h"
#include "vfs.h"

#define SMB2_0_INFO_FILE		0x01
#define SMB2_0_INFO_SECURITY		0x03

#define FileBasicInformation		4
#define FileFullEaInformation		15
#define FileRenameInformation		10
#define FileLinkInformation		11
#define FileDispositionInformation	13
#define FilePositionInformation		14
#define FileModeInformation		16
#define FileAllocationInformation	19
#define FileEndOfFileInformation	20
#define FileDispositionInformationEx	64

#define FILE_DISPOSITION_DELETE		0x00000001
#define FILE_DISPOSITION_POSIX_SEMANTICS	0x00000002
#define FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK 0x00000004
#define FILE_DISPOSITION_ON_CLOSE	0x00000008
#define FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE 0x00000010
#define FILE_DISPOSITION_VALID		0x0000001f

/* FileModeInformation bits (MS-FSCC 2.4.26). */
#define FILE_SEQUENTIAL_ONLY		0x00000004
#define FILE_NO_INTERMEDIATE_BUFFERING	0x00000008
#define FILE_SYNCHRONOUS_IO_ALERT	0x00000010
#define FILE_SYNCHRONOUS_IO_NONALERT	0x00000020

/*
 * A SET_INFO that waits for lockd.  The open is looked up again by its
 * ids when lockd answers: while the request waits for other clients to
 * give up caching, the connection serves other requests, a CLOSE of it
 * among them.
 */
struct setinfo_wait {
	struct smb2_conn	*c;
	uint64_t		 persistent_id;
	uint64_t		 volatile_id;
	char			*target;	/* rename: new path */
	int			 replace;
	int			 on;
};

static struct setinfo_wait *
setinfo_wait_new(struct smb2_conn *c, struct smb2_open *o)
{
	struct setinfo_wait *sw;

	sw = xcalloc(1, sizeof(*sw));
	sw->c = c;
	sw->persistent_id = o->persistent_id;
	sw->volatile_id = o->volatile_id;
	return sw;
}

static void
setinfo_wait_free(struct setinfo_wait *sw)
{
	free(sw->target);
	free(sw);
}


/* The share as the vfs layer wants it, for operations on names. */
static struct vfs_share
setinfo_share(const struct smb2_open *o)
{
	struct vfs_share sh = { .rootfd = o->tree->ss->rootfd,
	    .cfg = o->tree->ss->share };

	return sh;
}
static void
setinfo_body(struct wbuf *out)
{
	wbuf_reset(out);
	wbuf_put_u16le(out, 2);
}

static void
setinfo_done(struct smb2_req *req)
{
	setinfo_body(req->out);
}

static uint32_t
setinfo_eof(struct smb2_open *o, struct rbuf *r, int alloc)
{
	struct stat st;
	uint64_t size;

	rbuf_get_u64le(r, &size);
	if (rbuf_error(r))
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	if (!(o->access & FILE_WRITE_DATA))
		return NT_STATUS_ACCESS_DENIED;
	if (o->is_dir)
		return NT_STATUS_INVALID_PARAMETER;
	if (size > INT64_MAX)
		return NT_STATUS_INVALID_PARAMETER;
	/* A new end of file or allocation breaks Level II oplocks. */
	smb2_oplock_wrote(o);
	if (o->stream != NULL)
		return smb2_stream_set_eof(o, size, alloc);
	if (alloc) {
		/*
		 * An allocation at or below the end of file truncates (which
		 * also frees space reserved beyond it); above it, space is
		 * reserved without changing the size.
		 */
		if (fstat(o->fd, &st) == -1)
			return ntstatus_from_errno(errno);
		if (size <= (uint64_t)st.st_size) {
			o->alloc_reserved = 0;
			if (ftruncate(o->fd, (off_t)size) == -1)
				return ntstatus_from_errno(errno);
			smb2_wt_modified(o);
			return NT_STATUS_SUCCESS;
		}
		if (size > 0 && fallocate(o->fd, FALLOC_FL_KEEP_SIZE, 0,
		    (off_t)size) == -1 && errno != EOPNOTSUPP)
			return ntstatus_from_errno(errno);
		o->alloc_reserved = size;
		return NT_STATUS_SUCCESS;
	}
	if (ftruncate(o->fd, (off_t)size) == -1)
		return ntstatus_from_errno(errno);
	/* Truncation set the write time: nothing delayed is owed. */
	smb2_wt_modified(o);
	/* Truncating below a reservation frees it. */
	if (size < o->alloc_reserved)
		o->alloc_reserved = 0;
	return NT_STATUS_SUCCESS;
}

static int
setinfo_dir_empty(int fd)
{
	struct dirent *de;
	DIR *d;
	int dfd, empty = 1;

	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return 0;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

static uint32_t
setinfo_delete_done(uint32_t status, void *arg, struct wbuf *out)
{
	struct setinfo_wait *sw = arg;
	struct smb2_open *o;

	if (out != NULL && status == NT_STATUS_SUCCESS) {
		if ((o = smb2_open_find(sw->persistent_id,
		    sw->volatile_id)) == NULL)
			status = NT_STATUS_FILE_CLOSED;
		else {
			o->delete_on_close = sw->on;
			setinfo_body(out);
		}
	}
	setinfo_wait_free(sw);
	return status;
}

/*
 * FileDispositionInformation and, with flags, FileDispositionInformationEx
 * (MS-FSCC 2.4.11, 2.4.12; MS-FSA 2.1.5.14.3).
 */
static uint32_t
setinfo_disposition(struct smb2_conn *c, struct smb2_open *o, int on,
    uint32_t flags)
{
	struct setinfo_wait *sw;
	uint8_t body[12];
	uint32_t v = (uint32_t)on;

	if (flags & ~FILE_DISPOSITION_VALID)
		return NT_STATUS_INVALID_PARAMETER;
	if (!(o->access & DELETE))
		return NT_STATUS_ACCESS_DENIED;
	if (on && o->is_dir && !setinfo_dir_empty(o->fd))
		return NT_STATUS_DIRECTORY_NOT_EMPTY;
	if (on && !o->is_dir && !(o->tree->writeable))
		return NT_STATUS_ACCESS_DENIED;
	if (on && *o->path == '\0')
		return NT_STATUS_CANNOT_DELETE;
	if (on && (o->file_attributes & FILE_ATTRIBUTE_READONLY) &&
	    !(flags & FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE))
		return NT_STATUS_CANNOT_DELETE;
	/*
	 * POSIX semantics: the name goes away now and the open handles
	 * keep the file until they close, which is what unlink(2) does.
	 * Nothing is left pending, so no later close removes a new file
	 * that took the name.
	 */
	if (on && (flags & FILE_DISPOSITION_POSIX_SEMANTICS)) {
		struct vfs_share sh = setinfo_share(o);

		if (vfs_unlink(&sh, o->path, o->is_dir ? AT_REMOVEDIR : 0) ==
		    -1)
			return ntstatus_from_errno(errno);
		smb2_oplock_dir_changed(sh.rootfd, o->path,
		    smb2_oplock_parent_key(o));
		setinfo_done(&c->work->req);
		return NT_STATUS_SUCCESS;
	}
	memcpy(body, &o->lockd_handle, 8);
	memcpy(body + 8, &v, 4);
	sw = setinfo_wait_new(c, o);
	sw->on = on;
	/* Other clients' handle caching is broken first (lockd waits). */
	if (smb2_oplock_request(c, LOCKD_OP_SET_DELETE, body, sizeof(body),
	    setinfo_delete_done, sw) == -1) {
		setinfo_wait_free(sw);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	return SMB2_DEFER;
}

/*
 * Rename or hard link: the target name comes as a share-relative path
 * (MS-FSCC 2.4.37).  Renames wait for lockd to confirm that every other
 * open of the file shares delete.
 */
static uint32_t
setinfo_target(struct smb2_open *o, struct rbuf *r, char **target,
    int *replace)
{
	struct vfs_share vs;
	struct vfs_name vn;
	struct rbuf nb;
	uint8_t rep, pad[7];
	uint64_t rootdir;
	uint32_t nlen, status;
	char *name, *real;
	size_t len;
	int found;

	rbuf_get_u8(r, &rep);
	rbuf_get_bytes(r, pad, 7);
	rbuf_get_u64le(r, &rootdir);
	rbuf_get_u32le(r, &nlen);
	if (rbuf_error(r) || nlen == 0 || nlen % 2 != 0 ||
	    rbuf_take(r, nlen, &nb) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if (rootdir != 0)
		return NT_STATUS_INVALID_PARAMETER;
	if (utf16le_to_utf8(&nb, nlen, &name, &len) == -1)
		return NT_STATUS_OBJECT_NAME_INVALID;
	status = vfs_name_parse(name[0] == '\\' ? name + 1 : name, &vn);
	free(name);
	if (status != NT_STATUS_SUCCESS)
		return status;
	if (vn.stream != NULL || *vn.path == '\0') {
		vfs_name_free(&vn);
		return NT_STATUS_NOT_SUPPORTED;
	}
	vs.rootfd = o->tree->ss->rootfd;
	vs.cfg = o->tree->ss->share;
	vs.case_sensitive = vs.cfg->case_sensitive == CASE_SENSITIVE_YES;
	if (vfs_is_vetoed(&vs, vn.path)) {
		vfs_name_free(&vn);
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	status = vfs_resolve(&vs, vn.path, &real, &found);
	/*
	 * A rename that only changes case finds the file itself: keep the
	 * client's spelling of the last component.
	 */
	if (status == NT_STATUS_SUCCESS && found &&
	    strcasecmp(real, o->path) == 0) {
		const char *slash = strrchr(vn.path, '/');
		char *dir = xstrdup(real), *ds = strrchr(dir, '/');

		if (ds != NULL)
			*ds = '\0';
		free(real);
		xasprintf(&real, "%s%s%s", ds != NULL ? dir : "",
		    ds != NULL ? "/" : "", slash != NULL ? slash + 1 :
		    vn.path);
		free(dir);
	}
	vfs_name_free(&vn);
	if (status != NT_STATUS_SUCCESS)
		return status;
	*target = real;
	*replace = rep != 0;
	return NT_STATUS_SUCCESS;
}

/*
 * A target that exists may only be replaced when the client asked for
 * it, when it is a file, and when nobody has it open (MS-FSA
 * 2.1.5.14.11; other sessions' opens are not known by path here).
 */
static uint32_t
setinfo_target_check(struct smb2_open *o, const char *target, int replace)
{
	struct vfs_share sh = setinfo_share(o);
	struct stat st;

	if (vfs_lstat(&sh, target, &st) == -1)
		return errno == ENOENT ? NT_STATUS_SUCCESS :
		    errno == ENOTDIR ? NT_STATUS_OBJECT_PATH_NOT_FOUND :
		    ntstatus_from_errno(errno);
	/* The file itself, renamed to another case of its name. */
	if (st.st_dev == o->st.st_dev && st.st_ino == o->st.st_ino)
		return NT_STATUS_SUCCESS;
	if (!replace)
		return NT_STATUS_OBJECT_NAME_COLLISION;
	if (S_ISDIR(st.st_mode) || o->is_dir)
		return NT_STATUS_ACCESS_DENIED;
	if (smb2_open_busy_inode(st.st_dev, st.st_ino))
		return NT_STATUS_ACCESS_DENIED;
	return NT_STATUS_SUCCESS;
}

/*
 * lockd's answer to RENAME_CHECK, after other clients gave up caching
 * handles of the file: rename now.
 */
static uint32_t
setinfo_rename_done(uint32_t status, void *arg, struct wbuf *out)
{
	struct setinfo_wait *sw = arg;
	struct smb2_open *o, *other;
	struct vfs_share sh;
	size_t oldlen;
	char *np;

	if (out == NULL) {
		setinfo_wait_free(sw);
		return status;
	}
	if ((o = smb2_open_find(sw->persistent_id, sw->volatile_id)) ==
	    NULL) {
		setinfo_wait_free(sw);
		return NT_STATUS_FILE_CLOSED;
	}
	sh = setinfo_share(o);
	oldlen = strlen(o->path);
	if (status == NT_STATUS_SUCCESS) {
		if (strcmp(o->path, sw->target) == 0)
			status = NT_STATUS_SUCCESS;
		else if (vfs_rename(&sh, o->path, sw->target,
		    sw->replace ? 0 : RENAME_NOREPLACE) == -1)
			status = errno == EEXIST || errno == ENOTEMPTY ?
			    NT_STATUS_OBJECT_NAME_COLLISION :
			    errno == ENOENT ? NT_STATUS_OBJECT_PATH_NOT_FOUND :
			    ntstatus_from_errno(errno);
	}
	if (status == NT_STATUS_SUCCESS) {
		/* Opens below a renamed directory follow it. */
		TAILQ_FOREACH(other, &o->tree->files, tree_entry) {
			if (other == o || strncmp(other->path, o->path,
			    oldlen) != 0 || other->path[oldlen] != '/')
				continue;
			xasprintf(&np, "%s%s", sw->target,
			    other->path + oldlen);
			free(other->path);
			other->path = np;
		}
		/* The directories the name left and entered change. */
		smb2_oplock_dir_changed(sh.rootfd, o->path,
		    smb2_oplock_parent_key(o));
		smb2_oplock_dir_changed(sh.rootfd, sw->target,
		    smb2_oplock_parent_key(o));
		free(o->path);
		o->path = sw->target;
		sw->target = NULL;
		setinfo_body(out);
	}
	setinfo_wait_free(sw);
	return status;
}

/* The answer to closing the probe open of a parent directory. */
static void
setinfo_probe_closed(uint32_t status, struct rbuf *r, void *arg)
{
	(void)status;
	(void)r;
	(void)arg;
}

/*
 * Windows renames by opening the target's parent directory for adding
 * an entry, sharing read and write but not delete (MS-FSA 2.1.5.14.11
 * opens it as the target directory).  An open of that directory that
 * holds DELETE access, or shares nothing, therefore makes the rename
 * fail with SHARING_VIOLATION.  The probe is a real lockd open, closed
 * at once, so that opens of every session count.
 */
static void
setinfo_parent_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct setinfo_wait *sw = arg;
	struct smb2_conn *c = sw->c;
	struct smb2_req *req = &c->work->req;
	struct smb2_open *o = NULL;
	uint64_t handle = 0;

	rbuf_get_u64le(r, &handle);
	if (status == NT_STATUS_SUCCESS && handle != 0)
		lockd_client_request(LOCKD_OP_CLOSE, &handle, 8,
		    setinfo_probe_closed, NULL);
	if (status == NT_STATUS_SUCCESS &&
	    (o = smb2_open_find(sw->persistent_id, sw->volatile_id)) == NULL)
		status = NT_STATUS_FILE_CLOSED;
	if (status == NT_STATUS_SUCCESS &&
	    smb2_oplock_request(c, LOCKD_OP_RENAME_CHECK, &o->lockd_handle, 8,
	    setinfo_rename_done, sw) == 0)
		return;
	if (status == NT_STATUS_SUCCESS)
		status = NT_STATUS_INSUFFICIENT_RESOURCES;
	req->status = status;
	setinfo_wait_free(sw);
	smb2_conn_resume(c);
}

static uint32_t
setinfo_rename(struct smb2_conn *c, struct smb2_open *o, struct rbuf *r)
{
	struct vfs_share sh;
	struct setinfo_wait *sw;
	uint8_t mem[64];
	struct wbuf w;
	uint32_t status;
	char *target, *parent, *slash;
	int replace, rc, e, fd;

	if (!(o->access & DELETE))
		return NT_STATUS_ACCESS_DENIED;
	if (smb2_stream_is_rename(o, r)) {
		if ((status = smb2_stream_rename(o, r)) == NT_STATUS_SUCCESS)
			setinfo_done(&c->work->req);
		return status;
	}
	if (*o->path == '\0')
		return NT_STATUS_INVALID_PARAMETER;
	/*
	 * A directory with open files below it cannot be renamed
	 * (MS-FSA 2.1.5.14.11: ACCESS_DENIED).  Only this worker's opens
	 * are known by path.
	 */
	if (o->is_dir && smb2_open_busy_below(o))
		return NT_STATUS_ACCESS_DENIED;
	if ((status = setinfo_target(o, r, &target, &replace)) !=
	    NT_STATUS_SUCCESS)
		return status;
	if ((status = setinfo_target_check(o, target, replace)) !=
	    NT_STATUS_SUCCESS) {
		free(target);
		return status;
	}
	sw = setinfo_wait_new(c, o);
	sw->target = target;
	sw->replace = replace;
	/*
	 * Directories are renamed without the parent probe: a change
	 * notify handle on the parent holds DELETE access, and clients
	 * expect renames of subdirectories below it to work.
	 */
	if (o->is_dir) {
		if (smb2_oplock_request(c, LOCKD_OP_RENAME_CHECK,
		    &o->lockd_handle, 8, setinfo_rename_done, sw) == -1) {
			setinfo_wait_free(sw);
			return NT_STATUS_INSUFFICIENT_RESOURCES;
		}
		return SMB2_DEFER;
	}
	parent = xstrdup(target);
	if ((slash = strrchr(parent, '/')) != NULL)
		*slash = '\0';
	sh = setinfo_share(o);
	/* lockd learns which directory from a descriptor of it. */
	fd = vfs_open(&sh, slash != NULL ? parent : "", O_PATH | O_NOFOLLOW |
	    O_CLOEXEC, 0);
	e = errno;
	free(parent);
	if (fd == -1) {
		setinfo_wait_free(sw);
		return e == ENOENT || e == ENOTDIR ?
		    NT_STATUS_OBJECT_PATH_NOT_FOUND : ntstatus_from_errno(e);
	}
	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u32le(&w, FILE_ADD_FILE | SYNCHRONIZE);
	wbuf_put_u32le(&w, FILE_SHARE_READ | FILE_SHARE_WRITE);
	wbuf_put_u32le(&w, LOCKD_OPEN_DIRECTORY);
	wbuf_put_u16le(&w, 0);
	rc = lockd_client_request_fd(LOCKD_OP_OPEN, wbuf_data(&w),
	    wbuf_len(&w), fd, setinfo_parent_reply, sw);
	close(fd);
	if (rc == -1) {
		setinfo_wait_free(sw);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	c->waiting = 1;
	return SMB2_DEFER;
}

/*
 * FileLinkInformation: a hard link (MS-FSA 2.1.5.14.6).  A replaced
 * target is swapped atomically: the link is made under a temporary name
 * and renamed over the target, so a failure never loses the old file.
 */
static uint32_t
setinfo_link(struct smb2_open *o, struct rbuf *r)
{
	struct vfs_share sh = setinfo_share(o);
	int replace;
	uint32_t status, rnd;
	char *target, *tmp, *slash;
	struct stat st;

	if (o->is_dir)
		return NT_STATUS_FILE_IS_A_DIRECTORY;
	if ((status = setinfo_target(o, r, &target, &replace)) !=
	    NT_STATUS_SUCCESS)
		return status;
	if (vfs_lstat(&sh, target, &st) == 0) {
		if (st.st_dev == o->st.st_dev && st.st_ino == o->st.st_ino)
			status = replace ? NT_STATUS_SUCCESS :
			    NT_STATUS_OBJECT_NAME_COLLISION;
		else if (!replace)
			status = NT_STATUS_OBJECT_NAME_COLLISION;
		else if (S_ISDIR(st.st_mode) ||
		    smb2_open_busy_inode(st.st_dev, st.st_ino))
			status = NT_STATUS_ACCESS_DENIED;
		else {
			arc4random_buf(&rnd, sizeof(rnd));
			slash = strrchr(target, '/');
			xasprintf(&tmp, "%.*s%s.usmbd-link-%08x",
			    slash != NULL ? (int)(slash - target) : 0, target,
			    slash != NULL ? "/" : "", rnd);
			if (vfs_link(&sh, o->path, tmp) == -1)
				status = ntstatus_from_errno(errno);
			else if (vfs_rename(&sh, tmp, target, 0) == -1) {
				status = ntstatus_from_errno(errno);
				vfs_unlink(&sh, tmp, 0);
			} else
				smb2_oplock_dir_changed(sh.rootfd, target,
				    smb2_oplock_parent_key(o));
			free(tmp);
		}
		free(target);
		return status;
	}
	if (vfs_link(&sh, o->path, target) == -1)
		status = errno == EEXIST ? NT_STATUS_OBJECT_NAME_COLLISION :
		    errno == ENOENT ? NT_STATUS_OBJECT_PATH_NOT_FOUND :
		    ntstatus_from_errno(errno);
	else
		smb2_oplock_dir_changed(sh.rootfd, target,
		    smb2_oplock_parent_key(o));
	free(target);
	return status;
}

/*
 * FileModeInformation (MS-FSA 2.1.5.14.8): only write-through and
 * sequential-only may change; the synchronous I/O mode is fixed at open
 * time and unbuffered I/O cannot be switched on later.
 */
static uint32_t
setinfo_mode(struct smb2_open *o, uint32_t mode)
{
	uint32_t sync = FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT;

	if (mode & ~(FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY | sync))
		return NT_STATUS_INVALID_PARAMETER;
	if ((mode & sync) == sync ||
	    (mode & sync) != (o->create_options & sync))
		return NT_STATUS_INVALID_PARAMETER;
	o->create_options &= ~(FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY);
	o->create_options |= mode & (FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY);
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_cmd_set_info(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_open *o;
	struct rbuf r = req->body, in;
	uint16_t ssize, boff, reserved;
	uint8_t type, class, id[16], u8;
	uint32_t blen, addl, status, flags;
	uint64_t pos;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u8(&r, &type);
	rbuf_get_u8(&r, &class);
	rbuf_get_u32le(&r, &blen);
	rbuf_get_u16le(&r, &boff);
	rbuf_get_u16le(&r, &reserved);
	rbuf_get_u32le(&r, &addl);
	rbuf_get_bytes(&r, id, 16);
	if (rbuf_error(&r) || blen > c->max_trans ||
	    rbuf_sub(&req->msg, boff, blen, &in) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	if (type == SMB2_0_INFO_SECURITY && o->pipe == NULL) {
		if (!o->tree->writeable)
			return NT_STATUS_ACCESS_DENIED;
		status = smb2_secdesc_set(o, addl, &in);
		if (status == NT_STATUS_SUCCESS)
			setinfo_done(req);
		return status;
	}
	if (type != SMB2_0_INFO_FILE)
		return type == 2 || type == 3 ? NT_STATUS_NOT_SUPPORTED :
		    NT_STATUS_INVALID_PARAMETER;
	if (o->pipe != NULL)
		return NT_STATUS_NOT_SUPPORTED;
	if (!o->tree->writeable && class != FilePositionInformation &&
	    class != FileModeInformation)
		return NT_STATUS_ACCESS_DENIED;

	switch (class) {
	case FileBasicInformation:
		status = smb2_meta_set_basic(o, &in);
		break;
	case FileFullEaInformation:
		status = smb2_meta_set_ea(o, &in);
		break;
	case FileEndOfFileInformation:
		status = setinfo_eof(o, &in, 0);
		break;
	case FileAllocationInformation:
		status = setinfo_eof(o, &in, 1);
		break;
	case FilePositionInformation:
		rbuf_get_u64le(&in, &pos);
		if (rbuf_error(&in))
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		/*
		 * MS-FSA 2.1.5.14.9: no negative offsets, and sector
		 * alignment for unbuffered opens.
		 */
		if (pos > INT64_MAX || ((o->create_options &
		    FILE_NO_INTERMEDIATE_BUFFERING) && pos % 512 != 0))
			return NT_STATUS_INVALID_PARAMETER;
		o->position = pos;
		/* A durable open's position outlives its connection. */
		if (o->durable != 0 && o->lockd_handle != 0)
			return smb2_durable_position(c, o);
		status = NT_STATUS_SUCCESS;
		break;
	case FileModeInformation:
		rbuf_get_u32le(&in, &flags);
		if (rbuf_error(&in))
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		status = setinfo_mode(o, flags);
		break;
	case FileDispositionInformation:
		rbuf_get_u8(&in, &u8);
		if (rbuf_error(&in))
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		return setinfo_disposition(c, o, u8 != 0, 0);
	case FileDispositionInformationEx:
		rbuf_get_u32le(&in, &flags);
		if (rbuf_error(&in))
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		return setinfo_disposition(c, o,
		    (flags & FILE_DISPOSITION_DELETE) != 0, flags);
	case FileRenameInformation:
		return setinfo_rename(c, o, &in);
	case FileLinkInformation:
		status = setinfo_link(o, &in);
		break;
	default:
		return NT_STATUS_INVALID_INFO_CLASS;
	}
	if (status == NT_STATUS_SUCCESS)
		setinfo_done(req);
	/*
	 * New attributes, times, size or allocation show in the directory:
	 * its leases break (the position and mode do not).
	 */
	if (status == NT_STATUS_SUCCESS && o->stream == NULL &&
	    (class == FileBasicInformation ||
	    class == FileEndOfFileInformation ||
	    class == FileAllocationInformation))
		smb2_oplock_dir_changed(o->tree->ss->rootfd, o->path,
		    smb2_oplock_parent_key(o));
	return status;
}
