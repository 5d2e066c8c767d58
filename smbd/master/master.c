/*
 * usmbd: the privileged master.
 *
 * It parses the configuration, binds the listeners, accepts connections
 * and fork+execs every other process with a fixed fd layout.  It never
 * reads a byte that came from the network: a new connection's socket goes
 * straight to a fresh usmbd-preauth process, and what comes back from
 * children is checked against fixed-size, length-checked IPC rules
 * (doc/design.md §1, invariant 1).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "authd_proto.h"
#include "buf.h"
#include "conf.h"
#include "hostacl.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "log.h"
#include "master.h"
#include "master_nss.h"
#include "names_proto.h"
#include "ntstatus.h"
#include "proc.h"
#include "usmbd.h"
#include "util.h"

#ifndef __dead
#define __dead __attribute__((noreturn))
#endif

extern char	**environ;

struct master	 M;


static void	 master_child_dispatch(struct ipc_chan *, struct ipc_msg *,
		    void *);
static void	 master_child_closed(struct ipc_chan *, void *);
static void	 master_start_daemon(enum usmbd_prog);
static void	 master_conn_free(struct conn *);
static void	 master_prev_answered(struct conn *);
static struct conn *master_conn_find(uint32_t);
static void	 master_start_session(struct child *, struct conn *,
		    const uint8_t *, size_t);

static __dead void
usage(int ok)
{
	fprintf(ok ? stdout : stderr,
	    "usage: usmbd [-dDhtTvV] [-f config]\n");
	exit(ok ? 0 : 1);
}

/*
 * The path of a helper program.  All of them live in one directory that
 * the configuration names, so that tests can run a build tree.
 */
static void
master_prog_path(enum usmbd_prog prog, char *path, size_t len)
{
	const char *name;

	switch (prog) {
	case PROG_PREAUTH:
		name = USMBD_PREAUTH_NAME;
		break;
	case PROG_SESSION:
		name = USMBD_SESSION_NAME;
		break;
	case PROG_AUTHD:
		name = USMBD_AUTHD_NAME;
		break;
	case PROG_LOCKD:
		name = USMBD_LOCKD_NAME;
		break;
	default:
		fatalx("no program for kind %d", prog);
	}
	snprintf(path, len, "%s/%s", M.conf->g.libexec_directory, name);
}

/*
 * fork+exec one child.  The child gets exactly the fd layout of usmbd.h:
 * every fd is first moved above the target range so that no dup2() can
 * clobber a source that is still needed, then put in place, and
 * everything else is closed.  Between fork and exec only async-signal-safe
 * calls are made.
 */
static struct child *
master_spawn(enum usmbd_prog prog, int clientfd, int authfd, int lockfd,
    struct conn *c)
{
	struct child *ch;
	char path[PATH_MAX], *argv[7], name[64], argv0[64];
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	    "KRB5RCACHETYPE=none", NULL, NULL };
	int sv[2], fds[5], srcs[5], i, argc = 0;
	pid_t pid;

	if (ipc_socketpair(sv) == -1) {
		log_warn("socketpair for %s", proc_name(prog));
		return NULL;
	}
	master_prog_path(prog, path, sizeof(path));
	snprintf(argv0, sizeof(argv0), "%s", strrchr(path, '/') + 1);
	argv[argc++] = argv0;
	if (M.debug)
		argv[argc++] = "-d";
	if (M.verbose > 0) {
		static char vflag[8];
		int v;

		vflag[0] = '-';
		for (v = 0; v < M.verbose && v < 5; v++)
			vflag[1 + v] = 'v';
		vflag[1 + v] = '\0';
		argv[argc++] = vflag;
	}
#ifdef USMBD_REGRESS_HOOKS
	/* Tests: the length of a minute for timers (session_main.c). */
	{
		static char minute[64];
		const char *m = getenv("USMBD_REGRESS_MINUTE");

		if (m != NULL && minute[0] == '\0')
			snprintf(minute, sizeof(minute),
			    "USMBD_REGRESS_MINUTE=%d", atoi(m));
		if (m != NULL)
			envp[2] = minute;
	}
	/* Tests: the evil-process mode for one kind of child. */
	if (M.evil_attack != NULL && M.evil_prog == prog) {
		argv[argc++] = "-A";
		argv[argc++] = M.evil_attack;
	}
#endif
	argv[argc] = NULL;

	switch ((pid = fork())) {
	/* The child's block is kept free of anything not async-signal-safe. */
	case -1:
		log_warn("fork for %s", proc_name(prog));
		close(sv[0]);
		close(sv[1]);
		return NULL;
	case 0: {
		int nullfd;

		if ((nullfd = open("/dev/null", O_RDWR)) == -1 ||
		    (nullfd = fcntl(nullfd, F_DUPFD, 100)) == -1)
			_exit(127);
		srcs[0] = sv[1];
		srcs[1] = M.config_fd;
		srcs[2] = clientfd;
		srcs[3] = authfd;
		srcs[4] = lockfd;
		for (i = 0; i < 5; i++) {
			fds[i] = -1;
			if (srcs[i] != -1 &&
			    (fds[i] = fcntl(srcs[i], F_DUPFD, 100)) == -1)
				_exit(127);
		}
		for (i = 0; i < 5; i++) {
			if (fds[i] == -1)
				close(USMBD_FD_MASTER + i);
			else if (dup2(fds[i], USMBD_FD_MASTER + i) == -1)
				_exit(127);
		}
		if (dup2(nullfd, 0) == -1 || dup2(nullfd, 1) == -1)
			_exit(127);
		if (!M.debug && dup2(nullfd, 2) == -1)
			_exit(127);
		fd_closefrom(USMBD_FD_FIRST_FREE);
		/* Signal dispositions and the mask are reset for the child. */
		{
			sigset_t set;

			sigemptyset(&set);
			sigprocmask(SIG_SETMASK, &set, NULL);
			signal(SIGPIPE, SIG_DFL);
			signal(SIGCHLD, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
		}
		execve(path, argv, envp);
		_exit(127);
	}
	}
	close(sv[1]);

	ch = xcalloc(1, sizeof(*ch));
	ch->pid = pid;
	ch->started_pid = pid;
	ch->prog = prog;
	ch->conn = c;
	ch->started_ms = time_mono_ms();
	ch->serial = ++M.child_seq;
	if (c != NULL)
		snprintf(name, sizeof(name), "%s %u (pid %ld)",
		    proc_name(prog), c->id, (long)pid);
	else
		snprintf(name, sizeof(name), "%s (pid %ld)", proc_name(prog),
		    (long)pid);
	/* A session worker is not asked for a hello: it starts running. */
	ch->chan = ipc_chan_new(M.base, sv[0], name,
	    &(struct ipc_peer){ &ipc_rules_master, IPC_FROM(prog),
	    prog == PROG_SESSION ? IPC_PH_RUN : IPC_PH_START },
	    master_child_dispatch, master_child_closed, ch);
	if (ch->chan == NULL)
		fatal("ipc channel for %s", name);
	LIST_INSERT_HEAD(&M.children, ch, entry);
	log_debug("started %s", name);
	return ch;
}

