/*
 * Unit tests of authd/ntlmssp.c and authd/ntlm_crypto.c: the MS-NLMP 4.2.4
 * NTLMv2 test vectors (including the spec's AUTHENTICATE_MESSAGE replayed
 * through the server), the 4.2.4.4 signing vector, round trips with a
 * small client written here (MIC, key exchange, NIL domain, anonymous),
 * and malformed messages.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "md4.h"
#include "ntlm_crypto.h"
#include "ntlmssp.h"
#include "unit.h"

/* MS-NLMP 4.2.1 common values. */
static const uint8_t spec_server_challenge[8] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef
};
static const uint8_t spec_client_challenge[8] = {
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa
};
static const uint8_t spec_random_session_key[16] = {
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55
};

/* MS-NLMP 4.2.4 results. */
static const char spec_ntowfv2[] = "0c868a403bfd7a93a3001ef22ef02e3f";
static const char spec_lmv2[] =
    "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa";
static const char spec_ntproofstr[] = "68cd0ab851e51c96aabc927bebef6a1c";
static const char spec_session_base_key[] =
    "8de40ccadbc14a82f15cb0ad0de95ca3";
static const char spec_encrypted_session_key[] =
    "c5dad2544fc9799094ce1ce90bc9d03e";
/* The AV pairs of the 4.2.4 CHALLENGE: NbDomainName, NbComputerName, EOL. */
static const char spec_target_info[] =
    "02000c0044006f006d00610069006e00"
    "01000c00530065007200760065007200"
    "00000000";
/* 4.2.4.3 AUTHENTICATE_MESSAGE. */
static const char spec_auth[] =
    "4e544c4d535350000300000018001800"
    "6c00000054005400840000000c000c00"
    "48000000080008005400000010001000"
    "5c00000010001000d8000000358288e2"
    "0501280a0000000f44006f006d006100"
    "69006e00550073006500720043004f00"
    "4d005000550054004500520086c35097"
    "ac9cec102554764a57cccc19aaaaaaaa"
    "aaaaaaaa68cd0ab851e51c96aabc927b"
    "ebef6a1c010100000000000000000000"
    "00000000aaaaaaaaaaaaaaaa00000000"
    "02000c0044006f006d00610069006e00"
    "01000c00530065007200760065007200"
    "0000000000000000c5dad2544fc97990"
    "94ce1ce90bc9d03e";
/* 4.2.4.4 GSS_WrapEx: "Plaintext" in UTF-16LE, keys and results. */
static const char spec_wrap_plain[] = "50006c00610069006e007400650078007400";
static const char spec_wrap_cipher[] = "54e50165bf1936dc996020c1811b0f06fb5f";
static const char spec_wrap_sig[] = "010000007fb38ec5c55d497600000000";
static const char spec_client_sign_key[] = "4788dc861b4782f35d43fd98fe1a2d39";
static const char spec_client_seal_key[] = "59f600973cc4960a25480a7c196e4c58";

static const struct ntlmssp_server_cfg test_cfg = {
	.netbios_domain = "WORKGROUP",
	.netbios_computer = "FILESRV",
	.dns_domain = "example.org",
	.dns_computer = "filesrv.example.org",
	.allow_ntlmv1 = 0,
	.allow_anonymous = 0,
};

static uint8_t *
hexbuf(const char *hex, size_t *len)
{
	size_t max = strlen(hex) / 2 + 1;
	uint8_t *p = malloc(max);

	*len = unit_unhex(hex, p, max);
	return p;
}

static void
check_hex(const uint8_t *got, const char *hex, size_t n)
{
	uint8_t want[256];
	size_t wlen;

	wlen = unit_unhex(hex, want, sizeof(want));
	CHECK(wlen == n);
	CHECK_MEM(got, want, n);
}

/* ASCII to UTF-16LE, optionally upper-cased, appended to w. */
static void
put_u16str(struct wbuf *w, const char *s, int upper)
{
	for (; *s != '\0'; s++) {
		char c = *s;

		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		wbuf_put_u16le(w, (uint16_t)(unsigned char)c);
	}
}

static size_t
make_negotiate(uint8_t *out, size_t max, uint32_t flags)
{
	struct wbuf w;

	wbuf_init_fixed(&w, out, max);
	wbuf_put_bytes(&w, "NTLMSSP", 8);
	wbuf_put_u32le(&w, 1);
	wbuf_put_u32le(&w, flags);
	wbuf_put_zero(&w, 16);		/* domain, workstation fields */
	wbuf_put_bytes(&w, "\x0a\x00\x63\x45\x00\x00\x00\x0f", 8);
	return wbuf_len(&w);
}

/* A client flag set like a Windows 10 SMB client sends. */
#define CLIENT_FLAGS	(NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_KEY_EXCH | \
	NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_VERSION |		\
	NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |			\
	NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_NTLM |	\
	NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_SIGN |		\
	NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_UNICODE |		\
	NTLMSSP_NEGOTIATE_OEM)

