/*
 * Unit tests for the create context parser and builder (MS-SMB2
 * 2.2.13.2, 2.2.14.2).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "meta.h"
#include "ntstatus.h"
#include "smb2_cctx.h"
#include "unit.h"

/* Build one request context with tag and data at w's current end. */
static size_t
put_ctx(struct wbuf *w, const char *tag, const void *data, size_t len,
    int last)
{
	size_t start = wbuf_len(w), taglen = strlen(tag), doff;

	doff = (16 + taglen + 7) & ~(size_t)7;
	wbuf_put_u32le(w, 0);
	wbuf_put_u16le(w, 16);
	wbuf_put_u16le(w, (uint16_t)taglen);
	wbuf_put_u16le(w, 0);
	wbuf_put_u16le(w, len != 0 ? (uint16_t)doff : 0);
	wbuf_put_u32le(w, (uint32_t)len);
	wbuf_put_bytes(w, tag, taglen);
	wbuf_put_zero(w, doff - 16 - taglen);
	if (len != 0)
		wbuf_put_bytes(w, data, len);
	if (!last) {
		wbuf_align(w, 8);
		wbuf_set_u32le(w, start, (uint32_t)(wbuf_len(w) - start));
	}
	return start;
}

static uint32_t
parse(struct wbuf *w, struct smb2_cctx *cc)
{
	struct rbuf r;

	rbuf_init(&r, wbuf_data(w), wbuf_len(w));
	return smb2_cctx_parse(&r, 0, (uint32_t)wbuf_len(w), cc);
}

static void
test_parse(void)
{
	const uint8_t alsi[8] = { 0x00, 0x00, 0x10 };
	const uint8_t twrp[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint8_t sd[20] = { 1 };
	struct smb2_cctx cc;
	struct wbuf w;
	struct rbuf r;

	wbuf_init(&w, 4096);
	/* No contexts at all. */
	rbuf_init(&r, NULL, 0);
	CHECK(smb2_cctx_parse(&r, 0, 0, &cc) == NT_STATUS_SUCCESS &&
	    cc.seen == 0);

	/* Several known ones, an unknown one, and a long unknown name. */
	put_ctx(&w, "MxAc", NULL, 0, 0);
	put_ctx(&w, "AlSi", alsi, 8, 0);
	put_ctx(&w, "FooO", NULL, 0, 0);
	put_ctx(&w, "xxxxxxxxxxxxxxxxx", NULL, 0, 0);
	put_ctx(&w, "SecD", sd, sizeof(sd), 0);
	put_ctx(&w, "QFid", NULL, 0, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS);
	CHECK(cc.seen == (SMB2_CCTX_MXAC | SMB2_CCTX_ALSI | SMB2_CCTX_SECD |
	    SMB2_CCTX_QFID));
	CHECK(cc.alloc_size == 0x100000);
	CHECK(rbuf_left(&cc.secd) == sizeof(sd));

	wbuf_reset(&w);
	put_ctx(&w, "TWrp", twrp, 8, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS &&
	    cc.twrp_time == 0x0807060504030201ULL);

	/* Names shorter than four bytes are malformed. */
	wbuf_reset(&w);
	put_ctx(&w, "xxx", NULL, 0, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);
	wbuf_reset(&w);
	put_ctx(&w, "x", NULL, 0, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);

	/* A known context of the wrong size. */
	wbuf_reset(&w);
	put_ctx(&w, "AlSi", alsi, 4, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);

	/* Next pointing outside, or misaligned. */
	wbuf_reset(&w);
	put_ctx(&w, "MxAc", NULL, 0, 1);
	wbuf_set_u32le(&w, 0, 64);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);
	wbuf_set_u32le(&w, 0, 12);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);

	/* Data beyond the context. */
	wbuf_reset(&w);
	put_ctx(&w, "AlSi", alsi, 8, 1);
	wbuf_set_u32le(&w, 12, 9);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);

	/* An area outside the message. */
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(smb2_cctx_parse(&r, 8, (uint32_t)wbuf_len(&w), &cc) ==
	    NT_STATUS_INVALID_PARAMETER);
	wbuf_free(&w);
}