/*
 * Signal a child that has not been reaped yet.  A reaped child's pid is
 * -1: its number may already belong to another process, and kill() of
 * -1 or 0 would reach far more than one child.
 */
static void
master_child_kill(struct child *ch, int sig)
{
	if (ch->pid > 0)
		kill(ch->pid, sig);
}

/*
 * A new channel between a worker and authd or lockd: one end goes to the
 * daemon with the connection id and data (authd: the client's address;
 * lockd: the worker's uid), the other is returned for the worker.
 * Without the daemon the worker gets a closed channel and fails cleanly.
 */
static int
master_daemon_channel(enum usmbd_prog prog, uint32_t id, const void *data,
    size_t len)
{
	struct child *d = prog == PROG_AUTHD ? M.authd : M.lockd;
	uint32_t type = prog == PROG_AUTHD ? IPC_AUTHD_NEWCONN :
	    IPC_LOCKD_NEWPEER;
	int sv[2];

	if (ipc_socketpair(sv) == -1) {
		log_warn("socketpair for %s", proc_name(prog));
		return -1;
	}
	if (d == NULL || d->chan == NULL ||
	    ipc_chan_send(d->chan, type, id, sv[1], data, len) == -1)
		log_warnx("%s is not running; connection %u gets no channel "
		    "to it", proc_name(prog), id);
	close(sv[1]);
	return sv[0];
}

static void
master_conn_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	if (c->child == NULL && c->state == CONN_PREAUTH) {
		log_warnx("connection %u from %s: handed off but authd never "
		    "confirmed it; dropping", c->id, c->addrstr);
		master_conn_free(c);
		return;
	}
	if (c->child != NULL && c->state == CONN_PREAUTH) {
		log_info("connection %u from %s: not authenticated after %d "
		    "seconds, dropping", c->id, c->addrstr,
		    M.conf->g.auth_timeout);
		master_child_kill(c->child, SIGKILL);
	}
}

static size_t
master_conns_from(const struct sockaddr_storage *ss, size_t *preauth)
{
	struct conn *c;
	size_t n = 0;

	*preauth = 0;
	TAILQ_FOREACH(c, &M.conns, entry) {
		if (!sockaddr_same_host(&c->addr, ss))
			continue;
		n++;
		if (c->state == CONN_PREAUTH)
			(*preauth)++;
	}
	return n;
}

/*
 * The total is full.  Rather than turn every newcomer away while one
 * address floods us, evict an unauthenticated connection of the address
 * that holds the most of them, provided the newcomer's address holds
 * fewer.  A flood can then only crowd out itself.
 */
static int
master_evict_for(const struct sockaddr_storage *ss)
{
	struct conn *c, *victim = NULL;
	size_t best = 0, mine, pre;

	master_conns_from(ss, &mine);
	TAILQ_FOREACH(c, &M.conns, entry) {
		if (c->state != CONN_PREAUTH || c->child == NULL)
			continue;
		master_conns_from(&c->addr, &pre);
		if (pre > best) {
			best = pre;
			victim = c;
		}
	}
	if (victim == NULL || best <= mine + 1)
		return -1;
	log_info("connection limit reached: dropping unauthenticated "
	    "connection %u from %s to admit a new client", victim->id,
	    victim->addrstr);
	master_child_kill(victim->child, SIGKILL);
	victim->child->conn = NULL;
	master_conn_free(victim);
	return 0;
}

static void
master_refuse(const char *addr, const char *why)
{
	uint64_t now = time_mono_ms();

	M.refused++;
	if (now - M.refuse_logged_ms >= 1000) {
		log_warnx("refusing connection from %s: %s (%lu refused since "
		    "last report)", addr, why, M.refused);
		M.refuse_logged_ms = now;
		M.refused = 0;
	}
}

void
master_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	struct conn *c;
	struct timeval tv;
	char addr[INET6_ADDRSTRLEN + 8];
	size_t from, pre;
	int fd, peer, on;

	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
	    SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept");
		if (errno == EMFILE || errno == ENFILE) {
			/* Back off so that we do not spin on the listener. */
			event_del(M.listeners[(intptr_t)arg].ev);
			tv.tv_sec = 1;
			tv.tv_usec = 0;
			evtimer_add(M.ev_accept_pause, &tv);
		}
		return;
	}
	sockaddr_ntop(&ss, addr, sizeof(addr));
	/*
	 * hosts allow and hosts deny as set in [global]: no process is
	 * started for a client they refuse.  A share's own lists are
	 * applied by the session worker, at TREE_CONNECT.
	 */
	if (!hostacl_allowed(M.conf->defaults.hosts_allow,
	    M.conf->defaults.hosts_deny, (struct sockaddr *)&ss, sslen)) {
		master_refuse(addr, "refused by hosts allow or hosts deny");
		close(fd);
		return;
	}
	if (M.conf->g.max_connections_per_client > 0 &&
	    master_conns_from(&ss, &pre) >=
	    (size_t)M.conf->g.max_connections_per_client) {
		master_refuse(addr, "too many connections from this address");
		close(fd);
		return;
	}
	if (M.conf->g.max_connections > 0 &&
	    M.nconns >= (size_t)M.conf->g.max_connections &&
	    master_evict_for(&ss) == -1) {
		master_refuse(addr, "max connections reached");
		close(fd);
		return;
	}
	from = master_conns_from(&ss, &pre);
	/*
	 * SMB is request and response: a response must not wait for the
	 * client's delayed ACK of the one before (Nagle).  An interim
	 * response followed by an oplock break, or the two halves of a
	 * compound answered apart, would each wait 40 ms.  Samba sets the
	 * same by default (its "socket options").
	 */
	on = 1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1)
		log_warn("%s: TCP_NODELAY", addr);

	c = xcalloc(1, sizeof(*c));
	c->id = ++M.conn_seq;
	if (c->id == 0)
		c->id = ++M.conn_seq;
	memcpy(&c->addr, &ss, sizeof(ss));
	c->accepted_ms = time_mono_ms();
	c->accepted = time(NULL);
	snprintf(c->addrstr, sizeof(c->addrstr), "%s", addr);
	sockaddr_hoststr(&ss, c->hoststr, sizeof(c->hoststr));
	c->state = CONN_PREAUTH;
	/*
	 * The master keeps its own reference to the client socket until
	 * the session worker has it.  The preauth process then never
	 * passes a descriptor back: it cannot hand over anything but this
	 * connection's socket, and no fd is in flight on its behalf (the
	 * kernel bounds descriptors in flight per user, and every preauth
	 * process is the same user).
	 */
	c->sock = fd;
	TAILQ_INSERT_TAIL(&M.conns, c, entry);
	M.nconns++;

	peer = master_daemon_channel(PROG_AUTHD, c->id, c->hoststr,
	    strlen(c->hoststr));
	c->child = master_spawn(PROG_PREAUTH, fd, peer, -1, c);
	if (peer != -1)
		close(peer);
	if (c->child == NULL) {
		master_conn_free(c);
		return;
	}
	/*
	 * The preauth process enforces the negotiate and authentication
	 * timeouts itself; this is the backstop in case it cannot.
	 */
	c->ev_timeout = evtimer_new(M.base, master_conn_timeout, c);
	tv.tv_sec = M.conf->g.auth_timeout + 5;
	tv.tv_usec = 0;
	evtimer_add(c->ev_timeout, &tv);
	log_info("connection %u from %s (%zu from this address)", c->id,
	    c->addrstr, from);
}

