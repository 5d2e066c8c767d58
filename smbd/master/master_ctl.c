/*
 * The control socket of usmbd-ctl(8): a Unix stream socket that only root
 * may use (its mode, and the peer's credentials on every connection).  A
 * caller sends one command line and reads the answer until the master
 * closes:
 *
 *	status [json]		connections, their users, workers, dialect,
 *				signing, encryption and shares
 *	reload			as SIGHUP
 *	kill-session PID|USER	stop session workers
 *
 * An answer that starts with "error: " is a refusal.  Nothing here
 * reaches a child but a signal: what the status shows of a connection
 * comes from the master's own table and from the worker's
 * IPC_SESSION_INFO, already checked.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "lockd_proto.h"
#include "log.h"
#include "master.h"
#include "proc.h"
#include "smb2_negotiate.h"
#include "util.h"

#define CTL_MAX_REQUEST	256
#define CTL_TIMEOUT_S	5

struct ctl_client {
	TAILQ_ENTRY(ctl_client)	 entry;	/* waiting for lockd's answer */
	int		 fd;
	struct event	*ev;
	size_t		 len;
	char		 req[CTL_MAX_REQUEST];
};

/* lockd's answer to IPC_LOCKD_STATUS: its totals and each worker's. */
struct ctl_lockd {
	int		 have;
	uint32_t	 files, opens, locks;
	uint32_t	 n;
	uint32_t	 peer[LOCKD_STATUS_MAX_PEERS];
	uint32_t	 peer_opens[LOCKD_STATUS_MAX_PEERS];
	uint32_t	 peer_locks[LOCKD_STATUS_MAX_PEERS];
};

static int		 ctl_fd = -1;
static struct event	*ctl_ev;
static char		*ctl_path;
static uint64_t		 ctl_started_ms;
static struct ctl_lockd	 ctl_lk;
static uint32_t		 ctl_seq;
static int		 ctl_asked;	/* a question to lockd is out */
static struct event	*ctl_timer;
static TAILQ_HEAD(, ctl_client) ctl_waiting =
    TAILQ_HEAD_INITIALIZER(ctl_waiting);

static void	ctl_finish(struct ctl_client *);

/* The opens and locks lockd counts for one connection's worker. */
static int
ctl_lockd_peer(uint32_t id, uint32_t *opens, uint32_t *locks)
{
	uint32_t i;

	for (i = 0; ctl_lk.have && i < ctl_lk.n; i++)
		if (ctl_lk.peer[i] == id) {
			*opens = ctl_lk.peer_opens[i];
			*locks = ctl_lk.peer_locks[i];
			return 1;
		}
	return 0;
}

/* A JSON string, every control character escaped. */
static void
ctl_json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(fp, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

/* Text for a terminal: control characters become '?'. */
static void
ctl_text_str(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, fp);
}

static const char *
ctl_who(const struct conn *c)
{
	if (!c->authed)
		return "";
	if (c->auth.flags & AUTH_FLAG_ANONYMOUS)
		return "(anonymous)";
	return c->auth.user;
}

