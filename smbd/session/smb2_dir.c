/*
 * QUERY_DIRECTORY (MS-SMB2 2.2.33, 2.2.34, 3.3.5.18; entry layouts from
 * MS-FSCC 2.4; wildcards from MS-FSA 2.1.4.4).
 *
 * The directory is read lazily through the open's DIR stream, one entry
 * at a time, so a directory of any size is listed in bounded memory: an
 * entry that does not fit into this response is read again next time
 * (telldir/seekdir).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "mangle.h"
#include "ntstatus.h"
#include "session.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_dir.h"
#include "smb2_file.h"
#include "smb2_info.h"
#include "smb2_meta.h"
#include "meta.h"
#include "smb2_tree.h"
#include "smb2_wtime.h"
#include "unicode.h"
#include "util.h"
#include "vfs.h"

#define SMB2_RESTART_SCANS		0x01
#define SMB2_RETURN_SINGLE_ENTRY	0x02
#define SMB2_INDEX_SPECIFIED		0x04
#define SMB2_REOPEN			0x10

#define FileDirectoryInformation	0x01
#define FileFullDirectoryInformation	0x02
#define FileBothDirectoryInformation	0x03
#define FileNamesInformation		0x0c
#define FileIdBothDirectoryInformation	0x25
#define FileIdFullDirectoryInformation	0x26
#define FileIdExtdDirectoryInformation	0x3c

static size_t
dir_fixed_len(uint8_t class)
{
	switch (class) {
	case FileDirectoryInformation:
		return 64;
	case FileFullDirectoryInformation:
		return 68;
	case FileBothDirectoryInformation:
		return 94;
	case FileNamesInformation:
		return 12;
	case FileIdBothDirectoryInformation:
		return 104;
	case FileIdFullDirectoryInformation:
		return 80;
	case FileIdExtdDirectoryInformation:
		return 88;
	default:
		return 0;
	}
}

/*
 * ShortNameLength, Reserved and the 24 bytes of ShortName: the 8.3 name
 * FileAlternateNameInformation gives, empty for a name that already is
 * one (as Windows fills it).
 */
static void
dir_put_short_name(struct wbuf *w, const char *name)
{
	struct wbuf sn;
	char out[13];
	size_t len = 0;

	wbuf_init(&sn, 32);
	if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	    !smb2_short_name(name, out) &&
	    utf8_to_utf16le(out, strlen(out), &sn) == 0 &&
	    wbuf_len(&sn) <= 24)
		len = wbuf_len(&sn);
	wbuf_put_u8(w, (uint8_t)len);
	wbuf_put_u8(w, 0);
	wbuf_put_bytes(w, wbuf_data(&sn), len);
	wbuf_put_zero(w, 24 - len);
	wbuf_free(&sn);
}

/* Append one entry; returns its offset, or -1 when it does not fit. */
static int
dir_put_entry(struct wbuf *w, size_t start, size_t max, uint8_t class,
    const char *name, const struct stat *st, const struct meta_file *mf,
    size_t *entoff)
{
	struct wbuf nm;
	size_t off, need;

	wbuf_init(&nm, 4 * VFS_MAX_COMPONENT + 8);
	if (utf8_to_utf16le(name, strlen(name), &nm) == -1) {
		wbuf_free(&nm);
		return 1;	/* not representable: skip it */
	}
	off = wbuf_len(w);
	/* Entries start 8-byte aligned relative to the buffer. */
	if ((off - start) % 8 != 0)
		off += 8 - (off - start) % 8;
	need = dir_fixed_len(class) + wbuf_len(&nm);
	if (off - start + need > max) {
		wbuf_free(&nm);
		return -1;
	}
	wbuf_put_zero(w, off - wbuf_len(w));
	*entoff = off;
	wbuf_put_u32le(w, 0);			/* NextEntryOffset */
	wbuf_put_u32le(w, 0);			/* FileIndex */
	if (class == FileNamesInformation) {
		wbuf_put_u32le(w, (uint32_t)wbuf_len(&nm));
	} else {
		smb2_put_meta_times(w, st, mf);
		wbuf_put_u64le(w, S_ISDIR(st->st_mode) ? 0 :
		    (uint64_t)st->st_size);
		wbuf_put_u64le(w, smb2_alloc_size(st, 0));
		wbuf_put_u32le(w, mf->attrs);
		wbuf_put_u32le(w, (uint32_t)wbuf_len(&nm));
		if (class != FileDirectoryInformation)
			wbuf_put_u32le(w, mf->ea_size);
		switch (class) {
		case FileBothDirectoryInformation:
			dir_put_short_name(w, name);
			break;
		case FileIdBothDirectoryInformation:
			dir_put_short_name(w, name);
			wbuf_put_u16le(w, 0);
			wbuf_put_u64le(w, (uint64_t)st->st_ino);
			break;
		case FileIdFullDirectoryInformation:
			wbuf_put_u32le(w, 0);
			wbuf_put_u64le(w, (uint64_t)st->st_ino);
			break;
		case FileIdExtdDirectoryInformation:
			wbuf_put_u32le(w, 0);	/* ReparsePointTag */
			wbuf_put_u64le(w, (uint64_t)st->st_ino);
			wbuf_put_u64le(w, 0);
			break;
		}
	}
	wbuf_put_bytes(w, wbuf_data(&nm), wbuf_len(&nm));
	wbuf_free(&nm);
	return wbuf_error(w) ? -1 : 0;
}