static void
master_accept_resume(evutil_socket_t fd, short what, void *arg)
{
	size_t i;

	for (i = 0; i < M.nlisteners; i++)
		event_add(M.listeners[i].ev, NULL);
}

static void
master_conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	/* A worker that ends has ended its sessions too. */
	master_prev_answered(c);
	master_ctl_conn_free(c);
	TAILQ_REMOVE(&M.conns, c, entry);
	M.nconns--;
	if (c->ev_timeout != NULL)
		event_free(c->ev_timeout);
	if (c->child != NULL)
		c->child->conn = NULL;
	if (c->sock != -1)
		close(c->sock);
	if (c->state_blob != NULL) {
		explicit_bzero(c->state_blob, c->state_len);
		free(c->state_blob);
	}
	free(c);
	/* Those usmbd-ctl callers who waited for it need not any more. */
	master_ctl_check();
}

static struct conn *
master_conn_find(uint32_t id)
{
	struct conn *c;

	TAILQ_FOREACH(c, &M.conns, entry)
		if (c->id == id)
			return c;
	return NULL;
}

/*
 * A child may send "log rate limit" lines a second, in bursts of up to
 * ten seconds' worth; past that its lines are dropped, counted, and the
 * count logged when lines get through again or the child ends.  At log
 * level 2 and above (debugging) nothing is dropped.  A compromised child
 * can then neither fill the disk nor keep the master busy with its log.
 */
static int
master_log_admit(struct child *ch)
{
	uint64_t now, rate = (uint64_t)M.conf->g.log_rate_limit;
	uint64_t burst = rate * 10 * 1000;

	if (rate == 0 || M.verbose >= 2)
		return 1;
	now = time_mono_ms();
	if (ch->log_ms == 0)
		ch->log_milli = burst;
	else
		ch->log_milli += (now - ch->log_ms) * rate;
	if (ch->log_milli > burst)
		ch->log_milli = burst;
	ch->log_ms = now;
	if (ch->log_milli < 1000) {
		if (ch->log_dropped++ == 0)
			log_warnx("%s (pid %ld) sends more than %llu log lines "
			    "a second; dropping its lines (log rate limit)",
			    proc_name(ch->prog), (long)ch->started_pid,
			    (unsigned long long)rate);
		return 0;
	}
	ch->log_milli -= 1000;
	master_log_dropped(ch);
	return 1;
}

void
master_log_dropped(struct child *ch)
{
	if (ch->log_dropped == 0)
		return;
	log_warnx("%s (pid %ld): %llu log lines dropped (log rate limit)",
	    proc_name(ch->prog), (long)ch->started_pid,
	    (unsigned long long)ch->log_dropped);
	ch->log_dropped = 0;
}

/*
 * Relay a child's log line.  The text is the child's, so it is made
 * printable before it reaches a terminal or syslog, and a line that does
 * not begin with the name and pid of the child that sent it is marked:
 * a compromised worker cannot speak as authd in the log.
 */
