/*
 * Alternate data streams on extended attributes.  See smb2_stream.h.
 *
 * A stream's data lives in one xattr value, so every write reads the
 * value, changes it and writes it back whole; the size of a stream is
 * bounded by the kernel's 64 KiB per value, by what the file system has
 * room for (ext4 keeps all of a file's xattrs in one block unless the
 * ea_inode feature is on) and by the share's "max stream size".  READ
 * and WRITE do that in the worker's IO pool (smb2_rw_aio.c) as serial
 * jobs, one after another, so that two writes in flight cannot each
 * store back a value without the other's bytes.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "lockd_proto.h"
#include "log.h"
#include "ntstatus.h"
#include "reply_wire.h"
#include "session.h"
#include "smb2.h"
#include "smb2_access.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_meta.h"
#include "smb2_stream.h"
#include "smb2_tree.h"
#include "unicode.h"
#include "util.h"
#include "vfs.h"

/* Streams are reported in clusters of this size, as a volume would. */
#define STREAM_CLUSTER		4096

static char *
stream_xname(const char *name)
{
	char *x;

	xasprintf(&x, "%s%s%s", STREAM_XATTR_PREFIX, name,
	    STREAM_XATTR_SUFFIX);
	return x;
}

/* The stream name inside an xattr name, or NULL if it names no stream. */
static const char *
stream_from_xname(const char *x, size_t *len)
{
	size_t plen = sizeof(STREAM_XATTR_PREFIX) - 1;
	size_t slen = sizeof(STREAM_XATTR_SUFFIX) - 1, xlen = strlen(x);

	if (xlen <= plen + slen ||
	    strncmp(x, STREAM_XATTR_PREFIX, plen) != 0 ||
	    strcmp(x + xlen - slen, STREAM_XATTR_SUFFIX) != 0)
		return NULL;
	*len = xlen - plen - slen;
	return x + plen;
}

/* All xattr names of fd, NUL-separated; NULL with errno on failure. */
static char *
stream_list(int fd, size_t *lenp)
{
	ssize_t n;
	char *buf;

	for (;;) {
		if ((n = flistxattr(fd, NULL, 0)) == -1)
			return NULL;
		buf = xmalloc((size_t)n + 1);
		if ((n = flistxattr(fd, buf, (size_t)n)) == -1) {
			free(buf);
			/* It grew in between: ask again. */
			if (errno == ERANGE)
				continue;
			return NULL;
		}
		buf[n] = '\0';
		*lenp = (size_t)n;
		return buf;
	}
}

/*
 * The stored spelling of a stream: stream names are case-insensitive as
 * on NTFS, so "S1" finds "user.DosStream.s1:$DATA".  Returns 1 and sets
 * *canon when the stream exists, 0 when not, -1 with errno on failure.
 */
static int
stream_lookup(int fd, const char *name, char **canon)
{
	char *x, *list, *uname = NULL, *uother;
	const char *s;
	size_t len, off, slen;
	int found = 0;

	*canon = NULL;
	x = stream_xname(name);
	if (fgetxattr(fd, x, NULL, 0) != -1) {
		free(x);
		*canon = xstrdup(name);
		return 1;
	}
	free(x);
	if (errno != ENODATA)
		return errno == ENOTSUP ? 0 : -1;
	if ((list = stream_list(fd, &len)) == NULL)
		return errno == ENOTSUP ? 0 : -1;
	if (utf8_upper(name, &uname) == -1)
		uname = NULL;
	for (off = 0; off < len && !found; off += strlen(list + off) + 1) {
		char *cand;

		if ((s = stream_from_xname(list + off, &slen)) == NULL)
			continue;
		cand = xstrndup(s, slen);
		if (uname != NULL && utf8_upper(cand, &uother) == 0) {
			if (strcmp(uname, uother) == 0) {
				*canon = cand;
				cand = NULL;
				found = 1;
			}
			free(uother);
		}
		free(cand);
	}
	free(uname);
	free(list);
	return found;
}

