/*
 * The trees of a session, as the engine keeps them (smb2_treeid.c);
 * TREE_CONNECT itself is the session worker's (session/smb2_treecon.h).
 */
#ifndef USMBD_SMB2_TREE_H
#define USMBD_SMB2_TREE_H

#include <sys/queue.h>

#include <stdint.h>

struct session_share;
struct smb2_open;
struct smb2_session;

struct smb2_tree {
	TAILQ_ENTRY(smb2_tree)	 entry;
	uint32_t		 id;
	int			 ipc;		/* IPC$ */
	struct session_share	*ss;		/* NULL for IPC$ */
	int			 encrypt;
	int			 writeable;
	uint32_t		 maximal_access;
	/* It holds a slot of its share's "max connections" in lockd. */
	int			 counted;
	/* It goes with its session (a LOGOFF), not by TREE_DISCONNECT. */
	int			 session_ends;
	TAILQ_HEAD(, smb2_open)	 files;		/* opens on this tree */
};

void		smb2_tree_free_one(struct smb2_session *, struct smb2_tree *);
extern void	(*smb2_tree_close_hook)(struct smb2_tree *);
/*
 * Called before each request is handled, with its tree (NULL when it has
 * none): a session worker acts as the tree's share says.
 */
extern void	(*smb2_tree_enter_hook)(const struct smb2_tree *);

#endif /* USMBD_SMB2_TREE_H */