static void
master_relay_log(struct child *ch, const struct ipc_msg *m)
{
	char line[2100], who[64];
	struct rbuf r;
	const uint8_t *text;
	uint32_t level;
	size_t i, n, wl;

	/* u32 level, then the text (the rule guarantees the 4 bytes). */
	rbuf_init(&r, m->data, m->hdr.len);
	rbuf_get_u32le(&r, &level);
	if (level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_DEBUG;
	if ((int)level > LOG_LEVEL_INFO && M.verbose < 2)
		return;
	if (!master_log_admit(ch))
		return;
	wl = (size_t)snprintf(who, sizeof(who), "%s[%ld]: ",
	    proc_name(ch->prog), (long)ch->started_pid);
	n = rbuf_left(&r);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	if (rbuf_get_ptr(&r, &text, n) == -1)
		return;
	for (i = 0; i < n; i++) {
		unsigned char c = text[i];

		line[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	line[n] = '\0';
	if (n < wl || memcmp(line, who, wl) != 0) {
		char forged[2200];

		snprintf(forged, sizeof(forged), "%s(not its own name) %s",
		    who, line);
		log_emit((int)level, forged);
		return;
	}
	log_emit((int)level, line);
}

/*
 * An account that authd vouched for, while the name service resolves it
 * to a Unix user.  The master does this, not authd: NSS may need files,
 * sockets and modules that authd's sandbox rightly lacks, and the
 * decision which uid a worker gets belongs to the master (invariant 3).
 * The lookup runs off the event loop (master_nss.c), so everything the
 * answer is for is found again by number when it comes: the connection
 * and authd may both be gone by then.
 */
struct master_auth_req {
	struct auth_claim	 cl;
	uint32_t		 connid;
	uint64_t		 authd_serial;	/* the authd that asked */
	char			 name[AUTH_MAX_USER];	/* the Unix account */
};

static void
master_auth_confirm(struct child *authd, uint32_t connid, uint64_t session_id,
    uint32_t status, const struct auth_result *ar)
{
	struct auth_confirm cf;
	struct wbuf w;

	memset(&cf, 0, sizeof(cf));
	cf.session_id = session_id;
	cf.status = status;
	if (status == NT_STATUS_SUCCESS)
		cf.result = *ar;
	wbuf_init(&w, AUTH_CONFIRM_WIRE_LEN);
	ipc_put_auth_confirm(&w, &cf);
	if (wbuf_error(&w) || authd->chan == NULL ||
	    ipc_chan_send(authd->chan, IPC_AUTH_CONFIRM, connid, -1,
	    wbuf_data(&w), wbuf_len(&w)) == -1)
		log_warnx("cannot answer authd");
	wbuf_free(&w);
}

/*
 * What the name service said about a logon's account, as an NTSTATUS
 * for the client, and the worker's identity in ar on success.
 */
static uint32_t
master_auth_account(const struct master_auth_req *rq, const struct conn *c,
    enum nss_status st, const struct nss_user *u, struct auth_result *ar)
{
	int i;

	memset(ar, 0, sizeof(*ar));
	switch (st) {
	case NSS_OK:
		break;
	case NSS_NOTFOUND:
		log_warnx("user %s has no Unix account", rq->name);
		return NT_STATUS_LOGON_FAILURE;
	case NSS_ERROR:
		log_warnx("user %s: the name service failed: %s", rq->name,
		    strerror(u->error));
		return NT_STATUS_LOGON_FAILURE;
	case NSS_TIMEDOUT:
		log_warnx("connection %u from %s: logon of %s refused: the "
		    "name service did not resolve user %s in time", c->id,
		    c->addrstr, rq->cl.user, rq->name);
		return NT_STATUS_LOGON_FAILURE;
	}
	if (u->uid == 0 || u->gid == 0) {
		log_warnx("user %s maps to uid %u gid %u: refusing, a session "
		    "worker never runs as root", rq->name, u->uid, u->gid);
		return NT_STATUS_ACCOUNT_RESTRICTION;
	}
	if (u->truncated)
		log_warnx("user %s is in more than %d groups; using the first "
		    "%d", rq->name, AUTH_MAX_GROUPS, AUTH_MAX_GROUPS);
	ar->session_id = rq->cl.session_id;
	ar->flags = rq->cl.flags;
	ar->uid = u->uid;
	ar->gid = u->gid;
	for (i = 0; i < u->ngroups && i < AUTH_MAX_GROUPS; i++) {
		/* Group 0 would give a worker root's files. */
		if (u->groups[i] == 0)
			continue;
		ar->groups[ar->ngroups++] = u->groups[i];
	}
	snprintf(ar->user, sizeof(ar->user), "%s", rq->cl.user);
	return NT_STATUS_SUCCESS;
}

/* The name service answered (or not in time) for a logon: on the loop. */
static void
master_auth_resolved(enum nss_status st, const struct nss_user *u, void *arg)
{
	struct master_auth_req *rq = arg;
	struct auth_result ar;
	struct conn *c;
	uint32_t status;

	/*
	 * An authd that restarted in between has forgotten the exchange;
	 * the new one must not get an answer to a question it never asked.
	 */
	if (M.authd == NULL || M.authd->serial != rq->authd_serial) {
		log_info("connection %u: authd restarted while user %s was "
		    "looked up; the logon is dropped", rq->connid, rq->name);
		free(rq);
		return;
	}
	if ((c = master_conn_find(rq->connid)) == NULL) {
		master_auth_confirm(M.authd, rq->connid, rq->cl.session_id,
		    NT_STATUS_USER_SESSION_DELETED, NULL);
		free(rq);
		return;
	}
	status = master_auth_account(rq, c, st, u, &ar);
	if (status == NT_STATUS_SUCCESS && c->authed &&
	    ar.uid != c->auth.uid) {
		/*
		 * One worker holds one uid.  Forwarding another user's
		 * session to its own worker is not there yet
		 * (doc/design.md §1).
		 */
		log_warnx("connection %u from %s: refusing session setup for "
		    "%s: this connection is served as %s, and sessions of "
		    "different users on one connection are not supported yet",
		    c->id, c->addrstr, rq->cl.user, c->auth.user);
		status = NT_STATUS_ACCESS_DENIED;
	}
	if (status == NT_STATUS_SUCCESS) {
		if (!c->authed) {
			c->auth = ar;
			c->authed = 1;
		}
		if (rq->cl.flags & AUTH_FLAG_ANONYMOUS)
			log_info("connection %u from %s: anonymous logon, "
			    "served as the guest account (uid %u)", c->id,
			    c->addrstr, ar.uid);
		else if (rq->cl.flags & AUTH_FLAG_GUEST)
			log_info("connection %u from %s: %s logged on as a "
			    "guest (uid %u)", c->id, c->addrstr,
			    rq->cl.user[0] != '\0' ? rq->cl.user :
			    "(no user name)", ar.uid);
		else
			log_info("connection %u from %s: authenticated as %s "
			    "(uid %u)", c->id, c->addrstr, rq->cl.user, ar.uid);
	}
	master_auth_confirm(M.authd, rq->connid, rq->cl.session_id, status,
	    &ar);
	free(rq);
	if (c->authed && c->state_blob != NULL)
		master_start_session(NULL, c, c->state_blob, c->state_len);
}

/*
 * authd says who authenticated on a connection.  The answer waits for the
 * name service; until then the master goes on serving everyone else.
 */
static void
master_handle_auth_result(struct child *ch, const struct ipc_msg *m)
{
	struct master_auth_req *rq;
	struct rbuf r;

	rq = xcalloc(1, sizeof(*rq));
	rbuf_init(&r, m->data, m->hdr.len);
	if (ipc_get_auth_claim(&r, &rq->cl) == -1) {
		/* The rule fixed the length: this cannot fail. */
		free(rq);
		return;
	}
	rq->connid = m->hdr.peerid;
	rq->authd_serial = ch->serial;
	if (master_conn_find(rq->connid) == NULL) {
		master_auth_confirm(ch, rq->connid, rq->cl.session_id,
		    NT_STATUS_USER_SESSION_DELETED, NULL);
		free(rq);
		return;
	}
	snprintf(rq->name, sizeof(rq->name), "%s",
	    (rq->cl.flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS)) ?
	    M.conf->g.guest_account : rq->cl.user);
	nss_resolve_user(rq->name, master_auth_resolved, rq);
}

/*
 * A preauth process finished: it hands over its exported state (the
 * master kept the client socket).  The session worker is started as the
 * user that authd (not the preauth process) reported for this
 * connection.
 */
static void
master_handle_handoff(struct child *ch, struct ipc_msg *m)
{
	struct conn *c = ch->conn;

	if (c == NULL) {
		log_warnx("%s handed off a connection it does not hold",
		    ipc_chan_name(ch->chan));
		master_child_kill(ch, SIGKILL);
		return;
	}
	if (!c->authed) {
		/*
		 * authd's word and the preauth process's handoff come over
		 * two sockets, so the handoff may be read first.  Hold it
		 * until authd has spoken; the connection's timeout ends the
		 * wait if it never does.
		 */
		ch->conn = NULL;
		c->child = NULL;
		c->state_blob = xmalloc(m->hdr.len + 1);
		memcpy(c->state_blob, m->data, m->hdr.len);
		c->state_len = m->hdr.len;
		return;
	}
	master_start_session(ch, c, m->data, m->hdr.len);
}

static void
master_start_session(struct child *ch, struct conn *c, const uint8_t *state,
    size_t statelen)
{
	struct child *w;
	struct wbuf wa;
	int authfd, lockfd;

	c->state = CONN_SESSION;
	if (ch != NULL)
		ch->conn = NULL;
	if (c->ev_timeout != NULL) {
		event_free(c->ev_timeout);
		c->ev_timeout = NULL;
	}
	c->child = NULL;

	authfd = master_daemon_channel(PROG_AUTHD, c->id, c->hoststr,
	    strlen(c->hoststr));
	/* lockd learns the worker's user: delete-on-close depends on it. */
	wbuf_init(&wa, 4);
	wbuf_put_u32le(&wa, c->auth.uid);
	lockfd = master_daemon_channel(PROG_LOCKD, c->id, wbuf_data(&wa),
	    wbuf_len(&wa));
	wbuf_free(&wa);
	w = master_spawn(PROG_SESSION, c->sock, authfd, lockfd, c);
	/* The worker has the socket now. */
	close(c->sock);
	c->sock = -1;
	if (authfd != -1)
		close(authfd);
	if (lockfd != -1)
		close(lockfd);
	if (w == NULL) {
		log_warnx("connection %u from %s: cannot start a session "
		    "worker; dropping the connection", c->id, c->addrstr);
		master_conn_free(c);
		return;
	}
	c->child = w;
	wbuf_init(&wa, AUTH_RESULT_WIRE_LEN);
	ipc_put_auth_result(&wa, &c->auth);
	if (wbuf_error(&wa) || ipc_chan_send(w->chan, IPC_SESSION_START,
	    c->id, -1, wbuf_data(&wa), wbuf_len(&wa)) == -1 ||
	    ipc_chan_send(w->chan, IPC_SESSION_STATE, c->id, -1, state,
	    statelen) == -1) {
		log_warnx("connection %u from %s: cannot start session",
		    c->id, c->addrstr);
		master_child_kill(w, SIGKILL);
	} else
		log_info("connection %u from %s: session worker pid %ld as "
		    "user %s", c->id, c->addrstr, (long)w->pid,
		    c->auth.user[0] != '\0' ? c->auth.user :
		    M.conf->g.guest_account);
	wbuf_free(&wa);
	/* The state (keys among it) is spent. */
	if (c->state_blob != NULL) {
		explicit_bzero(c->state_blob, c->state_len);
		free(c->state_blob);
		c->state_blob = NULL;
	}
}

/*
 * Name service requests a session worker may make per second: 16
 * questions each, enough for the largest lookup lsarpc asks at once.
 */
#define MASTER_NAMES_PER_SECOND	128

/*
 * Could a user or group have this name?  NSS would refuse the others
 * anyway; refusing them here keeps a worker's bytes away from NSS modules
 * that might treat them specially: '+' and '-' start netgroup entries of
 * compat, and LDAP-backed modules build search filters from the name, so
 * filter syntax ("*", "(", ")", "|", "&", "=", "!", "~", "<", ">") never
 * reaches them either.
 */
static int
master_name_ok(const char *name)
{
	const unsigned char *p;

	if (name[0] == '\0' || name[0] == '-' || name[0] == '+')
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    strchr("/:\\*()|&=!~<>", *p) != NULL)
			return 0;
	return 1;
}

/*
 * A session worker's name request, while the name service answers it.
 * The worker may have exited by then: it is found again by its serial.
 */
struct master_names_req {
	uint64_t		 child_serial;
	uint32_t		 peerid;
	struct names_msg	 req;	/* as asked, checked */
};

static struct child *
master_child_by_serial(uint64_t serial)
{
	struct child *ch;

	LIST_FOREACH(ch, &M.children, entry)
		if (ch->serial == serial)
			return ch;
	return NULL;
}

/* A worker that closed its channel is ending and wants no answer. */
static void
master_names_reply(struct child *ch, uint32_t peerid,
    const struct names_msg *rep)
{
	struct wbuf w;

	wbuf_init(&w, NAMES_MSG_WIRE_LEN);
	ipc_put_names_msg(&w, rep);
	if (ch->chan != NULL && (wbuf_error(&w) || ipc_chan_send(ch->chan,
	    IPC_NAME_REPLY, peerid, -1, wbuf_data(&w), wbuf_len(&w)) == -1))
		log_warnx("%s: cannot answer a name request",
		    ipc_chan_name(ch->chan));
	wbuf_free(&w);
}

/* The name service answered a worker's questions (or not in time). */
static void
master_names_answered(enum nss_status st, const struct names_msg *ans,
    void *arg)
{
	struct master_names_req *rq = arg;
	struct names_msg rep;
	struct names_entry *e;
	struct child *ch;
	uint32_t i;

	if ((ch = master_child_by_serial(rq->child_serial)) == NULL) {
		free(rq);
		return;
	}
	ch->names_pending = 0;
	/* Unanswered questions stay unmapped names, not an error. */
	memcpy(&rep, st == NSS_OK ? ans : &rq->req, sizeof(rep));
	rep.seq = rq->req.seq;
	rep.count = rq->req.count;
	for (i = 0; i < NAMES_MAX_ENTRIES; i++) {
		e = &rep.ent[i];
		if (st != NSS_OK || e->found != 1 ||
		    memchr(e->name, '\0', sizeof(e->name)) == NULL ||
		    !master_name_ok(e->name)) {
			memset(e->name, 0, sizeof(e->name));
			e->found = 0;
		}
		e->reserved = 0;
	}
	master_names_reply(ch, rq->peerid, &rep);
	free(rq);
}

/*
 * A session worker asks for names of uids and gids, or ids of names, for
 * its lsarpc and samr pipes (shared/names_proto.h).  Guest and anonymous
 * sessions get no answers, as Windows' default LSA policy gives them none.
 */
static void
master_handle_names(struct child *ch, const struct ipc_msg *m)
{
	struct master_names_req *rq;
	struct names_msg req;
	struct rbuf r;
	uint64_t now = time_mono_ms();
	uint32_t i, nask = 0;
	int allowed;

	/*
	 * A worker waits for each answer before it asks again, so an answer
	 * still queued here means it does not read them: answering more
	 * would grow the master's memory at the rate the worker asks.
	 */
	if (ipc_chan_queued(ch->chan) > 0) {
		if (!ch->names_unread)
			log_warnx("%s: does not read the answers to its name "
			    "requests; ignoring them", ipc_chan_name(ch->chan));
		ch->names_unread = 1;
		return;
	}
	/* For the same reason, one question at a time is all it gets. */
	if (ch->names_pending) {
		if (!ch->names_early)
			log_warnx("%s: asks for names again before its last "
			    "request was answered; ignoring it",
			    ipc_chan_name(ch->chan));
		ch->names_early = 1;
		return;
	}
	rbuf_init(&r, m->data, m->hdr.len);
	if (ipc_get_names_msg(&r, &req) == -1) {
		log_warnx("%s: a name request that does not parse",
		    ipc_chan_name(ch->chan));
		return;
	}
	allowed = ch->conn != NULL && ch->conn->authed &&
	    (ch->conn->auth.flags &
	    (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS)) == 0;
	/*
	 * NSS may be slow, and its threads serve everyone: a worker gets a
	 * bounded number of lookups per second, the rest go unanswered
	 * (unmapped names, not an error).  Every request counts, so that
	 * malformed ones cannot fill the master's log either.
	 */
	if (now - ch->names_window_ms >= 1000) {
		ch->names_window_ms = now;
		ch->names_in_window = 0;
	}
	if (++ch->names_in_window > MASTER_NAMES_PER_SECOND) {
		if (ch->names_in_window == MASTER_NAMES_PER_SECOND + 1)
			log_warnx("%s: more than %d name requests a second; "
			    "the rest of this second go unanswered",
			    ipc_chan_name(ch->chan), MASTER_NAMES_PER_SECOND);
		ch->names_in_window = MASTER_NAMES_PER_SECOND + 2;
		allowed = 0;
	} else if (req.count == 0 || req.count > NAMES_MAX_ENTRIES)
		log_warnx("%s: name request with %u entries: refused",
		    ipc_chan_name(ch->chan), req.count);
	if (req.count > NAMES_MAX_ENTRIES)
		req.count = 0;
	for (i = 0; i < NAMES_MAX_ENTRIES; i++) {
		struct names_entry *e = &req.ent[i];

		if (i >= req.count || !allowed || e->kind < NAMES_UID ||
		    e->kind > NAMES_GROUP) {
			memset(e, 0, sizeof(*e));
			continue;
		}
		e->name[sizeof(e->name) - 1] = '\0';
		e->found = 0;
		e->reserved = 0;
		if (e->kind == NAMES_UID || e->kind == NAMES_GID)
			memset(e->name, 0, sizeof(e->name));
		else if (!master_name_ok(e->name)) {
			/* Not a name any account could have: unmapped. */
			memset(e->name, 0, sizeof(e->name));
			e->kind = 0;
			continue;
		}
		nask++;
	}
	if (nask == 0) {
		master_names_reply(ch, m->hdr.peerid, &req);
		return;
	}
	rq = xcalloc(1, sizeof(*rq));
	rq->child_serial = ch->serial;
	rq->peerid = m->hdr.peerid;
	memcpy(&rq->req, &req, sizeof(req));
	ch->names_pending = 1;
	nss_lookup_names(&req, master_names_answered, rq);
}

/*
 * A session worker's report for usmbd-ctl status.  Only the worker of a
 * connection reports, and only about its own connection; what it says is
 * checked (printable share names) but believed: a worker knows its
 * dialect and shares.  It cannot say who it runs as, or which pid it
 * has: those come from the master's own table.
 */
static void
master_handle_info(struct child *ch, struct ipc_msg *m)
{
	struct conn *c = ch->conn;
	struct session_info si;
	struct rbuf r;

	if (c == NULL || c->child != ch)
		return;
	rbuf_init(&r, m->data, m->hdr.len);
	if (ipc_get_session_info(&r, &si) == -1) {
		if (!c->info_bad)
			log_warnx("connection %u from %s: a session report "
			    "that does not parse; ignoring it", c->id,
			    c->addrstr);
		c->info_bad = 1;
		return;
	}
	c->info = si;
	c->have_info = 1;
}

/*
 * The asker of a PreviousSessionId hears that every worker told to end
 * the session has answered.
 */
static void
master_prev_done(struct conn *a)
{
	a->prev_out = 0;
	if (a->child != NULL && a->child->chan != NULL &&
	    ipc_chan_send(a->child->chan, IPC_SESSION_PREVIOUS_DONE, a->id,
	    -1, NULL, 0) == -1)
		log_warnx("connection %u: cannot answer its previous session",
		    a->id);
}

/* Worker c answered IPC_SESSION_END, or ended: its asker waits less. */
static void
master_prev_answered(struct conn *c)
{
	struct conn *a;

	if (c->end_for == 0)
		return;
	a = master_conn_find(c->end_for);
	c->end_for = 0;
	if (a == NULL || !a->prev_out || a->prev_wait == 0)
		return;
	if (--a->prev_wait == 0)
		master_prev_done(a);
}

/*
 * A SESSION_SETUP with a PreviousSessionId (MS-SMB2 3.3.5.5.3): the old
 * session is ended if the same user has it.  Who the user is comes from
 * the master's own table (the uid it gave each worker), never from the
 * worker: only workers of the asker's uid are told, and a worker ends
 * only a session of its own.  Session ids are random, so the one that
 * has it is the one that ends it.
 */
static void
master_handle_previous(struct child *ch, struct ipc_msg *m)
{
	struct conn *a = ch->conn, *c;
	struct rbuf r;
	uint64_t prev = 0;

	if (a == NULL || a->child != ch || a->state != CONN_SESSION ||
	    !a->authed)
		return;
	rbuf_init(&r, m->data, m->hdr.len);
	if (rbuf_get_u64le(&r, &prev) == -1 || prev == 0 || a->prev_out) {
		log_warnx("connection %u: a previous session question out of "
		    "turn; ignored", a->id);
		return;
	}
	a->prev_out = 1;
	a->prev_wait = 0;
	/* Guests and anonymous sessions are nobody's in particular. */
	if (!(a->auth.flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS))) {
		TAILQ_FOREACH(c, &M.conns, entry) {
			if (c == a || c->state != CONN_SESSION ||
			    !c->authed || c->auth.uid != a->auth.uid ||
			    c->end_for != 0 || c->child == NULL ||
			    c->child->chan == NULL)
				continue;
			if (ipc_chan_send(c->child->chan, IPC_SESSION_END,
			    c->id, -1, m->data, 8) == -1)
				continue;
			c->end_for = a->id;
			a->prev_wait++;
		}
	}
	log_info("connection %u: its new session names previous session "
	    "0x%llx: asked %u other workers of uid %u to end it", a->id,
	    (unsigned long long)prev, a->prev_wait, a->auth.uid);
	if (a->prev_wait == 0)
		master_prev_done(a);
}