/*
 * A stream's data without the NUL byte Samba appends; a value written
 * without one is taken whole.  Returns 0, or -1 with errno.
 */
static int
stream_get(int fd, const char *name, uint8_t **data, size_t *len)
{
	char *x = stream_xname(name);
	ssize_t n;
	uint8_t *buf;

	for (;;) {
		if ((n = fgetxattr(fd, x, NULL, 0)) == -1)
			break;
		buf = xmalloc((size_t)n + 1);
		if ((n = fgetxattr(fd, x, buf, (size_t)n)) == -1) {
			free(buf);
			if (errno == ERANGE)
				continue;
			break;
		}
		if (n > 0 && buf[n - 1] == '\0')
			n--;
		free(x);
		*data = buf;
		*len = (size_t)n;
		return 0;
	}
	free(x);
	return -1;
}

/* Store data plus Samba's trailing NUL.  Returns 0, or -1 with errno. */
static int
stream_put(int fd, const char *name, const uint8_t *data, size_t len,
    int flags)
{
	char *x = stream_xname(name);
	uint8_t *buf;
	int r;

	buf = xmalloc(len + 1);
	if (len > 0)
		memcpy(buf, data, len);
	buf[len] = '\0';
	r = fsetxattr(fd, x, buf, len + 1, flags);
	free(buf);
	free(x);
	return r;
}

uint32_t
smb2_stream_status(int err)
{
	switch (err) {
	case EFBIG:
		/* Past max stream size (smb2_stream_pwrite()). */
		return NT_STATUS_FILE_TOO_LARGE;
	case E2BIG:
	case ENOSPC:
		/*
		 * The value does not fit where the file system keeps
		 * xattrs: the stream is too large for this volume.
		 */
		return NT_STATUS_FILE_TOO_LARGE;
	case EEXIST:
		return NT_STATUS_OBJECT_NAME_COLLISION;
	case ENODATA:
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	case ENOTSUP:
		return NT_STATUS_NOT_SUPPORTED;
	case EPERM:
		return NT_STATUS_ACCESS_DENIED;
	default:
		return ntstatus_from_errno(err);
	}
}

size_t
smb2_stream_max(const struct smb2_open *o)
{
	size_t max = STREAM_MAX_SIZE;

	if (o->tree->ss != NULL && o->tree->ss->share->max_stream_size < max)
		max = o->tree->ss->share->max_stream_size;
	return max;
}

static void
stream_stat_size(struct stat *st, size_t size)
{
	st->st_mode = S_IFREG | (st->st_mode & 07777);
	st->st_size = (off_t)size;
	st->st_blocks = (blkcnt_t)((size + STREAM_CLUSTER - 1) /
	    STREAM_CLUSTER * (STREAM_CLUSTER / 512));
}

void
smb2_stream_stat(const struct smb2_open *o, struct stat *st)
{
	uint8_t *data;
	size_t len = 0;

	if (o->stream == NULL)
		return;
	if (stream_get(o->fd, o->stream, &data, &len) == 0)
		free(data);
	stream_stat_size(st, len);
}

uint32_t
smb2_stream_attributes(const struct smb2_open *o, uint32_t attrs)
{
	if (o->stream == NULL || !(attrs & FILE_ATTRIBUTE_DIRECTORY))
		return attrs;
	attrs &= ~FILE_ATTRIBUTE_DIRECTORY;
	return attrs != 0 ? attrs : FILE_ATTRIBUTE_NORMAL;
}

/*
 * The storage steps of a CREATE of a named stream (smb2_create.c does the
 * rest, as for files).
 */
int
smb2_stream_find(int fd, const char *name, char **canon)
{
	return stream_lookup(fd, name, canon);
}

int
smb2_stream_make(int fd, const char *name, int replace)
{
	return stream_put(fd, name, NULL, 0, replace ? XATTR_REPLACE :
	    XATTR_CREATE);
}

