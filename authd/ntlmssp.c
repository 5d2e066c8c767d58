/*
 * The server side of NTLMSSP with NTLMv2 (MS-NLMP 2.2, 3.2.5, 3.3.2, 3.4).
 *
 * An exchange moves through three calls: ntlmssp_server_negotiate()
 * answers the client's NEGOTIATE_MESSAGE with a CHALLENGE_MESSAGE,
 * ntlmssp_server_parse_auth() takes the AUTHENTICATE_MESSAGE apart so that
 * the caller learns the user name and can look up the NT hash, and
 * ntlmssp_server_verify() checks the NTLMv2 response, derives the exported
 * session key and checks the MIC.  Every byte from the client is read
 * through struct rbuf; all three messages are kept because the MIC covers
 * them.
 *
 * Choices the specification leaves open:
 *  - ResponseKeyNT is computed with the domain the client sent and, if
 *    that does not match, with an empty domain: MS-NLMP 3.2.5.1.2 says
 *    servers SHOULD accept clients that wrongly use NIL for UserDom.
 *  - The client's MsvAvTimestamp is not checked against the clock.  The
 *    server challenge is fresh for every exchange, which is what defeats
 *    replay; a window would only lock out clients with a wrong clock.
 *  - NTLMv1 and LM responses are refused, whatever allow_ntlmv1 says:
 *    NTLMv1 would need single DES, which OpenSSL 3 keeps in the legacy
 *    provider, and is not worth weakening the server for.
 *  - Anonymous: the session base key is Z(16), so KeyExchangeKey is
 *    Z(16); when the client sent an EncryptedRandomSessionKey under key
 *    exchange the exported key is its RC4 decryption with Z(16), as the
 *    client computed it, otherwise Z(16).  SMB2 does not sign or encrypt
 *    anonymous sessions, so the value only has to be well defined.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "log.h"
#include "util.h"
#include "unicode.h"
#include "ntlm_crypto.h"
#include "ntlmssp.h"

static const uint8_t ntlmssp_signature[8] = {
	'N', 'T', 'L', 'M', 'S', 'S', 'P', '\0'
};

/* Largest message accepted: every length field is 16 bits. */
#define NTLMSSP_MAX_MSG		(256 * 1024)
/* Largest user, domain or workstation name, in bytes on the wire. */
#define NTLMSSP_MAX_NAME	1024
/* Largest challenge message built (names are bounded above). */
#define NTLMSSP_MAX_CHALLENGE	8192

#define NTLMSSP_AUTH_HDR_LEN	64	/* up to and with NegotiateFlags */
#define NTLMSSP_MIC_OFFSET	72	/* after the 8-byte Version */
#define NTLMSSP_MIC_LEN		16
#define NTLMSSP_CHAL_TINFO_OFF	56	/* payload start of CHALLENGE */
#define NTLMSSP_CHAL_CHAL_OFF	24	/* ServerChallenge in CHALLENGE */

/* NTLMv2_CLIENT_CHALLENGE up to its AvPairs (MS-NLMP 2.2.2.7). */
#define NTLMV2_BLOB_HDR_LEN	28
#define NTLMV2_PROOF_LEN	16

/* Seconds from 1601-01-01 (FILETIME epoch) to 1970-01-01. */
#define FILETIME_UNIX_DELTA	11644473600ULL

/* What this server is willing to echo back from the client's flags. */
#define NTLMSSP_ECHO_FLAGS	(NTLMSSP_NEGOTIATE_SIGN |		\
	NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |	\
	NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |			\
	NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 |		\
	NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_KEY_EXCH |		\
	NTLMSSP_REQUEST_TARGET)

/* The Version structure this server sends (MS-NLMP 2.2.2.10). */
#define NTLMSSP_VERSION_MAJOR	10
#define NTLMSSP_VERSION_MINOR	0
#define NTLMSSP_VERSION_BUILD	20348
#define NTLMSSP_REVISION_W2K3	0x0f

enum ntlmssp_state {
	NTLMSSP_STATE_NEW = 0,
	NTLMSSP_STATE_CHALLENGED,
	NTLMSSP_STATE_PARSED,
	NTLMSSP_STATE_FAILED,
	NTLMSSP_STATE_DONE
};

struct ntlmssp_server {
	enum ntlmssp_state	 state;

	char			*nb_domain;
	char			*nb_computer;
	char			*dns_domain;
	char			*dns_computer;
	int			 allow_anonymous;

	uint32_t		 flags;		/* sent in CHALLENGE */
	uint8_t			 challenge[NTLMSSP_CHALLENGE_LEN];

