/*
 * Unit tests of the file-system control wire structures: the
 * SRV_COPYCHUNK_COPY, FILE_ALLOCATED_RANGE_BUFFER, FILE_ZERO_DATA_INFORMATION,
 * FILE_SET_SPARSE_BUFFER and FILE_LEVEL_TRIM parsers (MS-SMB2 2.2.31.1,
 * MS-FSCC 2.3), the copy limits of MS-SMB2 3.3.3 and the encoders.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "smb2_fsctl.h"
#include "unit.h"

/* A SRV_COPYCHUNK_COPY with n chunks of the given lengths. */
static size_t
build_copychunk(uint8_t *out, size_t max, uint32_t count, uint32_t n,
    const uint32_t *lens)
{
	struct wbuf w;
	uint32_t i;

	wbuf_init_fixed(&w, out, max);
	for (i = 0; i < FSCTL_RESUME_KEY_LEN; i++)
		wbuf_put_u8(&w, (uint8_t)i);
	wbuf_put_u32le(&w, count);
	wbuf_put_u32le(&w, 0);
	for (i = 0; i < n; i++) {
		wbuf_put_u64le(&w, (uint64_t)i * 4096);		/* source */
		wbuf_put_u64le(&w, 0x100000000ULL + i);		/* target */
		wbuf_put_u32le(&w, lens[i]);
		wbuf_put_u32le(&w, 0);
	}
	CHECK(!wbuf_error(&w));
	return wbuf_len(&w);
}

static void
test_copychunk(void)
{
	static uint8_t buf[32 + 300 * 24];
	static uint32_t lens[300];
	struct fsctl_copychunk cc;
	struct fsctl_chunk ch;
	struct rbuf r;
	size_t n;
	uint32_t i;

	lens[0] = 4096;
	lens[1] = 50;
	n = build_copychunk(buf, sizeof(buf), 2, 2, lens);
	CHECK(n == 32 + 2 * 24);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0);
	CHECK(cc.nchunks == 2);
	CHECK(cc.key[0] == 0 && cc.key[23] == 23);
	CHECK(fsctl_copychunk_get(&cc, 1, &ch) == 0);
	CHECK(ch.src_off == 4096 && ch.dst_off == 0x100000001ULL &&
	    ch.len == 50);
	CHECK(fsctl_copychunk_get(&cc, 2, &ch) == -1);
	CHECK(fsctl_copychunk_check(&cc) == 0);

	/* Shorter than the header, or than ChunkCount announces. */
	rbuf_init(&r, buf, 31);
	CHECK(fsctl_copychunk_parse(&r, &cc) == -1);
	rbuf_init(&r, buf, n - 1);
	CHECK(fsctl_copychunk_parse(&r, &cc) == -1);
	n = build_copychunk(buf, sizeof(buf), 0xffffffffU, 1, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == -1);
	/* Longer input than the chunks is fine. */
	n = build_copychunk(buf, sizeof(buf), 1, 2, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0 && cc.nchunks == 1);
	/* No chunks at all parses and is within the limits. */
	n = build_copychunk(buf, sizeof(buf), 0, 0, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0 && cc.nchunks == 0);
	CHECK(fsctl_copychunk_check(&cc) == 0);

	/* The limits: zero length, chunk size, count, total. */
	lens[0] = 0;
	n = build_copychunk(buf, sizeof(buf), 1, 1, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0);
	CHECK(fsctl_copychunk_check(&cc) == -1);
	lens[0] = FSCTL_COPYCHUNK_MAX_CHUNK_SIZE;
	n = build_copychunk(buf, sizeof(buf), 1, 1, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0);
	CHECK(fsctl_copychunk_check(&cc) == 0);
	lens[0] = FSCTL_COPYCHUNK_MAX_CHUNK_SIZE + 1;
	n = build_copychunk(buf, sizeof(buf), 1, 1, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0);
	CHECK(fsctl_copychunk_check(&cc) == -1);
	lens[0] = 0xffffffffU;
	n = build_copychunk(buf, sizeof(buf), 1, 1, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0);
	CHECK(fsctl_copychunk_check(&cc) == -1);
	for (i = 0; i < 300; i++)
		lens[i] = 1;
	n = build_copychunk(buf, sizeof(buf), 256, 256, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0);
	CHECK(fsctl_copychunk_check(&cc) == 0);
	n = build_copychunk(buf, sizeof(buf), 257, 257, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0);
	CHECK(fsctl_copychunk_check(&cc) == -1);
	for (i = 0; i < 17; i++)
		lens[i] = FSCTL_COPYCHUNK_MAX_CHUNK_SIZE;
	n = build_copychunk(buf, sizeof(buf), 16, 16, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0);
	CHECK(fsctl_copychunk_check(&cc) == 0);
	n = build_copychunk(buf, sizeof(buf), 17, 17, lens);
	rbuf_init(&r, buf, n);
	CHECK(fsctl_copychunk_parse(&r, &cc) == 0);
	CHECK(fsctl_copychunk_check(&cc) == -1);
}

