/*
 * Windows metadata in the session worker (smb2_meta.c): the one place
 * that says which attributes, create time and EAs a file shows, and the
 * handlers that change them.
 */
#ifndef USMBD_SMB2_META_H
#define USMBD_SMB2_META_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

struct meta_dosinfo;
struct meta_ea;
struct meta_file;
struct rbuf;
struct smb2_cctx;
struct smb2_conn;
struct smb2_open;
struct smb2_req;
struct smb2_tree;
struct wbuf;

/*
 * Attributes, create time and EA size of a file below the share root:
 * from user.DOSATTRIB when there is one, synthesized otherwise, with
 * HIDDEN for the "hide dot files"/"hide files" names.  fd may be -1 or
 * an O_PATH descriptor.
 */
void		 smb2_file_meta(const struct smb2_tree *, const char *, int,
		    const struct stat *, struct meta_file *);
/* The same with the EA size (an xattr listing more). */
void		 smb2_file_meta_ea(const struct smb2_tree *, const char *,
		    int, const struct stat *, struct meta_file *);
/* The same for a directory entry: name in the open directory o, child
   its path below the share root. */
void		 smb2_dir_meta(const struct smb2_tree *, struct smb2_open *,
		    const char *, const char *, const struct stat *,
		    struct meta_file *);
/* CreationTime .. ChangeTime with the create time of mf. */
void		 smb2_put_meta_times(struct wbuf *, const struct stat *,
		    const struct meta_file *);
/* The same, then AllocationSize and EndOfFile (reserved: see below). */
void		 smb2_put_meta_times_sizes(struct wbuf *, const struct stat *,
		    const struct meta_file *, uint64_t);
/* The cluster AllocationSize is counted in. */
#define SMB2_CLUSTER	4096
/* AllocationSize: the data blocks of st, with what an open reserved
   beyond the end of file (0: nothing). */
uint64_t	 smb2_alloc_size(const struct stat *, uint64_t);

/* CREATE: are these FileAttributes acceptable at all? */
int		 smb2_meta_attrs_valid(uint32_t);
/* CREATE: checks on an existing file's attributes (READONLY, HIDDEN and
   SYSTEM on overwrite); *readonly tells the caller to keep write rights
   out of MAXIMUM_ALLOWED. */
uint32_t	 smb2_meta_create_check(const struct meta_file *,
		    const struct stat *, uint32_t, uint32_t, uint32_t,
		    uint32_t *, int *);
/*
 * A file's user.DOSATTRIB read once (0), below the share root, for a
 * caller that keeps it (a CREATE: its checks and its response); then
 * what it makes of the file as smb2_file_meta would (di NULL: none
 * stored), with HIDDEN for a hidden name when by_name is set.
 */
int		 smb2_meta_read(const struct smb2_tree *, const char *,
		    const struct stat *, struct meta_dosinfo *);
void		 smb2_meta_compose(const struct smb2_tree *, const char *,
		    const struct meta_dosinfo *, const struct stat *, int,
		    struct meta_file *);
/* CREATE: store the attributes of a new or overwritten file. */
void		 smb2_meta_create_store(struct smb2_open *, int, uint32_t);
/* CREATE: the EAs of the ExtA context smb2_cctx_parse() found
   (checked), and storing them. */
uint32_t	 smb2_meta_create_eas(const struct smb2_cctx *,
		    struct meta_ea **, size_t *);
uint32_t	 smb2_meta_apply_eas(int, const struct meta_ea *, size_t);

/* QUERY_INFO FileFullEaInformation: writes the whole response. */
uint32_t	 smb2_meta_query_ea(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *, uint32_t, uint16_t, uint32_t, uint32_t);
/* SET_INFO FileFullEaInformation and FileBasicInformation. */
uint32_t	 smb2_meta_set_ea(struct smb2_open *, struct rbuf *);
uint32_t	 smb2_meta_set_basic(struct smb2_open *, struct rbuf *);

/* DOS attributes of a file as clients see them. */
uint32_t	 smb2_file_attributes(const struct smb2_tree *, const char *,
		    const struct stat *);
/*
 * CreationTime, LastAccessTime, LastWriteTime and ChangeTime, as every
 * info class, directory entry and CREATE report them; then with
 * AllocationSize and EndOfFile.
 */
void		 smb2_put_times(struct wbuf *, const struct stat *);
void		 smb2_put_times_sizes(struct wbuf *, const struct stat *);

#endif /* USMBD_SMB2_META_H */