	/* The three messages, kept for the MIC. */
	uint8_t			*neg;
	size_t			 neglen;
	uint8_t			*chal;
	size_t			 challen;
	uint8_t			*auth;
	size_t			 authlen;

	/* From the AUTHENTICATE message. */
	uint32_t		 auth_flags;
	size_t			 nt_off, nt_len;
	uint8_t			 enc_key[NTLMSSP_SESSION_KEY_LEN];
	int			 have_enc_key;
	struct wbuf		 user16;	/* UNICODE(Upper(User)) */
	struct wbuf		 domain16;	/* UNICODE(UserDom) as sent */
	int			 mic_present;
	int			 anonymous;
	int			 ntlmv1;
	int			 lm_only;

	/* After a successful verification. */
	uint8_t			 session_key[NTLMSSP_SESSION_KEY_LEN];
	int			 have_sig;
	struct ntlm_sig_state	 sig_c2s;
	struct ntlm_sig_state	 sig_s2c;
};

static void	 ntlmssp_free_copy(uint8_t **, size_t *);
static uint8_t	*ntlmssp_copy(const uint8_t *, size_t);
static int	 ntlmssp_check_header(struct rbuf *, uint32_t);
static int	 ntlmssp_put_name(struct wbuf *, const char *, int);
static int	 ntlmssp_put_av(struct wbuf *, uint16_t, const char *);
static uint64_t	 ntlmssp_filetime_now(void);
static int	 ntlmssp_get_field(const struct rbuf *, struct rbuf *,
		    size_t *, size_t *, size_t);
static int	 ntlmssp_get_string(struct rbuf *, int, char **);
static int	 ntlmssp_parse_v2_blob(struct ntlmssp_server *, struct rbuf *);
static int	 ntlmssp_response_key(const uint8_t [16], const struct wbuf *,
		    const uint8_t *, size_t, uint8_t [NTLM_MD5_LEN]);
static int	 ntlmssp_check_mic(struct ntlmssp_server *, const uint8_t *);
static int	 ntlmssp_verify_v2(struct ntlmssp_server *, const uint8_t [16],
		    uint8_t [NTLM_MD5_LEN]);

struct ntlmssp_server *
ntlmssp_server_new(const struct ntlmssp_server_cfg *cfg)
{
	struct ntlmssp_server *s;

	if (cfg == NULL || cfg->netbios_domain == NULL ||
	    cfg->netbios_computer == NULL ||
	    cfg->netbios_computer[0] == '\0') {
		log_warnx("ntlmssp: NetBIOS names are not configured");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->nb_domain = xstrdup(cfg->netbios_domain);
	s->nb_computer = xstrdup(cfg->netbios_computer);
	s->dns_domain = xstrdup(cfg->dns_domain ? cfg->dns_domain : "");
	s->dns_computer = xstrdup(cfg->dns_computer ? cfg->dns_computer : "");
	s->allow_anonymous = cfg->allow_anonymous;
	wbuf_init(&s->user16, NTLMSSP_MAX_NAME * 4);
	wbuf_init(&s->domain16, NTLMSSP_MAX_NAME * 4);
	return s;
}

void
ntlmssp_server_free(struct ntlmssp_server *s)
{
	if (s == NULL)
		return;
	free(s->nb_domain);
	free(s->nb_computer);
	free(s->dns_domain);
	free(s->dns_computer);
	ntlmssp_free_copy(&s->neg, &s->neglen);
	ntlmssp_free_copy(&s->chal, &s->challen);
	ntlmssp_free_copy(&s->auth, &s->authlen);
	wbuf_free(&s->user16);
	wbuf_free(&s->domain16);
	ntlm_sig_wipe(&s->sig_c2s);
	ntlm_sig_wipe(&s->sig_s2c);
	explicit_bzero(s, sizeof(*s));
	free(s);
}

uint32_t
ntlmssp_server_flags(const struct ntlmssp_server *s)
{
	return s->flags;
}

static void
ntlmssp_free_copy(uint8_t **p, size_t *len)
{
	if (*p != NULL) {
		explicit_bzero(*p, *len);
		free(*p);
	}
	*p = NULL;
	*len = 0;
}

static uint8_t *
ntlmssp_copy(const uint8_t *p, size_t len)
{
	uint8_t *c;

	c = xmalloc(len == 0 ? 1 : len);
	if (len > 0)
		memcpy(c, p, len);
	return c;
}

/* Signature and MessageType, common to all three messages. */
static int
ntlmssp_check_header(struct rbuf *r, uint32_t want)
{
	uint8_t sig[sizeof(ntlmssp_signature)];
	uint32_t type;

	if (rbuf_get_bytes(r, sig, sizeof(sig)) == -1 ||
	    rbuf_get_u32le(r, &type) == -1) {
		log_warnx("ntlmssp: truncated message");
		return -1;
	}
	if (memcmp(sig, ntlmssp_signature, sizeof(sig)) != 0) {
		log_warnx("ntlmssp: bad signature");
		return -1;
	}
	if (type != want) {
		log_warnx("ntlmssp: message type %u, expected %u", type, want);
		return -1;
	}
	return 0;
}

/* A name in the negotiated character set (UTF-16LE, or OEM as ASCII). */
static int
ntlmssp_put_name(struct wbuf *w, const char *name, int unicode)
{
	size_t i, len = strlen(name);

	if (unicode)
		return utf8_to_utf16le(name, len, w);
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] >= 0x80)
			return -1;
	return wbuf_put_bytes(w, name, len);
}

