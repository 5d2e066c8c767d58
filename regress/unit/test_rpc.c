/*
 * The DCE/RPC runtime and NDR layer with hand-built and captured PDUs:
 * bind (NDR32, NDR64, bind time feature negotiation, unknown interface),
 * bind_nak, requests whole, fragmented and oversized, responses split into
 * fragments, faults, NetShareEnumAll level 1 decoded, policy handles.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rpc.h"
#include "rpc_int.h"
#include "unit.h"

/* smbclient's bind to srvsvc, NDR32 only (captured). */
static const char bind_srvsvc[] =
    "05000b03100000004800000001000000b810b810000000000100000000000100"
    "c84f324b7016d30112785a47bf6ee18803000000045d888aeb1cc9119fe80800"
    "2b10486002000000";

/*
 * A bind offering srvsvc three times: NDR32 (context 0), NDR64 (1) and
 * the bind time feature negotiation pseudo-syntax with bits 0x3 (2).
 */
static const char bind_three[] =
    "05000b0310000000a000000007000000d016d016000000000300000000000100"
    "c84f324b7016d30112785a47bf6ee18803000000045d888aeb1cc9119fe80800"
    "2b1048600200000001000100c84f324b7016d30112785a47bf6ee18803000000"
    "33057171babe37498319b5dbef9ccc360100000002000100c84f324b7016d301"
    "12785a47bf6ee188030000002c1cb76c12984045030000000000000001000000";

/* NetShareEnumAll level 1 from smbclient -L (captured, call id 2). */
static const char req_enum1[] =
    "05000003100000005c000000020000004400000000000f00000002000a000000"
    "000000000a0000003100320037002e0030002e0030002e003100000001000000"
    "01000000040002000000000000000000ffffffff0800020000000000";

static const struct rpc_share_info shares[] = {
	{ "share", RPC_STYPE_DISKTREE, "the test share", "C:\\srv\\share", 1 },
	{ "hidden", RPC_STYPE_DISKTREE, "", "C:\\srv\\hidden", 0 },
	{ "IPC$", RPC_STYPE_IPC | RPC_STYPE_SPECIAL, "IPC Service",
	    "C:\\tmp", 1 },
};

static struct rpc_ctx ctx = {
	.server_name = "SERVER", .domain = "WORKGROUP",
	.server_string = "usmbd", .shares = shares, .nshares = 3,
	.user = "alice", .uid = 1000, .gid = 1000, .groups = NULL,
	.ngroups = 0, .domain_sub = { 1, 2, 3 }
};

static uint8_t buf[1 << 20];

static size_t
hex(const char *h, uint8_t *out)
{
	return unit_unhex(h, out, 4096);
}

/* Read one whole message from the pipe. */
static size_t
rd(struct rpc_pipe *p)
{
	size_t n;
	int more;

	n = rpc_pipe_read(p, buf, sizeof(buf), &more);
	CHECK(more == 0);
	return n;
}

static uint16_t
le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t
le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

static struct rpc_pipe *
bound_srvsvc(void)
{
	uint8_t pdu[4096];
	struct rpc_pipe *p;
	size_t n;

	p = rpc_pipe_open("SRVSVC", &ctx);
	CHECK(p != NULL);
	n = hex(bind_srvsvc, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	CHECK(rd(p) > 0 && buf[2] == 12);
	return p;
}

static void
test_bind(void)
{
	uint8_t pdu[4096];
	struct rpc_pipe *p;
	size_t n, i, off;

	CHECK(rpc_pipe_open("nosuchpipe", &ctx) == NULL);
	p = rpc_pipe_open("srvsvc", &ctx);
	n = hex(bind_srvsvc, pdu);
	/* Byte by byte: the PDU is collected across writes. */
	for (i = 0; i < n; i++)
		CHECK(rpc_pipe_write(p, pdu + i, 1) == 0);
	CHECK(rpc_pipe_pending(p) > 0);
	n = rd(p);
	CHECK(buf[0] == 5 && buf[2] == 12);		/* bind_ack */
	CHECK(buf[3] == 3);				/* first and last */
	CHECK(le16(buf + 8) == n);
	CHECK(le32(buf + 12) == 1);			/* call id */
	CHECK(le16(buf + 16) == 4280 && le16(buf + 18) == 4280);
	CHECK(le16(buf + 24) == 13);
	CHECK(memcmp(buf + 26, "\\PIPE\\srvsvc", 13) == 0);
	off = 40;					/* 26 + 13, aligned */
	CHECK(buf[off] == 1);				/* one result */
	CHECK(le16(buf + off + 4) == 0 && le16(buf + off + 6) == 0);
	CHECK(buf[off + 8] == 0x04 && buf[off + 9] == 0x5d);	/* NDR32 */
	CHECK(le32(buf + off + 24) == 2);
	CHECK(n == off + 28);
	CHECK(rpc_pipe_pending(p) == 0);

	/* A second bind on the association: bind_nak. */
	n = hex(bind_srvsvc, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 13 && le16(buf + 16) == 0);
	rpc_pipe_close(p);

	/*
	 * NDR32 accepted in context 0, NDR64 in context 1, feature
	 * negotiation acknowledged.
	 */
	p = rpc_pipe_open("srvsvc", &ctx);
	n = hex(bind_three, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 12 && le16(buf + 16) == 4280);
	off = 40;
	CHECK(buf[off] == 3);
	CHECK(le16(buf + off + 4) == 0 && le16(buf + off + 6) == 0);
	CHECK(le16(buf + off + 28) == 0 && le16(buf + off + 30) == 0);
	CHECK(buf[off + 32] == 0x33 && buf[off + 33] == 0x05);	/* NDR64 */
	CHECK(le32(buf + off + 48) == 1);
	CHECK(le16(buf + off + 52) == 3 && le16(buf + off + 54) == 2);
	CHECK(n == off + 4 + 3 * 24);
	rpc_pipe_close(p);

	/* An interface this pipe does not serve. */
	p = rpc_pipe_open("wkssvc", &ctx);
	n = hex(bind_srvsvc, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 12);
	CHECK(le16(buf + 40 + 4) == 2 && le16(buf + 40 + 6) == 1);
	rpc_pipe_close(p);

	/* A bind with an unknown RPC version: bind_nak. */
	p = rpc_pipe_open("srvsvc", &ctx);
	n = hex(bind_srvsvc, pdu);
	pdu[0] = 4;
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 13 && le16(buf + 16) == 4);
	/* A fragment shorter than its header breaks the pipe. */
	memset(pdu, 0, 16);
	pdu[0] = 5;
	CHECK(rpc_pipe_write(p, pdu, 16) == -1);
	CHECK(rpc_pipe_write(p, pdu, 16) == -1);
	rpc_pipe_close(p);
}

