/*
 * Unit tests of the sandbox: each program kind, as an unprivileged user,
 * keeps working for what it needs and dies by SIGSYS for what it must
 * not do.  Needs root (to drop privileges).
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "unit.h"

static struct sandbox_user nobody;

/* Run fn in a sandboxed child; return its wait status. */
static int
run(enum usmbd_prog prog, const struct sandbox_path *paths, int debug,
    int (*fn)(void), int errpipe)
{
	pid_t pid;
	int status;

	if ((pid = fork()) == -1) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		if (errpipe != -1)
			dup2(errpipe, 2);
		sandbox_drop_privs(&nobody);
		sandbox_enter(prog, paths, debug);
		_exit(fn());
	}
	waitpid(pid, &status, 0);
	return status;
}

static int
do_normal(void)
{
	struct timespec ts;
	char *p;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1 || write(fds[1], "x", 1) != 1)
		return 1;
	if ((p = malloc(8 << 20)) == NULL)
		return 2;
	memset(p, 1, 8 << 20);
	free(p);
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1 || getpid() <= 0)
		return 3;
	return 0;
}

static int
do_socket(void)
{
	socket(AF_INET, SOCK_STREAM, 0);
	return 0;
}

static int
do_open(void)
{
	return open("/etc/hostname", O_RDONLY) == -1 ? 0 : 1;
}

static char tmpdir[64];
static int landlock_abi;

static int
do_session_files(void)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/f", tmpdir);
	if ((fd = open(path, O_CREAT | O_WRONLY, 0644)) == -1)
		return 1;
	close(fd);
	if (unlink(path) == -1)
		return 2;
	if (landlock_abi > 0 &&
	    open("/etc/passwd", O_RDONLY) != -1)
		return 3;
	return 0;
}

/* In a read-only share: reading works, writing of any kind does not. */
static int
do_readonly(void)
{
	char path[128], dir[128], buf[4];
	int fd;

	snprintf(path, sizeof(path), "%s/ro", tmpdir);
	snprintf(dir, sizeof(dir), "%s/rodir", tmpdir);
	if ((fd = open(path, O_RDONLY)) == -1 || read(fd, buf, 4) != 4)
		return 1;
	close(fd);
	if (landlock_abi == 0)
		return 0;
	if (open(path, O_WRONLY) != -1 || errno != EACCES)
		return 2;
	if (open(dir, O_CREAT | O_WRONLY, 0644) != -1 || errno != EACCES)
		return 3;
	if (mkdir(dir, 0755) != -1 || errno != EACCES)
		return 4;
	if (unlink(path) != -1 || errno != EACCES)
		return 5;
	return 0;
}

/* A file of the user outside every share; the attacks aim at it. */
static char outside[128];

static int
do_chmod_outside(void)
{
	return fchmodat(AT_FDCWD, outside, 0666, 0) == 0 ? 1 : 0;
}

static int
do_chown_outside(void)
{
	return fchownat(AT_FDCWD, outside, nobody.uid, nobody.gid, 0) == 0;
}

static int
do_setxattr_outside(void)
{
	return setxattr(outside, "user.evil", "1", 1, 0) == 0;
}

static int
do_getxattr_outside(void)
{
	char buf[16];

	return getxattr(outside, "user.usmbd", buf, sizeof(buf)) >= 0;
}

static int
do_symlink_outside(void)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/link", tmpdir);
	return symlinkat(outside, AT_FDCWD, path) == 0;
}

/* What the worker does use still works: metadata through descriptors. */
static int
do_fd_metadata(void)
{
	char path[128], buf[4];
	int fd;

	snprintf(path, sizeof(path), "%s/meta", tmpdir);
	if ((fd = open(path, O_CREAT | O_RDWR, 0600)) == -1)
		return 1;
	if (fchmod(fd, 0640) == -1)
		return 2;
	if (fsetxattr(fd, "user.DOSATTRIB", "ab", 2, 0) == -1 &&
	    errno != ENOTSUP)
		return 3;
	if (fgetxattr(fd, "user.DOSATTRIB", buf, sizeof(buf)) == -1 &&
	    errno != ENOTSUP && errno != ENODATA)
		return 4;
	if (futimens(fd, NULL) == -1)
		return 5;
	close(fd);
	if (unlink(path) == -1)
		return 6;
	return 0;
}

