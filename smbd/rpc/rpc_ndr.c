/*
 * NDR32 (C706 chapter 14) and NDR64 (MS-RPCE 2.2.5) over struct rbuf /
 * wbuf: little-endian primitives aligned to their size, unique pointers as
 * referent ids, conformant varying UTF-16 strings, RPC_UNICODE_STRING and
 * RPC_SID (MS-DTYP 2.3.10, 2.4.2.3).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rpc_int.h"
#include "unicode.h"

void
ndr_in_init(struct ndr_in *in, const uint8_t *data, size_t len, int ndr64)
{
	rbuf_init(&in->r, data, len);
	in->ndr64 = ndr64;
}

/* The alignment of a pointer, and of a structure that holds one. */
static size_t
ndr_palign(int ndr64)
{
	return ndr64 ? 8 : 4;
}

int
ndr_get_u8(struct ndr_in *in, uint8_t *v)
{
	return rbuf_get_u8(&in->r, v);
}

int
ndr_get_u16(struct ndr_in *in, uint16_t *v)
{
	if (rbuf_align(&in->r, 2) == -1)
		return -1;
	return rbuf_get_u16le(&in->r, v);
}

int
ndr_get_u32(struct ndr_in *in, uint32_t *v)
{
	if (rbuf_align(&in->r, 4) == -1)
		return -1;
	return rbuf_get_u32le(&in->r, v);
}

static int
ndr_get_u64(struct ndr_in *in, uint64_t *v)
{
	if (rbuf_align(&in->r, 8) == -1)
		return -1;
	return rbuf_get_u64le(&in->r, v);
}

int
ndr_get_enum(struct ndr_in *in, uint16_t *v)
{
	uint32_t v32;

	if (!in->ndr64)
		return ndr_get_u16(in, v);
	/* MS-RPCE 2.2.5.2: a signed long; NDR32 has room for 16 bits. */
	if (ndr_get_u32(in, &v32) == -1 || v32 > 0xffff)
		return -1;
	*v = (uint16_t)v32;
	return 0;
}

int
ndr_get_count(struct ndr_in *in, uint32_t *v)
{
	uint64_t v64;

	if (!in->ndr64)
		return ndr_get_u32(in, v);
	if (ndr_get_u64(in, &v64) == -1 || v64 > UINT32_MAX)
		return -1;
	*v = (uint32_t)v64;
	return 0;
}

int
ndr_get_ptr(struct ndr_in *in, uint32_t *ref)
{
	uint64_t v64;

	if (!in->ndr64)
		return ndr_get_u32(in, ref);
	if (ndr_get_u64(in, &v64) == -1)
		return -1;
	/* Only presence matters; keep a nonzero id nonzero. */
	*ref = v64 == 0 ? 0 : (uint32_t)v64 != 0 ? (uint32_t)v64 : 1;
	return 0;
}

int
ndr_get_struct(struct ndr_in *in)
{
	return rbuf_align(&in->r, ndr_palign(in->ndr64));
}

int
ndr_get_trail(struct ndr_in *in)
{
	return in->ndr64 ? rbuf_align(&in->r, 8) : 0;
}

int
ndr_get_union(struct ndr_in *in)
{
	return in->ndr64 ? rbuf_align(&in->r, 8) : 0;
}

/*
 * Read n UTF-16 units as UTF-8.  The string ends at its first NUL, as
 * the server's C strings would (clients pad names with NULs).
 */
static int
ndr_utf16(struct ndr_in *in, uint32_t n, char **out)
{
	struct rbuf s;
	const uint8_t *p;
	size_t olen, i;

	*out = NULL;
	if (rbuf_take(&in->r, (size_t)n * 2, &s) == -1)
		return -1;
	p = s.data;
	for (i = 0; i < n; i++)
		if (p[2 * i] == 0 && p[2 * i + 1] == 0)
			break;
	if (utf16le_to_utf8(&s, i * 2, out, &olen) == -1)
		return -1;
	return 0;
}

int
ndr_get_wstr(struct ndr_in *in, size_t max, char **out)
{
	uint32_t maxcount, offset, actual;

	*out = NULL;
	if (ndr_get_count(in, &maxcount) == -1 ||
	    ndr_get_count(in, &offset) == -1 ||
	    ndr_get_count(in, &actual) == -1)
		return -1;
	/* C706 14.3.3.4: the varying part lies within the conformance. */
	if (offset != 0 || actual > maxcount || actual > max)
		return -1;
	return ndr_utf16(in, actual, out);
}

int
ndr_get_wstr_ptr(struct ndr_in *in, size_t max, char **out)
{
	uint32_t ref;

	*out = NULL;
	if (ndr_get_ptr(in, &ref) == -1)
		return -1;
	if (ref == 0)
		return 0;
	return ndr_get_wstr(in, max, out);
}

