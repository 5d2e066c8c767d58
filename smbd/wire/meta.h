/*
 * Windows metadata stored the way Samba stores it (doc/design.md §4), so that
 * a share moves between Samba and usmbd without losing anything:
 *
 *  - DOS attributes and the create time in the xattr user.DOSATTRIB, an
 *    NDR-encoded blob: a NUL-terminated hex string of the attributes
 *    (empty in current versions), a 16-bit version, the union's 16-bit
 *    switch, then the version's fields.  Versions 1 to 5 and the bare
 *    "0x..." text of the oldest Samba releases are read; version 5, the
 *    one Samba 4.17 writes, is written.
 *  - Extended attributes as user.<name> xattrs, except the names Samba
 *    reserves for its own metadata.
 *
 * The codecs here are pure functions over bytes; the helpers that take a
 * file descriptor do the xattr system calls.
 */
#ifndef USMBD_META_H
#define USMBD_META_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define META_DOSATTRIB_XATTR	"user.DOSATTRIB"

/* The valid_flags bits of the blob that usmbd understands. */
#define META_DOSINFO_ATTRIB	0x00000001
#define META_DOSINFO_EA_SIZE	0x00000002
#define META_DOSINFO_SIZE	0x00000004
#define META_DOSINFO_ALLOC_SIZE	0x00000008
#define META_DOSINFO_CREATE_TIME 0x00000010
#define META_DOSINFO_CHANGE_TIME 0x00000020
#define META_DOSINFO_ITIME	0x00000040

/* The version usmbd writes (what Samba 4.17 writes). */
#define META_DOSATTRIB_VERSION	5
/* Longest blob we write; enough for every version we read, too. */
#define META_DOSATTRIB_MAX	128

/* What one user.DOSATTRIB blob says. */
struct meta_dosinfo {
	uint16_t	version;	/* as read; 0xffff: bare hex text */
	uint32_t	valid;		/* META_DOSINFO_* */
	uint32_t	attrib;		/* FILE_ATTRIBUTE_* */
	uint64_t	create_time;	/* FILETIME */
	uint64_t	itime;		/* FILETIME, version 4 only */
};

/*
 * Decode a blob as Samba wrote it.  Returns 0, or -1 when the bytes are
 * not a blob of a known version (the caller then synthesizes attributes
 * as if there were none).
 */
int		 meta_dosattrib_decode(const uint8_t *, size_t,
		    struct meta_dosinfo *);
/*
 * Encode di as a version 5 blob into buf; returns the length, or 0 when
 * len is too small.  Only META_DOSINFO_ATTRIB and
 * META_DOSINFO_CREATE_TIME of di->valid are kept.
 */
size_t		 meta_dosattrib_encode(const struct meta_dosinfo *,
		    uint8_t *, size_t);

/*
 * Read and write user.DOSATTRIB of an open file (not an O_PATH fd).
 * meta_get_dosinfo returns 0, or -1 with errno (ENODATA: no xattr or
 * one we cannot decode).  meta_set_dosinfo returns 0 or -1 with errno.
 */
int		 meta_get_dosinfo(int, struct meta_dosinfo *);
int		 meta_set_dosinfo(int, const struct meta_dosinfo *);

/*
 * Set and clear attribute bits of an open file, keeping the stored create
 * time; a file without the xattr starts from the attributes synthesized
 * from st (ARCHIVE for files, DIRECTORY for directories) and gets the
 * create time st gives.  Returns 0 or -1 with errno.
 */
int		 meta_update_attrib(int, const struct stat *, uint32_t,
		    uint32_t);

/* The create time of a file without a stored one, as a FILETIME. */
uint64_t	 meta_synth_create_time(const struct stat *);

/*
 * Attributes that a client may store (MS-FSCC 2.6); the rest (DIRECTORY,
 * SPARSE_FILE, REPARSE_POINT, COMPRESSED, ENCRYPTED ...) belong to the
 * file system and are kept or synthesized by the server.
 */
#define META_ATTR_SETTABLE	0x000031a7	/* R H S A T O NCI */

