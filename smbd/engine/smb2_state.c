/*
 * The connection state usmbd-preauth hands to usmbd-session through the
 * master: negotiated parameters, the credit window and the sessions with
 * their keys.  The master passes it on without looking (invariant 1); the
 * session worker parses it only after it has become the user and entered
 * its sandbox, and trusts it no more than a client message.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "util.h"

#define SMB2_STATE_MAGIC	0x55535332U	/* "USS2" */
#define SMB2_STATE_MAX_DIALECTS	64

int
smb2_state_export(struct smb2_conn *c, struct wbuf *w)
{
	struct smb2_session *s;
	uint16_t n = 0;
	size_t i;

	wbuf_put_u32le(w, SMB2_STATE_MAGIC);
	wbuf_put_u16le(w, c->nres.dialect);
	wbuf_put_u16le(w, c->nres.client_security_mode);
	wbuf_put_u32le(w, c->nres.client_capabilities);
	wbuf_put_bytes(w, c->nres.client_guid, 16);
	wbuf_put_u16le(w, c->nres.server_security_mode);
	wbuf_put_u32le(w, c->nres.server_capabilities);
	wbuf_put_bytes(w, c->nres.server_guid, 16);
	wbuf_put_u16le(w, (uint16_t)c->nres.cipher);
	wbuf_put_u16le(w, (uint16_t)c->nres.signalg);
	wbuf_put_u8(w, (uint8_t)c->nres.signalg_negotiated);
	wbuf_put_u16le(w, (uint16_t)c->nres.nclient_dialects);
	for (i = 0; i < c->nres.nclient_dialects; i++)
		wbuf_put_u16le(w, c->nres.client_dialects[i]);
	/*
	 * The connection's hash after NEGOTIATE (3.1.1): a later session
	 * set up in the worker starts from it (MS-SMB2 3.3.5.5).
	 */
	wbuf_put_bytes(w, c->preauth_hash, sizeof(c->preauth_hash));
	smb2_credits_export(&c->credits, w);
	TAILQ_FOREACH(s, &c->sessions, entry)
		if (s->state == SESS_VALID)
			n++;
	wbuf_put_u16le(w, n);
	TAILQ_FOREACH(s, &c->sessions, entry) {
		if (s->state != SESS_VALID)
			continue;
		wbuf_put_u64le(w, s->id);
		wbuf_put_u32le(w, s->flags);
		wbuf_put_u32le(w, s->uid);
		wbuf_put_u8(w, (uint8_t)s->signing_required);
		wbuf_put_u8(w, (uint8_t)s->encrypt_data);
		wbuf_put_u8(w, (uint8_t)s->session_key_len);
		wbuf_put_bytes(w, s->session_key, s->session_key_len);
		wbuf_put_bytes(w, s->preauth_hash, sizeof(s->preauth_hash));
		/* CLOCK_MONOTONIC is the same in every process. */
		wbuf_put_u64le(w, s->expires_ms);
		wbuf_put_u64le(w, s->prev_id);
	}
	return wbuf_error(w) ? -1 : 0;
}

int
smb2_state_import(struct smb2_conn *c, const uint8_t *data, size_t len)
{
	struct smb2_session *s;
	struct rbuf r;
	uint32_t magic;
	uint16_t cipher, signalg, ndialects, nsess, i;
	uint8_t u8, keylen;

	rbuf_init(&r, data, len);
	rbuf_get_u32le(&r, &magic);
	rbuf_get_u16le(&r, &c->nres.dialect);
	rbuf_get_u16le(&r, &c->nres.client_security_mode);
	rbuf_get_u32le(&r, &c->nres.client_capabilities);
	rbuf_get_bytes(&r, c->nres.client_guid, 16);
	rbuf_get_u16le(&r, &c->nres.server_security_mode);
	rbuf_get_u32le(&r, &c->nres.server_capabilities);
	rbuf_get_bytes(&r, c->nres.server_guid, 16);
	rbuf_get_u16le(&r, &cipher);
	rbuf_get_u16le(&r, &signalg);
	rbuf_get_u8(&r, &u8);
	c->nres.signalg_negotiated = u8;
	rbuf_get_u16le(&r, &ndialects);
	if (rbuf_error(&r) || magic != SMB2_STATE_MAGIC ||
	    ndialects > nitems(c->nres.client_dialects) ||
	    cipher > SMB2_CIPHER_AES256_GCM || signalg > SMB2_SIGN_AES_GMAC)
		return -1;
	switch (c->nres.dialect) {
	case SMB2_DIALECT_202:
	case SMB2_DIALECT_210:
	case SMB2_DIALECT_300:
	case SMB2_DIALECT_302:
	case SMB2_DIALECT_311:
		break;
	default:
		return -1;
	}
	c->nres.cipher = (enum smb2_cipher)cipher;
	c->nres.signalg = (enum smb2_signalg)signalg;
	c->nres.nclient_dialects = ndialects;
	for (i = 0; i < ndialects; i++)
		rbuf_get_u16le(&r, &c->nres.client_dialects[i]);
	rbuf_get_bytes(&r, c->preauth_hash, sizeof(c->preauth_hash));
	smb2_credits_free(&c->credits);
	if (smb2_credits_import(&c->credits, &r,
	    c->conf->g.smb2_max_credits) == -1)
		return -1;
	rbuf_get_u16le(&r, &nsess);
	if (rbuf_error(&r) || nsess == 0 || nsess > 64)
		return -1;
	for (i = 0; i < nsess; i++) {
		s = smb2_session_new(c);
		rbuf_get_u64le(&r, &s->id);
		rbuf_get_u32le(&r, &s->flags);
		rbuf_get_u32le(&r, &s->uid);
		rbuf_get_u8(&r, &u8);
		s->signing_required = u8 != 0;
		rbuf_get_u8(&r, &u8);
		s->encrypt_data = u8 != 0;
		rbuf_get_u8(&r, &keylen);
		if (keylen > sizeof(s->session_key))
			return -1;
		rbuf_get_bytes(&r, s->session_key, keylen);
		s->session_key_len = keylen;
		rbuf_get_bytes(&r, s->preauth_hash, sizeof(s->preauth_hash));
		rbuf_get_u64le(&r, &s->expires_ms);
		rbuf_get_u64le(&r, &s->prev_id);
		if (rbuf_error(&r))
			return -1;
		s->state = SESS_VALID;
		if (!(s->flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS)) &&
		    smb2_session_setup_keys(c, s) == -1)
			return -1;
	}
	if (rbuf_left(&r) != 0)
		return -1;
	c->negotiated = 1;
	return 0;
}
