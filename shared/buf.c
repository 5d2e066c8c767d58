/*
 * Bounds-checked buffers.  See buf.h for the contract.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define WBUF_MINCAP	256

void
rbuf_init(struct rbuf *b, const void *data, size_t len)
{
	b->data = data;
	b->len = data == NULL ? 0 : len;
	b->off = 0;
	b->err = 0;
}

size_t
rbuf_left(const struct rbuf *b)
{
	if (b->err)
		return 0;
	return b->len - b->off;
}

size_t
rbuf_offset(const struct rbuf *b)
{
	return b->off;
}

int
rbuf_error(const struct rbuf *b)
{
	return b->err;
}

const uint8_t *
rbuf_cur(const struct rbuf *b)
{
	return b->data + b->off;
}

/*
 * The one place where a reader checks that n more bytes exist.  Every other
 * reader function goes through it, so the arithmetic is done once and done
 * without overflow: len - off never underflows because off <= len always.
 */
static int
rbuf_need(struct rbuf *b, size_t n)
{
	if (b->err)
		return -1;
	if (n > b->len - b->off) {
		b->err = 1;
		errno = ERANGE;
		return -1;
	}
	return 0;
}

int
rbuf_get_bytes(struct rbuf *b, void *out, size_t n)
{
	if (rbuf_need(b, n) == -1) {
		if (out != NULL && n > 0)
			memset(out, 0, n);
		return -1;
	}
	if (n > 0)
		memcpy(out, b->data + b->off, n);
	b->off += n;
	return 0;
}

int
rbuf_get_ptr(struct rbuf *b, const uint8_t **p, size_t n)
{
	if (rbuf_need(b, n) == -1) {
		*p = NULL;
		return -1;
	}
	*p = b->data + b->off;
	b->off += n;
	return 0;
}

int
rbuf_get_u8(struct rbuf *b, uint8_t *v)
{
	return rbuf_get_bytes(b, v, 1);
}

int
rbuf_peek_u8(const struct rbuf *b, uint8_t *v)
{
	if (b->err || b->off >= b->len) {
		*v = 0;
		return -1;
	}
	*v = b->data[b->off];
	return 0;
}

int
rbuf_peek_u16le(const struct rbuf *b, size_t off, uint16_t *v)
{
	const uint8_t *p;

	*v = 0;
	if (b->err || off > b->len - b->off || 2 > b->len - b->off - off)
		return -1;
	p = b->data + b->off + off;
	*v = (uint16_t)(p[0] | p[1] << 8);
	return 0;
}

int
rbuf_peek_u32le(const struct rbuf *b, size_t off, uint32_t *v)
{
	const uint8_t *p;

	*v = 0;
	if (b->err || off > b->len - b->off || 4 > b->len - b->off - off)
		return -1;
	p = b->data + b->off + off;
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
	return 0;
}

int
rbuf_get_u16le(struct rbuf *b, uint16_t *v)
{
	uint8_t p[2];

	if (rbuf_get_bytes(b, p, sizeof(p)) == -1) {
		*v = 0;
		return -1;
	}
	*v = (uint16_t)(p[0] | (p[1] << 8));
	return 0;
}

int
rbuf_get_u32le(struct rbuf *b, uint32_t *v)
{
	uint8_t p[4];

	if (rbuf_get_bytes(b, p, sizeof(p)) == -1) {
		*v = 0;
		return -1;
	}
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
	return 0;
}

