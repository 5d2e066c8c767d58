/*
 * QUERY_INFO (MS-SMB2 2.2.37, 2.2.38, 3.3.5.20; classes from MS-FSCC 2.4
 * and 2.5).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "mangle.h"
#include "ntstatus.h"
#include "reply_wire.h"
#include "session.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_info.h"
#include "secdesc.h"
#include "smb2_meta.h"
#include "meta.h"
#include "smb2_stream.h"
#include "smb2_tree.h"
#include "smb2_wtime.h"
#include "unicode.h"
#include "util.h"

#define SMB2_0_INFO_FILE		0x01
#define SMB2_0_INFO_FILESYSTEM		0x02
#define SMB2_0_INFO_SECURITY		0x03
#define SMB2_0_INFO_QUOTA		0x04

#define FileBasicInformation		4
#define FileStandardInformation		5
#define FileInternalInformation		6
#define FileEaInformation		7
#define FileAccessInformation		8
#define FileNameInformation		9
#define FilePositionInformation		14
#define FileFullEaInformation		15
#define FileModeInformation		16
#define FileAlignmentInformation	17
#define FileAllInformation		18
#define FileAlternateNameInformation	21
#define FileStreamInformation		22
#define FilePipeInformation		23
#define FileCompressionInformation	28
#define FileNetworkOpenInformation	34
#define FileAttributeTagInformation	35
#define FileNormalizedNameInformation	48
#define FileIdInformation		59

#define FileFsVolumeInformation		1
#define FileFsSizeInformation		3
#define FileFsDeviceInformation		4
#define FileFsAttributeInformation	5
#define FileFsFullSizeInformation	7
#define FileFsObjectIdInformation	8
#define FileFsControlInformation	6
#define FileFsSectorSizeInformation	11

#define FILE_DEVICE_DISK		0x00000007
#define FILE_CASE_SENSITIVE_SEARCH	0x00000001
#define FILE_CASE_PRESERVED_NAMES	0x00000002
#define FILE_UNICODE_ON_DISK		0x00000004
#define FILE_PERSISTENT_ACLS		0x00000008
#define FILE_SUPPORTS_SPARSE_FILES	0x00000040
#define FILE_NAMED_STREAMS		0x00040000
#define FILE_SUPPORTS_OBJECT_IDS	0x00010000

/* FileAlternateNameInformation. */
static void
info_put_short_name(struct wbuf *w, const struct smb2_open *o)
{
	const char *name = strrchr(o->path, '/');
	char out[13];
	struct wbuf nm;

	name = name == NULL ? o->path : name + 1;
	/* So that an open by the short name finds this file (mangle.c). */
	if (!smb2_short_name(name, out))
		mangle_remember(o->path);
	wbuf_init(&nm, 64);
	utf8_to_utf16le(out, strlen(out), &nm);
	wbuf_put_u32le(w, (uint32_t)wbuf_len(&nm));
	wbuf_put_bytes(w, wbuf_data(&nm), wbuf_len(&nm));
	wbuf_free(&nm);
}

/* The name of an open as Windows reports it: "\dir\file". */
static void
info_put_name(struct wbuf *w, const struct smb2_open *o, int lenfield)
{
	struct wbuf nm;
	char *p, *name;

	/* A stream open is named "\dir\file:stream" as on Windows. */
	xasprintf(&name, "\\%s%s%s", o->path, o->stream != NULL ? ":" : "",
	    o->stream != NULL ? o->stream : "");
	for (p = name; *p != '\0'; p++)
		if (*p == '/')
			*p = '\\';
	wbuf_init(&nm, 4 * strlen(name) + 8);
	utf8_to_utf16le(name, strlen(name), &nm);
	if (lenfield)
		wbuf_put_u32le(w, (uint32_t)wbuf_len(&nm));
	wbuf_put_bytes(w, wbuf_data(&nm), wbuf_len(&nm));
	wbuf_free(&nm);
	free(name);
}

