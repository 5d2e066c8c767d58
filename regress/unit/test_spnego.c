/*
 * Unit tests for the SPNEGO layer: round trips of what the server builds,
 * a NegTokenInit as impacket sends it, and malformed tokens cut at every
 * byte.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "spnego.h"
#include "unit.h"

/*
 * NegTokenInit with mechTypes { NTLMSSP } and an NTLMSSP NEGOTIATE as
 * mechToken, as impacket 0.10 sends it (captured from the client).
 */
static const char impacket_init[] =
    "604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a04"
    "284e544c4d5353500001000000358288e2000000000000000000000000000000000"
    "6010000000000000f";

int
main(void)
{
	static const enum spnego_mech mechs[] = { SPNEGO_MECH_NTLMSSP };
	static const uint8_t tok[] = "NTLMSSP\0\2\0\0\0challenge";
	static const uint8_t mic[16] = { 1, 2, 3 };
	struct spnego_token t;
	struct wbuf w;
	uint8_t buf[512];
	size_t n, i;

	wbuf_init(&w, 4096);
	CHECK(spnego_build_init2(&w, mechs, 1) == 0);
	CHECK(spnego_parse(wbuf_data(&w), wbuf_len(&w), &t) == 0);
	CHECK(t.kind == SPNEGO_INIT && t.nmechs == 1 &&
	    t.mechs[0] == SPNEGO_MECH_NTLMSSP);
	CHECK(t.mechlist_len == 14);
	for (i = 0; i < wbuf_len(&w); i++)
		CHECK(spnego_parse(wbuf_data(&w), i, &t) == -1);

	wbuf_reset(&w);
	CHECK(spnego_build_resp(&w, SPNEGO_ACCEPT_INCOMPLETE,
	    SPNEGO_MECH_NTLMSSP, tok, sizeof(tok), mic, sizeof(mic)) == 0);
	CHECK(spnego_parse(wbuf_data(&w), wbuf_len(&w), &t) == 0);
	CHECK(t.kind == SPNEGO_RESP && t.neg_state == 1 &&
	    t.supported_mech == SPNEGO_MECH_NTLMSSP);
	CHECK(t.mech_token_len == sizeof(tok) &&
	    memcmp(t.mech_token, tok, sizeof(tok)) == 0);
	CHECK(t.mic_len == 16 && memcmp(t.mic, mic, 16) == 0);
	for (i = 0; i < wbuf_len(&w); i++)
		CHECK(spnego_parse(wbuf_data(&w), i, &t) == -1);

	/* A long token needs the long length forms. */
	wbuf_free(&w);
	wbuf_init(&w, 1 << 20);
	{
		static uint8_t big[70000];

		memcpy(big, "NTLMSSP", 7);
		CHECK(spnego_build_resp(&w, -1, SPNEGO_MECH_NONE, big,
		    sizeof(big), NULL, 0) == 0);
		CHECK(spnego_parse(wbuf_data(&w), wbuf_len(&w), &t) == 0 &&
		    t.mech_token_len == sizeof(big) && t.neg_state == -1);
	}

	n = unit_unhex(impacket_init, buf, sizeof(buf));
	CHECK(spnego_parse(buf, n, &t) == 0);
	CHECK(t.kind == SPNEGO_INIT && t.mechs[0] == SPNEGO_MECH_NTLMSSP);
	CHECK(t.mech_token != NULL && t.mech_token_len == 40 &&
	    memcmp(t.mech_token, "NTLMSSP", 8) == 0);

	/* Raw NTLMSSP passes through; garbage and indefinite lengths fail. */
	CHECK(spnego_parse(tok, sizeof(tok), &t) == 0 &&
	    t.kind == SPNEGO_RAW_NTLMSSP);
	CHECK(spnego_parse((const uint8_t *)"\x60\x80\x06\x00", 4, &t) == -1);
	CHECK(spnego_parse((const uint8_t *)"\x60\x85\xff\xff\xff\xff\xff",
	    7, &t) == -1);
	CHECK(spnego_parse((const uint8_t *)"\xa1\x02\x30\x00", 4, &t) == 0);
	wbuf_free(&w);
	return unit_done();
}