int
ndr_get_ustr_hdr(struct ndr_in *in, uint16_t *len, uint16_t *maxlen,
    uint32_t *ref)
{
	/* The structure holds a pointer: it is aligned like one. */
	if (ndr_get_struct(in) == -1 || ndr_get_u16(in, len) == -1 ||
	    ndr_get_u16(in, maxlen) == -1 || ndr_get_ptr(in, ref) == -1)
		return -1;
	/* MS-DTYP 2.3.10: even lengths, Length within MaximumLength. */
	if ((*len & 1) != 0 || *len > *maxlen)
		return -1;
	return 0;
}

int
ndr_get_ustr_body(struct ndr_in *in, uint16_t len, uint16_t maxlen,
    char **out)
{
	uint32_t maxcount, offset, actual;

	*out = NULL;
	if (ndr_get_count(in, &maxcount) == -1 ||
	    ndr_get_count(in, &offset) == -1 ||
	    ndr_get_count(in, &actual) == -1)
		return -1;
	if (offset != 0 || actual > maxcount || actual != len / 2u ||
	    maxcount != maxlen / 2u)
		return -1;
	return ndr_utf16(in, actual, out);
}

int
ndr_get_sid(struct ndr_in *in, struct rpc_sid *sid)
{
	uint32_t count;
	uint8_t rev, nsub, ia[6];
	int i;

	memset(sid, 0, sizeof(*sid));
	if (ndr_get_count(in, &count) == -1 || rbuf_get_u8(&in->r, &rev) == -1 ||
	    rbuf_get_u8(&in->r, &nsub) == -1 ||
	    rbuf_get_bytes(&in->r, ia, 6) == -1)
		return -1;
	/* MS-DTYP 2.4.2.3: revision 1, at most 15 sub-authorities. */
	if (rev != 1 || nsub != count || nsub > RPC_SID_MAX_SUB ||
	    ia[0] != 0 || ia[1] != 0 || ia[2] != 0 || ia[3] != 0 ||
	    ia[4] != 0)
		return -1;
	sid->auth = ia[5];
	sid->nsub = nsub;
	for (i = 0; i < nsub; i++)
		if (ndr_get_u32(in, &sid->sub[i]) == -1)
			return -1;
	return 0;
}

int
ndr_get_handle(struct ndr_in *in, uint8_t h[20])
{
	if (rbuf_align(&in->r, 4) == -1)
		return -1;
	return rbuf_get_bytes(&in->r, h, 20);
}

void
ndr_out_init(struct ndr_out *o, struct wbuf *w, int ndr64)
{
	o->w = w;
	/* Referent ids are opaque; Windows starts at 0x20000. */
	o->ref = 0x00020000;
	o->ndr64 = ndr64;
}

int
ndr_put_u8(struct ndr_out *o, uint8_t v)
{
	return wbuf_put_u8(o->w, v);
}

int
ndr_put_u16(struct ndr_out *o, uint16_t v)
{
	if (wbuf_align(o->w, 2) == -1)
		return -1;
	return wbuf_put_u16le(o->w, v);
}

int
ndr_put_u32(struct ndr_out *o, uint32_t v)
{
	if (wbuf_align(o->w, 4) == -1)
		return -1;
	return wbuf_put_u32le(o->w, v);
}

static int
ndr_put_u64(struct ndr_out *o, uint64_t v)
{
	if (wbuf_align(o->w, 8) == -1)
		return -1;
	return wbuf_put_u64le(o->w, v);
}

int
ndr_put_enum(struct ndr_out *o, uint16_t v)
{
	return o->ndr64 ? ndr_put_u32(o, v) : ndr_put_u16(o, v);
}

int
ndr_put_count(struct ndr_out *o, uint32_t v)
{
	return o->ndr64 ? ndr_put_u64(o, v) : ndr_put_u32(o, v);
}

int
ndr_put_zero(struct ndr_out *o, size_t n)
{
	return wbuf_put_zero(o->w, n);
}

int
ndr_put_ptr(struct ndr_out *o, int present)
{
	uint32_t ref = 0;

	if (present) {
		o->ref += 4;
		ref = o->ref;
	}
	return o->ndr64 ? ndr_put_u64(o, ref) : ndr_put_u32(o, ref);
}

int
ndr_put_struct(struct ndr_out *o)
{
	return wbuf_align(o->w, ndr_palign(o->ndr64));
}

int
ndr_put_trail(struct ndr_out *o)
{
	return o->ndr64 ? wbuf_align(o->w, 8) : 0;
}

int
ndr_put_union(struct ndr_out *o)
{
	return o->ndr64 ? wbuf_align(o->w, 8) : 0;
}

