/*
 * The file-system controls of IOCTL (smb2_fsctl.c); their wire formats
 * are fsctl_wire.h.
 */
#ifndef USMBD_SMB2_FSCTL_H
#define USMBD_SMB2_FSCTL_H

#include "fsctl_wire.h"

/* smb2_fsctl.c */
struct smb2_conn;
struct smb2_req;
struct smb2_ioctl_req;

/*
 * The file-system controls, and the status Windows gives for the ones
 * we do not implement.
 */
uint32_t	 smb2_fsctl(struct smb2_conn *, struct smb2_req *,
		    struct smb2_ioctl_req *);
/* Whether an open's file is sparse (FILE_ATTRIBUTE_SPARSE_FILE). */
struct smb2_open;
int		 smb2_fsctl_sparse(const struct smb2_open *);

#endif /* USMBD_SMB2_FSCTL_H */
