/*
 * The control socket of usmbd-ctl(8): a Unix stream socket that only root
 * may use (its mode, and the peer's credentials on every connection).  A
 * caller sends one command line and reads the answer until the master
 * closes:
 *
 *	status [json] [files N]	connections, their users, workers, dialect,
 *				signing, encryption, shares and open files
 *	reload			as SIGHUP
 *	kill-session PID|USER	stop session workers
 *	close-file PID:ID	close one open file of a session worker
 *
 * An answer that starts with "error: " is a refusal.  What reaches a
 * child is a signal, or a fixed-size question (lockd's counts, a
 * worker's open files, the close of one of them): what the status shows
 * of a connection comes from the master's own table, from the worker's
 * IPC_SESSION_INFO and IPC_SESSION_FILES_REPLY, both checked and filed
 * under the connection whose channel they came on, and from lockd.
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

/*
 * Open files a status shows of each connection unless usmbd-ctl -n says
 * otherwise; a worker lists at most SESSION_FILES_MAX, and no more than
 * fit one message.
 */
#define CTL_FILES_DEFAULT	100

enum ctl_kind {
	CTL_OTHER,
	CTL_STATUS,
	CTL_CLOSE,
};

struct ctl_client {
	TAILQ_ENTRY(ctl_client)	 entry;	/* waiting for answers */
	int		 fd;
	struct event	*ev;
	size_t		 len;
	char		 req[CTL_MAX_REQUEST];
	enum ctl_kind	 kind;
	int		 json;
	uint32_t	 max;		/* status: open files per connection */
	uint32_t	 conn_id;	/* close-file: whose worker */
	long		 pid;
	uint64_t	 file;
	uint32_t	 seq;		/* the close question */
	char		 err[128];	/* close-file: why not, at once */
};

