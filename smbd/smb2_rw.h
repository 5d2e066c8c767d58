/*
 * READ, WRITE, FLUSH, and the named-pipe side of READ and WRITE.
 */
#ifndef USMBD_SMB2_RW_H
#define USMBD_SMB2_RW_H

#include <stdint.h>

struct rbuf;
struct smb2_conn;
struct smb2_open;
struct smb2_req;

uint32_t	smb2_cmd_read(struct smb2_conn *, struct smb2_req *);
uint32_t	smb2_cmd_write(struct smb2_conn *, struct smb2_req *);
uint32_t	smb2_cmd_flush(struct smb2_conn *, struct smb2_req *);

/* smb2_pipe.c */
uint32_t	smb2_pipe_read(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *, uint32_t);
uint32_t	smb2_pipe_write(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *, struct rbuf *);

#endif /* USMBD_SMB2_RW_H */
