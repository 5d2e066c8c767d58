/*
 * usmbd-session: the worker for one authenticated session (doc/design.md §1).
 *
 * It is started by the master with the client socket, learns from the
 * master (never from the client, never from the preauth process) which
 * user it is to become, switches to that user, confines itself to the
 * paths of the shares that user may reach, and then serves every request
 * from TREE_CONNECT onward.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "aio.h"
#include "auth.h"
#include "buf.h"
#include "conf.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "smb2_klease.h"
#include "session.h"
#include "session_ident.h"
#include "smb2_conn.h"
#include "usmbd.h"
#include "util.h"

struct session	 S;

/*
 * Read one message from the master before the event loop exists.  The
 * master sends IPC_SESSION_START and IPC_SESSION_STATE right after the
 * fork, so waiting for them blocks only as long as the master takes.  The
 * session table's phases take them once each and in that order.
 */
static void
session_recv_start(uint32_t type, uint8_t **data, size_t *len)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	static struct ipc_peer master = { &ipc_rules_session,
	    IPC_FROM(PROG_MASTER), IPC_PH_START };
	struct ipc_msg m;
	int r;

	if ((r = ipc_recv(USMBD_FD_MASTER, &m, buf, sizeof(buf))) != 1)
		fatalx("no start message from the master");
	if (m.hdr.type != type || ipc_check(&master, &m) == -1)
		fatalx("unexpected message %u (length %u) from the master",
		    m.hdr.type, m.hdr.len);
	*data = xmalloc(m.hdr.len > 0 ? m.hdr.len : 1);
	memcpy(*data, m.data, m.hdr.len);
	*len = m.hdr.len;
}

/*
 * The user this worker becomes, straight from the master's
 * IPC_SESSION_START.  Root is never acceptable: a worker has no
 * capabilities (invariant 4).
 */
static void
session_user(const struct auth_result *ar, struct sandbox_user *su)
{
	uint32_t i;

	memset(su, 0, sizeof(*su));
	if (ar->uid == 0 || ar->gid == 0)
		fatalx("refusing to serve a session as uid %u gid %u",
		    ar->uid, ar->gid);
	if (ar->ngroups > AUTH_MAX_GROUPS)
		fatalx("bad group count %u", ar->ngroups);
	su->saved_uid = (uid_t)-1;
	su->saved_gid = (gid_t)-1;
	su->name = xstrdup(ar->user);
	su->uid = ar->uid;
	su->gid = ar->gid;
	su->ngroups = (int)ar->ngroups;
	su->groups = xcalloc(ar->ngroups + 1, sizeof(gid_t));
	for (i = 0; i < ar->ngroups; i++) {
		if (ar->groups[i] == 0)
			fatalx("refusing to serve a session with group 0");
		su->groups[i] = ar->groups[i];
	}
}

static void
session_signal(evutil_socket_t sig, short what, void *arg)
{
	log_info("%s: session of %s ends: SIGTERM (the server is stopping)",
	    S.peer, S.auth.user);
	session_shutdown();
	event_base_loopexit(S.base, NULL);
}

/*
 * The private mount namespace: only the shares, at "/0", "/1", ...  The
 * master refused to start if the kernel cannot make one, unless the
 * administrator allowed that.
 */
static void
session_private_root(struct sandbox_path *paths)
{
	char *mnt;

	xasprintf(&mnt, "%s/empty", S.conf->g.state_directory);
	if (sandbox_private_root(mnt, paths) == -1) {
		if (S.conf->g.require_mount_namespace)
			fatal("cannot create a mount namespace; a session "
			    "worker does not run without one (require mount "
			    "namespace = no allows it)");
		log_debug("no mount namespace: %s", strerror(errno));
	}
	free(mnt);
}

int
main(int argc, char **argv)
{
	struct proc_ctx ctx;
	struct sandbox_user su;
	struct event *ev;
	uint8_t *start, *state;
	size_t startlen, statelen;
	struct sandbox_path *paths;
	struct rbuf r;

	proc_child_setup(&ctx, PROG_SESSION, argc, argv);
	S.conf = ctx.conf;
	S.debug = ctx.debug;
	if (fcntl(USMBD_FD_CLIENT, F_GETFD) == -1)
		fatalx("no client socket");

	session_recv_start(IPC_SESSION_START, &start, &startlen);
	rbuf_init(&r, start, startlen);
	if (ipc_get_auth_result(&r, &S.auth) == -1)
		fatalx("the master's start message does not parse");
	free(start);
	session_recv_start(IPC_SESSION_STATE, &state, &statelen);
	session_user(&S.auth, &su);
	smb2_peer_name(USMBD_FD_CLIENT, S.peer, sizeof(S.peer));
	smb2_crypto_init();

	/* Setup, still as root: limits and the event loop. */
	sandbox_limits(PROG_SESSION, (rlim_t)S.conf->g.max_open_files + 64);
	if ((S.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	ev = evsignal_new(S.base, SIGTERM, session_signal, NULL);
	if (ev == NULL || event_add(ev, NULL) == -1)
		fatalx("signal event");
	signal(SIGPIPE, SIG_IGN);
	/*
	 * "kernel oplocks": the lease signal is blocked before any thread
	 * starts, and read from a signalfd made before the sandbox.
	 */
	klease_init(S.base, S.conf);
	/* Its threads start on first use, inside the sandbox. */
	aio_init(S.base, S.conf->g.aio_threads);

	setproctitle("session %s", S.auth.user);
	/*
	 * Find the share roots the user may use; the worker's view of the
	 * file system then holds those trees and nothing else, and the
	 * sandbox allows only them (invariant 4).
	 */
	paths = session_share_paths(&su);
	session_private_root(paths);
	/*
	 * New files get exactly create mask and force create mode (and the
	 * directory ones), as in Samba: no umask inherited from whoever
	 * started usmbd takes bits away.
	 */
	umask(0);
	session_ident_saved(&su);
	sandbox_drop_privs(&su);
	sandbox_require_landlock(S.conf->g.require_landlock);
	sandbox_enter(PROG_SESSION, paths, ctx.debug);
	sandbox_user_free(&su);
	if (session_init(state, statelen) == -1)
		fatalx("cannot take over the connection");
	explicit_bzero(state, statelen);
	free(state);

	event_base_dispatch(S.base);
	return 0;
}
