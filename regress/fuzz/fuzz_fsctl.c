/*
 * libFuzzer target for the file-system control parsers: the first byte
 * picks the structure, the rest is the IOCTL input buffer.  Whatever
 * parses must stay within the input, and the copy limits check and the
 * encoders must hold their sizes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "buf.h"
#include "smb2_fsctl.h"

FUZZ_TARGET(fsctl, data, size)
{
	struct fsctl_copychunk cc;
	struct fsctl_chunk ch;
	struct fsctl_trim t;
	struct fsctl_range rg;
	struct rbuf r;
	struct wbuf w;
	uint64_t total = 0;
	uint32_t i;
	uint16_t fmt;
	char *s;

	if (size < 1)
		return 0;
	rbuf_init(&r, data + 1, size - 1);
	switch (data[0] % 6) {
	case 0:
		if (fsctl_copychunk_parse(&r, &cc) == -1)
			break;
		if (FSCTL_COPYCHUNK_HDR_LEN + (size_t)cc.nchunks *
		    FSCTL_COPYCHUNK_CHUNK_LEN > size - 1)
			abort();
		for (i = 0; i < cc.nchunks; i++) {
			if (fsctl_copychunk_get(&cc, i, &ch) == -1)
				abort();
			total += ch.len;
		}
		if (fsctl_copychunk_get(&cc, cc.nchunks, &ch) == 0)
			abort();
		if (fsctl_copychunk_check(&cc) == 0 &&
		    (cc.nchunks > FSCTL_COPYCHUNK_MAX_CHUNKS ||
		    total > FSCTL_COPYCHUNK_MAX_DATA_SIZE))
			abort();
		break;
	case 1:
		if (fsctl_qar_parse(&r, &rg) == 0 &&
		    (rg.off + rg.len < rg.off || size - 1 < FSCTL_RANGE_LEN))
			abort();
		break;
	case 2:
		if (fsctl_zero_data_parse(&r, &rg) == 0 &&
		    (rg.off + rg.len < rg.off || size - 1 < FSCTL_RANGE_LEN))
			abort();
		break;
	case 3:
		(void)fsctl_set_sparse_parse(&r);
		(void)fsctl_compression_parse(&r, &fmt);
		break;
	case 4:
		if (fsctl_trim_parse(&r, &t) == -1)
			break;
		for (i = 0; i < t.nranges; i++)
			if (fsctl_trim_get(&t, i, &rg) == -1)
				abort();
		break;
	default:
		/* The bytes as a link target. */
		if ((s = malloc(size)) == NULL)
			return 0;
		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		wbuf_init(&w, 1 << 18);
		if (fsctl_symlink_reparse(&w, s) == 0 &&
		    wbuf_len(&w) < 20 + 4 * strlen(s) / 3)
			abort();
		wbuf_free(&w);
		free(s);
		break;
	}
	return 0;
}