static void
master_child_dispatch(struct ipc_chan *chan, struct ipc_msg *m, void *arg)
{
	struct child *ch = arg;
	struct rbuf r;
	uint32_t prog = 0;

	switch (m->hdr.type) {
	case IPC_LOG:
		master_relay_log(ch, m);
		break;
	case IPC_HELLO:
		/* Said once, first (the rules); it must name the right kind. */
		rbuf_init(&r, m->data, m->hdr.len);
		if (rbuf_get_u32le(&r, &prog) == -1 || prog != ch->prog) {
			log_warnx("%s: says it is program %u; stopping it",
			    ipc_chan_name(chan), prog);
			master_child_kill(ch, SIGTERM);
		}
		break;
	case IPC_AUTH_RESULT:
		master_handle_auth_result(ch, m);
		break;
	case IPC_PREAUTH_HANDOFF:
		master_handle_handoff(ch, m);
		break;
	case IPC_NAME_REQUEST:
		master_handle_names(ch, m);
		break;
	case IPC_SESSION_INFO:
		master_handle_info(ch, m);
		break;
	case IPC_SESSION_PREVIOUS:
		master_handle_previous(ch, m);
		break;
	case IPC_SESSION_END_REPLY:
		/* Taken only from a worker that was asked. */
		if (ch->conn != NULL && ch->conn->child == ch)
			master_prev_answered(ch->conn);
		break;
	case IPC_SESSION_FILES_REPLY:
		/* Filed under the worker's own connection, whatever it says. */
		if (ch->conn != NULL && ch->conn->child == ch)
			master_ctl_files_answer(ch->conn, m->data, m->hdr.len);
		break;
	case IPC_LOCKD_STATUS_REPLY:
		if (ch == M.lockd)
			master_ctl_lockd_answer(m->data, m->hdr.len);
		break;
	default:
		/* The rules let nothing else through. */
		if (m->fd != -1)
			close(m->fd);
		break;
	}
}