/* UTF-16 of s appended to a scratch buffer; the unit count in *n. */
static int
ndr_to_utf16(const char *s, struct wbuf *tmp, size_t *n)
{
	wbuf_init(tmp, 1 << 16);
	if (utf8_to_utf16le(s, strlen(s), tmp) == -1) {
		wbuf_free(tmp);
		return -1;
	}
	*n = wbuf_len(tmp) / 2;
	return 0;
}

int
ndr_put_wstr(struct ndr_out *o, const char *s)
{
	struct wbuf tmp;
	size_t n;
	int rv;

	if (ndr_to_utf16(s, &tmp, &n) == -1)
		return -1;
	ndr_put_count(o, (uint32_t)n + 1);
	ndr_put_count(o, 0);
	ndr_put_count(o, (uint32_t)n + 1);
	wbuf_put_bytes(o->w, wbuf_data(&tmp), wbuf_len(&tmp));
	rv = wbuf_put_u16le(o->w, 0);
	wbuf_free(&tmp);
	return rv;
}

int
ndr_put_ustr_hdr(struct ndr_out *o, const char *s)
{
	struct wbuf tmp;
	size_t n;

	/* The structure holds a pointer: it is aligned like one. */
	ndr_put_struct(o);
	if (s == NULL) {
		ndr_put_u16(o, 0);
		ndr_put_u16(o, 0);
		return ndr_put_ptr(o, 0);
	}
	if (ndr_to_utf16(s, &tmp, &n) == -1)
		return -1;
	wbuf_free(&tmp);
	if (n * 2 > 0xfffe)
		return -1;
	ndr_put_u16(o, (uint16_t)(n * 2));
	ndr_put_u16(o, (uint16_t)(n * 2));
	return ndr_put_ptr(o, 1);
}

int
ndr_put_ustr_body(struct ndr_out *o, const char *s)
{
	struct wbuf tmp;
	size_t n;
	int rv;

	if (s == NULL)
		return 0;
	if (ndr_to_utf16(s, &tmp, &n) == -1)
		return -1;
	ndr_put_count(o, (uint32_t)n);
	ndr_put_count(o, 0);
	ndr_put_count(o, (uint32_t)n);
	rv = wbuf_put_bytes(o->w, wbuf_data(&tmp), wbuf_len(&tmp));
	wbuf_free(&tmp);
	return rv;
}

int
ndr_put_sid(struct ndr_out *o, const struct rpc_sid *sid)
{
	static const uint8_t ia[5];
	int i;

	/* The conformance first, then the structure (aligned to 4). */
	ndr_put_count(o, sid->nsub);
	wbuf_put_u8(o->w, 1);
	wbuf_put_u8(o->w, sid->nsub);
	wbuf_put_bytes(o->w, ia, sizeof(ia));
	wbuf_put_u8(o->w, sid->auth);
	for (i = 0; i < sid->nsub; i++)
		wbuf_put_u32le(o->w, sid->sub[i]);
	return wbuf_error(o->w) ? -1 : 0;
}

int
ndr_put_handle(struct ndr_out *o, const uint8_t h[20])
{
	if (wbuf_align(o->w, 4) == -1)
		return -1;
	return wbuf_put_bytes(o->w, h, 20);
}

int
rpc_sid_eq(const struct rpc_sid *a, const struct rpc_sid *b)
{
	return a->auth == b->auth && a->nsub == b->nsub &&
	    memcmp(a->sub, b->sub, a->nsub * sizeof(a->sub[0])) == 0;
}

int
rpc_sid_in(const struct rpc_sid *sid, const struct rpc_sid *dom,
    uint32_t *rid)
{
	if (sid->auth != dom->auth || sid->nsub != dom->nsub + 1 ||
	    memcmp(sid->sub, dom->sub, dom->nsub * sizeof(dom->sub[0])) != 0)
		return 0;
	*rid = sid->sub[dom->nsub];
	return 1;
}

void
rpc_sid_make(struct rpc_sid *sid, uint8_t auth, int nsub, ...)
{
	va_list ap;
	int i;

	memset(sid, 0, sizeof(*sid));
	sid->auth = auth;
	sid->nsub = (uint8_t)nsub;
	va_start(ap, nsub);
	for (i = 0; i < nsub; i++)
		sid->sub[i] = va_arg(ap, uint32_t);
	va_end(ap);
}

void
rpc_sid_domain(const struct rpc_ctx *ctx, struct rpc_sid *sid)
{
	rpc_sid_make(sid, 5, 4, (uint32_t)21, ctx->domain_sub[0],
	    ctx->domain_sub[1], ctx->domain_sub[2]);
}

void
rpc_sid_str(const struct rpc_sid *sid, char *buf, size_t len)
{
	size_t off;
	int i, n;

	n = snprintf(buf, len, "S-1-%u", sid->auth);
	for (i = 0; i < sid->nsub && n > 0 && (size_t)n < len; i++) {
		off = (size_t)n;
		n += snprintf(buf + off, len - off, "-%u", sid->sub[i]);
	}
}
