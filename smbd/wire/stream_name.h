/*
 * Names of alternate data streams (MS-FSCC 2.1.5.3) and the extended
 * attributes that hold them (doc/design.md §4): a pure parser, used by
 * the stream handlers (smb2_stream.c), path resolution (vfs.c) and the
 * fuzz target stream_name.
 */
#ifndef USMBD_STREAM_NAME_H
#define USMBD_STREAM_NAME_H

#include <stddef.h>
#include <stdint.h>

#define STREAM_XATTR_PREFIX	"user.DosStream."
#define STREAM_XATTR_SUFFIX	":$DATA"
/*
 * The longest stream name in bytes of UTF-8: the whole attribute name
 * must fit in the kernel's XATTR_NAME_MAX of 255 bytes.
 */
#define STREAM_MAX_NAME		(255 - (sizeof(STREAM_XATTR_PREFIX) - 1) - \
				    (sizeof(STREAM_XATTR_SUFFIX) - 1))
/* The kernel's XATTR_SIZE_MAX, less the NUL byte Samba appends. */
#define STREAM_MAX_SIZE		65535
/* No xattr value is larger (XATTR_SIZE_MAX): no stream either. */
#define STREAM_XATTR_MAX	65536

/* What the ":type" part of a name asked for. */
#define STREAM_TYPE_NONE	0	/* no type given */
#define STREAM_TYPE_DATA	1	/* "$DATA" */
#define STREAM_TYPE_INDEX	2	/* "$INDEX_ALLOCATION": a directory */

/*
 * Parse what follows the first ':' of a name's last component:
 * "stream", "stream:$DATA", ":$DATA" or ":$INDEX_ALLOCATION" (type names
 * case-insensitive).  *name gets the stream name (NULL for the unnamed
 * stream), *type the STREAM_TYPE_*.  Returns an NTSTATUS:
 * OBJECT_NAME_INVALID for an empty name without a type, an empty or
 * unknown type, a named $INDEX_ALLOCATION, a character no stream name
 * may hold, or a name too long to store.
 */
uint32_t	 smb2_stream_name_parse(const char *, char **, int *);

/*
 * "file::$DATA" or "dir::$INDEX_ALLOCATION" on what turned out to be a
 * file or directory: NT_STATUS_SUCCESS or the status Windows gives.
 */
uint32_t	 smb2_stream_check_type(int type, int isdir, uint32_t opts);

#endif /* USMBD_STREAM_NAME_H */
