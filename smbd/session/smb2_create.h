/*
 * CREATE (smb2_create.c).
 */
#ifndef USMBD_SMB2_CREATE_H
#define USMBD_SMB2_CREATE_H

#include <stdint.h>

struct smb2_conn;
struct smb2_open;
struct smb2_req;

uint32_t	 smb2_cmd_create(struct smb2_conn *, struct smb2_req *);
/* The open goes away while its CREATE waits for oplock breaks. */
void		 smb2_create_abandon(struct smb2_open *);

#endif /* USMBD_SMB2_CREATE_H */
