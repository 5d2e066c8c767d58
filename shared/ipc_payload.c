/*
 * The payloads of logon, name lookup and usmbd-ctl messages
 * (ipc_payload.h).
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "ipc_payload.h"

/* A fixed-size string field: its bytes, then zeros up to len. */
static void
put_str(struct wbuf *w, const char *s, size_t len)
{
	size_t n = strnlen(s, len - 1);

	wbuf_put_bytes(w, s, n);
	wbuf_put_zero(w, len - n);
}

static void
get_str(struct rbuf *r, char *s, size_t len)
{
	rbuf_get_bytes(r, s, len);
	s[len - 1] = '\0';
}

/* The whole message was read, and nothing more was there. */
static int
get_done(const struct rbuf *r)
{
	return rbuf_error(r) || rbuf_left(r) != 0 ? -1 : 0;
}

void
ipc_put_auth_result(struct wbuf *w, const struct auth_result *a)
{
	size_t i;

	wbuf_put_u64le(w, a->session_id);
	wbuf_put_u32le(w, a->flags);
	wbuf_put_u32le(w, a->uid);
	wbuf_put_u32le(w, a->gid);
	wbuf_put_u32le(w, a->ngroups);
	for (i = 0; i < AUTH_MAX_GROUPS; i++)
		wbuf_put_u32le(w, i < a->ngroups ? a->groups[i] : 0);
	put_str(w, a->user, sizeof(a->user));
}

static int
get_auth_result(struct rbuf *r, struct auth_result *a)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	rbuf_get_u64le(r, &a->session_id);
	rbuf_get_u32le(r, &a->flags);
	rbuf_get_u32le(r, &a->uid);
	rbuf_get_u32le(r, &a->gid);
	rbuf_get_u32le(r, &a->ngroups);
	for (i = 0; i < AUTH_MAX_GROUPS; i++)
		rbuf_get_u32le(r, &a->groups[i]);
	get_str(r, a->user, sizeof(a->user));
	if (rbuf_error(r) || a->ngroups > AUTH_MAX_GROUPS)
		return -1;
	return 0;
}

int
ipc_get_auth_result(struct rbuf *r, struct auth_result *a)
{
	if (get_auth_result(r, a) == -1)
		return -1;
	return get_done(r);
}

void
ipc_put_auth_claim(struct wbuf *w, const struct auth_claim *c)
{
	wbuf_put_u64le(w, c->session_id);
	wbuf_put_u32le(w, c->flags);
	wbuf_put_u32le(w, 0);
	put_str(w, c->user, sizeof(c->user));
}

int
ipc_get_auth_claim(struct rbuf *r, struct auth_claim *c)
{
	memset(c, 0, sizeof(*c));
	rbuf_get_u64le(r, &c->session_id);
	rbuf_get_u32le(r, &c->flags);
	rbuf_get_u32le(r, &c->reserved);
	get_str(r, c->user, sizeof(c->user));
	return get_done(r);
}

void
ipc_put_auth_confirm(struct wbuf *w, const struct auth_confirm *c)
{
	wbuf_put_u64le(w, c->session_id);
	wbuf_put_u32le(w, c->status);
	wbuf_put_u32le(w, 0);
	ipc_put_auth_result(w, &c->result);
}

int
ipc_get_auth_confirm(struct rbuf *r, struct auth_confirm *c)
{
	memset(c, 0, sizeof(*c));
	rbuf_get_u64le(r, &c->session_id);
	rbuf_get_u32le(r, &c->status);
	rbuf_get_u32le(r, &c->reserved);
	if (get_auth_result(r, &c->result) == -1)
		return -1;
	return get_done(r);
}

void
ipc_put_names_msg(struct wbuf *w, const struct names_msg *m)
{
	const struct names_entry *e;
	size_t i;

	wbuf_put_u32le(w, m->seq);
	wbuf_put_u32le(w, m->count);
	for (i = 0; i < NAMES_MAX_ENTRIES; i++) {
		e = &m->ent[i];
		wbuf_put_u32le(w, e->kind);
		wbuf_put_u32le(w, e->id);
		wbuf_put_u32le(w, e->found);
		wbuf_put_u32le(w, 0);
		put_str(w, e->name, sizeof(e->name));
	}
}

