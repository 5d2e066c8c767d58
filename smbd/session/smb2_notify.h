/*
 * CHANGE_NOTIFY.
 */
#ifndef USMBD_SMB2_NOTIFY_H
#define USMBD_SMB2_NOTIFY_H

#include <stdint.h>

struct smb2_conn;
struct smb2_open;
struct smb2_req;

uint32_t	smb2_cmd_change_notify(struct smb2_conn *, struct smb2_req *);
/* A directory handle closes: end its waiting request (NOTIFY_CLEANUP). */
void		smb2_notify_close(struct smb2_open *);
/* A delete-on-close open of a directory closes: it is delete pending. */
void		smb2_notify_delete_pending(const struct smb2_open *);

#endif /* USMBD_SMB2_NOTIFY_H */
