/*
 * SPNEGO tokens with a strict, minimal DER reader and writer on the
 * bounds-checked buffers.  See spnego.h.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "spnego.h"

#define ASN1_MAX_DEPTH	8

/* OIDs in DER content form. */
static const uint8_t oid_spnego[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
static const uint8_t oid_ntlmssp[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82,
    0x37, 0x02, 0x02, 0x0a };
static const uint8_t oid_krb5[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12,
    0x01, 0x02, 0x02 };
static const uint8_t oid_mskrb5[] = { 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12,
    0x01, 0x02, 0x02 };
static const uint8_t oid_negoex[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82,
    0x37, 0x02, 0x02, 0x1e };

static const struct {
	enum spnego_mech	 mech;
	const uint8_t		*oid;
	size_t			 len;
} spnego_oids[] = {
	{ SPNEGO_MECH_NTLMSSP, oid_ntlmssp, sizeof(oid_ntlmssp) },
	{ SPNEGO_MECH_KRB5, oid_krb5, sizeof(oid_krb5) },
	{ SPNEGO_MECH_MSKRB5, oid_mskrb5, sizeof(oid_mskrb5) },
	{ SPNEGO_MECH_NEGOEX, oid_negoex, sizeof(oid_negoex) },
};

/*
 * Read one TLV header: tag byte and definite length (short or long form,
 * at most 4 length bytes).  Indefinite lengths are refused; the value is
 * returned as a sub-reader.
 */
static int
asn1_get(struct rbuf *r, uint8_t *tag, struct rbuf *val)
{
	uint8_t b, nlen, i;
	uint32_t len = 0;

	if (rbuf_get_u8(r, tag) == -1 || rbuf_get_u8(r, &b) == -1)
		return -1;
	if ((*tag & 0x1f) == 0x1f)
		return -1;	/* multi-byte tags: not in SPNEGO */
	if (b < 0x80)
		len = b;
	else {
		nlen = b & 0x7f;
		if (nlen == 0 || nlen > 4)
			return -1;
		for (i = 0; i < nlen; i++) {
			if (rbuf_get_u8(r, &b) == -1)
				return -1;
			len = len << 8 | b;
		}
	}
	return rbuf_take(r, len, val);
}

static int
asn1_expect(struct rbuf *r, uint8_t want, struct rbuf *val)
{
	uint8_t tag;

	if (asn1_get(r, &tag, val) == -1 || tag != want)
		return -1;
	return 0;
}

static enum spnego_mech
spnego_oid_mech(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(spnego_oids) / sizeof(spnego_oids[0]); i++)
		if (len == spnego_oids[i].len &&
		    memcmp(p, spnego_oids[i].oid, len) == 0)
			return spnego_oids[i].mech;
	return SPNEGO_MECH_OTHER;
}

static int
spnego_mechlist(struct rbuf *seq, struct spnego_token *t)
{
	struct rbuf oid;

	while (rbuf_left(seq) > 0) {
		if (asn1_expect(seq, 0x06, &oid) == -1)
			return -1;
		if (t->nmechs < SPNEGO_MAX_MECHS)
			t->mechs[t->nmechs++] = spnego_oid_mech(rbuf_cur(&oid),
			    rbuf_left(&oid));
	}
	return t->nmechs > 0 ? 0 : -1;
}

/* NegTokenInit ::= SEQUENCE { mechTypes [0], reqFlags [1], mechToken [2],
 * mechListMIC [3] } */