/* One AV_PAIR holding a UTF-16LE string. */
static int
ntlmssp_put_av(struct wbuf *w, uint16_t id, const char *value)
{
	size_t hdr, start;

	if (wbuf_put_u16le(w, id) == -1 ||
	    wbuf_reserve(w, 2, &hdr) == -1)
		return -1;
	start = wbuf_len(w);
	if (utf8_to_utf16le(value, strlen(value), w) == -1 ||
	    wbuf_len(w) - start > UINT16_MAX)
		return -1;
	return wbuf_set_u16le(w, hdr, (uint16_t)(wbuf_len(w) - start));
}

static uint64_t
ntlmssp_filetime_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 || ts.tv_sec < 0)
		return 0;
	return ((uint64_t)ts.tv_sec + FILETIME_UNIX_DELTA) * 10000000ULL +
	    (uint64_t)ts.tv_nsec / 100;
}

int
ntlmssp_server_negotiate(struct ntlmssp_server *s, const uint8_t *neg,
    size_t neglen, struct wbuf *out)
{
	struct wbuf w;
	struct rbuf r;
	uint32_t req, flags;
	size_t tn_hdr, ti_hdr, tn_start, ti_start, tn_len, ti_len;
	const char *target;
	int unicode;

	if (s->state != NTLMSSP_STATE_NEW) {
		log_warnx("ntlmssp: NEGOTIATE out of order");
		s->state = NTLMSSP_STATE_FAILED;
		return -1;
	}
	s->state = NTLMSSP_STATE_FAILED;
	if (neglen > NTLMSSP_MAX_MSG) {
		log_warnx("ntlmssp: NEGOTIATE too long");
		return -1;
	}

	/*
	 * NEGOTIATE_MESSAGE (2.2.1.1).  The domain and workstation fields
	 * and the Version that may follow the flags carry nothing a server
	 * needs, and some clients send a message that ends at the flags.
	 */
	rbuf_init(&r, neg, neglen);
	if (ntlmssp_check_header(&r, NTLMSSP_MSG_NEGOTIATE) == -1)
		return -1;
	if (rbuf_get_u32le(&r, &req) == -1) {
		log_warnx("ntlmssp: NEGOTIATE without flags");
		return -1;
	}

	/* Choose the flags (3.2.5.1.1). */
	if (req & NTLMSSP_NEGOTIATE_UNICODE)
		flags = NTLMSSP_NEGOTIATE_UNICODE;
	else if (req & NTLMSSP_NEGOTIATE_OEM)
		flags = NTLMSSP_NEGOTIATE_OEM;
	else {
		log_warnx("ntlmssp: client offers no character set");
		return -1;
	}
	unicode = (flags & NTLMSSP_NEGOTIATE_UNICODE) != 0;
	flags |= req & NTLMSSP_ECHO_FLAGS;
	flags |= NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_TARGET_INFO;
	/*
	 * usmbd is a stand-alone server: the target is the server itself,
	 * named by its NetBIOS name, the same as a Windows member of no
	 * domain answers.
	 */
	flags |= NTLMSSP_TARGET_TYPE_SERVER;
	target = s->nb_computer;

	arc4random_buf(s->challenge, sizeof(s->challenge));

	/* CHALLENGE_MESSAGE (2.2.1.2): fixed part, then the payload. */
	wbuf_init(&w, NTLMSSP_MAX_CHALLENGE);
	wbuf_put_bytes(&w, ntlmssp_signature, sizeof(ntlmssp_signature));
	wbuf_put_u32le(&w, NTLMSSP_MSG_CHALLENGE);
	wbuf_reserve(&w, 8, &tn_hdr);
	wbuf_put_u32le(&w, flags);
	wbuf_put_bytes(&w, s->challenge, sizeof(s->challenge));
	wbuf_put_zero(&w, 8);
	wbuf_reserve(&w, 8, &ti_hdr);
	if (flags & NTLMSSP_NEGOTIATE_VERSION) {
		wbuf_put_u8(&w, NTLMSSP_VERSION_MAJOR);
		wbuf_put_u8(&w, NTLMSSP_VERSION_MINOR);
		wbuf_put_u16le(&w, NTLMSSP_VERSION_BUILD);
		wbuf_put_zero(&w, 3);
		wbuf_put_u8(&w, NTLMSSP_REVISION_W2K3);
	} else
		wbuf_put_zero(&w, 8);

	tn_start = wbuf_len(&w);
	if (ntlmssp_put_name(&w, target, unicode) == -1)
		goto fail;
	tn_len = wbuf_len(&w) - tn_start;

	ti_start = wbuf_len(&w);
	if (ntlmssp_put_av(&w, NTLMSSP_AV_NB_DOMAIN_NAME, s->nb_domain) ==
	    -1 || ntlmssp_put_av(&w, NTLMSSP_AV_NB_COMPUTER_NAME,
	    s->nb_computer) == -1)
		goto fail;
	if (s->dns_domain[0] != '\0' &&
	    ntlmssp_put_av(&w, NTLMSSP_AV_DNS_DOMAIN_NAME, s->dns_domain) == -1)
		goto fail;
	if (s->dns_computer[0] != '\0' &&
	    ntlmssp_put_av(&w, NTLMSSP_AV_DNS_COMPUTER_NAME,
	    s->dns_computer) == -1)
		goto fail;
	/*
	 * The timestamp tells clients to send Z(24) instead of an LMv2
	 * response and to protect the exchange with a MIC (3.1.5.1.2).
	 */
	wbuf_put_u16le(&w, NTLMSSP_AV_TIMESTAMP);
	wbuf_put_u16le(&w, 8);
	wbuf_put_u64le(&w, ntlmssp_filetime_now());
	wbuf_put_u16le(&w, NTLMSSP_AV_EOL);
	wbuf_put_u16le(&w, 0);
	ti_len = wbuf_len(&w) - ti_start;

	if (wbuf_error(&w) || tn_len > UINT16_MAX || ti_len > UINT16_MAX)
		goto fail;
	wbuf_set_u16le(&w, tn_hdr, (uint16_t)tn_len);
	wbuf_set_u16le(&w, tn_hdr + 2, (uint16_t)tn_len);
	wbuf_set_u32le(&w, tn_hdr + 4, (uint32_t)tn_start);
	wbuf_set_u16le(&w, ti_hdr, (uint16_t)ti_len);
	wbuf_set_u16le(&w, ti_hdr + 2, (uint16_t)ti_len);
	wbuf_set_u32le(&w, ti_hdr + 4, (uint32_t)ti_start);
	if (wbuf_error(&w) ||
	    wbuf_put_bytes(out, wbuf_data(&w), wbuf_len(&w)) == -1)
		goto fail;

	s->flags = flags;
	s->neg = ntlmssp_copy(neg, neglen);
	s->neglen = neglen;
	s->chal = ntlmssp_copy(wbuf_data(&w), wbuf_len(&w));
	s->challen = wbuf_len(&w);
	wbuf_free(&w);
	s->state = NTLMSSP_STATE_CHALLENGED;
	return 0;

fail:
	log_warnx("ntlmssp: cannot build CHALLENGE (names too long or "
	    "not ASCII for an OEM client?)");
	wbuf_free(&w);
	explicit_bzero(s->challenge, sizeof(s->challenge));
	return -1;
}

