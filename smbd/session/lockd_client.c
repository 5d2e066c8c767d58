/*
 * The session worker's lockd channel.  Requests carry a request id; each
 * reply names the id it answers, so several opens may wait at once.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/mount.h>

#include "buf.h"
#include "ipc.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "log.h"
#include "session_ident.h"
#include "util.h"

struct lockd_pending {
	TAILQ_ENTRY(lockd_pending) entry;
	uint64_t		 reqid;
	uint32_t		 op;
	lockd_reply_cb		 cb;
	void			*arg;
	int			 ident;	/* whom the request acts as */
};

static struct ipc_chan	*lockd_chan;
static lockd_notify_cb	 lockd_notify;
static lockd_notify_cb	 lockd_break;
static void		(*lockd_lost)(void);
static uint64_t		 lockd_next_reqid = 1;
static TAILQ_HEAD(, lockd_pending) lockd_pending =
    TAILQ_HEAD_INITIALIZER(lockd_pending);

static void
lockd_client_fail_all(void)
{
	struct lockd_pending *p;
	struct rbuf empty;

	while ((p = TAILQ_FIRST(&lockd_pending)) != NULL) {
		TAILQ_REMOVE(&lockd_pending, p, entry);
		rbuf_init(&empty, NULL, 0);
		session_ident_use(p->ident);
		p->cb(LOCKD_STATUS_INSUFFICIENT_RESOURCES, &empty, p->arg);
		free(p);
	}
}

/*
 * lockd holds the share modes, byte-range locks and delete-on-close
 * state of every open; the lockd the master starts next knows none of
 * this worker's.  Serving on would be silently inconsistent, so the
 * worker's owner ends the connection (lockd_client_set_lost); the
 * client reconnects and opens afresh against the new lockd.
 */
static void
lockd_client_closed(struct ipc_chan *chan, void *arg)
{
	ipc_chan_free(lockd_chan);
	lockd_chan = NULL;
	if (lockd_lost != NULL)
		lockd_lost();
	else
		log_warnx("lockd channel closed; sharing state is no longer "
		    "available");
	lockd_client_fail_all();
}

void
lockd_client_set_lost(void (*cb)(void))
{
	lockd_lost = cb;
}

static void
lockd_client_dispatch(struct ipc_chan *chan, struct ipc_msg *m, void *arg)
{
	struct lockd_pending *p;
	struct rbuf r;
	uint64_t reqid;
	uint32_t op, status;

	if (m->hdr.type == IPC_LOCKD_NOTIFY) {
		if (lockd_notify != NULL)
			lockd_notify(m->data, m->hdr.len);
		return;
	}
	if (m->hdr.type == IPC_LOCKD_BREAK) {
		if (lockd_break != NULL)
			lockd_break(m->data, m->hdr.len);
		return;
	}
	rbuf_init(&r, m->data, m->hdr.len);
	rbuf_get_u32le(&r, &op);
	rbuf_get_u64le(&r, &reqid);
	rbuf_get_u32le(&r, &status);
	TAILQ_FOREACH(p, &lockd_pending, entry)
		if (p->reqid == reqid && p->op == op)
			break;
	if (p == NULL) {
		log_warnx("lockd answered request %llu that is not pending",
		    (unsigned long long)reqid);
		return;
	}
	/*
	 * An interim answer (a LOCK that waits, an OPEN, RENAME_CHECK or
	 * SET_DELETE that waits for oplock breaks): the final one
	 * follows.  Only those have one; for any other request it is
	 * final, so that a callback never runs again after it freed its
	 * argument.
	 */
	/*
	 * The callback goes on with the request (a CREATE that makes or
	 * deletes a file, say) as whom the request acted.
	 */
	session_ident_use(p->ident);
	if (status == LOCKD_STATUS_PENDING &&
	    (op == LOCKD_OP_LOCK || op == LOCKD_OP_OPEN ||
	    op == LOCKD_OP_RENAME_CHECK || op == LOCKD_OP_SET_DELETE)) {
		p->cb(status, &r, p->arg);
		return;
	}
	TAILQ_REMOVE(&lockd_pending, p, entry);
	p->cb(status, &r, p->arg);
	free(p);
}

