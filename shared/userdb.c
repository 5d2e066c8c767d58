/*
 * The user database.  See userdb.h for the format.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "unicode.h"
#include "userdb.h"
#include "util.h"

static int
userdb_hex(const char *s, uint8_t out[16])
{
	int i, hi, lo;

	for (i = 0; i < 16; i++) {
		hi = s[2 * i];
		lo = s[2 * i + 1];
#define HEXV(c) ((c) >= '0' && (c) <= '9' ? (c) - '0' : \
		(c) >= 'a' && (c) <= 'f' ? (c) - 'a' + 10 : \
		(c) >= 'A' && (c) <= 'F' ? (c) - 'A' + 10 : -1)
		if (HEXV(hi) < 0 || HEXV(lo) < 0)
			return -1;
		out[i] = (uint8_t)(HEXV(hi) << 4 | HEXV(lo));
#undef HEXV
	}
	return s[32] == '\0' ? 0 : -1;
}

static int
userdb_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= USERDB_MAX_NAME)
		return 0;
	for (; *name != '\0'; name++)
		if (*name == ':' || (unsigned char)*name < 0x20)
			return 0;
	return 1;
}

static int
userdb_parse(const char *path, FILE *fp, struct userdb *db)
{
	char *line = NULL, *f[4], *p;
	size_t cap = 0;
	ssize_t n;
	long long v;
	const char *errstr;
	int lineno = 0, i;

	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		p = line;
		for (i = 0; i < 4; i++)
			f[i] = strsep(&p, ":");
		if (f[3] == NULL || p != NULL) {
			log_warnx("%s:%d: expected name:flags:nthash:changed",
			    path, lineno);
			goto bad;
		}
		if (!userdb_name_ok(f[0])) {
			log_warnx("%s:%d: bad user name", path, lineno);
			goto bad;
		}
		if (userdb_find(db, f[0]) != NULL) {
			log_warnx("%s:%d: duplicate user %s", path, lineno,
			    f[0]);
			goto bad;
		}
		if (strcmp(f[1], "") != 0 && strcmp(f[1], "D") != 0) {
			log_warnx("%s:%d: unknown flags \"%s\"", path, lineno,
			    f[1]);
			goto bad;
		}
		if (db->nusers >= USERDB_MAX_USERS) {
			log_warnx("%s:%d: more than %d users", path, lineno,
			    USERDB_MAX_USERS);
			goto bad;
		}
		db->users = xreallocarray(db->users, db->nusers + 1,
		    sizeof(*db->users));
		memset(&db->users[db->nusers], 0, sizeof(*db->users));
		if (userdb_hex(f[2], db->users[db->nusers].nthash) == -1) {
			log_warnx("%s:%d: bad NT hash", path, lineno);
			goto bad;
		}
		v = parse_number(f[3], 0, INT64_MAX, &errstr);
		if (errstr != NULL) {
			log_warnx("%s:%d: bad time: %s", path, lineno, errstr);
			goto bad;
		}
		db->users[db->nusers].name = xstrdup(f[0]);
		db->users[db->nusers].disabled = f[1][0] == 'D';
		db->users[db->nusers].changed = (time_t)v;
		db->nusers++;
	}
	if (ferror(fp)) {
		log_warn("%s", path);
		goto bad;
	}
	explicit_bzero(line, cap);
	free(line);
	return 0;
 bad:
	if (line != NULL)
		explicit_bzero(line, cap);
	free(line);
	return -1;
}

static int
userdb_load_flags(const char *path, struct userdb **out, int empty_ok)
{
	struct userdb *db;
	FILE *fp;

	*out = NULL;
	db = xcalloc(1, sizeof(*db));
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT && empty_ok) {
			*out = db;
			return 0;
		}
		log_warn("%s", path);
		free(db);
		return -1;
	}
	if (userdb_parse(path, fp, db) == -1) {
		fclose(fp);
		userdb_free(db);
		return -1;
	}
	fclose(fp);
	*out = db;
	return 0;
}

int
userdb_load(const char *path, struct userdb **out)
{
	return userdb_load_flags(path, out, 0);
}

int
userdb_load_or_empty(const char *path, struct userdb **out)
{
	return userdb_load_flags(path, out, 1);
}

const struct userdb_user *
userdb_find(const struct userdb *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->nusers; i++)
		if (utf8_casecmp(db->users[i].name, name) == 0)
			return &db->users[i];
	return NULL;
}

int
userdb_set(struct userdb *db, const char *name, const uint8_t hash[16])
{
	struct userdb_user *u;

	if (!userdb_name_ok(name))
		return -1;
	if ((u = (struct userdb_user *)userdb_find(db, name)) == NULL) {
		if (db->nusers >= USERDB_MAX_USERS)
			return -1;
		db->users = xreallocarray(db->users, db->nusers + 1,
		    sizeof(*db->users));
		u = &db->users[db->nusers++];
		memset(u, 0, sizeof(*u));
		u->name = xstrdup(name);
	}
	memcpy(u->nthash, hash, 16);
	u->changed = time(NULL);
	return 0;
}

int
userdb_delete(struct userdb *db, const char *name)
{
	struct userdb_user *u;
	size_t i;

	if ((u = (struct userdb_user *)userdb_find(db, name)) == NULL)
		return -1;
	i = (size_t)(u - db->users);
	free(u->name);
	explicit_bzero(u, sizeof(*u));
	memmove(&db->users[i], &db->users[i + 1],
	    (db->nusers - i - 1) * sizeof(*u));
	db->nusers--;
	return 0;
}

int
userdb_set_disabled(struct userdb *db, const char *name, int on)
{
	struct userdb_user *u;

	if ((u = (struct userdb_user *)userdb_find(db, name)) == NULL)
		return -1;
	u->disabled = on;
	return 0;
}

int
userdb_save(const char *path, const struct userdb *db, uid_t owner,
    gid_t group)
{
	char *tmp, *dcopy;
	FILE *fp;
	size_t i, j;
	int fd, dfd, ok = 0;

	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		log_warn("%s", tmp);
		free(tmp);
		return -1;
	}
	if (fchmod(fd, 0600) == -1 || fchown(fd, owner, group) == -1 ||
	    (fp = fdopen(fd, "w")) == NULL) {
		log_warn("%s", tmp);
		close(fd);
		goto out;
	}
	fprintf(fp, "# usmbd user database: name:flags:nthash:changed\n"
	    "# Managed by usmbd-passwd(8); do not edit while usmbd runs.\n");
	for (i = 0; i < db->nusers; i++) {
		fprintf(fp, "%s:%s:", db->users[i].name,
		    db->users[i].disabled ? "D" : "");
		for (j = 0; j < 16; j++)
			fprintf(fp, "%02x", db->users[i].nthash[j]);
		fprintf(fp, ":%lld\n", (long long)db->users[i].changed);
	}
	if (fflush(fp) == EOF || fsync(fileno(fp)) == -1) {
		log_warn("%s", tmp);
		fclose(fp);
		goto out;
	}
	if (fclose(fp) == EOF || rename(tmp, path) == -1) {
		log_warn("%s", path);
		goto out;
	}
	/* The rename itself must reach the disk too. */
	dcopy = xstrdup(path);
	if ((dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	free(dcopy);
	ok = 1;
 out:
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : -1;
}

int
userdb_lock(const char *path)
{
	char *lp;
	int fd, i;

	xasprintf(&lp, "%s.lock", path);
	if ((fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		log_warn("%s", lp);
		free(lp);
		return -1;
	}
	for (i = 0; i < 50; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			free(lp);
			return fd;
		}
		if (errno != EWOULDBLOCK)
			break;
		usleep(100000);
	}
	log_warnx("%s: the user database is locked by another process", lp);
	free(lp);
	close(fd);
	return -1;
}

void
userdb_free(struct userdb *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nusers; i++)
		free(db->users[i].name);
	if (db->users != NULL)
		explicit_bzero(db->users, db->nusers * sizeof(*db->users));
	free(db->users);
	free(db);
}
