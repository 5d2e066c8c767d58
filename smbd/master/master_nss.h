/*
 * Name service lookups of the master, off its event loop.
 *
 * getpwnam(3) and friends may wait for sssd, an LDAP server or winbind for
 * as long as those take.  The master serves every client from one event
 * loop, so it asks the name service from a few threads of its own and
 * learns the answers on the loop.  Every lookup has a deadline ("name
 * service timeout"): one that is not answered in time completes as
 * NSS_TIMEDOUT, and its late answer is thrown away.  Users that were
 * found are remembered for "name cache time" seconds.
 */
#ifndef USMBD_MASTER_NSS_H
#define USMBD_MASTER_NSS_H

#include <sys/types.h>

#include "auth.h"
#include "names_proto.h"

struct event_base;

enum nss_status {
	NSS_OK,			/* found */
	NSS_NOTFOUND,		/* the name service knows no such entry */
	NSS_ERROR,		/* the name service failed; see error */
	NSS_TIMEDOUT,		/* no answer within the name service timeout */
};

/* A Unix account as a logon needs it. */
struct nss_user {
	uid_t		uid;
	gid_t		gid;
	int		ngroups;
	int		truncated;	/* in more than AUTH_MAX_GROUPS groups */
	gid_t		groups[AUTH_MAX_GROUPS];
	int		error;		/* errno of NSS_ERROR */
};

/*
 * Completion callbacks.  Each runs exactly once, on the event loop, and
 * never before the call that started the lookup has returned.  The
 * result is NULL for NSS_TIMEDOUT and is valid only during the call.
 */
typedef void	(*nss_user_cb)(enum nss_status, const struct nss_user *,
		    void *);
typedef void	(*nss_names_cb)(enum nss_status, const struct names_msg *,
		    void *);

/* Once, with the master's event loop, before any lookup. */
void	nss_init(struct event_base *);
/*
 * "name service timeout" and "name cache time", in seconds: at start
 * and at every reload.
 */
void	nss_configure(int, int);
/*
 * The account of a user name, with its groups; answered from the cache
 * when the name was resolved within "name cache time".
 */
void	nss_resolve_user(const char *, nss_user_cb, void *);
/*
 * The questions of one IPC_NAME_REQUEST, as one job.  Entries of kind 0
 * are left alone; the others are answered as shared/names_proto.h says,
 * with a name looked up as given and then in lower case.  The caller
 * has checked the names a worker sent and checks the names it gets back.
 */
void	nss_lookup_names(const struct names_msg *, nss_names_cb, void *);

#endif /* USMBD_MASTER_NSS_H */
