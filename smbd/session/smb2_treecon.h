/*
 * TREE_CONNECT and TREE_DISCONNECT of a session worker (smb2_tree.c).
 */
#ifndef USMBD_SMB2_TREECON_H
#define USMBD_SMB2_TREECON_H

#include <stdint.h>

struct smb2_conn;
struct smb2_req;

uint32_t	smb2_cmd_tree_connect(struct smb2_conn *, struct smb2_req *);
uint32_t	smb2_cmd_tree_disconnect(struct smb2_conn *, struct smb2_req *);

#endif /* USMBD_SMB2_TREECON_H */
