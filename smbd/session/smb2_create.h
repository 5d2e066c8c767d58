/*
 * CREATE (smb2_create.c).
 */
#ifndef USMBD_SMB2_CREATE_H
#define USMBD_SMB2_CREATE_H

#include <stdint.h>

struct smb2_conn;
struct smb2_req;

uint32_t	 smb2_cmd_create(struct smb2_conn *, struct smb2_req *);

#endif /* USMBD_SMB2_CREATE_H */
