/*
 * The attacks of the evil-process test mode: see evil.h.  Compiled in
 * regress builds only; a release build's evil_run() does nothing.
 */
#include "config.h"

#include <sys/inotify.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

#include <linux/mount.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evil.h"
#include "buf.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "ipc_types.h"
#include "lockd_proto.h"
#include "log.h"
#include "usmbd.h"

#ifdef USMBD_REGRESS_HOOKS

static char	*evil_attack;
static char	 evil_self[64];	/* "prog[pid]", as its log lines begin */

/*
 * One attack: 0 when the system said no (errno tells why), 1 when it
 * worked.  arg is the target: a path, or a pid for the process attacks.
 */
struct evil_entry {
	const char	*name;
	int		(*fn)(const char *);
};

static int
evil_open_read(const char *arg)
{
	return open(arg, O_RDONLY | O_CLOEXEC) != -1;
}

static int
evil_open_write(const char *arg)
{
	return open(arg, O_WRONLY | O_CREAT | O_CLOEXEC, 0666) != -1;
}

static int
evil_chmod(const char *arg)
{
	return fchmodat(AT_FDCWD, arg, 0666, 0) == 0;
}

static int
evil_setxattr(const char *arg)
{
	return setxattr(arg, "user.evil", "1", 1, 0) == 0;
}

static int
evil_utimensat(const char *arg)
{
	struct timespec ts[2] = { { 0, 0 }, { 0, 0 } };

	return utimensat(AT_FDCWD, arg, ts, 0) == 0;
}

static int
evil_rename(const char *arg)
{
	char to[4096];

	snprintf(to, sizeof(to), "%s.evil", arg);
	return rename(arg, to) == 0;
}

static int
evil_link(const char *arg)
{
	char to[4096];

	snprintf(to, sizeof(to), "%s.evil", arg);
	return link(arg, to) == 0;
}

static int
evil_unlink(const char *arg)
{
	return unlink(arg) == 0;
}

static int
evil_symlink(const char *arg)
{
	char to[4096];

	snprintf(to, sizeof(to), "%s.evil", arg);
	return symlinkat(arg, AT_FDCWD, to) == 0;
}

static int
evil_socket_inet(const char *arg)
{
	return socket(AF_INET, SOCK_STREAM, 0) != -1;
}

static int
evil_socket_unix(const char *arg)
{
	return socket(AF_UNIX, SOCK_STREAM, 0) != -1;
}

static int
evil_socket_netlink(const char *arg)
{
	return socket(AF_NETLINK, SOCK_RAW, 0) != -1;
}

static int
evil_io_uring(const char *arg)
{
	unsigned char params[120];

	memset(params, 0, sizeof(params));
	return syscall(__NR_io_uring_setup, 4, params) != -1;
}

static int
evil_exec(const char *arg)
{
	char *argv[] = { "/bin/true", NULL };

	execv(argv[0], argv);
	return 0;
}

static int
evil_fork(const char *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid != -1;
}

static int
evil_kill(const char *arg)
{
	return kill((pid_t)atol(arg), SIGTERM) == 0;
}

static int
evil_ptrace(const char *arg)
{
	return ptrace(PTRACE_ATTACH, (pid_t)atol(arg), NULL, NULL) == 0;
}

static int
evil_prlimit(const char *arg)
{
	struct rlimit rl = { 1, 1 };

	return prlimit((pid_t)atol(arg), RLIMIT_CPU, &rl, NULL) == 0;
}

/*
 * open_tree is allowed to the worker (an O_PATH copy of an open for
 * lockd); with a path it yields only an O_PATH descriptor, which reads
 * and writes nothing, and a mount clone needs CAP_SYS_ADMIN.
 */
/*
 * A file lease ("kernel oplocks") on a file of the share that the user
 * does not own: it would hold up the owner's own opens.
 */
static int
evil_setlease(const char *arg)
{
	int fd = open(arg, O_RDONLY | O_CLOEXEC);

	/*
	 * The file must be readable to the worker, or the attack proves
	 * nothing: a wrong path counts as not stopped.
	 */
	if (fd == -1)
		return 1;
	return fcntl(fd, F_SETLEASE, F_RDLCK) == 0;
}

static int
evil_open_tree(const char *arg)
{
	char c;
	int fd;

	if ((fd = (int)syscall(__NR_open_tree, AT_FDCWD, arg,
	    OPEN_TREE_CLOEXEC)) == -1)
		return 0;
	if (read(fd, &c, 1) >= 0 || write(fd, "x", 1) >= 0)
		return 1;
	close(fd);
	return 0;
}