int
ntlmssp_server_set_challenge(struct ntlmssp_server *s,
    const uint8_t challenge[NTLMSSP_CHALLENGE_LEN])
{
	if (s->state != NTLMSSP_STATE_CHALLENGED ||
	    s->challen < NTLMSSP_CHAL_CHAL_OFF + NTLMSSP_CHALLENGE_LEN)
		return -1;
	memcpy(s->challenge, challenge, NTLMSSP_CHALLENGE_LEN);
	memcpy(s->chal + NTLMSSP_CHAL_CHAL_OFF, challenge,
	    NTLMSSP_CHALLENGE_LEN);
	return 0;
}

/*
 * Read one Len/MaxLen/Offset triple and check that it lies inside the
 * message and after the fixed header; MaxLen is ignored as 2.2.1.3 allows.
 */
static int
ntlmssp_get_field(const struct rbuf *msg, struct rbuf *hdr, size_t *off,
    size_t *len, size_t hdrlen)
{
	uint16_t l, maxl;
	uint32_t o;
	struct rbuf sub;

	if (rbuf_get_u16le(hdr, &l) == -1 ||
	    rbuf_get_u16le(hdr, &maxl) == -1 ||
	    rbuf_get_u32le(hdr, &o) == -1)
		return -1;
	if (l == 0) {
		*off = 0;
		*len = 0;
		return 0;
	}
	if (o < hdrlen || rbuf_sub(msg, o, l, &sub) == -1) {
		log_warnx("ntlmssp: field [%u, +%u) outside the message",
		    o, l);
		return -1;
	}
	*off = o;
	*len = l;
	return 0;
}

