/*
 * NEGOTIATE as the preauth process runs it.
 */
#ifndef USMBD_SMB2_NEGPROT_H
#define USMBD_SMB2_NEGPROT_H

struct smb2_conn;
struct smb2_req;

/* Fill the connection's negotiate configuration; before the sandbox. */
int		smb2_negprot_setup(struct smb2_conn *);
uint32_t	smb2_cmd_negotiate(struct smb2_conn *, struct smb2_req *);
uint32_t	smb2_cmd_cancel(struct smb2_conn *, struct smb2_req *);
/* Read (or, in the master, create) the persistent server GUID. */
int		smb2_server_guid(const char *, uint8_t [16], int);

#endif /* USMBD_SMB2_NEGPROT_H */
