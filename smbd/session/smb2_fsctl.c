/*
 * File-system controls of SMB2 IOCTL (MS-SMB2 3.3.5.15, MS-FSA
 * 2.1.5.9): server-side copy, sparse files, allocated ranges, zeroing,
 * compression and reparse points, on the opens of the session worker.
 *
 * Every input buffer is parsed by fsctl_wire.c.  A server-side copy,
 * up to 16 MiB of data per request, runs in the worker's IO thread pool
 * while the connection goes on; the other controls change or query
 * metadata only and are answered at once, bounded by MaxOutputResponse.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aio.h"
#include "log.h"
#include "meta.h"
#include "ntstatus.h"
#include "session.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_fsctl.h"
#include "reply_wire.h"
#include "smb2_lock.h"
#include "smb2_stream.h"
#include "smb2_tree.h"
#include "util.h"
#include "vfs.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE	0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE	0x02
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE	0x10
#endif

#define FILE_OPEN_REPARSE_POINT	0x00200000

/* The biggest buffer a fallback copy or zeroing uses at once. */
#define FSCTL_IO_BUF		(1024 * 1024)

/*
 * Resume keys: the FileId of the source open followed by 8 bytes of an
 * HMAC over it and the session id, keyed by a secret of this worker.
 * A key therefore names one open of one session, cannot be guessed or
 * forged from a FileId, and needs no state beyond the secret.
 */
static uint8_t	fsctl_secret[32];
static int	fsctl_have_secret;

static void
fsctl_key_tag(const uint8_t id[16], uint64_t session_id, uint8_t tag[8])
{
	uint8_t msg[24], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	int i;

	if (!fsctl_have_secret) {
		arc4random_buf(fsctl_secret, sizeof(fsctl_secret));
		fsctl_have_secret = 1;
	}
	memcpy(msg, id, 16);
	for (i = 0; i < 8; i++)
		msg[16 + i] = (uint8_t)(session_id >> (8 * i));
	if (HMAC(EVP_sha256(), fsctl_secret, sizeof(fsctl_secret), msg,
	    sizeof(msg), mac, &maclen) == NULL || maclen < 8)
		fatalx("%s: HMAC failed", __func__);
	memcpy(tag, mac, 8);
}

static void
fsctl_resume_key(const struct smb2_open *o, uint8_t key[FSCTL_RESUME_KEY_LEN])
{
	smb2_open_fileid(o, key);
	fsctl_key_tag(key, o->sess->id, key + 16);
}

/* The open a resume key names, among the opens of this session. */
static struct smb2_open *
fsctl_resume_lookup(struct smb2_req *req, const uint8_t key[FSCTL_RESUME_KEY_LEN])
{
	struct smb2_tree *t;
	struct smb2_open *o;
	uint8_t tag[8], id[16];

	if (req->sess == NULL)
		return NULL;
	fsctl_key_tag(key, req->sess->id, tag);
	if (ct_memcmp(tag, key + 16, sizeof(tag)) != 0)
		return NULL;
	TAILQ_FOREACH(t, &req->sess->trees, entry) {
		TAILQ_FOREACH(o, &t->files, tree_entry) {
			smb2_open_fileid(o, id);
			if (memcmp(id, key, 16) == 0)
				return o;
		}
	}
	return NULL;
}

/* The data stream of a file, opened with an fd we can do IO on. */
static int
fsctl_is_file(const struct smb2_open *o)
{
	return o->pipe == NULL && !o->is_dir && o->fd != -1 &&
	    o->stream == NULL;
}

/* Answer with this output (SUCCESS or BUFFER_OVERFLOW). */
static uint32_t
fsctl_reply(struct smb2_req *req, struct smb2_ioctl_req *io,
    const struct wbuf *w, uint32_t status)
{
	smb2_ioctl_body(req->out, io, wbuf_data(w), wbuf_len(w));
	return status;
}

/*
 * An error status that still carries an IOCTL response with output, as
 * the copy requests do (MS-SMB2 3.3.5.15.6.2).
 */
static uint32_t
fsctl_reply_error(struct smb2_req *req, struct smb2_ioctl_req *io,
    const struct wbuf *w, uint32_t status)
{
	smb2_ioctl_body(req->out, io, wbuf_data(w), wbuf_len(w));
	req->error_data = 1;
	return status;
}

/*
 * An fd of the file that xattrs can be read and written through: the
 * open's own, or, for an open that has only a path fd (attribute-only
 * access), a new read-only one below the share root that the caller
 * closes.
 */
static int
fsctl_xattr_fd(const struct smb2_open *o, int *tmp)
{
	struct vfs_share vs;
	int fl;

	*tmp = -1;
	if (o->fd == -1 || (fl = fcntl(o->fd, F_GETFL)) == -1)
		return -1;
	if ((fl & O_PATH) != O_PATH)
		return o->fd;
	if (o->tree->ss == NULL)
		return -1;
	memset(&vs, 0, sizeof(vs));
	vs.rootfd = o->tree->ss->rootfd;
	vs.cfg = o->tree->ss->share;
	*tmp = vfs_open(&vs, *o->path == '\0' ? "." : o->path,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0);
	return *tmp;
}

