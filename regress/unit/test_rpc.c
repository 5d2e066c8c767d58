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
#include "rpc/rpc.h"
#include "rpc/rpc_int.h"
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

int
main(void)
{
	test_bind();
	test_request();
	test_fragments();
	test_ndr();
	test_handles();
	return unit_done();
}
