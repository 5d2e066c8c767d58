/*
 * The client side of a logon for usmbd-loadgen: SMB2 NEGOTIATE with the
 * 3.1.1 negotiate contexts (MS-SMB2 2.2.3, 3.2.4.2.2.2, 3.2.5.2), NTLMv2
 * (MS-NLMP 3.1.5.1, 3.3.2) inside SPNEGO (RFC 4178, MS-SPNG) in two
 * SESSION_SETUP round trips (3.2.4.2.3, 3.2.5.3), the session's keys
 * (3.2.5.3.1) and TREE_CONNECT (3.2.4.2.4).
 *
 * The cryptography is the server's own (smbd/engine/smb2_crypto.c,
 * authd/ntlm_crypto.c, shared/md4.c), and so is the SPNEGO NegTokenResp
 * encoder and token parser (authd/spnego.c); what is here is the client's
 * half of the exchange, which the server does not have.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "log.h"
#include "md4.h"
#include "ntlm_crypto.h"
#include "ntlmssp.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_crypto.h"
#include "smb2_hdr.h"
#include "spnego.h"
#include "unicode.h"
#include "util.h"

#include "loadgen.h"

#define SESSION_FLAG_IS_GUEST		0x0001
#define SESSION_FLAG_IS_NULL		0x0002
#define SESSION_FLAG_ENCRYPT_DATA	0x0004
#define SHAREFLAG_ENCRYPT_DATA		0x00008000

/* The NTLMSSP flags this client asks for (MS-NLMP 2.2.2.5). */
#define LG_NTLM_FLAGS	(NTLMSSP_NEGOTIATE_UNICODE |			\
	NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |		\
	NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |	\
	NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |			\
	NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 |		\
	NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56)

/* Fixed parts of the NTLMSSP messages (MS-NLMP 2.2.1). */
#define NTLM_NEGOTIATE_LEN	40
#define NTLM_AUTH_FIXED		88	/* through the MIC */
#define NTLM_CHAL_FLAGS		20
#define NTLM_CHAL_CHALLENGE	24
#define NTLM_CHAL_TARGETINFO	40
#define LG_WORKSTATION		"LOADGEN"

