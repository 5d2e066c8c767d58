/*
 * The evil-process suite's stand-in for the master: see harness.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "harness.h"
#include "ipc.h"
#include "ipc_types.h"
#include "proc.h"
#include "usmbd.h"

char		evil_dir[] = "/tmp/usmbd-evil.XXXXXX";
static int	nchecks, nfails;

void
evil_check(const char *desc, int ok)
{
	nchecks++;
	if (ok)
		printf("ok: %s\n", desc);
	else {
		printf("FAIL: %s\n", desc);
		nfails++;
	}
	fflush(stdout);
}

void
evil_hard(const char *what)
{
	printf("hard error: %s: %s\n", what, strerror(errno));
	exit(99);
}

void
evil_need(const char *user)
{
	if (geteuid() != 0) {
		printf("SKIP: needs root: the daemons drop privileges and "
		    "sandbox themselves\n");
		exit(77);
	}
	if (getpwnam(user) == NULL) {
		printf("SKIP: system user %s missing (regress/run-all.sh "
		    "creates it)\n", user);
		exit(77);
	}
	signal(SIGPIPE, SIG_IGN);
}

void
evil_setup(void)
{
	struct passwd *pw;
	char path[256], text[1024];
	int fd;

	if (mkdtemp(evil_dir) == NULL || chmod(evil_dir, 0755) == -1)
		evil_hard("mkdtemp");
	snprintf(path, sizeof(path), "%s/private", evil_dir);
	if (mkdir(path, 0700) == -1)
		evil_hard(path);
	if ((pw = getpwnam("_usmbd-auth")) != NULL &&
	    chown(path, pw->pw_uid, (gid_t)-1) == -1)
		evil_hard(path);
	snprintf(path, sizeof(path), "%s/state", evil_dir);
	if (mkdir(path, 0755) == -1)
		evil_hard(path);
	snprintf(path, sizeof(path), "%s/state/empty", evil_dir);
	if (mkdir(path, 0755) == -1)
		evil_hard(path);
	snprintf(path, sizeof(path), "%s/smbd.conf", evil_dir);
	snprintf(text, sizeof(text), "[global]\n"
	    "\tstate directory = %s/state\n"
	    "\tpassdb file = %s/private/passdb\n%s"
	    "[share]\n\tpath = %s\n", evil_dir, evil_dir, evil_global,
	    evil_dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) == -1)
		evil_hard(path);
}

const char	*evil_global = "";

pid_t
evil_start(const char *prog, int *master)
{
	char conf[256], path[1024];
	const char *top = getenv("top_builddir");
	struct conf *c;
	int sv[2], cfd;
	pid_t pid;

	snprintf(conf, sizeof(conf), "%s/smbd.conf", evil_dir);
	if ((c = conf_load(conf)) == NULL)
		evil_hard("conf_load");
	if ((cfd = proc_config_memfd(c)) == -1)
		evil_hard("config image");
	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", prog);
	if (ipc_socketpair(sv) == -1)
		evil_hard("socketpair");
	if ((pid = fork()) == -1)
		evil_hard("fork");
	if (pid == 0) {
		char *argv[] = { (char *)prog, NULL };
		char *envp[] = { "PATH=/usr/bin:/bin", NULL };

		if ((sv[1] = fcntl(sv[1], F_DUPFD, 100)) == -1 ||
		    (cfd = fcntl(cfd, F_DUPFD, 100)) == -1 ||
		    dup2(sv[1], USMBD_FD_MASTER) == -1 ||
		    dup2(cfd, USMBD_FD_CONFIG) == -1)
			_exit(127);
		closefrom(USMBD_FD_CONFIG + 1);
		execve(path, argv, envp);
		_exit(127);
	}
	close(sv[1]);
	close(cfd);
	*master = sv[0];
	return pid;
}

int
evil_recv(int fd, struct ipc_msg *m, uint8_t *buf, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	if (poll(&pfd, 1, ms) != 1)
		return 0;
	return ipc_recv(fd, m, buf, IPC_HDR_LEN + IPC_MAX_PAYLOAD) == 1;
}

int
evil_hello(int master)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	struct ipc_msg m;

	/* Log lines may come first. */
	while (evil_recv(master, &m, buf, 10000))
		if (m.hdr.type == IPC_HELLO)
			return 1;
	return 0;
}

int
evil_new_peer(int master, uint32_t type, uint32_t id, const void *data,
    size_t len)
{
	struct timeval tv = { 10, 0 };
	int sv[2];

	if (ipc_socketpair(sv) == -1)
		evil_hard("socketpair");
	if (ipc_send(master, type, id, sv[1], data, len) == -1)
		evil_hard("new peer");
	close(sv[1]);
	/* Never hang the test: a blocked send gives up after 10 s. */
	if (setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		evil_hard("SO_SNDTIMEO");
	return sv[0];
}

int
evil_alive(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

int
evil_done(int master, pid_t pid)
{
	char cmd[300];
	int status;

	close(master);
	for (int i = 0; i < 100 && evil_alive(pid); i++)
		usleep(100000);
	if (evil_alive(pid)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", evil_dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", evil_dir);
	printf("%d checks, %d failed\n", nchecks, nfails);
	return nfails == 0 ? 0 : 1;
}
