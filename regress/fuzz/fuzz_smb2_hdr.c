/*
 * libFuzzer target for the SMB2 header parser: whatever parses must build
 * back to the same 64 bytes.  The bytes after the header also go through
 * the ERROR body builder as one error context.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "buf.h"
#include "smb2_hdr.h"

FUZZ_TARGET(smb2_hdr, data, size)
{
	struct smb2_error_ctx ctx;
	struct smb2_hdr h;
	struct rbuf r;
	struct wbuf w;

	rbuf_init(&r, data, size);
	if (smb2_hdr_parse(&r, &h) == -1)
		return 0;
	if (rbuf_offset(&r) != SMB2_HEADER_SIZE)
		abort();
	wbuf_init(&w, 1 << 20);
	if (smb2_hdr_build(&w, &h) == -1 || wbuf_len(&w) != SMB2_HEADER_SIZE ||
	    memcmp(wbuf_data(&w), data, SMB2_HEADER_SIZE) != 0)
		abort();
	(void)smb2_command_name(h.command);
	wbuf_reset(&w);
	ctx.error_id = h.status;
	ctx.data = rbuf_cur(&r);
	ctx.len = rbuf_left(&r);
	if (smb2_error_build_ctx(&w, &ctx, 1) == 0 &&
	    wbuf_len(&w) != 8 + 8 + ctx.len)
		abort();
	wbuf_free(&w);
	return 0;
}
