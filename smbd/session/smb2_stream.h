/*
 * Alternate data streams (MS-FSCC 2.1.5.3 for their names, MS-FSA 2.1.5.1
 * for opening them), stored the way Samba's streams_xattr module stores
 * them (doc/design.md §4): the named stream "s" of a file is the extended
 * attribute "user.DosStream.s:$DATA" of that file, whose value is the
 * stream's data followed by one NUL byte.  The unnamed stream is the file
 * itself, so streams go with the inode through renames and vanish with it.
 */
#ifndef USMBD_SMB2_STREAM_H
#define USMBD_SMB2_STREAM_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

struct rbuf;
struct wbuf;
struct smb2_conn;
struct smb2_open;
struct smb2_req;
struct vfs_name;
struct vfs_share;

#include "stream_name.h"

/*
 * CREATE of a named stream (smb2_create.c): the open's descriptor is the
 * base file's.  What it made, to undo if lockd refuses the open: the
 * base file (Windows creates the file a new stream belongs to) and the
 * stream.
 */
#define STREAM_CREATED_BASE	0x1
#define STREAM_CREATED_STREAM	0x2
/*
 * Find a stream by name, case-insensitively: 1 with *canon its stored
 * spelling, 0 when there is none, -1 with errno.
 */
int		 smb2_stream_find(int fd, const char *, char **canon);
/* Make a stream empty: create it, or empty one that exists.  0 or -1. */
int		 smb2_stream_make(int fd, const char *, int replace);
/* Remove a stream a refused CREATE made. */
void		 smb2_stream_unmake(int fd, const char *);
/* Undo what a CREATE made of a stream, when the open is refused after all. */
void		 smb2_stream_undo_create(struct smb2_open *, int);

/* Make a stat of the base file describe the stream of this open. */
void		 smb2_stream_stat(const struct smb2_open *, struct stat *);
/*
 * The attributes of a stream open: its file's, but never DIRECTORY,
 * since a stream of a directory is data (clients refuse to read or
 * write an open that claims to be a directory).
 */
uint32_t	 smb2_stream_attributes(const struct smb2_open *, uint32_t);

/*
 * READ and WRITE on a stream open, here and now; the rest of the command
 * is checked.  sync: the data is on stable storage before the answer.
 */
uint32_t	 smb2_stream_read(struct smb2_req *, struct smb2_open *,
		    uint32_t len, uint64_t off, uint32_t mincount);
uint32_t	 smb2_stream_write(struct smb2_req *, struct smb2_open *,
		    const struct rbuf *, uint64_t off, int sync);
/*
 * Their IO alone, safe in a thread of the IO pool: the base file's
 * descriptor and the stream's name are all they use.  0 or an errno
 * (ENODATA: the stream is gone; EFBIG: past max).  A read copies at
 * most len bytes from off into buf; a write stores len bytes at *off,
 * or at the end with append, and sets *off to where it wrote.
 */
int		 smb2_stream_pread(int fd, const char *stream, uint8_t *buf,
		    size_t len, uint64_t off, size_t *nread);
int		 smb2_stream_pwrite(int fd, const char *stream,
		    const uint8_t *buf, size_t len, uint64_t *off, int append,
		    size_t max, int sync);
/* The size of a stream, the same way: 0 or an errno. */
int		 smb2_stream_size(int fd, const char *stream, uint64_t *size);
/* The NTSTATUS of a failed stream read, and of any other stream IO. */
uint32_t	 smb2_stream_read_status(int);
uint32_t	 smb2_stream_status(int);
/* The largest a stream of this open's share may grow (max stream size). */
size_t		 smb2_stream_max(const struct smb2_open *);
/* FileEndOfFileInformation / FileAllocationInformation on a stream. */
uint32_t	 smb2_stream_set_eof(struct smb2_open *, uint64_t, int alloc);

/*
 * FileStreamInformation of the file an open belongs to: "::$DATA" first
 * (files only), then every named stream.
 */
uint32_t	 smb2_stream_info(const struct smb2_open *, struct wbuf *);

/*
 * FileRenameInformation: does this buffer (or this open) make it a
 * stream rename?  Then smb2_stream_rename does it.
 */
int		 smb2_stream_is_rename(const struct smb2_open *,
		    const struct rbuf *);
uint32_t	 smb2_stream_rename(struct smb2_open *, struct rbuf *);

/*
 * The last open of a named stream closed with lockd's LOCKD_CLOSE_*
 * flags: remove the stream (its delete on close), or the whole file
 * whose deletion waited for its streams.
 */
void		 smb2_stream_closed(int rootfd, const char *path,
		    const char *stream, uint32_t flags);
/* Remove every named stream of a file (an overwrite of the file). */
void		 smb2_stream_remove_all(int fd);

#endif /* USMBD_SMB2_STREAM_H */
