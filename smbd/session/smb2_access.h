/*
 * What a user may do with a file, as the kernel decides it: the access
 * every CREATE, MAXIMUM_ALLOWED and the MxAc context start from.
 */
#ifndef USMBD_SMB2_ACCESS_H
#define USMBD_SMB2_ACCESS_H

#include <stdint.h>

struct smb2_tree;
struct vfs_share;

/* GENERIC_* bits mapped to the file rights they stand for. */
uint32_t	 smb2_map_generic(uint32_t);
/* The rights this user has on the file at path below the share. */
uint32_t	 smb2_maximal_access(const struct smb2_tree *,
		    const struct vfs_share *, const char *);

#endif /* USMBD_SMB2_ACCESS_H */
