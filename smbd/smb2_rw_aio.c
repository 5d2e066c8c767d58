/*
 * READ, WRITE and FLUSH off the event loop (DESIGN.md §6): the disk IO
 * of a lone request runs in the thread pool (aio.c) while the worker
 * serves the connection's other requests; the answer goes out when the
 * IO completes.
 *
 * No interim STATUS_PENDING is sent for such IO.  A disk read or write
 * normally completes in far less time than a client waits, an interim
 * answer would double the messages of every READ and WRITE, and Windows
 * itself answers IO synchronously unless the storage stack left it
 * pending.  The request is still registered like an async one (without
 * an AsyncId the client knows), so that CANCEL by MessageId, LOGOFF and
 * the end of the connection find it.
 *
 * A request in a compound chain, and one whose range lockd has just
 * cleared of byte-range locks (smb2_lock_check_io()), runs its IO in the
 * pool too, but its answer cannot go out alone: the handler parks the
 * chain's frame (smb2_conn_park()) and returns SMB2_DEFER.  The engine
 * sets the frame aside and serves the connection's other frames; when
 * the IO is done the job fills in the request's status and body and the
 * chain goes on from there (smb2_conn_unpark()), so that its requests
 * still run in order and its responses go out together, signed or
 * encrypted as before.  No interim STATUS_PENDING is sent from the
 * middle of a chain, as Windows and Samba send none there.  A failed IO
 * fails only its own request; what follows in a related chain still
 * runs (only CREATE, SESSION_SETUP and TREE_CONNECT cascade).  CANCEL
 * does not find a request of a parked chain: its IO completes and is
 * answered normally.  When the request's session ends (LOGOFF) it is
 * answered STATUS_CANCELLED, as a lone one is, and the chain goes on
 * without it; when the connection closes, or the session whose keys
 * encrypt the chain ends, the chain is thrown away unanswered.  Either
 * way the job is told, and when it completes it frees only its own.
 *
 * A job holds its own duplicate of the open's descriptor and its own
 * buffers (a READ's response body, a chained WRITE's copy of the data);
 * CLOSE, TREE_DISCONNECT or LOGOFF while it runs free nothing it uses,
 * and its completion finds the open again by FileId, if it exists.
 * Stream opens and appends keep the synchronous path in smb2_rw.c, and
 * so does IO past the memory bound below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aio.h"
#include "buf.h"
#include "log.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_rw.h"
#include "util.h"

/*
 * Memory that IO in flight may hold (buffers, WRITE frames, and the
 * frames of parked chains).  The
 * credit window alone would let a client park hundreds of MiB here;
 * past this, requests take the synchronous path, which holds the loop
 * and so slows the client down.
 */
#define RW_INFLIGHT_MAX		(64 * 1024 * 1024)

static size_t	rw_inflight;

struct rw_io {
	struct aio_job		 job;
	struct smb2_conn	*c;
	struct smb2_async	*a;	/* NULL once answered (cancelled) */
	struct smb2_out		*out;
	uint8_t			*frame;	/* WRITE: the request, data inside */
	uint64_t		 persistent_id;
	uint64_t		 volatile_id;
	uint32_t		 mincount;
	int			 zero_copy;
	size_t			 charge;	/* counted in rw_inflight */
	/* A request of a parked frame (smb2_conn_park()). */
	struct smb2_work	*w;		/* NULL once thrown away */
	struct wbuf		 wb;		/* READ: the response body */
	uint8_t			*data;		/* WRITE: a copy of the data */
};

int
smb2_rw_async_ok(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o)
{
	if (aio_threads() == 0 || c->work == NULL)
		return 0;
	/* A lone request: the first of its frame with none after it. */
	if (rbuf_cur(&req->msg) != c->work->frame ||
	    req->hdr.next_command != 0)
		return 0;
	return o->fd != -1 && o->pipe == NULL && o->stream == NULL;
}