static int
evil_open_tree_clone(const char *arg)
{
	return syscall(__NR_open_tree, AT_FDCWD, arg, OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC) != -1;
}

/*
 * What Landlock does not cover: naming a path without opening it for
 * reading or writing.  A session worker's private root has no path
 * outside its shares to name.
 */
static int
evil_stat(const char *arg)
{
	struct stat st;

	return stat(arg, &st) == 0;
}

static int
evil_listxattr(const char *arg)
{
	return listxattr(arg, NULL, 0) != -1;
}

static int
evil_inotify(const char *arg)
{
	int fd, wd;

	if ((fd = inotify_init1(IN_CLOEXEC)) == -1)
		return 0;
	wd = inotify_add_watch(fd, arg, IN_MODIFY);
	close(fd);
	return wd != -1;
}

/* An O_PATH open, as a worker names a file to lockd. */
static int
evil_opath(const char *arg)
{
	int fd;

	if ((fd = open(arg, O_PATH | O_CLOEXEC)) == -1)
		return 0;
	close(fd);
	return 1;
}

/*
 * Up from every directory the process holds open (a share root, say)
 * with "..", then down to the target.
 */
static int
evil_dotdot(const char *arg)
{
	char path[4096];
	struct stat st;
	int fd, t;

	snprintf(path, sizeof(path), "../../../../../../../../../../%s",
	    arg + (*arg == '/'));
	errno = ENOENT;
	for (fd = 0; fd < 1024; fd++) {
		if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode))
			continue;
		if ((t = openat(fd, path, O_PATH | O_CLOEXEC)) != -1) {
			close(t);
			return 1;
		}
	}
	return 0;
}

/*
 * The mount calls the worker used, as root, to build its private root:
 * none is left to it inside the sandbox.  A read-only share or the empty
 * root made writable again, a mount namespace or user namespace of its
 * own, or a walk out of the view with chdir, would undo the view.
 */
static int
evil_remount_rw(const char *arg)
{
	struct mount_attr attr;
	char path[16];
	int i;

	memset(&attr, 0, sizeof(attr));
	attr.attr_clr = MOUNT_ATTR_RDONLY;
	for (i = -1; i < 10; i++) {
		if (i < 0)
			snprintf(path, sizeof(path), "/");
		else
			snprintf(path, sizeof(path), "/%d", i);
		if (syscall(__NR_mount_setattr, AT_FDCWD, path, 0, &attr,
		    sizeof(attr)) == 0)
			return 1;
	}
	return 0;
}

static int
evil_unshare(const char *arg)
{
	return syscall(__NR_unshare, CLONE_NEWUSER | CLONE_NEWNS) == 0;
}

static int
evil_chdir(const char *arg)
{
	return chdir(arg) == 0;
}

/*
 * Forged messages to the master.  What happens is seen from outside (the
 * master's log, the master alive), since a channel the master closes
 * also carries away this process's own report.
 */
static int
evil_log_flood(const char *arg)
{
	uint8_t buf[4 + 128];
	uint32_t level = LOG_LEVEL_WARN;
	long i, n = atol(arg);
	int len;

	memcpy(buf, &level, 4);
	for (i = 0; i < n; i++) {
		len = snprintf((char *)buf + 4, sizeof(buf) - 4,
		    "%s: evil flood %ld", evil_self, i);
		if (ipc_send(USMBD_FD_MASTER, IPC_LOG, 0, -1, buf,
		    4 + (size_t)len) == -1)
			return 0;
	}
	errno = 0;
	return 0;
}

/* A line that claims to come from authd. */
static int
evil_log_forge(const char *arg)
{
	static const char line[] =
	    "authd[1]: user \"root\" authenticated from 192.0.2.1";
	uint8_t buf[4 + sizeof(line)];
	uint32_t level = LOG_LEVEL_WARN;

	memcpy(buf, &level, 4);
	memcpy(buf + 4, line, sizeof(line) - 1);
	(void)ipc_send(USMBD_FD_MASTER, IPC_LOG, 0, -1, buf, sizeof(buf) - 1);
	errno = 0;
	return 0;
}

/* authd's message, from another kind of child: "this user logged on". */
static int
evil_forge_auth(const char *arg)
{
	uint8_t claim[256];

	memset(claim, 0, sizeof(claim));
	(void)ipc_send(USMBD_FD_MASTER, IPC_AUTH_RESULT, 0, -1, claim,
	    sizeof(claim));
	errno = 0;
	return 0;
}

