/*
 * READ, WRITE and FLUSH (MS-SMB2 2.2.17-2.2.22, 3.3.5.11-3.3.5.13).
 *
 * The disk IO of READ, WRITE and FLUSH of files and named streams runs
 * in the worker's thread pool (smb2_rw_aio.c): a lone request answers
 * when its job completes; one in a compound chain, or one that waited
 * for lockd's byte-range check, parks its chain until then.  The
 * synchronous code here serves only a worker configured without IO
 * threads.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aio.h"
#include "buf.h"
#include "conf.h"
#include "log.h"
#include "ntstatus.h"
#include "reply_wire.h"
#include "session.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_lock.h"
#include "smb2_oplock.h"
#include "smb2_rw.h"
#include "smb2_stream.h"
#include "smb2_tree.h"
#include "smb2_wtime.h"
#include "util.h"

#define SMB2_WRITEFLAG_WRITE_THROUGH	0x00000001
#define SMB2_WRITEFLAG_WRITE_UNBUFFERED	0x00000002
#define SMB2_READFLAG_READ_UNBUFFERED	0x01

/* CreateOptions that ask for every write to reach stable storage. */
#define FILE_NO_INTERMEDIATE_BUFFERING	0x00000008

/*
 * Large MTU: a request moving n bytes must carry a credit charge of at
 * least ceil(n / 64 KiB) (MS-SMB2 3.3.5.2.5).
 */
static int
smb2_charge_ok(struct smb2_conn *c, struct smb2_req *req, uint32_t n)
{
	uint32_t need;

	if (c->nres.dialect == SMB2_DIALECT_202)
		return n <= 65536;
	need = n == 0 ? 1 : (n - 1) / 65536 + 1;
	return (req->hdr.credit_charge == 0 ? 1 : req->hdr.credit_charge) >=
	    need;
}

/*
 * A small READ whose data the page cache already holds is answered on the
 * loop thread: the hand-off to an IO thread and back costs two wake-ups,
 * more than copying a few pages (doc/design.md §6).  RWF_NOWAIT fails
 * instead of waiting for the disk, and anything short of the whole range
 * (not cached, or the end of the file) goes to the thread as before.
 * Larger READs keep the thread: there the copy costs more than the
 * hand-off, and an unsigned one is sent from the file without a copy.
 * Returns 0 with the response in req->out, else -1 with req->out empty.
 */
#define SMB2_READ_CACHED_MAX	(16 * 1024)

static int
smb2_read_cached(struct smb2_req *req, struct smb2_open *o, uint64_t off,
    uint32_t len, uint32_t mincount)
{
	struct iovec iov;
	size_t hdroff;
	ssize_t n;

	/* A MinimumCount above the length is END_OF_FILE: not ours. */
	if (o->stream != NULL || o->no_nowait || len == 0 ||
	    len > SMB2_READ_CACHED_MAX || mincount > len)
		return -1;
#ifdef USMBD_REGRESS_HOOKS
	/* Tests: a slow READ is one the pool delays (aio_slow.sh). */
	if (aio_regress_delay_armed())
		return -1;
#endif
	wbuf_reset(req->out);
	smb2_read_reply(req->out, 0);
	hdroff = wbuf_len(req->out);
	if (wbuf_put_zero(req->out, len) == -1) {
		wbuf_reset(req->out);
		return -1;
	}
	iov.iov_base = wbuf_data(req->out) + hdroff;
	iov.iov_len = len;
	n = preadv2(o->fd, &iov, 1, (off_t)off, RWF_NOWAIT);
	if (n == -1 && errno == EOPNOTSUPP)
		/* This file system cannot say; do not ask again. */
		o->no_nowait = 1;
	if (n != (ssize_t)len) {
		wbuf_reset(req->out);
		return -1;
	}
	wbuf_set_u32le(req->out, 4, len);
	o->position = off + len;
	return 0;
}