/*
 * The sparse flag of a file is FILE_ATTRIBUTE_SPARSE_FILE in its
 * user.DOSATTRIB, where Samba keeps it too, so every open and every
 * server sees it.  On a file system without xattrs it lives in the open.
 */
int
smb2_fsctl_sparse(const struct smb2_open *o)
{
	struct meta_dosinfo di;
	int fd, tmp, rc;

	if (o->pipe != NULL || o->is_dir || o->stream != NULL)
		return 0;
	if ((fd = fsctl_xattr_fd(o, &tmp)) == -1)
		return o->sparse;
	rc = meta_get_dosinfo(fd, &di);
	if (tmp != -1)
		close(tmp);
	if (rc == -1 || !(di.valid & META_DOSINFO_ATTRIB))
		return o->sparse;
	return (di.attrib & FILE_ATTRIBUTE_SPARSE_FILE) != 0;
}

static uint32_t
fsctl_sparse_set(struct smb2_open *o, int on)
{
	struct stat st;
	int fd, tmp, rc, saved;

	if ((fd = fsctl_xattr_fd(o, &tmp)) == -1 || fstat(fd, &st) == -1) {
		saved = errno;
		if (tmp != -1)
			close(tmp);
		return ntstatus_from_errno(saved);
	}
	/*
	 * A file that stops being sparse gets its holes allocated, as on
	 * NTFS, so that writing into them later cannot run out of space.
	 * Without write access to the data (attributes only) or without
	 * fallocate the file stays as it is.
	 */
	if (!on && st.st_size > 0 && smb2_fsctl_sparse(o) &&
	    fallocate(o->fd, FALLOC_FL_KEEP_SIZE, 0, st.st_size) == -1 &&
	    errno != EBADF && errno != EOPNOTSUPP && errno != ENOSYS) {
		saved = errno;
		if (tmp != -1)
			close(tmp);
		return ntstatus_from_errno(saved);
	}
	rc = meta_update_attrib(fd, &st, on ? FILE_ATTRIBUTE_SPARSE_FILE : 0,
	    on ? 0 : FILE_ATTRIBUTE_SPARSE_FILE);
	saved = errno;
	if (tmp != -1)
		close(tmp);
	if (rc == -1 && saved != ENOTSUP) {
		log_debug("%s: user.DOSATTRIB: %s", o->path, strerror(saved));
		return ntstatus_from_errno(saved);
	}
	o->sparse = on;
	return NT_STATUS_SUCCESS;
}

/* FSCTL_SRV_REQUEST_RESUME_KEY (MS-SMB2 3.3.5.15.5). */
static uint32_t
fsctl_request_resume_key(struct smb2_open *o, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	uint8_t key[FSCTL_RESUME_KEY_LEN];
	struct wbuf w;
	uint32_t st;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (io->max_output_response < FSCTL_RESUME_KEY_RESP_LEN)
		return NT_STATUS_INVALID_PARAMETER;
	fsctl_resume_key(o, key);
	wbuf_init(&w, FSCTL_RESUME_KEY_RESP_LEN);
	fsctl_resume_key_resp(&w, key);
	st = fsctl_reply(req, io, &w, NT_STATUS_SUCCESS);
	wbuf_free(&w);
	return st;
}

/*
 * Copy len bytes within or between files with read and write, through
 * one buffer holding the whole range: a chunk whose source and target
 * overlap in one file then reads as it was before the copy, as on
 * Windows.  Returns the bytes written, with errno saying why when that
 * is short (0: the source ended), or -1 with errno when none were.
 */
static ssize_t
fsctl_copy_rw(int sfd, uint64_t soff, int dfd, uint64_t doff, size_t len)
{
	uint8_t *buf;
	size_t got = 0, put = 0;
	ssize_t n;
	int saved;

	buf = xmalloc(len);
	while (got < len) {
		n = pread(sfd, buf + got, len - got, (off_t)(soff + got));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = n == 0 ? 0 : errno;
			free(buf);
			errno = saved;
			return -1;
		}
		got += (size_t)n;
	}
	while (put < len) {
		n = pwrite(dfd, buf + put, len - put, (off_t)(doff + put));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = n == 0 ? ENOSPC : errno;
			free(buf);
			errno = saved;
			return put > 0 ? (ssize_t)put : -1;
		}
		put += (size_t)n;
	}
	free(buf);
	return (ssize_t)put;
}

/*
 * Copy one chunk: copy_file_range(2) lets the file system share or copy
 * extents without the data passing through us; where it cannot (another
 * file system, no support, or overlapping ranges of one file) we read
 * and write.  Returns as fsctl_copy_rw does.
 */