static void
ctl_status_text(FILE *fp)
{
	const struct conn *c;
	const struct session_info *si;
	char when[32];
	struct tm tm;
	uint64_t secs;
	uint32_t opens, locks;
	size_t i;

	secs = (time_mono_ms() - ctl_started_ms) / 1000;
	fprintf(fp, "usmbd %s, pid %ld, up %llu:%02llu:%02llu, %zu "
	    "connection%s (max connections %d)\n", PACKAGE_VERSION,
	    (long)getpid(), (unsigned long long)(secs / 3600),
	    (unsigned long long)(secs / 60 % 60),
	    (unsigned long long)(secs % 60), M.nconns,
	    M.nconns == 1 ? "" : "s", M.conf->g.max_connections);
	fprintf(fp, "authd pid %ld, lockd pid %ld\n",
	    M.authd != NULL ? (long)M.authd->pid : -1L,
	    M.lockd != NULL ? (long)M.lockd->pid : -1L);
	if (ctl_lk.have)
		fprintf(fp, "lockd: %u file%s open, %u open%s, %u byte-range "
		    "lock%s\n", ctl_lk.files, ctl_lk.files == 1 ? "" : "s",
		    ctl_lk.opens, ctl_lk.opens == 1 ? "" : "s", ctl_lk.locks,
		    ctl_lk.locks == 1 ? "" : "s");
	else
		fprintf(fp, "lockd: did not answer\n");
	TAILQ_FOREACH(c, &M.conns, entry) {
		localtime_r(&c->accepted, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		secs = (time_mono_ms() - c->accepted_ms) / 1000;
		fprintf(fp, "\nconnection %u\n\tclient %s\n\tsince %s "
		    "(%llu:%02llu:%02llu)\n", c->id, c->addrstr, when,
		    (unsigned long long)(secs / 3600),
		    (unsigned long long)(secs / 60 % 60),
		    (unsigned long long)(secs % 60));
		if (c->state == CONN_PREAUTH) {
			fprintf(fp, "\tstate logging on\n");
			continue;
		}
		fprintf(fp, "\tuser ");
		ctl_text_str(fp, ctl_who(c));
		fprintf(fp, " (uid %u%s)\n\tworker pid %ld\n", c->auth.uid,
		    (c->auth.flags & AUTH_FLAG_GUEST) ? ", guest" : "",
		    c->child != NULL ? (long)c->child->pid : -1L);
		if (ctl_lockd_peer(c->id, &opens, &locks))
			fprintf(fp, "\topen files %u\n\tbyte-range locks %u\n",
			    opens, locks);
		if (!c->have_info)
			continue;
		si = &c->info;
		fprintf(fp, "\tdialect %s\n\tsigning %s\n",
		    smb2_dialect_name(si->dialect), si->signing_required ?
		    "required" : "if the client asks");
		if (smb2_cipher_name(si->cipher) == NULL)
			fprintf(fp, "\tencryption none\n");
		else
			fprintf(fp, "\tencryption %s (%s)\n",
			    si->encrypt_required ? "required" : "available",
			    smb2_cipher_name(si->cipher));
		fprintf(fp, "\tshares");
		for (i = 0; i < si->nshares; i++) {
			fprintf(fp, "%s", i == 0 ? " " : ", ");
			ctl_text_str(fp, si->shares[i]);
		}
		fprintf(fp, "\n");
	}
}

static void
ctl_status_json(FILE *fp)
{
	const struct conn *c;
	const struct session_info *si;
	uint32_t opens, locks;
	size_t i;
	int first = 1;

	fprintf(fp, "{\"version\": ");
	ctl_json_str(fp, PACKAGE_VERSION);
	if (ctl_lk.have)
		fprintf(fp, ", \"lockd\": {\"files\": %u, \"opens\": %u, "
		    "\"locks\": %u}", ctl_lk.files, ctl_lk.opens, ctl_lk.locks);
	else
		fprintf(fp, ", \"lockd\": null");
	fprintf(fp, ", \"pid\": %ld, \"uptime\": %llu, \"max_connections\": "
	    "%d, \"authd_pid\": %ld, \"lockd_pid\": %ld, \"connections\": [",
	    (long)getpid(), (unsigned long long)((time_mono_ms() -
	    ctl_started_ms) / 1000), M.conf->g.max_connections,
	    M.authd != NULL ? (long)M.authd->pid : -1L,
	    M.lockd != NULL ? (long)M.lockd->pid : -1L);
	TAILQ_FOREACH(c, &M.conns, entry) {
		fprintf(fp, "%s\n  {\"id\": %u, \"client\": ", first ? "" :
		    ",", c->id);
		first = 0;
		ctl_json_str(fp, c->addrstr);
		fprintf(fp, ", \"since\": %lld, \"state\": \"%s\"",
		    (long long)c->accepted, c->state == CONN_PREAUTH ?
		    "logon" : "session");
		if (c->state == CONN_SESSION) {
			fprintf(fp, ", \"user\": ");
			ctl_json_str(fp, ctl_who(c));
			fprintf(fp, ", \"uid\": %u, \"guest\": %s, "
			    "\"anonymous\": %s, \"pid\": %ld", c->auth.uid,
			    (c->auth.flags & AUTH_FLAG_GUEST) ? "true" :
			    "false", (c->auth.flags & AUTH_FLAG_ANONYMOUS) ?
			    "true" : "false", c->child != NULL ?
			    (long)c->child->pid : -1L);
			if (ctl_lockd_peer(c->id, &opens, &locks))
				fprintf(fp, ", \"opens\": %u, \"locks\": %u",
				    opens, locks);
		}
		if (c->state == CONN_SESSION && c->have_info) {
			si = &c->info;
			fprintf(fp, ", \"dialect\": \"%s\", "
			    "\"signing_required\": %s, "
			    "\"encryption_required\": %s, \"cipher\": ",
			    smb2_dialect_name(si->dialect), si->signing_required ?
			    "true" : "false", si->encrypt_required ? "true" :
			    "false");
			if (smb2_cipher_name(si->cipher) == NULL)
				fprintf(fp, "null");
			else
				ctl_json_str(fp, smb2_cipher_name(si->cipher));
			fprintf(fp, ", \"shares\": [");
			for (i = 0; i < si->nshares; i++) {
				fprintf(fp, "%s", i == 0 ? "" : ", ");
				ctl_json_str(fp, si->shares[i]);
			}
			fprintf(fp, "]");
		}
		fprintf(fp, "}");
	}
	fprintf(fp, "%s]}\n", first ? "" : "\n");
}

/* kill-session PID|USER: SIGTERM to each matching session worker. */
static void
ctl_kill(FILE *fp, const char *arg)
{
	struct conn *c;
	char *end;
	long pid;
	int n = 0;

	pid = strtol(arg, &end, 10);
	if (*end != '\0' || end == arg)
		pid = -1;
	TAILQ_FOREACH(c, &M.conns, entry) {
		if (c->state != CONN_SESSION || c->child == NULL ||
		    c->child->pid <= 0)
			continue;
		if (pid > 0 ? c->child->pid != (pid_t)pid :
		    strcmp(c->auth.user, arg) != 0)
			continue;
		kill(c->child->pid, SIGTERM);
		log_info("usmbd-ctl: stopping the session worker pid %ld of "
		    "%s (connection %u from %s)", (long)c->child->pid,
		    c->auth.user, c->id, c->addrstr);
		fprintf(fp, "stopped session worker pid %ld of %s "
		    "(connection %u from %s)\n", (long)c->child->pid,
		    c->auth.user, c->id, c->addrstr);
		n++;
	}
	if (n == 0)
		fprintf(fp, "error: no session worker of %s\n", arg);
}

static void
ctl_run(const char *req, FILE *fp)
{
	if (strcmp(req, "status") == 0)
		ctl_status_text(fp);
	else if (strcmp(req, "status json") == 0)
		ctl_status_json(fp);
	else if (strcmp(req, "reload") == 0) {
		log_info("usmbd-ctl: reload");
		if (master_reload() == 0)
			fprintf(fp, "configuration reloaded\n");
		else
			fprintf(fp, "error: %s does not load; the running "
			    "configuration stays (see the log)\n", M.conffile);
	} else if (strncmp(req, "kill-session ", 13) == 0 && req[13] != '\0')
		ctl_kill(fp, req + 13);
	else
		fprintf(fp, "error: unknown command (status [json], reload, "
		    "kill-session PID|USER)\n");
}

static void
ctl_client_free(struct ctl_client *cl)
{
	event_free(cl->ev);
	close(cl->fd);
	free(cl);
}

/* Write the whole answer; the caller waits for it, up to the timeout. */
static void
ctl_answer(struct ctl_client *cl, const char *text, size_t len)
{
	struct timeval tv = { CTL_TIMEOUT_S, 0 };
	ssize_t n;
	int fl;

	if ((fl = fcntl(cl->fd, F_GETFL)) != -1)
		(void)fcntl(cl->fd, F_SETFL, fl & ~O_NONBLOCK);
	(void)setsockopt(cl->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len > 0) {
		if ((n = send(cl->fd, text, len, MSG_NOSIGNAL)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			log_warnx("usmbd-ctl: its answer could not be sent");
			return;
		}
		text += n;
		len -= (size_t)n;
	}
}

/* Answer a client whose command line is in cl->req (or too long). */
static void
ctl_finish(struct ctl_client *cl)
{
	char *text = NULL;
	size_t tlen = 0;
	FILE *fp;

	if ((fp = open_memstream(&text, &tlen)) == NULL) {
		ctl_client_free(cl);
		return;
	}
	if (cl->req[0] == '\0')
		fprintf(fp, "error: one command line, of at most %d bytes\n",
		    CTL_MAX_REQUEST - 2);
	else
		ctl_run(cl->req, fp);
	if (fclose(fp) == 0)
		ctl_answer(cl, text, tlen);
	free(text);
	ctl_client_free(cl);
}

/* Everyone waiting for lockd is answered, with or without its numbers. */
static void
ctl_finish_waiting(void)
{
	struct ctl_client *cl;

	evtimer_del(ctl_timer);
	while ((cl = TAILQ_FIRST(&ctl_waiting)) != NULL) {
		TAILQ_REMOVE(&ctl_waiting, cl, entry);
		ctl_finish(cl);
	}
}

static void
ctl_lockd_timeout(evutil_socket_t fd, short what, void *arg)
{
	/* lockd is slow or gone: the status says so ("did not answer"). */
	ctl_lk.have = 0;
	ctl_finish_waiting();
}

/*
 * A status waits for lockd's numbers, at most a second.  One question is
 * out at a time: the master's rules take one answer per question, so a
 * second question before the answer would make the second answer close
 * lockd's channel.
 */
static void
ctl_wait_lockd(struct ctl_client *cl)
{
	struct timeval tv = { 1, 0 };
	uint32_t seq;

	event_del(cl->ev);
	TAILQ_INSERT_TAIL(&ctl_waiting, cl, entry);
	if (ctl_asked)
		goto arm;
	if (M.lockd == NULL || M.lockd->chan == NULL ||
	    ipc_chan_phase(M.lockd->chan) != IPC_PH_RUN) {
		ctl_lk.have = 0;
		ctl_finish_waiting();
		return;
	}
	seq = ++ctl_seq;
	if (ipc_chan_send(M.lockd->chan, IPC_LOCKD_STATUS, 0, -1, &seq,
	    sizeof(seq)) == -1) {
		ctl_lk.have = 0;
		ctl_finish_waiting();
		return;
	}
	ipc_chan_set_phase(M.lockd->chan, IPC_PH_ASKED);
	ctl_asked = 1;
 arm:
	if (ctl_timer == NULL &&
	    (ctl_timer = evtimer_new(M.base, ctl_lockd_timeout, NULL)) == NULL)
		fatalx("usmbd-ctl timer");
	if (!evtimer_pending(ctl_timer, NULL))
		evtimer_add(ctl_timer, &tv);
}

void
master_ctl_lockd_answer(const uint8_t *data, size_t len)
{
	struct rbuf r;
	uint32_t seq, i;

	ctl_asked = 0;
	rbuf_init(&r, data, len);
	rbuf_get_u32le(&r, &seq);
	rbuf_get_u32le(&r, &ctl_lk.files);
	rbuf_get_u32le(&r, &ctl_lk.opens);
	rbuf_get_u32le(&r, &ctl_lk.locks);
	rbuf_get_u32le(&r, &ctl_lk.n);
	ctl_lk.have = !rbuf_error(&r) && ctl_lk.n <= LOCKD_STATUS_MAX_PEERS &&
	    rbuf_left(&r) == (size_t)ctl_lk.n * 12;
	for (i = 0; ctl_lk.have && i < ctl_lk.n; i++) {
		rbuf_get_u32le(&r, &ctl_lk.peer[i]);
		rbuf_get_u32le(&r, &ctl_lk.peer_opens[i]);
		rbuf_get_u32le(&r, &ctl_lk.peer_locks[i]);
	}
	if (!ctl_lk.have)
		log_warnx("lockd: a status answer that does not parse");
	/* A late answer to an earlier question serves those waiting now. */
	ctl_finish_waiting();
}

static void
ctl_readcb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_client *cl = arg;
	char *nl;
	ssize_t n;

	if (what & EV_TIMEOUT) {
		ctl_client_free(cl);
		return;
	}
	n = recv(fd, cl->req + cl->len, sizeof(cl->req) - 1 - cl->len, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		cl->len += (size_t)n;
	cl->req[cl->len] = '\0';
	nl = strchr(cl->req, '\n');
	if (nl == NULL && n > 0 && cl->len < sizeof(cl->req) - 1)
		return;
	if (nl == NULL)
		cl->req[0] = '\0';
	else
		*nl = '\0';
	if (strcmp(cl->req, "status") == 0 ||
	    strcmp(cl->req, "status json") == 0)
		ctl_wait_lockd(cl);
	else
		ctl_finish(cl);
}

static void
ctl_acceptcb(evutil_socket_t lfd, short what, void *arg)
{
	struct timeval tv = { CTL_TIMEOUT_S, 0 };
	struct ctl_client *cl;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	static const char no[] = "error: usmbd-ctl needs root\n";
	int fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) ==
	    -1)
		return;
	/* The socket's mode says root only; its peer says who asks. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1 ||
	    cr.uid != 0) {
		(void)send(fd, no, sizeof(no) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		log_warnx("usmbd-ctl: refused a caller with uid %ld: only root "
		    "may use the control socket", len == sizeof(cr) ?
		    (long)cr.uid : -1L);
		close(fd);
		return;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->fd = fd;
	cl->ev = event_new(M.base, fd, EV_READ | EV_PERSIST, ctl_readcb, cl);
	if (cl->ev == NULL || event_add(cl->ev, &tv) == -1) {
		if (cl->ev != NULL)
			event_free(cl->ev);
		close(fd);
		free(cl);
	}
}

/* Whether a server already answers on this socket. */
static int
ctl_in_use(const struct sockaddr_un *sun)
{
	int fd, r;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return r;
}

void
master_ctl_close(void)
{
	if (ctl_ev != NULL)
		event_free(ctl_ev);
	ctl_ev = NULL;
	if (ctl_fd != -1) {
		close(ctl_fd);
		if (ctl_path != NULL)
			unlink(ctl_path);
	}
	ctl_fd = -1;
	free(ctl_path);
	ctl_path = NULL;
}

int
master_ctl_open(const struct conf *conf)
{
	const char *path = conf->g.control_socket;
	struct sockaddr_un sun;
	mode_t old;
	int fd;

	if (ctl_started_ms == 0)
		ctl_started_ms = time_mono_ms();
	if (ctl_path != NULL && strcmp(ctl_path, path) == 0)
		return 0;
	master_ctl_close();
	if (path[0] == '\0')
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket %s: the path is too long; "
		    "usmbd-ctl cannot reach this server", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (ctl_in_use(&sun)) {
		log_warnx("control socket %s: another usmbd answers there; "
		    "usmbd-ctl cannot reach this one", path);
		return -1;
	}
	(void)unlink(path);
	/* Its directory, like the pid file's, may not exist yet. */
	master_mkdir_parent(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		goto fail;
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		close(fd);
		goto fail;
	}
	umask(old);
	if (chmod(path, 0600) == -1 || listen(fd, 16) == -1) {
		close(fd);
		(void)unlink(path);
		goto fail;
	}
	ctl_ev = event_new(M.base, fd, EV_READ | EV_PERSIST, ctl_acceptcb,
	    NULL);
	if (ctl_ev == NULL || event_add(ctl_ev, NULL) == -1)
		fatalx("control socket event");
	ctl_fd = fd;
	ctl_path = xstrdup(path);
	return 0;
 fail:
	log_warn("control socket %s; usmbd-ctl cannot reach this server",
	    path);
	return -1;
}
