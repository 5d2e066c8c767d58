/*
 * Unit tests of SMB2 NEGOTIATE: dialect selection over every configured
 * range, the 3.1.1 negotiate contexts (each accepted, each malformed or
 * duplicated), cipher and signing choice in server preference order, a
 * hand-checked response layout, a NEGOTIATE captured from smbclient, the
 * SMB1 multi-protocol upgrade with impacket's and smbclient's bytes, and
 * VALIDATE_NEGOTIATE_INFO.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_hdr.h"
#include "smb2_negotiate.h"
#include "unit.h"
#include "util.h"

static const uint16_t all_dialects[] = {
	SMB2_DIALECT_202, SMB2_DIALECT_210, SMB2_DIALECT_300,
	SMB2_DIALECT_302, SMB2_DIALECT_311,
};
#define NDIALECTS	(sizeof(all_dialects) / sizeof(all_dialects[0]))

static const uint8_t test_guid[16] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
static const uint8_t server_guid[16] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};
static const uint8_t blob[10] = "0123456789";

static void
default_cfg(struct smb2_negotiate_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->min_dialect = SMB2_DIALECT_202;
	cfg->max_dialect = SMB2_DIALECT_311;
	cfg->encryption_enabled = 1;
	cfg->ciphers[0] = SMB2_CIPHER_AES128_GCM;
	cfg->ciphers[1] = SMB2_CIPHER_AES128_CCM;
	cfg->ciphers[2] = SMB2_CIPHER_AES256_GCM;
	cfg->ciphers[3] = SMB2_CIPHER_AES256_CCM;
	cfg->nciphers = 4;
	cfg->signalgs[0] = SMB2_SIGN_AES_GMAC;
	cfg->signalgs[1] = SMB2_SIGN_AES_CMAC;
	cfg->signalgs[2] = SMB2_SIGN_HMAC_SHA256;
	cfg->nsignalgs = 3;
	memcpy(cfg->server_guid, server_guid, 16);
	cfg->max_trans = cfg->max_read = cfg->max_write = 8 * 1024 * 1024;
	cfg->system_time = 0x01d9000000000000ULL;
	cfg->server_start_time = 0;
	cfg->security_blob = blob;
	cfg->security_blob_len = sizeof(blob);
	cfg->large_mtu = 1;
}

/* A request under construction. */
struct req_ctx {
	uint16_t	 type;
	const uint8_t	*data;
	size_t		 len;
};

struct req {
	uint16_t	 dialects[80];
	size_t		 nd;
	uint16_t	 secmode;
	uint32_t	 caps;
	uint32_t	 hdr_flags;
	uint16_t	 ssize;
	struct req_ctx	 ctx[10];
	size_t		 nctx;
	int		 ctx_count;	/* -1: nctx */
	long		 ctx_off;	/* -1: where the contexts are */
	int		 no_pad;	/* pack contexts without padding */
};

