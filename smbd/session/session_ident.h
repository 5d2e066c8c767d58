/*
 * Whom a session worker acts as in each share: its own user, or the
 * share's "force user", "force group" or "guest only" identity.  A worker
 * holds at most one other uid and one other gid, in its saved set-user
 * and set-group ids, and switches its effective ids between them on the
 * event loop thread only (doc/design.md §1 invariant 4).
 */
#ifndef USMBD_SESSION_IDENT_H
#define USMBD_SESSION_IDENT_H

#include <sys/types.h>

/* The bits of an identity: the other uid, the other gid. */
#define IDENT_UID	0x1
#define IDENT_GID	0x2

struct sandbox_user;
struct session_share;
struct smb2_tree;

/*
 * As root, before the privilege drop: the identity share ss needs for
 * user su.  Returns 0 and sets ss->ident, or -1 with ss->why set when the
 * share cannot be used by this session.
 */
int	 session_ident_share(struct session_share *,
	    const struct sandbox_user *);
/* Become the share's identity as root does (root's effective ids). */
void	 session_ident_as(const struct session_share *,
	    const struct sandbox_user *);
/* What the privilege drop keeps as saved ids; -1 when none. */
void	 session_ident_saved(struct sandbox_user *);

/* At run time, on the event loop thread. */
int	 session_ident_current(void);
void	 session_ident_use(int);
/* The identity of a tree's share; IPC$ and no tree are the user's own. */
void	 session_ident_tree(const struct smb2_tree *);

#endif /* USMBD_SESSION_IDENT_H */
