/*
 * usmbd-lockd: the shared state and the request protocol.
 *
 * Every request is { u32 op, u64 request id, op-specific body } and gets
 * exactly one reply { u32 op, u64 request id, u32 NTSTATUS, body }, so a
 * worker can match replies to requests even when they are answered out
 * of order (a share-mode wait, later an oplock break).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ipc.h"
#include "lockd.h"
#include "lockd_proto.h"
#include "lockd_share.h"
#include "log.h"

static void	lockd_reply(struct lockd_peer *, uint32_t, uint64_t, uint32_t,
		    const void *, size_t);

void
lockd_state_init(void)
{
}

/* The body of LOCKD_OP_OPEN; see lockd_proto.h. */
static void
lockd_op_open(struct lockd_peer *p, uint64_t reqid, struct rbuf *r)
{
	uint64_t dev, ino, handle = 0;
	uint32_t access, share, flags, status;
	uint16_t namelen;
	const uint8_t *name;
	char stream[LOCKD_MAX_STREAM_NAME + 1];
	uint8_t body[8];

	rbuf_get_u64le(r, &dev);
	rbuf_get_u64le(r, &ino);
	rbuf_get_u32le(r, &access);
	rbuf_get_u32le(r, &share);
	rbuf_get_u32le(r, &flags);
	rbuf_get_u16le(r, &namelen);
	if (rbuf_error(r) || namelen > LOCKD_MAX_STREAM_NAME ||
	    rbuf_get_ptr(r, &name, namelen) == -1 || rbuf_left(r) != 0 ||
	    memchr(name, '\0', namelen) != NULL) {
		lockd_reply(p, LOCKD_OP_OPEN, reqid,
		    LOCKD_STATUS_INVALID_PARAMETER, NULL, 0);
		return;
	}
	memcpy(stream, name, namelen);
	stream[namelen] = '\0';
	status = lockd_share_open(p->id, dev, ino, stream, access, share,
	    flags, &handle);
	memcpy(body, &handle, 8);
	lockd_reply(p, LOCKD_OP_OPEN, reqid, status, body, sizeof(body));
}

static void
lockd_op_handle(struct lockd_peer *p, uint32_t op, uint64_t reqid,
    struct rbuf *r)
{
	uint64_t handle;
	uint32_t on = 0, status, a = 0, b = 0;
	uint8_t body[8];
	size_t blen = 0;

	rbuf_get_u64le(r, &handle);
	if (op == LOCKD_OP_SET_DELETE)
		rbuf_get_u32le(r, &on);
	if (rbuf_error(r) || rbuf_left(r) != 0) {
		lockd_reply(p, op, reqid, LOCKD_STATUS_INVALID_PARAMETER,
		    NULL, 0);
		return;
	}
	switch (op) {
	case LOCKD_OP_CLOSE:
		status = lockd_share_close(p->id, handle, &a);
		memcpy(body, &a, 4);
		blen = 4;
		break;
	case LOCKD_OP_SET_DELETE:
		status = lockd_share_set_delete(p->id, handle, on != 0);
		break;
	case LOCKD_OP_RENAME_CHECK:
		status = lockd_share_rename_check(p->id, handle);
		break;
	default:
		status = lockd_share_query(p->id, handle, &a, &b);
		memcpy(body, &a, 4);
		memcpy(body + 4, &b, 4);
		blen = 8;
		break;
	}
	lockd_reply(p, op, reqid, status, body, blen);
}

static void
lockd_reply(struct lockd_peer *p, uint32_t op, uint64_t reqid,
    uint32_t status, const void *body, size_t len)
{
	uint8_t mem[256];
	struct wbuf w;

	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u32le(&w, op);
	wbuf_put_u64le(&w, reqid);
	wbuf_put_u32le(&w, status);
	wbuf_put_bytes(&w, body, len);
	if (wbuf_error(&w) ||
	    ipc_chan_send(p->chan, IPC_LOCKD_REPLY, p->id, -1, wbuf_data(&w),
	    wbuf_len(&w)) == -1)
		log_warnx("lockd peer %u: cannot send reply", p->id);
}

void
lockd_handle_request(struct lockd_peer *p, struct ipc_msg *m)
{
	struct rbuf r;
	uint32_t op;
	uint64_t reqid;

	if (m->fd != -1)
		close(m->fd);
	rbuf_init(&r, m->data, m->hdr.len);
	rbuf_get_u32le(&r, &op);
	rbuf_get_u64le(&r, &reqid);
	switch (op) {
	case LOCKD_OP_PING:
		lockd_reply(p, op, reqid, LOCKD_STATUS_OK, NULL, 0);
		break;
	case LOCKD_OP_OPEN:
		lockd_op_open(p, reqid, &r);
		break;
	case LOCKD_OP_CLOSE:
	case LOCKD_OP_SET_DELETE:
	case LOCKD_OP_RENAME_CHECK:
	case LOCKD_OP_QUERY:
		lockd_op_handle(p, op, reqid, &r);
		break;
	default:
		log_warnx("lockd peer %u: unknown operation %u", p->id, op);
		lockd_reply(p, op, reqid, LOCKD_STATUS_NOT_SUPPORTED, NULL, 0);
		break;
	}
}

void
lockd_peer_release(struct lockd_peer *p)
{
	size_t n;

	if ((n = lockd_share_release_peer(p->id)) > 0)
		log_info("worker of connection %u ended with %zu opens; "
		    "released", p->id, n);
}