static void
info_put_basic(struct wbuf *w, const struct stat *st,
    const struct meta_file *mf)
{
	smb2_put_meta_times(w, st, mf);
	wbuf_put_u32le(w, mf->attrs);
}

static void
info_put_standard(struct wbuf *w, const struct stat *st, int pending,
    uint64_t reserved)
{
	int dir = S_ISDIR(st->st_mode);

	wbuf_put_u64le(w, smb2_alloc_size(st, reserved));
	wbuf_put_u64le(w, dir ? 0 : (uint64_t)st->st_size);
	/* A link that is delete-pending no longer counts (smb2.setinfo). */
	wbuf_put_u32le(w, (uint32_t)(pending && st->st_nlink > 0 ?
	    st->st_nlink - 1 : st->st_nlink));
	wbuf_put_u8(w, (uint8_t)pending);
	wbuf_put_u8(w, (uint8_t)dir);
	wbuf_put_u16le(w, 0);
}

/*
 * Fill out with the class; returns an NTSTATUS.  *fixed tells whether
 * the class has a fixed size (too small a buffer is then an error, not a
 * truncation).
 */
static uint32_t
info_file(struct smb2_conn *c, struct smb2_open *o, uint8_t class,
    struct wbuf *w, int *fixed)
{
	struct stat st;
	struct meta_file mf;
	uint32_t attrs;

	*fixed = 1;
	if (o->pipe != NULL) {
		memset(&st, 0, sizeof(st));
		st.st_nlink = 1;
	} else if (fstat(o->fd, &st) == -1)
		return ntstatus_from_errno(errno);
	else {
		smb2_stream_stat(o, &st);
		if (o->stream == NULL)
			smb2_wt_stat(o, &st);
	}
	if (o->pipe != NULL) {
		memset(&mf, 0, sizeof(mf));
		mf.attrs = FILE_ATTRIBUTE_NORMAL;
	} else if (class == FileEaInformation || class == FileAllInformation)
		smb2_file_meta_ea(o->tree, o->path, o->fd, &st, &mf);
	else
		smb2_file_meta(o->tree, o->path, o->fd, &st, &mf);
	mf.attrs = smb2_stream_attributes(o, mf.attrs);
	/* Sparse without xattrs: kept in the open (smb2_fsctl.c). */
	if (o->pipe == NULL && !mf.stored && o->sparse)
		mf.attrs |= FILE_ATTRIBUTE_SPARSE_FILE;
	attrs = mf.attrs;

