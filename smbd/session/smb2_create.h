/*
 * CREATE, and the named pipes it opens on IPC$.
 */
#ifndef USMBD_SMB2_CREATE_H
#define USMBD_SMB2_CREATE_H

#include <stdint.h>

struct rpc_pipe;
struct smb2_conn;
struct smb2_req;

uint32_t	 smb2_cmd_create(struct smb2_conn *, struct smb2_req *);

/* smb2_pipe.c: named pipes on IPC$. */
struct rpc_pipe	*smb2_pipe_open(const char *);
void		 smb2_pipe_close(struct rpc_pipe *);

#endif /* USMBD_SMB2_CREATE_H */
