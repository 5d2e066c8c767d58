/*
 * The SMB2 LOCK request on the wire (MS-SMB2 2.2.26): a fixed part of 24
 * bytes and LockCount elements of 24 bytes each.  StructureSize is 48
 * whatever the count, as if one element were part of the fixed part.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "lock_wire.h"

int
smb2_lock_parse(const struct rbuf *body, struct smb2_lock_req *lr)
{
	struct rbuf r = *body;
	uint16_t ssize;

	memset(lr, 0, sizeof(*lr));
	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u16le(&r, &lr->count);
	rbuf_get_u32le(&r, &lr->sequence);
	rbuf_get_bytes(&r, lr->file_id, sizeof(lr->file_id));
	if (rbuf_error(&r))
		return -1;
	/* The elements follow the 24 bytes read so far. */
	if (rbuf_sub(body, body->off + 24,
	    (size_t)lr->count * SMB2_LOCK_ELEMENT_LEN, &lr->elems) == -1)
		return -1;
	return 0;
}

void
smb2_lock_elem_get(const struct smb2_lock_req *lr, size_t i,
    struct smb2_lock_elem *e)
{
	struct rbuf r;
	uint32_t reserved;

	memset(e, 0, sizeof(*e));
	if (i >= lr->count ||
	    rbuf_sub(&lr->elems, i * SMB2_LOCK_ELEMENT_LEN,
	    SMB2_LOCK_ELEMENT_LEN, &r) == -1)
		return;
	rbuf_get_u64le(&r, &e->off);
	rbuf_get_u64le(&r, &e->len);
	rbuf_get_u32le(&r, &e->flags);
	rbuf_get_u32le(&r, &reserved);
}