	switch (class) {
	case FileBasicInformation:
		info_put_basic(w, &st, &mf);
		wbuf_put_u32le(w, 0);
		break;
	case FileStandardInformation:
		info_put_standard(w, &st, o->delete_on_close,
		    o->alloc_reserved);
		break;
	case FileInternalInformation:
		wbuf_put_u64le(w, (uint64_t)st.st_ino);
		break;
	case FileEaInformation:
		wbuf_put_u32le(w, mf.ea_size);
		break;
	case FileAccessInformation:
		wbuf_put_u32le(w, o->access);
		break;
	case FilePositionInformation:
		wbuf_put_u64le(w, o->position);
		break;
	case FileModeInformation:
		wbuf_put_u32le(w, o->create_options & 0x0000103e);
		break;
	case FileAlignmentInformation:
		wbuf_put_u32le(w, 0);
		break;
	case FileAllInformation:
		*fixed = 0;
		info_put_basic(w, &st, &mf);
		wbuf_put_u32le(w, 0);
		info_put_standard(w, &st, o->delete_on_close,
		    o->alloc_reserved);
		wbuf_put_u64le(w, (uint64_t)st.st_ino);
		wbuf_put_u32le(w, mf.ea_size);		/* EaSize */
		wbuf_put_u32le(w, o->access);
		wbuf_put_u64le(w, o->position);
		wbuf_put_u32le(w, o->create_options & 0x0000103e);
		wbuf_put_u32le(w, 0);			/* alignment */
		info_put_name(w, o, 1);
		break;
	case FileAlternateNameInformation:
		*fixed = 0;
		info_put_short_name(w, o);
		break;
	case FileStreamInformation:
		*fixed = 0;
		return smb2_stream_info(o, w);
	case FileCompressionInformation:
		wbuf_put_u64le(w, S_ISDIR(st.st_mode) ? 0 :
		    (uint64_t)st.st_size);
		wbuf_put_u16le(w, 0);	/* COMPRESSION_FORMAT_NONE */
		wbuf_put_zero(w, 6);
		break;
	case FileNetworkOpenInformation:
		smb2_put_meta_times_sizes(w, &st, &mf, o->alloc_reserved);
		wbuf_put_u32le(w, attrs);
		wbuf_put_u32le(w, 0);
		break;
	case FileAttributeTagInformation:
		wbuf_put_u32le(w, attrs);
		wbuf_put_u32le(w, 0);
		break;
	case FileNormalizedNameInformation:
		if (c->nres.dialect < SMB2_DIALECT_311)
			return NT_STATUS_NOT_SUPPORTED;
		*fixed = 0;
		{
			struct wbuf tmp;
			size_t len;

			/* The share-relative name without the leading '\'. */
			wbuf_init(&tmp, 4 * strlen(o->path) + 16);
			info_put_name(&tmp, o, 0);
			len = wbuf_len(&tmp) >= 2 ? wbuf_len(&tmp) - 2 : 0;
			wbuf_put_u32le(w, (uint32_t)len);
			wbuf_put_bytes(w, wbuf_data(&tmp) + 2, len);
			wbuf_free(&tmp);
		}
		break;
	case FileIdInformation:
		wbuf_put_u64le(w, (uint64_t)st.st_dev);
		wbuf_put_u64le(w, (uint64_t)st.st_ino);
		wbuf_put_u64le(w, 0);
		break;
	case FileFullEaInformation:
		return NT_STATUS_NO_EAS_ON_FILE;
	case FilePipeInformation:
		if (o->pipe == NULL)
			return NT_STATUS_INVALID_PARAMETER;
		wbuf_put_u32le(w, 1);	/* message mode */
		wbuf_put_u32le(w, 0);
		break;
	default:
		return NT_STATUS_INVALID_INFO_CLASS;
	}
	return NT_STATUS_SUCCESS;
}

static uint32_t
info_fs(struct smb2_conn *c, struct smb2_open *o, uint8_t class,
    struct wbuf *w, int *fixed)
{
	struct statvfs sv;
	struct stat st;
	uint64_t unit;
	const char *label;
	struct wbuf nm;