/* Decode a name of the negotiated character set into allocated UTF-8. */
static int
ntlmssp_get_string(struct rbuf *r, int unicode, char **out)
{
	size_t len = rbuf_left(r), outlen, i;
	const uint8_t *p;
	char *s;

	*out = NULL;
	if (len > NTLMSSP_MAX_NAME)
		return -1;
	if (unicode) {
		if (len % 2 != 0)
			return -1;
		if (len == 0) {
			*out = xstrdup("");
			return 0;
		}
		if (utf16le_to_utf8(r, len, &s, &outlen) == -1)
			return -1;
		/* An embedded NUL would let two names look alike. */
		if (strlen(s) != outlen) {
			free(s);
			return -1;
		}
		*out = s;
		return 0;
	}
	if (rbuf_get_ptr(r, &p, len) == -1)
		return -1;
	for (i = 0; i < len; i++)
		if (p[i] == 0 || p[i] >= 0x80)
			return -1;
	s = xmalloc(len + 1);
	memcpy(s, p, len);
	s[len] = '\0';
	*out = s;
	return 0;
}

/*
 * The NTLMv2_CLIENT_CHALLENGE after NTProofStr: check its version and find
 * MsvAvFlags among the AV pairs, which says whether a MIC is present.
 */
static int
ntlmssp_parse_v2_blob(struct ntlmssp_server *s, struct rbuf *nt)
{
	uint8_t resptype, hiresptype;
	uint16_t id, len;
	uint32_t avflags;
	struct rbuf val;

	if (rbuf_skip(nt, NTLMV2_PROOF_LEN) == -1 ||
	    rbuf_get_u8(nt, &resptype) == -1 ||
	    rbuf_get_u8(nt, &hiresptype) == -1 ||
	    rbuf_skip(nt, NTLMV2_BLOB_HDR_LEN - 2) == -1)
		return -1;
	if (resptype != 1 || hiresptype != 1) {
		log_warnx("ntlmssp: NTLMv2 response type %u/%u", resptype,
		    hiresptype);
		return -1;
	}
	/*
	 * AvPairs until MsvAvEOL.  Clients pad the blob after the EOL (with
	 * four zero bytes in practice), so what follows EOL is not looked at.
	 */
	while (rbuf_left(nt) > 0) {
		if (rbuf_get_u16le(nt, &id) == -1 ||
		    rbuf_get_u16le(nt, &len) == -1 ||
		    rbuf_take(nt, len, &val) == -1) {
			log_warnx("ntlmssp: malformed AV pair in response");
			return -1;
		}
		if (id == NTLMSSP_AV_EOL)
			break;
		if (id == NTLMSSP_AV_FLAGS) {
			if (rbuf_get_u32le(&val, &avflags) == -1)
				return -1;
			if (avflags & NTLMSSP_AVFLAG_MIC)
				s->mic_present = 1;
		}
	}
	return 0;
}