/* A worker's last list of its open files; bad when it did not parse. */
struct ctl_files {
	int			 bad;
	uint32_t		 total;
	uint32_t		 n;
	struct session_file	*f;
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
static int		 ctl_round;	/* a status asked everyone */
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

/* Share access as letters: read, write, delete, or '-'. */
static void
ctl_sharing(uint32_t sa, char out[4])
{
	out[0] = (sa & 0x1) ? 'r' : '-';
	out[1] = (sa & 0x2) ? 'w' : '-';
	out[2] = (sa & 0x4) ? 'd' : '-';
	out[3] = '\0';
}

/*
 * What the client may cache, as smbstatus names it: an oplock level, or
 * a lease's letters ("lease(RH)", "lease()" once broken to none).
 */
static void
ctl_caching(const struct session_file *f, char out[16])
{
	switch (f->oplock) {
	case 0x01:
		snprintf(out, 16, "level2");
		break;
	case 0x08:
		snprintf(out, 16, "exclusive");
		break;
	case 0x09:
		snprintf(out, 16, "batch");
		break;
	case SESSION_FILE_OPLOCK_LEASE:
		snprintf(out, 16, "lease(%s%s%s)", (f->lease & 0x1) ? "R" : "",
		    (f->lease & 0x2) ? "H" : "", (f->lease & 0x4) ? "W" : "");
		break;
	default:
		snprintf(out, 16, "none");
		break;
	}
}

static long
ctl_pid(const struct conn *c)
{
	return c->child != NULL ? (long)c->child->pid : -1L;
}

/*
 * The open files of a connection, as its worker listed them: each with
 * the id close-file takes (the worker's pid from the master's table, and
 * the open's number), the path last, since it may hold spaces.
 */
static void
ctl_files_text(FILE *fp, const struct conn *c, uint32_t max)
{
	const struct ctl_files *cf = c->files;
	const struct session_file *f;
	char sh[4], cache[16];
	uint32_t i, n;

	if (cf == NULL || cf->bad) {
		fprintf(fp, "	open file names: %s\n", cf == NULL ?
		    "the worker did not answer" : "the worker's answer was "
		    "refused (see the log)");
		return;
	}
	n = cf->n < max ? cf->n : max;
	for (i = 0; i < n; i++) {
		f = &cf->f[i];
		ctl_sharing(f->share_access, sh);
		ctl_caching(f, cache);
		fprintf(fp, "\t%s %ld:%llu access 0x%08x sharing %s caching "
		    "%s%s share ", (f->flags & SESSION_FILE_DIR) ? "directory" :
		    "file", ctl_pid(c), (unsigned long long)f->id, f->access,
		    sh, cache, (f->flags & SESSION_FILE_BREAKING) ?
		    " breaking" : "");
		ctl_text_str(fp, f->share);
		fprintf(fp, " name ");
		ctl_text_str(fp, f->path[0] == '\0' ? "." : f->path);
		fprintf(fp, "%s\n", (f->flags & SESSION_FILE_CUT) ? "..." : "");
	}
	if (cf->total > n)
		fprintf(fp, "\tand %u more open file%s (usmbd-ctl -n shows "
		    "up to %d)\n", cf->total - n, cf->total - n == 1 ? "" : "s",
		    SESSION_FILES_MAX);
}

static void
ctl_files_json(FILE *fp, const struct conn *c, uint32_t max)
{
	const struct ctl_files *cf = c->files;
	const struct session_file *f;
	char id[48], cache[16];
	uint32_t i, n;

	if (cf == NULL || cf->bad) {
		fprintf(fp, ", \"files\": null, \"files_error\": \"%s\"",
		    cf == NULL ? "no answer" : "refused");
		return;
	}
	n = cf->n < max ? cf->n : max;
	fprintf(fp, ", \"files_total\": %u, \"files\": [", cf->total);
	for (i = 0; i < n; i++) {
		f = &cf->f[i];
		snprintf(id, sizeof(id), "%ld:%llu", ctl_pid(c),
		    (unsigned long long)f->id);
		fprintf(fp, "%s{\"id\": \"%s\", \"share\": ", i == 0 ? "" :
		    ", ", id);
		ctl_json_str(fp, f->share);
		fprintf(fp, ", \"path\": ");
		ctl_json_str(fp, f->path);
		ctl_caching(f, cache);
		fprintf(fp, ", \"directory\": %s, \"truncated\": %s, "
		    "\"access\": %u, \"share_access\": %u, \"caching\": "
		    "\"%s\", \"breaking\": %s}",
		    (f->flags & SESSION_FILE_DIR) ? "true" : "false",
		    (f->flags & SESSION_FILE_CUT) ? "true" : "false",
		    f->access, f->share_access, cache,
		    (f->flags & SESSION_FILE_BREAKING) ? "true" : "false");
	}
	fprintf(fp, "]");
}

/* What the worker said of its connection (IPC_SESSION_INFO). */
static void
ctl_info_text(FILE *fp, const struct session_info *si)
{
	size_t i;

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

static void
ctl_status_text(FILE *fp, uint32_t max)
{
	const struct conn *c;
	char when[32];
	struct tm tm;
	uint64_t secs;
	uint32_t opens, locks;

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
		if (c->have_info)
			ctl_info_text(fp, &c->info);
		ctl_files_text(fp, c, max);
	}
}

static void
ctl_status_json(FILE *fp, uint32_t max)
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
			ctl_files_json(fp, c, max);
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


/* The answer a close-file question got, or why there is none. */
#define CTL_CLOSED_BAD	100

static struct conn *
ctl_conn(uint32_t id)
{
	struct conn *c;

	TAILQ_FOREACH(c, &M.conns, entry)
		if (c->id == id)
			return c;
	return NULL;
}

/* close-file PID:ID, once its worker answered or the time is up. */
static void
ctl_close_result(FILE *fp, const struct ctl_client *cl)
{
	const struct conn *c = ctl_conn(cl->conn_id);
	unsigned long long file = (unsigned long long)cl->file;

	if (c == NULL || ctl_pid(c) != cl->pid) {
		fprintf(fp, "error: the session of worker pid %ld ended before "
		    "it answered (its files closed with it)\n", cl->pid);
		return;
	}
	if (c->closed_seq != cl->seq) {
		fprintf(fp, "error: session worker pid %ld did not answer\n",
		    cl->pid);
		return;
	}
	switch (c->closed) {
	case SESSION_CLOSE_DONE:
		log_info("usmbd-ctl: closed file %ld:%llu of %s (connection %u "
		    "from %s)", cl->pid, file, ctl_who(c), c->id, c->addrstr);
		fprintf(fp, "closed file %ld:%llu of ", cl->pid, file);
		ctl_text_str(fp, ctl_who(c));
		fprintf(fp, " (connection %u from %s)\n", c->id, c->addrstr);
		break;
	case SESSION_CLOSE_NOT_FOUND:
		fprintf(fp, "error: session worker pid %ld has no open file "
		    "%llu\n", cl->pid, file);
		break;
	case SESSION_CLOSE_BUSY:
		fprintf(fp, "error: session worker pid %ld was in the middle of "
		    "a request of its client for a second; try again\n",
		    cl->pid);
		break;
	default:
		fprintf(fp, "error: the answer of session worker pid %ld does "
		    "not parse (see the log)\n", cl->pid);
		break;
	}
}

static void
ctl_run(struct ctl_client *cl, FILE *fp)
{
	const char *req = cl->req;

	if (cl->kind == CTL_STATUS && cl->json)
		ctl_status_json(fp, cl->max);
	else if (cl->kind == CTL_STATUS)
		ctl_status_text(fp, cl->max);
	else if (cl->kind == CTL_CLOSE && cl->err[0] != '\0')
		fprintf(fp, "%s", cl->err);
	else if (cl->kind == CTL_CLOSE)
		ctl_close_result(fp, cl);
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
		fprintf(fp, "error: unknown command (status [json] [files N], "
		    "reload, kill-session PID|USER, close-file PID:ID)\n");
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
		ctl_run(cl, fp);
	if (fclose(fp) == 0)
		ctl_answer(cl, text, tlen);
	free(text);
	ctl_client_free(cl);
}

/* Everyone waiting is answered, with what has come. */
static void
ctl_finish_waiting(void)
{
	struct ctl_client *cl;

	if (ctl_timer != NULL)
		evtimer_del(ctl_timer);
	ctl_round = 0;
	while ((cl = TAILQ_FIRST(&ctl_waiting)) != NULL) {
		TAILQ_REMOVE(&ctl_waiting, cl, entry);
		ctl_finish(cl);
	}
}

/* Those waiting are answered once no question they wait for is out. */
void
master_ctl_check(void)
{
	const struct conn *c;

	if (TAILQ_EMPTY(&ctl_waiting) || (ctl_round && ctl_asked))
		return;
	/* A worker whose channel closed will never answer. */
	TAILQ_FOREACH(c, &M.conns, entry)
		if (c->files_seq != 0 && c->child != NULL &&
		    c->child->chan != NULL)
			return;
	ctl_finish_waiting();
}

static void
ctl_timeout(evutil_socket_t fd, short what, void *arg)
{
	/* lockd is slow or gone: the status says so ("did not answer"). */
	if (ctl_asked)
		ctl_lk.have = 0;
	ctl_finish_waiting();
}

/*
 * A client waits for answers, at most a second.  One question is out to
 * each peer at a time: the master's rules take one answer per question,
 * so a second question before the answer would make the second answer
 * close the peer's channel.
 */
static void
ctl_wait(struct ctl_client *cl)
{
	struct timeval tv = { 1, 0 };

	event_del(cl->ev);
	TAILQ_INSERT_TAIL(&ctl_waiting, cl, entry);
	if (ctl_timer == NULL &&
	    (ctl_timer = evtimer_new(M.base, ctl_timeout, NULL)) == NULL)
		fatalx("usmbd-ctl timer");
	if (!evtimer_pending(ctl_timer, NULL))
		evtimer_add(ctl_timer, &tv);
}

static void
ctl_ask_lockd(void)
{
	uint32_t seq;

	if (ctl_asked) {
		/* An earlier question is still out: no stale numbers. */
		ctl_lk.have = 0;
		return;
	}
	if (M.lockd == NULL || M.lockd->chan == NULL ||
	    ipc_chan_phase(M.lockd->chan) != IPC_PH_RUN) {
		ctl_lk.have = 0;
		return;
	}
	seq = ++ctl_seq;
	if (ipc_chan_send(M.lockd->chan, IPC_LOCKD_STATUS, 0, -1, &seq,
	    sizeof(seq)) == -1) {
		ctl_lk.have = 0;
		return;
	}
	ipc_chan_set_phase(M.lockd->chan, IPC_PH_ASKED);
	ctl_asked = 1;
}

static void
ctl_files_free(struct conn *c)
{
	if (c->files != NULL)
		free(c->files->f);
	free(c->files);
	c->files = NULL;
}

void
master_ctl_conn_free(struct conn *c)
{
	ctl_files_free(c);
	c->files_seq = 0;
}

/*
 * Ask a session worker for its open files (and to close one first):
 * the question's seq, or 0 when it cannot be asked now.
 */
static uint32_t
ctl_ask_files(struct conn *c, uint32_t max, uint64_t close_id)
{
	struct session_files_q q;
	uint8_t buf[SESSION_FILES_Q_LEN];
	struct ipc_chan *chan;
	struct wbuf w;

	if (c->state != CONN_SESSION || c->child == NULL ||
	    (chan = c->child->chan) == NULL || c->files_seq != 0 ||
	    ipc_chan_phase(chan) != IPC_PH_RUN)
		return 0;
	if ((q.seq = ++ctl_seq) == 0)
		q.seq = ++ctl_seq;
	q.max = max;
	q.close_id = close_id;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_files_q(&w, &q);
	if (wbuf_error(&w) || ipc_chan_send(chan, IPC_SESSION_FILES, c->id,
	    -1, wbuf_data(&w), wbuf_len(&w)) == -1)
		return 0;
	ipc_chan_set_phase(chan, IPC_PH_ASKED);
	c->files_seq = q.seq;
	return q.seq;
}

/* status: lockd and every session worker are asked, once per round. */
static void
ctl_wait_status(struct ctl_client *cl)
{
	struct conn *c;

	ctl_wait(cl);
	if (!ctl_round) {
		ctl_round = 1;
		ctl_ask_lockd();
		TAILQ_FOREACH(c, &M.conns, entry) {
			if (c->state != CONN_SESSION)
				continue;
			/* A worker that does not answer shows no old list. */
			ctl_files_free(c);
			(void)ctl_ask_files(c, cl->max, 0);
		}
	}
	master_ctl_check();
}

/* close-file PID:ID: ask the worker, or say at once why not. */
static void
ctl_close_ask(struct ctl_client *cl, const char *arg)
{
	struct conn *c;
	char *end;

	cl->kind = CTL_CLOSE;
	errno = 0;
	cl->pid = strtol(arg, &end, 10);
	if (end != arg && *end == ':' && end[1] >= '0' && end[1] <= '9') {
		arg = end + 1;
		cl->file = strtoull(arg, &end, 10);
	}
	if (errno != 0 || end == arg || *end != '\0' || cl->pid <= 0 ||
	    cl->file == 0) {
		snprintf(cl->err, sizeof(cl->err), "error: not a file id: "
		    "close-file takes PID:NUMBER, as status shows it\n");
		ctl_finish(cl);
		return;
	}
	TAILQ_FOREACH(c, &M.conns, entry)
		if (c->state == CONN_SESSION && ctl_pid(c) == cl->pid)
			break;
	if (c == NULL) {
		snprintf(cl->err, sizeof(cl->err), "error: no session worker "
		    "has pid %ld\n", cl->pid);
		ctl_finish(cl);
		return;
	}
	if ((cl->seq = ctl_ask_files(c, CTL_FILES_DEFAULT, cl->file)) == 0) {
		snprintf(cl->err, sizeof(cl->err), "error: session worker pid "
		    "%ld has not answered an earlier question yet; try "
		    "again\n", cl->pid);
		ctl_finish(cl);
		return;
	}
	cl->conn_id = c->id;
	log_info("usmbd-ctl: close-file %ld:%llu (connection %u from %s, user "
	    "%s)", cl->pid, (unsigned long long)cl->file, c->id, c->addrstr,
	    ctl_who(c));
	ctl_wait(cl);
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
	master_ctl_check();
}

/*
 * A session worker's list of its open files.  It is that worker's claim
 * about its own connection, filed under the connection whose channel it
 * came on: the ids shown pair the worker's pid from the master's table
 * with the open's number, so no worker can list files under another.
 * Every name must be fit for a terminal (ipc_get_file()), or the whole
 * answer is refused.
 */
void
master_ctl_files_answer(struct conn *c, const uint8_t *data, size_t len)
{
	struct session_files_hdr h;
	struct ctl_files *cf;
	struct rbuf r;
	uint32_t i;
	int ok;

	cf = xcalloc(1, sizeof(*cf));
	rbuf_init(&r, data, len);
	ok = ipc_get_files_hdr(&r, &h) == 0 && h.seq == c->files_seq &&
	    (size_t)h.n * (SESSION_FILE_FIXED_LEN + 1) <= rbuf_left(&r);
	if (ok) {
		cf->f = xcalloc(h.n > 0 ? h.n : 1, sizeof(*cf->f));
		for (i = 0; ok && i < h.n; i++)
			ok = ipc_get_file(&r, &cf->f[i]) == 0;
		ok = ok && rbuf_left(&r) == 0;
		cf->total = h.total;
		cf->n = h.n;
	}
	cf->bad = !ok;
	if (!ok && !c->files_bad)
		log_warnx("connection %u from %s: its worker's list of open "
		    "files does not parse; ignoring it", c->id, c->addrstr);
	c->files_bad |= !ok;
	if (!ok || h.closed != SESSION_CLOSE_NONE) {
		c->closed_seq = c->files_seq;
		c->closed = ok ? h.closed : CTL_CLOSED_BAD;
	}
	ctl_files_free(c);
	c->files = cf;
	c->files_seq = 0;
	master_ctl_check();
}

/* "status [json] [files N]": 0 with the client's options, else -1. */
static int
ctl_parse_status(struct ctl_client *cl)
{
	char buf[CTL_MAX_REQUEST], *tok, *save, *end;
	unsigned long n;

	snprintf(buf, sizeof(buf), "%s", cl->req);
	if ((tok = strtok_r(buf, " ", &save)) == NULL ||
	    strcmp(tok, "status") != 0)
		return -1;
	cl->max = CTL_FILES_DEFAULT;
	tok = strtok_r(NULL, " ", &save);
	if (tok != NULL && strcmp(tok, "json") == 0) {
		cl->json = 1;
		tok = strtok_r(NULL, " ", &save);
	}
	if (tok != NULL && strcmp(tok, "files") == 0) {
		if ((tok = strtok_r(NULL, " ", &save)) == NULL ||
		    *tok < '0' || *tok > '9')
			return -1;
		n = strtoul(tok, &end, 10);
		if (*end != '\0' || n > SESSION_FILES_MAX)
			return -1;
		cl->max = (uint32_t)n;
		tok = strtok_r(NULL, " ", &save);
	}
	if (tok != NULL)
		return -1;
	cl->kind = CTL_STATUS;
	return 0;
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
	if (cl->req[0] != '\0' && ctl_parse_status(cl) == 0)
		ctl_wait_status(cl);
	else if (strncmp(cl->req, "close-file ", 11) == 0)
		ctl_close_ask(cl, cl->req + 11);
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
