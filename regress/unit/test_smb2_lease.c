/*
 * Unit tests for the lease parsers and encoders (smbd/wire/oplock_wire.c):
 * the RqLs create context v1 and v2 (MS-SMB2 2.2.13.2.8, 2.2.13.2.10),
 * its response (2.2.14.2.10, 2.2.14.2.11), the Lease Break Notification
 * (2.2.23.2), the acknowledgment and its response (2.2.24.2, 2.2.25.2).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "oplock_wire.h"
#include "unit.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
test_ctx(void)
{
	uint8_t d[52], key[16], parent[16];
	struct smb2_lease_req l;
	struct rbuf r;
	struct wbuf w;
	size_t i;

	for (i = 0; i < 16; i++) {
		key[i] = (uint8_t)(0x10 + i);
		parent[i] = (uint8_t)(0x40 + i);
	}
	memset(d, 0, sizeof(d));
	memcpy(d, key, 16);
	put32(d + 16, 0xff);		/* RWH and bits that mean nothing */
	put32(d + 20, 0x06);		/* BREAK_IN_PROGRESS | PARENT_KEY */
	memset(d + 24, 0x77, 8);	/* LeaseDuration: ignored */
	memcpy(d + 32, parent, 16);
	d[48] = 0x34;			/* Epoch 0x1234 */
	d[49] = 0x12;

	/* v1: 32 bytes; no flags, no parent, only R, H and W kept. */
	rbuf_init(&r, d, 32);
	CHECK(smb2_lease_ctx_parse(&r, 1, &l) == 0);
	CHECK(l.version == 1 && l.state == 0x07 && l.flags == 0 &&
	    l.epoch == 0 && memcmp(l.key, key, 16) == 0 && l.parent[0] == 0);
	/* v2: the parent key with its flag; the client's BREAK flag goes. */
	rbuf_init(&r, d, 52);
	CHECK(smb2_lease_ctx_parse(&r, 1, &l) == 0);
	CHECK(l.version == 2 && l.state == 0x07 &&
	    l.flags == SMB2_LEASE_FLAG_PARENT_KEY_SET && l.epoch == 0x1234 &&
	    memcmp(l.parent, parent, 16) == 0);
	/* A parent key without its flag is no parent key. */
	put32(d + 20, 0);
	rbuf_init(&r, d, 52);
	CHECK(smb2_lease_ctx_parse(&r, 1, &l) == 0);
	CHECK(l.flags == 0 && l.parent[0] == 0 && l.epoch == 0x1234);
	/* Before SMB 3.x the 52 bytes are read as v1. */
	rbuf_init(&r, d, 52);
	CHECK(smb2_lease_ctx_parse(&r, 0, &l) == 0);
	CHECK(l.version == 1 && l.epoch == 0);
	/* Any other length is refused. */
	for (i = 0; i <= sizeof(d); i++) {
		if (i == 32 || i == 52)
			continue;
		rbuf_init(&r, d, i);
		CHECK(smb2_lease_ctx_parse(&r, 1, &l) == -1);
		CHECK(l.version == 0);
	}

	/* The response: 32 bytes for v1, 52 for v2. */
	memset(&l, 0, sizeof(l));
	l.version = 2;
	memcpy(l.key, key, 16);
	memcpy(l.parent, parent, 16);
	l.state = 0x03;
	l.flags = SMB2_LEASE_FLAG_PARENT_KEY_SET;
	l.epoch = 7;
	wbuf_init(&w, 64);
	smb2_lease_ctx_body(&w, &l);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == 52);
	CHECK(memcmp(wbuf_data(&w), key, 16) == 0 &&
	    wbuf_data(&w)[16] == 3 && wbuf_data(&w)[20] == 4 &&
	    memcmp(wbuf_data(&w) + 32, parent, 16) == 0 &&
	    wbuf_data(&w)[48] == 7);
	wbuf_reset(&w);
	l.version = 1;
	smb2_lease_ctx_body(&w, &l);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == 32);
	wbuf_free(&w);
}

static void
test_break(void)
{
	uint8_t b[40], key[16];
	struct smb2_lease_ack a;
	struct rbuf r;
	struct wbuf w;

	memset(key, 0xab, sizeof(key));
	memset(b, 0, sizeof(b));
	b[0] = 36;
	put32(b + 4, 0x99);		/* Flags: reserved, kept as sent */
	memcpy(b + 8, key, 16);
	put32(b + 24, 0x03);
	rbuf_init(&r, b, 36);
	CHECK(smb2_lease_ack_parse(&r, &a) == 0);
	CHECK(a.state == 3 && a.flags == 0x99 && memcmp(a.key, key, 16) == 0);
	rbuf_init(&r, b, 35);
	CHECK(smb2_lease_ack_parse(&r, &a) == -1 && a.state == 0);
	/* An oplock acknowledgment's size is not a lease one's. */
	b[0] = 24;
	rbuf_init(&r, b, 40);
	CHECK(smb2_lease_ack_parse(&r, &a) == -1);

	wbuf_init(&w, 64);
	smb2_lease_ack_body(&w, key, 1);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == 36 &&
	    wbuf_data(&w)[0] == 36 && wbuf_data(&w)[24] == 1 &&
	    memcmp(wbuf_data(&w) + 8, key, 16) == 0);
	smb2_lease_break_body(&w, 5, SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED,
	    key, 7, 3);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == 44);
	CHECK(wbuf_data(&w)[0] == 44 && wbuf_data(&w)[2] == 5 &&
	    wbuf_data(&w)[4] == 1 && memcmp(wbuf_data(&w) + 8, key, 16) == 0 &&
	    wbuf_data(&w)[24] == 7 && wbuf_data(&w)[28] == 3 &&
	    wbuf_data(&w)[32] == 0);
	wbuf_free(&w);
}

int
main(void)
{
	test_ctx();
	test_break();
	return unit_done();
}
