/*
 * usmbd-ctl's questions to a session worker (IPC_SESSION_FILES): the
 * names of its open files for status, and the close of one of them for
 * close-file.  The master asks only when an administrator does, so no
 * CREATE pays for it.
 *
 * What the worker says is its own claim about its own connection: the
 * master files the answer under the connection whose channel it came on
 * and checks that every name is fit for a terminal (shared/ipc_payload.c).
 * An honest worker makes its names fit before sending them.
 */
#include "config.h"

#include <poll.h>
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
#include "session.h"
#include "smb2_close.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_tree.h"
#include "usmbd.h"
#include "util.h"

/*
 * How long a close waits for the request in progress on the connection
 * to finish (a CREATE or SET_INFO waiting for lockd holds its open), in
 * steps of SESSION_FILES_STEP_MS: well inside the master's second.
 */
#define SESSION_FILES_STEP_MS	10
#define SESSION_FILES_TRIES	50

static struct event		*files_ev;	/* the master's channel */
static struct event		*files_timer;	/* the question, deferred */
static struct session_files_q	 files_q;
static int			 files_pending;
static int			 files_tries;

/* An open the master may hear of: a file or directory lockd knows. */
static int
session_files_shown(const struct smb2_open *o)
{
	return o->pipe == NULL && o->lockd_handle != 0 && o->tree->ss != NULL;
}

static void
session_files_entry(const struct smb2_open *o, struct session_file *f)
{
	char path[SESSION_FILE_PATH_MAX + 1];
	int cut;

	memset(f, 0, sizeof(*f));
	f->id = o->persistent_id;
	f->access = o->access;
	f->share_access = o->share_access;
	if (o->is_dir)
		f->flags |= SESSION_FILE_DIR;
	if (o->opl_breaking)
		f->flags |= SESSION_FILE_BREAKING;
	f->oplock = o->oplock;
	if (o->oplock == SMB2_OPLOCK_LEVEL_LEASE)
		f->lease = o->lease.state & SESSION_FILE_LEASE_STATES;
	if (o->stream != NULL)
		snprintf(path, sizeof(path), "%s:%s", o->path, o->stream);
	else
		snprintf(path, sizeof(path), "%s", o->path);
	cut = strlen(o->path) + (o->stream != NULL ? strlen(o->stream) + 1 :
	    0) >= sizeof(path);
	if (ipc_text_clean(f->path, sizeof(f->path), path) || cut)
		f->flags |= SESSION_FILE_CUT;
	(void)ipc_text_clean(f->share, sizeof(f->share),
	    o->tree->ss->share->name);
}

struct files_walk {
	struct wbuf	*w;
	uint32_t	 max;
	uint32_t	 total;
	uint32_t	 n;
};

static void
session_files_one(struct smb2_open *o, void *arg)
{
	struct files_walk *fw = arg;
	struct session_file f;

	if (!session_files_shown(o))
		return;
	fw->total++;
	if (fw->n >= fw->max)
		return;
	session_files_entry(o, &f);
	/* What does not fit one message is counted, not sent. */
	if (wbuf_len(fw->w) + ipc_file_wire_len(&f) > IPC_MAX_PAYLOAD)
		return;
	ipc_put_file(fw->w, &f);
	fw->n++;
}

/* The list, after the close if one was asked for. */
static void
session_files_answer(uint32_t closed)
{
	struct session_files_hdr h;
	struct files_walk fw;
	struct wbuf w;

	wbuf_init(&w, IPC_MAX_PAYLOAD);
	memset(&h, 0, sizeof(h));
	ipc_put_files_hdr(&w, &h);
	fw.w = &w;
	fw.max = files_q.max;
	fw.total = fw.n = 0;
	smb2_open_foreach(session_files_one, &fw);
	h.seq = files_q.seq;
	h.closed = closed;
	h.total = fw.total;
	h.n = fw.n;
	if (!wbuf_error(&w)) {
		/* The header goes in front, now that its counts are known. */
		struct wbuf hw;

		wbuf_init_fixed(&hw, wbuf_data(&w), SESSION_FILES_HDR_LEN);
		ipc_put_files_hdr(&hw, &h);
	}
	/*
	 * Sent whole, waiting if need be: the master reads its children all
	 * the time.  An answer that cannot be sent leaves the question open,
	 * and usmbd-ctl says that this worker does not answer.
	 */
	if (wbuf_error(&w) || ipc_send(USMBD_FD_MASTER,
	    IPC_SESSION_FILES_REPLY, 0, -1, wbuf_data(&w), wbuf_len(&w)) == -1)
		log_warn("usmbd-ctl: cannot answer the master");
	wbuf_free(&w);
}

