/*
 * Privilege drop and sandboxes.
 *
 * Order in every program's main (doc/design.md §7.4): setup (including the
 * libevent base and signal events, which need sockets and pipes) ->
 * chroot/chdir -> setproctitle -> sandbox_limits -> sandbox_drop_privs ->
 * sandbox_enter -> event loop.
 */
#ifndef USMBD_SANDBOX_H
#define USMBD_SANDBOX_H

#include <sys/resource.h>
#include <sys/types.h>

#include "ipc_types.h"

struct sandbox_user {
	char	*name;
	uid_t	 uid;
	gid_t	 gid;
	gid_t	*groups;
	int	 ngroups;
	char	*home;
	/*
	 * The saved set-user and set-group ids the drop keeps, (uid_t)-1
	 * and (gid_t)-1 for none: the one other identity a session worker
	 * may switch its effective ids to (smbd/session/session_ident.c).
	 */
	uid_t	 saved_uid;
	gid_t	 saved_gid;
};

int	 sandbox_user_lookup(const char *, struct sandbox_user *);
void	 sandbox_user_free(struct sandbox_user *);
/* setgroups, setresgid, setresuid, verified; fatal on any problem. */
void	 sandbox_drop_privs(const struct sandbox_user *);
/*
 * Act as the user for a while (groups, effective gid and uid), keeping
 * root as the saved uid, and back: for opens whose permission check must
 * be the user's, made before the privilege drop.
 */
void	 sandbox_as_user(const struct sandbox_user *);
void	 sandbox_as_root(void);
void	 sandbox_limits(enum usmbd_prog, rlim_t);
/*
 * A path a program may use.  fd, when not -1, is a descriptor of it that
 * the program already opened (O_PATH or O_RDONLY): Landlock is given that
 * one, so the rule covers exactly what the program resolved, not what the
 * name leads to a moment later.  Without write, only reading is granted.
 */
struct sandbox_path {
	const char	*path;
	int		 fd;
	int		 write;
};

/*
 * As root, before the privilege drop: a private mount namespace whose
 * root is an empty read-only tmpfs mounted on mnt (any existing
 * directory; the host does not see the mount) holding a bind mount of
 * each path's fd as "/0", "/1", ... (read-only without write).  Each
 * fd is then replaced, same number, by the bind mount's root.  -1 with
 * errno when the kernel refuses a mount namespace (nothing changed);
 * any later failure is fatal.
 */
int	 sandbox_private_root(const char *, struct sandbox_path *);

/*
 * PR_SET_NO_NEW_PRIVS, Landlock (paths: what the program may use, ending
 * with a NULL path; NULL for nothing), then the program's seccomp filter.
 * debug: a forbidden call is reported by name on stderr before the
 * process dies by SIGSYS.
 */
void	 sandbox_enter(enum usmbd_prog, const struct sandbox_path *, int);
/*
 * With 1, sandbox_enter() of a session worker is fatal when the kernel
 * has no Landlock, instead of a warning ("require landlock").
 */
void	 sandbox_require_landlock(int);
const char *sandbox_syscall_name(long);
int	 sandbox_landlock_abi(void);
/* What was enforced, for logs and status. */
const char *sandbox_describe(void);
#ifdef USMBD_REGRESS_HOOKS
void	 sandbox_regress_violate(void);
#endif

#endif /* USMBD_SANDBOX_H */
