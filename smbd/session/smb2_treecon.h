/*
 * TREE_CONNECT and TREE_DISCONNECT of a session worker (smb2_tree.c).
 */
#ifndef USMBD_SMB2_TREECON_H
#define USMBD_SMB2_TREECON_H

#include <stdint.h>

struct smb2_conn;
struct smb2_req;
struct smb2_tree;

uint32_t	smb2_cmd_tree_connect(struct smb2_conn *, struct smb2_req *);
uint32_t	smb2_cmd_tree_disconnect(struct smb2_conn *, struct smb2_req *);
/*
 * A tree going away gives back its slot of "max connections" in lockd,
 * if it holds one.
 */
void		smb2_tree_release_slot(struct smb2_tree *);

#endif /* USMBD_SMB2_TREECON_H */