int
ntlmssp_server_parse_auth(struct ntlmssp_server *s, const uint8_t *auth,
    size_t authlen, struct ntlmssp_auth_info *info)
{
	struct rbuf msg, hdr, f, nt;
	size_t lm_off, lm_len, dom_off, dom_len, user_off, user_len;
	size_t ws_off, ws_len, key_off, key_len, hdrlen;
	uint8_t lm0;
	char *upper = NULL;
	int unicode;

	memset(info, 0, sizeof(*info));
	if (s->state != NTLMSSP_STATE_CHALLENGED) {
		log_warnx("ntlmssp: AUTHENTICATE out of order");
		s->state = NTLMSSP_STATE_FAILED;
		return -1;
	}
	s->state = NTLMSSP_STATE_FAILED;
	if (authlen > NTLMSSP_MAX_MSG) {
		log_warnx("ntlmssp: AUTHENTICATE too long");
		return -1;
	}

	/* AUTHENTICATE_MESSAGE (2.2.1.3). */
	rbuf_init(&msg, auth, authlen);
	rbuf_init(&hdr, auth, authlen);
	if (ntlmssp_check_header(&hdr, NTLMSSP_MSG_AUTHENTICATE) == -1)
		return -1;
	if (authlen < NTLMSSP_AUTH_HDR_LEN) {
		log_warnx("ntlmssp: AUTHENTICATE of %zu bytes", authlen);
		return -1;
	}
	/*
	 * Where the payload may start is only known after the flags and
	 * the AV pairs are read, so fields are first checked against the
	 * fixed header and, once a MIC is known to be present, against the
	 * end of the MIC.
	 */
	hdrlen = NTLMSSP_AUTH_HDR_LEN;
	if (ntlmssp_get_field(&msg, &hdr, &lm_off, &lm_len, hdrlen) == -1 ||
	    ntlmssp_get_field(&msg, &hdr, &s->nt_off, &s->nt_len, hdrlen) ==
	    -1 ||
	    ntlmssp_get_field(&msg, &hdr, &dom_off, &dom_len, hdrlen) == -1 ||
	    ntlmssp_get_field(&msg, &hdr, &user_off, &user_len, hdrlen) ==
	    -1 ||
	    ntlmssp_get_field(&msg, &hdr, &ws_off, &ws_len, hdrlen) == -1 ||
	    ntlmssp_get_field(&msg, &hdr, &key_off, &key_len, hdrlen) == -1 ||
	    rbuf_get_u32le(&hdr, &s->auth_flags) == -1) {
		log_warnx("ntlmssp: malformed AUTHENTICATE");
		return -1;
	}
	if (s->auth_flags & NTLMSSP_NEGOTIATE_UNICODE)
		unicode = 1;
	else if (s->auth_flags & NTLMSSP_NEGOTIATE_OEM)
		unicode = 0;
	else
		unicode = (s->flags & NTLMSSP_NEGOTIATE_UNICODE) != 0;

	/* The responses. */
	if (s->nt_len == 0) {
		lm0 = 1;
		if (lm_len == 1) {
			rbuf_sub(&msg, lm_off, lm_len, &f);
			rbuf_get_u8(&f, &lm0);
		}
		if (user_len == 0 && (lm_len == 0 || (lm_len == 1 &&
		    lm0 == 0)))
			s->anonymous = 1;
		else
			s->lm_only = 1;
	} else if (s->nt_len == 24)
		s->ntlmv1 = 1;
	else {
		rbuf_sub(&msg, s->nt_off, s->nt_len, &nt);
		if (ntlmssp_parse_v2_blob(s, &nt) == -1)
			return -1;
	}
	if (s->mic_present) {
		hdrlen = NTLMSSP_MIC_OFFSET + NTLMSSP_MIC_LEN;
		if (authlen < hdrlen ||
		    (lm_len > 0 && lm_off < hdrlen) ||
		    (s->nt_len > 0 && s->nt_off < hdrlen) ||
		    (dom_len > 0 && dom_off < hdrlen) ||
		    (user_len > 0 && user_off < hdrlen) ||
		    (ws_len > 0 && ws_off < hdrlen) ||
		    (key_len > 0 && key_off < hdrlen)) {
			log_warnx("ntlmssp: payload overlaps the MIC");
			return -1;
		}
	}

	if (key_len != 0) {
		if (key_len != NTLMSSP_SESSION_KEY_LEN) {
			log_warnx("ntlmssp: session key of %zu bytes",
			    key_len);
			return -1;
		}
		rbuf_sub(&msg, key_off, key_len, &f);
		rbuf_get_bytes(&f, s->enc_key, sizeof(s->enc_key));
		s->have_enc_key = 1;
	}

	/* The names. */
	rbuf_sub(&msg, user_off, user_len, &f);
	if (ntlmssp_get_string(&f, unicode, &info->user) == -1)
		goto badname;
	rbuf_sub(&msg, dom_off, dom_len, &f);
	if (ntlmssp_get_string(&f, unicode, &info->domain) == -1)
		goto badname;
	rbuf_sub(&msg, ws_off, ws_len, &f);
	if (ntlmssp_get_string(&f, unicode, &info->workstation) == -1)
		goto badname;

	/*
	 * NTOWFv2 hashes UNICODE(Upper(User)) || UNICODE(UserDom); keep the
	 * domain in the client's own UTF-16 so no round trip can alter it.
	 */
	if (utf8_upper(info->user, &upper) == -1 ||
	    utf8_to_utf16le(upper, strlen(upper), &s->user16) == -1)
		goto badname;
	free(upper);
	upper = NULL;
	if (unicode) {
		rbuf_sub(&msg, dom_off, dom_len, &f);
		if (wbuf_put_bytes(&s->domain16, rbuf_cur(&f), dom_len) == -1)
			goto badname;
	} else if (utf8_to_utf16le(info->domain, strlen(info->domain),
	    &s->domain16) == -1)
		goto badname;

	s->auth = ntlmssp_copy(auth, authlen);
	s->authlen = authlen;
	info->flags = s->auth_flags;
	info->anonymous = s->anonymous;
	info->ntlmv1 = s->ntlmv1;
	s->state = NTLMSSP_STATE_PARSED;
	return 0;

badname:
	log_warnx("ntlmssp: bad user, domain or workstation name");
	free(upper);
	ntlmssp_auth_info_free(info);
	return -1;
}