uint32_t
smb2_cmd_read(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_open *o;
	struct rbuf r = req->body;
	uint16_t ssize, chaninfo_off, chaninfo_len;
	uint8_t pad, flags, id[16];
	uint32_t len, mincount, channel, remaining;
	uint64_t off;
	size_t hdroff;
	ssize_t n;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u8(&r, &pad);
	rbuf_get_u8(&r, &flags);
	rbuf_get_u32le(&r, &len);
	rbuf_get_u64le(&r, &off);
	rbuf_get_bytes(&r, id, 16);
	rbuf_get_u32le(&r, &mincount);
	rbuf_get_u32le(&r, &channel);
	rbuf_get_u32le(&r, &remaining);
	rbuf_get_u16le(&r, &chaninfo_off);
	rbuf_get_u16le(&r, &chaninfo_len);
	if (rbuf_error(&r))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	if (len > c->max_read || !smb2_charge_ok(c, req, len))
		return NT_STATUS_INVALID_PARAMETER;
	if (o->pipe != NULL)
		return smb2_pipe_read(c, req, o, len);
	if (o->is_dir)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (!(o->access & (FILE_READ_DATA | FILE_EXECUTE)))
		return NT_STATUS_ACCESS_DENIED;
	/* The byte range must stay within a signed 64-bit file offset. */
	if (off > INT64_MAX || len > INT64_MAX - off)
		return NT_STATUS_INVALID_PARAMETER;
	/* Byte-range locks on the file: lockd clears the range first. */
	if (o->brl && !req->brl_checked)
		return smb2_lock_check_io(c, req, o, off, len, 0);
	if (req->brl_status != 0)
		return req->brl_status;
	/*
	 * What the page cache holds is answered here; the rest runs in the
	 * thread pool: a lone READ answers when it is done; one in a chain,
	 * or after a lock check, parks the chain.
	 */
	if (smb2_rw_park_ok(c, o) && smb2_read_cached(req, o, off, len,
	    mincount) == 0)
		return NT_STATUS_SUCCESS;
	if (smb2_rw_park_ok(c, o)) {
		if (!req->brl_checked && smb2_rw_async_ok(c, req, o)) {
			if (smb2_read_async(c, req, o, off, len, mincount) == 0)
				return SMB2_NO_RESPONSE;
		} else if (smb2_read_park(c, req, o, off, len, mincount) == 0)
			return SMB2_DEFER;
		/*
		 * No descriptor for the IO thread: a READ needs no order
		 * among others, so it is served here.
		 */
	}
	/* A worker without IO threads reads here. */
	if (o->stream != NULL)
		return smb2_stream_read(req, o, len, off, mincount);
	wbuf_reset(req->out);
	smb2_read_reply(req->out, 0);
	hdroff = wbuf_len(req->out);
	if (wbuf_put_zero(req->out, len) == -1)
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	do {
		n = pread(o->fd, wbuf_data(req->out) + hdroff, len,
		    (off_t)off);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return ntstatus_from_errno(errno);
	if ((n == 0 && len > 0) || (uint32_t)n < mincount)
		return NT_STATUS_END_OF_FILE;
	/* Shrink to what was read. */
	req->out->len = hdroff + (size_t)n;
	wbuf_set_u32le(req->out, 4, (uint32_t)n);
	o->position = off + (uint64_t)n;
	return NT_STATUS_SUCCESS;
}

/* MAXFILESIZE of MS-FSA 2.1.5.3: 16 TiB less 64 KiB. */
#define SMB2_MAX_FILE_SIZE	0xfffffff0000ULL

uint32_t
smb2_cmd_write(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_open *o;
	struct rbuf r = req->body, data;
	uint16_t ssize, dataoff, chaninfo_off, chaninfo_len;
	uint32_t len, channel, remaining, flags;
	uint64_t off;
	uint8_t id[16];
	int append = 0, datasync;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u16le(&r, &dataoff);
	rbuf_get_u32le(&r, &len);
	rbuf_get_u64le(&r, &off);
	rbuf_get_bytes(&r, id, 16);
	rbuf_get_u32le(&r, &channel);
	rbuf_get_u32le(&r, &remaining);
	rbuf_get_u16le(&r, &chaninfo_off);
	rbuf_get_u16le(&r, &chaninfo_len);
	rbuf_get_u32le(&r, &flags);
	if (rbuf_error(&r))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	if (len > c->max_write || !smb2_charge_ok(c, req, len))
		return NT_STATUS_INVALID_PARAMETER;
	if (len > 0 && rbuf_sub(&req->msg, dataoff, len, &data) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if (len == 0)
		rbuf_init(&data, NULL, 0);
	if (o->pipe != NULL)
		return smb2_pipe_write(c, req, o, &data);
	if (o->is_dir)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (!(o->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
		return NT_STATUS_ACCESS_DENIED;
	if (o->stream != NULL) {
		/* An append-only handle writes at the end of the stream. */
		append = off == UINT64_MAX || !(o->access & FILE_WRITE_DATA);
		if (o->brl && !req->brl_checked)
			return smb2_lock_check_io(c, req, o, off, len, 1);
		if (req->brl_status != 0)
			return req->brl_status;
	} else {
		/*
		 * An append-only handle always writes at the end; for any
		 * other handle an offset of -1 is just out of range, as on
		 * Windows.
		 */
		if (!(o->access & FILE_WRITE_DATA)) {
			struct stat st;

			if (fstat(o->fd, &st) == -1)
				return ntstatus_from_errno(errno);
			off = (uint64_t)st.st_size;
			append = 1;
		}
		if (off > INT64_MAX || len > INT64_MAX - off)
			return NT_STATUS_INVALID_PARAMETER;
		/* NTFS's largest file size bounds what a write may reach. */
		if (len > 0 && off + len > SMB2_MAX_FILE_SIZE)
			return NT_STATUS_INVALID_PARAMETER;
		/*
		 * Byte-range locks on the file: lockd clears the range
		 * first.  An append's range is where the end of the file is
		 * now.
		 */
		if (o->brl && !req->brl_checked)
			return smb2_lock_check_io(c, req, o, off, len, 1);
		if (req->brl_status != 0)
			return req->brl_status;
		/* The write time moves later, or not at all (smb2_wtime.c). */
		if (len > 0)
			smb2_wt_write(c, o);
	}
	/* Level II oplocks of the file break (smb2_oplock.c). */
	smb2_oplock_wrote(o);
	/*
	 * Write-through and unbuffered writes are on disk before we answer,
	 * and every write with "sync always"; "strict sync = no" makes the
	 * server ignore the client's requests to sync (as in Samba).
	 */
	datasync = (flags & (SMB2_WRITEFLAG_WRITE_THROUGH |
	    SMB2_WRITEFLAG_WRITE_UNBUFFERED)) || (o->create_options &
	    (FILE_WRITE_THROUGH | FILE_NO_INTERMEDIATE_BUFFERING)) ||
	    o->tree->ss->share->sync_always;
	if (!o->tree->ss->share->strict_sync)
		datasync = 0;
	/*
	 * The IO runs in the thread pool: a lone WRITE answers when it is
	 * done; one in a chain, or after a lock check, parks the chain.  An
	 * append finds the end of the file when it runs, after every append
	 * before it (a serial job).
	 */
	if (smb2_rw_park_ok(c, o)) {
		if (!req->brl_checked && smb2_rw_async_ok(c, req, o)) {
			if (smb2_write_async(c, req, o, off, &data, datasync,
			    append) == 0)
				return SMB2_NO_RESPONSE;
		} else if (smb2_write_park(c, req, o, off, &data, datasync,
		    append) == 0)
			return SMB2_DEFER;
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	/* A worker without IO threads writes here. */
	if (o->stream != NULL)
		return smb2_stream_write(req, o, &data, off, datasync);
	/*
	 * Write everything or fail: a short write is retried, and nothing
	 * is reported as written that did not reach the file.
	 */
	if (pwrite_full(o->fd, rbuf_cur(&data), len, off) == -1)
		return ntstatus_from_errno(errno);
	if (datasync && fdatasync(o->fd) == -1)
		return ntstatus_from_errno(errno);
	o->position = off + len;
	wbuf_reset(req->out);
	smb2_write_reply(req->out, len);
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_cmd_flush(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_open *o;
	struct rbuf r = req->body;
	uint16_t ssize, res1;
	uint32_t res2;
	uint8_t id[16];

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u16le(&r, &res1);
	rbuf_get_u32le(&r, &res2);
	rbuf_get_bytes(&r, id, 16);
	if (rbuf_error(&r))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	if (o->pipe == NULL) {
		if (!(o->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
			return NT_STATUS_ACCESS_DENIED;
		smb2_wt_flush(o);
		/* "strict sync = no": a FLUSH is answered without a sync. */
		if (!o->tree->ss->share->strict_sync)
			goto reply;
		if (smb2_rw_park_ok(c, o)) {
			if (smb2_rw_async_ok(c, req, o)) {
				if (smb2_flush_async(c, req, o) == 0)
					return SMB2_NO_RESPONSE;
			} else if (smb2_flush_park(c, req, o) == 0)
				return SMB2_DEFER;
			return NT_STATUS_INSUFFICIENT_RESOURCES;
		}
		if (fsync(o->fd) == -1)
			return ntstatus_from_errno(errno);
	}
 reply:
	wbuf_reset(req->out);
	smb2_flush_reply(req->out);
	return NT_STATUS_SUCCESS;
}

