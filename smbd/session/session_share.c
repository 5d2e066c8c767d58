/*
 * Share-level access, decided once per worker before the sandbox closes:
 * which shares this user may reach at all (available, valid users, invalid
 * users, guest ok), which it may write (read only, read list, write list),
 * and an open directory fd for each share root.  Only those roots go into
 * the worker's private mount namespace and its Landlock ruleset
 * (invariant 4).  This runs as root, before the privilege drop; each root
 * is opened as the user, so that the kernel's permission check is the
 * user's.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "hostacl.h"
#include "log.h"
#include "sandbox.h"
#include "session.h"
#include "session_ident.h"
#include "usmbd.h"
#include "util.h"

/*
 * Is the user named in a Samba-style user list?  Entries are user names,
 * or groups written @name, +name or &name (all three mean a Unix group
 * here).
 */
static int
session_in_list(char *const *list, const struct sandbox_user *su)
{
	struct group *gr;
	const char *e;
	int i;

	if (list == NULL)
		return 0;
	for (; *list != NULL; list++) {
		e = *list;
		if (*e == '@' || *e == '+' || *e == '&') {
			e++;
			while (*e == '@' || *e == '+' || *e == '&')
				e++;
			if ((gr = getgrnam(e)) == NULL)
				continue;
			if (gr->gr_gid == su->gid)
				return 1;
			for (i = 0; i < su->ngroups; i++)
				if (su->groups[i] == gr->gr_gid)
					return 1;
			continue;
		}
		if (strcasecmp(e, su->name) == 0)
			return 1;
	}
	return 0;
}

/* hosts allow and hosts deny of a share, for this worker's client. */
static int
session_host_allowed(const struct conf_share *sh)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((sh->hosts_allow == NULL || sh->hosts_allow[0] == NULL) &&
	    (sh->hosts_deny == NULL || sh->hosts_deny[0] == NULL))
		return 1;
	if (getpeername(USMBD_FD_CLIENT, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	return hostacl_allowed(sh->hosts_allow, sh->hosts_deny,
	    (struct sockaddr *)&ss, len);
}

struct sandbox_path *
session_share_paths(const struct sandbox_user *su)
{
	struct session_share *ss;
	const struct conf_share *sh;
	struct sandbox_path *paths;
	size_t i, n = 0;
	int guest = (S.auth.flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS))
	    != 0;

	S.nshares = S.conf->nshares;
	S.shares = xcalloc(S.nshares + 1, sizeof(*S.shares));
	paths = xcalloc(S.nshares + 1, sizeof(*paths));
	for (i = 0; i < S.nshares; i++) {
		ss = &S.shares[i];
		sh = ss->share = &S.conf->shares[i];
		ss->rootfd = -1;
		if (!sh->available)
			ss->why = "share is not available";
		else if (guest && !sh->guest_ok)
			ss->why = "guest access not allowed";
		else if (session_in_list(sh->invalid_users, su))
			ss->why = "user is in invalid users";
		else if (sh->valid_users != NULL && sh->valid_users[0] != NULL &&
		    !session_in_list(sh->valid_users, su))
			ss->why = "user is not in valid users";
		else if (!session_host_allowed(sh))
			ss->why = "client address refused by hosts allow or "
			    "hosts deny";
		if (ss->why != NULL ||
		    session_ident_share(ss, su) == -1)
			continue;
		ss->writeable = !sh->read_only;
		if (session_in_list(sh->read_list, su))
			ss->writeable = 0;
		if (session_in_list(sh->write_list, su))
			ss->writeable = 1;
		/*
		 * Opened as whom the share's files are reached as: the
		 * kernel decides who may enter.
		 */
		session_ident_as(ss, su);
		ss->rootfd = open(sh->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		sandbox_as_root();
		if (ss->rootfd == -1) {
			log_warn("share %s: %s", sh->name, sh->path);
			ss->why = "share path not accessible";
			continue;
		}
		ss->allowed = 1;
		/*
		 * Landlock gets the root just opened, not the name again,
		 * and write rights only where this user may write.
		 */
		paths[n].path = sh->path;
		paths[n].fd = ss->rootfd;
		paths[n].write = ss->writeable;
		n++;
	}
	paths[n].path = NULL;
	paths[n].fd = -1;
	return paths;
}

struct session_share *
session_share_find(const char *name)
{
	size_t i;

	for (i = 0; i < S.nshares; i++)
		if (strcasecmp(S.shares[i].share->name, name) == 0)
			return &S.shares[i];
	return NULL;
}
