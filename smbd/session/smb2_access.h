/*
 * What a user may do with a file, as the kernel decides it: the access
 * every CREATE, MAXIMUM_ALLOWED and the MxAc context start from.
 */
#ifndef USMBD_SMB2_ACCESS_H
#define USMBD_SMB2_ACCESS_H

#include <stdint.h>

struct stat;

struct smb2_tree;
struct vfs_share;

/* GENERIC_* bits mapped to the file rights they stand for. */
uint32_t	 smb2_map_generic(uint32_t);
/* The rights this user has on the file at path below the share. */
uint32_t	 smb2_maximal_access(const struct smb2_tree *,
		    const struct vfs_share *, const char *);
/*
 * The same for a file open below the share root as fd (with its stat),
 * asking the kernel only what decides the rights in want; with subset
 * set only whether want is granted in full.  See smb2_access.c.
 */
uint32_t	 smb2_access_fd(const struct smb2_tree *,
		    const struct vfs_share *, const char *, int,
		    const struct stat *, uint32_t, int);

#endif /* USMBD_SMB2_ACCESS_H */