/* A descriptor pushed on the master with a message that takes none. */
static int
evil_forge_fd(const char *arg)
{
	uint8_t buf[4 + 8] = { 0 };

	memcpy(buf + 4, "evil fd", 7);
	(void)ipc_send(USMBD_FD_MASTER, IPC_LOG, 0, USMBD_FD_CLIENT, buf,
	    sizeof(buf));
	errno = 0;
	return 0;
}

/*
 * A session report for usmbd-ctl status whose share name would write on
 * the administrator's terminal: an escape sequence and a made-up line.
 */
static int
evil_forge_info(const char *arg)
{
	static const char fake[] = "x\x1b[2J\nconnection 99\n\tuser root";
	uint8_t buf[SESSION_INFO_WIRE_LEN];
	struct session_info si;
	struct wbuf w;

	memset(&si, 0, sizeof(si));
	si.dialect = 0x0311;
	si.nshares = 1;
	memcpy(si.shares[0], fake, sizeof(fake));
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_session_info(&w, &si);
	(void)ipc_send(USMBD_FD_MASTER, IPC_SESSION_INFO, 0, -1,
	    wbuf_data(&w), wbuf_len(&w));
	errno = 0;
	return 0;
}

/*
 * lockd's numbers for usmbd-ctl status, unasked: made-up opens and locks
 * of connection 1.
 */
static int
evil_forge_status(const char *arg)
{
	uint32_t msg[8] = { 1, 1, 999, 999, 1, 1, 999, 999 };

	(void)ipc_send(USMBD_FD_MASTER, IPC_LOCKD_STATUS_REPLY, 0, -1, msg,
	    sizeof(msg));
	errno = 0;
	return 0;
}

/*
 * A session worker's list of open files for usmbd-ctl, unasked: a file
 * it does not have, to be shown under its connection.
 */
static int
evil_forge_files(const char *arg)
{
	struct session_files_hdr h = { 1, SESSION_CLOSE_NONE, 1, 1 };
	struct session_file f;
	uint8_t buf[256];
	struct wbuf w;

	memset(&f, 0, sizeof(f));
	f.id = 1;
	snprintf(f.share, sizeof(f.share), "share");
	snprintf(f.path, sizeof(f.path), "forged.txt");
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_files_hdr(&w, &h);
	ipc_put_file(&w, &f);
	(void)ipc_send(USMBD_FD_MASTER, IPC_SESSION_FILES_REPLY, 0, -1,
	    wbuf_data(&w), wbuf_len(&w));
	errno = 0;
	return 0;
}

/*
 * The same list, as the answer to the master's question (the worker
 * waits for usmbd-ctl status), with names that would write on the
 * administrator's terminal: an honest-looking entry, then one with an
 * escape sequence and made-up lines, one with an 8-bit CSI and one
 * claiming a path longer than any.
 */
static int
evil_lie_files(const char *arg)
{
	static uint8_t in[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	static const char *paths[] = { "fake.txt",
	    "x\x1b[2J\nconnection 99\n\tuser root", "y\xc2\x9b" "31m" };
	struct session_files_hdr h = { 0, SESSION_CLOSE_NONE, 4, 4 };
	struct session_files_q q;
	struct session_file f;
	struct pollfd pfd = { USMBD_FD_MASTER, POLLIN, 0 };
	struct ipc_msg m;
	struct rbuf r;
	struct wbuf w;
	size_t i;

	if (poll(&pfd, 1, 20000) != 1 ||
	    ipc_recv(USMBD_FD_MASTER, &m, in, sizeof(in)) != 1 ||
	    m.hdr.type != IPC_SESSION_FILES)
		return 0;
	rbuf_init(&r, m.data, m.hdr.len);
	if (ipc_get_files_q(&r, &q) == -1)
		return 0;
	h.seq = q.seq;
	wbuf_init(&w, 4096);
	ipc_put_files_hdr(&w, &h);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.id = i + 1;
		snprintf(f.share, sizeof(f.share), "share");
		snprintf(f.path, sizeof(f.path), "%s", paths[i]);
		ipc_put_file(&w, &f);
	}
	/* A path length of 60000 with no bytes behind it. */
	wbuf_put_u64le(&w, 9);
	wbuf_put_u32le(&w, 0);
	wbuf_put_u32le(&w, 0);
	wbuf_put_u8(&w, 0);
	wbuf_put_u8(&w, 0);
	wbuf_put_u8(&w, 0);
	wbuf_put_u8(&w, 5);
	wbuf_put_u16le(&w, 60000);
	wbuf_put_bytes(&w, "share", 5);
	(void)ipc_send(USMBD_FD_MASTER, IPC_SESSION_FILES_REPLY, 0, -1,
	    wbuf_data(&w), wbuf_len(&w));
	wbuf_free(&w);
	errno = 0;
	return 0;
}