void
smb2_stream_unmake(int fd, const char *name)
{
	char *x = stream_xname(name);

	if (fremovexattr(fd, x) == -1 && errno != ENODATA)
		log_warn("undo stream create: %s", name);
	free(x);
}

void
smb2_stream_undo_create(struct smb2_open *o, int created)
{
	if (o->tree->ss == NULL || o->stream == NULL)
		return;
	if (created & STREAM_CREATED_BASE) {
		/* The stream went with the file it was created with. */
		struct vfs_share vs = { .rootfd = o->tree->ss->rootfd,
		    .cfg = o->tree->ss->share };

		vfs_unlink(&vs, o->path, 0);
		return;
	}
	if (created & STREAM_CREATED_STREAM)
		smb2_stream_unmake(o->fd, o->stream);
}

/*
 * The IO of READ and WRITE on a stream.  These two run in threads of the
 * IO pool as well as here, so they use only the base file's descriptor
 * and the stream's name: no open, no log.  They return 0 or an errno.
 */
int
smb2_stream_pread(int fd, const char *stream, uint8_t *buf, size_t len,
    uint64_t off, size_t *nread)
{
	uint8_t *data;
	size_t dlen, n;

	if (stream_get(fd, stream, &data, &dlen) == -1)
		return errno;
	n = off >= dlen ? 0 : dlen - (size_t)off;
	if (n > len)
		n = len;
	if (n > 0)
		memcpy(buf, data + off, n);
	free(data);
	*nread = n;
	return 0;
}

int
smb2_stream_pwrite(int fd, const char *stream, const uint8_t *in,
    size_t len, uint64_t *offp, int append, size_t max, int sync)
{
	uint8_t *data, *buf;
	uint64_t off = *offp;
	size_t dlen, nlen;
	int r;

	if (stream_get(fd, stream, &data, &dlen) == -1)
		return errno;
	if (append)
		off = dlen;
	*offp = off;
	if (len == 0) {
		free(data);
		return 0;
	}
	if (off > max || len > max - off) {
		free(data);
		return EFBIG;
	}
	/* The new value, with room for Samba's NUL (stream_put). */
	nlen = off + len > dlen ? (size_t)off + len : dlen;
	buf = xcalloc(1, nlen + 1);
	memcpy(buf, data, dlen);
	memcpy(buf + off, in, len);
	free(data);
	r = stream_put(fd, stream, buf, nlen, 0) == -1 ? errno : 0;
	free(buf);
	/* The stream is metadata to the file system: fsync, not fdatasync. */
	if (r == 0 && sync && fsync(fd) == -1)
		r = errno;
	return r;
}

int
smb2_stream_size(int fd, const char *stream, uint64_t *size)
{
	uint8_t *data;
	size_t dlen;

	if (stream_get(fd, stream, &data, &dlen) == -1)
		return errno;
	free(data);
	*size = dlen;
	return 0;
}

uint32_t
smb2_stream_read_status(int err)
{
	/* The stream went away under the open: there is nothing to read. */
	return err == ENODATA ? NT_STATUS_END_OF_FILE :
	    ntstatus_from_errno(err);
}