void
ntlmssp_auth_info_free(struct ntlmssp_auth_info *info)
{
	free(info->user);
	free(info->domain);
	free(info->workstation);
	memset(info, 0, sizeof(*info));
}

/* ResponseKeyNT = HMAC_MD5(NT hash, UNICODE(Upper(User)) || domain). */
static int
ntlmssp_response_key(const uint8_t nt_hash[16], const struct wbuf *user16,
    const uint8_t *dom, size_t domlen, uint8_t out[NTLM_MD5_LEN])
{
	struct ntlm_hmac h;

	if (ntlm_hmac_md5_init(&h, nt_hash, 16) == -1 ||
	    ntlm_hmac_md5_update(&h, wbuf_data(user16), wbuf_len(user16)) ==
	    -1 || ntlm_hmac_md5_update(&h, dom, domlen) == -1)
		return -1;
	return ntlm_hmac_md5_final(&h, out);
}

/*
 * MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE ||
 * AUTHENTICATE with the MIC field zeroed) (3.2.5.1.2).
 */
static int
ntlmssp_check_mic(struct ntlmssp_server *s, const uint8_t *key)
{
	uint8_t mic[NTLMSSP_MIC_LEN], zero[NTLMSSP_MIC_LEN];
	struct ntlm_hmac h;
	int ret;

	memset(zero, 0, sizeof(zero));
	if (ntlm_hmac_md5_init(&h, key, NTLMSSP_SESSION_KEY_LEN) == -1 ||
	    ntlm_hmac_md5_update(&h, s->neg, s->neglen) == -1 ||
	    ntlm_hmac_md5_update(&h, s->chal, s->challen) == -1 ||
	    ntlm_hmac_md5_update(&h, s->auth, NTLMSSP_MIC_OFFSET) == -1 ||
	    ntlm_hmac_md5_update(&h, zero, sizeof(zero)) == -1 ||
	    ntlm_hmac_md5_update(&h, s->auth + NTLMSSP_MIC_OFFSET +
	    NTLMSSP_MIC_LEN, s->authlen - NTLMSSP_MIC_OFFSET -
	    NTLMSSP_MIC_LEN) == -1 ||
	    ntlm_hmac_md5_final(&h, mic) == -1)
		return -1;
	ret = ct_memcmp(mic, s->auth + NTLMSSP_MIC_OFFSET, sizeof(mic)) == 0 ?
	    0 : -1;
	explicit_bzero(mic, sizeof(mic));
	return ret;
}

/* NTLMv2 (3.3.2): check NTProofStr and return the SessionBaseKey. */
static int
ntlmssp_verify_v2(struct ntlmssp_server *s, const uint8_t nt_hash[16],
    uint8_t base_key[NTLM_MD5_LEN])
{
	uint8_t key[NTLM_MD5_LEN], proof[NTLM_MD5_LEN];
	const uint8_t *nt = s->auth + s->nt_off;
	struct ntlm_hmac h;
	int attempt, ok = 0;

	for (attempt = 0; attempt < 2 && !ok; attempt++) {
		/* The second attempt is the NIL domain of 3.2.5.1.2. */
		if (attempt == 1 && wbuf_len(&s->domain16) == 0)
			break;
		if (ntlmssp_response_key(nt_hash, &s->user16,
		    attempt == 0 ? wbuf_data(&s->domain16) : NULL,
		    attempt == 0 ? wbuf_len(&s->domain16) : 0, key) == -1)
			goto fail;
		if (ntlm_hmac_md5_init(&h, key, sizeof(key)) == -1 ||
		    ntlm_hmac_md5_update(&h, s->challenge,
		    sizeof(s->challenge)) == -1 ||
		    ntlm_hmac_md5_update(&h, nt + NTLMV2_PROOF_LEN,
		    s->nt_len - NTLMV2_PROOF_LEN) == -1 ||
		    ntlm_hmac_md5_final(&h, proof) == -1)
			goto fail;
		ok = ct_memcmp(proof, nt, NTLMV2_PROOF_LEN) == 0;
	}
	if (!ok)
		goto fail;
	if (ntlm_hmac_md5(key, sizeof(key), proof, sizeof(proof), base_key) ==
	    -1)
		goto fail;
	explicit_bzero(key, sizeof(key));
	explicit_bzero(proof, sizeof(proof));
	return 0;

fail:
	explicit_bzero(key, sizeof(key));
	explicit_bzero(proof, sizeof(proof));
	return -1;
}