static void
master_child_closed(struct ipc_chan *chan, void *arg)
{
	struct child *ch = arg;

	/*
	 * A child that closes its channel is finished or misbehaving; it
	 * is reaped through SIGCHLD.  The channel goes away now.
	 */
	ipc_chan_free(ch->chan);
	ch->chan = NULL;
	if (ch->prog != PROG_SESSION)
		master_child_kill(ch, SIGTERM);
}

static void
master_daemon_restart(evutil_socket_t fd, short what, void *arg)
{
	enum usmbd_prog prog = (enum usmbd_prog)(intptr_t)arg;

	if (M.shutting_down)
		return;
	master_start_daemon(prog);
}

static void
master_start_daemon(enum usmbd_prog prog)
{
	struct child *ch;

	if ((ch = master_spawn(prog, -1, -1, -1, NULL)) == NULL) {
		struct timeval tv = { 1, 0 };

		evtimer_add(prog == PROG_AUTHD ? M.ev_restart_authd :
		    M.ev_restart_lockd, &tv);
		return;
	}
	if (prog == PROG_AUTHD)
		M.authd = ch;
	else
		M.lockd = ch;
}

/*
 * One line at the default level for every child that ends: which
 * connection it served and at what stage.  Ordinary ends are info; a
 * daemon dying, a signal or an error exit is a warning.
 */
