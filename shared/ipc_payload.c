/*
 * The payloads of logon and name lookup messages (ipc_payload.h).
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
