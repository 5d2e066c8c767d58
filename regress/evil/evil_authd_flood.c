/*
 * Evil-process test: a compromised preauth process floods usmbd-authd
 * with requests and never reads the answers.
 *
 * This program stands in for the master: it starts the real usmbd-authd
 * with the fd layout of shared/usmbd.h (its sandbox and privilege drop
 * included), gives it one channel as the compromised peer and floods it.
 * authd must close that channel rather than queue without bound, stay
 * alive, and still answer an honest peer.  Needs root.
 *
 * Exit status: 0 pass, 1 fail, 77 skip, 99 hard error (automake).
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

#include "authd_proto.h"
#include "conf.h"
#include "ipc.h"
#include "ipc_types.h"
#include "proc.h"
#include "usmbd.h"

/* More answers than authd may hold for one peer, many times over. */
#define FLOOD_MAX	200000

static int	nchecks, nfails;
static char	tmpdir[] = "/tmp/usmbd-evil-authd.XXXXXX";

static void
check(const char *desc, int ok)
{
	nchecks++;
	if (ok)
		printf("ok: %s\n", desc);
	else {
		printf("FAIL: %s\n", desc);
		nfails++;
	}
}

static void
hard(const char *what)
{
	printf("hard error: %s: %s\n", what, strerror(errno));
	exit(99);
}

/* An NTLMSSP NEGOTIATE: authd answers each with a CHALLENGE. */
static size_t
auth_request(uint8_t *buf)
{
	static const uint8_t negotiate[32] = {
		'N', 'T', 'L', 'M', 'S', 'S', 'P', 0,
		1, 0, 0, 0,			/* NEGOTIATE */
		0x15, 0x82, 0x08, 0x60,		/* flags */
	};
	uint64_t sid = 1;
	uint32_t flags = AUTH_REQ_NEW, reserved = 0;

	memcpy(buf, &sid, 8);
	memcpy(buf + 8, &flags, 4);
	memcpy(buf + 12, &reserved, 4);
	memcpy(buf + AUTH_REQ_HDR_LEN, negotiate, sizeof(negotiate));
	return AUTH_REQ_HDR_LEN + sizeof(negotiate);
}

/* Wait up to ms for a message on fd; 1 with one, 0 on time out or end. */
static int
recv_wait(int fd, struct ipc_msg *m, uint8_t *buf, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	if (poll(&pfd, 1, ms) != 1)
		return 0;
	return ipc_recv(fd, m, buf, IPC_HDR_LEN + IPC_MAX_PAYLOAD) == 1;
}

/* A new channel to authd, as the master makes one per connection. */
static int
new_peer(int master, uint32_t id)
{
	struct timeval tv = { 10, 0 };
	int sv[2];

	if (ipc_socketpair(sv) == -1)
		hard("socketpair");
	if (ipc_send(master, IPC_AUTHD_NEWCONN, id, sv[1], "127.0.0.1",
	    9) == -1)
		hard("IPC_AUTHD_NEWCONN");
	close(sv[1]);
	/* Never hang the test: a blocked send gives up after 10 s. */
	if (setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		hard("SO_SNDTIMEO");
	return sv[0];
}

static pid_t
start_authd(int *master)
{
	char conf[256], text[1024], authd[1024];
	const char *top = getenv("top_builddir");
	struct conf *c;
	int sv[2], cfd, fd;
	pid_t pid;

	snprintf(conf, sizeof(conf), "%s/smbd.conf", tmpdir);
	snprintf(text, sizeof(text), "[global]\n"
	    "\tstate directory = %s/state\n"
	    "\tpassdb file = %s/private/passdb\n"
	    "[share]\n\tpath = %s/share\n", tmpdir, tmpdir, tmpdir);
	if ((fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) == -1)
		hard(conf);
	if ((c = conf_load(conf)) == NULL)
		hard("conf_load");
	if ((cfd = proc_config_memfd(c)) == -1)
		hard("config image");
	snprintf(authd, sizeof(authd), "%s/usmbd-authd", top ? top : ".");
	if (ipc_socketpair(sv) == -1)
		hard("socketpair");
	if ((pid = fork()) == -1)
		hard("fork");
	if (pid == 0) {
		char *argv[] = { "usmbd-authd", NULL };
		char *envp[] = { "PATH=/usr/bin:/bin", NULL };

		if ((sv[1] = fcntl(sv[1], F_DUPFD, 100)) == -1 ||
		    (cfd = fcntl(cfd, F_DUPFD, 100)) == -1 ||
		    dup2(sv[1], USMBD_FD_MASTER) == -1 ||
		    dup2(cfd, USMBD_FD_CONFIG) == -1)
			_exit(127);
		closefrom(USMBD_FD_CONFIG + 1);
		execve(authd, argv, envp);
		_exit(127);
	}
	close(sv[1]);
	close(cfd);
	*master = sv[0];
	return pid;
}

static int
alive(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

int
main(void)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	struct ipc_msg m;
	uint8_t req[64];
	size_t reqlen, sent = 0;
	char path[256];
	struct passwd *pw;
	int master, evil, honest, status, closed = 0, got;
	pid_t pid;

	if (geteuid() != 0) {
		printf("SKIP: needs root: authd drops privileges and "
		    "sandboxes itself\n");
		return 77;
	}
	if ((pw = getpwnam("_usmbd-auth")) == NULL) {
		printf("SKIP: system user _usmbd-auth missing "
		    "(regress/run-all.sh creates it)\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL || chmod(tmpdir, 0755) == -1)
		hard("mkdtemp");
	snprintf(path, sizeof(path), "%s/private", tmpdir);
	if (mkdir(path, 0700) == -1 || chown(path, pw->pw_uid, -1) == -1)
		hard(path);

	pid = start_authd(&master);
	check("authd started and said hello", recv_wait(master, &m, buf,
	    10000) && m.hdr.type == IPC_HELLO);

	/* The compromised peer: requests without end, never a read. */
	reqlen = auth_request(req);
	evil = new_peer(master, 1);
	while (sent < FLOOD_MAX) {
		if (ipc_send(evil, IPC_AUTH_REQUEST, 1, -1, req,
		    reqlen) == -1) {
			closed = errno == EPIPE || errno == ECONNRESET;
			if (!closed)
				printf("send: %s\n", strerror(errno));
			break;
		}
		sent++;
		/* authd's log lines come to the master: keep reading them. */
		while (recv_wait(master, &m, buf, 0))
			;
	}
	printf("%zu requests sent before the channel closed\n", sent);
	check("authd closed the channel of the peer that does not read",
	    closed);
	check("authd is still running", alive(pid));
	close(evil);

	/* An honest peer is answered as before. */
	honest = new_peer(master, 2);
	got = ipc_send(honest, IPC_AUTH_REQUEST, 2, -1, req, reqlen) == 0 &&
	    recv_wait(honest, &m, buf, 10000) &&
	    m.hdr.type == IPC_AUTH_RESPONSE;
	check("an honest peer still gets its answer", got);
	close(honest);

	/* Without its master channel authd ends. */
	close(master);
	for (int i = 0; i < 100 && alive(pid); i++)
		usleep(100000);
	if (alive(pid)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", tmpdir);
	if (system(path) != 0)
		printf("could not remove %s\n", tmpdir);
	printf("%d checks, %d failed\n", nchecks, nfails);
	return nfails == 0 ? 0 : 1;
}
