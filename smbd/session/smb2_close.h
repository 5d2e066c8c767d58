/*
 * CLOSE, and closing an open any other way (a tree or session that goes
 * away, a refused CREATE that already holds a lockd handle).
 */
#ifndef USMBD_SMB2_CLOSE_H
#define USMBD_SMB2_CLOSE_H

#include <stdint.h>

struct smb2_conn;
struct smb2_open;
struct smb2_req;
struct smb2_tree;

uint32_t	 smb2_cmd_close(struct smb2_conn *, struct smb2_req *);
/* Close an open; with a connection, the current request waits. */
uint32_t	 smb2_close_open(struct smb2_conn *, struct smb2_open *);
/* Close every open of a tree that goes away (smb2_tree_close_hook). */
void		 smb2_tree_close_files(struct smb2_tree *);

#endif /* USMBD_SMB2_CLOSE_H */