static const uint8_t preauth_ctx[] = {
	0x01, 0x00, 0x20, 0x00, 0x01, 0x00,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static void
req_init(struct req *q)
{
	memset(q, 0, sizeof(*q));
	memcpy(q->dialects, all_dialects, sizeof(all_dialects));
	q->nd = NDIALECTS;
	q->secmode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	q->caps = SMB2_GLOBAL_CAP_ENCRYPTION | SMB2_GLOBAL_CAP_LARGE_MTU;
	q->ssize = SMB2_NEGOTIATE_REQ_SIZE;
	q->ctx_count = -1;
	q->ctx_off = -1;
}

static void
req_add(struct req *q, uint16_t type, const void *data, size_t len)
{
	q->ctx[q->nctx].type = type;
	q->ctx[q->nctx].data = data;
	q->ctx[q->nctx].len = len;
	q->nctx++;
}

static size_t
req_build(const struct req *q, uint8_t *out, size_t max)
{
	struct smb2_hdr h;
	struct wbuf w;
	size_t i, offat;

	memset(&h, 0, sizeof(h));
	h.command = SMB2_NEGOTIATE;
	h.credits = 31;
	h.flags = q->hdr_flags;
	wbuf_init_fixed(&w, out, max);
	smb2_hdr_build(&w, &h);
	wbuf_put_u16le(&w, q->ssize);
	wbuf_put_u16le(&w, (uint16_t)q->nd);
	wbuf_put_u16le(&w, q->secmode);
	wbuf_put_u16le(&w, 0);
	wbuf_put_u32le(&w, q->caps);
	wbuf_put_bytes(&w, test_guid, 16);
	wbuf_reserve(&w, 4, &offat);
	wbuf_put_u16le(&w, (uint16_t)(q->ctx_count >= 0 ? (size_t)q->ctx_count :
	    q->nctx));
	wbuf_put_u16le(&w, 0);
	for (i = 0; i < q->nd; i++)
		wbuf_put_u16le(&w, q->dialects[i]);
	if (q->nctx > 0)
		wbuf_align(&w, 8);
	wbuf_set_u32le(&w, offat, q->ctx_off >= 0 ? (uint32_t)q->ctx_off :
	    q->nctx > 0 ? (uint32_t)wbuf_len(&w) : 0);
	for (i = 0; i < q->nctx; i++) {
		if (i > 0 && !q->no_pad)
			wbuf_align(&w, 8);
		wbuf_put_u16le(&w, q->ctx[i].type);
		wbuf_put_u16le(&w, (uint16_t)q->ctx[i].len);
		wbuf_put_u32le(&w, 0);
		wbuf_put_bytes(&w, q->ctx[i].data, q->ctx[i].len);
	}
	if (wbuf_error(&w)) {
		fprintf(stderr, "req_build: buffer too small\n");
		exit(2);
	}
	return wbuf_len(&w);
}

/* Run NEGOTIATE; checks that the request cursor stays put. */
static uint32_t
run(const struct smb2_negotiate_cfg *cfg, const uint8_t *msg, size_t len,
    struct smb2_negotiate_result *res, struct wbuf *resp)
{
	struct rbuf r;
	uint32_t st;

	rbuf_init(&r, msg, len);
	wbuf_reset(resp);
	st = smb2_negotiate_process(cfg, &r, res, resp);
	CHECK(rbuf_offset(&r) == 0 && rbuf_left(&r) == len);
	return st;
}

static uint32_t
run_req(const struct smb2_negotiate_cfg *cfg, const struct req *q,
    struct smb2_negotiate_result *res, struct wbuf *resp)
{
	uint8_t msg[2048];
	size_t len;

	len = req_build(q, msg, sizeof(msg));
	return run(cfg, msg, len, res, resp);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * Find a context of the given type in a response body; returns its data
 * (and length) or NULL.  Checks the 8-byte alignment of each context.
 */
static const uint8_t *
resp_ctx(const struct wbuf *resp, uint16_t type, size_t *len)
{
	const uint8_t *p = wbuf_data(resp);
	size_t n = wbuf_len(resp), off, i, count;

	if (n < 64)
		return NULL;
	count = get16(p + 6);
	off = get32(p + 60);
	if (count == 0)
		return NULL;
	CHECK(off % 8 == 0);
	off -= SMB2_HEADER_SIZE;
	for (i = 0; i < count; i++) {
		if (i > 0)
			off = (off + 7) & ~(size_t)7;
		if (off + 8 > n)
			return NULL;
		if (get16(p + off) == type) {
			*len = get16(p + off + 2);
			return p + off + 8;
		}
		off += 8 + get16(p + off + 2);
	}
	return NULL;
}

static void
test_dialect_ranges(void)
{
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct wbuf resp;
	struct req q;
	size_t i, j, k;
	uint32_t st;

	wbuf_init(&resp, 4096);
	for (i = 0; i < NDIALECTS; i++)
		for (j = i; j < NDIALECTS; j++) {
			default_cfg(&cfg);
			cfg.min_dialect = all_dialects[i];
			cfg.max_dialect = all_dialects[j];

			/* The client offers all: the server's maximum. */
			req_init(&q);
			req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
			    preauth_ctx, sizeof(preauth_ctx));
			st = run_req(&cfg, &q, &res, &resp);
			CHECK(st == NT_STATUS_SUCCESS);
			CHECK(res.dialect == all_dialects[j]);
			CHECK(get16(wbuf_data(&resp) + 4) == all_dialects[j]);
			CHECK(res.nclient_dialects == NDIALECTS);

			/* The client offers one. */
			for (k = 0; k < NDIALECTS; k++) {
				q.dialects[0] = all_dialects[k];
				q.nd = 1;
				st = run_req(&cfg, &q, &res, &resp);
				if (k >= i && k <= j) {
					CHECK(st == NT_STATUS_SUCCESS);
					CHECK(res.dialect == all_dialects[k]);
					CHECK(res.nclient_dialects == 1);
				} else
					CHECK(st == NT_STATUS_NOT_SUPPORTED);
			}

			/* In reverse order and with strangers mixed in. */
			for (k = 0; k < NDIALECTS; k++)
				q.dialects[k] = all_dialects[NDIALECTS - 1 - k];
			q.dialects[NDIALECTS] = 0x02ff;
			q.dialects[NDIALECTS + 1] = 0x0400;
			q.dialects[NDIALECTS + 2] = 0x0312;
			q.nd = NDIALECTS + 3;
			st = run_req(&cfg, &q, &res, &resp);
			CHECK(st == NT_STATUS_SUCCESS);
			CHECK(res.dialect == all_dialects[j]);
			CHECK(res.nclient_dialects == NDIALECTS + 3);
			CHECK(res.client_dialects[NDIALECTS] == 0x02ff);
		}
	wbuf_free(&resp);
}

static void
test_request_errors(void)
{
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res, saved;
	struct wbuf resp;
	struct req q;
	uint8_t msg[2048];
	size_t len, n;

	default_cfg(&cfg);
	wbuf_init(&resp, 4096);
	memset(&saved, 0xa5, sizeof(saved));

	/* A failure leaves the result alone. */
	res = saved;
	req_init(&q);
	q.ssize = 35;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_INVALID_PARAMETER);
	CHECK(memcmp(&res, &saved, sizeof(res)) == 0);

	req_init(&q);
	q.nd = 0;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_INVALID_PARAMETER);

	req_init(&q);
	q.hdr_flags = SMB2_FLAGS_SIGNED;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_INVALID_PARAMETER);

	/* The wildcard belongs to SMB1 answers only; unknown ones. */
	req_init(&q);
	q.dialects[0] = SMB2_DIALECT_WILDCARD;
	q.nd = 1;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_NOT_SUPPORTED);
	q.dialects[0] = 0x0400;
	q.dialects[1] = 0x0201;
	q.nd = 2;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_NOT_SUPPORTED);

	/* Every truncation of a 3.0.2-only request fails cleanly. */
	req_init(&q);
	q.dialects[0] = SMB2_DIALECT_302;
	q.nd = 1;
	len = req_build(&q, msg, sizeof(msg));
	for (n = 0; n < len; n++)
		CHECK(run(&cfg, msg, n, &res, &resp) ==
		    NT_STATUS_INVALID_PARAMETER);
	CHECK(run(&cfg, msg, len, &res, &resp) == NT_STATUS_SUCCESS);

	/* A different command in the header. */
	msg[12] = SMB2_SESSION_SETUP;
	CHECK(run(&cfg, msg, len, &res, &resp) == NT_STATUS_INVALID_PARAMETER);

	/* More dialects than are kept: the first ones are. */
	req_init(&q);
	for (n = 0; n < 80; n++)
		q.dialects[n] = (uint16_t)(0x0100 + n);
	q.dialects[79] = SMB2_DIALECT_302;
	q.nd = 80;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.dialect == SMB2_DIALECT_302);
	CHECK(res.nclient_dialects == SMB2_NEGOTIATE_MAX_DIALECTS);
	wbuf_free(&resp);
}

static const uint8_t enc_gcm_ccm[] = { 0x02, 0x00, 0x02, 0x00, 0x01, 0x00 };
static const uint8_t enc_ccm_gcm[] = { 0x02, 0x00, 0x01, 0x00, 0x02, 0x00 };
static const uint8_t enc_unknown[] = { 0x01, 0x00, 0x09, 0x00 };
static const uint8_t enc_zero[] = { 0x00, 0x00 };
static const uint8_t enc_short[] = { 0x02, 0x00, 0x01, 0x00 };
static const uint8_t sign_hmac_gmac[] = { 0x02, 0x00, 0x00, 0x00, 0x02, 0x00 };
static const uint8_t sign_gmac[] = { 0x01, 0x00, 0x02, 0x00 };
static const uint8_t sign_unknown[] = { 0x01, 0x00, 0x07, 0x00 };
static const uint8_t sign_zero[] = { 0x00, 0x00 };
static const uint8_t sign_short[] = { 0x03, 0x00, 0x01, 0x00, 0x02, 0x00 };
static const uint8_t comp_lz77[] = {
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00
};
static const uint8_t netname[] = { 's', 0, 'r', 0, 'v', 0 };
static const uint8_t transport[] = { 0x01, 0x00, 0x00, 0x00 };
static const uint8_t rdma[] = {
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00
};
static const uint8_t posix[16] = { 0x93, 0xad, 0x25, 0x50 };
static const uint8_t preauth_sha256_only[] = {
	0x01, 0x00, 0x00, 0x00, 0x02, 0x00
};
static const uint8_t preauth_two[] = {
	0x02, 0x00, 0x04, 0x00, 0x02, 0x00, 0x01, 0x00, 9, 9, 9, 9
};
static const uint8_t preauth_zero[] = { 0x00, 0x00, 0x00, 0x00 };
static const uint8_t preauth_short_salt[] = {
	0x01, 0x00, 0x20, 0x00, 0x01, 0x00, 1, 2, 3
};
static const uint8_t preauth_short[] = { 0x01, 0x00 };