/* Run NEGOTIATE through a new server; returns the server. */
static struct ntlmssp_server *
start(const struct ntlmssp_server_cfg *cfg, uint32_t flags, uint8_t *neg,
    size_t *neglen, struct wbuf *chal)
{
	struct ntlmssp_server *s;

	s = ntlmssp_server_new(cfg);
	CHECK(s != NULL);
	*neglen = make_negotiate(neg, 64, flags);
	wbuf_init(chal, 65536);
	CHECK(ntlmssp_server_negotiate(s, neg, *neglen, chal) == 0);
	return s;
}

/*
 * The test client: an AUTHENTICATE for the given CHALLENGE, written
 * independently of the server code from MS-NLMP 3.1.5.1.2 and 3.3.2.
 */
struct tclient {
	const char	*user;
	const char	*domain;	/* sent */
	const char	*hash_domain;	/* used in NTOWFv2 */
	const char	*password;
	const char	*workstation;
	uint32_t	 flags;
	int		 mic;
	int		 corrupt_mic;
	int		 ntlmv1;	/* send a 24-byte NT response */
	int		 lm_only;
	int		 anonymous;
	uint8_t		 exported[16];	/* out */
};

static size_t
tclient_auth(struct tclient *c, const uint8_t *neg, size_t neglen,
    const uint8_t *chal, size_t challen, struct wbuf *out)
{
	struct wbuf av, temp, nt, id, payload;
	uint8_t nthash[16], ntowf[16], proof[16], sbk[16], enc[16], mic[16];
	uint8_t schal[8], lm[24];
	uint16_t tilen, aid, alen;
	uint32_t tioff;
	struct rbuf r, ti;
	struct ntlm_hmac h;
	size_t off, fields;
	int keyx;

	rbuf_init(&r, chal, challen);
	rbuf_seek(&r, 24);
	rbuf_get_bytes(&r, schal, 8);
	rbuf_seek(&r, 40);
	rbuf_get_u16le(&r, &tilen);
	rbuf_skip(&r, 2);
	rbuf_get_u32le(&r, &tioff);
	CHECK(rbuf_sub(&r, tioff, tilen, &ti) == 0);

	/* The server's AV pairs without EOL, then ours. */
	wbuf_init(&av, 65536);
	while (rbuf_left(&ti) >= 4) {
		const uint8_t *v;

		rbuf_get_u16le(&ti, &aid);
		rbuf_get_u16le(&ti, &alen);
		if (aid == NTLMSSP_AV_EOL || rbuf_get_ptr(&ti, &v, alen) == -1)
			break;
		wbuf_put_u16le(&av, aid);
		wbuf_put_u16le(&av, alen);
		wbuf_put_bytes(&av, v, alen);
	}
	if (c->mic) {
		wbuf_put_u16le(&av, NTLMSSP_AV_FLAGS);
		wbuf_put_u16le(&av, 4);
		wbuf_put_u32le(&av, NTLMSSP_AVFLAG_MIC);
	}
	wbuf_put_u32le(&av, 0);

	wbuf_init(&temp, 65536);
	wbuf_put_bytes(&temp, "\x01\x01\x00\x00\x00\x00\x00\x00", 8);
	wbuf_put_u64le(&temp, 0x01d0000000000000ULL);
	wbuf_put_bytes(&temp, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	wbuf_put_zero(&temp, 4);
	wbuf_put_bytes(&temp, wbuf_data(&av), wbuf_len(&av));
	wbuf_put_zero(&temp, 4);

	CHECK(nt_hash(c->password, nthash) == 0);
	wbuf_init(&id, 4096);
	put_u16str(&id, c->user, 1);
	put_u16str(&id, c->hash_domain, 0);
	ntlm_hmac_md5(nthash, 16, wbuf_data(&id), wbuf_len(&id), ntowf);

	ntlm_hmac_md5_init(&h, ntowf, 16);
	ntlm_hmac_md5_update(&h, schal, 8);
	ntlm_hmac_md5_update(&h, wbuf_data(&temp), wbuf_len(&temp));
	ntlm_hmac_md5_final(&h, proof);
	ntlm_hmac_md5(ntowf, 16, proof, 16, sbk);

	wbuf_init(&nt, 65536);
	if (c->ntlmv1)
		wbuf_put_zero(&nt, 24);
	else if (!c->anonymous && !c->lm_only) {
		wbuf_put_bytes(&nt, proof, 16);
		wbuf_put_bytes(&nt, wbuf_data(&temp), wbuf_len(&temp));
	}
	if (c->anonymous)
		memset(sbk, 0, sizeof(sbk));

	keyx = (c->flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0;
	if (keyx) {
		memset(c->exported, 0x42, 16);
		ntlm_rc4k(sbk, 16, c->exported, enc, 16);
	} else
		memcpy(c->exported, sbk, 16);

	/* Header 64 + Version 8 + MIC 16, then the payload. */
	wbuf_put_bytes(out, "NTLMSSP", 8);
	wbuf_put_u32le(out, 3);
	wbuf_reserve(out, 48, &fields);
	wbuf_put_u32le(out, c->flags);
	wbuf_put_bytes(out, "\x0a\x00\x63\x45\x00\x00\x00\x0f", 8);
	wbuf_put_zero(out, 16);

	memset(lm, 0, sizeof(lm));
	wbuf_init(&payload, 4096);
#define FIELD(i, p, n) do {						\
	off = wbuf_len(out);						\
	wbuf_put_bytes(out, (p), (n));					\
	wbuf_set_u16le(out, fields + 8 * (i), (uint16_t)(n));		\
	wbuf_set_u16le(out, fields + 8 * (i) + 2, (uint16_t)(n));	\
	wbuf_set_u32le(out, fields + 8 * (i) + 4, (uint32_t)off);	\
} while (0)
	wbuf_reset(&payload);
	put_u16str(&payload, c->domain, 0);
	FIELD(2, wbuf_data(&payload), wbuf_len(&payload));
	wbuf_reset(&payload);
	put_u16str(&payload, c->user, 0);
	FIELD(3, wbuf_data(&payload), wbuf_len(&payload));
	wbuf_reset(&payload);
	put_u16str(&payload, c->workstation, 0);
	FIELD(4, wbuf_data(&payload), wbuf_len(&payload));
	FIELD(0, lm, c->anonymous ? 1 : 24);
	FIELD(1, wbuf_data(&nt), wbuf_len(&nt));
	if (keyx)
		FIELD(5, enc, 16);
#undef FIELD

	if (c->mic) {
		ntlm_hmac_md5_init(&h, c->exported, 16);
		ntlm_hmac_md5_update(&h, neg, neglen);
		ntlm_hmac_md5_update(&h, chal, challen);
		ntlm_hmac_md5_update(&h, wbuf_data(out), wbuf_len(out));
		ntlm_hmac_md5_final(&h, mic);
		if (c->corrupt_mic)
			mic[3] ^= 1;
		wbuf_set_bytes(out, 72, mic, 16);
	}
	wbuf_free(&av);
	wbuf_free(&temp);
	wbuf_free(&id);
	wbuf_free(&nt);
	wbuf_free(&payload);
	return wbuf_len(out);
}

static void
test_primitives(void)
{
	uint8_t out[32], key[16], buf[16];
	struct ntlm_rc4 rc4;

	CHECK(ntlm_crypto_init() == 0);
	/* RFC 2202 HMAC-MD5 test case 1. */
	memset(key, 0x0b, 16);
	CHECK(ntlm_hmac_md5(key, 16, "Hi There", 8, out) == 0);
	check_hex(out, "9294727a3638bb1c13f48ef8158bfc9d", 16);
	/* RFC 1321 MD5("abc"). */
	CHECK(ntlm_md5("abc", 3, out) == 0);
	check_hex(out, "900150983cd24fb0d6963f7d28e17f72", 16);
	/* The classic RC4 vectors (Key/Plaintext, Wiki/pedia). */
	memcpy(buf, "Plaintext", 9);
	ntlm_rc4k((const uint8_t *)"Key", 3, buf, buf, 9);
	check_hex(buf, "bbf316e8d940af0ad3", 9);
	ntlm_rc4_init(&rc4, (const uint8_t *)"Wiki", 4);
	memcpy(buf, "pedia", 5);
	ntlm_rc4_crypt(&rc4, buf, 3);	/* in two pieces: state carries */
	ntlm_rc4_crypt(&rc4, buf + 3, 2);
	check_hex(buf, "1021bf0420", 5);
	ntlm_rc4_wipe(&rc4);
}

/* MS-NLMP 4.2.4.1 and 4.2.4.2, computed step by step. */
static void
test_spec_values(void)
{
	uint8_t nthash[16], ntowf[16], out[16], enc[16], lmv2[24];
	struct wbuf w;
	struct ntlm_hmac h;
	uint8_t ti[64];
	size_t tilen;

	CHECK(nt_hash("Password", nthash) == 0);
	check_hex(nthash, "a4f49c406510bdcab6824ee7c30fd852", 16);

	wbuf_init(&w, 1024);
	put_u16str(&w, "User", 1);
	put_u16str(&w, "Domain", 0);
	ntlm_hmac_md5(nthash, 16, wbuf_data(&w), wbuf_len(&w), ntowf);
	check_hex(ntowf, spec_ntowfv2, 16);

	/* LMv2 = HMAC_MD5(key, SC || CC) || CC. */
	ntlm_hmac_md5_init(&h, ntowf, 16);
	ntlm_hmac_md5_update(&h, spec_server_challenge, 8);
	ntlm_hmac_md5_update(&h, spec_client_challenge, 8);
	ntlm_hmac_md5_final(&h, lmv2);
	memcpy(lmv2 + 16, spec_client_challenge, 8);
	check_hex(lmv2, spec_lmv2, 24);

	/* temp = 0101 Z(6) Time(=0) CC Z(4) ServerName Z(4). */
	wbuf_reset(&w);
	wbuf_put_bytes(&w, "\x01\x01", 2);
	wbuf_put_zero(&w, 6 + 8);
	wbuf_put_bytes(&w, spec_client_challenge, 8);
	wbuf_put_zero(&w, 4);
	tilen = unit_unhex(spec_target_info, ti, sizeof(ti));
	wbuf_put_bytes(&w, ti, tilen);
	wbuf_put_zero(&w, 4);
	ntlm_hmac_md5_init(&h, ntowf, 16);
	ntlm_hmac_md5_update(&h, spec_server_challenge, 8);
	ntlm_hmac_md5_update(&h, wbuf_data(&w), wbuf_len(&w));
	ntlm_hmac_md5_final(&h, out);
	check_hex(out, spec_ntproofstr, 16);

	ntlm_hmac_md5(ntowf, 16, out, 16, out);
	check_hex(out, spec_session_base_key, 16);
	ntlm_rc4k(out, 16, spec_random_session_key, enc, 16);
	check_hex(enc, spec_encrypted_session_key, 16);
	wbuf_free(&w);
}

/* The spec's AUTHENTICATE_MESSAGE through parse_auth and verify. */
static void
test_spec_authenticate(void)
{
	struct ntlmssp_server *s;
	struct ntlmssp_auth_info info;
	struct wbuf chal;
	uint8_t neg[64], nthash[16], key[16], badhash[16];
	uint8_t *auth;
	size_t neglen, authlen, i;

	auth = hexbuf(spec_auth, &authlen);
	CHECK(authlen == 0xe8);
	CHECK(nt_hash("Password", nthash) == 0);
	CHECK(nt_hash("Passw0rd", badhash) == 0);

	/* The right password gives the client's random session key. */
	s = start(&test_cfg, CLIENT_FLAGS, neg, &neglen, &chal);
	CHECK(ntlmssp_server_set_challenge(s, spec_server_challenge) == 0);
	CHECK(ntlmssp_server_parse_auth(s, auth, authlen, &info) == 0);
	CHECK_STR(info.user, "User");
	CHECK_STR(info.domain, "Domain");
	CHECK_STR(info.workstation, "COMPUTER");
	CHECK(info.anonymous == 0);
	CHECK(info.ntlmv1 == 0);
	CHECK(info.flags == 0xe2888235);
	CHECK(ntlmssp_server_verify(s, nthash, key) == 0);
	CHECK_MEM(key, spec_random_session_key, 16);
	/* A second verification of the same exchange is refused. */
	CHECK(ntlmssp_server_verify(s, nthash, key) == -1);
	ntlmssp_auth_info_free(&info);
	ntlmssp_server_free(s);
	wbuf_free(&chal);

	/* A wrong password fails and yields no key. */
	s = start(&test_cfg, CLIENT_FLAGS, neg, &neglen, &chal);
	CHECK(ntlmssp_server_set_challenge(s, spec_server_challenge) == 0);
	CHECK(ntlmssp_server_parse_auth(s, auth, authlen, &info) == 0);
	memset(key, 0xee, sizeof(key));
	CHECK(ntlmssp_server_verify(s, badhash, key) == -1);
	for (i = 0; i < 16 && key[i] == 0; i++)
		;
	CHECK(i == 16);
	/* Nor can the right one be tried afterwards on the same exchange. */
	CHECK(ntlmssp_server_verify(s, nthash, key) == -1);
	ntlmssp_auth_info_free(&info);
	ntlmssp_server_free(s);
	wbuf_free(&chal);

	/* A different server challenge (the random one) fails. */
	s = start(&test_cfg, CLIENT_FLAGS, neg, &neglen, &chal);
	CHECK(ntlmssp_server_parse_auth(s, auth, authlen, &info) == 0);
	CHECK(ntlmssp_server_verify(s, nthash, key) == -1);
	ntlmssp_auth_info_free(&info);
	ntlmssp_server_free(s);
	wbuf_free(&chal);

	/* Every truncation is rejected or, if parsed, fails to verify. */
	for (i = 0; i < authlen; i++) {
		s = start(&test_cfg, CLIENT_FLAGS, neg, &neglen, &chal);
		ntlmssp_server_set_challenge(s, spec_server_challenge);
		if (ntlmssp_server_parse_auth(s, auth, i, &info) == 0) {
			CHECK(0);
			ntlmssp_auth_info_free(&info);
		}
		ntlmssp_server_free(s);
		wbuf_free(&chal);
	}
	free(auth);
}

/* The CHALLENGE this server builds. */
static void
test_challenge_message(void)
{
	struct ntlmssp_server *s;
	struct wbuf chal;
	struct rbuf r, f;
	uint8_t neg[64], sig[8];
	uint32_t type, flags, off;
	uint16_t len, id, alen;
	size_t neglen;
	int seen = 0, eol_last = 0;

	s = start(&test_cfg, CLIENT_FLAGS, neg, &neglen, &chal);
	rbuf_init(&r, wbuf_data(&chal), wbuf_len(&chal));
	rbuf_get_bytes(&r, sig, 8);
	CHECK(memcmp(sig, "NTLMSSP", 8) == 0);
	rbuf_get_u32le(&r, &type);
	CHECK(type == 2);
	rbuf_get_u16le(&r, &len);
	rbuf_skip(&r, 2);
	rbuf_get_u32le(&r, &off);
	CHECK(len == 14);			/* "FILESRV" */
	CHECK(rbuf_sub(&r, off, len, &f) == 0);
	CHECK(memcmp(rbuf_cur(&f), "F\0I\0L\0E\0S\0R\0V\0", 14) == 0);
	rbuf_get_u32le(&r, &flags);
	CHECK(flags == ntlmssp_server_flags(s));
	CHECK(flags & NTLMSSP_NEGOTIATE_UNICODE);
	CHECK((flags & NTLMSSP_NEGOTIATE_OEM) == 0);
	CHECK(flags & NTLMSSP_NEGOTIATE_NTLM);
	CHECK(flags & NTLMSSP_NEGOTIATE_TARGET_INFO);
	CHECK(flags & NTLMSSP_NEGOTIATE_KEY_EXCH);
	CHECK(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
	CHECK(flags & NTLMSSP_TARGET_TYPE_SERVER);
	CHECK(flags & NTLMSSP_NEGOTIATE_VERSION);
	CHECK((flags & NTLMSSP_NEGOTIATE_LM_KEY) == 0);
	rbuf_skip(&r, 16);			/* challenge, reserved */
	rbuf_get_u16le(&r, &len);
	rbuf_skip(&r, 2);
	rbuf_get_u32le(&r, &off);
	CHECK(rbuf_sub(&r, off, len, &f) == 0);
	CHECK(off + len == wbuf_len(&chal));
	while (rbuf_left(&f) > 0 && !rbuf_error(&f)) {
		rbuf_get_u16le(&f, &id);
		rbuf_get_u16le(&f, &alen);
		CHECK(rbuf_skip(&f, alen) == 0);
		if (id < 16)
			seen |= 1 << id;
		if (id == NTLMSSP_AV_EOL) {
			eol_last = rbuf_left(&f) == 0;
			break;
		}
		if (id == NTLMSSP_AV_TIMESTAMP)
			CHECK(alen == 8);
	}
	CHECK(eol_last);
	CHECK(seen == ((1 << NTLMSSP_AV_EOL) |
	    (1 << NTLMSSP_AV_NB_COMPUTER_NAME) |
	    (1 << NTLMSSP_AV_NB_DOMAIN_NAME) |
	    (1 << NTLMSSP_AV_DNS_COMPUTER_NAME) |
	    (1 << NTLMSSP_AV_DNS_DOMAIN_NAME) | (1 << NTLMSSP_AV_TIMESTAMP)));
	/* A second NEGOTIATE on the same exchange is refused. */
	CHECK(ntlmssp_server_negotiate(s, neg, neglen, &chal) == -1);
	ntlmssp_server_free(s);
	wbuf_free(&chal);

	/* An OEM-only client gets an OEM target name, no key exchange. */
	s = start(&test_cfg, NTLMSSP_NEGOTIATE_OEM | NTLMSSP_NEGOTIATE_NTLM |
	    NTLMSSP_REQUEST_TARGET, neg, &neglen, &chal);
	rbuf_init(&r, wbuf_data(&chal), wbuf_len(&chal));
	rbuf_seek(&r, 12);
	rbuf_get_u16le(&r, &len);
	rbuf_skip(&r, 2);
	rbuf_get_u32le(&r, &off);
	rbuf_get_u32le(&r, &flags);
	CHECK(len == 7);
	CHECK(rbuf_sub(&r, off, len, &f) == 0);
	CHECK(memcmp(rbuf_cur(&f), "FILESRV", 7) == 0);
	CHECK(flags & NTLMSSP_NEGOTIATE_OEM);
	CHECK((flags & (NTLMSSP_NEGOTIATE_UNICODE |
	    NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_VERSION)) == 0);
	ntlmssp_server_free(s);
	wbuf_free(&chal);

	/* Two exchanges get different challenges. */
	{
		struct wbuf c2;
		struct ntlmssp_server *s2;

		s = start(&test_cfg, CLIENT_FLAGS, neg, &neglen, &chal);
		s2 = start(&test_cfg, CLIENT_FLAGS, neg, &neglen, &c2);
		CHECK(memcmp(wbuf_data(&chal) + 24, wbuf_data(&c2) + 24, 8) !=
		    0);
		ntlmssp_server_free(s);
		ntlmssp_server_free(s2);
		wbuf_free(&chal);
		wbuf_free(&c2);
	}
}

/* Run one exchange with the test client; returns verify's result. */
static int
exchange(const struct ntlmssp_server_cfg *cfg, struct tclient *c,
    uint8_t key[16], struct ntlmssp_server **keep)
{
	struct ntlmssp_server *s;
	struct ntlmssp_auth_info info;
	struct wbuf chal, auth;
	uint8_t neg[64], nthash[16];
	size_t neglen;
	int ret;

	s = start(cfg, c->flags, neg, &neglen, &chal);
	wbuf_init(&auth, 65536);
	tclient_auth(c, neg, neglen, wbuf_data(&chal), wbuf_len(&chal),
	    &auth);
	if (ntlmssp_server_parse_auth(s, wbuf_data(&auth), wbuf_len(&auth),
	    &info) == -1)
		ret = -2;
	else {
		CHECK_STR(info.user, c->user);
		CHECK_STR(info.domain, c->domain);
		CHECK_STR(info.workstation, c->workstation);
		CHECK(info.anonymous == c->anonymous);
		CHECK(info.ntlmv1 == c->ntlmv1);
		CHECK(nt_hash("Secret123", nthash) == 0);
		ret = ntlmssp_server_verify(s, nthash, key);
		ntlmssp_auth_info_free(&info);
	}
	wbuf_free(&chal);
	wbuf_free(&auth);
	if (keep != NULL)
		*keep = s;
	else
		ntlmssp_server_free(s);
	return ret;
}

static void
test_round_trips(void)
{
	struct ntlmssp_server_cfg anoncfg = test_cfg;
	struct ntlmssp_server *s;
	struct ntlm_sig_state c2s, s2c;
	struct tclient c;
	uint8_t key[16], sig[16], want[16], zero[16];
	static const uint8_t mechlist[] = "\x30\x0c\x06\x0a\x2b\x06\x01\x04"
	    "\x01\x82\x37\x02\x02\x0a";

	memset(zero, 0, sizeof(zero));
	memset(&c, 0, sizeof(c));
	c.user = "alice";
	c.domain = "WORKGROUP";
	c.hash_domain = "WORKGROUP";
	c.password = "Secret123";
	c.workstation = "DESKTOP";
	c.flags = CLIENT_FLAGS & ~NTLMSSP_NEGOTIATE_OEM;
	c.mic = 1;

	/* MIC and key exchange, then mechListMIC signatures both ways. */
	CHECK(exchange(&test_cfg, &c, key, &s) == 0);
	CHECK_MEM(key, c.exported, 16);
	CHECK(ntlm_sig_init(&c2s, c.exported, c.flags, 1) == 0);
	CHECK(ntlm_sig_init(&s2c, c.exported, c.flags, 0) == 0);
	CHECK(ntlm_sig_compute(&c2s, mechlist, sizeof(mechlist) - 1, sig) ==
	    0);
	CHECK(ntlmssp_server_check_sig(s, mechlist, sizeof(mechlist) - 1,
	    sig) == 0);
	CHECK(ntlmssp_server_sign(s, mechlist, sizeof(mechlist) - 1, sig) ==
	    0);
	CHECK(ntlm_sig_compute(&s2c, mechlist, sizeof(mechlist) - 1, want) ==
	    0);
	CHECK_MEM(sig, want, 16);
	/* Sequence numbers advance: a replayed signature fails. */
	CHECK(ntlm_sig_compute(&c2s, mechlist, sizeof(mechlist) - 1, sig) ==
	    0);
	sig[5] ^= 1;
	CHECK(ntlmssp_server_check_sig(s, mechlist, sizeof(mechlist) - 1,
	    sig) == -1);
	ntlm_sig_wipe(&c2s);
	ntlm_sig_wipe(&s2c);
	ntlmssp_server_free(s);

	/* A wrong MIC fails, as does a wrong password. */
	c.corrupt_mic = 1;
	CHECK(exchange(&test_cfg, &c, key, NULL) == -1);
	c.corrupt_mic = 0;
	c.password = "secret123";
	CHECK(exchange(&test_cfg, &c, key, NULL) == -1);
	c.password = "Secret123";

	/* No MIC, no key exchange: the key is the session base key. */
	c.mic = 0;
	c.flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	CHECK(exchange(&test_cfg, &c, key, NULL) == 0);
	CHECK_MEM(key, c.exported, 16);
	CHECK(memcmp(key, zero, 16) != 0);

	/* A client that hashed with a NIL domain is accepted. */
	c.flags |= NTLMSSP_NEGOTIATE_KEY_EXCH;
	c.mic = 1;
	c.hash_domain = "";
	CHECK(exchange(&test_cfg, &c, key, NULL) == 0);
	CHECK_MEM(key, c.exported, 16);
	/* But not one that hashed with some other domain. */
	c.hash_domain = "OTHER";
	CHECK(exchange(&test_cfg, &c, key, NULL) == -1);
	c.hash_domain = "WORKGROUP";
	/* The user name is case-insensitive, as NTOWFv2 upper-cases it. */
	c.user = "ALICE";
	CHECK(exchange(&test_cfg, &c, key, NULL) == 0);
	c.user = "alice";

	/* NTLMv1 and LM-only responses are refused. */
	c.mic = 0;
	c.ntlmv1 = 1;
	CHECK(exchange(&test_cfg, &c, key, NULL) == -1);
	c.ntlmv1 = 0;
	c.lm_only = 1;
	CHECK(exchange(&test_cfg, &c, key, NULL) == -1);
	c.lm_only = 0;

	/* Anonymous: refused unless allowed; key exchange with Z(16). */
	c.anonymous = 1;
	c.user = "";
	c.domain = "";
	c.workstation = "";
	CHECK(exchange(&test_cfg, &c, key, NULL) == -1);
	anoncfg.allow_anonymous = 1;
	CHECK(exchange(&anoncfg, &c, key, NULL) == 0);
	CHECK_MEM(key, c.exported, 16);
	c.flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	CHECK(exchange(&anoncfg, &c, key, NULL) == 0);
	CHECK_MEM(key, zero, 16);
}

/* MS-NLMP 4.2.4.4: sealing key, signing key and the signature. */
static void
test_spec_signature(void)
{
	struct ntlm_sig_state st;
	uint8_t msg[32], sig[16];
	size_t n;

	CHECK(ntlm_sig_init(&st, spec_random_session_key,
	    NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_128 |
	    NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
	    NTLMSSP_NEGOTIATE_KEY_EXCH |
	    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, 1) == 0);
	check_hex(st.sign_key, spec_client_sign_key, 16);
	check_hex(st.seal_key, spec_client_seal_key, 16);
	n = unit_unhex(spec_wrap_plain, msg, sizeof(msg));
	CHECK(n == 18);
	/* Sealing encrypts the message first, then signs the plaintext. */
	{
		uint8_t plain[32];

		memcpy(plain, msg, n);
		ntlm_rc4_crypt(&st.seal, msg, n);
		check_hex(msg, spec_wrap_cipher, n);
		CHECK(ntlm_sig_compute(&st, plain, n, sig) == 0);
	}
	check_hex(sig, spec_wrap_sig, 16);
	CHECK(st.seqnum == 1);
	ntlm_sig_wipe(&st);
	/* Without extended session security there is no signing here. */
	CHECK(ntlm_sig_init(&st, spec_random_session_key,
	    NTLMSSP_NEGOTIATE_SIGN, 1) == -1);
}

/* Put a u16/u32 into a copy of msg at off. */
static void
poke16(uint8_t *m, size_t off, uint16_t v)
{
	m[off] = v & 0xff;
	m[off + 1] = v >> 8;
}

static void
poke32(uint8_t *m, size_t off, uint32_t v)
{
	poke16(m, off, v & 0xffff);
	poke16(m, off + 2, v >> 16);
}

static int
try_auth(const uint8_t *m, size_t len)
{
	struct ntlmssp_server *s;
	struct ntlmssp_auth_info info;
	struct wbuf chal;
	uint8_t neg[64], nthash[16], key[16];
	size_t neglen;
	int ret;

	s = start(&test_cfg, CLIENT_FLAGS, neg, &neglen, &chal);
	ntlmssp_server_set_challenge(s, spec_server_challenge);
	ret = ntlmssp_server_parse_auth(s, m, len, &info);
	if (ret == 0) {
		nt_hash("Password", nthash);
		ret = ntlmssp_server_verify(s, nthash, key) == 0 ? 1 : 0;
		ntlmssp_auth_info_free(&info);
	} else
		CHECK(info.user == NULL && info.domain == NULL);
	ntlmssp_server_free(s);
	wbuf_free(&chal);
	return ret;	/* -1 parse error, 0 verify failed, 1 accepted */
}

static void
test_malformed(void)
{
	struct ntlmssp_server *s;
	struct ntlmssp_auth_info info;
	struct wbuf chal;
	uint8_t neg[64], m[512], key[16];
	uint8_t *auth;
	size_t neglen, authlen;

	/* NEGOTIATE: empty, short, bad signature, type, character set. */
	neglen = make_negotiate(neg, sizeof(neg), CLIENT_FLAGS);
	wbuf_init(&chal, 65536);
	s = ntlmssp_server_new(&test_cfg);
	CHECK(ntlmssp_server_negotiate(s, neg, 0, &chal) == -1);
	ntlmssp_server_free(s);
	s = ntlmssp_server_new(&test_cfg);
	CHECK(ntlmssp_server_negotiate(s, neg, 15, &chal) == -1);
	ntlmssp_server_free(s);
	s = ntlmssp_server_new(&test_cfg);
	CHECK(ntlmssp_server_negotiate(s, neg, 16, &chal) == 0);
	ntlmssp_server_free(s);
	memcpy(m, neg, neglen);
	m[7] = 'X';
	s = ntlmssp_server_new(&test_cfg);
	CHECK(ntlmssp_server_negotiate(s, m, neglen, &chal) == -1);
	ntlmssp_server_free(s);
	memcpy(m, neg, neglen);
	poke32(m, 8, 3);
	s = ntlmssp_server_new(&test_cfg);
	CHECK(ntlmssp_server_negotiate(s, m, neglen, &chal) == -1);
	ntlmssp_server_free(s);
	memcpy(m, neg, neglen);
	poke32(m, 12, NTLMSSP_NEGOTIATE_NTLM);
	s = ntlmssp_server_new(&test_cfg);
	CHECK(ntlmssp_server_negotiate(s, m, neglen, &chal) == -1);
	ntlmssp_server_free(s);
	/* Out of order: AUTHENTICATE or verify before NEGOTIATE. */
	s = ntlmssp_server_new(&test_cfg);
	CHECK(ntlmssp_server_parse_auth(s, neg, neglen, &info) == -1);
	CHECK(ntlmssp_server_verify(s, key, key) == -1);
	CHECK(ntlmssp_server_set_challenge(s, spec_server_challenge) == -1);
	CHECK(ntlmssp_server_sign(s, neg, neglen, key) == -1);
	ntlmssp_server_free(s);
	wbuf_free(&chal);
	/* A configuration without names is refused. */
	{
		struct ntlmssp_server_cfg bad = test_cfg;

		bad.netbios_computer = NULL;
		CHECK(ntlmssp_server_new(&bad) == NULL);
	}

	auth = hexbuf(spec_auth, &authlen);
	CHECK(try_auth(auth, authlen) == 1);
	memcpy(m, auth, authlen);
	m[0] = 'n';
	CHECK(try_auth(m, authlen) == -1);		/* signature */
	memcpy(m, auth, authlen);
	poke32(m, 8, 1);
	CHECK(try_auth(m, authlen) == -1);		/* message type */
	memcpy(m, auth, authlen);
	poke32(m, 24, (uint32_t)authlen);		/* NT offset past end */
	CHECK(try_auth(m, authlen) == -1);
	memcpy(m, auth, authlen);
	poke32(m, 24, 0xffffffff);			/* offset overflow */
	CHECK(try_auth(m, authlen) == -1);
	memcpy(m, auth, authlen);
	poke16(m, 20, 0xffff);				/* length overflow */
	CHECK(try_auth(m, authlen) == -1);
	memcpy(m, auth, authlen);
	poke32(m, 40, 8);				/* user in header */
	CHECK(try_auth(m, authlen) == -1);
	memcpy(m, auth, authlen);
	poke16(m, 36, 7);				/* odd UTF-16 length */
	CHECK(try_auth(m, authlen) == -1);
	memcpy(m, auth, authlen);
	poke16(m, 52, 5);				/* 5-byte session key */
	CHECK(try_auth(m, authlen) == -1);
	memcpy(m, auth, authlen);
	poke16(m, 20, 30);				/* short NT response */
	CHECK(try_auth(m, authlen) == -1);
	memcpy(m, auth, authlen);
	m[0x84 + 16] = 2;				/* RespType 2 */
	CHECK(try_auth(m, authlen) == -1);
	memcpy(m, auth, authlen);
	poke16(m, 0x84 + 44 + 2, 0x7fff);		/* AV pair overrun */
	CHECK(try_auth(m, authlen) == -1);
	memcpy(m, auth, authlen);
	m[0x84 + 20] ^= 1;				/* blob tampered */
	CHECK(try_auth(m, authlen) == 0);
	memcpy(m, auth, authlen);
	m[0x84] ^= 1;					/* NTProofStr */
	CHECK(try_auth(m, authlen) == 0);
	memcpy(m, auth, authlen);
	m[0x54] = 'u';					/* user "user": same */
	CHECK(try_auth(m, authlen) == 1);
	memcpy(m, auth, authlen);
	m[0x54] = 'X';					/* other user */
	CHECK(try_auth(m, authlen) == 0);
	memcpy(m, auth, authlen);
	m[0xd8] ^= 1;					/* session key */
	CHECK(try_auth(m, authlen) == 1);		/* (no MIC to catch) */
	/* An embedded NUL in the user name is refused. */
	memcpy(m, auth, authlen);
	m[0x56] = 0;
	CHECK(try_auth(m, authlen) == -1);
	/*
	 * MsvAvFlags with the MIC bit inside the spec blob: the message has
	 * no room for a MIC (payload at 0x48), so it is malformed.
	 */
	memcpy(m, auth, authlen);
	poke16(m, 0x84 + 44, NTLMSSP_AV_FLAGS);
	poke16(m, 0x84 + 44 + 2, 4);
	poke32(m, 0x84 + 44 + 4, NTLMSSP_AVFLAG_MIC);
	poke16(m, 0x84 + 44 + 8, NTLMSSP_AV_EOL);
	poke16(m, 0x84 + 44 + 10, 0);
	CHECK(try_auth(m, authlen) == -1);
	free(auth);
}

int
main(void)
{
	log_init(1, 0);
	log_setverbose(0);
	test_primitives();
	test_spec_values();
	test_spec_authenticate();
	test_challenge_message();
	test_round_trips();
	test_spec_signature();
	test_malformed();
	return unit_done();
}