int
rbuf_get_u64le(struct rbuf *b, uint64_t *v)
{
	uint32_t lo, hi;

	if (rbuf_need(b, 8) == -1) {
		*v = 0;
		return -1;
	}
	rbuf_get_u32le(b, &lo);
	rbuf_get_u32le(b, &hi);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

int
rbuf_get_u16be(struct rbuf *b, uint16_t *v)
{
	uint8_t p[2];

	if (rbuf_get_bytes(b, p, sizeof(p)) == -1) {
		*v = 0;
		return -1;
	}
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

int
rbuf_get_u32be(struct rbuf *b, uint32_t *v)
{
	uint8_t p[4];

	if (rbuf_get_bytes(b, p, sizeof(p)) == -1) {
		*v = 0;
		return -1;
	}
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return 0;
}

int
rbuf_get_u64be(struct rbuf *b, uint64_t *v)
{
	uint32_t lo, hi;

	if (rbuf_need(b, 8) == -1) {
		*v = 0;
		return -1;
	}
	rbuf_get_u32be(b, &hi);
	rbuf_get_u32be(b, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

int
rbuf_skip(struct rbuf *b, size_t n)
{
	if (rbuf_need(b, n) == -1)
		return -1;
	b->off += n;
	return 0;
}

int
rbuf_align(struct rbuf *b, size_t align)
{
	size_t pad;

	if (align == 0 || (align & (align - 1)) != 0) {
		b->err = 1;
		return -1;
	}
	pad = (align - (b->off & (align - 1))) & (align - 1);
	return rbuf_skip(b, pad);
}

int
rbuf_seek(struct rbuf *b, size_t off)
{
	if (b->err)
		return -1;
	if (off > b->len) {
		b->err = 1;
		errno = ERANGE;
		return -1;
	}
	b->off = off;
	return 0;
}

int
rbuf_take(struct rbuf *b, size_t n, struct rbuf *sub)
{
	const uint8_t *p;

	if (rbuf_get_ptr(b, &p, n) == -1) {
		rbuf_init(sub, NULL, 0);
		sub->err = 1;
		return -1;
	}
	rbuf_init(sub, p, n);
	return 0;
}

int
rbuf_sub(const struct rbuf *b, size_t off, size_t len, struct rbuf *sub)
{
	if (b->err || off > b->len || len > b->len - off) {
		rbuf_init(sub, NULL, 0);
		sub->err = 1;
		errno = ERANGE;
		return -1;
	}
	rbuf_init(sub, b->data + off, len);
	return 0;
}

void
wbuf_init(struct wbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
wbuf_init_fixed(struct wbuf *b, void *mem, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->data = mem;
	b->cap = cap;
	b->max = cap;
	b->fixed = 1;
}

void
wbuf_free(struct wbuf *b)
{
	if (!b->fixed && b->data != NULL) {
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	memset(b, 0, sizeof(*b));
}

void
wbuf_reset(struct wbuf *b)
{
	b->len = 0;
	b->err = 0;
}

int
wbuf_error(const struct wbuf *b)
{
	return b->err;
}

size_t
wbuf_len(const struct wbuf *b)
{
	return b->len;
}

uint8_t *
wbuf_data(const struct wbuf *b)
{
	return b->data;
}

/* Make room for n more bytes, growing geometrically up to the maximum. */
static int
wbuf_need(struct wbuf *b, size_t n)
{
	size_t ncap;
	uint8_t *p;

	if (b->err)
		return -1;
	if (n > b->max - b->len) {
		b->err = 1;
		errno = EMSGSIZE;
		return -1;
	}
	if (n <= b->cap - b->len)
		return 0;
	if (b->fixed) {
		b->err = 1;
		errno = EMSGSIZE;
		return -1;
	}
	ncap = b->cap < WBUF_MINCAP ? WBUF_MINCAP : b->cap;
	while (ncap - b->len < n) {
		if (ncap > b->max / 2) {
			ncap = b->max;
			break;
		}
		ncap *= 2;
	}
	/*
	 * Not realloc: a buffer may hold key material, and realloc could
	 * leave a copy of it behind in freed memory.
	 */
	if ((p = malloc(ncap)) == NULL) {
		b->err = 1;
		return -1;
	}
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
wbuf_put_bytes(struct wbuf *b, const void *p, size_t n)
{
	if (wbuf_need(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
wbuf_put_zero(struct wbuf *b, size_t n)
{
	if (wbuf_need(b, n) == -1)
		return -1;
	if (n > 0)
		memset(b->data + b->len, 0, n);
	b->len += n;
	return 0;
}

int
wbuf_put_u8(struct wbuf *b, uint8_t v)
{
	return wbuf_put_bytes(b, &v, 1);
}

int
wbuf_put_u16le(struct wbuf *b, uint16_t v)
{
	uint8_t p[2] = { v & 0xff, v >> 8 };

	return wbuf_put_bytes(b, p, sizeof(p));
}

int
wbuf_put_u32le(struct wbuf *b, uint32_t v)
{
	uint8_t p[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    v >> 24 };

	return wbuf_put_bytes(b, p, sizeof(p));
}

int
wbuf_put_u64le(struct wbuf *b, uint64_t v)
{
	if (wbuf_need(b, 8) == -1)
		return -1;
	wbuf_put_u32le(b, (uint32_t)v);
	return wbuf_put_u32le(b, (uint32_t)(v >> 32));
}

int
wbuf_put_u16be(struct wbuf *b, uint16_t v)
{
	uint8_t p[2] = { v >> 8, v & 0xff };

	return wbuf_put_bytes(b, p, sizeof(p));
}

int
wbuf_put_u32be(struct wbuf *b, uint32_t v)
{
	uint8_t p[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
	    v & 0xff };

	return wbuf_put_bytes(b, p, sizeof(p));
}

int
wbuf_put_u64be(struct wbuf *b, uint64_t v)
{
	if (wbuf_need(b, 8) == -1)
		return -1;
	wbuf_put_u32be(b, (uint32_t)(v >> 32));
	return wbuf_put_u32be(b, (uint32_t)v);
}

int
wbuf_align(struct wbuf *b, size_t align)
{
	size_t pad;

	if (align == 0 || (align & (align - 1)) != 0) {
		b->err = 1;
		return -1;
	}
	pad = (align - (b->len & (align - 1))) & (align - 1);
	return wbuf_put_zero(b, pad);
}

int
wbuf_reserve(struct wbuf *b, size_t n, size_t *off)
{
	*off = b->len;
	return wbuf_put_zero(b, n);
}

int
wbuf_set_bytes(struct wbuf *b, size_t off, const void *p, size_t n)
{
	if (b->err)
		return -1;
	if (off > b->len || n > b->len - off) {
		b->err = 1;
		errno = ERANGE;
		return -1;
	}
	if (n > 0)
		memcpy(b->data + off, p, n);
	return 0;
}

int
wbuf_set_u8(struct wbuf *b, size_t off, uint8_t v)
{
	return wbuf_set_bytes(b, off, &v, 1);
}

int
wbuf_set_u16le(struct wbuf *b, size_t off, uint16_t v)
{
	uint8_t p[2] = { v & 0xff, v >> 8 };

	return wbuf_set_bytes(b, off, p, sizeof(p));
}

int
wbuf_set_u32le(struct wbuf *b, size_t off, uint32_t v)
{
	uint8_t p[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    v >> 24 };

	return wbuf_set_bytes(b, off, p, sizeof(p));
}

int
wbuf_peek_u32le(const struct wbuf *b, size_t off, uint32_t *v)
{
	const uint8_t *p;

	*v = 0;
	if (b->err || off > b->len || 4 > b->len - off)
		return -1;
	p = b->data + off;
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
	return 0;
}

int
wbuf_set_u64le(struct wbuf *b, size_t off, uint64_t v)
{
	if (wbuf_set_u32le(b, off, (uint32_t)v) == -1)
		return -1;
	return wbuf_set_u32le(b, off + 4, (uint32_t)(v >> 32));
}

int
wbuf_set_u32be(struct wbuf *b, size_t off, uint32_t v)
{
	uint8_t p[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
	    v & 0xff };

	return wbuf_set_bytes(b, off, p, sizeof(p));
}