static void
test_contexts_ok(void)
{
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct wbuf resp;
	struct req q;
	const uint8_t *p;
	size_t len;

	default_cfg(&cfg);
	wbuf_init(&resp, 4096);

	/* Only the mandatory preauth context. */
	req_init(&q);
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.dialect == SMB2_DIALECT_311);
	CHECK(res.preauth_hash_alg == SMB2_PREAUTH_INTEGRITY_SHA512);
	CHECK(res.cipher == SMB2_CIPHER_NONE);
	CHECK(!res.signalg_negotiated);
	CHECK(res.signalg == SMB2_SIGN_AES_CMAC);
	CHECK(get16(wbuf_data(&resp) + 6) == 1);
	p = resp_ctx(&resp, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, &len);
	CHECK(p != NULL && len == 38);
	if (p != NULL)
		CHECK_MEM(p, "\x01\x00\x20\x00\x01\x00", 6);
	/* 3.1.1 has no ENCRYPTION capability, even when the client asks. */
	CHECK(!(res.server_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION));

	/* Every context type at once, in an odd order. */
	req_init(&q);
	req_add(&q, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID, netname,
	    sizeof(netname));
	req_add(&q, SMB2_COMPRESSION_CAPABILITIES, comp_lz77,
	    sizeof(comp_lz77));
	req_add(&q, SMB2_SIGNING_CAPABILITIES, sign_hmac_gmac,
	    sizeof(sign_hmac_gmac));
	req_add(&q, SMB2_TRANSPORT_CAPABILITIES, transport, sizeof(transport));
	req_add(&q, SMB2_RDMA_TRANSFORM_CAPABILITIES, rdma, sizeof(rdma));
	req_add(&q, SMB2_CONTEXTTYPE_RESERVED, posix, sizeof(posix));
	req_add(&q, 0x7777, NULL, 0);
	req_add(&q, SMB2_ENCRYPTION_CAPABILITIES, enc_ccm_gcm,
	    sizeof(enc_ccm_gcm));
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_two,
	    sizeof(preauth_two));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.cipher == SMB2_CIPHER_AES128_GCM);
	CHECK(res.signalg_negotiated && res.signalg == SMB2_SIGN_AES_GMAC);
	/* Preauth, encryption and signing are answered; nothing else. */
	CHECK(get16(wbuf_data(&resp) + 6) == 3);
	CHECK(resp_ctx(&resp, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, &len) !=
	    NULL);
	CHECK(resp_ctx(&resp, SMB2_ENCRYPTION_CAPABILITIES, &len) != NULL);
	CHECK(resp_ctx(&resp, SMB2_SIGNING_CAPABILITIES, &len) != NULL);
	CHECK(resp_ctx(&resp, SMB2_COMPRESSION_CAPABILITIES, &len) == NULL);
	CHECK(resp_ctx(&resp, SMB2_TRANSPORT_CAPABILITIES, &len) == NULL);
	CHECK(resp_ctx(&resp, SMB2_RDMA_TRANSFORM_CAPABILITIES, &len) == NULL);
	CHECK(resp_ctx(&resp, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID, &len) ==
	    NULL);

	/* Below 3.1.1 the contexts are not looked at, broken or not. */
	req_init(&q);
	q.dialects[4] = 0x0201;
	req_add(&q, SMB2_ENCRYPTION_CAPABILITIES, enc_zero, sizeof(enc_zero));
	req_add(&q, SMB2_ENCRYPTION_CAPABILITIES, enc_zero, sizeof(enc_zero));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.dialect == SMB2_DIALECT_302);
	CHECK(get16(wbuf_data(&resp) + 6) == 0);
	CHECK(get32(wbuf_data(&resp) + 60) == 0);
	wbuf_free(&resp);
}

struct bad_case {
	const char	*name;
	uint16_t	 t1;
	const uint8_t	*d1;
	size_t		 l1;
	uint16_t	 t2;
	const uint8_t	*d2;
	size_t		 l2;
	uint32_t	 want;
};