/* Check the NetShareEnumAll level 1 response stub and return its end. */
static void
check_enum1(const uint8_t *stub, size_t len)
{
	struct ndr_in r;
	uint32_t v, cnt, i, ref[6];
	char *s;

	ndr_in_init(&r, stub, len, 0);
	ndr_get_u32(&r, &v);
	CHECK(v == 1);				/* Level */
	ndr_get_u32(&r, &v);
	CHECK(v == 1);				/* union switch */
	ndr_get_ptr(&r, &v);
	CHECK(v != 0);
	ndr_get_u32(&r, &cnt);
	CHECK(cnt == 2);		/* the hidden share is not listed */
	ndr_get_ptr(&r, &v);
	CHECK(v != 0);
	ndr_get_u32(&r, &v);
	CHECK(v == 2);				/* conformance */
	for (i = 0; i < 2; i++) {
		ndr_get_ptr(&r, &ref[3 * i]);
		ndr_get_u32(&r, &ref[3 * i + 1]);
		ndr_get_ptr(&r, &ref[3 * i + 2]);
	}
	CHECK(ref[1] == 0 && ref[4] == 0x80000003);
	CHECK(ref[0] != 0 && ref[0] != ref[2] && ref[3] != ref[5]);
	CHECK(ndr_get_wstr(&r, 100, &s) == 0);
	CHECK_STR(s, "share");
	free(s);
	CHECK(ndr_get_wstr(&r, 100, &s) == 0);
	CHECK_STR(s, "the test share");
	free(s);
	CHECK(ndr_get_wstr(&r, 100, &s) == 0);
	CHECK_STR(s, "IPC$");
	free(s);
	CHECK(ndr_get_wstr(&r, 100, &s) == 0);
	CHECK_STR(s, "IPC Service");
	free(s);
	ndr_get_u32(&r, &v);
	CHECK(v == 2);				/* TotalEntries */
	ndr_get_ptr(&r, &v);
	CHECK(v != 0);				/* ResumeHandle */
	ndr_get_u32(&r, &v);
	CHECK(v == 2);
	ndr_get_u32(&r, &v);
	CHECK(v == 0);				/* WERR_OK */
	CHECK(!rbuf_error(&r.r) && rbuf_left(&r.r) == 0);
}