/* A hello that names another program: authd. */
static int
evil_forge_hello(const char *arg)
{
	uint32_t prog = PROG_AUTHD;

	(void)ipc_send(USMBD_FD_MASTER, IPC_HELLO, 0, -1, &prog,
	    sizeof(prog));
	errno = 0;
	return 0;
}

/*
 * A handoff before the hello (the attack runs as the sandbox closes,
 * before a preauth process says hello), from a process that has not
 * negotiated anything.
 */
static int
evil_early_handoff(const char *arg)
{
	uint8_t state[64];

	memset(state, 0, sizeof(state));
	(void)ipc_send(USMBD_FD_MASTER, IPC_PREAUTH_HANDOFF, 0, -1, state,
	    sizeof(state));
	errno = 0;
	return 0;
}

/*
 * Take on another user's or group's ids: the effective one alone, then
 * all three.  A worker keeps only its own ids and the one its shares
 * force (smbd/session/session_ident.c).
 */
static int
evil_setuid(const char *arg)
{
	uid_t id = (uid_t)strtoul(arg, NULL, 10);

	return syscall(__NR_setresuid, (uid_t)-1, id, (uid_t)-1) == 0 ||
	    syscall(__NR_setresuid, id, id, id) == 0;
}

static int
evil_setgid(const char *arg)
{
	gid_t id = (gid_t)strtoul(arg, NULL, 10);

	return syscall(__NR_setresgid, (gid_t)-1, id, (gid_t)-1) == 0 ||
	    syscall(__NR_setresgid, id, id, id) == 0 ||
	    syscall(__NR_setgroups, 1, &id) == 0;
}

/*
 * A worker gives back a slot of a share's "max connections" that another
 * worker holds, so that its own client gets past the limit: lockd takes
 * back only the sender's own slots.  1 when lockd said it released one.
 */
static int
evil_tcon_release(const char *arg)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	uint8_t req[12 + 2 + LOCKD_MAX_SHARE_NAME];
	struct pollfd pfd = { USMBD_FD_LOCKD, POLLIN, 0 };
	struct ipc_msg m;
	struct wbuf w;
	struct rbuf r;
	uint32_t status = LOCKD_STATUS_OK;
	size_t len = strlen(arg);
	int i, released = 0;

	wbuf_init_fixed(&w, req, sizeof(req));
	wbuf_put_u32le(&w, LOCKD_OP_TCON_RELEASE);
	wbuf_put_u64le(&w, 1);
	wbuf_put_u16le(&w, (uint16_t)len);
	wbuf_put_bytes(&w, arg, len);
	if (wbuf_error(&w))
		return 0;
	/* Once for each slot the share could have. */
	for (i = 0; i < 4; i++) {
		if (ipc_send(USMBD_FD_LOCKD, IPC_LOCKD_REQUEST, 0, -1,
		    wbuf_data(&w), wbuf_len(&w)) == -1 ||
		    poll(&pfd, 1, 5000) != 1 ||
		    ipc_recv(USMBD_FD_LOCKD, &m, buf, sizeof(buf)) != 1 ||
		    m.hdr.type != IPC_LOCKD_REPLY || m.hdr.len < 16)
			return released;
		/* The reply: op, request id, status. */
		rbuf_init(&r, m.data, m.hdr.len);
		rbuf_skip(&r, 12);
		rbuf_get_u32le(&r, &status);
		if (!rbuf_error(&r) && status == LOCKD_STATUS_OK)
			released = 1;
	}
	errno = 0;
	return released;
}

static int
evil_proc(const char *arg)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/environ", atol(arg));
	return open(path, O_RDONLY | O_CLOEXEC) != -1;
}

/*
 * PreviousSessionId (IPC_SESSION_PREVIOUS) from the worker of uid ARG
 * (other workers do nothing): first an answer to an end the master
 * never asked for, which it drops, then a question naming a session of
 * any other worker, which the master puts only to workers of the same
 * uid (its log says how many).  Always "stopped": the test looks at the
 * master's log and at the other user's connection.
 */