static void
test_contexts_bad(void)
{
	static const struct bad_case cases[] = {
	    { "no preauth", SMB2_ENCRYPTION_CAPABILITIES, enc_gcm_ccm,
	      sizeof(enc_gcm_ccm), 0, NULL, 0, NT_STATUS_INVALID_PARAMETER },
	    { "two preauth", SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	      sizeof(preauth_ctx), SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
	      preauth_ctx, sizeof(preauth_ctx), NT_STATUS_INVALID_PARAMETER },
	    { "no sha512", SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
	      preauth_sha256_only, sizeof(preauth_sha256_only), 0, NULL, 0,
	      NT_STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP },
	    { "no hash", SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_zero,
	      sizeof(preauth_zero), 0, NULL, 0, NT_STATUS_INVALID_PARAMETER },
	    { "short salt", SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
	      preauth_short_salt, sizeof(preauth_short_salt), 0, NULL, 0,
	      NT_STATUS_INVALID_PARAMETER },
	    { "short preauth", SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
	      preauth_short, sizeof(preauth_short), 0, NULL, 0,
	      NT_STATUS_INVALID_PARAMETER },
	    { "two encryption", SMB2_ENCRYPTION_CAPABILITIES, enc_gcm_ccm,
	      sizeof(enc_gcm_ccm), SMB2_ENCRYPTION_CAPABILITIES, enc_gcm_ccm,
	      sizeof(enc_gcm_ccm), NT_STATUS_INVALID_PARAMETER },
	    { "no cipher", SMB2_ENCRYPTION_CAPABILITIES, enc_zero,
	      sizeof(enc_zero), 0, NULL, 0, NT_STATUS_INVALID_PARAMETER },
	    { "short ciphers", SMB2_ENCRYPTION_CAPABILITIES, enc_short,
	      sizeof(enc_short), 0, NULL, 0, NT_STATUS_INVALID_PARAMETER },
	    { "empty encryption", SMB2_ENCRYPTION_CAPABILITIES, NULL, 0, 0,
	      NULL, 0, NT_STATUS_INVALID_PARAMETER },
	    { "two compression", SMB2_COMPRESSION_CAPABILITIES, comp_lz77,
	      sizeof(comp_lz77), SMB2_COMPRESSION_CAPABILITIES, comp_lz77,
	      sizeof(comp_lz77), NT_STATUS_INVALID_PARAMETER },
	    { "two signing", SMB2_SIGNING_CAPABILITIES, sign_gmac,
	      sizeof(sign_gmac), SMB2_SIGNING_CAPABILITIES, sign_gmac,
	      sizeof(sign_gmac), NT_STATUS_INVALID_PARAMETER },
	    { "no signing alg", SMB2_SIGNING_CAPABILITIES, sign_zero,
	      sizeof(sign_zero), 0, NULL, 0, NT_STATUS_INVALID_PARAMETER },
	    { "short signing", SMB2_SIGNING_CAPABILITIES, sign_short,
	      sizeof(sign_short), 0, NULL, 0, NT_STATUS_INVALID_PARAMETER },
	};
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct wbuf resp;
	struct req q;
	uint8_t msg[2048];
	size_t i, len;
	uint32_t st;

	default_cfg(&cfg);
	wbuf_init(&resp, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req_init(&q);
		/* The preauth context comes along unless it is the test. */
		if (cases[i].t1 != SMB2_PREAUTH_INTEGRITY_CAPABILITIES &&
		    strcmp(cases[i].name, "no preauth") != 0)
			req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
			    preauth_ctx, sizeof(preauth_ctx));
		req_add(&q, cases[i].t1, cases[i].d1, cases[i].l1);
		if (cases[i].t2 != 0)
			req_add(&q, cases[i].t2, cases[i].d2, cases[i].l2);
		st = run_req(&cfg, &q, &res, &resp);
		if (st != cases[i].want)
			fprintf(stderr, "case \"%s\": %s\n", cases[i].name,
			    ntstatus_name(st));
		CHECK(st == cases[i].want);
	}

	/* No contexts at all with 3.1.1. */
	req_init(&q);
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_INVALID_PARAMETER);

	/* Count larger than the list; offset past the end or too early. */
	req_init(&q);
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	q.ctx_count = 2;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_INVALID_PARAMETER);
	q.ctx_count = -1;
	q.ctx_off = 4000;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_INVALID_PARAMETER);
	q.ctx_off = 64 + 8;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_INVALID_PARAMETER);

	/* A DataLength past the end of the message. */
	q.ctx_off = -1;
	len = req_build(&q, msg, sizeof(msg));
	CHECK(run(&cfg, msg, len, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(run(&cfg, msg, len - 1, &res, &resp) ==
	    NT_STATUS_INVALID_PARAMETER);

	/* Contexts packed without the 8-byte padding. */
	req_init(&q);
	req_add(&q, SMB2_SIGNING_CAPABILITIES, sign_gmac, sizeof(sign_gmac));
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	q.no_pad = 1;
	CHECK(run_req(&cfg, &q, &res, &resp) != NT_STATUS_SUCCESS);
	wbuf_free(&resp);
}

static void
test_cipher_choice(void)
{
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct wbuf resp;
	struct req q;
	const uint8_t *p;
	size_t len;

	default_cfg(&cfg);
	wbuf_init(&resp, 4096);
	req_init(&q);
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	req_add(&q, SMB2_ENCRYPTION_CAPABILITIES, enc_ccm_gcm,
	    sizeof(enc_ccm_gcm));

	/* The server's order wins over the client's. */
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.cipher == SMB2_CIPHER_AES128_GCM);
	p = resp_ctx(&resp, SMB2_ENCRYPTION_CAPABILITIES, &len);
	CHECK(p != NULL && len == 4);
	if (p != NULL)
		CHECK_MEM(p, "\x01\x00\x02\x00", 4);

	cfg.ciphers[0] = SMB2_CIPHER_AES128_CCM;
	cfg.ciphers[1] = SMB2_CIPHER_AES128_GCM;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.cipher == SMB2_CIPHER_AES128_CCM);

	/* Only AES-256 configured: nothing common, cipher 0 answered. */
	cfg.ciphers[0] = SMB2_CIPHER_AES256_GCM;
	cfg.nciphers = 1;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.cipher == SMB2_CIPHER_NONE);
	p = resp_ctx(&resp, SMB2_ENCRYPTION_CAPABILITIES, &len);
	CHECK(p != NULL && len == 4);
	if (p != NULL)
		CHECK_MEM(p, "\x01\x00\x00\x00", 4);

	/* Unknown cipher ids only. */
	default_cfg(&cfg);
	req_init(&q);
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	req_add(&q, SMB2_ENCRYPTION_CAPABILITIES, enc_unknown,
	    sizeof(enc_unknown));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.cipher == SMB2_CIPHER_NONE);

	/* No configured list: the built-in order, GCM first. */
	cfg.nciphers = 0;
	req_init(&q);
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	req_add(&q, SMB2_ENCRYPTION_CAPABILITIES, enc_ccm_gcm,
	    sizeof(enc_ccm_gcm));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.cipher == SMB2_CIPHER_AES128_GCM);

	/* Encryption off: no context answered, no cipher. */
	cfg.encryption_enabled = 0;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.cipher == SMB2_CIPHER_NONE);
	CHECK(resp_ctx(&resp, SMB2_ENCRYPTION_CAPABILITIES, &len) == NULL);
	CHECK(get16(wbuf_data(&resp) + 6) == 1);

	/* 3.0.2: the capability, when on and the client has it. */
	default_cfg(&cfg);
	cfg.max_dialect = SMB2_DIALECT_302;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.server_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION);
	CHECK(res.cipher == SMB2_CIPHER_AES128_CCM);
	q.caps = 0;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(!(res.server_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION));
	CHECK(res.cipher == SMB2_CIPHER_NONE);
	q.caps = SMB2_GLOBAL_CAP_ENCRYPTION;
	cfg.encryption_enabled = 0;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(!(res.server_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION));
	/* 2.1 never has it. */
	cfg.encryption_enabled = 1;
	cfg.max_dialect = SMB2_DIALECT_210;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(!(res.server_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION));
	wbuf_free(&resp);
}