static void
test_request(void)
{
	uint8_t pdu[4096], frag[4280];	/* frag: one whole maximal fragment */
	struct rpc_pipe *p;
	size_t n, stublen, half;

	p = bound_srvsvc();
	n = hex(req_enum1, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 2 && buf[3] == 3 && le32(buf + 12) == 2);
	CHECK(le16(buf + 8) == n && le32(buf + 16) == n - 24);
	check_enum1(buf + 24, n - 24);

	/* The same request in two fragments. */
	n = hex(req_enum1, pdu);
	stublen = n - 24;
	half = 20;
	memcpy(frag, pdu, 24 + half);
	frag[3] = 0x01;
	frag[8] = (uint8_t)(24 + half);
	CHECK(rpc_pipe_write(p, frag, 24 + half) == 0);
	CHECK(rpc_pipe_pending(p) == 0);
	memcpy(frag, pdu, 24);
	memcpy(frag + 24, pdu + 24 + half, stublen - half);
	frag[3] = 0x02;
	frag[8] = (uint8_t)(24 + stublen - half);
	CHECK(rpc_pipe_write(p, frag, 24 + stublen - half) == 0);
	n = rd(p);
	CHECK(buf[2] == 2);
	check_enum1(buf + 24, n - 24);

	/* A middle fragment of no call: fault nca_s_proto_error. */
	frag[3] = 0x00;
	CHECK(rpc_pipe_write(p, frag, 24 + stublen - half) == 0);
	n = rd(p);
	CHECK(buf[2] == 3 && n == 32 && le32(buf + 24) == 0x1c01000b);

	/* An opnum srvsvc lacks: fault nca_s_op_rng_error. */
	n = hex(req_enum1, pdu);
	pdu[22] = 99;
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 3 && buf[3] == 0x23 && le32(buf + 24) == 0x1c010002);

	/* A context never negotiated. */
	n = hex(req_enum1, pdu);
	pdu[20] = 7;
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 3 && le32(buf + 24) == 0x1c010003);

	/* A truncated stub: rpc_x_bad_stub_data. */
	n = hex(req_enum1, pdu);
	pdu[8] = 24 + 8;
	CHECK(rpc_pipe_write(p, pdu, 24 + 8) == 0);
	n = rd(p);
	CHECK(buf[2] == 3 && le32(buf + 24) == 0x6f7);

	/* A request larger than the pipe keeps: refused, memory bounded. */
	memset(frag, 0, sizeof(frag));
	memcpy(frag, pdu, 24);
	frag[8] = 4280 & 0xff;
	frag[9] = 4280 >> 8;
	frag[3] = 0x01;
	CHECK(rpc_pipe_write(p, frag, 4280) == 0);
	frag[3] = 0x00;
	for (n = 0; n < 300 && rpc_pipe_pending(p) == 0; n++)
		CHECK(rpc_pipe_write(p, frag, 4280) == 0);
	CHECK(n < 300);
	n = rd(p);
	CHECK(buf[2] == 3 && le32(buf + 24) == 0x1c00001b);
	/* Its later fragments are dropped without another fault. */
	CHECK(rpc_pipe_write(p, frag, 4280) == 0);
	frag[3] = 0x02;
	CHECK(rpc_pipe_write(p, frag, 4280) == 0);
	CHECK(rpc_pipe_pending(p) == 0);
	/* And the pipe answers the next call. */
	n = hex(req_enum1, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 2);
	check_enum1(buf + 24, n - 24);
	rpc_pipe_close(p);
}

/* A response larger than a fragment is split at max_xmit_frag. */
static void
test_fragments(void)
{
	static struct rpc_share_info many[200];
	static char names[200][16];
	struct rpc_ctx big = ctx;
	uint8_t pdu[4096];
	struct rpc_pipe *p;
	struct wbuf stub;
	size_t i, n, nfrag = 0;
	struct ndr_in r;
	uint32_t v, cnt;
	int more;

	for (i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "share%03zu", i);
		many[i] = (struct rpc_share_info){ names[i], 0, "a comment",
		    "C:\\x", 1 };
	}
	big.shares = many;
	big.nshares = 200;
	p = rpc_pipe_open("srvsvc", &big);
	n = hex(bind_srvsvc, pdu);
	rpc_pipe_write(p, pdu, n);
	rd(p);
	n = hex(req_enum1, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	wbuf_init(&stub, 1 << 20);
	for (;;) {
		/* A small read leaves the rest of the message for later. */
		n = rpc_pipe_read(p, buf, 100, &more);
		CHECK(n == 100 && more == 1);
		n += rpc_pipe_read(p, buf + 100, sizeof(buf) - 100, &more);
		CHECK(more == 0);
		CHECK(buf[2] == 2 && le16(buf + 8) == n && n <= 4280);
		CHECK(((buf[3] & 1) != 0) == (nfrag == 0));
		if (!(buf[3] & 2))
			CHECK((n - 24) % 8 == 0);
		wbuf_put_bytes(&stub, buf + 24, n - 24);
		nfrag++;
		if (buf[3] & 2)
			break;
	}
	CHECK(nfrag > 3);
	CHECK(rpc_pipe_pending(p) == 0);
	ndr_in_init(&r, wbuf_data(&stub), wbuf_len(&stub), 0);
	ndr_get_u32(&r, &v);
	ndr_get_u32(&r, &v);
	ndr_get_ptr(&r, &v);
	ndr_get_u32(&r, &cnt);
	CHECK(cnt == 200);
	wbuf_free(&stub);
	rpc_pipe_close(p);
}

