/*
 * usmbd-preauth: one process per new connection, before authentication
 * (doc/design.md §1).
 *
 * It runs as the unprivileged preauth user, chrooted to an empty
 * directory, with the tightest seccomp filter and a Landlock ruleset that
 * allows no file access at all (invariant 2).  It answers NEGOTIATE and
 * relays SESSION_SETUP to usmbd-authd.  Once a session is valid it hands
 * the socket and the connection state to the master and exits.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "ipc.h"
#include "log.h"
#include "ntstatus.h"
#include "proc.h"
#include "sandbox.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_negprot.h"
#include "usmbd.h"
#include "util.h"

static struct event_base	*base;
static struct smb2_conn		*conn;
static struct ipc_chan		*master;
static struct event		*ev_deadline;
static int			 negotiated_seen;

static const struct smb2_cmd preauth_cmds[SMB2_NCOMMANDS] = {
	[SMB2_NEGOTIATE] = { smb2_cmd_negotiate, 36, 0 },
	[SMB2_SESSION_SETUP] = { smb2_cmd_session_setup, 25, 0 },
	[SMB2_LOGOFF] = { smb2_cmd_logoff, 4, SMB2_CMD_NEED_SESSION },
	[SMB2_ECHO] = { smb2_cmd_echo, 4, 0 },
	[SMB2_CANCEL] = { smb2_cmd_cancel, 4, 0 },
};

static void
preauth_master_dispatch(struct ipc_chan *chan, struct ipc_msg *m, void *arg)
{
	fatalx("unexpected message from the master");
}

/* Where the connection was when it ended, for the log line. */
static const char *
preauth_stage(void)
{
	if (conn == NULL || !conn->negotiated)
		return "before NEGOTIATE";
	return "before authentication completed";
}

/*
 * The master closes the channel only when it is going away or has given
 * up on this connection.  The line cannot reach the master's log any more
 * in that case, but in the foreground (-d) it still reaches stderr.
 */
static void
preauth_master_closed(struct ipc_chan *chan, void *arg)
{
	log_warnx("%s: the master closed its channel %s; ending",
	    conn != NULL ? conn->peer : "?", preauth_stage());
	exit(1);
}

static void
preauth_closed(struct smb2_conn *c, const char *why)
{
	log_info("%s: connection ends %s: %s", c->peer, preauth_stage(), why);
	exit(0);
}

/*
 * The first session is valid: its final response has been queued.  Write
 * it out, then give the socket and state to the master and leave.
 */
static void
preauth_handoff(struct smb2_conn *c, struct smb2_session *unused)
{
	struct wbuf w;

	if (smb2_conn_flush(c) != 0)
		fatalx("%s: cannot finish writing the response", c->peer);
	wbuf_init(&w, IPC_MAX_PAYLOAD);
	if (smb2_state_export(c, &w) == -1)
		fatalx("%s: cannot export the connection state", c->peer);
	/* The master kept its own reference to the socket: no fd goes. */
	if (ipc_send(USMBD_FD_MASTER, IPC_PREAUTH_HANDOFF, 0, -1,
	    wbuf_data(&w), wbuf_len(&w)) == -1)
		fatal("%s: handoff to the master", c->peer);
	wbuf_free(&w);
	log_debug("%s: handed off to the master", c->peer);
	exit(0);
}

/*
 * One deadline for negotiating and a longer one for authenticating: a
 * connection that idles before either ends here, without the master's
 * help.
 */
static void
preauth_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv;
	int left;

	if (!conn->negotiated) {
		log_info("%s: no NEGOTIATE within %d seconds", conn->peer,
		    conn->conf->g.negotiate_timeout);
		exit(0);
	}
	if (!negotiated_seen) {
		negotiated_seen = 1;
		left = conn->conf->g.auth_timeout -
		    conn->conf->g.negotiate_timeout;
		if (left > 0) {
			tv.tv_sec = left;
			tv.tv_usec = 0;
			evtimer_add(ev_deadline, &tv);
			return;
		}
	}
	log_info("%s: not authenticated within %d seconds", conn->peer,
	    conn->conf->g.auth_timeout);
	exit(0);
}

static void
preauth_signal(evutil_socket_t sig, short what, void *arg)
{
	log_info("%s: ending on SIGTERM %s", conn != NULL ? conn->peer : "?",
	    preauth_stage());
	exit(0);
}

int
main(int argc, char **argv)
{
	struct proc_ctx ctx;
	struct sandbox_user su;
	struct event *ev;
	struct timeval tv;
	char *root;

	proc_child_setup(&ctx, PROG_PREAUTH, argc, argv);
	if (fcntl(USMBD_FD_CLIENT, F_GETFD) == -1)
		fatalx("no client socket");
	if (sandbox_user_lookup(ctx.conf->g.preauth_user, &su) == -1)
		fatalx("preauth user %s", ctx.conf->g.preauth_user);

	/* Setup: everything that needs files or sockets happens now. */
	sandbox_limits(PROG_PREAUTH, 16);
	smb2_crypto_init();
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	ev = evsignal_new(base, SIGTERM, preauth_signal, NULL);
	if (ev == NULL || event_add(ev, NULL) == -1)
		fatalx("signal event");
	signal(SIGPIPE, SIG_IGN);
	/* The preauth table has no row from the master: it sends nothing. */
	master = ipc_chan_new(base, USMBD_FD_MASTER, "master",
	    &(struct ipc_peer){ &ipc_rules_preauth, IPC_FROM(PROG_MASTER),
	    IPC_PH_RUN }, preauth_master_dispatch, preauth_master_closed,
	    NULL);
	if (master == NULL)
		fatal("master channel");
	conn = smb2_conn_new(base, USMBD_FD_CLIENT, ctx.conf, preauth_cmds, 1);
	smb2_peer_name(USMBD_FD_CLIENT, conn->peer, sizeof(conn->peer));
	conn->on_close = preauth_closed;
	conn->on_session = preauth_handoff;
	smb2_credits_init(&conn->credits, ctx.conf->g.smb2_max_credits);
	if (smb2_negprot_setup(conn) == -1)
		fatalx("cannot prepare NEGOTIATE");
	smb2_sesssetup_init(base, fcntl(USMBD_FD_AUTHD, F_GETFD) == -1 ? -1 :
	    USMBD_FD_AUTHD, conn, &ipc_rules_preauth);
	ev_deadline = evtimer_new(base, preauth_deadline, NULL);
	tv.tv_sec = ctx.conf->g.negotiate_timeout;
	tv.tv_usec = 0;
	evtimer_add(ev_deadline, &tv);

	xasprintf(&root, "%s/empty", ctx.conf->g.state_directory);
	if (chroot(root) == -1 || chdir("/") == -1)
		fatal("chroot %s", root);
	free(root);
	setproctitle("preauth %s", conn->peer);
	sandbox_drop_privs(&su);
	sandbox_enter(PROG_PREAUTH, NULL, ctx.debug);
	proc_hello(PROG_PREAUTH);

	smb2_conn_start(conn);
	event_base_dispatch(base);
	return 0;
}