static void
test_signing_choice(void)
{
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct wbuf resp;
	struct req q;
	const uint8_t *p;
	size_t len;

	default_cfg(&cfg);
	wbuf_init(&resp, 4096);
	req_init(&q);
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	req_add(&q, SMB2_SIGNING_CAPABILITIES, sign_hmac_gmac,
	    sizeof(sign_hmac_gmac));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.signalg_negotiated && res.signalg == SMB2_SIGN_AES_GMAC);
	p = resp_ctx(&resp, SMB2_SIGNING_CAPABILITIES, &len);
	CHECK(p != NULL && len == 4);
	if (p != NULL)
		CHECK_MEM(p, "\x01\x00\x02\x00", 4);

	/* The server prefers HMAC-SHA256 over GMAC. */
	cfg.signalgs[0] = SMB2_SIGN_HMAC_SHA256;
	cfg.signalgs[1] = SMB2_SIGN_AES_GMAC;
	cfg.nsignalgs = 2;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.signalg == SMB2_SIGN_HMAC_SHA256);

	/*
	 * No overlap: AES-CMAC, and no SIGNING context in the response,
	 * which would name an algorithm the client did not offer.
	 */
	cfg.signalgs[0] = SMB2_SIGN_AES_CMAC;
	cfg.nsignalgs = 1;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(!res.signalg_negotiated && res.signalg == SMB2_SIGN_AES_CMAC);
	CHECK(resp_ctx(&resp, SMB2_SIGNING_CAPABILITIES, &len) == NULL);
	CHECK(resp_ctx(&resp, SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
	    &len) != NULL);

	req_init(&q);
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	req_add(&q, SMB2_SIGNING_CAPABILITIES, sign_unknown,
	    sizeof(sign_unknown));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(!res.signalg_negotiated && res.signalg == SMB2_SIGN_AES_CMAC);
	CHECK(resp_ctx(&resp, SMB2_SIGNING_CAPABILITIES, &len) == NULL);

	/* Defaults per dialect without a context. */
	default_cfg(&cfg);
	req_init(&q);
	q.dialects[0] = SMB2_DIALECT_210;
	q.nd = 1;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(!res.signalg_negotiated && res.signalg == SMB2_SIGN_HMAC_SHA256);
	q.dialects[0] = SMB2_DIALECT_300;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(!res.signalg_negotiated && res.signalg == SMB2_SIGN_AES_CMAC);

	/* Security mode. */
	CHECK(res.server_security_mode == SMB2_NEGOTIATE_SIGNING_ENABLED);
	CHECK(get16(wbuf_data(&resp) + 2) == SMB2_NEGOTIATE_SIGNING_ENABLED);
	cfg.signing_required = 1;
	q.secmode = SMB2_NEGOTIATE_SIGNING_REQUIRED;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.server_security_mode == (SMB2_NEGOTIATE_SIGNING_ENABLED |
	    SMB2_NEGOTIATE_SIGNING_REQUIRED));
	CHECK(get16(wbuf_data(&resp) + 2) == 3);
	CHECK(res.client_security_mode == SMB2_NEGOTIATE_SIGNING_REQUIRED);
	wbuf_free(&resp);
}

/*
 * The signing algorithm for each client list, alone and combined, in
 * either order, with unknown ids, under three server orders: the
 * built-in one, the same given explicitly, and HMAC-SHA256 before
 * AES-GMAC without AES-CMAC.  -1: nothing in common, so AES-CMAC without
 * a SIGNING context.  Whatever is chosen must give a 3.1.1 signer.
 */
static void
test_signing_select(void)
{
	enum { H = SMB2_SIGN_HMAC_SHA256, C = SMB2_SIGN_AES_CMAC,
	    G = SMB2_SIGN_AES_GMAC, NONE = -1 };
	static const struct {
		uint16_t	 ids[4];
		size_t		 n;
		int		 builtin, hg;
	} v[] = {
		{ { H }, 1, H, H },
		{ { C }, 1, C, NONE },
		{ { G }, 1, G, G },
		{ { H, C }, 2, C, H },
		{ { C, H }, 2, C, H },
		{ { H, G }, 2, G, H },
		{ { G, H }, 2, G, H },
		{ { C, G }, 2, G, G },
		{ { G, C }, 2, G, G },
		{ { H, C, G }, 3, G, H },
		{ { G, C, H }, 3, G, H },
		{ { 7 }, 1, NONE, NONE },
		{ { 7, 0xffff, 3 }, 3, NONE, NONE },
		{ { 7, H }, 2, H, H },
		{ { 0xffff, C, 7 }, 3, C, NONE },
		{ { H, H }, 2, H, H },
	};
	static const uint8_t key[16] = { 0x11, 0x22, 0x33, 0x44 };
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct smb2_signer *signer;
	struct wbuf resp;
	struct req q;
	uint8_t ctx[2 + 2 * 4], want[4];
	const uint8_t *p;
	size_t i, j, len;
	int order, exp;

	wbuf_init(&resp, 4096);
	for (order = 0; order < 3; order++) {
		default_cfg(&cfg);
		if (order == 0)
			cfg.nsignalgs = 0;
		else if (order == 2) {
			cfg.signalgs[0] = SMB2_SIGN_HMAC_SHA256;
			cfg.signalgs[1] = SMB2_SIGN_AES_GMAC;
			cfg.nsignalgs = 2;
		}
		for (i = 0; i < nitems(v); i++) {
			exp = order == 2 ? v[i].hg : v[i].builtin;
			ctx[0] = (uint8_t)v[i].n;
			ctx[1] = 0;
			for (j = 0; j < v[i].n; j++) {
				ctx[2 + 2 * j] = v[i].ids[j] & 0xff;
				ctx[3 + 2 * j] = v[i].ids[j] >> 8;
			}
			req_init(&q);
			req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
			    preauth_ctx, sizeof(preauth_ctx));
			req_add(&q, SMB2_SIGNING_CAPABILITIES, ctx,
			    2 + 2 * v[i].n);
			CHECK(run_req(&cfg, &q, &res, &resp) ==
			    NT_STATUS_SUCCESS);
			CHECK(res.dialect == SMB2_DIALECT_311);
			p = resp_ctx(&resp, SMB2_SIGNING_CAPABILITIES, &len);
			if (exp == NONE) {
				CHECK(!res.signalg_negotiated);
				CHECK(res.signalg == SMB2_SIGN_AES_CMAC);
				CHECK(p == NULL);
			} else {
				CHECK(res.signalg_negotiated);
				CHECK((int)res.signalg == exp);
				want[0] = 1;
				want[1] = 0;
				want[2] = (uint8_t)exp;
				want[3] = 0;
				CHECK(p != NULL && len == 4);
				if (p != NULL && len == 4)
					CHECK_MEM(p, want, 4);
			}
			signer = smb2_signer_new(res.dialect, res.signalg,
			    key, sizeof(key));
			CHECK(signer != NULL);
			smb2_signer_free(signer);
		}
	}
	wbuf_free(&resp);
}