	*fixed = 1;
	if (o->tree->ss == NULL)
		return NT_STATUS_INVALID_PARAMETER;
	if (fstatvfs(o->tree->ss->rootfd, &sv) == -1 ||
	    fstat(o->tree->ss->rootfd, &st) == -1)
		return ntstatus_from_errno(errno);
	unit = sv.f_frsize != 0 ? sv.f_frsize : 4096;
	switch (class) {
	case FileFsVolumeInformation:
		*fixed = 0;
		label = o->tree->ss->share->name;
		wbuf_init(&nm, 4 * strlen(label) + 8);
		utf8_to_utf16le(label, strlen(label), &nm);
		wbuf_put_u64le(w, smb2_filetime(&st.st_ctim));
		wbuf_put_u32le(w, (uint32_t)st.st_dev ^ (uint32_t)st.st_ino);
		wbuf_put_u32le(w, (uint32_t)wbuf_len(&nm));
		wbuf_put_u8(w, 0);
		wbuf_put_u8(w, 0);
		wbuf_put_bytes(w, wbuf_data(&nm), wbuf_len(&nm));
		wbuf_free(&nm);
		break;
	case FileFsSizeInformation:
		wbuf_put_u64le(w, (uint64_t)sv.f_blocks);
		wbuf_put_u64le(w, (uint64_t)sv.f_bavail);
		wbuf_put_u32le(w, (uint32_t)(unit / 512));
		wbuf_put_u32le(w, 512);
		break;
	case FileFsFullSizeInformation:
		wbuf_put_u64le(w, (uint64_t)sv.f_blocks);
		wbuf_put_u64le(w, (uint64_t)sv.f_bavail);
		wbuf_put_u64le(w, (uint64_t)sv.f_bfree);
		wbuf_put_u32le(w, (uint32_t)(unit / 512));
		wbuf_put_u32le(w, 512);
		break;
	case FileFsDeviceInformation:
		wbuf_put_u32le(w, FILE_DEVICE_DISK);
		wbuf_put_u32le(w, 0);
		break;
	case FileFsAttributeInformation:
		*fixed = 0;
		wbuf_put_u32le(w, FILE_CASE_SENSITIVE_SEARCH |
		    FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK |
		    FILE_PERSISTENT_ACLS | FILE_SUPPORTS_SPARSE_FILES |
		    FILE_SUPPORTS_OBJECT_IDS |
		    (o->tree->ss->share->streams ? FILE_NAMED_STREAMS : 0));
		wbuf_put_u32le(w, 255);
		wbuf_put_u32le(w, 8);
		wbuf_put_bytes(w, "N\0T\0F\0S\0", 8);
		break;
	case FileFsControlInformation:
		/* No quotas: every threshold and limit is zero. */
		wbuf_put_zero(w, 40);
		wbuf_put_u32le(w, 0);
		wbuf_put_u32le(w, 0);
		break;
	case FileFsObjectIdInformation:
		wbuf_put_u64le(w, (uint64_t)st.st_dev);
		wbuf_put_u64le(w, (uint64_t)st.st_ino);
		wbuf_put_zero(w, 48);
		break;
	case FileFsSectorSizeInformation:
		wbuf_put_u32le(w, 512);
		wbuf_put_u32le(w, 512);
		wbuf_put_u32le(w, 512);
		wbuf_put_u32le(w, 512);
		wbuf_put_u32le(w, 0x3);	/* aligned device and partition */
		wbuf_put_u32le(w, 0);
		wbuf_put_u32le(w, 0);
		break;
	default:
		return NT_STATUS_INVALID_INFO_CLASS;
	}
	return NT_STATUS_SUCCESS;
}

/*
 * The fixed part of a variable-length class: a buffer smaller than that
 * cannot hold even a truncated answer (INFO_LENGTH_MISMATCH); a larger
 * one gets as much as fits (BUFFER_OVERFLOW).
 */
static size_t
info_min_len(uint8_t type, uint8_t class)
{
	if (type == SMB2_0_INFO_FILE) {
		switch (class) {
		case FileAllInformation:
			return 104;
		case FileStreamInformation:
			return 32;
		case FileAlternateNameInformation:
			return 8;
		default:
			return 4;
		}
	}
	switch (class) {
	case FileFsVolumeInformation:
		return 24;
	case FileFsAttributeInformation:
		return 16;
	default:
		return 4;
	}
}