int
ntlmssp_server_verify(struct ntlmssp_server *s, const uint8_t nt_hash[16],
    uint8_t session_key[NTLMSSP_SESSION_KEY_LEN])
{
	uint8_t kxkey[NTLM_MD5_LEN];
	uint32_t nf;

	memset(session_key, 0, NTLMSSP_SESSION_KEY_LEN);
	if (s->state != NTLMSSP_STATE_PARSED) {
		log_warnx("ntlmssp: verification out of order");
		s->state = NTLMSSP_STATE_FAILED;
		return -1;
	}
	/* One attempt per challenge: no password guessing on one exchange. */
	s->state = NTLMSSP_STATE_FAILED;

	memset(kxkey, 0, sizeof(kxkey));
	if (s->anonymous) {
		if (!s->allow_anonymous) {
			log_info("ntlmssp: anonymous logon refused");
			return -1;
		}
	} else if (s->ntlmv1) {
		log_info("ntlmssp: NTLMv1 response refused");
		return -1;
	} else if (s->lm_only) {
		log_info("ntlmssp: LM response refused");
		return -1;
	} else if (nt_hash == NULL || ntlmssp_verify_v2(s, nt_hash, kxkey) ==
	    -1)
		return -1;

	/*
	 * KeyExchangeKey is the SessionBaseKey for NTLMv2; with key exchange
	 * the exported key is what the client encrypted with it.
	 */
	nf = s->flags & s->auth_flags;
	if ((nf & NTLMSSP_NEGOTIATE_KEY_EXCH) &&
	    (nf & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL))) {
		if (!s->have_enc_key) {
			log_warnx("ntlmssp: key exchange without a key");
			goto fail;
		}
		ntlm_rc4k(kxkey, sizeof(kxkey), s->enc_key, s->session_key,
		    sizeof(s->session_key));
	} else
		memcpy(s->session_key, kxkey, sizeof(s->session_key));

	if (s->mic_present && !s->anonymous &&
	    ntlmssp_check_mic(s, s->session_key) == -1) {
		log_warnx("ntlmssp: MIC mismatch");
		goto fail;
	}

	if (!s->anonymous && (nf &
	    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) &&
	    ntlm_sig_init(&s->sig_c2s, s->session_key, nf, 1) == 0 &&
	    ntlm_sig_init(&s->sig_s2c, s->session_key, nf, 0) == 0)
		s->have_sig = 1;

	memcpy(session_key, s->session_key, NTLMSSP_SESSION_KEY_LEN);
	explicit_bzero(kxkey, sizeof(kxkey));
	s->state = NTLMSSP_STATE_DONE;
	return 0;

fail:
	explicit_bzero(kxkey, sizeof(kxkey));
	explicit_bzero(s->session_key, sizeof(s->session_key));
	return -1;
}

int
ntlmssp_server_sign(struct ntlmssp_server *s, const uint8_t *msg,
    size_t len, uint8_t sig[NTLMSSP_SIG_LEN])
{
	if (s->state != NTLMSSP_STATE_DONE || !s->have_sig) {
		memset(sig, 0, NTLMSSP_SIG_LEN);
		return -1;
	}
	return ntlm_sig_compute(&s->sig_s2c, msg, len, sig);
}

int
ntlmssp_server_check_sig(struct ntlmssp_server *s, const uint8_t *msg,
    size_t len, const uint8_t sig[NTLMSSP_SIG_LEN])
{
	uint8_t want[NTLMSSP_SIG_LEN];
	int ret;

	if (s->state != NTLMSSP_STATE_DONE || !s->have_sig)
		return -1;
	if (ntlm_sig_compute(&s->sig_c2s, msg, len, want) == -1)
		return -1;
	ret = ct_memcmp(want, sig, sizeof(want)) == 0 ? 0 : -1;
	explicit_bzero(want, sizeof(want));
	return ret;
}