int
lockd_client_init(struct event_base *base, int fd)
{
	if (fd == -1)
		return -1;
	lockd_chan = ipc_chan_new(base, fd, "lockd",
	    &(struct ipc_peer){ &ipc_rules_session, IPC_FROM(PROG_LOCKD),
	    IPC_PH_RUN }, lockd_client_dispatch, lockd_client_closed, NULL);
	return lockd_chan == NULL ? -1 : 0;
}

int
lockd_client_available(void)
{
	return lockd_chan != NULL;
}

void
lockd_client_set_notify(lockd_notify_cb cb)
{
	lockd_notify = cb;
}

void
lockd_client_set_break(lockd_notify_cb cb)
{
	lockd_break = cb;
}

static int	lockd_client_send(uint32_t, const void *, size_t, int,
		    lockd_reply_cb, void *, uint64_t *);

/*
 * What goes to lockd is an O_PATH descriptor of the same file, made
 * without a path walk (open_tree with an empty path): lockd only
 * fstat()s it, and a lockd that was compromised could neither read nor
 * write through it.
 */
static int
lockd_client_pathfd(int fd)
{
	return (int)syscall(__NR_open_tree, fd, "", AT_EMPTY_PATH |
	    OPEN_TREE_CLOEXEC);
}

int
lockd_client_request(uint32_t op, const void *body, size_t len,
    lockd_reply_cb cb, void *arg)
{
	return lockd_client_send(op, body, len, -1, cb, arg, NULL);
}

int
lockd_client_request_fd(uint32_t op, const void *body, size_t len, int fd,
    lockd_reply_cb cb, void *arg)
{
	return lockd_client_request_fd_id(op, body, len, fd, cb, arg, NULL);
}

int
lockd_client_request_fd_id(uint32_t op, const void *body, size_t len, int fd,
    lockd_reply_cb cb, void *arg, uint64_t *reqid)
{
	int pfd, rv;

	if ((pfd = lockd_client_pathfd(fd)) == -1) {
		log_warn("lockd: O_PATH descriptor for a request");
		return -1;
	}
	rv = lockd_client_send(op, body, len, pfd, cb, arg, reqid);
	close(pfd);
	return rv;
}

int
lockd_client_request_id(uint32_t op, const void *body, size_t len,
    lockd_reply_cb cb, void *arg, uint64_t *reqid)
{
	return lockd_client_send(op, body, len, -1, cb, arg, reqid);
}

static int
lockd_client_send(uint32_t op, const void *body, size_t len, int fd,
    lockd_reply_cb cb, void *arg, uint64_t *reqid)
{
	struct lockd_pending *p;
	uint8_t mem[2048];
	struct wbuf w;
	int rv;

	if (lockd_chan == NULL)
		return -1;
	/* Most requests are small; a LOCK or CHECK of many ranges is not. */
	if (len + 12 <= sizeof(mem))
		wbuf_init_fixed(&w, mem, sizeof(mem));
	else
		wbuf_init(&w, len + 12);
	wbuf_put_u32le(&w, op);
	wbuf_put_u64le(&w, lockd_next_reqid);
	wbuf_put_bytes(&w, body, len);
	rv = wbuf_error(&w) ? -1 : ipc_chan_send(lockd_chan, IPC_LOCKD_REQUEST,
	    0, fd, wbuf_data(&w), wbuf_len(&w));
	if (len + 12 > sizeof(mem))
		wbuf_free(&w);
	if (rv == -1)
		return -1;
	if (reqid != NULL)
		*reqid = lockd_next_reqid;
	p = xcalloc(1, sizeof(*p));
	p->reqid = lockd_next_reqid++;
	p->op = op;
	p->cb = cb;
	p->arg = arg;
	p->ident = session_ident_current();
	TAILQ_INSERT_TAIL(&lockd_pending, p, entry);
	return 0;
}