uint32_t
smb2_cmd_query_info(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_open *o;
	struct rbuf r = req->body;
	struct wbuf w;
	uint16_t ssize, inoff, reserved;
	uint8_t type, class, id[16];
	uint32_t outlen, inlen, addl, flags, st;
	int fixed = 1;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u8(&r, &type);
	rbuf_get_u8(&r, &class);
	rbuf_get_u32le(&r, &outlen);
	rbuf_get_u16le(&r, &inoff);
	rbuf_get_u16le(&r, &reserved);
	rbuf_get_u32le(&r, &inlen);
	rbuf_get_u32le(&r, &addl);
	rbuf_get_u32le(&r, &flags);
	rbuf_get_bytes(&r, id, 16);
	if (rbuf_error(&r))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	if (outlen > c->max_trans)
		return NT_STATUS_INVALID_PARAMETER;

	/* EAs answer with whole entries only (smb2_meta.c). */
	if (type == SMB2_0_INFO_FILE && class == FileFullEaInformation &&
	    o->pipe == NULL)
		return smb2_meta_query_ea(c, req, o, outlen, inoff, inlen,
		    flags);

	wbuf_init(&w, 65536);
	switch (type) {
	case SMB2_0_INFO_FILE:
		/*
		 * Only the classes that return timestamps and attributes need
		 * FILE_READ_ATTRIBUTES (MS-FSA 2.1.5.11); FileStandardInformation
		 * is asked for on opens with FILE_READ_DATA alone (impacket's
		 * downloads do this).
		 */
		if (!(o->access & FILE_READ_ATTRIBUTES) &&
		    (class == FileBasicInformation ||
		    class == FileAllInformation ||
		    class == FileNetworkOpenInformation ||
		    class == FileAttributeTagInformation)) {
			st = NT_STATUS_ACCESS_DENIED;
			break;
		}
		st = info_file(c, o, class, &w, &fixed);
		break;
	case SMB2_0_INFO_FILESYSTEM:
		st = info_fs(c, o, class, &w, &fixed);
		break;
	case SMB2_0_INFO_SECURITY:
		/*
		 * READ_CONTROL for owner, group and DACL; the SACL needs
		 * ACCESS_SYSTEM_SECURITY, which no open here holds
		 * (MS-SMB2 3.3.5.20.3, as Windows without
		 * SeSecurityPrivilege).  Asking for nothing needs nothing
		 * and gets an empty descriptor (smb2.sdread).
		 */
		if (((addl & (SECINFO_OWNER | SECINFO_GROUP |
		    SECINFO_DACL)) && !(o->access & READ_CONTROL)) ||
		    ((addl & SECINFO_SACL) &&
		    !(o->access & ACCESS_SYSTEM_SECURITY))) {
			st = NT_STATUS_ACCESS_DENIED;
			break;
		}
		fixed = 0;
		st = smb2_security_descriptor(o, addl, &w);
		break;
	case SMB2_0_INFO_QUOTA:
		st = NT_STATUS_NOT_SUPPORTED;
		break;
	default:
		st = NT_STATUS_INVALID_PARAMETER;
		break;
	}
	if (st == NT_STATUS_SUCCESS && wbuf_error(&w))
		st = NT_STATUS_INSUFFICIENT_RESOURCES;
	if (st != NT_STATUS_SUCCESS) {
		wbuf_free(&w);
		return st;
	}
	if (wbuf_len(&w) > outlen) {
		if (fixed || type == SMB2_0_INFO_SECURITY) {
			/*
			 * A security descriptor that does not fit tells the
			 * client its size (MS-SMB2 3.3.5.20.3).
			 */
			if (type == SMB2_0_INFO_SECURITY) {
				uint32_t need = (uint32_t)wbuf_len(&w);

				wbuf_reset(req->out);
				wbuf_put_u16le(req->out, 9);
				wbuf_put_u8(req->out, 0);
				wbuf_put_u8(req->out, 0);
				wbuf_put_u32le(req->out, 4);
				wbuf_put_u32le(req->out, need);
				wbuf_free(&w);
				req->error_data = 1;
				return NT_STATUS_BUFFER_TOO_SMALL;
			}
			wbuf_free(&w);
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		if (outlen < info_min_len(type, class)) {
			wbuf_free(&w);
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		w.len = outlen;
		st = NT_STATUS_BUFFER_OVERFLOW;
	}
	wbuf_reset(req->out);
	smb2_query_info_body(req->out, &w);
	wbuf_free(&w);
	return st;
}