static void
test_put(void)
{
	const uint8_t mx[8] = { 0, 0, 0, 0, 0xff, 0x01, 0x1f, 0 };
	struct smb2_cctx cc;
	struct wbuf w;
	struct rbuf r;
	size_t prev = (size_t)-1;

	wbuf_init(&w, 4096);
	CHECK(smb2_cctx_put(&w, &prev, "MxAc", mx, 8) == 0);
	CHECK(wbuf_len(&w) == 32);
	CHECK(smb2_cctx_put(&w, &prev, "QFid", NULL, 0) == 0);
	CHECK(prev == 32);
	/* The first one now links to the second. */
	rbuf_init(&r, wbuf_data(&w), 4);
	{
		uint32_t next;

		CHECK(rbuf_get_u32le(&r, &next) == 0 && next == 32);
	}
	/* What we build parses back. */
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS &&
	    cc.seen == (SMB2_CCTX_MXAC | SMB2_CCTX_QFID));
	wbuf_free(&w);
}

/*
 * ExtA: the create context parser hands the FILE_FULL_EA_INFORMATION
 * list to the one EA parser (meta.c) that SET_INFO uses too, as CREATE
 * does (smb2_meta_create_eas).
 */
static void
test_exta(void)
{
	/* One EA "EAONE" = "VALUE1": NextEntryOffset 0, flags 0. */
	const uint8_t ea[] = { 0, 0, 0, 0, 0, 5, 6, 0,
	    'E', 'A', 'O', 'N', 'E', 0, 'V', 'A', 'L', 'U', 'E', '1' };
	const uint8_t alsi[8] = { 0 };
	struct smb2_cctx cc;
	struct meta_ea *eas;
	const uint8_t *p;
	struct rbuf d;
	struct wbuf w;
	uint32_t off;
	size_t n;

	wbuf_init(&w, 4096);
	put_ctx(&w, "AlSi", alsi, 8, 0);
	put_ctx(&w, "ExtA", ea, sizeof(ea), 1);
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS &&
	    (cc.seen & SMB2_CCTX_EXTA));
	d = cc.exta;
	CHECK(rbuf_left(&d) == sizeof(ea) &&
	    rbuf_get_ptr(&d, &p, sizeof(ea)) == 0 &&
	    memcmp(p, ea, sizeof(ea)) == 0);
	CHECK(meta_ea_parse_full(p, sizeof(ea), &eas, &n, &off) ==
	    NT_STATUS_SUCCESS && n == 1);
	if (n == 1) {
		CHECK(strcmp(eas[0].name, "EAONE") == 0 &&
		    eas[0].value_len == 6 &&
		    memcmp(eas[0].value, "VALUE1", 6) == 0);
		free(eas);
	}
	/* An empty ExtA is seen, with nothing in it. */
	wbuf_reset(&w);
	put_ctx(&w, "ExtA", NULL, 0, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS &&
	    (cc.seen & SMB2_CCTX_EXTA) && rbuf_left(&cc.exta) == 0);
	wbuf_free(&w);
}

