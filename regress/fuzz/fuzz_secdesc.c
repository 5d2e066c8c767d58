/*
 * libFuzzer target for the security descriptor parser: any input either
 * parses or is refused with INVALID_SECURITY_DESCR; what parses
 * marshals again, parses again to the same parts, and maps to POSIX
 * ACLs and back without trouble.  The input also feeds the POSIX ACL
 * xattr parser.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "buf.h"
#include "ntstatus.h"
#include "secdesc.h"

FUZZ_TARGET(secdesc, data, size)
{
	struct secdesc sd, sd2, back;
	struct sid_map m = { { 1, 2, 3 } };
	struct pacl acc, def;
	struct wbuf w;
	uint32_t status;

	if (pacl_parse(data, size, &acc) == 0) {
		wbuf_init(&w, 65536);
		if (pacl_put(&w, &acc) == -1 || wbuf_len(&w) != size)
			abort();
		wbuf_free(&w);
	}
	status = secdesc_parse(data, size, &sd);
	if (status != NT_STATUS_SUCCESS) {
		if (status != NT_STATUS_INVALID_SECURITY_DESCR)
			abort();
		return 0;
	}
	wbuf_init(&w, 1 << 20);
	if (secdesc_put(&w, &sd, SECINFO_OWNER | SECINFO_GROUP |
	    SECINFO_DACL | SECINFO_SACL) == -1)
		abort();
	if (secdesc_parse(wbuf_data(&w), wbuf_len(&w), &sd2) !=
	    NT_STATUS_SUCCESS)
		abort();
	if (sd2.has_owner != sd.has_owner || sd2.has_group != sd.has_group ||
	    sd2.dacl_present != sd.dacl_present ||
	    sd2.dacl_null != sd.dacl_null ||
	    (sd.has_owner && !sid_eq(&sd.owner, &sd2.owner)))
		abort();
	if (secdesc_to_posix(&m, &sd, 1000, 100, 1, &acc, &def) ==
	    NT_STATUS_SUCCESS) {
		if (acc.n < 3 || acc.n > PACL_MAX || def.n > PACL_MAX)
			abort();
		secdesc_from_posix(&m, 1000, 100, 1, &acc, &def, &back);
		secdesc_free(&back);
	}
	secdesc_free(&sd2);
	secdesc_free(&sd);
	wbuf_free(&w);
	return 0;
}