static void
test_capabilities(void)
{
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct wbuf resp;
	struct req q;
	uint32_t all3 = SMB2_GLOBAL_CAP_LEASING | SMB2_GLOBAL_CAP_LARGE_MTU |
	    SMB2_GLOBAL_CAP_MULTI_CHANNEL | SMB2_GLOBAL_CAP_PERSISTENT_HANDLES |
	    SMB2_GLOBAL_CAP_DIRECTORY_LEASING;

	default_cfg(&cfg);
	cfg.leasing = cfg.multichannel = cfg.persistent = 1;
	cfg.directory_leasing = 1;
	wbuf_init(&resp, 4096);
	req_init(&q);
	q.caps = 0;
	q.nd = 1;

	q.dialects[0] = SMB2_DIALECT_202;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.server_capabilities == 0);
	/* 2.0.2 cannot use more than 64 KiB. */
	CHECK(res.max_read == 65536 && res.max_write == 65536 &&
	    res.max_trans == 65536);
	CHECK(get32(wbuf_data(&resp) + 32) == 65536);

	q.dialects[0] = SMB2_DIALECT_210;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.server_capabilities ==
	    (SMB2_GLOBAL_CAP_LEASING | SMB2_GLOBAL_CAP_LARGE_MTU));
	CHECK(res.max_read == 8 * 1024 * 1024);

	/* Directory leasing only to a client that says it leases them. */
	q.dialects[0] = SMB2_DIALECT_300;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.server_capabilities ==
	    (all3 & ~SMB2_GLOBAL_CAP_DIRECTORY_LEASING));
	q.caps = SMB2_GLOBAL_CAP_DIRECTORY_LEASING;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.server_capabilities == all3);
	CHECK(get32(wbuf_data(&resp) + 24) == all3);

	q.dialects[0] = SMB2_DIALECT_311;
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.server_capabilities == all3);

	/* Nothing configured: nothing advertised; no LARGE_MTU, 64 KiB. */
	default_cfg(&cfg);
	cfg.large_mtu = 0;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.server_capabilities == 0);
	CHECK(res.max_write == 65536);
	cfg.dfs = 1;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.server_capabilities == SMB2_GLOBAL_CAP_DFS);
	wbuf_free(&resp);
}