/* The durable handle contexts (MS-SMB2 2.2.13.2.3, .4, .11, .12). */
static void
test_durable(void)
{
	uint8_t dhnq[16] = { 0 }, dhnc[16], dh2q[32], dh2c[36];
	struct smb2_cctx cc;
	struct wbuf w;
	int i;

	for (i = 0; i < 16; i++)
		dhnc[i] = (uint8_t)(i + 1);
	memset(dh2q, 0, sizeof(dh2q));
	dh2q[0] = 0x60;			/* Timeout 0xea60: 60000 ms */
	dh2q[1] = 0xea;
	dh2q[4] = 0x02;			/* Flags: PERSISTENT */
	memset(dh2q + 16, 0xc3, 16);	/* CreateGuid */
	memset(dh2c, 0, sizeof(dh2c));
	memcpy(dh2c, dhnc, 16);
	memset(dh2c + 16, 0x5a, 16);
	dh2c[32] = 0x02;		/* Flags: PERSISTENT, all 4 bytes set */

	wbuf_init(&w, 256);
	put_ctx(&w, "DHnQ", dhnq, sizeof(dhnq), 0);
	put_ctx(&w, "DH2Q", dh2q, sizeof(dh2q), 1);
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS &&
	    (cc.seen & SMB2_CCTX_DHNQ) && (cc.seen & SMB2_CCTX_DH2Q) &&
	    cc.dh2q_timeout == 60000 &&
	    cc.dh2q_flags == SMB2_DHANDLE_FLAG_PERSISTENT &&
	    cc.dh2q_guid[0] == 0xc3 && cc.dh2q_guid[15] == 0xc3);
	wbuf_reset(&w);
	put_ctx(&w, "DHnC", dhnc, sizeof(dhnc), 1);
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS &&
	    cc.seen == SMB2_CCTX_DHNC &&
	    cc.dhc_persistent == 0x0807060504030201ULL &&
	    cc.dhc_volatile == 0x100f0e0d0c0b0a09ULL);
	wbuf_reset(&w);
	put_ctx(&w, "DH2C", dh2c, sizeof(dh2c), 1);
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS &&
	    cc.seen == SMB2_CCTX_DH2C &&
	    cc.dhc_persistent == 0x0807060504030201ULL &&
	    cc.dh2c_guid[0] == 0x5a && cc.dh2c_flags == 2);
	/* Each has one size. */
	wbuf_reset(&w);
	put_ctx(&w, "DH2C", dh2c, 32, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);
	wbuf_reset(&w);
	put_ctx(&w, "DH2Q", dh2q, 16, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);
	wbuf_reset(&w);
	put_ctx(&w, "DHnC", dhnc, 8, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);
	wbuf_free(&w);
}

/* AppInstanceId and AppInstanceVersion (MS-SMB2 2.2.13.2.13, .15). */
static void
test_app_instance(void)
{
	static const char idtag[] = "\x45\xbc\xa6\x6a\xef\xa7\xf7\x4a"
	    "\x90\x08\xfa\x46\x2e\x14\x4d\x74";
	static const char vertag[] = "\xb9\x82\xd0\xb7\x3b\x56\x07\x4f"
	    "\xa0\x7b\x52\x4a\x81\x16\xa0\x10";
	uint8_t id[20] = { 20, 0, 0, 0 }, ver[24] = { 24 };
	struct smb2_cctx cc;
	struct wbuf w;

	memset(id + 4, 0xa1, 16);
	ver[8] = 7;			/* High */
	ver[16] = 9;			/* Low */
	wbuf_init(&w, 256);
	put_ctx(&w, idtag, id, sizeof(id), 0);
	put_ctx(&w, vertag, ver, sizeof(ver), 1);
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS &&
	    cc.seen == (SMB2_CCTX_APPID | SMB2_CCTX_APPVER) &&
	    cc.app_id[0] == 0xa1 && cc.app_id[15] == 0xa1 &&
	    cc.app_ver_high == 7 && cc.app_ver_low == 9);
	/* Their sizes and StructureSize are fixed. */
	wbuf_reset(&w);
	put_ctx(&w, idtag, id, 16, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);
	id[0] = 24;
	wbuf_reset(&w);
	put_ctx(&w, idtag, id, sizeof(id), 1);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);
	wbuf_reset(&w);
	put_ctx(&w, vertag, ver, 20, 1);
	CHECK(parse(&w, &cc) == NT_STATUS_INVALID_PARAMETER);
	/* Another 16-byte name is not ours: skipped. */
	wbuf_reset(&w);
	put_ctx(&w, "0123456789abcdef", id, sizeof(id), 1);
	CHECK(parse(&w, &cc) == NT_STATUS_SUCCESS && cc.seen == 0);
	wbuf_free(&w);
}

int
main(void)
{
	test_parse();
	test_put();
	test_exta();
	test_durable();
	test_app_instance();
	return unit_done();
}