static void
test_ndr(void)
{
	static const uint8_t want[] = {
		3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 'a', 0, 'b', 0, 0, 0
	};
	static const uint8_t sid[] = {
		1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0
	};
	struct ndr_out o;
	struct wbuf w;
	struct ndr_in r;
	struct rpc_sid s;
	char *str;

	wbuf_init(&w, 1024);
	ndr_out_init(&o, &w, 0);
	ndr_put_u8(&o, 1);
	ndr_put_wstr(&o, "ab");
	CHECK(wbuf_len(&w) == 4 + sizeof(want));
	CHECK_MEM(wbuf_data(&w) + 4, want, sizeof(want));
	ndr_in_init(&r, wbuf_data(&w), wbuf_len(&w), 0);
	rbuf_skip(&r.r, 1);
	CHECK(ndr_get_wstr(&r, 10, &str) == 0);
	CHECK_STR(str, "ab");
	free(str);
	/* Longer than allowed, an offset, actual beyond max. */
	ndr_in_init(&r, wbuf_data(&w) + 4, sizeof(want), 0);
	CHECK(ndr_get_wstr(&r, 1, &str) == -1 && str == NULL);
	wbuf_data(&w)[8] = 1;
	ndr_in_init(&r, wbuf_data(&w) + 4, sizeof(want), 0);
	CHECK(ndr_get_wstr(&r, 10, &str) == -1);
	wbuf_data(&w)[8] = 0;
	wbuf_data(&w)[4] = 2;
	ndr_in_init(&r, wbuf_data(&w) + 4, sizeof(want), 0);
	CHECK(ndr_get_wstr(&r, 10, &str) == -1);
	wbuf_free(&w);

	/* Unique pointers get distinct referent ids; NULL is 0. */
	wbuf_init(&w, 1024);
	ndr_out_init(&o, &w, 0);
	ndr_put_ptr(&o, 1);
	ndr_put_ptr(&o, 0);
	ndr_put_ptr(&o, 1);
	CHECK(le32(wbuf_data(&w)) != 0 && le32(wbuf_data(&w) + 4) == 0);
	CHECK(le32(wbuf_data(&w) + 8) != le32(wbuf_data(&w)));
	wbuf_free(&w);

	/* RPC_SID S-1-1-0 round trip; a bad revision is refused. */
	wbuf_init(&w, 1024);
	ndr_out_init(&o, &w, 0);
	rpc_sid_make(&s, 1, 1, (uint32_t)0);
	ndr_put_sid(&o, &s);
	CHECK(wbuf_len(&w) == sizeof(sid));
	CHECK_MEM(wbuf_data(&w), sid, sizeof(sid));
	ndr_in_init(&r, sid, sizeof(sid), 0);
	CHECK(ndr_get_sid(&r, &s) == 0 && s.auth == 1 && s.nsub == 1);
	wbuf_data(&w)[4] = 2;
	ndr_in_init(&r, wbuf_data(&w), wbuf_len(&w), 0);
	CHECK(ndr_get_sid(&r, &s) == -1);
	wbuf_free(&w);
}

/* lsarpc: OpenPolicy2 gives a handle; Close ends it, twice fails. */
static void
test_handles(void)
{
	static const char bind_lsa[] =
	    "05000b03100000004800000001000000b810b810000000000100000000000100"
	    "785734123412cdabef000123456789ab00000000045d888aeb1cc9119fe80800"
	    "2b10486002000000";
	static const char open2[] =
	    "050000031000000038000000020000002000000000002c000000000018000000"
	    "000000000000000000000000000000000000000000080000";
	uint8_t pdu[4096], h[20];
	struct rpc_pipe *p;
	size_t n;

	p = rpc_pipe_open("lsarpc", &ctx);
	n = hex(bind_lsa, pdu);
	rpc_pipe_write(p, pdu, n);
	n = rd(p);
	CHECK(buf[2] == 12 && le16(buf + 40 + 4) == 0);
	n = hex(open2, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 2 && n == 24 + 24);
	CHECK(le32(buf + 24 + 20) == 0);
	memcpy(h, buf + 24, 20);
	CHECK(le32(h) == 0);
	/* LsarClose (opnum 0) of that handle, twice. */
	memcpy(pdu, "\x05\x00\x00\x03\x10\x00\x00\x00\x2c\x00\x00\x00"
	    "\x03\x00\x00\x00\x14\x00\x00\x00\x00\x00\x00\x00", 24);
	memcpy(pdu + 24, h, 20);
	CHECK(rpc_pipe_write(p, pdu, 44) == 0);
	n = rd(p);
	CHECK(buf[2] == 2 && le32(buf + 24 + 20) == 0);
	/* The runtime refuses a handle it does not know with a fault. */
	CHECK(rpc_pipe_write(p, pdu, 44) == 0);
	n = rd(p);
	CHECK(buf[2] == 3 && le32(buf + 24) == 0x1c00001a);
	rpc_pipe_close(p);
}

/* srvsvc bound with NDR64 alone (the NDR32 capture, syntax replaced). */
static const char bind_srvsvc64[] =
    "05000b03100000004800000001000000b810b810000000000100000000000100"
    "c84f324b7016d30112785a47bf6ee1880300000033057171babe37498319b5db"
    "ef9ccc3601000000";

/*
 * NetShareEnumAll level 1 in NDR64, encoded by hand after MS-RPCE
 * 2.2.5: server name "ab" (8-byte referent and counts), the
 * SHARE_ENUM_STRUCT aligned to 8 with the union's discriminant and arm
 * each aligned to 8, an empty container, the maximum length and a resume
 * handle.
 */
static const char req_enum1_64[] =
    "05000003100000007c000000020000006400000000000f00"
    "0000020000000000" "0300000000000000" "0000000000000000"
    "0300000000000000" "6100620000000000"
    "0100000000000000" "0100000000000000" "0400020000000000"
    "0000000000000000" "0000000000000000"
    "ffffffff00000000" "0800020000000000" "00000000";

