/*
 * libFuzzer target for the NTLMSSP server: NEGOTIATE, AUTHENTICATE parsing
 * and verification with a fixed NT hash.
 *
 * Input: one mode byte, then
 *   mode even: u16le length n, n bytes of NEGOTIATE, the rest AUTHENTICATE;
 *   mode odd:  the whole rest is an AUTHENTICATE answering a fixed NEGOTIATE.
 * The server challenge is fixed to the MS-NLMP 4.2.1 value so that the spec's
 * AUTHENTICATE_MESSAGE (a seed) verifies and the key paths are reached.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "buf.h"
#include "log.h"
#include "ntlmssp.h"


/* Rejecting bad input is the normal case here: keep the log quiet. */
static void
fuzz_log(int level, const char *line)
{
	(void)level;
	(void)line;
}

static const uint8_t fixed_negotiate[] = {
	'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0,
	0x37, 0x82, 0x88, 0xe2, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x00, 0x63, 0x45, 0, 0, 0, 0x0f
};
static const uint8_t fixed_challenge[8] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef
};
/* NTOWFv1("Password"), MS-NLMP 4.2.2.1.2. */
static const uint8_t fixed_hash[16] = {
	0xa4, 0xf4, 0x9c, 0x40, 0x65, 0x10, 0xbd, 0xca,
	0xb6, 0x82, 0x4e, 0xe7, 0xc3, 0x0f, 0xd8, 0x52
};

FUZZ_TARGET(ntlmssp, data, size)
{
	static int init;
	struct ntlmssp_server_cfg cfg = {
		.netbios_domain = "WORKGROUP",
		.netbios_computer = "FUZZSRV",
		.dns_domain = "fuzz.example",
		.dns_computer = "fuzzsrv.fuzz.example",
		.allow_anonymous = 1,
	};
	struct ntlmssp_auth_info info;
	struct ntlmssp_server *s;
	struct rbuf r;
	struct wbuf chal;
	const uint8_t *neg, *auth;
	uint8_t mode, key[16], sig[16];
	uint16_t n;
	size_t neglen, authlen;

	if (!init) {
		log_init(1, 0);
		log_set_forward(fuzz_log);
		init = 1;
	}
	rbuf_init(&r, data, size);
	if (rbuf_get_u8(&r, &mode) == -1)
		return 0;
	if (mode & 1) {
		neg = fixed_negotiate;
		neglen = sizeof(fixed_negotiate);
	} else {
		if (rbuf_get_u16le(&r, &n) == -1 ||
		    rbuf_get_ptr(&r, &neg, n) == -1)
			return 0;
		neglen = n;
	}
	authlen = rbuf_left(&r);
	auth = rbuf_cur(&r);

	if ((s = ntlmssp_server_new(&cfg)) == NULL)
		abort();
	wbuf_init(&chal, 65536);
	if (ntlmssp_server_negotiate(s, neg, neglen, &chal) == 0 &&
	    ntlmssp_server_set_challenge(s, fixed_challenge) == 0 &&
	    ntlmssp_server_parse_auth(s, auth, authlen, &info) == 0) {
		if (ntlmssp_server_verify(s, fixed_hash, key) == 0) {
			ntlmssp_server_sign(s, auth, authlen, sig);
			ntlmssp_server_check_sig(s, auth, authlen, sig);
		}
		ntlmssp_auth_info_free(&info);
	}
	wbuf_free(&chal);
	ntlmssp_server_free(s);
	return 0;
}