int
ipc_get_names_msg(struct rbuf *r, struct names_msg *m)
{
	struct names_entry *e;
	size_t i;

	memset(m, 0, sizeof(*m));
	rbuf_get_u32le(r, &m->seq);
	rbuf_get_u32le(r, &m->count);
	for (i = 0; i < NAMES_MAX_ENTRIES; i++) {
		e = &m->ent[i];
		rbuf_get_u32le(r, &e->kind);
		rbuf_get_u32le(r, &e->id);
		rbuf_get_u32le(r, &e->found);
		rbuf_get_u32le(r, &e->reserved);
		get_str(r, e->name, sizeof(e->name));
	}
	if (m->count > NAMES_MAX_ENTRIES)
		return -1;
	return get_done(r);
}

void
ipc_put_session_info(struct wbuf *w, const struct session_info *si)
{
	size_t i;

	wbuf_put_u16le(w, si->dialect);
	wbuf_put_u8(w, si->signing_required);
	wbuf_put_u8(w, si->encrypt_required);
	wbuf_put_u8(w, si->cipher);
	wbuf_put_u8(w, si->nshares);
	wbuf_put_u16le(w, 0);
	for (i = 0; i < SESSION_INFO_MAX_SHARES; i++)
		put_str(w, si->shares[i], SESSION_INFO_SHARE_LEN);
}

/* No control character (C0, DEL) in a string for a terminal. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
ipc_get_session_info(struct rbuf *r, struct session_info *si)
{
	uint16_t reserved;
	size_t i;

	memset(si, 0, sizeof(*si));
	rbuf_get_u16le(r, &si->dialect);
	rbuf_get_u8(r, &si->signing_required);
	rbuf_get_u8(r, &si->encrypt_required);
	rbuf_get_u8(r, &si->cipher);
	rbuf_get_u8(r, &si->nshares);
	rbuf_get_u16le(r, &reserved);
	for (i = 0; i < SESSION_INFO_MAX_SHARES; i++)
		get_str(r, si->shares[i], SESSION_INFO_SHARE_LEN);
	if (si->nshares > SESSION_INFO_MAX_SHARES || si->signing_required > 1 ||
	    si->encrypt_required > 1 || si->cipher > 4)
		return -1;
	for (i = 0; i < si->nshares; i++)
		if (si->shares[i][0] == '\0' || !printable(si->shares[i]))
			return -1;
	return get_done(r);
}

/*
 * One UTF-8 character at s (len bytes left): its length, or 0 when the
 * bytes are not a well-formed character (overlong forms, surrogates and
 * values above U+10FFFF are not).
 */