/* Run the question: close first, if asked and possible now. */
static void
session_files_run(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, SESSION_FILES_STEP_MS * 1000 };
	struct smb2_open *o;
	uint32_t closed = SESSION_CLOSE_NONE;

	if (!files_pending)
		return;
	if (files_q.close_id != 0) {
		o = smb2_open_find_persistent(files_q.close_id);
		if (o == NULL || !session_files_shown(o))
			closed = SESSION_CLOSE_NOT_FOUND;
		else if (S.conn->waiting && ++files_tries <
		    SESSION_FILES_TRIES) {
			/* A request in progress may hold this open. */
			evtimer_add(files_timer, &tv);
			return;
		} else if (S.conn->waiting)
			closed = SESSION_CLOSE_BUSY;
		else {
			log_info("%s: closing %s%s%s of share %s (file id "
			    "%llu) at the administrator's request "
			    "(usmbd-ctl close-file)", S.peer,
			    o->path[0] == '\0' ? "the root" : o->path,
			    o->stream != NULL ? ":" : "",
			    o->stream != NULL ? o->stream : "",
			    o->tree->ss->share->name,
			    (unsigned long long)o->persistent_id);
			(void)smb2_close_open(NULL, o);
			closed = SESSION_CLOSE_DONE;
		}
	}
	files_pending = 0;
	session_files_answer(closed);
}

void
session_files_question(const struct ipc_msg *m)
{
	struct timeval tv = { 0, 0 };
	struct rbuf r;

	rbuf_init(&r, m->data, m->hdr.len);
	if (ipc_get_files_q(&r, &files_q) == -1) {
		log_warnx("usmbd-ctl: a question of the master that does not "
		    "parse");
		return;
	}
	/*
	 * Answered from the event loop, never from inside a request (a name
	 * lookup reads the question while an RPC call waits).
	 */
	files_pending = 1;
	files_tries = 0;
	evtimer_add(files_timer, &tv);
}

/*
 * A message of the master once the session runs: a question, or the end
 * of an old session; a name answer is read where it is waited for
 * (smb2_pipe.c).
 */
static void
session_files_read(evutil_socket_t fd, short what, void *arg)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	static struct ipc_peer master = { &ipc_rules_session,
	    IPC_FROM(PROG_MASTER), IPC_PH_RUN };
	struct pollfd pfd = { USMBD_FD_MASTER, POLLIN, 0 };
	struct ipc_msg m;
	int r;

	/* A name lookup may have read it already: never block here. */
	if (poll(&pfd, 1, 0) != 1)
		return;
	if ((r = ipc_recv(USMBD_FD_MASTER, &m, buf, sizeof(buf))) != 1 ||
	    ipc_check(&master, &m) == -1) {
		if (r == 1)
			log_warnx("unexpected message %u (length %u) from the "
			    "master; no longer reading it", m.hdr.type,
			    m.hdr.len);
		if (m.fd != -1)
			close(m.fd);
		event_del(files_ev);
		return;
	}
	session_master_msg(&m);
}

void
session_master_msg(const struct ipc_msg *m)
{
	switch (m->hdr.type) {
	case IPC_SESSION_FILES:
		session_files_question(m);
		break;
	case IPC_SESSION_END:
		smb2_durable_end_question(m);
		break;
	default:
		/* IPC_SESSION_PREVIOUS_DONE of a running worker: nothing. */
		break;
	}
}

void
session_files_init(void)
{
	files_ev = event_new(S.base, USMBD_FD_MASTER, EV_READ | EV_PERSIST,
	    session_files_read, NULL);
	files_timer = evtimer_new(S.base, session_files_run, NULL);
	if (files_ev == NULL || files_timer == NULL ||
	    event_add(files_ev, NULL) == -1)
		fatalx("usmbd-ctl events");
}