static const uint8_t ntlmssp_sig[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };
/* Windows 10 2004, NTLMSSP_REVISION_W2K3 (MS-NLMP 2.2.2.10). */
static const uint8_t ntlm_version[8] = { 10, 0, 0x61, 0x4a, 0, 0, 0, 0x0f };
/* 1.3.6.1.5.5.2 (SPNEGO) and 1.3.6.1.4.1.311.2.2.10 (NTLMSSP). */
static const uint8_t oid_spnego[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
static const uint8_t oid_ntlm[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82,
	0x37, 0x02, 0x02, 0x0a };

/* The state of one NTLM exchange on the client side. */
struct ntlm_client {
	uint8_t		 negotiate[NTLM_NEGOTIATE_LEN];
	uint8_t		 exported[16];	/* the SMB2 session key */
	uint32_t	 flags;
};

/* NEGOTIATE. */

/* One negotiate context: type, length, data, padded to 8 (2.2.3.1). */
static void
neg_context(struct wbuf *w, size_t hdr, uint16_t type, const struct wbuf *d)
{
	wbuf_put_zero(w, (8 - (wbuf_len(w) - hdr) % 8) % 8);
	wbuf_put_u16le(w, type);
	wbuf_put_u16le(w, (uint16_t)wbuf_len(d));
	wbuf_put_u32le(w, 0);
	wbuf_put_bytes(w, wbuf_data(d), wbuf_len(d));
}

static void
neg_contexts(struct lg_conn *c, struct wbuf *w, size_t hdr, size_t offpos)
{
	uint8_t salt[SMB2_PREAUTH_SALT_LEN], d[64];
	struct wbuf v;

	wbuf_put_zero(w, (8 - (wbuf_len(w) - hdr) % 8) % 8);
	wbuf_set_u32le(w, offpos, (uint32_t)(wbuf_len(w) - hdr));
	arc4random_buf(salt, sizeof(salt));
	wbuf_init_fixed(&v, d, sizeof(d));
	wbuf_put_u16le(&v, 1);
	wbuf_put_u16le(&v, sizeof(salt));
	wbuf_put_u16le(&v, SMB2_PREAUTH_INTEGRITY_SHA512);
	wbuf_put_bytes(&v, salt, sizeof(salt));
	neg_context(w, hdr, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, &v);
	/* The chosen cipher alone: servers pick by their own order. */
	wbuf_init_fixed(&v, d, sizeof(d));
	wbuf_put_u16le(&v, 1);
	wbuf_put_u16le(&v, (uint16_t)c->o->cipher);
	neg_context(w, hdr, SMB2_ENCRYPTION_CAPABILITIES, &v);
	wbuf_init_fixed(&v, d, sizeof(d));
	wbuf_put_u16le(&v, 3);
	wbuf_put_u16le(&v, SMB2_SIGN_AES_GMAC);
	wbuf_put_u16le(&v, SMB2_SIGN_AES_CMAC);
	wbuf_put_u16le(&v, SMB2_SIGN_HMAC_SHA256);
	neg_context(w, hdr, SMB2_SIGNING_CAPABILITIES, &v);
}

/* The NEGOTIATE response's contexts: the cipher and signing choice. */
static int
neg_parse_contexts(struct lg_conn *c, const struct rbuf *msg, uint32_t off,
    uint16_t count)
{
	struct rbuf r, d;
	uint16_t type, len, n, v;

	if (rbuf_sub(msg, off, rbuf_left(msg) - off, &r) == -1)
		return -1;
	while (count-- > 0) {
		rbuf_align(&r, 8);
		rbuf_get_u16le(&r, &type);
		rbuf_get_u16le(&r, &len);
		rbuf_skip(&r, 4);
		if (rbuf_take(&r, len, &d) == -1)
			return -1;
		if (type == SMB2_ENCRYPTION_CAPABILITIES) {
			rbuf_get_u16le(&d, &n);
			rbuf_get_u16le(&d, &v);
			if (rbuf_error(&d) || n != 1)
				return -1;
			c->cipher = (enum smb2_cipher)v;
		} else if (type == SMB2_SIGNING_CAPABILITIES) {
			rbuf_get_u16le(&d, &n);
			rbuf_get_u16le(&d, &v);
			if (rbuf_error(&d) || n != 1 ||
			    v > SMB2_SIGN_AES_GMAC)
				return -1;
			c->signalg = (enum smb2_signalg)v;
		}
	}
	return 0;
}

static int
neg_parse(struct lg_conn *c, const struct lg_resp *r)
{
	struct rbuf b = r->msg;
	uint16_t ss, count;
	uint32_t ctxoff;

	rbuf_seek(&b, SMB2_HEADER_SIZE);
	rbuf_get_u16le(&b, &ss);
	rbuf_get_u16le(&b, &c->server_secmode);
	rbuf_get_u16le(&b, &c->dialect);
	rbuf_get_u16le(&b, &count);
	rbuf_skip(&b, 16);			/* ServerGuid */
	rbuf_get_u32le(&b, &c->server_caps);
	rbuf_get_u32le(&b, &c->max_trans);
	rbuf_get_u32le(&b, &c->max_read);
	rbuf_get_u32le(&b, &c->max_write);
	rbuf_skip(&b, 16 + 4);			/* times, security buffer */
	rbuf_get_u32le(&b, &ctxoff);
	if (rbuf_error(&b) || ss != SMB2_NEGOTIATE_RESP_SIZE)
		return -1;
	if (c->dialect != c->o->dialect) {
		log_warnx("the server chose dialect 0x%04x", c->dialect);
		return -1;
	}
	switch (c->dialect) {
	case SMB2_DIALECT_311:
		c->signalg = SMB2_SIGN_AES_CMAC;
		c->cipher = SMB2_CIPHER_NONE;
		return neg_parse_contexts(c, &r->msg, ctxoff, count);
	case SMB2_DIALECT_300:
	case SMB2_DIALECT_302:
		c->signalg = SMB2_SIGN_AES_CMAC;
		c->cipher = (c->server_caps & SMB2_GLOBAL_CAP_ENCRYPTION) ?
		    SMB2_CIPHER_AES128_CCM : SMB2_CIPHER_NONE;
		return 0;
	default:
		c->signalg = SMB2_SIGN_HMAC_SHA256;
		c->cipher = SMB2_CIPHER_NONE;
		return 0;
	}
}

int
lg_negotiate(struct lg_conn *c)
{
	uint8_t guid[16];
	struct lg_sync y;
	struct lg_resp r;
	struct wbuf *w;
	size_t hdr, offpos = 0;
	int is311 = c->o->dialect == SMB2_DIALECT_311, rv;

	hdr = wbuf_len(&c->chain);
	w = lg_req(c, SMB2_NEGOTIATE, 0);
	arc4random_buf(guid, sizeof(guid));
	wbuf_put_u16le(w, SMB2_NEGOTIATE_REQ_SIZE);
	wbuf_put_u16le(w, 1);			/* DialectCount */
	wbuf_put_u16le(w, SMB2_NEGOTIATE_SIGNING_ENABLED |
	    (c->o->sign ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0));
	wbuf_put_u16le(w, 0);
	wbuf_put_u32le(w, SMB2_GLOBAL_CAP_LARGE_MTU |
	    (c->o->dialect >= SMB2_DIALECT_300 ?
	    SMB2_GLOBAL_CAP_ENCRYPTION : 0));
	wbuf_put_bytes(w, guid, sizeof(guid));
	if (is311) {
		wbuf_reserve(w, 4, &offpos);	/* NegotiateContextOffset */
		wbuf_put_u16le(w, 3);		/* NegotiateContextCount */
		wbuf_put_u16le(w, 0);
	} else
		wbuf_put_u64le(w, 0);		/* ClientStartTime */
	wbuf_put_u16le(w, c->o->dialect);
	if (is311)
		neg_contexts(c, w, hdr, offpos);
	memset(c->preauth, 0, sizeof(c->preauth));
	smb2_preauth_hash_update(c->preauth, wbuf_data(w) + hdr,
	    wbuf_len(w) - hdr);
	if (lg_transact(c, &y) == -1)
		return -1;
	lg_sync_resp(&y, &r);
	smb2_preauth_hash_update(c->preauth, y.msg, y.len);
	if (r.hdr.status != NT_STATUS_SUCCESS) {
		log_warnx("NEGOTIATE: %s", ntstatus_name(r.hdr.status));
		rv = -1;
	} else if ((rv = neg_parse(c, &r)) == -1)
		log_warnx("NEGOTIATE: a response this client cannot use");
	lg_sync_free(&y);
	return rv;
}

/* SPNEGO and NTLMSSP. */

/* Append tag, DER length and contents (X.690 8.1.3). */
static void
der_put(struct wbuf *w, uint8_t tag, const uint8_t *p, size_t len)
{
	wbuf_put_u8(w, tag);
	if (len < 0x80)
		wbuf_put_u8(w, (uint8_t)len);
	else if (len < 0x100) {
		wbuf_put_u8(w, 0x81);
		wbuf_put_u8(w, (uint8_t)len);
	} else {
		wbuf_put_u8(w, 0x82);
		wbuf_put_u16be(w, (uint16_t)len);
	}
	wbuf_put_bytes(w, p, len);
}

/*
 * The client's first token: a GSS-API InitialContextToken holding a
 * NegTokenInit that offers NTLMSSP alone, with the NTLM NEGOTIATE as its
 * optimistic mechToken (RFC 4178 4.2.1), built from the inside out.
 */
static int
spnego_init_token(struct wbuf *out, const uint8_t *tok, size_t toklen)
{
	struct wbuf a, b;
	int rv;

	wbuf_init(&a, 4096);
	wbuf_init(&b, 4096);
	der_put(&a, 0x06, oid_ntlm, sizeof(oid_ntlm));
	der_put(&b, 0x30, wbuf_data(&a), wbuf_len(&a));	/* MechTypeList */
	wbuf_reset(&a);
	der_put(&a, 0xa0, wbuf_data(&b), wbuf_len(&b));	/* mechTypes */
	wbuf_reset(&b);
	der_put(&b, 0x04, tok, toklen);
	der_put(&a, 0xa2, wbuf_data(&b), wbuf_len(&b));	/* mechToken */
	wbuf_reset(&b);
	der_put(&b, 0x30, wbuf_data(&a), wbuf_len(&a));	/* NegTokenInit */
	wbuf_reset(&a);
	der_put(&a, 0x06, oid_spnego, sizeof(oid_spnego));
	der_put(&a, 0xa0, wbuf_data(&b), wbuf_len(&b));
	der_put(out, 0x60, wbuf_data(&a), wbuf_len(&a));
	rv = wbuf_error(&a) || wbuf_error(&b) || wbuf_error(out) ? -1 : 0;
	wbuf_free(&a);
	wbuf_free(&b);
	return rv;
}

static void
ntlm_negotiate(struct ntlm_client *n)
{
	struct wbuf w;

	wbuf_init_fixed(&w, n->negotiate, sizeof(n->negotiate));
	wbuf_put_bytes(&w, ntlmssp_sig, sizeof(ntlmssp_sig));
	wbuf_put_u32le(&w, NTLMSSP_MSG_NEGOTIATE);
	wbuf_put_u32le(&w, LG_NTLM_FLAGS);
	wbuf_put_zero(&w, 16);		/* no domain, no workstation */
	wbuf_put_bytes(&w, ntlm_version, sizeof(ntlm_version));
}

/* Point the AUTHENTICATE field at off to len bytes of data appended now. */
static void
ntlm_field(struct wbuf *w, size_t off, const void *data, size_t len)
{
	wbuf_set_u16le(w, off, (uint16_t)len);
	wbuf_set_u16le(w, off + 2, (uint16_t)len);
	wbuf_set_u32le(w, off + 4, (uint32_t)wbuf_len(w));
	wbuf_put_bytes(w, data, len);
}

/* The FILETIME to put in the NTLMv2 blob: the server's, if it sent one. */
static uint64_t
ntlm_timestamp(struct rbuf ti)
{
	uint16_t id, len;
	uint64_t t;

	while (rbuf_get_u16le(&ti, &id) == 0 && rbuf_get_u16le(&ti, &len) ==
	    0 && id != NTLMSSP_AV_EOL) {
		if (id == NTLMSSP_AV_TIMESTAMP && len == 8 &&
		    rbuf_get_u64le(&ti, &t) == 0)
			return t;
		if (rbuf_skip(&ti, len) == -1)
			break;
	}
	/* 100 ns intervals since 1601. */
	return ((uint64_t)time(NULL) + 11644473600ULL) * 10000000ULL;
}

/* NTOWFv2 = HMAC_MD5(MD4(password), UNICODE(Upper(user) || domain)). */
static int
ntlm_owf(const struct lg_opts *o, uint8_t owf[16])
{
	uint8_t nth[16];
	struct wbuf id;
	char *upper = NULL;
	int rv = -1;

	wbuf_init(&id, 4096);
	if (nt_hash(o->password, nth) == 0 &&
	    utf8_upper(o->user, &upper) == 0 &&
	    utf8_to_utf16le(upper, strlen(upper), &id) == 0 &&
	    utf8_to_utf16le(o->domain, strlen(o->domain), &id) == 0 &&
	    ntlm_hmac_md5(nth, sizeof(nth), wbuf_data(&id), wbuf_len(&id),
	    owf) == 0)
		rv = 0;
	free(upper);
	wbuf_free(&id);
	explicit_bzero(nth, sizeof(nth));
	return rv;
}

/*
 * The NTLMv2 response (MS-NLMP 3.3.2): NTProofStr || temp, where temp
 * carries the time, a client challenge and the server's AV pairs; and
 * the session base key that comes with it.
 */
static int
ntlm_v2_response(const struct lg_opts *o, const uint8_t chal[8],
    struct rbuf ti, struct wbuf *nt, uint8_t base[16])
{
	uint8_t owf[16], cc[8], proof[16];
	struct ntlm_hmac h;
	struct wbuf temp;
	int rv = -1;

	arc4random_buf(cc, sizeof(cc));
	wbuf_init(&temp, 65536);
	wbuf_put_u8(&temp, 1);			/* RespType */
	wbuf_put_u8(&temp, 1);			/* HiRespType */
	wbuf_put_zero(&temp, 6);
	wbuf_put_u64le(&temp, ntlm_timestamp(ti));
	wbuf_put_bytes(&temp, cc, sizeof(cc));
	wbuf_put_zero(&temp, 4);
	wbuf_put_bytes(&temp, rbuf_cur(&ti), rbuf_left(&ti));
	wbuf_put_zero(&temp, 4);
	if (wbuf_error(&temp) || ntlm_owf(o, owf) == -1)
		goto out;
	if (ntlm_hmac_md5_init(&h, owf, sizeof(owf)) == -1)
		goto out;
	if (ntlm_hmac_md5_update(&h, chal, 8) == -1 ||
	    ntlm_hmac_md5_update(&h, wbuf_data(&temp), wbuf_len(&temp)) ==
	    -1) {
		ntlm_hmac_md5_abort(&h);
		goto out;
	}
	if (ntlm_hmac_md5_final(&h, proof) == -1 ||
	    ntlm_hmac_md5(owf, sizeof(owf), proof, sizeof(proof), base) == -1)
		goto out;
	wbuf_put_bytes(nt, proof, sizeof(proof));
	wbuf_put_bytes(nt, wbuf_data(&temp), wbuf_len(&temp));
	rv = wbuf_error(nt) ? -1 : 0;
 out:
	explicit_bzero(owf, sizeof(owf));
	wbuf_free(&temp);
	return rv;
}

/* The AUTHENTICATE message for a CHALLENGE (MS-NLMP 3.1.5.1.2). */
static int
ntlm_authenticate(const struct lg_opts *o, struct ntlm_client *n,
    const uint8_t *chal, size_t challen, struct wbuf *out)
{
	uint8_t challenge[8], base[16], enckey[16], lm[24];
	struct rbuf r, ti;
	struct wbuf nt;
	uint16_t tilen;
	uint32_t tioff, sflags;
	int rv = -1;

	/* The message's offsets count from its start: out holds only it. */
	if (wbuf_len(out) != 0)
		return -1;
	rbuf_init(&r, chal, challen);
	rbuf_seek(&r, NTLM_CHAL_FLAGS);
	rbuf_get_u32le(&r, &sflags);
	rbuf_get_bytes(&r, challenge, sizeof(challenge));
	rbuf_seek(&r, NTLM_CHAL_TARGETINFO);
	rbuf_get_u16le(&r, &tilen);
	rbuf_skip(&r, 2);
	rbuf_get_u32le(&r, &tioff);
	if (rbuf_error(&r) || rbuf_sub(&r, tioff, tilen, &ti) == -1 ||
	    memcmp(chal, ntlmssp_sig, sizeof(ntlmssp_sig)) != 0)
		return -1;
	n->flags = sflags & LG_NTLM_FLAGS;
	wbuf_init(&nt, 65536);
	if (ntlm_v2_response(o, challenge, ti, &nt, base) == -1)
		goto out;
	/* With key exchange the session key is ours, sent under RC4. */
	if (n->flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		arc4random_buf(n->exported, sizeof(n->exported));
		ntlm_rc4k(base, sizeof(base), n->exported, enckey,
		    sizeof(enckey));
	} else
		memcpy(n->exported, base, sizeof(base));

	wbuf_put_bytes(out, ntlmssp_sig, sizeof(ntlmssp_sig));
	wbuf_put_u32le(out, NTLMSSP_MSG_AUTHENTICATE);
	wbuf_put_zero(out, 6 * 8);		/* the six fields */
	wbuf_put_u32le(out, n->flags);
	wbuf_put_bytes(out, ntlm_version, sizeof(ntlm_version));
	wbuf_put_zero(out, 16);			/* MIC: not sent */
	/* The server's time is in the blob: LMv2 is Z(24) (3.1.5.1.2). */
	memset(lm, 0, sizeof(lm));
	ntlm_field(out, 12, lm, sizeof(lm));
	ntlm_field(out, 20, wbuf_data(&nt), wbuf_len(&nt));
	wbuf_reset(&nt);
	utf8_to_utf16le(o->domain, strlen(o->domain), &nt);
	ntlm_field(out, 28, wbuf_data(&nt), wbuf_len(&nt));
	wbuf_reset(&nt);
	utf8_to_utf16le(o->user, strlen(o->user), &nt);
	ntlm_field(out, 36, wbuf_data(&nt), wbuf_len(&nt));
	wbuf_reset(&nt);
	utf8_to_utf16le(LG_WORKSTATION, strlen(LG_WORKSTATION), &nt);
	ntlm_field(out, 44, wbuf_data(&nt), wbuf_len(&nt));
	ntlm_field(out, 52, enckey,
	    (n->flags & NTLMSSP_NEGOTIATE_KEY_EXCH) ? sizeof(enckey) : 0);
	rv = wbuf_error(out) || wbuf_error(&nt) ? -1 : 0;
 out:
	explicit_bzero(base, sizeof(base));
	explicit_bzero(enckey, sizeof(enckey));
	wbuf_free(&nt);
	return rv;
}

/* SESSION_SETUP. */

/* One SESSION_SETUP round trip carrying blob; the answer in y. */
static int
sess_round(struct lg_conn *c, const struct wbuf *blob, struct lg_sync *y)
{
	struct wbuf *w;
	size_t hdr;

	hdr = wbuf_len(&c->chain);
	w = lg_req(c, SMB2_SESSION_SETUP, 0);
	wbuf_put_u16le(w, 25);
	wbuf_put_u8(w, 0);			/* Flags */
	wbuf_put_u8(w, SMB2_NEGOTIATE_SIGNING_ENABLED |
	    (c->o->sign ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0));
	wbuf_put_u32le(w, 0);			/* Capabilities */
	wbuf_put_u32le(w, 0);			/* Channel */
	wbuf_put_u16le(w, SMB2_HEADER_SIZE + 24);
	wbuf_put_u16le(w, (uint16_t)wbuf_len(blob));
	wbuf_put_u64le(w, 0);			/* PreviousSessionId */
	wbuf_put_bytes(w, wbuf_data(blob), wbuf_len(blob));
	if (wbuf_error(w))
		return -1;
	/* 3.1.1 hashes every SESSION_SETUP request (3.2.4.2.3). */
	if (c->dialect == SMB2_DIALECT_311)
		smb2_preauth_hash_update(c->preauth, wbuf_data(w) + hdr,
		    wbuf_len(w) - hdr);
	return lg_transact(c, y);
}

/* The SPNEGO token of a SESSION_SETUP response, parsed in place. */
static int
sess_token(const struct lg_sync *y, uint16_t *sflags, struct spnego_token *t)
{
	struct rbuf b, blob;
	uint16_t ss, off, len;
	const uint8_t *p;

	rbuf_init(&b, y->msg, y->len);
	rbuf_seek(&b, SMB2_HEADER_SIZE);
	rbuf_get_u16le(&b, &ss);
	rbuf_get_u16le(&b, sflags);
	rbuf_get_u16le(&b, &off);
	rbuf_get_u16le(&b, &len);
	if (rbuf_error(&b) || ss != 9)
		return -1;
	memset(t, 0, sizeof(*t));
	if (len == 0)
		return 0;
	if (rbuf_sub(&b, off, len, &blob) == -1 ||
	    rbuf_get_ptr(&blob, &p, len) == -1)
		return -1;
	return spnego_parse(p, len, t);
}

/* Keys, signer and cryptors of the new session (3.2.5.3.1). */
static int
sess_keys(struct lg_conn *c, const uint8_t key[16], uint16_t sflags)
{
	struct smb2_keys k;
	int rv = -1;

	if (smb2_derive_keys(c->dialect, c->dialect >= SMB2_DIALECT_300 ?
	    c->cipher : SMB2_CIPHER_NONE, key, 16,
	    c->dialect == SMB2_DIALECT_311 ? c->preauth : NULL, &k) == -1)
		return -1;
	if ((c->signer = smb2_signer_new(c->dialect, c->signalg, k.signing,
	    k.signing_len)) == NULL)
		goto out;
	if (c->cipher != SMB2_CIPHER_NONE && c->dialect >= SMB2_DIALECT_300) {
		/* The server's DecryptionKey is what this client sends with. */
		c->tx = smb2_cryptor_new(c->cipher, k.decrypt,
		    k.cipher_key_len);
		c->rx_c = smb2_cryptor_new(c->cipher, k.encrypt,
		    k.cipher_key_len);
		if (c->tx == NULL || c->rx_c == NULL)
			goto out;
	}
	c->signing = c->o->sign ||
	    (c->server_secmode & SMB2_NEGOTIATE_SIGNING_REQUIRED);
	c->encrypting = c->o->encrypt || (sflags & SESSION_FLAG_ENCRYPT_DATA);
	if (c->encrypting && c->tx == NULL) {
		log_warnx("encryption asked for, but no cipher negotiated");
		goto out;
	}
	rv = 0;
 out:
	explicit_bzero(&k, sizeof(k));
	return rv;
}

int
lg_session_setup(struct lg_conn *c)
{
	struct ntlm_client n;
	struct spnego_token t;
	struct wbuf blob, auth;
	struct lg_sync y;
	uint16_t sflags;
	int rv = -1;

	memset(&n, 0, sizeof(n));
	memset(&y, 0, sizeof(y));
	wbuf_init(&blob, 65536);
	wbuf_init(&auth, 65536);
	ntlm_negotiate(&n);
	if (spnego_init_token(&blob, n.negotiate, sizeof(n.negotiate)) ==
	    -1 || sess_round(c, &blob, &y) == -1)
		goto out;
	if (y.hdr.status != NT_STATUS_MORE_PROCESSING_REQUIRED) {
		log_warnx("SESSION_SETUP: %s", ntstatus_name(y.hdr.status));
		goto out;
	}
	if (c->dialect == SMB2_DIALECT_311)
		smb2_preauth_hash_update(c->preauth, y.msg, y.len);
	c->session_id = y.hdr.session_id;
	if (sess_token(&y, &sflags, &t) == -1 || t.mech_token == NULL ||
	    ntlm_authenticate(c->o, &n, t.mech_token, t.mech_token_len,
	    &auth) == -1) {
		log_warnx("SESSION_SETUP: no NTLM CHALLENGE to answer");
		goto out;
	}
	wbuf_reset(&blob);
	lg_sync_free(&y);
	if (spnego_build_resp(&blob, -1, SPNEGO_MECH_NONE, wbuf_data(&auth),
	    wbuf_len(&auth), NULL, 0) == -1 || sess_round(c, &blob, &y) == -1)
		goto out;
	if (y.hdr.status != NT_STATUS_SUCCESS) {
		log_warnx("SESSION_SETUP: %s", ntstatus_name(y.hdr.status));
		goto out;
	}
	if (sess_token(&y, &sflags, &t) == -1)
		goto out;
	if (sflags & (SESSION_FLAG_IS_GUEST | SESSION_FLAG_IS_NULL)) {
		log_warnx("SESSION_SETUP: logged on as guest or anonymous");
		goto out;
	}
	if (sess_keys(c, n.exported, sflags) == -1)
		goto out;
	/* The final response is signed with the new key (3.2.5.3.1). */
	if ((y.hdr.flags & SMB2_FLAGS_SIGNED) &&
	    smb2_verify(c->signer, y.msg, y.len) == -1) {
		log_warnx("SESSION_SETUP: bad signature on the final response");
		goto out;
	}
	rv = 0;
 out:
	explicit_bzero(&n, sizeof(n));
	lg_sync_free(&y);
	wbuf_free(&blob);
	wbuf_free(&auth);
	return rv;
}

/* TREE_CONNECT. */

int
lg_tree_connect(struct lg_conn *c)
{
	struct lg_sync y;
	struct lg_resp r;
	struct wbuf *w;
	size_t start, lenoff;
	uint32_t sflags;
	uint16_t ss;
	char *path;

	xasprintf(&path, "\\\\%s\\%s", c->o->host, c->o->share);
	/*
	 * A 3.1.1 TREE_CONNECT is signed even when nothing else is: with no
	 * VALIDATE_NEGOTIATE_INFO in 3.1.1, this signature is what ties the
	 * session to its negotiate, and Samba refuses the tree without it.
	 */
	c->sign_next = c->dialect == SMB2_DIALECT_311;
	w = lg_req(c, SMB2_TREE_CONNECT, 0);
	wbuf_put_u16le(w, 9);
	wbuf_put_u16le(w, 0);			/* Flags */
	wbuf_put_u16le(w, SMB2_HEADER_SIZE + 8);
	wbuf_reserve(w, 2, &lenoff);
	start = wbuf_len(w);
	utf8_to_utf16le(path, strlen(path), w);
	wbuf_set_u16le(w, lenoff, (uint16_t)(wbuf_len(w) - start));
	free(path);
	if (wbuf_error(w) || lg_transact(c, &y) == -1)
		return -1;
	lg_sync_resp(&y, &r);
	if (r.hdr.status != NT_STATUS_SUCCESS) {
		log_warnx("TREE_CONNECT %s: %s", c->o->share,
		    ntstatus_name(r.hdr.status));
		lg_sync_free(&y);
		return -1;
	}
	rbuf_seek(&r.msg, SMB2_HEADER_SIZE);
	rbuf_get_u16le(&r.msg, &ss);
	rbuf_skip(&r.msg, 2);
	rbuf_get_u32le(&r.msg, &sflags);
	c->tree_id = r.hdr.tree_id;
	lg_sync_free(&y);
	if (sflags & SHAREFLAG_ENCRYPT_DATA) {
		if (c->tx == NULL) {
			log_warnx("the share wants encryption, "
			    "none was negotiated");
			return -1;
		}
		c->encrypting = 1;
	}
	return 0;
}
