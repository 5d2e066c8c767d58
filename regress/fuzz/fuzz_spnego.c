/*
 * libFuzzer target: SPNEGO token parsing, and building an answer from
 * whatever was parsed.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "buf.h"
#include "spnego.h"

FUZZ_TARGET(spnego, data, len)
{
	struct spnego_token t;
	struct wbuf w;

	if (spnego_parse(data, len, &t) == -1)
		return 0;
	wbuf_init(&w, 1 << 20);
	spnego_build_resp(&w, t.neg_state, t.supported_mech, t.mech_token,
	    t.mech_token_len, t.mic, t.mic_len);
	wbuf_free(&w);
	return 0;
}