/*
 * The attributes and create time clients see for a file: from the xattr
 * when there is one, else synthesized from st.  fd may be -1 or an O_PATH
 * descriptor; dirfd and name then name the file to read the xattr from
 * (name relative to dirfd; "" or NULL: none).  META_QUERY_HIDDEN adds
 * HIDDEN ("hide dot files" and friends); META_QUERY_EA also finds the EA
 * size, which costs a listing of the xattrs.
 */
#define META_QUERY_HIDDEN	0x01
#define META_QUERY_EA		0x02
/* fd is known to be a descriptor the xattrs can be read from (no O_PATH). */
#define META_QUERY_FD_OK	0x04
struct meta_file {
	uint32_t	attrs;
	uint64_t	create_time;	/* FILETIME */
	int		stored;		/* came from user.DOSATTRIB */
	uint32_t	ea_size;	/* META_QUERY_EA: see meta_ea_size */
};
void		 meta_query(int, int, const char *, const struct stat *,
		    int, struct meta_file *);
/*
 * The second half of meta_query: the attributes and create time from a
 * user.DOSATTRIB already read (NULL: none), so that a caller that read
 * it once need not read it again.  Keeps mf->ea_size.
 */
void		 meta_compose(const struct meta_dosinfo *, const struct stat *,
		    int, struct meta_file *);

/*
 * Extended attributes (MS-FSCC 2.4.15 FILE_FULL_EA_INFORMATION and
 * 2.4.15.1 FILE_GET_EA_INFORMATION) mapped to user.<name> xattrs.
 */
#define META_EA_PREFIX		"user."
#define META_EA_NAME_MAX	255
#define META_EA_VALUE_MAX	65535
#define META_FILE_NEED_EA	0x80

struct meta_ea {
	uint8_t		 flags;
	char		 name[META_EA_NAME_MAX + 1];
	const uint8_t	*value;		/* into the parsed buffer */
	uint16_t	 value_len;
};

/*
 * Parse a FILE_FULL_EA_INFORMATION list (SET_INFO FileFullEaInformation
 * and the ExtA create context).  On success *eas holds *neas entries
 * (free(*eas) later; the values point into buf).  Returns an NTSTATUS:
 * INVALID_EA_NAME for a bad name, EA_LIST_INCONSISTENT for a malformed
 * list; *erroff is set to the byte offset of the bad entry.
 */
uint32_t	 meta_ea_parse_full(const uint8_t *, size_t, struct meta_ea **,
		    size_t *, uint32_t *);
/*
 * Parse a FILE_GET_EA_INFORMATION list (the EaList of QUERY_INFO): the
 * names only, value NULL.
 */
uint32_t	 meta_ea_parse_get(const uint8_t *, size_t, struct meta_ea **,
		    size_t *, uint32_t *);
/* Is this an acceptable EA name (MS-FSCC: 8-bit, no control characters,
   none of "*+,/:;<=>?[\]|)? */
int		 meta_ea_name_valid(const char *, size_t);
/*
 * Is this xattr (full name) one the client sees as an EA?  Returns the
 * EA name (after "user.") or NULL for Samba's reserved names.
 */
const char	*meta_ea_from_xattr(const char *);
/* Is this EA name (without "user.") one of Samba's reserved names? */
int		 meta_ea_reserved(const char *);

/*
 * The EAs of an open file, as name/value pairs read with flistxattr and
 * fgetxattr.  Returns the count (0: none) or -1 with errno; *eas and the
 * values are freed with meta_ea_list_free.
 */
struct meta_ea_item {
	char		*name;		/* EA name, as stored */
	uint8_t		*value;
	size_t		 value_len;
};
ssize_t		 meta_ea_list(int, struct meta_ea_item **);
void		 meta_ea_list_free(struct meta_ea_item *, size_t);
/* The EaSize of FileEaInformation and directory entries: the size of the
   whole FILE_FULL_EA_INFORMATION list (the last entry unpadded), 0
   without EAs. */
uint32_t	 meta_ea_size(const struct meta_ea_item *, size_t);
uint32_t	 meta_ea_size_fd(int);
/*
 * Store one EA (value_len 0: remove it).  An existing xattr whose name
 * matches case-insensitively is replaced, as Samba does, so that a name
 * is one EA whatever its case.  Returns 0 or -1 with errno.
 */
int		 meta_ea_set(int, const char *, const uint8_t *, size_t);

#endif /* USMBD_META_H */