static int
spnego_init(struct rbuf *r, struct spnego_token *t)
{
	struct rbuf seq, f, v;
	const uint8_t *start;
	uint8_t tag;

	if (asn1_expect(r, 0x30, &seq) == -1)
		return -1;
	while (rbuf_left(&seq) > 0) {
		if (asn1_get(&seq, &tag, &f) == -1)
			return -1;
		switch (tag) {
		case 0xa0:
			start = rbuf_cur(&f);
			if (asn1_expect(&f, 0x30, &v) == -1 ||
			    rbuf_left(&f) != 0)
				return -1;
			t->mechlist_der = start;
			t->mechlist_len = (size_t)(rbuf_cur(&f) - start);
			if (spnego_mechlist(&v, t) == -1)
				return -1;
			break;
		case 0xa1:
			break;
		case 0xa2:
			if (asn1_expect(&f, 0x04, &v) == -1)
				return -1;
			t->mech_token = rbuf_cur(&v);
			t->mech_token_len = rbuf_left(&v);
			break;
		case 0xa3:
		case 0xa4:
			/*
			 * [3] is mechListMIC in RFC 4178's NegTokenInit but
			 * negHints (a SEQUENCE) in MS-SPNG's NegTokenInit2,
			 * whose mechListMIC is [4].
			 */
			if (asn1_get(&f, &tag, &v) == -1)
				return -1;
			if (tag == 0x30 && t->mic == NULL)
				break;
			if (tag != 0x04)
				return -1;
			t->mic = rbuf_cur(&v);
			t->mic_len = rbuf_left(&v);
			break;
		default:
			return -1;
		}
	}
	return t->nmechs > 0 ? 0 : -1;
}

/* NegTokenResp ::= SEQUENCE { negState [0], supportedMech [1],
 * responseToken [2], mechListMIC [3] } */
static int
spnego_resp(struct rbuf *r, struct spnego_token *t)
{
	struct rbuf seq, f, v;
	uint8_t tag, b;

	if (asn1_expect(r, 0x30, &seq) == -1)
		return -1;
	while (rbuf_left(&seq) > 0) {
		if (asn1_get(&seq, &tag, &f) == -1)
			return -1;
		switch (tag) {
		case 0xa0:
			if (asn1_expect(&f, 0x0a, &v) == -1 ||
			    rbuf_left(&v) != 1 || rbuf_get_u8(&v, &b) == -1 ||
			    b > 3)
				return -1;
			t->neg_state = b;
			break;
		case 0xa1:
			if (asn1_expect(&f, 0x06, &v) == -1)
				return -1;
			t->supported_mech = spnego_oid_mech(rbuf_cur(&v),
			    rbuf_left(&v));
			break;
		case 0xa2:
			if (asn1_expect(&f, 0x04, &v) == -1)
				return -1;
			t->mech_token = rbuf_cur(&v);
			t->mech_token_len = rbuf_left(&v);
			break;
		case 0xa3:
			if (asn1_expect(&f, 0x04, &v) == -1)
				return -1;
			t->mic = rbuf_cur(&v);
			t->mic_len = rbuf_left(&v);
			break;
		default:
			return -1;
		}
	}
	return 0;
}

int
spnego_parse(const uint8_t *in, size_t len, struct spnego_token *t)
{
	struct rbuf r, app, oid, inner;
	uint8_t tag;

	memset(t, 0, sizeof(*t));
	t->neg_state = -1;
	if (len >= 8 && memcmp(in, "NTLMSSP\0", 8) == 0) {
		t->kind = SPNEGO_RAW_NTLMSSP;
		t->mech_token = in;
		t->mech_token_len = len;
		return 0;
	}
	rbuf_init(&r, in, len);
	if (asn1_get(&r, &tag, &app) == -1)
		return -1;
	if (tag == 0x60) {
		/* InitialContextToken: [APPLICATION 0] { OID, NegotiationToken } */
		if (asn1_expect(&app, 0x06, &oid) == -1 ||
		    rbuf_left(&oid) != sizeof(oid_spnego) ||
		    memcmp(rbuf_cur(&oid), oid_spnego, sizeof(oid_spnego)) != 0)
			return -1;
		if (asn1_expect(&app, 0xa0, &inner) == -1)
			return -1;
		t->kind = SPNEGO_INIT;
		return spnego_init(&inner, t);
	}
	if (tag == 0xa1) {
		t->kind = SPNEGO_RESP;
		return spnego_resp(&app, t);
	}
	if (tag == 0xa0) {
		/* A bare NegTokenInit, as some clients send on later legs. */
		t->kind = SPNEGO_INIT;
		return spnego_init(&app, t);
	}
	return -1;
}