static void
master_log_exit(const struct child *ch, pid_t pid, int status,
    const struct conn *c, int handed_off)
{
	char how[64], who[160];
	int bad;

	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(how, sizeof(how), "exited with status %d",
		    WEXITSTATUS(status));
	bad = ch->prog == PROG_AUTHD || ch->prog == PROG_LOCKD ||
	    WIFSIGNALED(status) || WEXITSTATUS(status) != 0;
	if (M.shutting_down && !WIFSIGNALED(status))
		bad = 0;
	if (c != NULL)
		snprintf(who, sizeof(who), "connection %u from %s: ", c->id,
		    c->addrstr);
	else
		who[0] = '\0';
	if (ch->prog == PROG_PREAUTH && handed_off && !bad)
		log_debug("%s (pid %ld) %s after its handoff",
		    proc_name(ch->prog), (long)pid, how);
	else if (ch->prog == PROG_PREAUTH && c != NULL)
		(bad ? log_warnx : log_info)("%s%s (pid %ld) %s before a "
		    "session was set up; the connection is closed", who,
		    proc_name(ch->prog), (long)pid, how);
	else if (ch->prog == PROG_SESSION && c != NULL)
		/* A worker that ends well has said so itself (its end line). */
		(bad ? log_warnx : log_debug)("%ssession worker (pid %ld) %s; "
		    "the connection is closed", who, (long)pid, how);
	else
		(bad ? log_warnx : log_info)("%s (pid %ld) %s",
		    proc_name(ch->prog), (long)pid, how);
}

static void
master_reap_child(struct child *ch, pid_t pid, int status)
{
	struct timeval tv;
	struct conn *c;
	int isauth;

	/*
	 * What the child sent before it exited is still in its channel: a
	 * preauth process sends its handoff (and its last log lines) and
	 * exits at once, and SIGCHLD may be seen first.  Read all of it
	 * before the channel goes.  The pid is reaped, so nothing may
	 * signal it any more.
	 */
	c = ch->conn;
	ch->pid = -1;
	if (ch->chan != NULL && ipc_chan_drain(ch->chan) == 0 &&
	    ch->chan != NULL)
		ipc_chan_free(ch->chan);
	ch->chan = NULL;
	master_log_dropped(ch);
	master_log_exit(ch, pid, status, c, ch->conn == NULL);
	LIST_REMOVE(ch, entry);
	if (ch->conn != NULL) {
		/*
		 * A preauth process that handed off has no conn any more;
		 * anything else takes its connection with it.
		 */
		ch->conn->child = NULL;
		master_conn_free(ch->conn);
	}
	if (ch == M.authd || ch == M.lockd) {
		isauth = ch == M.authd;
		if (isauth)
			M.authd = NULL;
		else
			M.lockd = NULL;
		if (!M.shutting_down) {
			log_warnx("restarting %s", isauth ? "authd" : "lockd");
			tv.tv_sec = 1;
			tv.tv_usec = 0;
			evtimer_add(isauth ? M.ev_restart_authd :
			    M.ev_restart_lockd, &tv);
		}
	}
	free(ch);
}

static void
master_reap(void)
{
	struct child *ch;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		LIST_FOREACH(ch, &M.children, entry)
			if (ch->pid == pid)
				break;
		if (ch == NULL) {
			log_info("unknown child %ld ended", (long)pid);
			continue;
		}
		master_reap_child(ch, pid, status);
	}
}

static void
master_shutdown_check(evutil_socket_t fd, short what, void *arg)
{
	struct child *ch;
	int others = 0;

	if (LIST_EMPTY(&M.children) || M.shutdown_deadline <= time_mono_ms()) {
		LIST_FOREACH(ch, &M.children, entry)
			master_child_kill(ch, SIGKILL);
		event_base_loopexit(M.base, NULL);
		return;
	}
	/* authd and lockd go once no worker needs them any more. */
	LIST_FOREACH(ch, &M.children, entry)
		if (ch != M.authd && ch != M.lockd)
			others++;
	if (others == 0 && !M.daemons_stopped) {
		M.daemons_stopped = 1;
		LIST_FOREACH(ch, &M.children, entry)
			master_child_kill(ch, SIGTERM);
	}
}

