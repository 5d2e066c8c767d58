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
#include "log.h"

void
lockd_state_init(void)
{
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
	default:
		log_warnx("lockd peer %u: unknown operation %u", p->id, op);
		lockd_reply(p, op, reqid, LOCKD_STATUS_NOT_SUPPORTED, NULL, 0);
		break;
	}
}

void
lockd_peer_release(struct lockd_peer *p)
{
}
