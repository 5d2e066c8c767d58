/*
 * libFuzzer target for the create context parser: any input either
 * parses or is refused with INVALID_PARAMETER, and what it reports lies
 * within the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "ntstatus.h"
#include "smb2_cctx.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb2_cctx cc;
	struct rbuf r;
	uint32_t status;

	rbuf_init(&r, data, size);
	status = smb2_cctx_parse(&r, 0, (uint32_t)size, &cc);
	if (status != NT_STATUS_SUCCESS) {
		if (status != NT_STATUS_INVALID_PARAMETER)
			abort();
		return 0;
	}
	if (rbuf_left(&cc.secd) > size || rbuf_left(&cc.exta) > size)
		abort();
	return 0;
}
