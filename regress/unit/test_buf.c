/*
 * Unit tests for the bounds-checked buffer API.
 */
#include "config.h"

#include <stdint.h>

#include "buf.h"
#include "unit.h"

static void
test_reader(void)
{
	const uint8_t data[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	    0x08, 0x09, 0x0a };
	struct rbuf r, sub;
	uint8_t u8, out[4];
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	const uint8_t *p;

	rbuf_init(&r, data, sizeof(data));
	CHECK(rbuf_get_u8(&r, &u8) == 0 && u8 == 0x01);
	CHECK(rbuf_get_u16le(&r, &u16) == 0 && u16 == 0x0302);
	CHECK(rbuf_get_u32le(&r, &u32) == 0 && u32 == 0x07060504);
	CHECK(rbuf_left(&r) == 3);
	CHECK(rbuf_get_u32le(&r, &u32) == -1 && u32 == 0);
	/* The error is sticky, even for a read that would fit. */
	CHECK(rbuf_get_u8(&r, &u8) == -1);
	CHECK(rbuf_error(&r));
	CHECK(rbuf_left(&r) == 0);

	rbuf_init(&r, data, sizeof(data));
	CHECK(rbuf_get_u64le(&r, &u64) == 0 && u64 == 0x0807060504030201ULL);
	rbuf_init(&r, data, sizeof(data));
	CHECK(rbuf_get_u64be(&r, &u64) == 0 && u64 == 0x0102030405060708ULL);
	CHECK(rbuf_get_u16be(&r, &u16) == 0 && u16 == 0x090a);
	CHECK(rbuf_get_u8(&r, &u8) == -1);

	rbuf_init(&r, data, sizeof(data));
	CHECK(rbuf_skip(&r, 3) == 0);
	CHECK(rbuf_align(&r, 4) == 0 && rbuf_offset(&r) == 4);
	CHECK(rbuf_align(&r, 4) == 0 && rbuf_offset(&r) == 4);
	CHECK(rbuf_align(&r, 3) == -1);

	rbuf_init(&r, data, sizeof(data));
	CHECK(rbuf_sub(&r, 8, 2, &sub) == 0 && rbuf_left(&sub) == 2);
	CHECK(rbuf_get_u16be(&sub, &u16) == 0 && u16 == 0x090a);
	CHECK(rbuf_sub(&r, 8, 3, &sub) == -1 && rbuf_error(&sub));
	CHECK(rbuf_sub(&r, 11, 0, &sub) == -1);
	CHECK(rbuf_sub(&r, 10, 0, &sub) == 0 && rbuf_left(&sub) == 0);
	/* Offsets that overflow when added must not pass. */
	CHECK(rbuf_sub(&r, SIZE_MAX, 2, &sub) == -1);
	CHECK(rbuf_sub(&r, 2, SIZE_MAX, &sub) == -1);
	CHECK(rbuf_offset(&r) == 0);

	CHECK(rbuf_take(&r, 4, &sub) == 0 && rbuf_offset(&r) == 4);
	CHECK(rbuf_get_bytes(&sub, out, 4) == 0);
	CHECK_MEM(out, data, 4);
	CHECK(rbuf_get_ptr(&r, &p, 6) == 0 && p == data + 4);
	CHECK(rbuf_get_ptr(&r, &p, 1) == -1 && p == NULL);

	rbuf_init(&r, data, sizeof(data));
	CHECK(rbuf_seek(&r, 10) == 0 && rbuf_left(&r) == 0);
	CHECK(rbuf_seek(&r, 11) == -1);
	CHECK(rbuf_skip(&r, 0) == -1);

	rbuf_init(&r, NULL, 5);
	CHECK(rbuf_left(&r) == 0);
	CHECK(rbuf_peek_u8(&r, &u8) == -1);
}

static void
test_writer(void)
{
	static const uint8_t want[] = { 0xaa, 0x34, 0x12, 0x78, 0x56, 0x34,
	    0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x01, 0x02 };
	uint8_t mem[8];
	struct wbuf w;
	size_t off;

	wbuf_init(&w, 1024);
	CHECK(wbuf_put_u8(&w, 0xaa) == 0);
	CHECK(wbuf_put_u16le(&w, 0x1234) == 0);
	CHECK(wbuf_reserve(&w, 4, &off) == 0 && off == 3);
	CHECK(wbuf_align(&w, 16) == 0 && wbuf_len(&w) == 16);
	CHECK(wbuf_put_u16be(&w, 0x0102) == 0);
	CHECK(wbuf_set_u32le(&w, off, 0x12345678) == 0);
	CHECK(wbuf_len(&w) == sizeof(want));
	CHECK_MEM(wbuf_data(&w), want, sizeof(want));
	CHECK(wbuf_set_u32le(&w, wbuf_len(&w) - 2, 1) == -1);
	CHECK(wbuf_error(&w));
	CHECK(wbuf_put_u8(&w, 1) == -1);
	wbuf_free(&w);

	/* Growth stops at the maximum, exactly. */
	wbuf_init(&w, 1000);
	CHECK(wbuf_put_zero(&w, 999) == 0);
	CHECK(wbuf_put_u8(&w, 1) == 0);
	CHECK(wbuf_put_u8(&w, 1) == -1);
	wbuf_free(&w);
	wbuf_init(&w, 100);
	CHECK(wbuf_put_zero(&w, SIZE_MAX) == -1);
	wbuf_free(&w);

	wbuf_init_fixed(&w, mem, sizeof(mem));
	CHECK(wbuf_put_u64le(&w, 0x0102030405060708ULL) == 0);
	CHECK(mem[0] == 0x08 && mem[7] == 0x01);
	CHECK(wbuf_put_u8(&w, 0) == -1);
	wbuf_free(&w);
	CHECK(mem[0] == 0x08);	/* fixed memory is not ours to wipe */
}

/* Peeks read at an offset, move nothing, and stop at the end. */
static void
test_peek(void)
{
	static const uint8_t in[] = { 0xaa, 0x01, 0x02, 0x03, 0x04, 0x05 };
	struct rbuf r;
	struct wbuf w;
	uint16_t u16;
	uint32_t u32;
	uint8_t u8;

	rbuf_init(&r, in, sizeof(in));
	CHECK(rbuf_get_u8(&r, &u8) == 0);
	CHECK(rbuf_peek_u16le(&r, 0, &u16) == 0 && u16 == 0x0201);
	CHECK(rbuf_peek_u32le(&r, 1, &u32) == 0 && u32 == 0x05040302);
	CHECK(rbuf_offset(&r) == 1);
	CHECK(rbuf_peek_u32le(&r, 2, &u32) == -1 && u32 == 0);
	CHECK(rbuf_peek_u16le(&r, 3, &u16) == 0 && u16 == 0x0504);
	CHECK(rbuf_peek_u16le(&r, 4, &u16) == -1);
	CHECK(rbuf_peek_u16le(&r, SIZE_MAX, &u16) == -1);
	CHECK(!rbuf_error(&r));

	wbuf_init(&w, 16);
	CHECK(wbuf_put_u32le(&w, 0x11223344) == 0);
	CHECK(wbuf_peek_u32le(&w, 0, &u32) == 0 && u32 == 0x11223344);
	CHECK(wbuf_peek_u32le(&w, 1, &u32) == -1);
	CHECK(wbuf_peek_u32le(&w, SIZE_MAX, &u32) == -1);
	wbuf_free(&w);
}

int
main(void)
{
	test_reader();
	test_writer();
	test_peek();
	return unit_done();
}