/*
 * Writing: lengths are back-patched.  Every length is written in the
 * four-byte long form first and the value then moved down to the
 * shortest form, so the output is DER.
 */
static int
asn1_open(struct wbuf *w, uint8_t tag, size_t *mark)
{
	wbuf_put_u8(w, tag);
	return wbuf_reserve(w, 5, mark);
}

static int
asn1_close(struct wbuf *w, size_t mark)
{
	size_t vlen, hlen;
	uint8_t *p;

	if (wbuf_error(w))
		return -1;
	vlen = wbuf_len(w) - mark - 5;
	hlen = vlen < 0x80 ? 1 : vlen < 0x100 ? 2 : vlen < 0x10000 ? 3 :
	    vlen < 0x1000000 ? 4 : 5;
	p = wbuf_data(w) + mark;
	if (hlen == 1)
		p[0] = (uint8_t)vlen;
	else {
		p[0] = (uint8_t)(0x80 | (hlen - 1));
		for (size_t i = 0; i < hlen - 1; i++)
			p[1 + i] = (uint8_t)(vlen >> (8 * (hlen - 2 - i)));
	}
	memmove(p + hlen, p + 5, vlen);
	w->len -= 5 - hlen;
	return 0;
}

static void
asn1_put(struct wbuf *w, uint8_t tag, const void *data, size_t len)
{
	size_t m;

	asn1_open(w, tag, &m);
	wbuf_put_bytes(w, data, len);
	asn1_close(w, m);
}

static const uint8_t *
spnego_mech_oid(enum spnego_mech mech, size_t *len)
{
	size_t i;

	for (i = 0; i < sizeof(spnego_oids) / sizeof(spnego_oids[0]); i++)
		if (spnego_oids[i].mech == mech) {
			*len = spnego_oids[i].len;
			return spnego_oids[i].oid;
		}
	return NULL;
}

int
spnego_build_init2(struct wbuf *w, const enum spnego_mech *mechs, size_t n)
{
	static const char hint[] = "not_defined_in_RFC4178@please_ignore";
	size_t app, neg, seq, f0, list, f3, hseq, h0, i, len;
	const uint8_t *oid;

	asn1_open(w, 0x60, &app);
	asn1_put(w, 0x06, oid_spnego, sizeof(oid_spnego));
	asn1_open(w, 0xa0, &neg);
	asn1_open(w, 0x30, &seq);
	asn1_open(w, 0xa0, &f0);
	asn1_open(w, 0x30, &list);
	for (i = 0; i < n; i++) {
		if ((oid = spnego_mech_oid(mechs[i], &len)) == NULL)
			return -1;
		asn1_put(w, 0x06, oid, len);
	}
	asn1_close(w, list);
	asn1_close(w, f0);
	/* negHints [3] { hintName [0] GeneralString } (MS-SPNG 2.2.1) */
	asn1_open(w, 0xa3, &f3);
	asn1_open(w, 0x30, &hseq);
	asn1_open(w, 0xa0, &h0);
	asn1_put(w, 0x1b, hint, sizeof(hint) - 1);
	asn1_close(w, h0);
	asn1_close(w, hseq);
	asn1_close(w, f3);
	asn1_close(w, seq);
	asn1_close(w, neg);
	asn1_close(w, app);
	return wbuf_error(w) ? -1 : 0;
}

