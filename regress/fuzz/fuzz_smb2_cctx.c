/*
 * libFuzzer target for the create context parser: any input either
 * parses or is refused with INVALID_PARAMETER, and what it reports lies
 * within the input.  An ExtA context then goes through the EA list
 * parser, as CREATE sends it (smb2_meta_create_eas).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "buf.h"
#include "meta.h"
#include "ntstatus.h"
#include "smb2_cctx.h"

FUZZ_TARGET(smb2_cctx, data, size)
{
	struct smb2_cctx cc;
	struct meta_ea *eas;
	const uint8_t *p;
	struct rbuf r;
	uint32_t status, off;
	size_t n, i, len;

	rbuf_init(&r, data, size);
	status = smb2_cctx_parse(&r, 0, (uint32_t)size, &cc);
	if (status != NT_STATUS_SUCCESS) {
		if (status != NT_STATUS_INVALID_PARAMETER)
			abort();
		return 0;
	}
	if (rbuf_left(&cc.secd) > size || rbuf_left(&cc.exta) > size)
		abort();
	len = rbuf_left(&cc.exta);
	if (!(cc.seen & SMB2_CCTX_EXTA) ||
	    rbuf_get_ptr(&cc.exta, &p, len) == -1)
		return 0;
	if (meta_ea_parse_full(p, len, &eas, &n, &off) != NT_STATUS_SUCCESS)
		return 0;
	/* Every value lies within the context's data. */
	for (i = 0; i < n; i++)
		if (eas[i].value_len > 0 && (eas[i].value < p ||
		    eas[i].value + eas[i].value_len > p + len))
			abort();
	free(eas);
	return 0;
}
