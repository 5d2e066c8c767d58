/*
 * The session worker's view of a share: client names turned into paths
 * below the share root, resolved with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) so that nothing outside the share is ever
 * reached (doc/design.md §1 invariant 7), and Windows metadata stored the way
 * Samba stores it (doc/design.md §4).
 */
#ifndef USMBD_VFS_H
#define USMBD_VFS_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct conf_share;

/* Longest path below a share root we accept, in bytes of UTF-8. */
#define VFS_MAX_PATH		4096
#define VFS_MAX_COMPONENT	255

struct vfs_share {
	int			 rootfd;
	const struct conf_share	*cfg;
	int			 case_sensitive;
};

/* A client's name, checked and split. */
struct vfs_name {
	char	*path;		/* '/'-separated, no leading '/', "" = root */
	char	*stream;	/* NULL, or the stream name without ":$DATA" */
	int	 stream_type;	/* STREAM_TYPE_* of smb2_stream.h */
	int	 trailing_sep;	/* the client wrote a trailing '\' */
};

/*
 * Check and convert a UTF-8 name as a client sent it (already converted
 * from UTF-16LE): '\' separators, Windows reserved characters refused,
 * "." and ".." components refused, an optional ":stream[:$DATA]" suffix
 * (smb2_stream_name_parse).
 * Returns an NTSTATUS.
 */
uint32_t	vfs_name_parse(const char *, struct vfs_name *);
void		vfs_name_free(struct vfs_name *);

/*
 * Find the on-disk spelling of path below the share root: exact match
 * first, then a case-insensitive search of each directory unless the
 * share is case sensitive.  *found is set when the whole path exists; the
 * result is then its real spelling, else the real spelling of the
 * existing parent plus the last component as given.  Returns an NTSTATUS
 * (OBJECT_PATH_NOT_FOUND when a parent is missing).
 */
uint32_t	vfs_resolve(const struct vfs_share *, const char *, char **,
		    int *);
/*
 * The same, and when the name exists as written, *pathfd is its O_PATH
 * descriptor, opened without following a last symlink (else -1): what a
 * CREATE looks at the name through, so that it walks the path once.
 */
uint32_t	vfs_resolve_fd(const struct vfs_share *, const char *, char **,
		    int *, int *);
/* openat2 below the root; fd or -1 with errno. */
int		vfs_open(const struct vfs_share *, const char *, int, mode_t);
/* The directory fd of path's parent and the last component. */
int		vfs_open_parent(const struct vfs_share *, const char *,
		    const char **);
/* Is a name vetoed by "veto files", or hidden by the hide options? */
/* unlinkat, fstatat (no follow), renameat2, linkat below the root. */
int		vfs_unlink(const struct vfs_share *, const char *, int);
int		vfs_lstat(const struct vfs_share *, const char *, struct stat *);
int		vfs_rename(const struct vfs_share *, const char *, const char *,
		    unsigned int);
int		vfs_link(const struct vfs_share *, const char *, const char *);
int		vfs_is_vetoed(const struct vfs_share *, const char *);
int		vfs_is_hidden(const struct vfs_share *, const char *);

#endif /* USMBD_VFS_H */
