/*
 * usmbd-authd: the authentication daemon (doc/design.md §1).
 *
 * The only process that can read the user database and the Kerberos
 * keytab.  Each preauth process gets its own channel here, created by the
 * master; over it travel security blobs only.  When an exchange succeeds,
 * authd tells the master, not the preauth process, who the client is, so
 * that a compromised preauth process cannot choose its user (invariant 3).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "authd.h"
#include "authd_proto.h"
#include "conf.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "usmbd.h"
#include "util.h"

struct authd	 A;

static void
authd_peer_closed(struct ipc_chan *chan, void *arg)
{
	struct authd_peer *p = arg;

	authd_peer_cleanup(p);
	TAILQ_REMOVE(&A.peers, p, entry);
	ipc_chan_free(p->chan);
	free(p);
}

/*
 * A preauth process or worker waits for each answer before it asks
 * again, so an honest peer never has more than one answer waiting.  One
 * that sends requests and never reads would grow authd's queue until
 * authd died and nobody could log on: past this bound its channel is
 * closed (lockd bounds its peers the same way).
 */
#define AUTHD_PEER_MAX_QUEUED	(2 * IPC_MAX_PAYLOAD)

static void
authd_peer_dispatch(struct ipc_chan *chan, struct ipc_msg *m, void *arg)
{
	struct authd_peer *p = arg;

	if (ipc_chan_queued(chan) > AUTHD_PEER_MAX_QUEUED) {
		log_warnx("connection %u from %s: more than %d bytes of "
		    "answers wait for the worker to read them; closing its "
		    "channel", p->id, p->addr, AUTHD_PEER_MAX_QUEUED);
		authd_peer_closed(chan, p);
		return;
	}
	authd_handle_request(p, m);
}

static void
authd_master_dispatch(struct ipc_chan *chan, struct ipc_msg *m, void *arg)
{
	struct authd_peer *p;
	char name[48];
	size_t i;

	if (m->hdr.type == IPC_AUTH_CONFIRM) {
		authd_handle_confirm(m);
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->id = m->hdr.peerid;
	/* The client's address, as the master saw it, for logs and limits. */
	for (i = 0; i < m->hdr.len && i < sizeof(p->addr) - 1; i++) {
		unsigned char c = m->data[i];

		p->addr[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	p->addr[i] = '\0';
	snprintf(name, sizeof(name), "authd peer %u", p->id);
	p->chan = ipc_chan_new(A.base, m->fd, name,
	    &(struct ipc_peer){ &ipc_rules_authd,
	    IPC_FROM(PROG_PREAUTH) | IPC_FROM(PROG_SESSION), IPC_PH_RUN },
	    authd_peer_dispatch, authd_peer_closed, p);
	if (p->chan == NULL) {
		log_warn("%s", name);
		close(m->fd);
		free(p);
		return;
	}
	TAILQ_INSERT_TAIL(&A.peers, p, entry);
}

static void
authd_master_closed(struct ipc_chan *chan, void *arg)
{
	log_debug("master gone, exiting");
	exit(0);
}

static void
authd_signal(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopexit(A.base, NULL);
}

/* The directory of a file, for a Landlock rule that survives a rename. */
static char *
authd_dir_of(const char *path)
{
	char *tmp, *dir;

	tmp = xstrdup(path);
	dir = xstrdup(dirname(tmp));
	free(tmp);
	return dir;
}

int
main(int argc, char **argv)
{
	struct proc_ctx ctx;
	struct sandbox_user su;
	struct event *ev;
	struct sandbox_path paths[3];
	char *pdir = NULL, *kdir = NULL, *ktpath;
	int n = 0;

	proc_child_setup(&ctx, PROG_AUTHD, argc, argv);
	A.conf = ctx.conf;
	if (sandbox_user_lookup(ctx.conf->g.authd_user, &su) == -1)
		fatalx("authd user %s", ctx.conf->g.authd_user);

	sandbox_limits(PROG_AUTHD, 256);
	TAILQ_INIT(&A.peers);
	ktpath = authd_init(&ctx);
	if ((A.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	ev = evsignal_new(A.base, SIGTERM, authd_signal, NULL);
	if (ev == NULL || event_add(ev, NULL) == -1)
		fatalx("signal event");
	signal(SIGPIPE, SIG_IGN);
	A.master = ipc_chan_new(A.base, USMBD_FD_MASTER, "master",
	    &(struct ipc_peer){ &ipc_rules_authd, IPC_FROM(PROG_MASTER),
	    IPC_PH_RUN }, authd_master_dispatch, authd_master_closed, NULL);
	if (A.master == NULL)
		fatal("master channel");

	/*
	 * The user database is replaced by rename(2) when it changes, so
	 * the read-only rule covers its directory, not the file.
	 */
	memset(paths, 0, sizeof(paths));
	pdir = authd_dir_of(ctx.conf->g.passdb_file);
	paths[n].path = pdir;
	paths[n++].fd = -1;
	/*
	 * A dedicated keytab is replaced like the user database; the system
	 * keytab lives in /etc, of which authd may read that one file only.
	 */
	if (ktpath != NULL) {
		kdir = ctx.conf->g.kerberos_method == KRB5_METHOD_SYSTEM ?
		    xstrdup(ktpath) : authd_dir_of(ktpath);
		paths[n].path = kdir;
		paths[n++].fd = -1;
		free(ktpath);
	}
	paths[n].path = NULL;
	if (chdir("/") == -1)
		fatal("chdir /");
	setproctitle("authd");
	sandbox_drop_privs(&su);
	sandbox_enter(PROG_AUTHD, paths, ctx.debug);
	proc_hello(PROG_AUTHD);

	event_base_dispatch(A.base);
	free(pdir);
	free(kdir);
	return 0;
}
