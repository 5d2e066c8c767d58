/*
 * usmbd-session: the connection engine as the worker runs it, with the
 * full command table.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "log.h"
#include "ntstatus.h"
#include "aio.h"
#include "session.h"
#include "session_ident.h"
#include "smb2.h"
#include "smb2_close.h"
#include "smb2_conn.h"
#include "smb2_create.h"
#include "smb2_crypto.h"
#include "smb2_dir.h"
#include "smb2_file.h"
#include "smb2_info.h"
#include "smb2_ioctl.h"
#include "smb2_lock.h"
#include "smb2_negotiate.h"
#include "smb2_notify.h"
#include "smb2_rw.h"
#include "lockd_client.h"
#include "smb2_oplock.h"
#include "smb2_tree.h"
#include "smb2_treecon.h"
#include "smb2_wtime.h"
#include "usmbd.h"
#include "util.h"

static uint32_t
session_cmd_negotiate(struct smb2_conn *c, struct smb2_req *req)
{
	/* A NEGOTIATE after negotiation ends the connection (3.3.5.4). */
	req->drop = 1;
	return NT_STATUS_INVALID_PARAMETER;
}

static const struct smb2_cmd session_cmds[SMB2_NCOMMANDS] = {
	[SMB2_NEGOTIATE] = { session_cmd_negotiate, 36, 0 },
	[SMB2_SESSION_SETUP] = { smb2_cmd_session_setup, 25, 0 },
	[SMB2_LOGOFF] = { smb2_cmd_logoff, 4, SMB2_CMD_NEED_SESSION },
	[SMB2_TREE_CONNECT] = { smb2_cmd_tree_connect, 9,
	    SMB2_CMD_NEED_SESSION },
	[SMB2_TREE_DISCONNECT] = { smb2_cmd_tree_disconnect, 4,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_CREATE] = { smb2_cmd_create, 57,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_CLOSE] = { smb2_cmd_close, 24,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_FLUSH] = { smb2_cmd_flush, 24,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_READ] = { smb2_cmd_read, 49,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_WRITE] = { smb2_cmd_write, 49,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_LOCK] = { smb2_cmd_lock, 48,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_IOCTL] = { smb2_cmd_ioctl, 57,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_QUERY_DIRECTORY] = { smb2_cmd_query_directory, 33,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_QUERY_INFO] = { smb2_cmd_query_info, 41,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_SET_INFO] = { smb2_cmd_set_info, 33,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_OPLOCK_BREAK] = { smb2_cmd_oplock_break, 24,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
	[SMB2_ECHO] = { smb2_cmd_echo, 4, 0 },
	[SMB2_CANCEL] = { smb2_cmd_cancel_async, 4, 0 },
	[SMB2_CHANGE_NOTIFY] = { smb2_cmd_change_notify, 32,
	    SMB2_CMD_NEED_SESSION | SMB2_CMD_NEED_TREE },
};

const struct smb2_cmd *
session_commands(void)
{
	return session_cmds;
}

/*
 * The domain SID S-1-5-21-a-b-c comes from the server GUID, which
 * persists in the state directory, so it is stable across restarts
 * without a file of its own.  All zero before there is a connection.
 */
void
session_domain_sid(uint32_t sub[3])
{
	struct rbuf r;
	int i;

	memset(sub, 0, 3 * sizeof(*sub));
	if (S.conn == NULL)
		return;
	rbuf_init(&r, S.conn->nres.server_guid,
	    sizeof(S.conn->nres.server_guid));
	for (i = 0; i < 3; i++)
		rbuf_get_u32le(&r, &sub[i]);
}

/*
 * deadtime: a connection that has sent nothing for that many minutes and
 * holds no open file and no waiting request is closed, as in Samba (a
 * client reconnects when it needs the server again).  Checked once a
 * minute, so the idle time is counted in whole minutes.
 */
static int
session_deadtime_tick(void)
{
#ifdef USMBD_REGRESS_HOOKS
	/* Tests: a "minute" of a few seconds (USMBD_REGRESS_MINUTE). */
	const char *s = getenv("USMBD_REGRESS_MINUTE");

	if (s != NULL && atoi(s) > 0)
		return atoi(s);
#endif
	return 60;
}

static void
session_deadtime(evutil_socket_t fd, short what, void *arg)
{
	static uint64_t seen;
	static int idle;
	struct smb2_conn *c = S.conn;

	if (c->frames_in != seen || smb2_open_count() > 0 || c->nasync > 0 ||
	    c->waiting) {
		seen = c->frames_in;
		idle = 0;
		return;
	}
	if (++idle < S.conf->g.deadtime)
		return;
	log_info("%s: idle for %d minutes with no open file (deadtime)",
	    c->peer, idle);
	smb2_conn_close(c, "idle (deadtime)");
}

/*
 * lockd died: the share modes, locks and delete-on-close state of this
 * connection's opens died with it, and the next lockd knows none of
 * them.  The connection ends rather than go on unseen by other clients.
 */
static void
session_lockd_lost(void)
{
	log_warnx("%s: lockd is gone; the connection ends, so that no open "
	    "of it goes on without share modes and locks", S.peer);
	if (S.conn != NULL)
		smb2_conn_close(S.conn, "lockd is gone (sharing state lost)");
}

static uint64_t	session_started_ms;

/* Who the session is, for the log: a user, a guest or anonymous. */
static void
session_who(char *buf, size_t len)
{
	if (S.auth.flags & AUTH_FLAG_ANONYMOUS)
		snprintf(buf, len, "anonymous (as %s)",
		    S.conf->g.guest_account);
	else if (S.auth.flags & AUTH_FLAG_GUEST)
		snprintf(buf, len, "guest (as %s)", S.conf->g.guest_account);
	else
		snprintf(buf, len, "user %s", S.auth.user);
}

/*
 * One line when a logon has its worker, one when the connection ends.
 * Encryption is "required" when the server demands it of the session,
 * else "available" (the client may still encrypt what it sends, and is
 * then answered encrypted).
 */
static void
session_log_start(struct smb2_conn *c, const struct smb2_session *s)
{
	char who[AUTH_MAX_USER + 32], enc[64], sign[64];
	const char *cipher = smb2_cipher_name(c->nres.cipher);

	session_who(who, sizeof(who));
	session_started_ms = time_mono_ms();
	if (cipher == NULL)
		snprintf(enc, sizeof(enc), "no encryption");
	else
		snprintf(enc, sizeof(enc), "encryption %s (%s)",
		    s->encrypt_data ? "required" : "available", cipher);
	if (s->signer == NULL)
		snprintf(sign, sizeof(sign), "no signing (no session key)");
	else
		snprintf(sign, sizeof(sign), "signing %s (%s)",
		    s->signing_required ? "required" : "if asked",
		    smb2_signalg_name(smb2_signer_alg(s->signer)));
	log_info("%s: logon of %s: %s, %s, %s; session worker pid %ld",
	    c->peer, who, smb2_dialect_name(c->nres.dialect), sign, enc,
	    (long)getpid());
}

static void
session_closed(struct smb2_conn *c, const char *why)
{
	char who[AUTH_MAX_USER + 32];
	uint64_t secs = (time_mono_ms() - session_started_ms) / 1000;

	session_who(who, sizeof(who));
	log_info("%s: connection of %s ends after %llu:%02llu:%02llu, "
	    "%llu bytes in, %llu out: %s", c->peer, who,
	    (unsigned long long)(secs / 3600),
	    (unsigned long long)(secs / 60 % 60),
	    (unsigned long long)(secs % 60),
	    (unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out,
	    why);
	exit(0);
}

static int	session_reporting;

/* A share name once in the list, IPC$ included. */
static void
session_info_add(struct session_info *si, const char *name)
{
	size_t i;

	for (i = 0; i < si->nshares; i++)
		if (strcmp(si->shares[i], name) == 0)
			return;
	if (si->nshares >= SESSION_INFO_MAX_SHARES)
		return;
	snprintf(si->shares[si->nshares++], SESSION_INFO_SHARE_LEN, "%s",
	    name);
}

/* ps shows the user, the client and the shares of a worker. */
static void
session_title(const struct session_info *si)
{
	char shares[256];
	size_t i;

	shares[0] = '\0';
	for (i = 0; i < si->nshares; i++) {
		if (i > 0)
			strlcat(shares, ",", sizeof(shares));
		strlcat(shares, si->shares[i], sizeof(shares));
	}
	setproctitle("session %s from %s%s%s", S.auth.user, S.peer,
	    si->nshares > 0 ? ": " : "", shares);
}

void
session_report(void)
{
	static struct session_info last;
	struct session_info si;
	struct smb2_conn *c = S.conn;
	struct smb2_session *s;
	struct smb2_tree *t;
	uint8_t buf[SESSION_INFO_WIRE_LEN];
	struct wbuf w;

	if (!session_reporting || c == NULL)
		return;
	memset(&si, 0, sizeof(si));
	si.dialect = c->nres.dialect;
	si.cipher = (uint8_t)c->nres.cipher;
	if ((s = TAILQ_FIRST(&c->sessions)) != NULL) {
		si.signing_required = s->signing_required != 0;
		si.encrypt_required = s->encrypt_data != 0;
	}
	TAILQ_FOREACH(s, &c->sessions, entry)
		TAILQ_FOREACH(t, &s->trees, entry)
			session_info_add(&si, t->ipc ? "IPC$" :
			    t->ss->share->name);
	if (memcmp(&si, &last, sizeof(si)) == 0)
		return;
	session_title(&si);
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_session_info(&w, &si);
	/*
	 * Never wait on the master: a report it cannot take now is stale
	 * only until the next change.
	 */
	if (!wbuf_error(&w) && ipc_send_nowait(USMBD_FD_MASTER,
	    IPC_SESSION_INFO, 0, wbuf_data(&w), wbuf_len(&w)) == 0)
		last = si;
}

/*
 * A tree that goes away: its opens, its slot of "max connections", then
 * what the master shows.
 */
static void
session_tree_closed(struct smb2_tree *t)
{
	smb2_tree_close_files(t);
	smb2_tree_release_slot(t);
	session_report();
}

int
session_init(const uint8_t *state, size_t len)
{
	struct smb2_conn *c;
	struct smb2_session *s;

	smb2_tree_close_hook = session_tree_closed;
	smb2_tree_enter_hook = session_ident_tree;
	lockd_client_set_lost(session_lockd_lost);
	aio_ident_get = session_ident_current;
	aio_ident_set = session_ident_use;
	smb2_open_on_free(smb2_notify_close);
	smb2_open_on_free(smb2_wt_close);
	c = smb2_conn_new(S.base, USMBD_FD_CLIENT, S.conf, session_cmds, 0);
	S.conn = c;
	snprintf(c->peer, sizeof(c->peer), "%s", S.peer);
	c->on_close = session_closed;
	if (smb2_state_import(c, state, len) == -1) {
		log_warnx("%s: connection state from the preauth process does "
		    "not parse", c->peer);
		return -1;
	}
	/* The first session must be the one authd vouched for. */
	if ((s = smb2_session_find(c, S.auth.session_id)) == NULL ||
	    s->uid != S.auth.uid) {
		log_warnx("%s: handed-over session does not match what authd "
		    "reported", c->peer);
		return -1;
	}
	snprintf(s->user, sizeof(s->user), "%s", S.auth.user);
	session_log_start(c, s);
	session_reporting = 1;
	session_report();
	session_files_init();
	smb2_sesssetup_init(S.base, fcntl(USMBD_FD_AUTHD, F_GETFD) == -1 ?
	    -1 : USMBD_FD_AUTHD, c, &ipc_rules_session);
	if (lockd_client_init(S.base, fcntl(USMBD_FD_LOCKD, F_GETFD) == -1 ?
	    -1 : USMBD_FD_LOCKD) == -1)
		log_warnx("%s: no channel to lockd: files cannot be opened",
		    c->peer);
	smb2_lock_init();
	smb2_oplock_init();
	if (S.conf->g.deadtime > 0) {
		struct timeval tv = { session_deadtime_tick(), 0 };
		struct event *ev;

		ev = event_new(S.base, -1, EV_PERSIST, session_deadtime, NULL);
		if (ev == NULL || event_add(ev, &tv) == -1)
			fatalx("deadtime timer");
	}
	smb2_durable_previous_init(c);
	smb2_conn_start(c);
	return 0;
}

void
session_shutdown(void)
{
	if (S.conn != NULL)
		smb2_conn_flush(S.conn);
}
