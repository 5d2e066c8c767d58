/*
 * Wire structures of the file-system controls (MS-SMB2 2.2.31.1,
 * 2.2.32.1, 2.2.32.3; MS-FSCC 2.3): parsers of untrusted input buffers
 * and encoders of output buffers, free of any file system state.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "fsctl_wire.h"
#include "unicode.h"

#define FSCTL_INT64_MAX	0x7fffffffffffffffULL

int
fsctl_copychunk_parse(const struct rbuf *in, struct fsctl_copychunk *cc)
{
	struct rbuf r = *in;
	uint32_t reserved;

	memset(cc, 0, sizeof(*cc));
	rbuf_seek(&r, 0);
	rbuf_get_bytes(&r, cc->key, sizeof(cc->key));
	rbuf_get_u32le(&r, &cc->nchunks);
	rbuf_get_u32le(&r, &reserved);
	if (rbuf_error(&r))
		return -1;
	/*
	 * The array must be as long as ChunkCount says; the count is
	 * bounded by the input length, so the product cannot overflow
	 * on a 64-bit size_t, and is checked on a 32-bit one.
	 */
	if ((size_t)cc->nchunks > rbuf_left(&r) / FSCTL_COPYCHUNK_CHUNK_LEN)
		return -1;
	if (rbuf_take(&r, (size_t)cc->nchunks * FSCTL_COPYCHUNK_CHUNK_LEN,
	    &cc->chunks) == -1)
		return -1;
	return 0;
}

int
fsctl_copychunk_get(const struct fsctl_copychunk *cc, uint32_t i,
    struct fsctl_chunk *ch)
{
	struct rbuf r;
	uint32_t reserved;

	memset(ch, 0, sizeof(*ch));
	if (i >= cc->nchunks || rbuf_sub(&cc->chunks,
	    (size_t)i * FSCTL_COPYCHUNK_CHUNK_LEN, FSCTL_COPYCHUNK_CHUNK_LEN,
	    &r) == -1)
		return -1;
	rbuf_get_u64le(&r, &ch->src_off);
	rbuf_get_u64le(&r, &ch->dst_off);
	rbuf_get_u32le(&r, &ch->len);
	rbuf_get_u32le(&r, &reserved);
	return rbuf_error(&r) ? -1 : 0;
}

int
fsctl_copychunk_check(const struct fsctl_copychunk *cc)
{
	struct fsctl_chunk ch;
	uint64_t total = 0;
	uint32_t i;

	if (cc->nchunks > FSCTL_COPYCHUNK_MAX_CHUNKS)
		return -1;
	for (i = 0; i < cc->nchunks; i++) {
		if (fsctl_copychunk_get(cc, i, &ch) == -1)
			return -1;
		if (ch.len == 0 || ch.len > FSCTL_COPYCHUNK_MAX_CHUNK_SIZE)
			return -1;
		/* Offsets past the signed range no file can reach. */
		if (ch.src_off > FSCTL_INT64_MAX - ch.len ||
		    ch.dst_off > FSCTL_INT64_MAX - ch.len)
			return -1;
		total += ch.len;
	}
	return total > FSCTL_COPYCHUNK_MAX_DATA_SIZE ? -1 : 0;
}

void
fsctl_copychunk_resp(struct wbuf *w, uint32_t chunks, uint32_t chunk_bytes,
    uint32_t total)
{
	wbuf_put_u32le(w, chunks);
	wbuf_put_u32le(w, chunk_bytes);
	wbuf_put_u32le(w, total);
}

void
fsctl_resume_key_resp(struct wbuf *w, const uint8_t key[FSCTL_RESUME_KEY_LEN])
{
	wbuf_put_bytes(w, key, FSCTL_RESUME_KEY_LEN);
	wbuf_put_u32le(w, 0);		/* ContextLength */
	wbuf_put_u32le(w, 0);		/* Context, reserved */
}

/* FileOffset and a length, both within the signed 64-bit range. */
static int
fsctl_range_parse(const struct rbuf *in, uint64_t *a, uint64_t *b)
{
	struct rbuf r = *in;

	rbuf_seek(&r, 0);
	rbuf_get_u64le(&r, a);
	rbuf_get_u64le(&r, b);
	if (rbuf_error(&r))
		return -1;
	if (*a > FSCTL_INT64_MAX || *b > FSCTL_INT64_MAX)
		return -1;
	return 0;
}

int
fsctl_qar_parse(const struct rbuf *in, struct fsctl_range *rg)
{
	memset(rg, 0, sizeof(*rg));
	if (fsctl_range_parse(in, &rg->off, &rg->len) == -1)
		return -1;
	if (rg->off > FSCTL_INT64_MAX - rg->len)
		return -1;
	return 0;
}