/* Seen from outside: the file's mode, owner and xattrs are untouched. */
static int
outside_untouched(void)
{
	struct stat st;
	char buf[16];

	if (stat(outside, &st) == -1)
		return 0;
	return (st.st_mode & 07777) == 0600 && st.st_uid == nobody.uid &&
	    getxattr(outside, "user.evil", buf, sizeof(buf)) == -1;
}

static void *
thread_fn(void *arg)
{
	return arg;
}

static int
do_thread(void)
{
	pthread_t t;
	void *r;

	if (pthread_create(&t, NULL, thread_fn, (void *)1) != 0 ||
	    pthread_join(t, &r) != 0 || r != (void *)1)
		return 1;
	return 0;
}

static int
do_fork(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	return 0;
}

static int
do_exec(void)
{
	char *argv[] = { "/bin/true", NULL };

	execv(argv[0], argv);
	return 0;
}

static int
do_io_uring(void)
{
	uint8_t params[120];

	memset(params, 0, sizeof(params));
	/* Any answer but death is a hole: a ring escapes seccomp. */
	(void)syscall(__NR_io_uring_setup, 4, params);
	return 0;
}

static pid_t victim;

/* Another process of the same user: its limits stay its own. */
static int
do_prlimit_other(void)
{
	struct rlimit rl = { 1, 1 };

	if (prlimit(victim, RLIMIT_CPU, &rl, NULL) == 0)
		return 1;
	if (errno != EPERM)
		return 2;
	/* Its own limits, as libc asks for them, still work. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    setrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 3;
	return 0;
}

/* Seen from outside: the victim's CPU time limit is still unlimited. */
static int
cpu_limit_unlimited(pid_t pid)
{
	char path[64], line[256];
	FILE *fp;
	int ok = 0;

	snprintf(path, sizeof(path), "/proc/%ld/limits", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "Max cpu time", 12) == 0)
			ok = strstr(line, "unlimited") != NULL;
	fclose(fp);
	return ok;
}

#define KILLED_BY_SIGSYS(s) (WIFSIGNALED(s) && WTERMSIG(s) == SIGSYS)
#define EXITED_OK(s)	(WIFEXITED(s) && WEXITSTATUS(s) == 0)