static struct rw_io *
rw_io_new(struct smb2_conn *c, struct smb2_open *o, size_t charge)
{
	struct rw_io *io;
	int fd;

	if (rw_inflight + charge > RW_INFLIGHT_MAX)
		return NULL;
	if ((fd = fcntl(o->fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return NULL;
	io = xcalloc(1, sizeof(*io));
	io->charge = charge;
	rw_inflight += charge;
	io->c = c;
	io->job.fd = fd;
	io->persistent_id = o->persistent_id;
	io->volatile_id = o->volatile_id;
	return io;
}

static void
rw_io_free(struct rw_io *io)
{
	rw_inflight -= io->charge;
	if (io->job.fd != -1)
		close(io->job.fd);
	smb2_out_free(io->out);
	free(io->frame);
	wbuf_free(&io->wb);
	free(io->data);
	free(io);
}

/*
 * CANCEL of a READ answers it at once with STATUS_CANCELLED; the read
 * finishes in its thread and is thrown away.  A WRITE or FLUSH that is
 * already under way cannot be taken back, so a CANCEL leaves it to
 * complete normally (MS-SMB2 3.3.5.16 lets the server do that).  When
 * the session or connection ends, every request is answered now.
 */
static void
rw_cancel(struct smb2_conn *c, struct smb2_async *a)
{
	struct rw_io *io = a->arg;

	if (c->cancel_status == 0 && io->job.op != AIO_PREAD &&
	    io->job.op != AIO_PREPARE)
		return;
	io->a = NULL;
	smb2_async_reply(c, a, NT_STATUS_CANCELLED, NULL, 0, -1, 0, 0);
}

static void
rw_position(struct rw_io *io, uint64_t pos)
{
	struct smb2_open *o;

	if ((o = smb2_open_find(io->persistent_id, io->volatile_id)) != NULL)
		o->position = pos;
}

static void
rw_read_done(struct aio_job *j)
{
	struct rw_io *io = j->arg;
	struct wbuf w;
	uint32_t st;
	size_t n;
	int fd = -1;

	if (io->a == NULL) {
		rw_io_free(io);
		return;
	}
	if (j->result == -1)
		st = ntstatus_from_errno(j->error);
	else if ((j->result == 0 && j->len > 0) ||
	    (size_t)j->result < io->mincount)
		st = NT_STATUS_END_OF_FILE;
	else
		st = NT_STATUS_SUCCESS;
	if (st != NT_STATUS_SUCCESS) {
		smb2_async_reply(io->c, io->a, st, NULL, 0, -1, 0, 0);
		rw_io_free(io);
		return;
	}
	n = (size_t)j->result;
	wbuf_init_fixed(&w, io->out->data + SMB2_OUT_HEADROOM, 16);
	smb2_read_reply(&w, (uint32_t)n);
	rw_position(io, j->off + n);
	if (io->zero_copy) {
		/* The data follows from the file, straight to the socket. */
		fd = j->fd;
		j->fd = -1;
		smb2_async_reply(io->c, io->a, st, io->out, 16, fd, j->off, n);
	} else
		smb2_async_reply(io->c, io->a, st, io->out, 16 + n, -1, 0, 0);
	io->out = NULL;
	rw_io_free(io);
}

int
smb2_read_async(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, uint64_t off, uint32_t len, uint32_t mincount)
{
	struct rw_io *io;

	if ((io = rw_io_new(c, o, len)) == NULL)
		return -1;
	io->a = smb2_async_quiet(c, req, rw_cancel, io);
	io->mincount = mincount;
	io->zero_copy = !smb2_async_protected(io->a);
	if (io->zero_copy) {
		/* Only the length is needed now; the data stays in the file. */
		io->out = smb2_out_new(16);
		io->job.op = AIO_PREPARE;
	} else {
		io->out = smb2_out_new(16 + (size_t)len);
		io->job.op = AIO_PREAD;
		io->job.buf = io->out->data + SMB2_OUT_HEADROOM + 16;
	}
	io->job.off = off;
	io->job.len = len;
	io->job.done = rw_read_done;
	io->job.arg = io;
	aio_submit(&io->job);
	return 0;
}

static void
rw_write_done(struct aio_job *j)
{
	struct rw_io *io = j->arg;
	struct wbuf w;
	uint32_t st;

	if (io->a == NULL) {
		rw_io_free(io);
		return;
	}
	if (j->result == -1) {
		st = ntstatus_from_errno(j->error);
		smb2_async_reply(io->c, io->a, st, NULL, 0, -1, 0, 0);
		rw_io_free(io);
		return;
	}
	rw_position(io, j->off + j->len);
	if (j->datasync && log_getverbose() >= 3)
		log_debug("%s: WRITE of %zu bytes at %llu is on stable storage",
		    io->c->peer, j->len, (unsigned long long)j->off);
	io->out = smb2_out_new(16);
	wbuf_init_fixed(&w, io->out->data + SMB2_OUT_HEADROOM, 16);
	smb2_write_reply(&w, (uint32_t)j->len);
	smb2_async_reply(io->c, io->a, NT_STATUS_SUCCESS, io->out, 16, -1, 0,
	    0);
	io->out = NULL;
	rw_io_free(io);
}

int
smb2_write_async(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, uint64_t off, const struct rbuf *data, int datasync)
{
	struct rw_io *io;

	if ((io = rw_io_new(c, o, c->work->framelen)) == NULL)
		return -1;
	/*
	 * The request's frame becomes the job's: the data is written from
	 * where it arrived, and the engine, done with this lone request,
	 * has no further use for it.
	 */
	io->frame = c->work->frame;
	c->work->frame = NULL;
	io->a = smb2_async_quiet(c, req, rw_cancel, io);
	io->job.op = AIO_PWRITE;
	io->job.off = off;
	io->job.len = rbuf_left(data);
	io->job.buf = (uint8_t *)(uintptr_t)rbuf_cur(data);
	io->job.datasync = datasync;
	io->job.done = rw_write_done;
	io->job.arg = io;
	aio_submit(&io->job);
	return 0;
}

static void
rw_flush_done(struct aio_job *j)
{
	struct rw_io *io = j->arg;
	struct wbuf w;

	if (io->a == NULL) {
		rw_io_free(io);
		return;
	}
	if (j->result == -1) {
		smb2_async_reply(io->c, io->a, ntstatus_from_errno(j->error),
		    NULL, 0, -1, 0, 0);
		rw_io_free(io);
		return;
	}
	io->out = smb2_out_new(4);
	wbuf_init_fixed(&w, io->out->data + SMB2_OUT_HEADROOM, 4);
	wbuf_put_u16le(&w, 4);
	wbuf_put_u16le(&w, 0);
	smb2_async_reply(io->c, io->a, NT_STATUS_SUCCESS, io->out, 4, -1, 0,
	    0);
	io->out = NULL;
	rw_io_free(io);
}

int
smb2_flush_async(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o)
{
	struct rw_io *io;

	if ((io = rw_io_new(c, o, 0)) == NULL)
		return -1;
	io->a = smb2_async_quiet(c, req, rw_cancel, io);
	io->job.op = AIO_FSYNC;
	io->job.done = rw_flush_done;
	io->job.arg = io;
	aio_submit(&io->job);
	return 0;
}

/*
 * A request in a compound chain, or one whose range lockd has just
 * cleared: the frame is parked while the IO runs and the chain goes on
 * when it is done.  The job owns its descriptor and its buffers, not the
 * frame's, so that a frame thrown away meanwhile frees nothing it uses.
 */
int
smb2_rw_park_ok(struct smb2_conn *c, struct smb2_open *o)
{
	if (aio_threads() == 0 || c->work == NULL)
		return 0;
	return o->fd != -1 && o->pipe == NULL && o->stream == NULL;
}

static void
rw_park_drop(void *arg)
{
	struct rw_io *io = arg;

	io->w = NULL;
}

static struct rw_io *
rw_park_new(struct smb2_conn *c, struct smb2_open *o, size_t len)
{
	/* The parked frame counts too: it stays until the IO is done. */
	return rw_io_new(c, o, len + c->work->framelen);
}

/* Hand the result to the parked frame and let it go on. */
static void
rw_park_done(struct rw_io *io, uint32_t st)
{
	struct smb2_conn *c = io->c;
	struct smb2_work *w = io->w;

	w->req.status = st;
	rw_io_free(io);
	smb2_conn_unpark(c, w);
}

static void
rw_read_parked(struct aio_job *j)
{
	struct rw_io *io = j->arg;
	struct smb2_work *w = io->w;
	uint32_t st;
	size_t n, max;

	if (w == NULL) {
		rw_io_free(io);
		return;
	}
	if (j->result == -1)
		st = ntstatus_from_errno(j->error);
	else if ((j->result == 0 && j->len > 0) ||
	    (size_t)j->result < io->mincount)
		st = NT_STATUS_END_OF_FILE;
	else
		st = NT_STATUS_SUCCESS;
	if (st == NT_STATUS_SUCCESS) {
		n = (size_t)j->result;
		/* Shrink to what was read; the body becomes the frame's. */
		io->wb.len = 16 + n;
		wbuf_set_u32le(&io->wb, 4, (uint32_t)n);
		max = w->body.max;
		wbuf_free(&w->body);
		w->body = io->wb;
		/* Later requests of the chain build their bodies in it. */
		w->body.max = max;
		memset(&io->wb, 0, sizeof(io->wb));
		w->req.out = &w->body;
		rw_position(io, j->off + n);
	}
	rw_park_done(io, st);
}

int
smb2_read_park(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, uint64_t off, uint32_t len, uint32_t mincount)
{
	struct rw_io *io;

	(void)req;
	if ((io = rw_park_new(c, o, len)) == NULL)
		return -1;
	wbuf_init(&io->wb, 16 + (size_t)len);
	smb2_read_reply(&io->wb, 0);
	if (wbuf_put_zero(&io->wb, len) == -1 || wbuf_error(&io->wb)) {
		rw_io_free(io);
		return -1;
	}
	io->mincount = mincount;
	io->job.op = AIO_PREAD;
	io->job.buf = wbuf_data(&io->wb) + 16;
	io->job.off = off;
	io->job.len = len;
	io->job.done = rw_read_parked;
	io->job.arg = io;
	io->w = smb2_conn_park(c, rw_park_drop, io);
	aio_submit(&io->job);
	return 0;
}

static void
rw_write_parked(struct aio_job *j)
{
	struct rw_io *io = j->arg;
	struct smb2_work *w = io->w;
	struct wbuf *out;

	if (w == NULL) {
		rw_io_free(io);
		return;
	}
	if (j->result == -1) {
		rw_park_done(io, ntstatus_from_errno(j->error));
		return;
	}
	rw_position(io, j->off + j->len);
	if (j->datasync && log_getverbose() >= 3)
		log_debug("%s: WRITE of %zu bytes at %llu is on stable storage",
		    io->c->peer, j->len, (unsigned long long)j->off);
	out = w->req.out;
	wbuf_reset(out);
	smb2_write_reply(out, (uint32_t)j->len);
	rw_park_done(io, NT_STATUS_SUCCESS);
}

int
smb2_write_park(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, uint64_t off, const struct rbuf *data, int datasync)
{
	struct rw_io *io;
	size_t len = rbuf_left(data);

	(void)req;
	if ((io = rw_park_new(c, o, len)) == NULL)
		return -1;
	/* The frame may go away before the job ends: it writes a copy. */
	io->data = xmalloc(len > 0 ? len : 1);
	memcpy(io->data, rbuf_cur(data), len);
	io->job.op = AIO_PWRITE;
	io->job.off = off;
	io->job.len = len;
	io->job.buf = io->data;
	io->job.datasync = datasync;
	io->job.done = rw_write_parked;
	io->job.arg = io;
	io->w = smb2_conn_park(c, rw_park_drop, io);
	aio_submit(&io->job);
	return 0;
}

static void
rw_flush_parked(struct aio_job *j)
{
	struct rw_io *io = j->arg;
	struct smb2_work *w = io->w;

	if (w == NULL) {
		rw_io_free(io);
		return;
	}
	if (j->result == -1) {
		rw_park_done(io, ntstatus_from_errno(j->error));
		return;
	}
	wbuf_reset(w->req.out);
	wbuf_put_u16le(w->req.out, 4);
	wbuf_put_u16le(w->req.out, 0);
	rw_park_done(io, NT_STATUS_SUCCESS);
}

int
smb2_flush_park(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o)
{
	struct rw_io *io;

	(void)req;
	if ((io = rw_park_new(c, o, 0)) == NULL)
		return -1;
	io->job.op = AIO_FSYNC;
	io->job.done = rw_flush_parked;
	io->job.arg = io;
	io->w = smb2_conn_park(c, rw_park_drop, io);
	aio_submit(&io->job);
	return 0;
}