void
fsctl_range_put(struct wbuf *w, uint64_t off, uint64_t len)
{
	wbuf_put_u64le(w, off);
	wbuf_put_u64le(w, len);
}

int
fsctl_zero_data_parse(const struct rbuf *in, struct fsctl_range *rg)
{
	uint64_t off, beyond;

	memset(rg, 0, sizeof(*rg));
	if (fsctl_range_parse(in, &off, &beyond) == -1)
		return -1;
	if (off > beyond)
		return -1;
	rg->off = off;
	rg->len = beyond - off;
	return 0;
}

int
fsctl_set_sparse_parse(const struct rbuf *in)
{
	struct rbuf r = *in;
	uint8_t v;

	rbuf_seek(&r, 0);
	if (rbuf_get_u8(&r, &v) == -1)
		return 1;
	return v != 0;
}

int
fsctl_compression_parse(const struct rbuf *in, uint16_t *fmt)
{
	struct rbuf r = *in;

	rbuf_seek(&r, 0);
	return rbuf_get_u16le(&r, fmt);
}

int
fsctl_trim_parse(const struct rbuf *in, struct fsctl_trim *t)
{
	struct rbuf r = *in;

	memset(t, 0, sizeof(*t));
	rbuf_seek(&r, 0);
	rbuf_get_u32le(&r, &t->key);
	rbuf_get_u32le(&r, &t->nranges);
	if (rbuf_error(&r))
		return -1;
	if ((size_t)t->nranges > rbuf_left(&r) / FSCTL_RANGE_LEN)
		return -1;
	return rbuf_take(&r, (size_t)t->nranges * FSCTL_RANGE_LEN,
	    &t->ranges);
}

int
fsctl_trim_get(const struct fsctl_trim *t, uint32_t i, struct fsctl_range *rg)
{
	struct rbuf r;

	memset(rg, 0, sizeof(*rg));
	if (i >= t->nranges || rbuf_sub(&t->ranges, (size_t)i *
	    FSCTL_RANGE_LEN, FSCTL_RANGE_LEN, &r) == -1)
		return -1;
	rbuf_get_u64le(&r, &rg->off);
	rbuf_get_u64le(&r, &rg->len);
	return rbuf_error(&r) ? -1 : 0;
}

/*
 * REPARSE_DATA_BUFFER with the symbolic link reparse data (MS-FSCC
 * 2.1.2.4): the substitute name and the print name are the same path
 * with '\' separators; a target not starting with '/' is relative.
 */
int
fsctl_symlink_reparse(struct wbuf *w, const char *target)
{
	struct wbuf name;
	size_t nlen, i, len = strlen(target);
	uint8_t *p;
	int relative = target[0] != '/';

	wbuf_init(&name, 0xfff0 / 2);
	if (utf8_to_utf16le(target, len, &name) == -1) {
		wbuf_free(&name);
		return -1;
	}
	nlen = wbuf_len(&name);
	p = wbuf_data(&name);
	for (i = 0; i + 1 < nlen; i += 2)
		if (p[i] == '/' && p[i + 1] == 0)
			p[i] = '\\';
	/* Both names, and the 12 bytes before the path buffer. */
	if (12 + 2 * nlen > 0xffff) {
		wbuf_free(&name);
		return -1;
	}
	wbuf_put_u32le(w, IO_REPARSE_TAG_SYMLINK);
	wbuf_put_u16le(w, (uint16_t)(12 + 2 * nlen));	/* ReparseDataLength */
	wbuf_put_u16le(w, 0);				/* Reserved */
	wbuf_put_u16le(w, 0);				/* SubstituteNameOffset */
	wbuf_put_u16le(w, (uint16_t)nlen);
	wbuf_put_u16le(w, (uint16_t)nlen);		/* PrintNameOffset */
	wbuf_put_u16le(w, (uint16_t)nlen);
	wbuf_put_u32le(w, relative ? SYMLINK_FLAG_RELATIVE : 0);
	wbuf_put_bytes(w, wbuf_data(&name), nlen);
	wbuf_put_bytes(w, wbuf_data(&name), nlen);
	wbuf_free(&name);
	return wbuf_error(w) ? -1 : 0;
}

void
fsctl_objectid_put(struct wbuf *w, uint64_t dev, uint64_t ino)
{
	wbuf_put_u64le(w, ino);		/* ObjectId */
	wbuf_put_u64le(w, dev);
	wbuf_put_u64le(w, dev);		/* BirthVolumeId */
	wbuf_put_u64le(w, 0);
	wbuf_put_u64le(w, ino);		/* BirthObjectId */
	wbuf_put_u64le(w, dev);
	wbuf_put_zero(w, 16);		/* DomainId */
}