/* The whole 3.1.1 response body, byte by byte. */
static void
test_layout_311(void)
{
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct wbuf resp;
	struct req q;
	const uint8_t *p;

	default_cfg(&cfg);
	cfg.signing_required = 1;
	cfg.server_start_time = 0x0102030405060708ULL;
	wbuf_init(&resp, 4096);
	req_init(&q);
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	req_add(&q, SMB2_ENCRYPTION_CAPABILITIES, enc_ccm_gcm,
	    sizeof(enc_ccm_gcm));
	req_add(&q, SMB2_SIGNING_CAPABILITIES, sign_hmac_gmac,
	    sizeof(sign_hmac_gmac));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	p = wbuf_data(&resp);
	/*
	 * 64 fixed bytes, the 10-byte blob at header offset 0x80, padding
	 * to 0x90, preauth (8 + 38) to 0xbe, padding to 0xc0, encryption
	 * (8 + 4) to 0xcc, padding to 0xd0, signing (8 + 4) to 0xdc.
	 */
	CHECK(wbuf_len(&resp) == 0xdc - 64);
	CHECK_MEM(p, "\x41\x00\x03\x00\x11\x03\x03\x00", 8);
	CHECK_MEM(p + 8, server_guid, 16);
	CHECK_MEM(p + 24, "\x04\x00\x00\x00", 4);	/* LARGE_MTU */
	CHECK_MEM(p + 28, "\x00\x00\x80\x00\x00\x00\x80\x00\x00\x00\x80\x00",
	    12);
	CHECK_MEM(p + 40, "\x00\x00\x00\x00\x00\x00\xd9\x01", 8);
	CHECK_MEM(p + 48, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
	CHECK_MEM(p + 56, "\x80\x00\x0a\x00\x90\x00\x00\x00", 8);
	CHECK_MEM(p + 64, blob, 10);
	CHECK_MEM(p + 74, "\0\0\0\0\0\0", 6);
	CHECK_MEM(p + 80, "\x01\x00\x26\x00\x00\x00\x00\x00"
	    "\x01\x00\x20\x00\x01\x00", 14);
	CHECK_MEM(p + 80 + 14, res.preauth_salt, 32);
	CHECK_MEM(p + 126, "\0\0", 2);
	CHECK_MEM(p + 128, "\x02\x00\x04\x00\x00\x00\x00\x00\x01\x00\x02\x00",
	    12);
	CHECK_MEM(p + 140, "\0\0\0\0", 4);
	CHECK_MEM(p + 144, "\x08\x00\x04\x00\x00\x00\x00\x00\x01\x00\x02\x00",
	    12);
	CHECK(res.client_capabilities == q.caps);
	CHECK_MEM(res.client_guid, test_guid, 16);
	CHECK_MEM(res.server_guid, server_guid, 16);

	/* Two salts differ (they are random). */
	{
		uint8_t salt[32];

		memcpy(salt, res.preauth_salt, 32);
		CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
		CHECK(memcmp(salt, res.preauth_salt, 32) != 0);
	}

	/* An empty security blob still gets its buffer byte below 3.1.1. */
	cfg.security_blob = NULL;
	cfg.security_blob_len = 0;
	q.dialects[0] = SMB2_DIALECT_210;
	q.nd = 1;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(wbuf_len(&resp) == 65);
	CHECK_MEM(wbuf_data(&resp) + 56, "\x80\x00\x00\x00\x00\x00\x00\x00",
	    8);
	wbuf_free(&resp);
}

/* A NEGOTIATE captured from smbclient 4.17 (client max protocol SMB3_11). */
static const char smbclient_negotiate[] =
	"fe534d42400000000000000000001f000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000"
	"0000000024000500010000007f0000003718b5be6465a44c8e0c9af994e5"
	"4c5970000000040000000202100200030203110300000100260000000000"
	"010020000100008c518a97a932da8f71db92187de19490971f1a93742f74"
	"20bc096d317a9b08000002000a0000000000040002000100040003000000"
	"000000000800080000000000030002000100000005001200000000003100"
	"320037002e0030002e0030002e003100";

static void
test_smbclient_vector(void)
{
	static const uint8_t client_guid[16] = {
		0x37, 0x18, 0xb5, 0xbe, 0x64, 0x65, 0xa4, 0x4c,
		0x8e, 0x0c, 0x9a, 0xf9, 0x94, 0xe5, 0x4c, 0x59,
	};
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct wbuf resp;
	uint8_t msg[512];
	size_t len;

	len = unit_unhex(smbclient_negotiate, msg, sizeof(msg));
	CHECK(len == 226);
	default_cfg(&cfg);
	wbuf_init(&resp, 4096);
	CHECK(run(&cfg, msg, len, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.dialect == SMB2_DIALECT_311);
	CHECK(res.nclient_dialects == 5);
	CHECK(res.client_dialects[4] == SMB2_DIALECT_311);
	CHECK(res.client_security_mode == SMB2_NEGOTIATE_SIGNING_ENABLED);
	CHECK(res.client_capabilities == 0x7f);
	CHECK_MEM(res.client_guid, client_guid, 16);
	/* It offers GCM, CCM, 256-GCM, 256-CCM and GMAC, CMAC, HMAC. */
	CHECK(res.cipher == SMB2_CIPHER_AES128_GCM);
	CHECK(res.signalg_negotiated && res.signalg == SMB2_SIGN_AES_GMAC);
	CHECK(get16(wbuf_data(&resp) + 6) == 3);

	/* Server prefers 256-bit: the client has those too. */
	cfg.ciphers[0] = SMB2_CIPHER_AES256_GCM;
	CHECK(run(&cfg, msg, len, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.cipher == SMB2_CIPHER_AES256_GCM);
	/* Capped at 3.0.2 the same request yields 3.0.2 and ENCRYPTION. */
	cfg.max_dialect = SMB2_DIALECT_302;
	CHECK(run(&cfg, msg, len, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.dialect == SMB2_DIALECT_302);
	CHECK(res.server_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION);
	wbuf_free(&resp);
}

/* What impacket 0.10 sends: "NT LM 0.12", "SMB 2.002", "SMB 2.???". */
static const char impacket_smb1[] =
	"ff534d4272000000001801c8000000000000000000000000ffff00000000"
	"0000002200024e54204c4d20302e31320002534d4220322e303032000253"
	"4d4220322e3f3f3f00";
/* smbclient 4.17 with client min protocol = NT1. */
static const char smbclient_smb1[] =
	"ff534d4272000000001843c80000000000000000000000000000feff0000"
	"0000003100024e54204c414e4d414e20312e3000024e54204c4d20302e31"
	"320002534d4220322e3030320002534d4220322e3f3f3f00";

static void
test_smb1(void)
{
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct wbuf resp;
	uint8_t msg[256], bad[256];
	size_t len, n;
	int o202, o2xx;
	const uint8_t *p;

	len = unit_unhex(impacket_smb1, msg, sizeof(msg));
	CHECK(smb1_negotiate_parse(msg, len, &o202, &o2xx) == 0);
	CHECK(o202 && o2xx);
	len = unit_unhex(smbclient_smb1, msg, sizeof(msg));
	CHECK(smb1_negotiate_parse(msg, len, &o202, &o2xx) == 0);
	CHECK(o202 && o2xx);

	default_cfg(&cfg);
	CHECK(smb1_negotiate_select(&cfg, 1, 1) == SMB2_DIALECT_WILDCARD);
	CHECK(smb1_negotiate_select(&cfg, 1, 0) == SMB2_DIALECT_202);
	CHECK(smb1_negotiate_select(&cfg, 0, 1) == SMB2_DIALECT_WILDCARD);
	CHECK(smb1_negotiate_select(&cfg, 0, 0) == 0);
	cfg.max_dialect = SMB2_DIALECT_202;
	CHECK(smb1_negotiate_select(&cfg, 1, 1) == SMB2_DIALECT_202);
	CHECK(smb1_negotiate_select(&cfg, 0, 1) == 0);
	cfg.max_dialect = SMB2_DIALECT_311;
	cfg.min_dialect = SMB2_DIALECT_300;
	CHECK(smb1_negotiate_select(&cfg, 1, 0) == 0);
	CHECK(smb1_negotiate_select(&cfg, 1, 1) == SMB2_DIALECT_WILDCARD);

	/* Only "NT LM 0.12": no SMB2 at all. */
	n = unit_unhex("ff534d4272000000001801c8000000000000000000000000"
	    "ffff000000000000000c00024e54204c4d20302e313200", bad,
	    sizeof(bad));
	CHECK(smb1_negotiate_parse(bad, n, &o202, &o2xx) == 0);
	CHECK(!o202 && !o2xx);
	/* A name longer than any we look for, then "SMB 2.002". */
	n = unit_unhex("ff534d4272000000001801c8000000000000000000000000"
	    "ffff00000000000000240002534d4220322e3030322d746f6f2d6c6f6e67"
	    "2d6e616d650002534d4220322e30303200", bad, sizeof(bad));
	CHECK(smb1_negotiate_parse(bad, n, &o202, &o2xx) == 0);
	CHECK(o202 && !o2xx);

	/* Malformed: every truncation; each broken field. */
	len = unit_unhex(impacket_smb1, msg, sizeof(msg));
	for (n = 0; n < len; n++)
		CHECK(smb1_negotiate_parse(msg, n, &o202, &o2xx) == -1);
	memcpy(bad, msg, len);
	bad[0] = 0xfe;
	CHECK(smb1_negotiate_parse(bad, len, &o202, &o2xx) == -1);
	memcpy(bad, msg, len);
	bad[4] = 0x73;		/* SESSION_SETUP_ANDX */
	CHECK(smb1_negotiate_parse(bad, len, &o202, &o2xx) == -1);
	memcpy(bad, msg, len);
	bad[9] |= 0x80;		/* a reply */
	CHECK(smb1_negotiate_parse(bad, len, &o202, &o2xx) == -1);
	memcpy(bad, msg, len);
	bad[32] = 1;		/* WordCount */
	CHECK(smb1_negotiate_parse(bad, len, &o202, &o2xx) == -1);
	memcpy(bad, msg, len);
	bad[33] = 0x23;		/* ByteCount past the end */
	CHECK(smb1_negotiate_parse(bad, len, &o202, &o2xx) == -1);
	memcpy(bad, msg, len);
	bad[35] = 0x03;		/* buffer format */
	CHECK(smb1_negotiate_parse(bad, len, &o202, &o2xx) == -1);
	memcpy(bad, msg, len);
	bad[len - 1] = '?';	/* unterminated last string */
	CHECK(smb1_negotiate_parse(bad, len, &o202, &o2xx) == -1);
	/* ByteCount shorter than the strings: the last is cut. */
	memcpy(bad, msg, len);
	bad[33] = 0x21;
	CHECK(smb1_negotiate_parse(bad, len, &o202, &o2xx) == -1);

	/* The 0x02FF answer. */
	default_cfg(&cfg);
	cfg.leasing = 1;
	cfg.multichannel = 1;
	wbuf_init(&resp, 4096);
	CHECK(smb2_negotiate_smb1_response(&cfg, SMB2_DIALECT_WILDCARD, &res,
	    &resp) == 0);
	p = wbuf_data(&resp);
	CHECK(wbuf_len(&resp) == 64 + sizeof(blob));
	CHECK_MEM(p, "\x41\x00\x01\x00\xff\x02\x00\x00", 8);
	CHECK_MEM(p + 8, server_guid, 16);
	CHECK(get32(p + 24) ==
	    (SMB2_GLOBAL_CAP_LEASING | SMB2_GLOBAL_CAP_LARGE_MTU));
	CHECK_MEM(p + 56, "\x80\x00\x0a\x00\x00\x00\x00\x00", 8);
	CHECK(res.dialect == 0);

	/* The 0x0202 answer. */
	wbuf_reset(&resp);
	CHECK(smb2_negotiate_smb1_response(&cfg, SMB2_DIALECT_202, &res,
	    &resp) == 0);
	p = wbuf_data(&resp);
	CHECK(get16(p + 4) == SMB2_DIALECT_202);
	CHECK(get32(p + 24) == 0);
	CHECK(get32(p + 32) == 65536);
	CHECK(res.dialect == SMB2_DIALECT_202);
	CHECK(res.signalg == SMB2_SIGN_HMAC_SHA256);

	wbuf_reset(&resp);
	CHECK(smb2_negotiate_smb1_response(&cfg, SMB2_DIALECT_311, &res,
	    &resp) == -1);
	wbuf_free(&resp);
}

static size_t
vni_build(uint8_t *out, size_t max, uint32_t caps, const uint8_t *guid,
    uint16_t secmode, const uint16_t *d, size_t nd)
{
	struct wbuf w;
	size_t i;

	wbuf_init_fixed(&w, out, max);
	wbuf_put_u32le(&w, caps);
	wbuf_put_bytes(&w, guid, 16);
	wbuf_put_u16le(&w, secmode);
	wbuf_put_u16le(&w, (uint16_t)nd);
	for (i = 0; i < nd; i++)
		wbuf_put_u16le(&w, d[i]);
	return wbuf_len(&w);
}

static uint32_t
vni_run(const struct smb2_negotiate_cfg *cfg,
    const struct smb2_negotiate_result *res, const uint8_t *in, size_t len,
    struct wbuf *out)
{
	struct rbuf r;

	rbuf_init(&r, in, len);
	wbuf_reset(out);
	return smb2_validate_negotiate(cfg, res, &r, out);
}

static void
test_validate(void)
{
	static const uint16_t d3[] = {
		SMB2_DIALECT_202, SMB2_DIALECT_210, SMB2_DIALECT_300,
		SMB2_DIALECT_302,
	};
	static const uint16_t d3swap[] = {
		SMB2_DIALECT_210, SMB2_DIALECT_202, SMB2_DIALECT_300,
		SMB2_DIALECT_302,
	};
	struct smb2_negotiate_cfg cfg, zero;
	struct smb2_negotiate_result res;
	struct wbuf resp, out;
	struct req q;
	uint8_t in[256], other[16];
	uint32_t caps = SMB2_GLOBAL_CAP_ENCRYPTION | SMB2_GLOBAL_CAP_LEASING;
	size_t len, n;
	const uint8_t *p;

	default_cfg(&cfg);
	cfg.signing_required = 1;
	wbuf_init(&resp, 4096);
	wbuf_init(&out, 64);
	req_init(&q);
	memcpy(q.dialects, d3, sizeof(d3));
	q.nd = 4;
	q.caps = caps;
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	CHECK(res.dialect == SMB2_DIALECT_302);

	len = vni_build(in, sizeof(in), caps, test_guid, q.secmode, d3, 4);
	CHECK(vni_run(&cfg, &res, in, len, &out) == NT_STATUS_SUCCESS);
	CHECK(wbuf_len(&out) == SMB2_VALIDATE_NEGOTIATE_RESP_LEN);
	p = wbuf_data(&out);
	CHECK(get32(p) == res.server_capabilities);
	CHECK_MEM(p + 4, server_guid, 16);
	CHECK(get16(p + 20) == 3);
	CHECK(get16(p + 22) == SMB2_DIALECT_302);

	/* In the session worker the cfg may be all zeros. */
	memset(&zero, 0, sizeof(zero));
	CHECK(vni_run(&zero, &res, in, len, &out) == NT_STATUS_SUCCESS);
	CHECK_MEM(wbuf_data(&out) + 4, server_guid, 16);

	/* Each mismatch. */
	n = vni_build(in, sizeof(in), caps & ~SMB2_GLOBAL_CAP_ENCRYPTION,
	    test_guid, q.secmode, d3, 4);
	CHECK(vni_run(&cfg, &res, in, n, &out) != NT_STATUS_SUCCESS);
	memcpy(other, test_guid, 16);
	other[15] ^= 1;
	n = vni_build(in, sizeof(in), caps, other, q.secmode, d3, 4);
	CHECK(vni_run(&cfg, &res, in, n, &out) != NT_STATUS_SUCCESS);
	n = vni_build(in, sizeof(in), caps, test_guid, 3, d3, 4);
	CHECK(vni_run(&cfg, &res, in, n, &out) != NT_STATUS_SUCCESS);
	n = vni_build(in, sizeof(in), caps, test_guid, q.secmode, d3, 3);
	CHECK(vni_run(&cfg, &res, in, n, &out) != NT_STATUS_SUCCESS);
	n = vni_build(in, sizeof(in), caps, test_guid, q.secmode, d3swap, 4);
	CHECK(vni_run(&cfg, &res, in, n, &out) != NT_STATUS_SUCCESS);
	/* The server's range moved (another config): a different dialect. */
	cfg.max_dialect = SMB2_DIALECT_300;
	CHECK(vni_run(&cfg, &res, in, len, &out) != NT_STATUS_SUCCESS);
	cfg.max_dialect = SMB2_DIALECT_311;

	/* Malformed: every truncation, and DialectCount 0. */
	for (n = 0; n < len; n++)
		CHECK(vni_run(&cfg, &res, in, n, &out) ==
		    NT_STATUS_INVALID_PARAMETER);
	n = vni_build(in, sizeof(in), caps, test_guid, q.secmode, d3, 0);
	CHECK(vni_run(&cfg, &res, in, n, &out) == NT_STATUS_INVALID_PARAMETER);

	/* Never on 3.1.1. */
	req_init(&q);
	req_add(&q, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, preauth_ctx,
	    sizeof(preauth_ctx));
	CHECK(run_req(&cfg, &q, &res, &resp) == NT_STATUS_SUCCESS);
	n = vni_build(in, sizeof(in), q.caps, test_guid, q.secmode,
	    all_dialects, NDIALECTS);
	CHECK(vni_run(&cfg, &res, in, n, &out) != NT_STATUS_SUCCESS);
	wbuf_free(&out);
	wbuf_free(&resp);
}

int
main(void)
{
	test_dialect_ranges();
	test_request_errors();
	test_contexts_ok();
	test_contexts_bad();
	test_cipher_choice();
	test_signing_choice();
	test_signing_select();
	test_capabilities();
	test_layout_311();
	test_smbclient_vector();
	test_smb1();
	test_validate();
	return unit_done();
}
