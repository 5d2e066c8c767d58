/*
 * Master start-up and reload: listeners, the state directory, the pid
 * file and the checks of the unprivileged users.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "evil.h"
#include "log.h"
#include "master.h"
#include "master_nss.h"
#include "proc.h"
#include "sandbox.h"
#include "smb2_negprot.h"
#include "usmbd.h"
#include "util.h"

void
sockaddr_ntop(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else
		snprintf(buf, len, "(family %d)", ss->ss_family);
}

void
sockaddr_hoststr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
	else {
		snprintf(buf, len, "?");
		return;
	}
	if (inet_ntop(ss->ss_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/*
 * Two addresses belong to the same client host.  IPv4-mapped IPv6
 * addresses count as the IPv4 address they carry.
 */
static int
sockaddr_host(const struct sockaddr_storage *ss, uint8_t out[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	memset(out, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		memcpy(out, mapped, 12);
		memcpy(out + 12, &sin->sin_addr, 4);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		memcpy(out, &sin6->sin6_addr, 16);
		return 0;
	}
	return -1;
}

int
sockaddr_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	uint8_t ha[16], hb[16];

	if (sockaddr_host(a, ha) == -1 || sockaddr_host(b, hb) == -1)
		return 0;
	return memcmp(ha, hb, 16) == 0;
}

