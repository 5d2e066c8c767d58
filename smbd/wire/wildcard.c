/*
 * DOS wildcards for QUERY_DIRECTORY.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wildcard.h"
#include "unicode.h"
#include "util.h"

/*
 * One pattern against one name.  Star positions remember which name
 * offsets already failed, so that a pattern full of '*' costs at most
 * pattern length times name length steps instead of exponential
 * backtracking: a client's pattern must not stall the worker.
 */
struct wc {
	const char	*p, *n;
	size_t		 plen, nlen;
	uint8_t		*failed;	/* (plen + 1) x (nlen + 1) bits */
};

/* Length of the UTF-8 character at s (at least 1). */
static size_t
wc_charlen(const char *s, size_t left)
{
	size_t n = 1;

	while (n < left && ((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

/* Do two characters compare equal ignoring case? */
static int
wc_char_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	char ca[8], cb[8];

	if (alen == 1 && blen == 1) {
		int x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'a' && x <= 'z')
			x -= 'a' - 'A';
		if (y >= 'a' && y <= 'z')
			y -= 'a' - 'A';
		return x == y;
	}
	if (alen >= sizeof(ca) || blen >= sizeof(cb))
		return 0;
	memcpy(ca, a, alen);
	ca[alen] = '\0';
	memcpy(cb, b, blen);
	cb[blen] = '\0';
	return utf8_casecmp(ca, cb) == 0;
}

static int
wc_match(struct wc *w, size_t pi, size_t ni)
{
	const char *dot;
	size_t bit, k, kmax, pl, nl;

	for (; pi < w->plen; pi++) {
		switch (w->p[pi]) {
		case '*':
		case '<':
			bit = pi * (w->nlen + 1) + ni;
			if (w->failed[bit / 8] & (1U << (bit % 8)))
				return 0;
			/* DOS_STAR may run up to just past the last dot. */
			kmax = w->nlen;
			if (w->p[pi] == '<') {
				dot = memrchr(w->n + ni, '.', w->nlen - ni);
				if (dot != NULL)
					kmax = (size_t)(dot - w->n) + 1;
			}
			for (k = ni; k <= kmax; k++) {
				if (k < w->nlen &&
				    ((unsigned char)w->n[k] & 0xc0) == 0x80)
					continue;
				if (wc_match(w, pi + 1, k))
					return 1;
			}
			w->failed[bit / 8] |= (uint8_t)(1U << (bit % 8));
			return 0;
		case '>':
			if (ni == w->nlen || w->n[ni] == '.')
				continue;
			ni += wc_charlen(w->n + ni, w->nlen - ni);
			break;
		case '"':
			if (ni == w->nlen)
				continue;
			if (w->n[ni] != '.')
				return 0;
			ni++;
			break;
		case '?':
			if (ni == w->nlen)
				return 0;
			ni += wc_charlen(w->n + ni, w->nlen - ni);
			break;
		default:
			if (ni == w->nlen)
				return 0;
			pl = wc_charlen(w->p + pi, w->plen - pi);
			nl = wc_charlen(w->n + ni, w->nlen - ni);
			if (!wc_char_eq(w->p + pi, pl, w->n + ni, nl))
				return 0;
			pi += pl - 1;
			ni += nl;
			break;
		}
	}
	return ni == w->nlen;
}

/*
 * DOS wildcard matching (MS-FSA 2.1.4.4): '*' any run, '?' one
 * character, '<' (DOS_STAR) any run up to the last '.', '>' (DOS_QM) one
 * character or nothing before a '.' or the end, '"' (DOS_DOT) a '.' or
 * the end.  Case-insensitive, by Unicode character.
 */
int
smb2_wildcard_match(const char *p, const char *n)
{
	struct wc w;
	size_t bits;
	int rc;

	/* The common cases need no state. */
	if (strcmp(p, "*") == 0 || strcmp(p, "<") == 0)
		return 1;
	if (strpbrk(p, "*?<>\"") == NULL)
		return utf8_casecmp(p, n) == 0;
	w.p = p;
	w.n = n;
	w.plen = strlen(p);
	w.nlen = strlen(n);
	bits = (w.plen + 1) * (w.nlen + 1);
	w.failed = xcalloc(bits / 8 + 1, 1);
	rc = wc_match(&w, 0, 0);
	free(w.failed);
	return rc;
}