static void
test_copychunk_out(void)
{
	static const uint8_t want_resp[12] = {
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
		0x00, 0x00, 0x00, 0x01
	};
	uint8_t key[FSCTL_RESUME_KEY_LEN], out[64], zero[8];
	struct wbuf w;

	wbuf_init_fixed(&w, out, sizeof(out));
	fsctl_copychunk_resp(&w, 256, 1024 * 1024, 16 * 1024 * 1024);
	CHECK(wbuf_len(&w) == FSCTL_COPYCHUNK_RESP_LEN);
	CHECK_MEM(out, want_resp, sizeof(want_resp));

	memset(key, 0xab, sizeof(key));
	memset(zero, 0, sizeof(zero));
	wbuf_init_fixed(&w, out, sizeof(out));
	fsctl_resume_key_resp(&w, key);
	CHECK(wbuf_len(&w) == FSCTL_RESUME_KEY_RESP_LEN);
	CHECK_MEM(out, key, sizeof(key));
	CHECK_MEM(out + 24, zero, 8);
}

static void
put_pair(uint8_t *p, uint64_t a, uint64_t b)
{
	struct wbuf w;

	wbuf_init_fixed(&w, p, 16);
	wbuf_put_u64le(&w, a);
	wbuf_put_u64le(&w, b);
}

static void
test_ranges(void)
{
	uint8_t buf[32], out[16];
	struct fsctl_range rg;
	struct rbuf r;
	struct wbuf w;

	/* FILE_ALLOCATED_RANGE_BUFFER. */
	put_pair(buf, 4096, 8192);
	rbuf_init(&r, buf, 16);
	CHECK(fsctl_qar_parse(&r, &rg) == 0 && rg.off == 4096 &&
	    rg.len == 8192);
	rbuf_init(&r, buf, 15);
	CHECK(fsctl_qar_parse(&r, &rg) == -1);
	rbuf_init(&r, buf, 0);
	CHECK(fsctl_qar_parse(&r, &rg) == -1);
	put_pair(buf + 16, 1, 1);
	rbuf_init(&r, buf, 32);		/* oversized input is allowed */
	CHECK(fsctl_qar_parse(&r, &rg) == 0 && rg.off == 4096);
	put_pair(buf, 0x8000000000000000ULL, 1);
	rbuf_init(&r, buf, 16);
	CHECK(fsctl_qar_parse(&r, &rg) == -1);
	put_pair(buf, 1, 0x7fffffffffffffffULL);
	rbuf_init(&r, buf, 16);
	CHECK(fsctl_qar_parse(&r, &rg) == -1);
	put_pair(buf, 0, 0x7fffffffffffffffULL);
	rbuf_init(&r, buf, 16);
	CHECK(fsctl_qar_parse(&r, &rg) == 0);

	/* FILE_ZERO_DATA_INFORMATION. */
	put_pair(buf, 100, 4096);
	rbuf_init(&r, buf, 16);
	CHECK(fsctl_zero_data_parse(&r, &rg) == 0 && rg.off == 100 &&
	    rg.len == 3996);
	put_pair(buf, 4096, 4096);
	rbuf_init(&r, buf, 16);
	CHECK(fsctl_zero_data_parse(&r, &rg) == 0 && rg.len == 0);
	put_pair(buf, 4097, 4096);
	rbuf_init(&r, buf, 16);
	CHECK(fsctl_zero_data_parse(&r, &rg) == -1);
	put_pair(buf, 0xffffffffffffffffULL, 0xffffffffffffffffULL);
	rbuf_init(&r, buf, 16);
	CHECK(fsctl_zero_data_parse(&r, &rg) == -1);
	rbuf_init(&r, buf, 8);
	CHECK(fsctl_zero_data_parse(&r, &rg) == -1);

	wbuf_init_fixed(&w, out, sizeof(out));
	fsctl_range_put(&w, 1, 2);
	put_pair(buf, 1, 2);
	CHECK(wbuf_len(&w) == 16);
	CHECK_MEM(out, buf, 16);
}