int
spnego_build_resp(struct wbuf *w, int neg_state, enum spnego_mech mech,
    const uint8_t *tok, size_t toklen, const uint8_t *mic, size_t miclen)
{
	size_t outer, seq, f, len;
	const uint8_t *oid;
	uint8_t st;

	asn1_open(w, 0xa1, &outer);
	asn1_open(w, 0x30, &seq);
	if (neg_state >= 0) {
		st = (uint8_t)neg_state;
		asn1_open(w, 0xa0, &f);
		asn1_put(w, 0x0a, &st, 1);
		asn1_close(w, f);
	}
	if (mech != SPNEGO_MECH_NONE) {
		if ((oid = spnego_mech_oid(mech, &len)) == NULL)
			return -1;
		asn1_open(w, 0xa1, &f);
		asn1_put(w, 0x06, oid, len);
		asn1_close(w, f);
	}
	if (tok != NULL && toklen > 0) {
		asn1_open(w, 0xa2, &f);
		asn1_put(w, 0x04, tok, toklen);
		asn1_close(w, f);
	}
	if (mic != NULL && miclen > 0) {
		asn1_open(w, 0xa3, &f);
		asn1_put(w, 0x04, mic, miclen);
		asn1_close(w, f);
	}
	asn1_close(w, seq);
	asn1_close(w, outer);
	return wbuf_error(w) ? -1 : 0;
}

/*
 * The Kerberos mechanism's own framing (RFC 4121 §4.1, RFC 2743 §3.1):
 * [APPLICATION 0] { OID, two-byte TOK_ID, Kerberos message }.  The
 * message after the TOK_ID is not DER-framed by the token itself; it runs
 * to the end of the outer value.
 */
int
spnego_krb5_unwrap(const uint8_t *in, size_t len, uint16_t tok_id,
    enum spnego_mech *mech, const uint8_t **msg, size_t *msglen)
{
	struct rbuf r, app, oid;
	uint16_t id;

	rbuf_init(&r, in, len);
	if (asn1_expect(&r, 0x60, &app) == -1 || rbuf_left(&r) != 0 ||
	    asn1_expect(&app, 0x06, &oid) == -1)
		return -1;
	*mech = spnego_oid_mech(rbuf_cur(&oid), rbuf_left(&oid));
	if (*mech != SPNEGO_MECH_KRB5 && *mech != SPNEGO_MECH_MSKRB5)
		return -1;
	if (rbuf_get_u16be(&app, &id) == -1 || id != tok_id ||
	    rbuf_left(&app) == 0)
		return -1;
	*msg = rbuf_cur(&app);
	*msglen = rbuf_left(&app);
	return 0;
}

int
spnego_krb5_wrap(struct wbuf *w, uint16_t tok_id, const uint8_t *msg,
    size_t len)
{
	size_t app;

	asn1_open(w, 0x60, &app);
	asn1_put(w, 0x06, oid_krb5, sizeof(oid_krb5));
	wbuf_put_u16be(w, tok_id);
	wbuf_put_bytes(w, msg, len);
	asn1_close(w, app);
	return wbuf_error(w) ? -1 : 0;
}

/*
 * The Ticket of an AP-REQ ([APPLICATION 14] SEQUENCE { pvno [0],
 * msg-type [1], ap-options [2], ticket [3], authenticator [4] }, RFC 4120
 * §5.5.1), so that a refused ticket can be looked at for the log.
 */
int
spnego_krb5_ap_req_ticket(const uint8_t *in, size_t len,
    const uint8_t **tkt, size_t *tktlen)
{
	struct rbuf r, app, seq, f;
	uint8_t tag;

	rbuf_init(&r, in, len);
	if (asn1_expect(&r, 0x6e, &app) == -1 ||
	    asn1_expect(&app, 0x30, &seq) == -1)
		return -1;
	while (rbuf_left(&seq) > 0) {
		if (asn1_get(&seq, &tag, &f) == -1)
			return -1;
		if (tag == 0xa3) {
			*tkt = rbuf_cur(&f);
			*tktlen = rbuf_left(&f);
			return 0;
		}
	}
	return -1;
}
