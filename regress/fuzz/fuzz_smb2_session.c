/*
 * libFuzzer target: whole SMB2 messages (compound chains included) through
 * the session worker's engine and every command handler, on a share in a
 * temporary directory, with a valid guest session (id 1) and no lockd or
 * authd behind it.  Responses go to a socketpair that is drained.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "fuzz.h"
#include "conf.h"
#include "log.h"
#include "sandbox.h"
#include "session.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_close.h"
#include "smb2_create.h"
#include "smb2_file.h"
#include "smb2_notify.h"
#include "smb2_tree.h"
#include "smb2_wtime.h"


struct session		 S;
static struct event_base *base;
static int		 closed;

static void
fuzz_closed(struct smb2_conn *c, const char *why)
{
	closed = 1;
}

static char	 fuzz_dir[] = "/tmp/usmbd-fuzz-share.XXXXXX";

static void
fuzz_cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fuzz_dir);
}

static void
fuzz_init(void)
{
	static char text[512];
	static const char *const nopaths[] = { NULL };
	struct sandbox_user su;
	char *dir = fuzz_dir;

	(void)nopaths;
	log_init(1, 0);
	log_setverbose(-1);
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(fuzz_cleanup);
	snprintf(text, sizeof(text), "[global]\n\tstate directory = /tmp\n"
	    "[share]\n\tpath = %s\n\tread only = no\n", dir);
	if ((S.conf = conf_load_text("fuzz", text, strlen(text))) == NULL)
		abort();
	memset(&su, 0, sizeof(su));
	su.name = "fuzz";
	su.uid = getuid();
	su.gid = getgid();
	S.auth.uid = su.uid;
	S.auth.flags = AUTH_FLAG_GUEST;
	snprintf(S.auth.user, sizeof(S.auth.user), "fuzz");
	snprintf(S.peer, sizeof(S.peer), "fuzz");
	/* As a guest, the share must allow guests: it does not, so only
	 * TREE_CONNECT refusals and IPC$ are reached that way; the tree
	 * below is made by hand. */
	session_share_paths(&su);
	S.shares[0].allowed = 1;
	S.shares[0].writeable = 1;
	smb2_tree_close_hook = smb2_tree_close_files;
	smb2_open_on_free(smb2_notify_close);
	smb2_open_on_free(smb2_wt_close);
	base = event_base_new();
}

FUZZ_TARGET(smb2_session, data, len)
{
	static int ready;
	struct smb2_conn *c;
	struct smb2_session *s;
	struct smb2_tree *t;
	uint8_t *copy, sink[65536];
	int sv[2];

	if (!ready) {
		fuzz_init();
		ready = 1;
	}
	if (len > 1 << 20 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		return 0;
	c = smb2_conn_new(base, sv[0], S.conf, session_commands(), 0);
	c->on_close = fuzz_closed;
	snprintf(c->peer, sizeof(c->peer), "fuzz");
	smb2_credits_init(&c->credits, 8192);
	smb2_credits_grant(&c->credits, 8191);
	c->negotiated = 1;
	c->nres.dialect = SMB2_DIALECT_311;
	s = smb2_session_new(c);
	s->id = 1;
	s->state = SESS_VALID;
	s->flags = AUTH_FLAG_GUEST;
	t = calloc(1, sizeof(*t));
	t->id = 1;
	t->ss = &S.shares[0];
	t->writeable = 1;
	t->maximal_access = 0x001f01ff;
	TAILQ_INIT(&t->files);
	TAILQ_INSERT_TAIL(&s->trees, t, entry);
	s->ntrees = 1;
	closed = 0;

	if ((copy = malloc(len + 1)) == NULL)
		abort();
	memcpy(copy, data, len);
	smb2_conn_input(c, copy, len);
	free(copy);
	event_base_loop(base, EVLOOP_NONBLOCK);
	while (read(sv[1], sink, sizeof(sink)) > 0)
		;
	smb2_conn_free(c);
	close(sv[1]);
	return 0;
}