static ssize_t
fsctl_copy_chunk(int sfd, uint64_t soff, int dfd, uint64_t doff,
    size_t len, int same_file)
{
	loff_t so, dso;
	size_t done = 0;
	ssize_t n;

	if (same_file && soff < doff + len && doff < soff + len)
		return fsctl_copy_rw(sfd, soff, dfd, doff, len);
	while (done < len) {
		so = (loff_t)(soff + done);
		dso = (loff_t)(doff + done);
		n = copy_file_range(sfd, &so, dfd, &dso, len - done, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EXDEV || errno == EOPNOTSUPP ||
		    errno == ENOSYS || errno == EINVAL || errno == ETXTBSY)) {
			n = fsctl_copy_rw(sfd, soff + done, dfd, doff + done,
			    len - done);
			if (n == -1)
				return done > 0 ? (ssize_t)done : -1;
			return (ssize_t)(done + (size_t)n);
		}
		if (n == -1)
			return done > 0 ? (ssize_t)done : -1;
		if (n == 0) {
			/* The source ended under us. */
			errno = 0;
			return done > 0 ? (ssize_t)done : -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/*
 * The disk work of a control that may take long (a copy, a zeroing):
 * done in a thread of the IO pool while the request's frame is parked,
 * as a READ in a chain is (smb2_rw_aio.c), or here by a worker without
 * IO threads.  The work uses descriptors of its own and nothing of the
 * opens, which a CLOSE may free while it runs.  Each kind of work embeds
 * this first.
 */
struct fsctl_job {
	struct aio_job		 job;
	struct smb2_conn	*c;
	struct smb2_work	*w;	/* the parked frame; NULL once dropped */
	int			 fds[2];	/* of the opens named; or -1 */
	int			 own_fds;	/* dup'ed for the pool */
	/* The work (no log: it may run in a thread). */
	void			(*run)(struct fsctl_job *);
	/* Its IOCTL response in req->out, and status, on the loop thread. */
	uint32_t		(*answer)(struct fsctl_job *, struct smb2_req *);
	void			(*free)(struct fsctl_job *);	/* or NULL */
	uint32_t		 status;
	struct smb2_ioctl_req	 io;	/* CtlCode and FileId, for answer */
};

static void
fsctl_job_free(struct fsctl_job *fj)
{
	int i;

	for (i = 0; i < 2 && fj->own_fds; i++)
		if (fj->fds[i] != -1)
			close(fj->fds[i]);
	if (fj->free != NULL)
		fj->free(fj);
	free(fj);
}

/* In a thread of the IO pool. */
static void
fsctl_job_call(struct aio_job *j)
{
	struct fsctl_job *fj = j->arg;

	fj->run(fj);
	j->result = 0;
}

static void
fsctl_job_drop(void *arg)
{
	struct fsctl_job *fj = arg;

	fj->w = NULL;
}

/* On the loop thread: answer the parked request; its frame goes on. */
static void
fsctl_job_done(struct aio_job *j)
{
	struct fsctl_job *fj = j->arg;
	struct smb2_work *w = fj->w;
	struct smb2_conn *c = fj->c;

	if (w == NULL) {
		fsctl_job_free(fj);
		return;
	}
	w->req.status = fj->answer(fj, &w->req);
	fsctl_job_free(fj);
	smb2_conn_unpark(c, w);
}

/*
 * Do the work on the descriptors of o1 and o2 (or NULL): in the pool,
 * returning SMB2_DEFER, or here.  A serial job waits for every serial
 * job before it (a stream is read, changed and stored back whole).
 */
static uint32_t
fsctl_job_start(struct fsctl_job *fj, struct smb2_conn *c,
    struct smb2_req *req, const struct smb2_ioctl_req *io,
    const struct smb2_open *o1, const struct smb2_open *o2, int serial)
{
	uint32_t st;

	fj->c = c;
	fj->io.ctl_code = io->ctl_code;
	memcpy(fj->io.file_id, io->file_id, sizeof(fj->io.file_id));
	fj->fds[0] = fj->fds[1] = -1;
	if (aio_threads() > 0 && c->work != NULL) {
		fj->own_fds = 1;
		if ((fj->fds[0] = fcntl(o1->fd, F_DUPFD_CLOEXEC, 0)) == -1 ||
		    (o2 != NULL &&
		    (fj->fds[1] = fcntl(o2->fd, F_DUPFD_CLOEXEC, 0)) == -1)) {
			log_warn("%s: FSCTL 0x%08x on %s", c->peer,
			    io->ctl_code, o1->path);
			fsctl_job_free(fj);
			return NT_STATUS_INSUFFICIENT_RESOURCES;
		}
		fj->job.op = AIO_CALL;
		fj->job.call = fsctl_job_call;
		fj->job.done = fsctl_job_done;
		fj->job.arg = fj;
		fj->job.serial = serial;
		fj->w = smb2_conn_park(c, fsctl_job_drop, fj);
		aio_submit(&fj->job);
		return SMB2_DEFER;
	}
	fj->fds[0] = o1->fd;
	fj->fds[1] = o2 != NULL ? o2->fd : -1;
	fj->run(fj);
	st = fj->answer(fj, req);
	fsctl_job_free(fj);
	return st;
}

/* The work of one copy request. */
struct fsctl_copy {
	struct fsctl_job	 fj;	/* fds: source, target */
	char			*sstream, *dstream;	/* named streams */
	size_t			 dmax;		/* max stream size of dst */
	int			 dsync;		/* dst is write-through */
	int			 same_file;
	struct fsctl_chunk	*chunks;
	uint32_t		 nchunks;
	uint32_t		 stop;		/* a lock ends the copy here */
	uint32_t		 stop_status;
	/* Results. */
	uint32_t		 written, partial;
	uint64_t		 total;
};

static void
fsctl_copy_free(struct fsctl_job *fj)
{
	struct fsctl_copy *cp = (struct fsctl_copy *)fj;

	free(cp->sstream);
	free(cp->dstream);
	free(cp->chunks);
}

/*
 * Copy one chunk where the source or the target is a named stream: the
 * stream code reads and writes the xattr that holds it, and the data
 * passes through one buffer.  Streams are at most 64 KiB, so this stays
 * small.
 */
static uint32_t
fsctl_copy_stream_chunk(const struct fsctl_copy *cp,
    const struct fsctl_chunk *ch)
{
	uint8_t *buf;
	uint64_t doff = ch->dst_off;
	uint32_t st = NT_STATUS_SUCCESS;
	size_t got;
	ssize_t n;
	int err;

	buf = xmalloc(ch->len);
	if (cp->sstream != NULL) {
		err = smb2_stream_pread(cp->fj.fds[0], cp->sstream, buf, ch->len,
		    ch->src_off, &got);
		if (err != 0)
			st = smb2_stream_read_status(err);
		else if (got < ch->len)
			st = NT_STATUS_INVALID_VIEW_SIZE;
	} else {
		n = pread_full(cp->fj.fds[0], buf, ch->len, ch->src_off);
		if (n == -1)
			st = ntstatus_from_errno(errno);
		else if ((uint32_t)n < ch->len)
			st = NT_STATUS_INVALID_VIEW_SIZE;
	}
	if (st == NT_STATUS_SUCCESS) {
		if (cp->dstream != NULL) {
			err = smb2_stream_pwrite(cp->fj.fds[1], cp->dstream, buf,
			    ch->len, &doff, 0, cp->dmax, cp->dsync);
			if (err != 0)
				st = smb2_stream_status(err);
		} else if (pwrite_full(cp->fj.fds[1], buf, ch->len, doff) == -1)
			st = ntstatus_from_errno(errno);
	}
	free(buf);
	return st;
}

/* The size of the copy's source: a file, or a stream of it. */
static uint32_t
fsctl_copy_src_size(const struct fsctl_copy *cp, uint64_t *size)
{
	struct stat st;

	if (cp->sstream != NULL) {
		/* A stream gone from under its open reads as empty. */
		if (smb2_stream_size(cp->fj.fds[0], cp->sstream, size) != 0)
			*size = 0;
		return NT_STATUS_SUCCESS;
	}
	if (fstat(cp->fj.fds[0], &st) == -1)
		return ntstatus_from_errno(errno);
	*size = (uint64_t)st.st_size;
	return NT_STATUS_SUCCESS;
}

/* Copy the chunks in order until one fails. */
static void
fsctl_copy_run(struct fsctl_job *fj)
{
	struct fsctl_copy *cp = (struct fsctl_copy *)fj;
	const struct fsctl_chunk *ch;
	uint32_t st = NT_STATUS_SUCCESS, i;
	uint64_t size;
	ssize_t n;

	for (i = 0; i < cp->nchunks; i++) {
		ch = &cp->chunks[i];
		/* A chunk crossing a lock ends the copy before it. */
		if (i == cp->stop) {
			st = cp->stop_status;
			break;
		}
		/*
		 * A chunk reaching past the end of the source is refused
		 * whole, before anything of it is written, as Windows does.
		 */
		if ((st = fsctl_copy_src_size(cp, &size)) != NT_STATUS_SUCCESS)
			break;
		if (ch->src_off + ch->len > size) {
			st = NT_STATUS_INVALID_VIEW_SIZE;
			break;
		}
		if (cp->sstream != NULL || cp->dstream != NULL) {
			st = fsctl_copy_stream_chunk(cp, ch);
			if (st != NT_STATUS_SUCCESS)
				break;
			cp->total += ch->len;
			cp->written++;
			continue;
		}
		n = fsctl_copy_chunk(cp->fj.fds[0], ch->src_off, cp->fj.fds[1],
		    ch->dst_off, ch->len, cp->same_file);
		if (n == -1 || (uint32_t)n < ch->len) {
			/*
			 * A failed or partial chunk: the bytes it wrote, and
			 * why it stopped (a source cut short under us reads
			 * as a range past its end).
			 */
			st = errno == 0 ? NT_STATUS_INVALID_VIEW_SIZE :
			    ntstatus_from_errno(errno);
			if (n > 0) {
				cp->partial = (uint32_t)n;
				cp->total += (uint64_t)n;
			}
			break;
		}
		cp->total += (uint64_t)n;
		cp->written++;
	}
	fj->status = st;
}

/* The IOCTL response of a finished copy, in req->out; its status. */
static uint32_t
fsctl_copy_answer(struct fsctl_job *fj, struct smb2_req *req)
{
	struct fsctl_copy *cp = (struct fsctl_copy *)fj;
	struct wbuf w;
	uint32_t st;

	if (log_getverbose() >= 3)
		log_debug("%s: copy of %u chunks, %llu bytes: %s", fj->c->peer,
		    cp->written, (unsigned long long)cp->total,
		    ntstatus_name(fj->status));
	wbuf_init(&w, FSCTL_COPYCHUNK_RESP_LEN);
	fsctl_copychunk_resp(&w, cp->written, cp->partial,
	    (uint32_t)cp->total);
	if (fj->status == NT_STATUS_SUCCESS)
		st = fsctl_reply(req, &fj->io, &w, fj->status);
	else
		st = fsctl_reply_error(req, &fj->io, &w, fj->status);
	wbuf_free(&w);
	return st;
}

/* FSCTL_SRV_COPYCHUNK and FSCTL_SRV_COPYCHUNK_WRITE (MS-SMB2 3.3.5.15.6). */
static uint32_t
fsctl_copychunk(struct smb2_conn *c, struct smb2_open *dst,
    struct smb2_req *req, struct smb2_ioctl_req *io)
{
	struct fsctl_copychunk cc;
	struct fsctl_chunk ch;
	struct fsctl_copy *cp;
	struct smb2_open *src;
	struct wbuf w;
	uint32_t st, i, need;
	int parsed;

	parsed = fsctl_copychunk_parse(&io->input, &cc) == 0;
	if (rbuf_left(&io->input) >= FSCTL_RESUME_KEY_LEN) {
		struct rbuf r = io->input;
		uint8_t key[FSCTL_RESUME_KEY_LEN];

		rbuf_get_bytes(&r, key, sizeof(key));
		if ((src = fsctl_resume_lookup(req, key)) == NULL)
			return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	} else
		src = NULL;
	if (io->max_output_response < FSCTL_COPYCHUNK_RESP_LEN)
		return NT_STATUS_INVALID_PARAMETER;

	wbuf_init(&w, FSCTL_COPYCHUNK_RESP_LEN);
	if (!parsed || src == NULL || fsctl_copychunk_check(&cc) == -1) {
		/* Tell the client the limits, so it can ask again. */
		fsctl_copychunk_resp(&w, FSCTL_COPYCHUNK_MAX_CHUNKS,
		    FSCTL_COPYCHUNK_MAX_CHUNK_SIZE,
		    FSCTL_COPYCHUNK_MAX_DATA_SIZE);
		st = fsctl_reply_error(req, io, &w,
		    NT_STATUS_INVALID_PARAMETER);
		wbuf_free(&w);
		return st;
	}

	/*
	 * The target is written, and with FSCTL_SRV_COPYCHUNK read too (the
	 * client may have meant to compare); the source is read, which
	 * execute access allows as well.
	 */
	need = FILE_WRITE_DATA;
	if (io->ctl_code == FSCTL_SRV_COPYCHUNK)
		need |= FILE_READ_DATA;
	if ((dst->access & need) != need ||
	    (src->access & (FILE_READ_DATA | FILE_EXECUTE)) == 0) {
		wbuf_free(&w);
		return NT_STATUS_ACCESS_DENIED;
	}
	if (src->pipe != NULL || src->is_dir || src->fd == -1 ||
	    dst->pipe != NULL || dst->is_dir || dst->fd == -1) {
		wbuf_free(&w);
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	/*
	 * Byte-range locks on either file: lockd clears every chunk's
	 * source (read) and target (write) range first, and the copy runs
	 * again once it has.
	 */
	if ((src->brl || dst->brl) && !req->brl_checked) {
		struct smb2_lock_range *rg;

		rg = xcalloc(2 * (size_t)cc.nchunks, sizeof(*rg));
		for (i = 0; i < cc.nchunks; i++) {
			fsctl_copychunk_get(&cc, i, &ch);
			rg[2 * i].handle = src->lockd_handle;
			rg[2 * i].off = ch.src_off;
			rg[2 * i].len = ch.len;
			rg[2 * i + 1].handle = dst->lockd_handle;
			rg[2 * i + 1].off = ch.dst_off;
			rg[2 * i + 1].len = ch.len;
			rg[2 * i + 1].write = 1;
		}
		wbuf_free(&w);
		st = smb2_lock_check(c, req, rg, 2 * (size_t)cc.nchunks);
		free(rg);
		return st;
	}

	wbuf_free(&w);

	cp = xcalloc(1, sizeof(*cp));
	cp->fj.run = fsctl_copy_run;
	cp->fj.answer = fsctl_copy_answer;
	cp->fj.free = fsctl_copy_free;
	cp->nchunks = cc.nchunks;
	cp->chunks = xcalloc(cc.nchunks, sizeof(*cp->chunks));
	for (i = 0; i < cc.nchunks; i++)
		fsctl_copychunk_get(&cc, i, &cp->chunks[i]);
	cp->stop = req->brl_status != 0 ? req->brl_index / 2 : UINT32_MAX;
	cp->stop_status = req->brl_status;
	cp->same_file = src->st.st_dev == dst->st.st_dev &&
	    src->st.st_ino == dst->st.st_ino;
	if (src->stream != NULL)
		cp->sstream = xstrdup(src->stream);
	if (dst->stream != NULL) {
		cp->dstream = xstrdup(dst->stream);
		cp->dmax = smb2_stream_max(dst);
		cp->dsync = (dst->create_options & FILE_WRITE_THROUGH) != 0;
	}
	/* The copy runs in the IO pool while the connection goes on. */
	return fsctl_job_start(&cp->fj, c, req, io, src, dst,
	    cp->dstream != NULL);
}

/* FSCTL_SET_SPARSE (MS-FSA 2.1.5.9.33). */
static uint32_t
fsctl_set_sparse(struct smb2_open *o, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	uint32_t st;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (o->is_dir)
		return NT_STATUS_INVALID_PARAMETER;
	if ((o->access & (FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES |
	    FILE_APPEND_DATA)) == 0)
		return NT_STATUS_ACCESS_DENIED;
	if (o->stream != NULL)
		return NT_STATUS_INVALID_PARAMETER;
	st = fsctl_sparse_set(o, fsctl_set_sparse_parse(&io->input));
	if (st == NT_STATUS_SUCCESS)
		smb2_ioctl_body(req->out, io, NULL, 0);
	return st;
}

/* FSCTL_QUERY_ALLOCATED_RANGES (MS-FSA 2.1.5.9.22). */
static uint32_t
fsctl_query_allocated_ranges(struct smb2_open *o, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	struct fsctl_range rg;
	struct stat st;
	struct wbuf w;
	uint64_t end, pos, data, hole;
	size_t room, nranges = 0;
	uint32_t status = NT_STATUS_SUCCESS;
	off_t r;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (fsctl_qar_parse(&io->input, &rg) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if (o->is_dir || !fsctl_is_file(o))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o->access & FILE_READ_DATA) == 0)
		return NT_STATUS_ACCESS_DENIED;
	if (fstat(o->fd, &st) == -1)
		return ntstatus_from_errno(errno);

	room = io->max_output_response / FSCTL_RANGE_LEN;
	wbuf_init(&w, room * FSCTL_RANGE_LEN + FSCTL_RANGE_LEN);
	end = rg.off + rg.len;
	if (end > (uint64_t)st.st_size)
		end = (uint64_t)st.st_size;
	pos = rg.off;
	while (pos < end) {
		if (!smb2_fsctl_sparse(o)) {
			/* A file that is not sparse is allocated whole. */
			data = pos;
			hole = end;
		} else {
			if ((r = lseek(o->fd, (off_t)pos, SEEK_DATA)) == -1) {
				if (errno == ENXIO)
					break;
				status = ntstatus_from_errno(errno);
				break;
			}
			data = (uint64_t)r;
			if (data >= end)
				break;
			if ((r = lseek(o->fd, (off_t)data, SEEK_HOLE)) == -1) {
				status = ntstatus_from_errno(errno);
				break;
			}
			hole = (uint64_t)r < end ? (uint64_t)r : end;
		}
		if (nranges == room) {
			/* No room for this one: as many as fit, and say so. */
			status = nranges == 0 ? NT_STATUS_BUFFER_TOO_SMALL :
			    NT_STATUS_BUFFER_OVERFLOW;
			break;
		}
		fsctl_range_put(&w, data, hole - data);
		nranges++;
		pos = hole;
	}
	if (status == NT_STATUS_SUCCESS || status == NT_STATUS_BUFFER_OVERFLOW)
		status = fsctl_reply(req, io, &w, status);
	wbuf_free(&w);
	return status;
}

/* Write zeros over [off, off + len) of a file. */
static int
fsctl_write_zeros(int fd, uint64_t off, uint64_t len)
{
	uint8_t *zeros;
	size_t n;
	ssize_t w;

	zeros = xcalloc(1, len < FSCTL_IO_BUF ? (size_t)len : FSCTL_IO_BUF);
	while (len > 0) {
		n = len < FSCTL_IO_BUF ? (size_t)len : FSCTL_IO_BUF;
		w = pwrite(fd, zeros, n, (off_t)off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			free(zeros);
			return -1;
		}
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	free(zeros);
	return 0;
}

/* The work of a SET_ZERO_DATA. */
struct fsctl_zero {
	struct fsctl_job	 fj;	/* fds: the file */
	int			 sparse;
	uint64_t		 off, len;
};

/* Zero the range, up to the end of the file. */
static void
fsctl_zero_run(struct fsctl_job *fj)
{
	struct fsctl_zero *z = (struct fsctl_zero *)fj;
	struct stat st;
	uint64_t end;
	int fd = fj->fds[0], mode;

	fj->status = NT_STATUS_SUCCESS;
	if (fstat(fd, &st) == -1) {
		fj->status = ntstatus_from_errno(errno);
		return;
	}
	/* Zeroing never makes a file longer. */
	end = z->off + z->len;
	if (end > (uint64_t)st.st_size)
		end = (uint64_t)st.st_size;
	if (z->off >= end)
		return;
	/*
	 * A sparse file gives the space back; any other keeps its
	 * allocation and only reads as zeros, as on NTFS.  Where the file
	 * system can do neither, zeros are written.
	 */
	mode = z->sparse ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
	    FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	if (fallocate(fd, mode, (off_t)z->off, (off_t)(end - z->off)) == -1) {
		if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
			fj->status = ntstatus_from_errno(errno);
		else if (fsctl_write_zeros(fd, z->off, end - z->off) == -1)
			fj->status = ntstatus_from_errno(errno);
	}
}

static uint32_t
fsctl_zero_answer(struct fsctl_job *fj, struct smb2_req *req)
{
	if (fj->status != NT_STATUS_SUCCESS)
		return fj->status;
	smb2_ioctl_body(req->out, &fj->io, NULL, 0);
	return NT_STATUS_SUCCESS;
}

/* FSCTL_SET_ZERO_DATA (MS-FSA 2.1.5.9.27). */
static uint32_t
fsctl_set_zero_data(struct smb2_conn *c, struct smb2_open *o,
    struct smb2_req *req, struct smb2_ioctl_req *io)
{
	struct fsctl_range rg;
	struct fsctl_zero *z;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (fsctl_zero_data_parse(&io->input, &rg) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if (o->is_dir || !fsctl_is_file(o))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o->access & FILE_WRITE_DATA) == 0)
		return NT_STATUS_ACCESS_DENIED;
	/* Zeroing is a write to the range (MS-FSA 2.1.5.9.27). */
	if (o->brl && !req->brl_checked && rg.len > 0)
		return smb2_lock_check_io(c, req, o, rg.off, rg.len, 1);
	if (req->brl_status != 0)
		return req->brl_status;
	z = xcalloc(1, sizeof(*z));
	z->fj.run = fsctl_zero_run;
	z->fj.answer = fsctl_zero_answer;
	z->off = rg.off;
	z->len = rg.len;
	z->sparse = smb2_fsctl_sparse(o);
	return fsctl_job_start(&z->fj, c, req, io, o, NULL, 0);
}

/*
 * FSCTL_FILE_LEVEL_TRIM (MS-FSA 2.1.5.9.12): a hint that the ranges
 * are unused.  Nothing below us takes such hints from a file, and
 * ignoring them is allowed, so every range counts as processed.
 */
static uint32_t
fsctl_file_level_trim(struct smb2_open *o, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	struct fsctl_trim t;
	struct fsctl_range rg;
	struct wbuf w;
	uint32_t i, st;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (fsctl_trim_parse(&io->input, &t) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if (o->is_dir || !fsctl_is_file(o))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o->access & FILE_WRITE_DATA) == 0)
		return NT_STATUS_ACCESS_DENIED;
	for (i = 0; i < t.nranges; i++) {
		fsctl_trim_get(&t, i, &rg);
		if (rg.off > INT64_MAX || rg.len > INT64_MAX - rg.off)
			return NT_STATUS_INVALID_PARAMETER;
	}
	wbuf_init(&w, 4);
	if (io->max_output_response >= 4)
		wbuf_put_u32le(&w, t.nranges);	/* NumRangesProcessed */
	st = fsctl_reply(req, io, &w, NT_STATUS_SUCCESS);
	wbuf_free(&w);
	return st;
}

/*
 * FSCTL_GET_COMPRESSION and FSCTL_SET_COMPRESSION on a volume without
 * compression: every file is uncompressed, asking for that succeeds and
 * asking for compression is not supported (as Windows answers on ReFS).
 */
static uint32_t
fsctl_get_compression(struct smb2_open *o, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	struct wbuf w;
	uint32_t st;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (io->max_output_response < 2)
		return NT_STATUS_INVALID_PARAMETER;
	wbuf_init(&w, 2);
	wbuf_put_u16le(&w, COMPRESSION_FORMAT_NONE);
	st = fsctl_reply(req, io, &w, NT_STATUS_SUCCESS);
	wbuf_free(&w);
	return st;
}

static uint32_t
fsctl_set_compression(struct smb2_open *o, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	uint16_t fmt;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (fsctl_compression_parse(&io->input, &fmt) == -1 ||
	    fmt > COMPRESSION_FORMAT_LZNT1)
		return NT_STATUS_INVALID_PARAMETER;
	if ((o->access & (FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES)) == 0 ||
	    (o->access & FILE_WRITE_DATA) == 0)
		return NT_STATUS_ACCESS_DENIED;
	if (fmt != COMPRESSION_FORMAT_NONE)
		return NT_STATUS_NOT_SUPPORTED;
	smb2_ioctl_body(req->out, io, NULL, 0);
	return NT_STATUS_SUCCESS;
}

/*
 * FSCTL_GET_REPARSE_POINT (MS-FSA 2.1.5.9.15): a symbolic link opened
 * itself (FILE_OPEN_REPARSE_POINT) answers with its target; anything
 * else is no reparse point.
 */
static uint32_t
fsctl_get_reparse_point(struct smb2_open *o, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	struct vfs_share vs;
	struct stat st;
	struct wbuf w;
	const char *last;
	char target[PATH_MAX];
	ssize_t n;
	uint32_t status;
	int pfd;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (!(o->create_options & FILE_OPEN_REPARSE_POINT) ||
	    o->tree->ss == NULL || *o->path == '\0' || o->stream != NULL)
		return NT_STATUS_NOT_A_REPARSE_POINT;
	memset(&vs, 0, sizeof(vs));
	vs.rootfd = o->tree->ss->rootfd;
	vs.cfg = o->tree->ss->share;
	/* The parent is reached below the share root only. */
	if ((pfd = vfs_open_parent(&vs, o->path, &last)) == -1)
		return NT_STATUS_NOT_A_REPARSE_POINT;
	if (fstatat(pfd, last, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISLNK(st.st_mode) ||
	    (n = readlinkat(pfd, last, target, sizeof(target) - 1)) == -1) {
		close(pfd);
		return NT_STATUS_NOT_A_REPARSE_POINT;
	}
	close(pfd);
	target[n] = '\0';

	wbuf_init(&w, 0x20000);
	if (fsctl_symlink_reparse(&w, target) == -1) {
		wbuf_free(&w);
		return NT_STATUS_IO_REPARSE_TAG_NOT_HANDLED;
	}
	/*
	 * Too little room for the header is an error; room for part of
	 * the data gets that part (MS-FSA: BUFFER_OVERFLOW).
	 */
	if (io->max_output_response < 8)
		status = NT_STATUS_BUFFER_TOO_SMALL;
	else if (io->max_output_response < wbuf_len(&w)) {
		smb2_ioctl_body(req->out, io, wbuf_data(&w),
		    io->max_output_response);
		status = NT_STATUS_BUFFER_OVERFLOW;
	} else
		status = fsctl_reply(req, io, &w, NT_STATUS_SUCCESS);
	wbuf_free(&w);
	return status;
}

/*
 * FSCTL_GET_OBJECT_ID and FSCTL_CREATE_OR_GET_OBJECT_ID (MS-FSA
 * 2.1.5.10.13, 2.1.5.10.1): every file has the object id its inode
 * gives, so both answer with it and nothing is stored.
 */
static uint32_t
fsctl_object_id(struct smb2_open *o, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	struct stat st;
	struct wbuf w;
	uint32_t status;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (io->max_output_response < FSCTL_OBJECTID_LEN)
		return NT_STATUS_INVALID_PARAMETER;
	if (o->fd == -1 || fstat(o->fd, &st) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	wbuf_init(&w, FSCTL_OBJECTID_LEN);
	fsctl_objectid_put(&w, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
	status = fsctl_reply(req, io, &w, NT_STATUS_SUCCESS);
	wbuf_free(&w);
	return status;
}

/*
 * FSCTL_SRV_ENUMERATE_SNAPSHOTS (MS-SMB2 3.3.5.15.1): this server keeps
 * no previous versions, so the array is empty.
 */
static uint32_t
fsctl_enumerate_snapshots(struct smb2_open *o, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	struct wbuf w;
	uint32_t st;

	if (o->pipe != NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (io->max_output_response < 16)
		return NT_STATUS_INVALID_PARAMETER;
	wbuf_init(&w, 16);
	wbuf_put_u32le(&w, 0);		/* NumberOfSnapShots */
	wbuf_put_u32le(&w, 0);		/* NumberOfSnapShotsReturned */
	wbuf_put_u32le(&w, 2);		/* SnapShotArraySize */
	wbuf_put_u16le(&w, 0);		/* the terminating empty string */
	wbuf_put_u16le(&w, 0);		/* padding */
	st = fsctl_reply(req, io, &w, NT_STATUS_SUCCESS);
	wbuf_free(&w);
	return st;
}

uint32_t
smb2_fsctl(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	struct smb2_open *o;

	switch (io->ctl_code) {
	case FSCTL_QUERY_NETWORK_INTERFACE_INFO:
	case FSCTL_LMR_REQUEST_RESILIENCY:
		/*
		 * Controls of the server rather than of a file (no FileId
		 * to check), for features this server does not offer
		 * (MS-SMB2 3.3.5.15.9, 3.3.5.15.11).
		 */
		return NT_STATUS_NOT_SUPPORTED;
	}
	if ((o = smb2_open_lookup(c, req, io->file_id)) == NULL)
		return NT_STATUS_FILE_CLOSED;

	switch (io->ctl_code) {
	case FSCTL_SRV_REQUEST_RESUME_KEY:
		return fsctl_request_resume_key(o, req, io);
	case FSCTL_SRV_COPYCHUNK:
	case FSCTL_SRV_COPYCHUNK_WRITE:
		if (o->pipe != NULL)
			return NT_STATUS_INVALID_DEVICE_REQUEST;
		return fsctl_copychunk(c, o, req, io);
	case FSCTL_SET_SPARSE:
		return fsctl_set_sparse(o, req, io);
	case FSCTL_QUERY_ALLOCATED_RANGES:
		return fsctl_query_allocated_ranges(o, req, io);
	case FSCTL_SET_ZERO_DATA:
		return fsctl_set_zero_data(c, o, req, io);
	case FSCTL_FILE_LEVEL_TRIM:
		return fsctl_file_level_trim(o, req, io);
	case FSCTL_GET_COMPRESSION:
		return fsctl_get_compression(o, req, io);
	case FSCTL_SET_COMPRESSION:
		return fsctl_set_compression(o, req, io);
	case FSCTL_GET_REPARSE_POINT:
		return fsctl_get_reparse_point(o, req, io);
	case FSCTL_SRV_ENUMERATE_SNAPSHOTS:
		return fsctl_enumerate_snapshots(o, req, io);
	case FSCTL_GET_OBJECT_ID:
	case FSCTL_CREATE_OR_GET_OBJECT_ID:
		return fsctl_object_id(o, req, io);
	default:
		/*
		 * Named pipes know only the pipe controls; the object store
		 * rejects a control it does not implement (MS-FSA 2.1.5.9).
		 */
		if (o->pipe != NULL)
			return NT_STATUS_NOT_SUPPORTED;
		log_debug("%s: FSCTL 0x%08x not implemented", c->peer,
		    io->ctl_code);
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
}
