/*
 * libFuzzer target: the user.DOSATTRIB decoder.  A blob that decodes
 * must survive an encode and decode round trip with its attributes and
 * create time intact.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "meta.h"

FUZZ_TARGET(dosattrib, data, len)
{
	struct meta_dosinfo di, back;
	uint8_t buf[META_DOSATTRIB_MAX];
	size_t n;

	if (meta_dosattrib_decode(data, len, &di) == -1)
		return 0;
	if ((n = meta_dosattrib_encode(&di, buf, sizeof(buf))) == 0)
		abort();
	if (meta_dosattrib_decode(buf, n, &back) == -1 ||
	    back.attrib != di.attrib || back.create_time != di.create_time)
		abort();
	return 0;
}