static uint64_t
le64(const uint8_t *b)
{
	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

static void
test_ndr64(void)
{
	uint8_t pdu[4096];
	struct rpc_pipe *p;
	struct ndr_in r;
	const uint8_t *st;
	uint32_t v, i;
	char *s;
	size_t n, len;

	p = rpc_pipe_open("srvsvc", &ctx);
	n = hex(bind_srvsvc64, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	/* Accepted, with NDR64 as the transfer syntax. */
	CHECK(buf[2] == 12 && buf[40] == 1 && le16(buf + 44) == 0);
	CHECK(buf[48] == 0x33 && buf[49] == 0x05 && le32(buf + 64) == 1);
	n = hex(req_enum1_64, pdu);
	CHECK(n == 124);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 2 && n > 24);
	st = buf + 24;
	len = n - 24;
	/* The layout, by hand: */
	CHECK(le32(st) == 1 && le32(st + 8) == 1);	/* level, switch */
	CHECK(le64(st + 16) != 0);			/* the container */
	CHECK(le32(st + 24) == 2 && le64(st + 32) != 0);
	CHECK(le64(st + 40) == 2);			/* conformance */
	/* SHARE_INFO_1: netname @0, type @8, remark @16; 24 bytes each. */
	CHECK(le64(st + 48) != 0 && le32(st + 56) == 0 && le64(st + 64) != 0);
	CHECK(le64(st + 72) != 0 && le32(st + 80) == 0x80000003);
	CHECK(le64(st + 96) == 6 && le64(st + 104) == 0 &&
	    le64(st + 112) == 6);			/* "share" */
	CHECK(memcmp(st + 120, "s\0h\0a\0r\0e\0\0\0", 12) == 0);
	/* And the rest through the reader. */
	ndr_in_init(&r, st, len, 1);
	CHECK(rbuf_skip(&r.r, 96) == 0);
	for (i = 0; i < 4; i++) {
		CHECK(ndr_get_wstr(&r, 100, &s) == 0);
		CHECK_STR(s, i == 0 ? "share" : i == 1 ? "the test share" :
		    i == 2 ? "IPC$" : "IPC Service");
		free(s);
	}
	ndr_get_u32(&r, &v);
	CHECK(v == 2);					/* TotalEntries */
	ndr_get_ptr(&r, &v);
	CHECK(v != 0 && rbuf_offset(&r.r) % 8 == 0);	/* ResumeHandle */
	ndr_get_u32(&r, &v);
	CHECK(v == 2);
	ndr_get_u32(&r, &v);
	CHECK(v == 0);					/* WERR_OK */
	CHECK(!rbuf_error(&r.r) && rbuf_left(&r.r) == 0);

	/* The same request read as NDR32 does not parse: a fault. */
	rpc_pipe_close(p);
	p = bound_srvsvc();
	n = hex(req_enum1_64, pdu);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	n = rd(p);
	CHECK(buf[2] == 3);
	rpc_pipe_close(p);
}

/* NDR64 primitives: 8-byte pointers and counts, 4-byte enums, gaps. */
static void
test_ndr64_prims(void)
{
	static const uint8_t want[] = {
		/* u8, then a unique pointer aligned to 8 */
		1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0, 0,
		/* an enum (4 bytes), the trailing gap to 8 */
		5, 0, 0, 0, 0, 0, 0, 0,
		/* RPC_SID S-1-22-1-7: count (8), header, two sub-authorities */
		2, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 22,
		1, 0, 0, 0, 7, 0, 0, 0,
		/* u16, then a [string] "a": max, offset, actual, text */
		9, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
		'a', 0, 0, 0
	};
	struct ndr_out o;
	struct ndr_in r;
	struct wbuf w;
	struct rpc_sid sid;
	uint32_t v;
	uint16_t e;
	uint8_t b;
	char *str;

	wbuf_init(&w, 1024);
	ndr_out_init(&o, &w, 1);
	ndr_put_u8(&o, 1);
	ndr_put_ptr(&o, 1);
	ndr_put_enum(&o, 5);
	ndr_put_trail(&o);
	rpc_sid_make(&sid, 22, 2, (uint32_t)1, (uint32_t)7);
	ndr_put_sid(&o, &sid);
	ndr_put_u16(&o, 9);
	ndr_put_wstr(&o, "a");
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == sizeof(want));
	CHECK_MEM(wbuf_data(&w), want, sizeof(want));

	ndr_in_init(&r, want, sizeof(want), 1);
	CHECK(ndr_get_u8(&r, &b) == 0 && b == 1);
	CHECK(ndr_get_ptr(&r, &v) == 0 && v != 0);
	CHECK(ndr_get_enum(&r, &e) == 0 && e == 5);
	CHECK(ndr_get_trail(&r) == 0);
	CHECK(ndr_get_sid(&r, &sid) == 0 && sid.auth == 22 &&
	    sid.nsub == 2 && sid.sub[1] == 7);
	CHECK(ndr_get_u16(&r, &e) == 0 && e == 9);
	CHECK(ndr_get_wstr(&r, 10, &str) == 0);
	CHECK_STR(str, "a");
	free(str);
	CHECK(rbuf_left(&r.r) == 0);
	/* A referent id above 32 bits is still present. */
	{
		static const uint8_t hi[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };

		ndr_in_init(&r, hi, sizeof(hi), 1);
		CHECK(ndr_get_ptr(&r, &v) == 0 && v != 0);
	}
	/* Counts beyond 32 bits and enums beyond 16 are refused. */
	{
		static const uint8_t big[8] = { 1, 0, 0, 0, 1, 0, 0, 0 };
		static const uint8_t en[4] = { 0, 0, 1, 0 };

		ndr_in_init(&r, big, sizeof(big), 1);
		CHECK(ndr_get_count(&r, &v) == -1);
		ndr_in_init(&r, en, sizeof(en), 1);
		CHECK(ndr_get_enum(&r, &e) == -1);
	}
	wbuf_free(&w);
}

