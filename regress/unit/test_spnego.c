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

/*
 * The krb5 mechanism's framing: an AP-REP round trip, an AP-REQ whose
 * Ticket is found, the MS OID accepted, and every truncation refused.
 */
static void
test_krb5(void)
{
	/* [APPLICATION 14] SEQUENCE { [0] 5, [3] Ticket (a stand-in) } */
	static const uint8_t apreq[] = { 0x6e, 0x0d, 0x30, 0x0b, 0xa0, 0x03,
	    0x02, 0x01, 0x05, 0xa3, 0x04, 0x61, 0x02, 0x30, 0x00 };
	static const uint8_t ms[] = { 0x60, 0x0f, 0x06, 0x09, 0x2a, 0x86,
	    0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01, 0x00, 0x6e,
	    0x00 };
	enum spnego_mech mech;
	const uint8_t *msg, *tk;
	size_t msglen, tklen, i;
	struct wbuf w;

	wbuf_init(&w, 1024);
	CHECK(spnego_krb5_wrap(&w, KRB5_TOK_AP_REQ, apreq,
	    sizeof(apreq)) == 0);
	CHECK(spnego_krb5_unwrap(wbuf_data(&w), wbuf_len(&w),
	    KRB5_TOK_AP_REQ, &mech, &msg, &msglen) == 0);
	CHECK(mech == SPNEGO_MECH_KRB5 && msglen == sizeof(apreq) &&
	    memcmp(msg, apreq, sizeof(apreq)) == 0);
	CHECK(spnego_krb5_unwrap(wbuf_data(&w), wbuf_len(&w),
	    KRB5_TOK_AP_REP, &mech, &msg, &msglen) == -1);
	for (i = 0; i < wbuf_len(&w); i++)
		CHECK(spnego_krb5_unwrap(wbuf_data(&w), i, KRB5_TOK_AP_REQ,
		    &mech, &msg, &msglen) == -1);
	CHECK(spnego_krb5_ap_req_ticket(apreq, sizeof(apreq), &tk,
	    &tklen) == 0 && tklen == 4 && tk[0] == 0x61);
	for (i = 0; i < sizeof(apreq); i++)
		CHECK(spnego_krb5_ap_req_ticket(apreq, i, &tk, &tklen) == -1);
	CHECK(spnego_krb5_unwrap(ms, sizeof(ms), KRB5_TOK_AP_REQ, &mech,
	    &msg, &msglen) == 0 && mech == SPNEGO_MECH_MSKRB5);
	/* NTLMSSP's OID is not a Kerberos token. */
	wbuf_reset(&w);
	CHECK(spnego_build_resp(&w, 0, SPNEGO_MECH_KRB5, apreq,
	    sizeof(apreq), NULL, 0) == 0);
	CHECK(spnego_krb5_unwrap(wbuf_data(&w), wbuf_len(&w),
	    KRB5_TOK_AP_REQ, &mech, &msg, &msglen) == -1);
	wbuf_free(&w);
}

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
	test_krb5();
	return unit_done();
}