static void
test_small(void)
{
	uint8_t buf[64];
	struct fsctl_trim t;
	struct fsctl_range rg;
	struct rbuf r;
	struct wbuf w;
	uint16_t fmt;

	/* FILE_SET_SPARSE_BUFFER: none sets, else the first byte. */
	rbuf_init(&r, NULL, 0);
	CHECK(fsctl_set_sparse_parse(&r) == 1);
	buf[0] = 0;
	rbuf_init(&r, buf, 1);
	CHECK(fsctl_set_sparse_parse(&r) == 0);
	buf[0] = 0xff;
	rbuf_init(&r, buf, 1);
	CHECK(fsctl_set_sparse_parse(&r) == 1);
	memset(buf, 0, sizeof(buf));
	rbuf_init(&r, buf, sizeof(buf));
	CHECK(fsctl_set_sparse_parse(&r) == 0);

	buf[0] = 2;
	buf[1] = 0;
	rbuf_init(&r, buf, 2);
	CHECK(fsctl_compression_parse(&r, &fmt) == 0 && fmt == 2);
	rbuf_init(&r, buf, 1);
	CHECK(fsctl_compression_parse(&r, &fmt) == -1);

	/* FILE_LEVEL_TRIM with two ranges, then a short one. */
	wbuf_init_fixed(&w, buf, sizeof(buf));
	wbuf_put_u32le(&w, 0);
	wbuf_put_u32le(&w, 2);
	wbuf_put_u64le(&w, 0);
	wbuf_put_u64le(&w, 4096);
	wbuf_put_u64le(&w, 8192);
	wbuf_put_u64le(&w, 512);
	rbuf_init(&r, buf, wbuf_len(&w));
	CHECK(fsctl_trim_parse(&r, &t) == 0 && t.nranges == 2);
	CHECK(fsctl_trim_get(&t, 1, &rg) == 0 && rg.off == 8192 &&
	    rg.len == 512);
	CHECK(fsctl_trim_get(&t, 2, &rg) == -1);
	rbuf_init(&r, buf, wbuf_len(&w) - 1);
	CHECK(fsctl_trim_parse(&r, &t) == -1);
	rbuf_init(&r, buf, 7);
	CHECK(fsctl_trim_parse(&r, &t) == -1);
}

static void
test_reparse(void)
{
	static const uint8_t want[] = {
		0x0c, 0x00, 0x00, 0xa0,		/* IO_REPARSE_TAG_SYMLINK */
		0x14, 0x00, 0x00, 0x00,		/* length 12 + 2 * 4 */
		0x00, 0x00, 0x04, 0x00,		/* substitute name 0, 4 */
		0x04, 0x00, 0x04, 0x00,		/* print name 4, 4 */
		0x01, 0x00, 0x00, 0x00,		/* relative */
		'a', 0, '\\', 0, 'a', 0, '\\', 0
	};
	uint8_t out[64];
	struct wbuf w;

	wbuf_init_fixed(&w, out, sizeof(out));
	CHECK(fsctl_symlink_reparse(&w, "a/") == 0);
	CHECK(wbuf_len(&w) == sizeof(want));
	CHECK_MEM(out, want, sizeof(want));

	wbuf_init_fixed(&w, out, sizeof(out));
	CHECK(fsctl_symlink_reparse(&w, "/x") == 0);
	CHECK(out[16] == 0);		/* absolute */
	wbuf_init_fixed(&w, out, sizeof(out));
	CHECK(fsctl_symlink_reparse(&w, "\xff") == -1);
}

static void
test_objectid(void)
{
	uint8_t out[80], want[8];
	struct wbuf w;

	wbuf_init_fixed(&w, out, sizeof(out));
	fsctl_objectid_put(&w, 0x0102, 0x0a0b0c);
	CHECK(wbuf_len(&w) == FSCTL_OBJECTID_LEN);
	memset(want, 0, sizeof(want));
	want[0] = 0x0c;
	want[1] = 0x0b;
	want[2] = 0x0a;
	CHECK_MEM(out, want, 8);		/* ObjectId: the inode */
	CHECK_MEM(out + 32, out, 16);		/* BirthObjectId */
	CHECK(out[8] == 0x02 && out[9] == 0x01);
	memset(want, 0, sizeof(want));
	CHECK_MEM(out + 56, want, 8);		/* DomainId */
}

int
main(void)
{
	test_copychunk();
	test_copychunk_out();
	test_ranges();
	test_small();
	test_reparse();
	test_objectid();
	return unit_done();
}