/*
 * A name service as the master would answer: root is uid and gid 0,
 * alice uid 1000, group staff gid 50; uid 66 comes back as invalid UTF-8
 * and uid 77 unterminated, as a confused or hostile answer could.
 */
static int lookups;

static int
fake_lookup(void *arg, struct rpc_name *q, size_t n)
{
	size_t i;

	lookups++;
	for (i = 0; i < n; i++) {
		q[i].found = 1;
		if (q[i].kind == RPC_NAME_UID && q[i].id == 0)
			strlcpy(q[i].name, "root", sizeof(q[i].name));
		else if (q[i].kind == RPC_NAME_GID && q[i].id == 0)
			strlcpy(q[i].name, "root", sizeof(q[i].name));
		else if (q[i].kind == RPC_NAME_GID && q[i].id == 50)
			strlcpy(q[i].name, "staff", sizeof(q[i].name));
		else if (q[i].kind == RPC_NAME_UID && q[i].id == 66)
			strlcpy(q[i].name, "\xff\xfe", sizeof(q[i].name));
		else if (q[i].kind == RPC_NAME_UID && q[i].id == 77)
			memset(q[i].name, 'x', sizeof(q[i].name));
		else if (q[i].kind == RPC_NAME_USER &&
		    strcmp(q[i].name, "root") == 0)
			q[i].id = 0;
		else if (q[i].kind == RPC_NAME_GROUP &&
		    strcmp(q[i].name, "staff") == 0)
			q[i].id = 50;
		else if (q[i].kind == RPC_NAME_GROUP &&
		    strcmp(q[i].name, "root") == 0)
			q[i].id = 0;

		else
			q[i].found = 0;
	}
	return 0;
}

/* Send one request with stub o and return the response stub in *r. */
static void
call(struct rpc_pipe *p, uint16_t opnum, const struct wbuf *stub,
    struct ndr_in *r, int ndr64)
{
	static uint8_t pdu[8192];
	struct wbuf w;
	size_t n;

	wbuf_init_fixed(&w, pdu, sizeof(pdu));
	wbuf_put_bytes(&w, "\x05\x00\x00\x03\x10\x00\x00\x00", 8);
	wbuf_put_u16le(&w, (uint16_t)(24 + wbuf_len(stub)));
	wbuf_put_u16le(&w, 0);
	wbuf_put_u32le(&w, 9);
	wbuf_put_u32le(&w, (uint32_t)wbuf_len(stub));
	wbuf_put_u16le(&w, 0);
	wbuf_put_u16le(&w, opnum);
	wbuf_put_bytes(&w, wbuf_data(stub), wbuf_len(stub));
	CHECK(rpc_pipe_write(p, pdu, wbuf_len(&w)) == 0);
	n = rd(p);
	CHECK(buf[2] == 2 && buf[3] == 3);
	ndr_in_init(r, buf + 24, n > 24 ? n - 24 : 0, ndr64);
}

static void
put_sid_str(struct ndr_out *o, const struct rpc_sid *sids, size_t n)
{
	size_t i;

	ndr_put_struct(o);
	ndr_put_u32(o, (uint32_t)n);
	ndr_put_ptr(o, 1);
	ndr_put_count(o, (uint32_t)n);
	for (i = 0; i < n; i++)
		ndr_put_ptr(o, 1);
	for (i = 0; i < n; i++)
		ndr_put_sid(o, &sids[i]);
}

/* The referenced domains of a lookup reply: their names, in order. */
static void
get_refs(struct ndr_in *r, char **doms, uint32_t max)
{
	uint32_t v, n, i;
	uint16_t len[8], maxlen[8];

	ndr_get_ptr(r, &v);
	CHECK(v != 0);
	ndr_get_struct(r);
	ndr_get_u32(r, &n);
	ndr_get_ptr(r, &v);
	ndr_get_u32(r, &v);
	ndr_get_trail(r);
	CHECK(n <= max && n <= 8);
	if (n == 0 || n > 8)
		return;
	ndr_get_count(r, &v);
	for (i = 0; i < n; i++) {
		ndr_get_ustr_hdr(r, &len[i], &maxlen[i], &v);
		ndr_get_ptr(r, &v);
	}
	for (i = 0; i < n; i++) {
		struct rpc_sid sid;

		CHECK(ndr_get_ustr_body(r, len[i], maxlen[i], &doms[i]) == 0);
		CHECK(ndr_get_sid(r, &sid) == 0);
	}
}

