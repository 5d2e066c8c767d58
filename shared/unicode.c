/*
 * UTF-8 <-> UTF-16LE conversion and case folding.
 *
 * Upper-casing uses a small table of its own rather than towupper(3), so
 * that it does not depend on the locale a program happens to run in: ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic, which covers what NTLM
 * user names and file names need in practice.  Other characters are left
 * as they are, which is also what Windows does for characters without a
 * simple upper-case mapping.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "unicode.h"
#include "util.h"

/* Decode one code point; returns its length or -1. */
static int
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	int n, i;

	if (len == 0)
		return -1;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
	} else
		return -1;
	if ((size_t)n > len)
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past Unicode are invalid. */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	return n;
}

static int
utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

int
utf8_to_utf16le(const char *s, size_t len, struct wbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	int n;

	while (len > 0) {
		if ((n = utf8_decode(p, len, &c)) == -1)
			return -1;
		p += n;
		len -= (size_t)n;
		if (c >= 0x10000) {
			c -= 0x10000;
			wbuf_put_u16le(out, (uint16_t)(0xd800 | (c >> 10)));
			wbuf_put_u16le(out, (uint16_t)(0xdc00 | (c & 0x3ff)));
		} else
			wbuf_put_u16le(out, (uint16_t)c);
	}
	return wbuf_error(out) ? -1 : 0;
}

int
utf16le_to_utf8(struct rbuf *in, size_t nbytes, char **out, size_t *outlen)
{
	char *buf;
	size_t o = 0, i;
	uint16_t u, lo;
	uint32_t c;

	*out = NULL;
	*outlen = 0;
	if (nbytes % 2 != 0 || nbytes > rbuf_left(in))
		return -1;
	/* Each UTF-16 unit becomes at most 3 bytes of UTF-8. */
	buf = xmalloc(nbytes / 2 * 3 + 1);
	for (i = 0; i < nbytes / 2; i++) {
		rbuf_get_u16le(in, &u);
		c = u;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 1 >= nbytes / 2 || rbuf_get_u16le(in, &lo) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff)
				goto bad;
			i++;
			c = 0x10000 + (((uint32_t)u - 0xd800) << 10) +
			    (lo - 0xdc00);
		} else if (u >= 0xdc00 && u <= 0xdfff)
			goto bad;
		if (c == 0)
			goto bad;
		o += (size_t)utf8_encode(c, buf + o);
	}
	if (rbuf_error(in))
		goto bad;
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return 0;
 bad:
	free(buf);
	return -1;
}

/* Simple upper-case mappings of the scripts the table covers. */
static uint32_t
unicode_upper(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 32;
	if (c < 0x80)
		return c;
	/* Latin-1 */
	if ((c >= 0xe0 && c <= 0xfe && c != 0xf7))
		return c - 32;
	if (c == 0xff)
		return 0x178;
	/* Latin Extended-A: pairs, upper case even (with two runs odd). */
	if (c >= 0x100 && c <= 0x137 && (c & 1))
		return c - 1;
	if (c >= 0x139 && c <= 0x148 && !(c & 1))
		return c - 1;
	if (c >= 0x14a && c <= 0x177 && (c & 1))
		return c - 1;
	if (c == 0x17a || c == 0x17c || c == 0x17e)
		return c - 1;
	/* Greek */
	if (c >= 0x3b1 && c <= 0x3c9 && c != 0x3c2)
		return c - 32;
	if (c == 0x3c2)
		return 0x3a3;
	/* Cyrillic */
	if (c >= 0x430 && c <= 0x44f)
		return c - 32;
	if (c >= 0x450 && c <= 0x45f)
		return c - 80;
	if (((c >= 0x461 && c <= 0x481) || (c >= 0x48b && c <= 0x4bf) ||
	    (c >= 0x4d1 && c <= 0x52f)) && (c & 1))
		return c - 1;
	/* Greek letters with tonos */
	if (c == 0x3ac)
		return 0x386;
	if (c >= 0x3ad && c <= 0x3af)
		return c - 37;
	if (c == 0x3cc)
		return 0x38c;
	if (c == 0x3cd || c == 0x3ce)
		return c - 63;
	/* Armenian */
	if (c >= 0x561 && c <= 0x586)
		return c - 48;
	/* Latin Extended Additional: pairs, upper case even. */
	if (((c >= 0x1e01 && c <= 0x1e95) || (c >= 0x1ea1 && c <= 0x1eff)) &&
	    (c & 1))
		return c - 1;
	/* Roman numerals, circled letters */
	if (c >= 0x2170 && c <= 0x217f)
		return c - 16;
	if (c >= 0x24d0 && c <= 0x24e9)
		return c - 26;
	/* Fullwidth Latin letters */
	if (c >= 0xff41 && c <= 0xff5a)
		return c - 32;
	return c;
}

int
utf8_upper(const char *in, char **out)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t len = strlen(in), o = 0;
	uint32_t c;
	char *buf;
	int n;

	/* An upper-case form is never more than one byte longer per char. */
	buf = xmalloc(len * 2 + 1);
	while (len > 0) {
		if ((n = utf8_decode(p, len, &c)) == -1) {
			free(buf);
			*out = NULL;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		o += (size_t)utf8_encode(unicode_upper(c), buf + o);
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

int
utf8_casecmp(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;
	size_t la = strlen(a), lb = strlen(b);
	uint32_t ca, cb;
	int na, nb;

	while (la > 0 && lb > 0) {
		na = utf8_decode(pa, la, &ca);
		nb = utf8_decode(pb, lb, &cb);
		/* Invalid bytes compare as themselves. */
		if (na == -1 || nb == -1) {
			if (*pa != *pb)
				return *pa < *pb ? -1 : 1;
			pa++, la--, pb++, lb--;
			continue;
		}
		ca = unicode_upper(ca);
		cb = unicode_upper(cb);
		if (ca != cb)
			return ca < cb ? -1 : 1;
		pa += na;
		la -= (size_t)na;
		pb += nb;
		lb -= (size_t)nb;
	}
	return la == lb ? 0 : la < lb ? -1 : 1;
}
