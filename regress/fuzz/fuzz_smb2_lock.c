/*
 * libFuzzer target for the SMB2 LOCK request parser: the input is a
 * LOCK body.  Whatever parses must stay within the input, and every
 * element it announces must be readable.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "buf.h"
#include "smb2_lock.h"

FUZZ_TARGET(smb2_lock, data, size)
{
	struct smb2_lock_req lr;
	struct smb2_lock_elem e;
	struct rbuf r;
	uint64_t sum = 0;
	size_t i;

	rbuf_init(&r, data, size);
	if (smb2_lock_parse(&r, &lr) == -1)
		return 0;
	if (24 + (size_t)lr.count * SMB2_LOCK_ELEMENT_LEN > size)
		abort();
	for (i = 0; i < lr.count; i++) {
		smb2_lock_elem_get(&lr, i, &e);
		sum += e.off ^ e.len ^ e.flags;
	}
	/* Past the count: nothing. */
	smb2_lock_elem_get(&lr, lr.count, &e);
	if (e.off != 0 || e.len != 0 || e.flags != 0)
		abort();
	return sum == 1 ? 0 : 0;
}