/* (Re)open the directory stream of an open, from the start. */
static uint32_t
dir_rewind(struct smb2_open *o)
{
	int fd;

	if (o->dir != NULL) {
		rewinddir(o->dir);
		o->dir_done = 0;
		return NT_STATUS_SUCCESS;
	}
	if ((fd = openat(o->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return ntstatus_from_errno(errno);
	if ((o->dir = fdopendir(fd)) == NULL) {
		close(fd);
		return ntstatus_from_errno(errno);
	}
	o->dir_done = 0;
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_cmd_query_directory(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_open *o;
	struct smb2_tree *t = req->tree;
	struct rbuf r = req->body, nb;
	struct dirent *de;
	struct stat st;
	struct vfs_share vs;
	uint16_t ssize, noff, nlen;
	uint8_t class, flags, id[16];
	uint32_t index, outlen;
	struct meta_file mf;
	char *pattern = NULL, *child;
	size_t plen, start, entoff = 0, prev = (size_t)-1;
	long pos;
	int n = 0, rc, first;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u8(&r, &class);
	rbuf_get_u8(&r, &flags);
	rbuf_get_u32le(&r, &index);
	rbuf_get_bytes(&r, id, 16);
	rbuf_get_u16le(&r, &noff);
	rbuf_get_u16le(&r, &nlen);
	rbuf_get_u32le(&r, &outlen);
	if (rbuf_error(&r))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	if (!o->is_dir || t->ss == NULL)
		return NT_STATUS_INVALID_PARAMETER;
	if (!(o->access & FILE_LIST_DIRECTORY))
		return NT_STATUS_ACCESS_DENIED;
	if (dir_fixed_len(class) == 0)
		return NT_STATUS_INVALID_INFO_CLASS;
	if (outlen > c->max_trans)
		return NT_STATUS_INVALID_PARAMETER;
	if (nlen > 0) {
		if (rbuf_sub(&req->msg, noff, nlen, &nb) == -1 ||
		    utf16le_to_utf8(&nb, nlen, &pattern, &plen) == -1)
			return NT_STATUS_INVALID_PARAMETER;
	}
	if (pattern != NULL && (o->dir_pattern == NULL ||
	    (flags & (SMB2_REOPEN | SMB2_RESTART_SCANS)))) {
		free(o->dir_pattern);
		o->dir_pattern = pattern;
		pattern = NULL;
	}
	free(pattern);
	if (o->dir_pattern == NULL)
		o->dir_pattern = xstrdup("*");
	first = o->dir == NULL;
	if (first || (flags & (SMB2_RESTART_SCANS | SMB2_REOPEN))) {
		uint32_t st2;

		if ((st2 = dir_rewind(o)) != NT_STATUS_SUCCESS)
			return st2;
		first = 1;
	}
	if (o->dir_done)
		return NT_STATUS_NO_MORE_FILES;

	vs.rootfd = t->ss->rootfd;
	vs.cfg = t->ss->share;
	vs.case_sensitive = 0;
	wbuf_reset(req->out);
	wbuf_put_u16le(req->out, 9);
	wbuf_put_u16le(req->out, SMB2_HDR_LEN + 8);
	wbuf_put_u32le(req->out, 0);
	start = wbuf_len(req->out);
	for (;;) {
		pos = telldir(o->dir);
		errno = 0;
		if ((de = readdir(o->dir)) == NULL) {
			if (errno != 0)
				return ntstatus_from_errno(errno);
			o->dir_done = 1;
			break;
		}
		if (!smb2_wildcard_match(o->dir_pattern, de->d_name))
			continue;
		if (*o->path == '\0' && strcmp(de->d_name, "..") == 0)
			continue;
		xasprintf(&child, "%s%s%s", o->path, *o->path ? "/" : "",
		    de->d_name);
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    vfs_is_vetoed(&vs, child)) {
			free(child);
			continue;
		}
		if (fstatat(dirfd(o->dir), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			free(child);
			continue;
		}
		/*
		 * A symlink shows what it points to, but only when that
		 * lies inside the share: resolved below the root like any
		 * open, else the link itself is shown, so nothing about a
		 * file outside the share leaks into a listing.
		 */
		if (S_ISLNK(st.st_mode)) {
			struct stat target;
			int lfd;

			if ((lfd = vfs_open(&vs, child, O_PATH, 0)) != -1) {
				if (fstat(lfd, &target) == 0)
					st = target;
				close(lfd);
			}
		}
		smb2_dir_meta(t, o, de->d_name, child, &st, &mf);
		/* A write time an open of this worker still owes. */
		smb2_wt_stat_inode(&st);
		free(child);
		rc = dir_put_entry(req->out, start, outlen, class, de->d_name,
		    &st, &mf, &entoff);
		if (rc == 1)
			continue;
		if (rc == -1) {
			/* Keep it for the next call. */
			seekdir(o->dir, pos);
			if (n == 0)
				return NT_STATUS_INFO_LENGTH_MISMATCH;
			break;
		}
		if (prev != (size_t)-1)
			wbuf_set_u32le(req->out, prev,
			    (uint32_t)(entoff - prev));
		prev = entoff;
		n++;
		if (flags & SMB2_RETURN_SINGLE_ENTRY)
			break;
	}
	if (n == 0)
		return first ? NT_STATUS_NO_SUCH_FILE : NT_STATUS_NO_MORE_FILES;
	wbuf_set_u32le(req->out, 4, (uint32_t)(wbuf_len(req->out) - start));
	return NT_STATUS_SUCCESS;
}
