/*
 * "force user", "force group" and "guest only": a share whose files are
 * reached as another user or group than the one who logged on.
 *
 * A worker is one logon's process and runs without any capability, so
 * it cannot take on an identity at will.  Before the privilege drop, as
 * root, it finds the identity each share it may use needs; the drop then
 * keeps the one other uid and the one other gid those shares need as the
 * saved set-user and set-group ids.  An unprivileged process may set its
 * effective ids to its real or saved ones and to nothing else, so the
 * kernel itself bounds what a compromised worker can become to the
 * identities this logon was given; seccomp allows only that call
 * (shared/sandbox.c).  A share that would need a second other identity
 * (two shares forcing two different users) is refused to the session,
 * with the reason in the log.
 *
 * The switch uses the raw system calls, which change the calling thread
 * only: the event loop thread does every path lookup and every metadata
 * change, and the IO threads work on descriptors already open, for which
 * the kernel checked access at open time.  The supplementary groups stay
 * the logged-on user's: changing them needs CAP_SETGID (smbd.conf(5)
 * says so).
 */
#include "config.h"

#include <sys/syscall.h>
#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "sandbox.h"
#include "session.h"
#include "session_ident.h"
#include "smb2_tree.h"

static uid_t	ident_uid[2];	/* [0] the user's own, [1] the other */
static gid_t	ident_gid[2];
static int	ident_have_uid, ident_have_gid;
/*
 * The ids in effect on this thread: each thread has its own, since the
 * raw system calls change the calling thread only.
 */
static __thread int ident_cur = -1;	/* -1: not known yet */

/* The uid and gid a share's settings name, or the user's own. */
static int
ident_wanted(const struct conf_share *sh, const struct sandbox_user *su,
    uid_t *uid, gid_t *gid, const char **why)
{
	struct passwd *pw;
	struct group *gr;
	const char *user = NULL;

	*uid = su->uid;
	*gid = su->gid;
	if (sh->guest_only && sh->guest_ok)
		user = S.conf->g.guest_account;
	else if (sh->force_user != NULL && *sh->force_user != '\0')
		user = sh->force_user;
	if (user != NULL) {
		if ((pw = getpwnam(user)) == NULL) {
			log_warnx("share %s: force user %s does not exist",
			    sh->name, user);
			*why = "its forced user does not exist";
			return -1;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (sh->force_group != NULL && *sh->force_group != '\0') {
		if ((gr = getgrnam(sh->force_group)) == NULL) {
			log_warnx("share %s: force group %s does not exist",
			    sh->name, sh->force_group);
			*why = "its forced group does not exist";
			return -1;
		}
		*gid = gr->gr_gid;
	}
	if (*uid == 0 || *gid == 0) {
		log_warnx("share %s: a session never acts as root or group 0",
		    sh->name);
		*why = "it forces root or group 0";
		return -1;
	}
	return 0;
}

int
session_ident_share(struct session_share *ss, const struct sandbox_user *su)
{
	uid_t uid;
	gid_t gid;
	const char *why = NULL;

	ss->ident = 0;
	ident_uid[0] = su->uid;
	ident_gid[0] = su->gid;
	if (ident_wanted(ss->share, su, &uid, &gid, &why) == -1) {
		ss->why = why;
		return -1;
	}
	if (uid != su->uid) {
		if (ident_have_uid && ident_uid[1] != uid) {
			log_debug("user %s: share %s forces uid %u, another "
			    "share this session uses forces uid %u; one "
			    "session acts as one other user only", su->name,
			    ss->share->name, (unsigned)uid,
			    (unsigned)ident_uid[1]);
			ss->why = "another share of this session forces a "
			    "different user";
			return -1;
		}
		ss->ident |= IDENT_UID;
	}
	if (gid != su->gid) {
		if (ident_have_gid && ident_gid[1] != gid) {
			log_debug("user %s: share %s forces gid %u, another "
			    "share this session uses forces gid %u; one "
			    "session acts with one other group only",
			    su->name, ss->share->name, (unsigned)gid,
			    (unsigned)ident_gid[1]);
			ss->why = "another share of this session forces a "
			    "different group";
			ss->ident = 0;
			return -1;
		}
		ss->ident |= IDENT_GID;
	}
	/* Only now, when both fit: a refused share claims nothing. */
	if (ss->ident & IDENT_UID) {
		ident_uid[1] = uid;
		ident_have_uid = 1;
	}
	if (ss->ident & IDENT_GID) {
		ident_gid[1] = gid;
		ident_have_gid = 1;
	}
	return 0;
}

void
session_ident_as(const struct session_share *ss, const struct sandbox_user *su)
{
	struct sandbox_user as = *su;

	if (ss->ident & IDENT_UID)
		as.uid = ident_uid[1];
	if (ss->ident & IDENT_GID)
		as.gid = ident_gid[1];
	sandbox_as_user(&as);
}

void
session_ident_saved(struct sandbox_user *su)
{
	su->saved_uid = ident_have_uid ? ident_uid[1] : (uid_t)-1;
	su->saved_gid = ident_have_gid ? ident_gid[1] : (gid_t)-1;
}

int
session_ident_current(void)
{
	return ident_cur > 0 ? ident_cur : 0;
}

/*
 * Group first: which gid may be taken does not depend on the uid, and a
 * failure leaves the thread no more privileged than before.  A worker
 * that cannot act as the share's identity must not act as another one.
 */
void
session_ident_use(int bits)
{
	int diff = bits ^ ident_cur;

	/* Only ids the drop kept: any other call would be a violation. */
	if (!ident_have_uid)
		diff &= ~IDENT_UID;
	if (!ident_have_gid)
		diff &= ~IDENT_GID;
	if (diff == 0)
		return;
	if ((diff & IDENT_GID) && syscall(SYS_setresgid, (gid_t)-1,
	    ident_gid[(bits & IDENT_GID) ? 1 : 0], (gid_t)-1) == -1)
		fatal("cannot act with gid %u",
		    (unsigned)ident_gid[(bits & IDENT_GID) ? 1 : 0]);
	if ((diff & IDENT_UID) && syscall(SYS_setresuid, (uid_t)-1,
	    ident_uid[(bits & IDENT_UID) ? 1 : 0], (uid_t)-1) == -1)
		fatal("cannot act as uid %u",
		    (unsigned)ident_uid[(bits & IDENT_UID) ? 1 : 0]);
	ident_cur = bits;
}

void
session_ident_tree(const struct smb2_tree *t)
{
	session_ident_use(t != NULL && t->ss != NULL ? t->ss->ident : 0);
}