static int
evil_previous(const char *arg)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	uint8_t reply[12] = { 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
	uint8_t prev[8] = { 1, 0, 0, 0, 0, 0, 0, 0 };
	struct pollfd pfd = { USMBD_FD_MASTER, POLLIN, 0 };
	struct ipc_msg m;

	if ((long)getuid() != strtol(arg, NULL, 10))
		return 0;
	(void)ipc_send(USMBD_FD_MASTER, IPC_SESSION_END_REPLY, 0, -1, reply,
	    sizeof(reply));
	(void)ipc_send(USMBD_FD_MASTER, IPC_SESSION_PREVIOUS, 0, -1, prev,
	    sizeof(prev));
	if (poll(&pfd, 1, 5000) == 1)
		(void)ipc_recv(USMBD_FD_MASTER, &m, buf, sizeof(buf));
	errno = 0;
	return 0;
}

static const struct evil_entry evil_table[] = {
	{ "open-read", evil_open_read },
	{ "open-write", evil_open_write },
	{ "chmod", evil_chmod },
	{ "setxattr", evil_setxattr },
	{ "utimensat", evil_utimensat },
	{ "rename", evil_rename },
	{ "link", evil_link },
	{ "unlink", evil_unlink },
	{ "symlink", evil_symlink },
	{ "socket-inet", evil_socket_inet },
	{ "socket-unix", evil_socket_unix },
	{ "socket-netlink", evil_socket_netlink },
	{ "io-uring", evil_io_uring },
	{ "exec", evil_exec },
	{ "fork", evil_fork },
	{ "kill", evil_kill },
	{ "ptrace", evil_ptrace },
	{ "prlimit", evil_prlimit },
	{ "proc", evil_proc },
	{ "open-tree", evil_open_tree },
	{ "open-tree-clone", evil_open_tree_clone },
	{ "stat", evil_stat },
	{ "listxattr", evil_listxattr },
	{ "inotify", evil_inotify },
	{ "opath", evil_opath },
	{ "dotdot", evil_dotdot },
	{ "remount-rw", evil_remount_rw },
	{ "unshare", evil_unshare },
	{ "chdir", evil_chdir },
	{ "log-flood", evil_log_flood },
	{ "log-forge", evil_log_forge },
	{ "forge-auth", evil_forge_auth },
	{ "forge-fd", evil_forge_fd },
	{ "forge-hello", evil_forge_hello },
	{ "forge-info", evil_forge_info },
	{ "forge-status", evil_forge_status },
	{ "forge-files", evil_forge_files },
	{ "lie-files", evil_lie_files },
	{ "early-handoff", evil_early_handoff },
	{ "setuid", evil_setuid },
	{ "setgid", evil_setgid },
	{ "tcon-release", evil_tcon_release },
	{ "setlease", evil_setlease },
	{ "previous", evil_previous },
};

static const struct evil_entry *
evil_find(const char *spec, const char **arg)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	size_t i;

	*arg = colon != NULL ? colon + 1 : "";
	for (i = 0; i < sizeof(evil_table) / sizeof(evil_table[0]); i++)
		if (strlen(evil_table[i].name) == n &&
		    strncmp(evil_table[i].name, spec, n) == 0)
			return &evil_table[i];
	return NULL;
}

int
evil_known(const char *spec)
{
	const char *arg;

	return evil_find(spec, &arg) != NULL;
}

void
evil_set(const char *spec)
{
	free(evil_attack);
	evil_attack = strdup(spec);
}

void
evil_run(void)
{
	const struct evil_entry *e;
	const char *arg;
	int saved;

	if (evil_attack == NULL)
		return;
	if ((e = evil_find(evil_attack, &arg)) == NULL) {
		log_warnx("evil: unknown attack %s", evil_attack);
		return;
	}
	/* The log name of usmbd-session is "session". */
	snprintf(evil_self, sizeof(evil_self), "%s[%ld]",
	    strncmp(program_invocation_short_name, "usmbd-", 6) == 0 ?
	    program_invocation_short_name + 6 : program_invocation_short_name,
	    (long)getpid());
	errno = 0;
	if (e->fn(arg)) {
		log_warnx("evil: %s %s: NOT STOPPED", e->name, arg);
		return;
	}
	saved = errno;
	log_warnx("evil: %s %s: stopped (%s)", e->name, arg,
	    saved != 0 ? strerror(saved) : "no effect");
}

#else /* !USMBD_REGRESS_HOOKS */

void
evil_set(const char *spec)
{
}

void
evil_run(void)
{
}

int
evil_known(const char *spec)
{
	return 0;
}

#endif
