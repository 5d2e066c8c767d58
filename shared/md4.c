/*
 * MD4 as RFC 1320 describes it, and the NT hash (MS-NLMP 3.3.1:
 * NTOWFv1 = MD4(UNICODE(password))).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "md4.h"
#include "unicode.h"

#define ROTL(x, s)	(((x) << (s)) | ((x) >> (32 - (s))))
#define F(x, y, z)	(((x) & (y)) | (~(x) & (z)))
#define G(x, y, z)	(((x) & (y)) | ((x) & (z)) | ((y) & (z)))
#define H(x, y, z)	((x) ^ (y) ^ (z))

static void
md4_block(uint32_t st[4], const uint8_t blk[64])
{
	static const int r2[16] = { 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14,
	    3, 7, 11, 15 };
	static const int r3[16] = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13,
	    3, 11, 7, 15 };
	static const int s1[4] = { 3, 7, 11, 19 }, s2[4] = { 3, 5, 9, 13 };
	static const int s3[4] = { 3, 9, 11, 15 };
	uint32_t x[16], a = st[0], b = st[1], c = st[2], d = st[3], t;
	struct rbuf r;
	int i;

	rbuf_init(&r, blk, 64);
	for (i = 0; i < 16; i++)
		rbuf_get_u32le(&r, &x[i]);
	/* Each round rotates (a, b, c, d) after every step. */
	for (i = 0; i < 16; i++) {
		t = ROTL(a + F(b, c, d) + x[i], s1[i % 4]);
		a = d, d = c, c = b, b = t;
	}
	for (i = 0; i < 16; i++) {
		t = ROTL(a + G(b, c, d) + x[r2[i]] + 0x5a827999U, s2[i % 4]);
		a = d, d = c, c = b, b = t;
	}
	for (i = 0; i < 16; i++) {
		t = ROTL(a + H(b, c, d) + x[r3[i]] + 0x6ed9eba1U, s3[i % 4]);
		a = d, d = c, c = b, b = t;
	}
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
	explicit_bzero(x, sizeof(x));
}

void
md4(const void *data, size_t len, uint8_t out[16])
{
	uint32_t st[4] = { 0x67452301U, 0xefcdab89U, 0x98badcfeU,
	    0x10325476U };
	const uint8_t *p = data;
	uint8_t blk[64];
	uint64_t bits = (uint64_t)len * 8;
	size_t i, rest;

	for (; len >= 64; p += 64, len -= 64)
		md4_block(st, p);
	rest = len;
	memset(blk, 0, sizeof(blk));
	memcpy(blk, p, rest);
	blk[rest] = 0x80;
	if (rest >= 56) {
		md4_block(st, blk);
		memset(blk, 0, sizeof(blk));
	}
	for (i = 0; i < 8; i++)
		blk[56 + i] = (uint8_t)(bits >> (8 * i));
	md4_block(st, blk);
	for (i = 0; i < 16; i++)
		out[i] = (uint8_t)(st[i / 4] >> (8 * (i % 4)));
	explicit_bzero(blk, sizeof(blk));
	explicit_bzero(st, sizeof(st));
}

int
nt_hash(const char *password, uint8_t out[16])
{
	struct wbuf w;
	int r = 0;

	wbuf_init(&w, 4 * strlen(password) + 8);
	if (utf8_to_utf16le(password, strlen(password), &w) == -1)
		r = -1;
	else
		md4(wbuf_data(&w), wbuf_len(&w), out);
	wbuf_free(&w);
	return r;
}
