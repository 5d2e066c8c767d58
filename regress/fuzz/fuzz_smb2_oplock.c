/*
 * libFuzzer target for the SMB2 OPLOCK_BREAK acknowledgment parser: the
 * input is the body of an OPLOCK_BREAK request.  What parses must have
 * been at least 24 bytes with StructureSize 24, and must encode back to
 * the same level and FileId.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "buf.h"
#include "oplock_wire.h"

FUZZ_TARGET(smb2_oplock, data, size)
{
	struct smb2_oplock_ack a, b;
	struct rbuf r;
	struct wbuf w;

	rbuf_init(&r, data, size);
	if (smb2_oplock_ack_parse(&r, &a) == -1)
		return 0;
	if (size < SMB2_OPLOCK_BREAK_LEN || data[0] != 24 || data[1] != 0)
		abort();
	wbuf_init(&w, SMB2_OPLOCK_BREAK_LEN);
	smb2_oplock_break_body(&w, a.level, a.file_id);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	if (wbuf_error(&w) || smb2_oplock_ack_parse(&r, &b) == -1 ||
	    b.level != a.level || memcmp(a.file_id, b.file_id, 16) != 0)
		abort();
	wbuf_free(&w);
	return 0;
}
