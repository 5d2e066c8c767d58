/*
 * Named pipes on IPC$ (smb2_pipe.c): what CREATE opens and CLOSE closes;
 * READ, WRITE and IOCTL of an open pipe go to its RPC server.
 */
#ifndef USMBD_SMB2_PIPE_H
#define USMBD_SMB2_PIPE_H

struct rpc_pipe;

/* A pipe of one of the RPC servers, by its name; NULL for none. */
struct rpc_pipe	*smb2_pipe_open(const char *);
void		 smb2_pipe_close(struct rpc_pipe *);

#endif /* USMBD_SMB2_PIPE_H */
