/*
 * CREATE, CLOSE and what other file commands share with them.
 */
#ifndef USMBD_SMB2_CREATE_H
#define USMBD_SMB2_CREATE_H

#include <sys/stat.h>

#include <stdint.h>

#include "fscc.h"

struct vfs_share;
struct rpc_pipe;
struct smb2_conn;
struct smb2_open;
struct smb2_req;
struct smb2_tree;
struct wbuf;

uint32_t	 smb2_cmd_create(struct smb2_conn *, struct smb2_req *);
uint32_t	 smb2_cmd_close(struct smb2_conn *, struct smb2_req *);
/* Close an open; with a connection, the current request waits. */
uint32_t	 smb2_close_open(struct smb2_conn *, struct smb2_open *);
/* Close every open of a tree that goes away (smb2_tree_close_hook). */
void		 smb2_tree_close_files(struct smb2_tree *);

/* smb2_pipe.c: named pipes on IPC$. */
struct rpc_pipe	*smb2_pipe_open(const char *);
void		 smb2_pipe_close(struct rpc_pipe *);

#endif /* USMBD_SMB2_CREATE_H */