uint32_t
smb2_stream_read(struct smb2_req *req, struct smb2_open *o, uint32_t len,
    uint64_t off, uint32_t mincount)
{
	size_t n, cap = len < STREAM_XATTR_MAX ? len : STREAM_XATTR_MAX;
	int err;

	wbuf_reset(req->out);
	smb2_read_reply(req->out, 0);
	if (wbuf_put_zero(req->out, cap) == -1 || wbuf_error(req->out))
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	if ((err = smb2_stream_pread(o->fd, o->stream, wbuf_data(req->out) +
	    16, cap, off, &n)) != 0)
		return smb2_stream_read_status(err);
	if ((n == 0 && len > 0) || n < mincount)
		return NT_STATUS_END_OF_FILE;
	req->out->len = 16 + n;
	wbuf_set_u32le(req->out, 4, (uint32_t)n);
	o->position = off + n;
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_stream_write(struct smb2_req *req, struct smb2_open *o,
    const struct rbuf *in, uint64_t off, int sync)
{
	size_t len = rbuf_left(in);
	int err, append;

	/* An append-only handle always writes at the end. */
	append = off == UINT64_MAX || !(o->access & FILE_WRITE_DATA);
	if ((err = smb2_stream_pwrite(o->fd, o->stream, rbuf_cur(in), len,
	    &off, append, smb2_stream_max(o), sync)) != 0) {
		if (err == EFBIG)
			log_debug("stream %s:%s: a write to %llu would pass "
			    "max stream size %zu", o->path, o->stream,
			    (unsigned long long)(off + len),
			    smb2_stream_max(o));
		return smb2_stream_status(err);
	}
	o->position = off + len;
	wbuf_reset(req->out);
	smb2_write_reply(req->out, (uint32_t)len);
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_stream_set_eof(struct smb2_open *o, uint64_t size, int alloc)
{
	uint8_t *data, *buf;
	size_t dlen;
	uint32_t status = NT_STATUS_SUCCESS;

	if (stream_get(o->fd, o->stream, &data, &dlen) == -1)
		return ntstatus_from_errno(errno);
	/* An allocation above the end reserves nothing in an xattr. */
	if (size == dlen || (alloc && size > dlen)) {
		free(data);
		return NT_STATUS_SUCCESS;
	}
	if (size > smb2_stream_max(o)) {
		free(data);
		return NT_STATUS_FILE_TOO_LARGE;
	}
	buf = xcalloc(1, (size_t)size + 1);
	memcpy(buf, data, size < dlen ? (size_t)size : dlen);
	if (stream_put(o->fd, o->stream, buf, (size_t)size, 0) == -1)
		status = smb2_stream_status(errno);
	free(buf);
	free(data);
	return status;
}

/* One FILE_STREAM_INFORMATION entry (MS-FSCC 2.4.43). */
static void
stream_put_entry(struct wbuf *w, size_t *prev, const char *name,
    size_t nlen, uint64_t size, uint64_t alloc)
{
	struct wbuf nm;
	char *full;
	size_t here;

	if (*prev != SIZE_MAX) {
		wbuf_align(w, 8);
		wbuf_set_u32le(w, *prev, (uint32_t)(wbuf_len(w) - *prev));
	}
	here = wbuf_len(w);
	xasprintf(&full, ":%.*s:$DATA", (int)nlen, name);
	wbuf_init(&nm, 4 * strlen(full) + 8);
	utf8_to_utf16le(full, strlen(full), &nm);
	wbuf_put_u32le(w, 0);				/* NextEntryOffset */
	wbuf_put_u32le(w, (uint32_t)wbuf_len(&nm));
	wbuf_put_u64le(w, size);
	wbuf_put_u64le(w, alloc);
	wbuf_put_bytes(w, wbuf_data(&nm), wbuf_len(&nm));
	wbuf_free(&nm);
	free(full);
	*prev = here;
}

uint32_t
smb2_stream_info(const struct smb2_open *o, struct wbuf *w)
{
	struct stat st;
	char *list, *name;
	const char *s;
	uint8_t *data;
	size_t len = 0, off, slen, dlen, prev = SIZE_MAX;

	if (fstat(o->fd, &st) == -1)
		return ntstatus_from_errno(errno);
	/* A directory has no unnamed data stream. */
	if (!S_ISDIR(st.st_mode))
		stream_put_entry(w, &prev, "", 0, (uint64_t)st.st_size,
		    smb2_alloc_size(&st, o->stream == NULL ?
		    o->alloc_reserved : 0));
	/* A share without streams shows none of those stored. */
	if (o->tree->ss != NULL && !o->tree->ss->share->streams)
		return NT_STATUS_SUCCESS;
	if ((list = stream_list(o->fd, &len)) == NULL)
		return errno == ENOTSUP ? NT_STATUS_SUCCESS :
		    ntstatus_from_errno(errno);
	for (off = 0; off < len; off += strlen(list + off) + 1) {
		if ((s = stream_from_xname(list + off, &slen)) == NULL)
			continue;
		name = xstrndup(s, slen);
		dlen = 0;
		if (stream_get(o->fd, name, &data, &dlen) == 0)
			free(data);
		stream_put_entry(w, &prev, name, slen, dlen,
		    (dlen + STREAM_CLUSTER - 1) / STREAM_CLUSTER *
		    STREAM_CLUSTER);
		free(name);
	}
	free(list);
	return NT_STATUS_SUCCESS;
}

int
smb2_stream_is_rename(const struct smb2_open *o, const struct rbuf *r)
{
	struct rbuf p = *r;
	uint32_t nlen;
	uint16_t ch;

	if (o->stream != NULL)
		return 1;
	/* ReplaceIfExists, Reserved, RootDirectory, FileNameLength. */
	if (rbuf_skip(&p, 16) == -1 || rbuf_get_u32le(&p, &nlen) == -1 ||
	    nlen < 2 || rbuf_get_u16le(&p, &ch) == -1)
		return 0;
	return ch == ':';
}

/*
 * A named stream renamed to the unnamed one: its data becomes the file's
 * data, and the open an open of the file (MS-FSA 2.1.5.14.11).
 */
static uint32_t
stream_rename_default(struct smb2_open *o, int rep)
{
	struct vfs_share vs = { o->tree->ss->rootfd, NULL, 0 };
	struct stat st;
	uint8_t *data;
	size_t dlen, done = 0;
	ssize_t n;
	char *x;
	int fd;

	if (fstat(o->fd, &st) == -1)
		return ntstatus_from_errno(errno);
	if (S_ISDIR(st.st_mode))
		return NT_STATUS_INVALID_PARAMETER;
	/* Only an empty unnamed stream may be replaced. */
	if (st.st_size != 0)
		return rep ? NT_STATUS_INVALID_PARAMETER :
		    NT_STATUS_OBJECT_NAME_COLLISION;
	if (stream_get(o->fd, o->stream, &data, &dlen) == -1)
		return ntstatus_from_errno(errno);
	if ((fd = vfs_open(&vs, o->path, O_RDWR, 0)) == -1) {
		free(data);
		return ntstatus_from_errno(errno);
	}
	while (done < dlen) {
		n = pwrite(fd, data + done, dlen - done, (off_t)done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(data);
			close(fd);
			return n == 0 ? NT_STATUS_DISK_FULL :
			    ntstatus_from_errno(errno);
		}
		done += (size_t)n;
	}
	free(data);
	x = stream_xname(o->stream);
	if (fremovexattr(fd, x) == -1 && errno != ENODATA)
		log_warn("stream rename: removing %s of %s", x, o->path);
	free(x);
	close(o->fd);
	o->fd = fd;
	free(o->stream);
	o->stream = NULL;
	return NT_STATUS_SUCCESS;
}

/*
 * FileRenameInformation with a target ":new[:$DATA]": the stream gets a
 * new name on the same file (MS-FSA 2.1.5.14.11).  An existing target is
 * replaced only when asked to and only when it is empty.
 */
uint32_t
smb2_stream_rename(struct smb2_open *o, struct rbuf *r)
{
	struct rbuf nb;
	uint8_t rep, pad[7];
	uint64_t rootdir;
	uint32_t nlen, status;
	uint8_t *data;
	size_t len, dlen;
	char *name, *newname, *canon = NULL, *x;
	int type, exists;

	/* Without streams, ":name" is a name with a refused character. */
	if (o->tree->ss != NULL && !o->tree->ss->share->streams)
		return NT_STATUS_OBJECT_NAME_INVALID;
	rbuf_get_u8(r, &rep);
	rbuf_get_bytes(r, pad, 7);
	rbuf_get_u64le(r, &rootdir);
	rbuf_get_u32le(r, &nlen);
	if (rbuf_error(r) || nlen == 0 || nlen % 2 != 0 ||
	    rbuf_take(r, nlen, &nb) == -1 || rootdir != 0)
		return NT_STATUS_INVALID_PARAMETER;
	if (utf16le_to_utf8(&nb, nlen, &name, &len) == -1)
		return NT_STATUS_OBJECT_NAME_INVALID;
	if (o->stream == NULL) {
		/* The unnamed stream cannot become a named one here. */
		free(name);
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (name[0] != ':') {
		/*
		 * Renaming the file through an open of one of its streams:
		 * Windows refuses it as a sharing violation, the stream
		 * itself being open.
		 */
		free(name);
		return NT_STATUS_SHARING_VIOLATION;
	}
	status = smb2_stream_name_parse(name + 1, &newname, &type);
	free(name);
	if (status != NT_STATUS_SUCCESS)
		return status;
	if (type == STREAM_TYPE_INDEX)
		return NT_STATUS_INVALID_PARAMETER;
	if (newname == NULL)
		return stream_rename_default(o, rep);
	if (strcmp(newname, o->stream) == 0) {
		free(newname);
		return NT_STATUS_SUCCESS;
	}
	if ((exists = stream_lookup(o->fd, newname, &canon)) == -1) {
		free(newname);
		return ntstatus_from_errno(errno);
	}
	/* Only a change of case may find the stream itself. */
	if (exists && strcmp(canon, o->stream) != 0) {
		if (!rep)
			status = NT_STATUS_OBJECT_NAME_COLLISION;
		else if (stream_get(o->fd, canon, &data, &dlen) == -1)
			status = ntstatus_from_errno(errno);
		else {
			free(data);
			if (dlen != 0)
				status = NT_STATUS_INVALID_PARAMETER;
		}
		if (status == NT_STATUS_SUCCESS) {
			/* Replace it under the name it has. */
			free(newname);
			newname = canon;
			canon = NULL;
		}
	}
	free(canon);
	if (status != NT_STATUS_SUCCESS) {
		free(newname);
		return status;
	}
	if (stream_get(o->fd, o->stream, &data, &dlen) == -1) {
		free(newname);
		return ntstatus_from_errno(errno);
	}
	if (stream_put(o->fd, newname, data, dlen, 0) == -1) {
		status = smb2_stream_status(errno);
		free(data);
		free(newname);
		return status;
	}
	free(data);
	x = stream_xname(o->stream);
	if (fremovexattr(o->fd, x) == -1 && errno != ENODATA)
		log_warn("stream rename: removing %s of %s", x, o->path);
	free(x);
	free(o->stream);
	o->stream = newname;
	return NT_STATUS_SUCCESS;
}

void
smb2_stream_closed(int rootfd, const char *path, const char *stream,
    uint32_t flags)
{
	struct vfs_share vs = { rootfd, NULL, 0 };
	char *x;
	int fd;

	if (flags & LOCKD_CLOSE_DELETE_FILE) {
		if (vfs_unlink(&vs, path, 0) == -1 && errno != ENOENT)
			log_warn("delete pending: %s", path);
		return;
	}
	if (!(flags & LOCKD_CLOSE_DELETE))
		return;
	if ((fd = vfs_open(&vs, *path == '\0' ? "." : path, O_RDONLY, 0)) ==
	    -1) {
		log_warn("delete on close: %s:%s", path, stream);
		return;
	}
	x = stream_xname(stream);
	if (fremovexattr(fd, x) == -1 && errno != ENODATA)
		log_warn("delete on close: %s:%s", path, stream);
	free(x);
	close(fd);
}

void
smb2_stream_remove_all(int fd)
{
	char *list, *copy;
	size_t len, off, slen;

	if ((list = stream_list(fd, &len)) == NULL)
		return;
	for (off = 0; off < len; off += strlen(list + off) + 1) {
		if (stream_from_xname(list + off, &slen) == NULL)
			continue;
		copy = list + off;
		if (fremovexattr(fd, copy) == -1 && errno != ENODATA)
			log_warn("overwrite: removing %s", copy);
	}
	free(list);
}
