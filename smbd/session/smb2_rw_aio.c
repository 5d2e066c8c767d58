/*
 * READ, WRITE and FLUSH off the event loop (doc/design.md §6): the disk IO
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
 *
 * IO that reads, changes and writes back is serial (struct aio_job): an
 * append finds the end of the file in its thread, and a named stream,
 * kept whole in an xattr (smb2_stream.c), is read, changed and stored
 * there, so two of them must not run at once.  Only a worker configured
 * with no IO threads does its IO in smb2_rw.c on the loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aio.h"
#include "buf.h"
#include "conf.h"
#include "log.h"
#include "ntstatus.h"
#include "reply_wire.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_rw.h"
#include "smb2_stream.h"
#include "util.h"

/*
 * Memory that IO in flight holds (buffers, WRITE frames, and the frames
 * of parked chains), and how much it may (aio max memory).  The credit
 * window alone would let a client park hundreds of MiB here; past the
 * bound, the connection reads no new request until IO completes
 * (smb2_conn_io_pause()), so that a client sending faster than the disk
 * takes its data waits in TCP instead.  A chain holds one job at a time,
 * so the bound is passed by at most one request's worth per frame read.
 */
static size_t	rw_inflight;
static size_t	rw_inflight_max = 64 * 1024 * 1024;

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
	/* A named stream's IO (AIO_CALL): its name and largest size. */
	char			*stream;
	size_t			 smax;
	int			 append;	/* at the end of the file */
	enum aio_op		 op;		/* what the job does */
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
	return o->fd != -1 && o->pipe == NULL;
}

