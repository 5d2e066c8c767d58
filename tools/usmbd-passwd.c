/*
 * usmbd-passwd: manage the usmbd user database.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <libgen.h>
#include <pwd.h>
#include <readpassphrase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "md4.h"
#include "userdb.h"
#include "util.h"

#define PASSWORD_MAX	512

static __attribute__((noreturn)) void
usage(int ok)
{
	fprintf(ok ? stdout : stderr,
	    "usage: usmbd-passwd [-hV] [-f config] -a|-x|-e|-D|-l [-s] [user]\n");
	exit(ok ? 0 : 1);
}

static __attribute__((noreturn, format(printf, 1, 2))) void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "usmbd-passwd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* A password line from stdin, without its newline. */
static int
read_line(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n == len - 1)
		return -1;	/* too long */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

static void
get_password(int script, uint8_t hash[16])
{
	char a[PASSWORD_MAX], b[PASSWORD_MAX];

	if (script) {
		if (read_line(a, sizeof(a)) == -1 ||
		    read_line(b, sizeof(b)) == -1)
			die("-s expects the password twice on standard input, "
			    "one line each");
	} else {
		if (readpassphrase("New SMB password: ", a, sizeof(a),
		    RPP_REQUIRE_TTY) == NULL ||
		    readpassphrase("Retype new SMB password: ", b, sizeof(b),
		    RPP_REQUIRE_TTY) == NULL)
			die("cannot read the password (use -s without a "
			    "terminal)");
	}
	if (strcmp(a, b) != 0) {
		explicit_bzero(a, sizeof(a));
		explicit_bzero(b, sizeof(b));
		die("the passwords do not match");
	}
	if (a[0] == '\0')
		die("empty passwords are not allowed");
	if (nt_hash(a, hash) == -1)
		die("the password is not valid UTF-8");
	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
}

int
main(int argc, char **argv)
{
	const char *conffile = SYSCONFDIR "/usmbd/smbd.conf";
	struct conf *conf;
	struct userdb *db;
	struct passwd *pw;
	struct stat st;
	uid_t owner;
	gid_t group;
	uint8_t hash[16];
	char *dir, *tmp;
	const struct userdb_user *one = NULL;
	int ch, op = 0, script = 0, lockfd;
	size_t i;

	log_procname("usmbd-passwd");
	log_init(1, LOG_AUTH);
	while ((ch = getopt(argc, argv, "aDef:hlsVx")) != -1) {
		switch (ch) {
		case 'a':
		case 'D':
		case 'e':
		case 'l':
		case 'x':
			if (op != 0)
				usage(0);
			op = ch;
			break;
		case 'f':
			conffile = optarg;
			break;
		case 's':
			script = 1;
			break;
		case 'h':
			usage(1);
		case 'V':
			printf("usmbd-passwd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(0);
		}
	}
	argc -= optind;
	argv += optind;
	if (op == 0 || (op == 'l' && argc > 1) || (op != 'l' && argc != 1))
		usage(0);
	if ((conf = conf_load(conffile)) == NULL)
		die("%s: configuration not valid", conffile);
	if ((pw = getpwnam(conf->g.authd_user)) == NULL)
		die("authd user %s does not exist", conf->g.authd_user);
	/* getpwnam() reuses its buffer: keep the ids now. */
	owner = pw->pw_uid;
	group = pw->pw_gid;
	if (geteuid() != 0 && geteuid() != owner)
		die("must be run as root or as %s", conf->g.authd_user);

	/* The database's directory is private to authd's user. */
	tmp = xstrdup(conf->g.passdb_file);
	dir = dirname(tmp);
	if (stat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, 0700) == -1 ||
		    chown(dir, owner, group) == -1)
			die("%s: %s", dir, strerror(errno));
	}
	free(tmp);

	if ((lockfd = userdb_lock(conf->g.passdb_file)) == -1)
		die("cannot lock %s", conf->g.passdb_file);
	if (userdb_load_or_empty(conf->g.passdb_file, &db) == -1)
		die("%s: cannot read the user database", conf->g.passdb_file);

	switch (op) {
	case 'l':
		if (argc == 1 && (one = userdb_find(db, argv[0])) == NULL)
			die("%s: no such user", argv[0]);
		for (i = 0; i < db->nusers; i++) {
			char when[32];
			struct tm tm;

			if (one != NULL && &db->users[i] != one)
				continue;
			localtime_r(&db->users[i].changed, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
			printf("%-20s %-8s %s\n", db->users[i].name,
			    db->users[i].disabled ? "disabled" : "enabled",
			    when);
		}
		userdb_free(db);
		return 0;
	case 'a':
		if ((pw = getpwnam(argv[0])) == NULL)
			die("%s has no Unix account: every usmbd user must be "
			    "one (create it with useradd first)", argv[0]);
		/* usmbd never lets root log on; no password may say otherwise. */
		if (pw->pw_uid == 0)
			die("%s is root (uid 0), which may never log on to "
			    "usmbd", argv[0]);
		get_password(script, hash);
		if (userdb_set(db, argv[0], hash) == -1)
			die("%s: not a valid user name", argv[0]);
		explicit_bzero(hash, sizeof(hash));
		break;
	case 'x':
		if (userdb_delete(db, argv[0]) == -1)
			die("%s: no such user", argv[0]);
		break;
	case 'e':
	case 'D':
		if (userdb_set_disabled(db, argv[0], op == 'D') == -1)
			die("%s: no such user", argv[0]);
		break;
	}
	if (userdb_save(conf->g.passdb_file, db, owner, group) == -1)
		die("%s: cannot write the user database",
		    conf->g.passdb_file);
	printf("%s %s\n", argv[0], op == 'a' ? "added, or its password set" :
	    op == 'x' ? "deleted" : op == 'e' ? "enabled" : "disabled");
	userdb_free(db);
	close(lockfd);
	conf_free(conf);
	return 0;
}
