/*
 * libFuzzer target for the frame reassembler.  The first byte picks the
 * chunk size the stream is fed in (1 to 256) and the second the maximum
 * frame size (in 16-byte units); the rest is the byte stream.  Every
 * frame must lie within the maximum, and the reassembler must consume
 * exactly what it reports.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "smb_frame.h"

FUZZ_TARGET(smb_frame, data, size)
{
	struct smb_frame_rx rx;
	uint8_t *frame, *stolen;
	size_t chunk, max, off, n, used, len, slen;
	const char *why;
	int r;

	if (size < 2)
		return 0;
	chunk = (size_t)data[0] + 1;
	max = (size_t)data[1] * 16 + 1;
	data += 2;
	size -= 2;
	smb_frame_rx_init(&rx, max);
	for (off = 0; off < size; ) {
		n = size - off < chunk ? size - off : chunk;
		r = smb_frame_rx_feed(&rx, data + off, n, &used, &frame, &len,
		    &why);
		if (used > n)
			abort();
		off += used;
		if (r < 0) {
			if (why == NULL)
				abort();
			break;
		}
		if (r == SMB_FRAME_MSG) {
			if (len == 0 || len > max || frame == NULL)
				abort();
			/* Touch every byte so ASan sees the bounds. */
			for (n = 0; n < len; n++)
				if (frame[n] != data[off - len + n])
					abort();
			if (data[0] & 1) {
				stolen = smb_frame_rx_steal(&rx, &slen);
				if (stolen == NULL || slen != len)
					abort();
				free(stolen);
			}
		} else if (r == SMB_FRAME_NONE && used != n)
			abort();
	}
	smb_frame_rx_free(&rx);
	return 0;
}
