/*
 * The result of an authentication, as authd reports it to the master and
 * the master passes it to the session worker it starts.  Fixed size, so
 * that the master checks it by length alone.
 */
#ifndef USMBD_AUTH_H
#define USMBD_AUTH_H

#include <stdint.h>
#include <sys/types.h>

#define AUTH_MAX_GROUPS		64
#define AUTH_MAX_USER		256

#define AUTH_FLAG_GUEST		0x0001
#define AUTH_FLAG_ANONYMOUS	0x0002

struct auth_result {
	uint64_t	session_id;	/* SMB2 SessionId of the new session */
	uint32_t	flags;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	ngroups;
	uint32_t	groups[AUTH_MAX_GROUPS];
	char		user[AUTH_MAX_USER];	/* NUL-terminated, UTF-8 */
};

#endif /* USMBD_AUTH_H */
