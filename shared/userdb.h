/*
 * The user database: account name, NT hash, disabled flag.  A text file,
 * one user per line:
 *
 *	name:flags:nthash:changed
 *
 * flags is empty or "D" (disabled), nthash 32 hex digits, changed the
 * Unix time of the last password change.  Lines starting with '#' and
 * empty lines are ignored.  Only authd's user can read it.
 */
#ifndef USMBD_USERDB_H
#define USMBD_USERDB_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define USERDB_MAX_USERS	100000
#define USERDB_MAX_NAME		256

struct userdb_user {
	char		*name;
	uint8_t		 nthash[16];
	int		 disabled;
	time_t		 changed;
};

struct userdb {
	struct userdb_user	*users;
	size_t			 nusers;
};

/* -1 with "path:line: reason" logged; a missing file is an error. */
int	userdb_load(const char *, struct userdb **);
/* A missing file loads as an empty database. */
int	userdb_load_or_empty(const char *, struct userdb **);
const struct userdb_user *userdb_find(const struct userdb *, const char *);
int	userdb_set(struct userdb *, const char *, const uint8_t [16]);
int	userdb_delete(struct userdb *, const char *);
int	userdb_set_disabled(struct userdb *, const char *, int);
/* Atomic: temp file, fsync, rename, fsync of the directory. */
int	userdb_save(const char *, const struct userdb *, uid_t, gid_t);
/* Exclusive lock on path.lock; the fd, or -1 after a few seconds. */
int	userdb_lock(const char *);
void	userdb_free(struct userdb *);

#endif /* USMBD_USERDB_H */