/* The status that ends a response stub. */
static uint32_t
tail_status(const struct ndr_in *r)
{
	if (r->r.len < 4)
		return 0xffffffff;
	return le32(r->r.data + r->r.len - 4);
}

static void
test_lookups(int ndr64)
{
	static const char bind_lsa[] =
	    "05000b03100000004800000001000000b810b810000000000100000000000100"
	    "785734123412cdabef000123456789ab00000000";
	struct rpc_ctx lctx = ctx;
	uint8_t pdu[4096], h[20];
	struct rpc_pipe *p;
	struct rpc_sid sids[6];
	struct ndr_out o;
	struct ndr_in r;
	struct wbuf w;
	char *doms[8] = { NULL };
	uint32_t v, cnt, i, idx[6];
	uint16_t use[6], len, maxlen;
	size_t n;

	lctx.lookup = fake_lookup;
	p = rpc_pipe_open("lsarpc", &lctx);
	n = hex(bind_lsa, pdu);
	n += hex(ndr64 ? "33057171babe37498319b5dbef9ccc3601000000" :
	    "045d888aeb1cc9119fe808002b10486002000000", pdu + n);
	CHECK(rpc_pipe_write(p, pdu, n) == 0);
	rd(p);
	CHECK(buf[2] == 12 && le16(buf + 44) == 0);

	/* LsarOpenPolicy2 (44): no system name, empty attributes. */
	wbuf_init(&w, 4096);
	ndr_out_init(&o, &w, ndr64);
	ndr_put_ptr(&o, 0);
	ndr_put_struct(&o);
	ndr_put_u32(&o, 24);
	for (i = 0; i < 2; i++)
		ndr_put_ptr(&o, 0);
	ndr_put_u32(&o, 0);
	for (i = 0; i < 2; i++)
		ndr_put_ptr(&o, 0);
	ndr_put_u32(&o, 0x02000000);
	call(p, 44, &w, &r, ndr64);
	CHECK(ndr_get_handle(&r, h) == 0 && ndr_get_u32(&r, &v) == 0 &&
	    v == 0);
	wbuf_free(&w);

	/* LsarLookupSids2 (57). */
	rpc_sid_make(&sids[0], 22, 2, (uint32_t)1, (uint32_t)0);
	rpc_sid_make(&sids[1], 22, 2, (uint32_t)2, (uint32_t)50);
	rpc_sid_make(&sids[2], 22, 2, (uint32_t)1, (uint32_t)66);
	rpc_sid_make(&sids[3], 22, 2, (uint32_t)1, (uint32_t)5);
	rpc_sid_make(&sids[4], 22, 2, (uint32_t)1, (uint32_t)77);
	/* The account domain: RID 1001 is gid 0. */
	rpc_sid_make(&sids[5], 5, 5, (uint32_t)21, (uint32_t)1, (uint32_t)2,
	    (uint32_t)3, (uint32_t)1001);
	wbuf_init(&w, 4096);
	ndr_out_init(&o, &w, ndr64);
	ndr_put_handle(&o, h);
	put_sid_str(&o, sids, 6);
	ndr_put_struct(&o);			/* TranslatedNames, empty */
	ndr_put_u32(&o, 0);
	ndr_put_ptr(&o, 0);
	ndr_put_enum(&o, 1);			/* LsapLookupWksta */
	ndr_put_u32(&o, 0);
	ndr_put_u32(&o, 0);
	ndr_put_u32(&o, 2);
	lookups = 0;
	call(p, 57, &w, &r, ndr64);
	wbuf_free(&w);
	CHECK(lookups == 1);
	get_refs(&r, doms, 8);
	CHECK_STR(doms[0], "Unix User");
	CHECK_STR(doms[1], "Unix Group");
	CHECK_STR(doms[2], "SERVER");
	ndr_get_struct(&r);
	ndr_get_u32(&r, &cnt);
	CHECK(cnt == 6);
	ndr_get_ptr(&r, &v);
	ndr_get_count(&r, &v);
	for (i = 0; i < 6; i++) {
		ndr_get_struct(&r);
		ndr_get_enum(&r, &use[i]);
		ndr_get_ustr_hdr(&r, &len, &maxlen, &v);
		ndr_get_u32(&r, &idx[i]);
		ndr_get_u32(&r, &v);
		ndr_get_trail(&r);
	}
	CHECK(use[0] == RPC_SID_USER && idx[0] == 0);
	CHECK(use[1] == RPC_SID_DOM_GRP && idx[1] == 1);
	CHECK(use[2] == RPC_SID_UNKNOWN && idx[2] == 0xffffffff);
	CHECK(use[3] == RPC_SID_UNKNOWN && idx[3] == 0xffffffff);
	/* An unterminated answer is cut, not read beyond. */
	CHECK(use[4] == RPC_SID_USER && idx[4] == 0);
	CHECK(use[5] == RPC_SID_DOM_GRP && idx[5] == 2);
	for (i = 0; i < 6; i++) {
		uint32_t mx, off, act;

		ndr_get_count(&r, &mx);
		ndr_get_count(&r, &off);
		ndr_get_count(&r, &act);
		CHECK(!rbuf_error(&r.r));
		if (i == 0 || i == 5)
			CHECK(act == 4 && memcmp(rbuf_cur(&r.r), "r\0o\0o\0t\0",
			    8) == 0);
		if (i == 1)
			CHECK(act == 5);
		if (i == 2)	/* an unmapped SID is named by its string */
			CHECK(act == strlen("S-1-22-1-66"));
		if (i == 4)
			CHECK(act == RPC_NAME_MAX - 1);
		rbuf_skip(&r.r, act * 2);
	}
	ndr_get_u32(&r, &v);
	CHECK(v == 4);				/* MappedCount */
	ndr_get_u32(&r, &v);
	CHECK(v == 0x00000107);			/* STATUS_SOME_NOT_MAPPED */
	CHECK(!rbuf_error(&r.r) && rbuf_left(&r.r) == 0);
	for (i = 0; i < 8; i++)
		free(doms[i]);
	memset(doms, 0, sizeof(doms));

	/* LsarLookupNames3 (68): users first, then groups, by domain. */
	{
		static const char *in[] = { "root", "staff", "Unix Group\\root",
		    "SERVER\\staff", "Unix User\\staff", "nosuch" };
		static const uint32_t want_use[] = { RPC_SID_USER,
		    RPC_SID_DOM_GRP, RPC_SID_DOM_GRP, RPC_SID_DOM_GRP,
		    RPC_SID_UNKNOWN, RPC_SID_UNKNOWN };
		static const uint32_t want_rid[] = { 0, 50, 0, 1101 };
		struct rpc_sid sid;

		wbuf_init(&w, 4096);
		ndr_out_init(&o, &w, ndr64);
		ndr_put_handle(&o, h);
		ndr_put_u32(&o, 6);
		ndr_put_count(&o, 6);
		for (i = 0; i < 6; i++)
			ndr_put_ustr_hdr(&o, in[i]);
		for (i = 0; i < 6; i++)
			ndr_put_ustr_body(&o, in[i]);
		ndr_put_struct(&o);
		ndr_put_u32(&o, 0);
		ndr_put_ptr(&o, 0);
		ndr_put_enum(&o, 1);
		ndr_put_u32(&o, 0);
		ndr_put_u32(&o, 0);
		ndr_put_u32(&o, 2);
		call(p, 68, &w, &r, ndr64);
		wbuf_free(&w);
		get_refs(&r, doms, 8);
		ndr_get_struct(&r);
		ndr_get_u32(&r, &cnt);
		CHECK(cnt == 6);
		ndr_get_ptr(&r, &v);
		ndr_get_count(&r, &v);
		for (i = 0; i < 6; i++) {
			ndr_get_struct(&r);
			ndr_get_enum(&r, &use[i]);
			ndr_get_ptr(&r, &v);
			CHECK((v != 0) == (i < 4));
			ndr_get_u32(&r, &idx[i]);
			ndr_get_u32(&r, &v);
			ndr_get_trail(&r);
			CHECK(use[i] == want_use[i]);
		}
		for (i = 0; i < 4; i++) {
			CHECK(ndr_get_sid(&r, &sid) == 0);
			CHECK(sid.sub[sid.nsub - 1] == want_rid[i]);
			CHECK(idx[i] < 3);
			if (idx[i] < 3)
				CHECK_STR(doms[idx[i]], i == 0 ?
				    "Unix User" : i < 3 ? "Unix Group" :
				    "SERVER");
		}
		ndr_get_u32(&r, &v);
		CHECK(v == 4);
		ndr_get_u32(&r, &v);
		CHECK(v == 0x00000107);
		CHECK(!rbuf_error(&r.r) && rbuf_left(&r.r) == 0);
		for (i = 0; i < 8; i++)
			free(doms[i]);
		memset(doms, 0, sizeof(doms));
	}
	rpc_pipe_close(p);

	/* Without a name service (guest, anonymous): none mapped. */
	lctx.lookup = NULL;
	p = rpc_pipe_open("lsarpc", &lctx);
	n = hex(bind_lsa, pdu);
	n += hex(ndr64 ? "33057171babe37498319b5dbef9ccc3601000000" :
	    "045d888aeb1cc9119fe808002b10486002000000", pdu + n);
	rpc_pipe_write(p, pdu, n);
	rd(p);
	wbuf_init(&w, 4096);
	ndr_out_init(&o, &w, ndr64);
	put_sid_str(&o, sids, 1);
	ndr_put_struct(&o);
	ndr_put_u32(&o, 0);
	ndr_put_ptr(&o, 0);
	ndr_put_enum(&o, 1);
	ndr_put_u32(&o, 0);
	ndr_put_u32(&o, 0);
	ndr_put_u32(&o, 2);
	lookups = 0;
	call(p, 76, &w, &r, ndr64);		/* LsarLookupSids3 */
	wbuf_free(&w);
	CHECK(lookups == 0);
	CHECK(tail_status(&r) == 0xc0000073);
	rpc_pipe_close(p);
}

int
main(void)
{
	test_bind();
	test_request();
	test_fragments();
	test_ndr();
	test_handles();
	test_ndr64();
	test_ndr64_prims();
	test_lookups(0);
	test_lookups(1);
	return unit_done();
}
