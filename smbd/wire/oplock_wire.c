/*
 * The SMB2 OPLOCK_BREAK messages on the wire (MS-SMB2 2.2.23.1, 2.2.24.1,
 * 2.2.25.1): StructureSize 24, OplockLevel, Reserved, Reserved2 and the
 * FileId, the same 24 bytes in all three.  The lease messages and the
 * lease create contexts follow: see oplock_wire.h.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "oplock_wire.h"

int
smb2_oplock_ack_parse(const struct rbuf *body, struct smb2_oplock_ack *a)
{
	struct rbuf r = *body;
	uint16_t ssize;
	uint8_t reserved;
	uint32_t reserved2;

	memset(a, 0, sizeof(*a));
	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u8(&r, &a->level);
	rbuf_get_u8(&r, &reserved);
	rbuf_get_u32le(&r, &reserved2);
	rbuf_get_bytes(&r, a->file_id, sizeof(a->file_id));
	if (rbuf_error(&r) || ssize != SMB2_OPLOCK_BREAK_LEN) {
		memset(a, 0, sizeof(*a));
		return -1;
	}
	return 0;
}

void
smb2_oplock_break_body(struct wbuf *w, uint8_t level,
    const uint8_t file_id[16])
{
	wbuf_reset(w);
	wbuf_put_u16le(w, SMB2_OPLOCK_BREAK_LEN);
	wbuf_put_u8(w, level);
	wbuf_put_u8(w, 0);		/* Reserved */
	wbuf_put_u32le(w, 0);		/* Reserved2 */
	wbuf_put_bytes(w, file_id, 16);
}

int
smb2_lease_ctx_parse(const struct rbuf *data, int v2_allowed,
    struct smb2_lease_req *l)
{
	struct rbuf r = *data;
	size_t len = rbuf_left(data);
	uint64_t duration;
	uint16_t reserved;

	memset(l, 0, sizeof(*l));
	if (len != SMB2_LEASE_V1_LEN && len != SMB2_LEASE_V2_LEN)
		return -1;
	l->version = len == SMB2_LEASE_V2_LEN && v2_allowed ? 2 : 1;
	rbuf_get_bytes(&r, l->key, sizeof(l->key));
	rbuf_get_u32le(&r, &l->state);
	rbuf_get_u32le(&r, &l->flags);
	rbuf_get_u64le(&r, &duration);
	if (l->version == 2) {
		rbuf_get_bytes(&r, l->parent, sizeof(l->parent));
		rbuf_get_u16le(&r, &l->epoch);
		rbuf_get_u16le(&r, &reserved);
	}
	if (rbuf_error(&r)) {
		memset(l, 0, sizeof(*l));
		return -1;
	}
	/* Other bits name no caching (MS-SMB2 2.2.13.2.8). */
	l->state &= SMB2_LEASE_STATES;
	/*
	 * A client's BREAK_IN_PROGRESS means nothing, and a parent key
	 * counts only with its flag, in v2 (smbtorture v2_flags_*).
	 */
	if (l->version == 1)
		l->flags = 0;
	l->flags &= SMB2_LEASE_FLAG_PARENT_KEY_SET;
	if (!(l->flags & SMB2_LEASE_FLAG_PARENT_KEY_SET))
		memset(l->parent, 0, sizeof(l->parent));
	return 0;
}

void
smb2_lease_ctx_body(struct wbuf *w, const struct smb2_lease_req *l)
{
	wbuf_put_bytes(w, l->key, sizeof(l->key));
	wbuf_put_u32le(w, l->state);
	wbuf_put_u32le(w, l->flags);
	wbuf_put_u64le(w, 0);		/* LeaseDuration */
	if (l->version != 2)
		return;
	wbuf_put_bytes(w, l->parent, sizeof(l->parent));
	wbuf_put_u16le(w, l->epoch);
	wbuf_put_u16le(w, 0);		/* Reserved */
}

int
smb2_lease_ack_parse(const struct rbuf *body, struct smb2_lease_ack *a)
{
	struct rbuf r = *body;
	uint16_t ssize, reserved;

	memset(a, 0, sizeof(*a));
	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u16le(&r, &reserved);
	rbuf_get_u32le(&r, &a->flags);
	rbuf_get_bytes(&r, a->key, sizeof(a->key));
	rbuf_get_u32le(&r, &a->state);
	rbuf_get_u64le(&r, &a->duration);
	if (rbuf_error(&r) || ssize != SMB2_LEASE_ACK_LEN) {
		memset(a, 0, sizeof(*a));
		return -1;
	}
	return 0;
}

void
smb2_lease_ack_body(struct wbuf *w, const uint8_t key[16], uint32_t state)
{
	wbuf_reset(w);
	wbuf_put_u16le(w, SMB2_LEASE_ACK_LEN);
	wbuf_put_u16le(w, 0);		/* Reserved */
	wbuf_put_u32le(w, 0);		/* Flags */
	wbuf_put_bytes(w, key, 16);
	wbuf_put_u32le(w, state);
	wbuf_put_u64le(w, 0);		/* LeaseDuration */
}

void
smb2_lease_break_body(struct wbuf *w, uint16_t epoch, uint32_t flags,
    const uint8_t key[16], uint32_t current, uint32_t next)
{
	wbuf_reset(w);
	wbuf_put_u16le(w, SMB2_LEASE_BREAK_LEN);
	wbuf_put_u16le(w, epoch);	/* NewEpoch */
	wbuf_put_u32le(w, flags);
	wbuf_put_bytes(w, key, 16);
	wbuf_put_u32le(w, current);	/* CurrentLeaseState */
	wbuf_put_u32le(w, next);	/* NewLeaseState */
	wbuf_put_u32le(w, 0);		/* BreakReason */
	wbuf_put_u32le(w, 0);		/* AccessMaskHint */
	wbuf_put_u32le(w, 0);		/* ShareMaskHint */
}
