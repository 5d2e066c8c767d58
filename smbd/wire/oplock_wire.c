/*
 * The SMB2 OPLOCK_BREAK messages on the wire (MS-SMB2 2.2.23.1, 2.2.24.1,
 * 2.2.25.1): StructureSize 24, OplockLevel, Reserved, Reserved2 and the
 * FileId, the same 24 bytes in all three.  A lease acknowledgment has
 * StructureSize 36 and is not parsed here.
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
