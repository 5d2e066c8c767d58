/*
 * Windows metadata in the session worker: DOS attributes, create time
 * and EAs as CREATE, CLOSE, QUERY_INFO, QUERY_DIRECTORY and SET_INFO see
 * them, stored the Samba way through meta.c.  The attribute rules follow
 * MS-FSA 2.1.5.1 (create), 2.1.5.12 (query) and 2.1.5.14.2 (set basic).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "meta.h"
#include "ntstatus.h"
#include "reply_wire.h"
#include "session.h"
#include "smb2.h"
#include "smb2_cctx.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_meta.h"
#include "smb2_tree.h"
#include "smb2_wtime.h"
#include "util.h"
#include "vfs.h"

/* QUERY_INFO flags for FileFullEaInformation (MS-SMB2 2.2.37). */
#define SL_RESTART_SCAN		0x00000001
#define SL_RETURN_SINGLE_ENTRY	0x00000002
#define SL_INDEX_SPECIFIED	0x00000004

/* The longest EA name an xattr can carry after "user.". */
#define SMB2_META_EA_NAME_MAX	(255 - (sizeof(META_EA_PREFIX) - 1))

static uint64_t
smb2_meta_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return smb2_filetime(&ts);
}

static void
smb2_file_meta_do(const struct smb2_tree *t, const char *path, int fd,
    const struct stat *st, int want_ea, int by_name, struct meta_file *mf)
{
	struct vfs_share vs;
	int hidden = 0, xfd = fd, fl;

	memset(&vs, 0, sizeof(vs));
	if (t != NULL && t->ss != NULL) {
		vs.rootfd = t->ss->rootfd;
		vs.cfg = t->ss->share;
		hidden = by_name && path != NULL && vfs_is_hidden(&vs, path);
	}
	/*
	 * Without a readable descriptor, open the file again below the
	 * share root (never through a symlink out of it).
	 */
	if (xfd != -1 && ((fl = fcntl(xfd, F_GETFL)) == -1 ||
	    (fl & O_PATH) == O_PATH))
		xfd = -1;
	if (xfd == -1 && t != NULL && t->ss != NULL && path != NULL &&
	    (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
		xfd = vfs_open(&vs, *path == '\0' ? "." : path,
		    O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	/* xfd is readable now, or -1: meta_query need not ask again. */
	meta_query(xfd, -1, NULL, st, (hidden ? META_QUERY_HIDDEN : 0) |
	    (want_ea ? META_QUERY_EA : 0) | META_QUERY_FD_OK, mf);
	if (xfd != -1 && xfd != fd)
		close(xfd);
}

int
smb2_meta_read(const struct smb2_tree *t, const char *path,
    const struct stat *st, struct meta_dosinfo *di)
{
	struct vfs_share vs;
	int xfd, rc;

	if (t == NULL || t->ss == NULL || path == NULL ||
	    !(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
		return -1;
	memset(&vs, 0, sizeof(vs));
	vs.rootfd = t->ss->rootfd;
	vs.cfg = t->ss->share;
	/* Below the share root, never through a symlink out of it. */
	if ((xfd = vfs_open(&vs, *path == '\0' ? "." : path,
	    O_RDONLY | O_NONBLOCK | O_NOCTTY, 0)) == -1)
		return -1;
	rc = meta_get_dosinfo(xfd, di);
	close(xfd);
	return rc;
}

void
smb2_meta_compose(const struct smb2_tree *t, const char *path,
    const struct meta_dosinfo *di, const struct stat *st, int by_name,
    struct meta_file *mf)
{
	struct vfs_share vs;
	int hidden = 0;

	memset(&vs, 0, sizeof(vs));
	if (by_name && t != NULL && t->ss != NULL && path != NULL) {
		vs.rootfd = t->ss->rootfd;
		vs.cfg = t->ss->share;
		hidden = vfs_is_hidden(&vs, path);
	}
	memset(mf, 0, sizeof(*mf));
	meta_compose(di, st, hidden ? META_QUERY_HIDDEN : 0, mf);
}

void
smb2_file_meta(const struct smb2_tree *t, const char *path, int fd,
    const struct stat *st, struct meta_file *mf)
{
	smb2_file_meta_do(t, path, fd, st, 0, 1, mf);
}

void
smb2_file_meta_ea(const struct smb2_tree *t, const char *path, int fd,
    const struct stat *st, struct meta_file *mf)
{
	smb2_file_meta_do(t, path, fd, st, 1, 1, mf);
}

void
smb2_dir_meta(const struct smb2_tree *t, struct smb2_open *o,
    const char *name, const char *child, const struct stat *st,
    struct meta_file *mf)
{
	struct vfs_share vs;
	int hidden = 0;

	memset(&vs, 0, sizeof(vs));
	if (t->ss != NULL) {
		vs.rootfd = t->ss->rootfd;
		vs.cfg = t->ss->share;
		hidden = strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
		    vfs_is_hidden(&vs, child);
	}
	/* One component below an open directory, never through a link. */
	meta_query(-1, dirfd(o->dir), name, st,
	    (hidden ? META_QUERY_HIDDEN : 0) | META_QUERY_EA, mf);
}

/*
 * ChangeTime a client set explicitly.  Linux cannot set an inode's
 * ctime, so the worker remembers the value for as long as the file's
 * write time stays what it was when the client set it; the first write
 * after that makes ChangeTime follow the write time again.
 */
struct smb2_meta_ctime {
	dev_t		dev;
	ino_t		ino;
	struct timespec	mtime;
	uint64_t	change_time;
};
#define SMB2_META_CTIMES	64
static struct smb2_meta_ctime smb2_meta_ctimes[SMB2_META_CTIMES];
static size_t smb2_meta_ctime_next;

static struct smb2_meta_ctime *
smb2_meta_ctime_find(const struct stat *st)
{
	size_t i;

	for (i = 0; i < SMB2_META_CTIMES; i++)
		if (smb2_meta_ctimes[i].change_time != 0 &&
		    smb2_meta_ctimes[i].dev == st->st_dev &&
		    smb2_meta_ctimes[i].ino == st->st_ino)
			return &smb2_meta_ctimes[i];
	return NULL;
}

static void
smb2_meta_ctime_set(const struct stat *st, uint64_t ct)
{
	struct smb2_meta_ctime *e;

	if ((e = smb2_meta_ctime_find(st)) == NULL) {
		e = &smb2_meta_ctimes[smb2_meta_ctime_next];
		smb2_meta_ctime_next = (smb2_meta_ctime_next + 1) %
		    SMB2_META_CTIMES;
	}
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->mtime = st->st_mtim;
	e->change_time = ct;
}

static uint64_t
smb2_meta_change_time(const struct stat *st)
{
	struct smb2_meta_ctime *e;

	if ((e = smb2_meta_ctime_find(st)) != NULL) {
		if (e->mtime.tv_sec == st->st_mtim.tv_sec &&
		    e->mtime.tv_nsec == st->st_mtim.tv_nsec)
			return e->change_time;
		e->change_time = 0;
	}
	/*
	 * Otherwise ChangeTime is the write time, as Samba reports it: the
	 * inode's ctime moves with every chmod, xattr and link change, so
	 * it is no time a client could ever set or predict.
	 */
	return smb2_filetime(&st->st_mtim);
}

void
smb2_put_meta_times(struct wbuf *w, const struct stat *st,
    const struct meta_file *mf)
{
	wbuf_put_u64le(w, mf->create_time);
	wbuf_put_u64le(w, smb2_filetime(&st->st_atim));
	wbuf_put_u64le(w, smb2_filetime(&st->st_mtim));
	wbuf_put_u64le(w, smb2_meta_change_time(st));
}

/*
 * AllocationSize of a file.  st_blocks also counts blocks that are not
 * data: on ext4 an xattr block (user.DOSATTRIB with EAs that do not fit
 * in the inode) adds a whole block, so a truncated file with EAs would
 * report 4096 bytes allocated.  The data can occupy at most its size
 * rounded up to a cluster, or what a client reserved beyond it through
 * this open (FileAllocationInformation, AlSi); a sparse file reports
 * less.
 */
uint64_t
smb2_alloc_size(const struct stat *st, uint64_t reserved)
{
	uint64_t blocks, cap;

	if (S_ISDIR(st->st_mode))
		return 0;
	blocks = (uint64_t)st->st_blocks * 512;
	cap = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	if (reserved > cap)
		cap = reserved;
	if (cap > UINT64_MAX - (SMB2_CLUSTER - 1))
		return blocks;
	cap = (cap + SMB2_CLUSTER - 1) / SMB2_CLUSTER * SMB2_CLUSTER;
	return blocks < cap ? blocks : cap;
}

void
smb2_put_meta_times_sizes(struct wbuf *w, const struct stat *st,
    const struct meta_file *mf, uint64_t reserved)
{
	smb2_put_meta_times(w, st, mf);
	wbuf_put_u64le(w, smb2_alloc_size(st, reserved));
	wbuf_put_u64le(w, S_ISDIR(st->st_mode) ? 0 : (uint64_t)st->st_size);
}

/*
 * FileAttributes of a CREATE: the volume label, device and bits above
 * the defined ones are refused (what Windows answers, as smbtorture's
 * smb2.create.gentest records it).
 */
int
smb2_meta_attrs_valid(uint32_t attrs)
{
	return (attrs & 0xffff8048U) == 0;
}

/*
 * The checks of MS-FSA 2.1.5.1.2 that depend on the attributes of an
 * existing file.  *readonly is set for a read-only file, whose write
 * rights MAXIMUM_ALLOWED must then leave out.
 */
uint32_t
smb2_meta_create_check(const struct meta_file *mfp, const struct stat *st,
    uint32_t disp, uint32_t opts, uint32_t attrs, uint32_t *access,
    int *readonly)
{
	struct meta_file mf = *mfp;
	int overwrite = disp == FILE_SUPERSEDE || disp == FILE_OVERWRITE ||
	    disp == FILE_OVERWRITE_IF;

	if (S_ISDIR(st->st_mode))
		return NT_STATUS_SUCCESS;
	/*
	 * Overwriting a hidden or system file asks the client to say so
	 * again: the new attributes must keep HIDDEN and SYSTEM.
	 */
	if (overwrite && disp != FILE_SUPERSEDE &&
	    (((mf.attrs & FILE_ATTRIBUTE_HIDDEN) &&
	    !(attrs & FILE_ATTRIBUTE_HIDDEN)) ||
	    ((mf.attrs & FILE_ATTRIBUTE_SYSTEM) &&
	    !(attrs & FILE_ATTRIBUTE_SYSTEM))))
		return NT_STATUS_ACCESS_DENIED;
	if (!(mf.attrs & FILE_ATTRIBUTE_READONLY))
		return NT_STATUS_SUCCESS;
	*readonly = 1;
	/* A read-only file is neither deleted nor written. */
	if (opts & FILE_DELETE_ON_CLOSE)
		return NT_STATUS_CANNOT_DELETE;
	if (overwrite)
		return NT_STATUS_ACCESS_DENIED;
	if (!(*access & MAXIMUM_ALLOWED) &&
	    (*access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
		return NT_STATUS_ACCESS_DENIED;
	return NT_STATUS_SUCCESS;
}

/*
 * After a CREATE made or overwrote a file: store the attributes the
 * client asked for (MS-FSA: ARCHIVE on every new or overwritten file,
 * DIRECTORY on directories) and, for a new file, the create time.
 */
void
smb2_meta_create_store(struct smb2_open *o, int created, uint32_t attrs)
{
	struct meta_dosinfo di;
	struct stat st;
	int fd = o->fd, own = 0, fl;

	attrs &= META_ATTR_SETTABLE & ~FILE_ATTRIBUTE_NORMAL;
	if ((fl = fcntl(fd, F_GETFL)) == -1 || (fl & O_PATH) == O_PATH) {
		struct vfs_share vs = { o->tree->ss->rootfd,
		    o->tree->ss->share, 0 };

		if ((fd = vfs_open(&vs, *o->path == '\0' ? "." : o->path,
		    O_RDONLY | O_NONBLOCK | O_NOCTTY, 0)) == -1)
			return;
		own = 1;
	}
	if (created || meta_get_dosinfo(fd, &di) == -1) {
		memset(&di, 0, sizeof(di));
		/*
		 * A new file was created when it was last written: the
		 * kernel's (coarser) clock, not ours, or the two times
		 * differ (smb2.timestamps.delayed-write-vs-flush).
		 */
		if (created)
			di.create_time = fstat(fd, &st) == 0 ?
			    smb2_filetime(&st.st_mtim) : smb2_meta_now();
		else
			di.create_time = meta_synth_create_time(&o->st);
	} else if (!(di.valid & META_DOSINFO_CREATE_TIME))
		di.create_time = meta_synth_create_time(&o->st);
	di.valid = META_DOSINFO_ATTRIB | META_DOSINFO_CREATE_TIME;
	if (o->is_dir)
		di.attrib = (attrs & ~FILE_ATTRIBUTE_ARCHIVE) |
		    FILE_ATTRIBUTE_DIRECTORY;
	else
		di.attrib = attrs | FILE_ATTRIBUTE_ARCHIVE;
	if (meta_set_dosinfo(fd, &di) == -1 && errno != ENOTSUP)
		log_debug("%s: storing DOS attributes: %s", o->path,
		    strerror(errno));
	if (own)
		close(fd);
}

/*
 * An EA name a client may store: one that fits an xattr name, and none
 * of Samba's private names (ACCESS_DENIED, as Samba answers).
 */
static uint32_t
smb2_meta_ea_name_check(const char *name)
{
	if (strlen(name) > SMB2_META_EA_NAME_MAX)
		return NT_STATUS_INVALID_EA_NAME;
	if (meta_ea_reserved(name))
		return NT_STATUS_ACCESS_DENIED;
	return NT_STATUS_SUCCESS;
}

/*
 * The EAs of an ExtA create context, checked before anything is
 * created.  Returns an NTSTATUS; *eas is NULL without the context.
 */
uint32_t
smb2_meta_create_eas(const struct smb2_cctx *cc, struct meta_ea **eas,
    size_t *n)
{
	struct rbuf data = cc->exta;
	const uint8_t *p;
	uint32_t status, off;
	size_t i, len;

	*eas = NULL;
	*n = 0;
	/* The context list was parsed once, by smb2_cctx_parse(). */
	if (!(cc->seen & SMB2_CCTX_EXTA))
		return NT_STATUS_SUCCESS;
	len = rbuf_left(&data);
	if (rbuf_get_ptr(&data, &p, len) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	status = meta_ea_parse_full(p, len, eas, n, &off);
	if (status != NT_STATUS_SUCCESS)
		return status;
	for (i = 0; i < *n; i++) {
		status = smb2_meta_ea_name_check((*eas)[i].name);
		if (status != NT_STATUS_SUCCESS) {
			free(*eas);
			*eas = NULL;
			*n = 0;
			return status;
		}
	}
	return NT_STATUS_SUCCESS;
}

/* Store parsed EAs on an open file. */
uint32_t
smb2_meta_apply_eas(int fd, const struct meta_ea *eas, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (meta_ea_set(fd, eas[i].name, eas[i].value,
		    eas[i].value_len) == -1) {
			if (errno == ENOSPC || errno == E2BIG ||
			    errno == ERANGE)
				return NT_STATUS_EA_TOO_LARGE;
			if (errno == ENOTSUP)
				return NT_STATUS_EAS_NOT_SUPPORTED;
			return ntstatus_from_errno(errno);
		}
	}
	return NT_STATUS_SUCCESS;
}

/* Append one FILE_FULL_EA_INFORMATION entry; -1 if it does not fit. */
static int
smb2_meta_put_ea(struct wbuf *w, size_t max, size_t *prev, const char *name,
    const uint8_t *value, size_t vlen)
{
	size_t off = wbuf_len(w), nlen = strlen(name);

	if (off % 4 != 0)
		off += 4 - off % 4;
	if (off + 8 + nlen + 1 + vlen > max)
		return -1;
	wbuf_put_zero(w, off - wbuf_len(w));
	if (*prev != (size_t)-1)
		wbuf_set_u32le(w, *prev, (uint32_t)(off - *prev));
	*prev = off;
	wbuf_put_u32le(w, 0);
	wbuf_put_u8(w, 0);
	wbuf_put_u8(w, (uint8_t)nlen);
	wbuf_put_u16le(w, (uint16_t)vlen);
	wbuf_put_bytes(w, name, nlen + 1);
	wbuf_put_bytes(w, value, vlen);
	return 0;
}

static uint32_t
smb2_meta_ea_fd(struct smb2_open *o, int *own)
{
	int fl, fd = o->fd;

	*own = -1;
	if ((fl = fcntl(fd, F_GETFL)) == -1 || (fl & O_PATH) == O_PATH) {
		struct vfs_share vs = { o->tree->ss->rootfd,
		    o->tree->ss->share, 0 };

		fd = vfs_open(&vs, *o->path == '\0' ? "." : o->path,
		    O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
		if (fd == -1)
			return ntstatus_from_errno(errno);
		*own = fd;
	}
	return NT_STATUS_SUCCESS;
}

/*
 * QUERY_INFO FileFullEaInformation (MS-SMB2 3.3.5.20.1, MS-FSA
 * 2.1.5.12.12): the EAs the EaList names (missing ones with an empty
 * value), or all of them from the open's cursor; only whole entries are
 * returned.
 */
uint32_t
smb2_meta_query_ea(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, uint32_t outlen, uint16_t inoff, uint32_t inlen,
    uint32_t flags)
{
	struct meta_ea_item *it = NULL;
	struct meta_ea *want = NULL;
	struct rbuf in;
	struct wbuf w;
	const uint8_t *p;
	uint32_t status = NT_STATUS_SUCCESS, off;
	size_t nwant = 0, i, j, prev = (size_t)-1, done = 0;
	ssize_t n;
	int own, fd;

	if (!(o->access & FILE_READ_EA))
		return NT_STATUS_ACCESS_DENIED;
	if (inlen > 0) {
		if (rbuf_sub(&req->msg, inoff, inlen, &in) == -1 ||
		    rbuf_get_ptr(&in, &p, inlen) == -1)
			return NT_STATUS_INVALID_PARAMETER;
		status = meta_ea_parse_get(p, inlen, &want, &nwant, &off);
		if (status != NT_STATUS_SUCCESS)
			return status;
	}
	if ((status = smb2_meta_ea_fd(o, &own)) != NT_STATUS_SUCCESS) {
		free(want);
		return status;
	}
	fd = own != -1 ? own : o->fd;
	n = meta_ea_list(fd, &it);
	if (own != -1)
		close(own);
	if (n == -1) {
		free(want);
		return ntstatus_from_errno(errno);
	}
	if (flags & (SL_RESTART_SCAN | SL_INDEX_SPECIFIED))
		o->ea_next = 0;
	wbuf_init(&w, outlen);
	if (nwant > 0) {
		for (i = 0; i < nwant; i++) {
			const uint8_t *v = NULL;
			size_t vl = 0;

			for (j = 0; j < (size_t)n; j++)
				if (strcasecmp(it[j].name, want[i].name) == 0) {
					v = it[j].value;
					vl = it[j].value_len;
					break;
				}
			if (smb2_meta_put_ea(&w, outlen, &prev,
			    j < (size_t)n ? it[j].name : want[i].name,
			    v, vl) == -1) {
				status = done == 0 ?
				    NT_STATUS_BUFFER_TOO_SMALL :
				    NT_STATUS_BUFFER_OVERFLOW;
				break;
			}
			done++;
			if (flags & SL_RETURN_SINGLE_ENTRY)
				break;
		}
	} else if (n == 0) {
		status = NT_STATUS_NO_EAS_ON_FILE;
	} else if (o->ea_next >= (size_t)n) {
		status = NT_STATUS_NO_MORE_EAS;
	} else {
		for (i = o->ea_next; i < (size_t)n; i++) {
			if (smb2_meta_put_ea(&w, outlen, &prev, it[i].name,
			    it[i].value, it[i].value_len) == -1) {
				status = done == 0 ?
				    NT_STATUS_BUFFER_TOO_SMALL :
				    NT_STATUS_BUFFER_OVERFLOW;
				break;
			}
			done++;
			if (flags & SL_RETURN_SINGLE_ENTRY) {
				i++;
				break;
			}
		}
		o->ea_next = (uint32_t)(o->ea_next + done);
	}
	meta_ea_list_free(it, n > 0 ? (size_t)n : 0);
	free(want);
	if (status != NT_STATUS_SUCCESS && status != NT_STATUS_BUFFER_OVERFLOW) {
		wbuf_free(&w);
		return status;
	}
	wbuf_reset(req->out);
	smb2_query_info_body(req->out, &w);
	wbuf_free(&w);
	(void)c;
	return status;
}

/* SET_INFO FileFullEaInformation (MS-FSA 2.1.5.14.4). */
uint32_t
smb2_meta_set_ea(struct smb2_open *o, struct rbuf *in)
{
	struct meta_ea *eas;
	const uint8_t *p;
	size_t n, i, len = rbuf_left(in);
	uint32_t status, off;
	int own, fd;

	if (!(o->access & FILE_WRITE_EA))
		return NT_STATUS_ACCESS_DENIED;
	if (rbuf_get_ptr(in, &p, len) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	status = meta_ea_parse_full(p, len, &eas, &n, &off);
	if (status != NT_STATUS_SUCCESS)
		return status;
	for (i = 0; i < n; i++) {
		status = smb2_meta_ea_name_check(eas[i].name);
		if (status != NT_STATUS_SUCCESS) {
			free(eas);
			return status;
		}
	}
	if ((status = smb2_meta_ea_fd(o, &own)) != NT_STATUS_SUCCESS) {
		free(eas);
		return status;
	}
	fd = own != -1 ? own : o->fd;
	status = smb2_meta_apply_eas(fd, eas, n);
	if (own != -1)
		close(own);
	free(eas);
	return status;
}

/*
 * SET_INFO FileBasicInformation (MS-FSA 2.1.5.14.2): a time of 0 stays;
 * -1 and -2 (stop and resume automatic updates) leave the stored value
 * alone too; anything else below zero is invalid.  CreationTime goes to
 * user.DOSATTRIB, access and write times to the inode; ChangeTime, which
 * Linux cannot set, is remembered by the worker (smb2_meta_ctime_set).
 * Attributes of 0 stay; otherwise the settable bits are replaced.
 */
uint32_t
smb2_meta_set_basic(struct smb2_open *o, struct rbuf *r)
{
	struct meta_dosinfo di;
	struct meta_file mf;
	struct timespec ts[2];
	struct stat st;
	uint64_t t[4];
	uint32_t attrs, reserved;
	int i, own, fd, setct, fl;

	for (i = 0; i < 4; i++)
		rbuf_get_u64le(r, &t[i]);
	rbuf_get_u32le(r, &attrs);
	rbuf_get_u32le(r, &reserved);
	if (rbuf_error(r))
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	if (!(o->access & FILE_WRITE_ATTRIBUTES))
		return NT_STATUS_ACCESS_DENIED;
	for (i = 0; i < 4; i++)
		if ((int64_t)t[i] < -2)
			return NT_STATUS_INVALID_PARAMETER;
	if ((attrs & FILE_ATTRIBUTE_DIRECTORY) && !o->is_dir)
		return NT_STATUS_INVALID_PARAMETER;
	if ((attrs & FILE_ATTRIBUTE_TEMPORARY) && o->is_dir)
		return NT_STATUS_INVALID_PARAMETER;
	if (fstat(o->fd, &st) == -1)
		return ntstatus_from_errno(errno);
	/* Pending, sticky and frozen write times (smb2_wtime.c). */
	smb2_wt_setbasic(o, t[2]);

	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_OMIT;
	if ((int64_t)t[1] > 0)
		smb2_timespec(t[1], &ts[0]);
	if ((int64_t)t[2] > 0)
		smb2_timespec(t[2], &ts[1]);
	if (ts[0].tv_nsec != UTIME_OMIT || ts[1].tv_nsec != UTIME_OMIT) {
		if ((fl = fcntl(o->fd, F_GETFL)) != -1 &&
		    (fl & O_PATH) == O_PATH ?
		    utimensat(o->fd, "", ts, AT_EMPTY_PATH) == -1 :
		    futimens(o->fd, ts) == -1)
			return ntstatus_from_errno(errno);
	}
	if ((int64_t)t[3] > 0 && fstat(o->fd, &st) == 0)
		smb2_meta_ctime_set(&st, t[3]);
	setct = (int64_t)t[0] > 0;
	if (!setct && attrs == 0)
		return NT_STATUS_SUCCESS;

	if (smb2_meta_ea_fd(o, &own) != NT_STATUS_SUCCESS)
		return NT_STATUS_ACCESS_DENIED;
	fd = own != -1 ? own : o->fd;
	smb2_file_meta(o->tree, o->path, fd, &st, &mf);
	if (meta_get_dosinfo(fd, &di) == -1)
		memset(&di, 0, sizeof(di));
	di.valid = META_DOSINFO_ATTRIB | META_DOSINFO_CREATE_TIME;
	di.create_time = setct ? t[0] : mf.create_time;
	if (attrs != 0) {
		/* Bits the client cannot set stay as they were. */
		di.attrib = (mf.attrs & ~META_ATTR_SETTABLE &
		    ~FILE_ATTRIBUTE_NORMAL) | (attrs & META_ATTR_SETTABLE);
		/* HIDDEN from "hide dot files" is not stored. */
		if (!mf.stored && !(attrs & FILE_ATTRIBUTE_HIDDEN))
			di.attrib &= ~FILE_ATTRIBUTE_HIDDEN;
	} else
		di.attrib = mf.attrs & ~FILE_ATTRIBUTE_NORMAL;
	if (o->is_dir)
		di.attrib |= FILE_ATTRIBUTE_DIRECTORY;
	else
		di.attrib &= ~FILE_ATTRIBUTE_DIRECTORY;
	if (meta_set_dosinfo(fd, &di) == -1) {
		uint32_t status = errno == ENOTSUP ? NT_STATUS_NOT_SUPPORTED :
		    ntstatus_from_errno(errno);

		if (own != -1)
			close(own);
		return status;
	}
	if (own != -1)
		close(own);
	return NT_STATUS_SUCCESS;
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