static size_t
text_char(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		*cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		*cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		*cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Characters that would act on a terminal or reorder what it shows:
 * C0, DEL, C1 (an 8-bit CSI among them), the line and paragraph
 * separators, and the bidirectional marks, embeddings and isolates.
 */
static int
text_char_ok(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return 0;
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return 1;
}

static int
text_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (len > 0) {
		if ((n = text_char(p, len, &cp)) == 0 || !text_char_ok(cp))
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}

int
ipc_text_clean(char *dst, size_t dstlen, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t len = strlen(src), n, out = 0;
	uint32_t cp;

	if (dstlen == 0)
		return 1;
	while (len > 0) {
		if ((n = text_char(p, len, &cp)) == 0 || !text_char_ok(cp)) {
			/* The whole bad character, or one stray byte. */
			if (n == 0)
				n = 1;
			if (out + 1 >= dstlen)
				break;
			dst[out++] = '?';
		} else {
			if (out + n >= dstlen)
				break;
			memcpy(dst + out, p, n);
			out += n;
		}
		p += n;
		len -= n;
	}
	dst[out] = '\0';
	return len > 0;
}

void
ipc_put_files_q(struct wbuf *w, const struct session_files_q *q)
{
	wbuf_put_u32le(w, q->seq);
	wbuf_put_u32le(w, q->max);
	wbuf_put_u64le(w, q->close_id);
}

int
ipc_get_files_q(struct rbuf *r, struct session_files_q *q)
{
	memset(q, 0, sizeof(*q));
	rbuf_get_u32le(r, &q->seq);
	rbuf_get_u32le(r, &q->max);
	rbuf_get_u64le(r, &q->close_id);
	if (q->max > SESSION_FILES_MAX)
		return -1;
	return get_done(r);
}

void
ipc_put_files_hdr(struct wbuf *w, const struct session_files_hdr *h)
{
	wbuf_put_u32le(w, h->seq);
	wbuf_put_u32le(w, h->closed);
	wbuf_put_u32le(w, h->total);
	wbuf_put_u32le(w, h->n);
}

int
ipc_get_files_hdr(struct rbuf *r, struct session_files_hdr *h)
{
	memset(h, 0, sizeof(*h));
	rbuf_get_u32le(r, &h->seq);
	rbuf_get_u32le(r, &h->closed);
	rbuf_get_u32le(r, &h->total);
	rbuf_get_u32le(r, &h->n);
	if (rbuf_error(r) || h->closed > SESSION_CLOSE_BUSY ||
	    h->n > SESSION_FILES_MAX || h->n > h->total)
		return -1;
	return 0;
}

size_t
ipc_file_wire_len(const struct session_file *f)
{
	return SESSION_FILE_FIXED_LEN + strnlen(f->share,
	    sizeof(f->share) - 1) + strnlen(f->path, sizeof(f->path) - 1);
}

void
ipc_put_file(struct wbuf *w, const struct session_file *f)
{
	size_t slen = strnlen(f->share, sizeof(f->share) - 1);
	size_t plen = strnlen(f->path, sizeof(f->path) - 1);

	wbuf_put_u64le(w, f->id);
	wbuf_put_u32le(w, f->access);
	wbuf_put_u32le(w, f->share_access);
	wbuf_put_u8(w, f->flags);
	wbuf_put_u8(w, f->oplock);
	wbuf_put_u8(w, f->lease);
	wbuf_put_u8(w, (uint8_t)slen);
	wbuf_put_u16le(w, (uint16_t)plen);
	wbuf_put_bytes(w, f->share, slen);
	wbuf_put_bytes(w, f->path, plen);
}

/* An oplock level MS-SMB2 knows, and lease bits only with a lease. */
static int
file_caching_ok(const struct session_file *f)
{
	switch (f->oplock) {
	case 0x00:
	case 0x01:
	case 0x08:
	case 0x09:
		return f->lease == 0;
	case SESSION_FILE_OPLOCK_LEASE:
		return (f->lease & ~SESSION_FILE_LEASE_STATES) == 0;
	default:
		return 0;
	}
}

int
ipc_get_file(struct rbuf *r, struct session_file *f)
{
	uint8_t slen = 0;
	uint16_t plen = 0;

	memset(f, 0, sizeof(*f));
	rbuf_get_u64le(r, &f->id);
	rbuf_get_u32le(r, &f->access);
	rbuf_get_u32le(r, &f->share_access);
	rbuf_get_u8(r, &f->flags);
	rbuf_get_u8(r, &f->oplock);
	rbuf_get_u8(r, &f->lease);
	rbuf_get_u8(r, &slen);
	rbuf_get_u16le(r, &plen);
	if (rbuf_error(r) || slen == 0 || slen >= sizeof(f->share) ||
	    plen >= sizeof(f->path) || (f->flags & ~(SESSION_FILE_DIR |
	    SESSION_FILE_CUT | SESSION_FILE_BREAKING)) != 0 ||
	    !file_caching_ok(f))
		return -1;
	rbuf_get_bytes(r, f->share, slen);
	rbuf_get_bytes(r, f->path, plen);
	if (rbuf_error(r) || !text_ok(f->share, slen) ||
	    !text_ok(f->path, plen))
		return -1;
	f->share[slen] = '\0';
	f->path[plen] = '\0';
	return 0;
}