static int
master_bind_one(const char *addr, int port)
{
	struct addrinfo hints, *res;
	struct listener *l;
	char portstr[16], name[80];
	int fd, on = 1, r;

	if (M.nlisteners >= MASTER_MAX_LISTENERS) {
		log_warnx("too many listeners; %s port %d not used", addr,
		    port);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((r = getaddrinfo(addr, portstr, &hints, &res)) != 0) {
		log_warnx("interfaces: %s: %s", addr, gai_strerror(r));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("socket for %s", addr);
		freeaddrinfo(res);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		log_warn("SO_REUSEADDR");
	if (res->ai_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		log_warn("IPV6_V6ONLY");
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 128) == -1) {
		log_warn("cannot listen on %s port %d", addr, port);
		close(fd);
		freeaddrinfo(res);
		return -1;
	}
	l = &M.listeners[M.nlisteners++];
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	memcpy(&l->addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	sockaddr_ntop(&l->addr, name, sizeof(name));
	log_info("listening on %s", name);
	return 0;
}

int
master_listen(struct conf *conf)
{
	size_t i, j;

	for (i = 0; conf->g.interfaces[i] != NULL; i++)
		for (j = 0; j < conf->g.nsmb_ports; j++)
			master_bind_one(conf->g.interfaces[i],
			    conf->g.smb_ports[j]);
	return M.nlisteners > 0 ? 0 : -1;
}

void
master_check_users(struct conf *conf)
{
	const char *users[] = { conf->g.preauth_user, conf->g.authd_user,
	    conf->g.lockd_user };
	const char *what[] = { "preauth user", "authd user", "lockd user" };
	struct passwd *pw;
	uid_t uids[3];
	size_t i, j;

	for (i = 0; i < nitems(users); i++) {
		if ((pw = getpwnam(users[i])) == NULL)
			fatalx("user \"%s\" does not exist; create it (see "
			    "usmbd(8), or the sysusers.d snippet in etc/)",
			    users[i]);
		if (pw->pw_uid == 0)
			fatalx("user \"%s\" is root; the unprivileged "
			    "processes must not run as root", users[i]);
		uids[i] = pw->pw_uid;
	}
	/*
	 * One uid each: a process may signal, trace or read /proc of
	 * processes of its own uid, and only authd may read the user
	 * database.  Two names for one uid are refused too.
	 */
	for (i = 0; i < nitems(users); i++)
		for (j = i + 1; j < nitems(users); j++)
			if (uids[i] == uids[j])
				fatalx("%s \"%s\" and %s \"%s\" are the same "
				    "user (uid %u); each needs its own, so "
				    "that a compromised process cannot reach "
				    "the others", what[i], users[i], what[j],
				    users[j], (unsigned)uids[i]);
}

/*
 * What would fail only once the server runs, checked before: by usmbd -t,
 * and at every start.  Each finding is one log line; the return value
 * counts the errors (the server cannot work as configured) and *warnings
 * the rest (a share or a name that will not work).
 */
static int
master_check_libexec(const struct conf *conf)
{
	const char *progs[] = { USMBD_PREAUTH_NAME, USMBD_SESSION_NAME,
	    USMBD_AUTHD_NAME, USMBD_LOCKD_NAME };
	char path[PATH_MAX];
	size_t i;
	int errors = 0;

	for (i = 0; i < nitems(progs); i++) {
		snprintf(path, sizeof(path), "%s/%s",
		    conf->g.libexec_directory, progs[i]);
		if (access(path, X_OK) == -1) {
			log_warnx("libexec directory: %s: %s (every connection "
			    "and helper needs it)", path, strerror(errno));
			errors++;
		}
	}
	return errors;
}

/* The NT hashes: authd's user owns them, and nobody else may read them. */
static int
master_check_passdb(const struct conf *conf, int *warnings)
{
	struct passwd *pw;
	struct stat st;

	if (stat(conf->g.passdb_file, &st) == -1) {
		if (errno == ENOENT) {
			log_warnx("passdb file %s does not exist: nobody can "
			    "log on but guests; add users with usmbd-passwd "
			    "-a", conf->g.passdb_file);
			(*warnings)++;
			return 0;
		}
		log_warnx("passdb file %s: %s", conf->g.passdb_file,
		    strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("passdb file %s is not a regular file",
		    conf->g.passdb_file);
		return 1;
	}
	if (st.st_mode & 077) {
		log_warnx("passdb file %s has mode %04o: others could read "
		    "the NT hashes; chmod 600 it", conf->g.passdb_file,
		    (unsigned)(st.st_mode & 07777));
		return 1;
	}
	if ((pw = getpwnam(conf->g.authd_user)) != NULL &&
	    st.st_uid != pw->pw_uid) {
		log_warnx("passdb file %s is owned by uid %u, not by authd "
		    "user %s, which must read it", conf->g.passdb_file,
		    (unsigned)st.st_uid, conf->g.authd_user);
		return 1;
	}
	return 0;
}

/* Every user or @group a list names must exist. */
static int
master_check_names(const struct conf_share *sh, const char *what,
    char *const *list)
{
	const char *e;
	size_t i;
	int warnings = 0;

	for (i = 0; list != NULL && list[i] != NULL; i++) {
		e = list[i];
		if (*e == '@' || *e == '+' || *e == '&') {
			while (*e == '@' || *e == '+' || *e == '&')
				e++;
			if (getgrnam(e) != NULL)
				continue;
			log_warnx("share [%s]: %s: no group \"%s\"", sh->name,
			    what, e);
		} else {
			if (getpwnam(e) != NULL)
				continue;
			log_warnx("share [%s]: %s: no user \"%s\"", sh->name,
			    what, e);
		}
		warnings++;
	}
	return warnings;
}

/*
 * The uid and gid a share forces ("force user", "force group", "guest
 * only"), -1 for none.  Returns 1 for an error (root or group 0, which
 * no session ever acts as), else 0 with *warnings counting names that do
 * not resolve.
 */
static int
master_check_forced(const struct conf *conf, const struct conf_share *sh,
    uid_t *uid, gid_t *gid, int *warnings)
{
	const char *user = NULL;
	struct passwd *pw;
	struct group *gr;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (sh->guest_only && !sh->guest_ok) {
		log_warnx("share [%s]: guest only has no effect without guest "
		    "ok", sh->name);
		(*warnings)++;
	} else if (sh->guest_only)
		user = conf->g.guest_account;
	else if (sh->force_user != NULL && *sh->force_user != '\0')
		user = sh->force_user;
	if (user != NULL && (pw = getpwnam(user)) == NULL) {
		log_warnx("share [%s]: force user: no user \"%s\"; the share "
		    "cannot be used", sh->name, user);
		(*warnings)++;
	} else if (user != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (sh->force_group != NULL && *sh->force_group != '\0') {
		if ((gr = getgrnam(sh->force_group)) == NULL) {
			log_warnx("share [%s]: force group: no group \"%s\"; "
			    "the share cannot be used", sh->name,
			    sh->force_group);
			(*warnings)++;
		} else
			*gid = gr->gr_gid;
	}
	if (*uid == 0 || *gid == 0) {
		log_warnx("share [%s]: it would act as root or group 0, which "
		    "no session worker ever does", sh->name);
		return 1;
	}
	return 0;
}

/*
 * A session acts as at most one other user and group
 * (smbd/session/session_ident.c): say which shares cannot both serve one
 * session.
 */
static int
master_check_forced_all(const struct conf *conf, int *warnings)
{
	uid_t *uids;
	gid_t *gids;
	size_t i, j;
	int errors = 0;

	uids = xcalloc(conf->nshares + 1, sizeof(*uids));
	gids = xcalloc(conf->nshares + 1, sizeof(*gids));
	for (i = 0; i < conf->nshares; i++) {
		errors += master_check_forced(conf, &conf->shares[i], &uids[i],
		    &gids[i], warnings);
		for (j = 0; j < i; j++) {
			if (uids[i] != (uid_t)-1 && uids[j] != (uid_t)-1 &&
			    uids[i] != uids[j]) {
				log_warnx("shares [%s] and [%s] force different "
				    "users; a session that may use both is "
				    "refused [%s]", conf->shares[j].name,
				    conf->shares[i].name,
				    conf->shares[i].name);
				(*warnings)++;
			} else if (gids[i] != (gid_t)-1 &&
			    gids[j] != (gid_t)-1 && gids[i] != gids[j]) {
				log_warnx("shares [%s] and [%s] force different "
				    "groups; a session that may use both is "
				    "refused [%s]", conf->shares[j].name,
				    conf->shares[i].name,
				    conf->shares[i].name);
				(*warnings)++;
			}
		}
	}
	free(uids);
	free(gids);
	return errors;
}

int
master_check_runtime(const struct conf *conf, int *warnings)
{
	const struct conf_share *sh;
	struct stat st;
	size_t i;
	int errors;

	errors = master_check_libexec(conf);
	errors += master_check_passdb(conf, warnings);
	if (getpwnam(conf->g.guest_account) == NULL) {
		log_warnx("guest account \"%s\" does not exist",
		    conf->g.guest_account);
		(*warnings)++;
	}
	for (i = 0; i < conf->nshares; i++) {
		sh = &conf->shares[i];
		if (stat(sh->path, &st) == -1) {
			log_warnx("share [%s]: path %s: %s; the share cannot be "
			    "used", sh->name, sh->path, strerror(errno));
			(*warnings)++;
		} else if (!S_ISDIR(st.st_mode)) {
			log_warnx("share [%s]: path %s is not a directory; the "
			    "share cannot be used", sh->name, sh->path);
			(*warnings)++;
		}
		*warnings += master_check_names(sh, "valid users",
		    sh->valid_users);
		*warnings += master_check_names(sh, "invalid users",
		    sh->invalid_users);
		*warnings += master_check_names(sh, "read list", sh->read_list);
		*warnings += master_check_names(sh, "write list",
		    sh->write_list);
	}
	errors += master_check_forced_all(conf, warnings);
	return errors;
}

/*
 * Session workers are confined to their shares by Landlock.  Without it
 * in the kernel the server does not start, unless the administrator said
 * "require landlock = no"; then every start says what is missing.
 */
void
master_check_landlock(struct conf *conf)
{
	int abi = sandbox_landlock_abi();

#ifdef USMBD_REGRESS_HOOKS
	/* Tests: a kernel without Landlock. */
	if (getenv("USMBD_REGRESS_NO_LANDLOCK") != NULL)
		abi = 0;
#endif
	if (abi > 0)
		return;
	if (conf->g.require_landlock)
		fatalx("Landlock is not available in this kernel (Linux 5.13 "
		    "or later, with lsm=landlock): session workers would reach "
		    "every file their user can; refusing to start (set "
		    "\"require landlock = no\" to run without it)");
	log_warnx("Landlock is not available in this kernel: session workers "
	    "run without a file system sandbox and reach every file their "
	    "user can (require landlock = no)");
}

/*
 * Session workers see only their shares, in a private mount namespace
 * (shared/sandbox_root.c).  A kernel or container that refuses one
 * (unshare(CLONE_NEWNS) needs CAP_SYS_ADMIN) stops the server here,
 * unless "require mount namespace = no"; the check runs in a child, so
 * that the master's own view is never touched.
 */
void
master_check_mount_namespace(struct conf *conf)
{
	int status, err = 0;
	pid_t pid;

	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		_exit(unshare(CLONE_NEWNS) == 0 ? 0 : errno & 0x7f);
	}
	if (waitpid(pid, &status, 0) == -1)
		fatal("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		err = WIFEXITED(status) ? WEXITSTATUS(status) : EINVAL;
#ifdef USMBD_REGRESS_HOOKS
	/* Tests: a container without mount namespaces. */
	if (getenv("USMBD_REGRESS_NO_MOUNT_NS") != NULL)
		err = EPERM;
#endif
	if (err == 0)
		return;
	if (conf->g.require_mount_namespace)
		fatalx("cannot create a mount namespace (%s): session workers "
		    "could name every path their user can (stat, extended "
		    "attributes, times); refusing to start (set \"require "
		    "mount namespace = no\" to run without it)",
		    strerror(err));
	log_warnx("cannot create a mount namespace (%s): session workers "
	    "can stat and name every path their user can, though Landlock "
	    "still keeps them from opening one outside their shares "
	    "(require mount namespace = no)", strerror(err));
}

#ifdef USMBD_REGRESS_HOOKS
/*
 * Tests: USMBD_REGRESS_ATTACK=prog:attack[:argument] starts every child
 * of that kind with the attack (shared/evil.h).
 */
void
master_evil_setup(void)
{
	static const enum usmbd_prog progs[] = { PROG_PREAUTH, PROG_SESSION,
	    PROG_AUTHD, PROG_LOCKD };
	const char *env, *colon;
	size_t i, n;

	if ((env = getenv("USMBD_REGRESS_ATTACK")) == NULL ||
	    (colon = strchr(env, ':')) == NULL)
		return;
	n = (size_t)(colon - env);
	for (i = 0; i < nitems(progs); i++)
		if (strlen(proc_name(progs[i])) == n &&
		    strncmp(proc_name(progs[i]), env, n) == 0)
			break;
	if (i == nitems(progs) || !evil_known(colon + 1))
		fatalx("USMBD_REGRESS_ATTACK: not prog:attack[:argument]: %s",
		    env);
	M.evil_prog = progs[i];
	M.evil_attack = xstrdup(colon + 1);
	log_warnx("regress: every %s starts with the attack %s",
	    proc_name(M.evil_prog), M.evil_attack);
}
#endif

static void
master_mkdir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == -1 && errno != EEXIST)
		fatal("mkdir %s", path);
	if (lstat(path, &st) == -1)
		fatal("%s", path);
	if (!S_ISDIR(st.st_mode))
		fatalx("%s: not a directory", path);
	if (st.st_uid != 0 || (st.st_mode & 022) != 0)
		fatalx("%s: must be owned by root and not writable by others",
		    path);
}

/*
 * The state directory holds the server GUID and an empty directory that
 * the preauth and lockd processes use as their root.
 */
void
master_prepare_state(struct conf *conf)
{
	uint8_t guid[16];
	char *empty;

	master_mkdir(conf->g.state_directory, 0755);
	xasprintf(&empty, "%s/empty", conf->g.state_directory);
	master_mkdir(empty, 0755);
	free(empty);
	if (smb2_server_guid(conf->g.state_directory, guid, 1) == -1)
		fatalx("cannot create the server GUID in %s",
		    conf->g.state_directory);
}

/*
 * The master holds two descriptors per connection (the channel to its
 * child and, until the session worker has it, the client socket), and a
 * few of its own.  Raise its limit to what "max connections" needs, so
 * that the limit a client meets is the documented one and not EMFILE.
 */
void
master_fd_limit(const struct conf *conf)
{
	struct rlimit rl;
	rlim_t need = 2 * (rlim_t)conf->g.max_connections + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("RLIMIT_NOFILE");
		return;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
		return;
	rl.rlim_cur = need;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("cannot raise the open file limit to %llu for "
		    "max connections = %d", (unsigned long long)need,
		    conf->g.max_connections);
}

void
master_write_pidfile(struct conf *conf)
{
	char buf[32];
	int fd, n;

	if (conf->g.pid_file == NULL || conf->g.pid_file[0] == '\0')
		return;
	if ((fd = open(conf->g.pid_file, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0644)) == -1) {
		log_warn("pid file %s", conf->g.pid_file);
		return;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n)
		log_warn("pid file %s", conf->g.pid_file);
	close(fd);
}

void
master_remove_pidfile(struct conf *conf)
{
	if (conf->g.pid_file != NULL && conf->g.pid_file[0] != '\0')
		unlink(conf->g.pid_file);
}

static int
master_same_listeners(const struct conf *a, const struct conf *b)
{
	size_t i;

	if (a->g.nsmb_ports != b->g.nsmb_ports)
		return 0;
	for (i = 0; i < a->g.nsmb_ports; i++)
		if (a->g.smb_ports[i] != b->g.smb_ports[i])
			return 0;
	for (i = 0; a->g.interfaces[i] != NULL; i++)
		if (b->g.interfaces[i] == NULL ||
		    strcmp(a->g.interfaces[i], b->g.interfaces[i]) != 0)
			return 0;
	return b->g.interfaces[i] == NULL;
}

/*
 * SIGHUP: load the configuration again.  A configuration that does not
 * load changes nothing.  New children get the new configuration; running
 * sessions keep the one they started with.
 */
void
master_mkdir_parent(const char *path)
{
	char *dir = xstrdup(path), *slash;

	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			log_warn("mkdir %s", dir);
	}
	free(dir);
}

int
master_reload(void)
{
	struct conf *nc;
	size_t i;
	int fd;

	log_info("reloading %s", M.conffile);
	if ((nc = conf_load(M.conffile)) == NULL) {
		log_warnx("reload: %s does not load; keeping the running "
		    "configuration", M.conffile);
		return -1;
	}
	if ((fd = proc_config_memfd(nc)) == -1) {
		log_warn("reload: config image");
		conf_free(nc);
		return -1;
	}
	if (!master_same_listeners(M.conf, nc)) {
		struct listener old[MASTER_MAX_LISTENERS];
		size_t nold = M.nlisteners;

		memcpy(old, M.listeners, sizeof(old));
		M.nlisteners = 0;
		if (master_listen(nc) == -1) {
			log_warnx("reload: no listener could be set up; "
			    "keeping the old ones");
			memcpy(M.listeners, old, sizeof(old));
			M.nlisteners = nold;
			close(fd);
			conf_free(nc);
			return -1;
		}
		for (i = 0; i < nold; i++) {
			event_free(old[i].ev);
			close(old[i].fd);
		}
		for (i = 0; i < M.nlisteners; i++) {
			M.listeners[i].ev = event_new(M.base,
			    M.listeners[i].fd, EV_READ | EV_PERSIST,
			    master_accept_cb, (void *)(intptr_t)i);
			if (M.listeners[i].ev == NULL ||
			    event_add(M.listeners[i].ev, NULL) == -1)
				fatalx("listener event");
		}
	}
	close(M.config_fd);
	M.config_fd = fd;
	conf_free(M.conf);
	M.conf = nc;
	nss_configure(nc->g.name_service_timeout, nc->g.name_cache_time);
	master_fd_limit(nc);
	if (M.verbose < nc->g.log_level)
		log_setverbose(nc->g.log_level);
	/* The log file again: logrotate moved it, or the name changed. */
	if (!M.debug && nc->g.log_file[0] != '\0' &&
	    log_open_file(nc->g.log_file) == -1)
		log_warn("reload: log file %s; logging goes on where it was",
		    nc->g.log_file);
	(void)master_ctl_open(nc);
	log_info("configuration reloaded");
	return 0;
}