int
main(void)
{
	static const enum usmbd_prog progs[] = { PROG_PREAUTH, PROG_AUTHD,
	    PROG_LOCKD, PROG_SESSION };
	struct sandbox_path paths[2] = { { tmpdir, -1, 1 }, { NULL, -1, 0 } };
	struct sandbox_path ropaths[2] = { { tmpdir, -1, 0 }, { NULL, -1, 0 } };
	char buf[512];
	int s, p[2];
	size_t i;
	ssize_t n;

	if (geteuid() != 0) {
		printf("SKIP: needs root to drop privileges\n");
		return 77;
	}
	if (sandbox_user_lookup("nobody", &nobody) == -1) {
		printf("SKIP: no user nobody\n");
		return 77;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/usmbd-sandbox.XXXXXX");
	if (mkdtemp(tmpdir) == NULL || chown(tmpdir, nobody.uid,
	    nobody.gid) == -1) {
		perror(tmpdir);
		return 2;
	}
	/* The user may write it: only Landlock stands in the way. */
	{
		char ro[128];
		int fd;

		snprintf(ro, sizeof(ro), "%s/ro", tmpdir);
		if ((fd = open(ro, O_CREAT | O_WRONLY, 0644)) == -1 ||
		    write(fd, "data", 4) != 4 || fchown(fd, nobody.uid,
		    nobody.gid) == -1 || close(fd) == -1) {
			perror(ro);
			return 2;
		}
	}
	landlock_abi = sandbox_landlock_abi();
	printf("Landlock ABI %d\n", landlock_abi);
	if (landlock_abi == 0)
		printf("no Landlock: the file confinement checks are "
		    "skipped\n");
	fflush(stdout);

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		s = run(progs[i], progs[i] == PROG_SESSION ? paths : NULL, 0,
		    do_normal, -1);
		CHECK(EXITED_OK(s));
		s = run(progs[i], NULL, 0, do_socket, -1);
		CHECK(KILLED_BY_SIGSYS(s));
		s = run(progs[i], NULL, 0, do_exec, -1);
		CHECK(KILLED_BY_SIGSYS(s));
	}
	/* Debug mode names the call before dying by SIGSYS. */
	if (pipe(p) == -1)
		return 2;
	s = run(PROG_PREAUTH, NULL, 1, do_socket, p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(p[0]);
	CHECK(KILLED_BY_SIGSYS(s));
	CHECK(strstr(buf, "syscall socket") != NULL);
	CHECK(strcmp(sandbox_syscall_name(__NR_socket), "socket") == 0);

	/* preauth and lockd open nothing; session reaches its paths only. */
	CHECK(EXITED_OK(run(PROG_PREAUTH, NULL, 0, do_open, -1)));
	CHECK(EXITED_OK(run(PROG_LOCKD, NULL, 0, do_open, -1)));
	s = run(PROG_SESSION, paths, 0, do_session_files, -1);
	if (!EXITED_OK(s))
		fprintf(stderr, "session files: status %x\n", s);
	CHECK(EXITED_OK(s));
	/* A read-only share is read-only to the kernel, not just to us. */
	s = run(PROG_SESSION, ropaths, 0, do_readonly, -1);
	if (!EXITED_OK(s))
		fprintf(stderr, "read-only share: status %x\n", s);
	CHECK(EXITED_OK(s));
	/* A session may start threads but not processes. */
	CHECK(EXITED_OK(run(PROG_SESSION, paths, 0, do_thread, -1)));
	CHECK(KILLED_BY_SIGSYS(run(PROG_SESSION, paths, 0, do_fork, -1)));
	CHECK(KILLED_BY_SIGSYS(run(PROG_PREAUTH, NULL, 0, do_fork, -1)));
	/* Metadata by path cannot reach a file outside the shares. */
	snprintf(outside, sizeof(outside), "%s.outside", tmpdir);
	{
		int fd = open(outside, O_CREAT | O_WRONLY, 0600);

		/* The user's own file: only the sandbox stands in the way. */
		CHECK(fd != -1 && fchown(fd, nobody.uid, nobody.gid) == 0 &&
		    close(fd) == 0);
	}
	CHECK(EXITED_OK(run(PROG_SESSION, paths, 0, do_fd_metadata, -1)));
	CHECK(KILLED_BY_SIGSYS(run(PROG_SESSION, paths, 0, do_chmod_outside,
	    -1)));
	CHECK(KILLED_BY_SIGSYS(run(PROG_SESSION, paths, 0, do_chown_outside,
	    -1)));
	CHECK(KILLED_BY_SIGSYS(run(PROG_SESSION, paths, 0,
	    do_setxattr_outside, -1)));
	CHECK(KILLED_BY_SIGSYS(run(PROG_SESSION, paths, 0,
	    do_getxattr_outside, -1)));
	CHECK(KILLED_BY_SIGSYS(run(PROG_SESSION, paths, 0, do_symlink_outside,
	    -1)));
	CHECK(outside_untouched());
	unlink(outside);
	/* No program may set up an io_uring. */
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		CHECK(KILLED_BY_SIGSYS(run(progs[i], progs[i] == PROG_SESSION ?
		    paths : NULL, 0, do_io_uring, -1)));

	/* prlimit64 on another process of the same user is refused. */
	if ((victim = fork()) == 0) {
		sandbox_drop_privs(&nobody);
		pause();
		_exit(0);
	}
	CHECK(victim > 0);
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		s = run(progs[i], progs[i] == PROG_SESSION ? paths : NULL, 0,
		    do_prlimit_other, -1);
		if (!EXITED_OK(s))
			fprintf(stderr, "prlimit64: status %x\n", s);
		CHECK(EXITED_OK(s));
		CHECK(cpu_limit_unlimited(victim));
	}
	kill(victim, SIGKILL);
	waitpid(victim, &s, 0);

	/* The drop itself: to root is refused. */
	{
		struct sandbox_user root = { "root", 0, 0, NULL, 0, NULL };
		pid_t pid = fork();

		if (pid == 0) {
			sandbox_drop_privs(&root);
			_exit(0);
		}
		waitpid(pid, &s, 0);
		CHECK(WIFEXITED(s) && WEXITSTATUS(s) != 0);
	}
	{
		char ro[128];

		snprintf(ro, sizeof(ro), "%s/ro", tmpdir);
		unlink(ro);
	}
	rmdir(tmpdir);
	return unit_done();
}