static void
master_shutdown(void)
{
	struct child *ch;
	struct timeval tv = { 0, 100000 };
	size_t i;

	if (M.shutting_down)
		return;
	M.shutting_down = 1;
	log_info("shutting down");
	for (i = 0; i < M.nlisteners; i++)
		event_del(M.listeners[i].ev);
	/*
	 * Workers first: closing their opens (a delete on close) still
	 * needs lockd, and a worker that loses lockd ends its connection
	 * with a warning that a shutdown should not cause.
	 */
	LIST_FOREACH(ch, &M.children, entry)
		if (ch != M.authd && ch != M.lockd)
			master_child_kill(ch, SIGTERM);
	M.shutdown_deadline = time_mono_ms() + 5000;
	M.ev_shutdown = event_new(M.base, -1, EV_PERSIST,
	    master_shutdown_check, NULL);
	event_add(M.ev_shutdown, &tv);
}

static void
master_signal(evutil_socket_t sig, short what, void *arg)
{
	switch (sig) {
	case SIGCHLD:
		master_reap();
		break;
	case SIGTERM:
	case SIGINT:
		master_shutdown();
		break;
	case SIGHUP:
		master_reload();
		break;
	}
}

/* usmbd -t: the file, then what would fail at run time. */
static __dead void
master_check_only(const char *conffile)
{
	int warnings = M.conf->warnings;

	if (master_check_runtime(M.conf, &warnings) > 0) {
		fprintf(stderr, "usmbd: %s: configuration valid, but the server "
		    "cannot work as configured\n", conffile);
		exit(1);
	}
	if (warnings > 0) {
		fprintf(stderr, "usmbd: %s: configuration loads, but with %d "
		    "warning%s: what they name will not work or has no "
		    "effect\n", conffile, warnings, warnings == 1 ? "" : "s");
		exit(1);
	}
	fprintf(stderr, "usmbd: %s: configuration OK\n", conffile);
	exit(0);
}

int
main(int argc, char **argv)
{
	const char *conffile = SYSCONFDIR "/usmbd/smbd.conf";
	int ch, checkonly = 0, dump = 0, foreground = 0, warnings = 0;
	struct event *ev;
	int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
	size_t i;

	setproctitle_init(argc, argv, environ);
	log_procname("usmbd");
	log_init(1, LOG_DAEMON);
	while ((ch = getopt(argc, argv, "dDf:htTvV")) != -1) {
		switch (ch) {
		case 'd':
			M.debug = 1;
			foreground = 1;
			if (M.verbose < 1)
				M.verbose = 1;
			break;
		case 'D':
			foreground = 1;
			break;
		case 'f':
			conffile = optarg;
			break;
		case 't':
			checkonly = 1;
			break;
		case 'T':
			dump = 1;
			break;
		case 'v':
			M.verbose++;
			break;
		case 'h':
			usage(1);
		case 'V':
			printf("usmbd %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(0);
		}
	}
	argc -= optind;
	if (argc != 0)
		usage(0);

	if ((M.conf = conf_load(conffile)) == NULL) {
		fprintf(stderr, "usmbd: %s: configuration not valid\n",
		    conffile);
		exit(1);
	}
	M.conffile = conffile;
	if (dump) {
		if (conf_dump(M.conf, stdout, 1) == -1 || fflush(stdout) != 0)
			fatal("write");
		exit(0);
	}
	if (checkonly)
		master_check_only(conffile);
	if (geteuid() != 0)
		fatalx("must be started as root");
	if (M.verbose < M.conf->g.log_level)
		M.verbose = M.conf->g.log_level;
	log_setverbose(M.verbose);

	master_check_users(M.conf);
	if (master_check_runtime(M.conf, &warnings) > 0)
		fatalx("the server cannot work as configured (%s)", conffile);
	master_check_landlock(M.conf);
	master_check_mount_namespace(M.conf);
#ifdef USMBD_REGRESS_HOOKS
	master_evil_setup();
#endif
	master_prepare_state(M.conf);
	master_fd_limit(M.conf);
	if ((M.config_fd = proc_config_memfd(M.conf)) == -1)
		fatal("config image");
	if (master_listen(M.conf) == -1)
		fatalx("no listener could be set up");

	/*
	 * Where the log goes: standard error with -d, else "log file", else
	 * syslog; without a syslog daemon, standard error, which a daemon
	 * then keeps (under a service manager it is the journal).
	 */
	if (!M.debug && M.conf->g.log_file[0] != '\0' &&
	    log_open_file(M.conf->g.log_file) == -1)
		fatal("log file %s", M.conf->g.log_file);
	log_init(M.debug, M.conf->g.syslog_facility);
	if (log_stderr())
		log_warnx("no syslog (%s cannot be written to): logging to "
		    "standard error; set \"log file\" to keep a log",
		    _PATH_LOG);
	if (!foreground && daemon(0, log_stderr()) == -1)
		fatal("daemon");
	master_write_pidfile(M.conf);
	setproctitle("master [listening on %zu sockets]", M.nlisteners);

	signal(SIGPIPE, SIG_IGN);
	if ((M.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	for (i = 0; i < nitems(sigs); i++) {
		ev = evsignal_new(M.base, sigs[i], master_signal, NULL);
		if (ev == NULL || event_add(ev, NULL) == -1)
			fatalx("signal event");
	}
	TAILQ_INIT(&M.conns);
	LIST_INIT(&M.children);
	nss_init(M.base);
	nss_configure(M.conf->g.name_service_timeout,
	    M.conf->g.name_cache_time);
	M.ev_restart_authd = evtimer_new(M.base, master_daemon_restart,
	    (void *)(intptr_t)PROG_AUTHD);
	M.ev_restart_lockd = evtimer_new(M.base, master_daemon_restart,
	    (void *)(intptr_t)PROG_LOCKD);
	M.ev_accept_pause = evtimer_new(M.base, master_accept_resume, NULL);
	for (i = 0; i < M.nlisteners; i++) {
		M.listeners[i].ev = event_new(M.base, M.listeners[i].fd,
		    EV_READ | EV_PERSIST, master_accept_cb, (void *)(intptr_t)i);
		if (M.listeners[i].ev == NULL ||
		    event_add(M.listeners[i].ev, NULL) == -1)
			fatalx("listener event");
	}
	master_start_daemon(PROG_AUTHD);
	master_start_daemon(PROG_LOCKD);
	(void)master_ctl_open(M.conf);
	log_info("usmbd %s started, pid %ld", PACKAGE_VERSION,
	    (long)getpid());

	event_base_dispatch(M.base);

	master_ctl_close();
	master_remove_pidfile(M.conf);
	log_info("exiting");
	return 0;
}
