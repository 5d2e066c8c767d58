/*
 * libFuzzer target: the FILE_FULL_EA_INFORMATION and
 * FILE_GET_EA_INFORMATION parsers (SET_INFO FileFullEaInformation, the
 * ExtA create context and the EaList of QUERY_INFO).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "meta.h"
#include "ntstatus.h"

FUZZ_TARGET(ea, data, len)
{
	struct meta_ea *eas;
	size_t n, i;
	uint32_t off;

	if (meta_ea_parse_full(data, len, &eas, &n, &off) ==
	    NT_STATUS_SUCCESS) {
		for (i = 0; i < n; i++) {
			if (!meta_ea_name_valid(eas[i].name,
			    strlen(eas[i].name)))
				abort();
			if (eas[i].value_len > 0 && (eas[i].value < data ||
			    eas[i].value + eas[i].value_len > data + len))
				abort();
		}
		free(eas);
	} else if (off > len)
		abort();
	if (meta_ea_parse_get(data, len, &eas, &n, &off) ==
	    NT_STATUS_SUCCESS)
		free(eas);
	return 0;
}