static struct rw_io *
rw_io_new(struct smb2_conn *c, struct smb2_open *o, size_t charge)
{
	struct rw_io *io;
	int fd;

	if ((fd = fcntl(o->fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		static int warned;

		/*
		 * Each IO in flight, and each zero-copy answer queued, holds
		 * a descriptor of its own.  Out of them, a READ runs on the
		 * event loop instead (smb2_rw.c); say so once.
		 */
		if (errno != EMFILE)
			log_warn("%s: IO of %s", c->peer, o->path);
		else if (!warned)
			log_warnx("%s: no descriptor left for the IO threads "
			    "(max open files); IO waits or runs on the event "
			    "loop", c->peer);
		warned |= errno == EMFILE;
		return NULL;
	}
	io = xcalloc(1, sizeof(*io));
	io->charge = charge;
	rw_inflight += charge;
	rw_inflight_max = c->conf->g.aio_max_memory;
	if (rw_inflight > rw_inflight_max)
		smb2_conn_io_pause(c);
	io->c = c;
	io->job.fd = fd;
	io->persistent_id = o->persistent_id;
	io->volatile_id = o->volatile_id;
	if (o->stream != NULL) {
		io->stream = xstrdup(o->stream);
		io->smax = smb2_stream_max(o);
	}
	return io;
}

static void
rw_io_free(struct rw_io *io)
{
	rw_inflight -= io->charge;
	if (rw_inflight <= rw_inflight_max)
		smb2_conn_io_resume();
	if (io->job.fd != -1)
		close(io->job.fd);
	smb2_out_free(io->out);
	free(io->frame);
	wbuf_free(&io->wb);
	free(io->data);
	free(io->stream);
	free(io);
}

/*
 * In a thread: a named stream's READ or WRITE (a serial job, since the
 * stream is read, changed and stored back whole).
 */
static void
rw_stream_call(struct aio_job *j)
{
	struct rw_io *io = j->arg;
	size_t n = 0;
	int err;

	if (io->op == AIO_PREAD) {
		err = smb2_stream_pread(j->fd, io->stream, j->buf, j->len,
		    j->off, &n);
		j->result = (ssize_t)n;
	} else {
		err = smb2_stream_pwrite(j->fd, io->stream, j->buf, j->len,
		    &j->off, io->append, io->smax, j->datasync);
		j->result = (ssize_t)j->len;
	}
	if (err != 0) {
		j->result = -1;
		j->error = err;
	}
}

/* The status of a failed job. */
static uint32_t
rw_error(struct rw_io *io, int err)
{
	if (io->stream == NULL)
		return ntstatus_from_errno(err);
	if (io->op == AIO_PREAD)
		return smb2_stream_read_status(err);
	if (err == EFBIG)
		log_debug("%s: a WRITE to %llu of stream %s would pass max "
		    "stream size %zu", io->c->peer, (unsigned long long)
		    (io->job.off + io->job.len), io->stream, io->smax);
	return smb2_stream_status(err);
}

/*
 * A READ's buffer: a stream is never larger than an xattr, whatever
 * the client asked for.
 */
static size_t
rw_read_len(const struct smb2_open *o, uint32_t len)
{
	if (o->stream != NULL && len > STREAM_XATTR_MAX)
		return STREAM_XATTR_MAX;
	return len;
}

/*
 * Set up a job: AIO_PREAD, AIO_PWRITE (an append with io->append) or
 * AIO_FSYNC, a stream's read or write done by rw_stream_call().
 */
static void
rw_io_job(struct rw_io *io, enum aio_op op, uint8_t *buf, uint64_t off,
    size_t len, int datasync, void (*done)(struct aio_job *))
{
	io->op = op;
	if (io->stream != NULL && op != AIO_FSYNC) {
		io->job.op = AIO_CALL;
		io->job.call = rw_stream_call;
		io->job.serial = 1;
	} else if (op == AIO_PWRITE && io->append) {
		io->job.op = AIO_PAPPEND;
		io->job.serial = 1;
	} else
		io->job.op = op;
	io->job.buf = buf;
	io->job.off = off;
	io->job.len = len;
	io->job.datasync = datasync;
	io->job.done = done;
	io->job.arg = io;
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

	if (c->cancel_status == 0 && io->op != AIO_PREAD &&
	    io->op != AIO_PREPARE)
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

/* The status of a READ job: its error, END_OF_FILE, or success. */
static uint32_t
rw_read_status(struct rw_io *io)
{
	struct aio_job *j = &io->job;

	if (j->result == -1)
		return rw_error(io, j->error);
	if ((j->result == 0 && j->len > 0) || (size_t)j->result < io->mincount)
		return NT_STATUS_END_OF_FILE;
	return NT_STATUS_SUCCESS;
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
	if ((st = rw_read_status(io)) != NT_STATUS_SUCCESS) {
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
	size_t blen = rw_read_len(o, len);

	if ((io = rw_io_new(c, o, blen)) == NULL)
		return -1;
	io->a = smb2_async_quiet(c, req, rw_cancel, io);
	io->mincount = mincount;
	io->zero_copy = o->stream == NULL && !smb2_async_protected(io->a);
	if (io->zero_copy) {
		/* Only the length is needed now; the data stays in the file. */
		io->out = smb2_out_new(16);
		rw_io_job(io, AIO_PREPARE, NULL, off, blen, 0, rw_read_done);
	} else {
		io->out = smb2_out_new(16 + blen);
		rw_io_job(io, AIO_PREAD, io->out->data + SMB2_OUT_HEADROOM + 16,
		    off, blen, 0, rw_read_done);
	}
	aio_submit(&io->job);
	return 0;
}

/* A WRITE job is done: log write-through, move the position. */
static void
rw_write_ok(struct rw_io *io)
{
	struct aio_job *j = &io->job;

	rw_position(io, j->off + j->len);
	if (j->datasync && log_getverbose() >= 3)
		log_debug("%s: WRITE of %zu bytes at %llu is on stable storage",
		    io->c->peer, j->len, (unsigned long long)j->off);
}

static void
rw_write_done(struct aio_job *j)
{
	struct rw_io *io = j->arg;
	struct wbuf w;

	if (io->a == NULL) {
		rw_io_free(io);
		return;
	}
	if (j->result == -1) {
		smb2_async_reply(io->c, io->a, rw_error(io, j->error), NULL, 0,
		    -1, 0, 0);
		rw_io_free(io);
		return;
	}
	rw_write_ok(io);
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
    struct smb2_open *o, uint64_t off, const struct rbuf *data, int datasync,
    int append)
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
	io->append = append;
	/* The data's place in the frame the job now owns. */
	rw_io_job(io, AIO_PWRITE, io->frame + (rbuf_cur(data) - io->frame),
	    off, rbuf_left(data), datasync, rw_write_done);
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
	smb2_flush_reply(&w);
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
	rw_io_job(io, AIO_FSYNC, NULL, 0, 0, 0, rw_flush_done);
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
	return o->fd != -1 && o->pipe == NULL;
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

/* Park the frame and start the job. */
static void
rw_park_submit(struct smb2_conn *c, struct rw_io *io)
{
	io->w = smb2_conn_park(c, rw_park_drop, io);
	aio_submit(&io->job);
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
	if ((st = rw_read_status(io)) == NT_STATUS_SUCCESS) {
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
	size_t blen = rw_read_len(o, len);

	(void)req;
	if ((io = rw_park_new(c, o, blen)) == NULL)
		return -1;
	wbuf_init(&io->wb, 16 + blen);
	smb2_read_reply(&io->wb, 0);
	if (wbuf_put_zero(&io->wb, blen) == -1 || wbuf_error(&io->wb)) {
		rw_io_free(io);
		return -1;
	}
	io->mincount = mincount;
	rw_io_job(io, AIO_PREAD, wbuf_data(&io->wb) + 16, off, blen, 0,
	    rw_read_parked);
	rw_park_submit(c, io);
	return 0;
}

static void
rw_write_parked(struct aio_job *j)
{
	struct rw_io *io = j->arg;
	struct smb2_work *w = io->w;

	if (w == NULL) {
		rw_io_free(io);
		return;
	}
	if (j->result == -1) {
		rw_park_done(io, rw_error(io, j->error));
		return;
	}
	rw_write_ok(io);
	wbuf_reset(w->req.out);
	smb2_write_reply(w->req.out, (uint32_t)j->len);
	rw_park_done(io, NT_STATUS_SUCCESS);
}

int
smb2_write_park(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, uint64_t off, const struct rbuf *data, int datasync,
    int append)
{
	struct rw_io *io;
	size_t len = rbuf_left(data);

	(void)req;
	if ((io = rw_park_new(c, o, len)) == NULL)
		return -1;
	/* The frame may go away before the job ends: it writes a copy. */
	io->data = xmalloc(len > 0 ? len : 1);
	memcpy(io->data, rbuf_cur(data), len);
	io->append = append;
	rw_io_job(io, AIO_PWRITE, io->data, off, len, datasync,
	    rw_write_parked);
	rw_park_submit(c, io);
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
	smb2_flush_reply(w->req.out);
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
	rw_io_job(io, AIO_FSYNC, NULL, 0, 0, 0, rw_flush_parked);
	rw_park_submit(c, io);
	return 0;
}
