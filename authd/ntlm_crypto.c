/*
 * NTLM cryptographic primitives: MD5 and HMAC-MD5 through OpenSSL's EVP,
 * RC4 written from its published description (OpenSSL 3 keeps RC4 in the
 * legacy provider, which a sandboxed authd should not have to load), and
 * the MS-NLMP 3.4 signing keys and message signatures built on them.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "log.h"
#include "ntlm_crypto.h"
#include "ntlmssp.h"

static EVP_MAC *ntlm_hmac_alg;

/*
 * Fetch the HMAC implementation once: the fetch walks the provider tables
 * and every authentication needs several MACs.
 */
static EVP_MAC *
ntlm_hmac_fetch(void)
{
	if (ntlm_hmac_alg == NULL &&
	    (ntlm_hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		log_warnx("ntlm: HMAC is not available from OpenSSL");
	return ntlm_hmac_alg;
}

int
ntlm_crypto_init(void)
{
	uint8_t out[NTLM_MD5_LEN];
	int ret;

	/*
	 * The first use of an algorithm loads OpenSSL's configuration and
	 * providers from disk; do it while files can still be opened.
	 */
	ret = ntlm_md5("", 0, out);
	if (ret == 0)
		ret = ntlm_hmac_md5(out, sizeof(out), "", 0, out);
	explicit_bzero(out, sizeof(out));
	return ret;
}

int
ntlm_hmac_md5_init(struct ntlm_hmac *h, const uint8_t *key, size_t keylen)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	EVP_MAC *mac;

	h->ctx = NULL;
	if ((mac = ntlm_hmac_fetch()) == NULL)
		return -1;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"MD5", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, keylen, params) != 1) {
		log_warnx("ntlm: HMAC-MD5 init failed");
		EVP_MAC_CTX_free(ctx);
		return -1;
	}
	h->ctx = ctx;
	return 0;
}

int
ntlm_hmac_md5_update(struct ntlm_hmac *h, const void *data, size_t len)
{
	if (h->ctx == NULL)
		return -1;
	if (len == 0)
		return 0;
	if (EVP_MAC_update(h->ctx, data, len) != 1) {
		ntlm_hmac_md5_abort(h);
		return -1;
	}
	return 0;
}

int
ntlm_hmac_md5_final(struct ntlm_hmac *h, uint8_t out[NTLM_MD5_LEN])
{
	size_t outlen = 0;
	int ret = -1;

	if (h->ctx != NULL &&
	    EVP_MAC_final(h->ctx, out, &outlen, NTLM_MD5_LEN) == 1 &&
	    outlen == NTLM_MD5_LEN)
		ret = 0;
	ntlm_hmac_md5_abort(h);
	if (ret == -1)
		memset(out, 0, NTLM_MD5_LEN);
	return ret;
}

void
ntlm_hmac_md5_abort(struct ntlm_hmac *h)
{
	/* EVP_MAC_CTX_free cleanses the key schedule it held. */
	EVP_MAC_CTX_free(h->ctx);
	h->ctx = NULL;
}

int
ntlm_hmac_md5(const uint8_t *key, size_t keylen, const void *data,
    size_t len, uint8_t out[NTLM_MD5_LEN])
{
	struct ntlm_hmac h;

	if (ntlm_hmac_md5_init(&h, key, keylen) == -1 ||
	    ntlm_hmac_md5_update(&h, data, len) == -1) {
		memset(out, 0, NTLM_MD5_LEN);
		return -1;
	}
	return ntlm_hmac_md5_final(&h, out);
}

int
ntlm_md5(const void *data, size_t len, uint8_t out[NTLM_MD5_LEN])
{
	unsigned int outlen = 0;

	if (EVP_Digest(data, len, out, &outlen, EVP_md5(), NULL) != 1 ||
	    outlen != NTLM_MD5_LEN) {
		memset(out, 0, NTLM_MD5_LEN);
		return -1;
	}
	return 0;
}

/*
 * RC4: the key-scheduling algorithm permutes the identity table with the
 * key, then each output byte comes from one step of the pseudo-random
 * generation algorithm.  Written out because the protocol requires it,
 * not because it is a good cipher.
 */
void
ntlm_rc4_init(struct ntlm_rc4 *st, const uint8_t *key, size_t keylen)
{
	unsigned int i, j;
	uint8_t t;

	for (i = 0; i < 256; i++)
		st->s[i] = (uint8_t)i;
	if (keylen == 0) {
		st->i = st->j = 0;
		return;
	}
	for (i = 0, j = 0; i < 256; i++) {
		j = (j + st->s[i] + key[i % keylen]) & 0xff;
		t = st->s[i];
		st->s[i] = st->s[j];
		st->s[j] = t;
	}
	st->i = st->j = 0;
}

void
ntlm_rc4_crypt(struct ntlm_rc4 *st, uint8_t *buf, size_t len)
{
	uint8_t i = st->i, j = st->j, t;
	size_t n;

	for (n = 0; n < len; n++) {
		i = (uint8_t)(i + 1);
		j = (uint8_t)(j + st->s[i]);
		t = st->s[i];
		st->s[i] = st->s[j];
		st->s[j] = t;
		buf[n] ^= st->s[(uint8_t)(st->s[i] + st->s[j])];
	}
	st->i = i;
	st->j = j;
}

void
ntlm_rc4k(const uint8_t *key, size_t keylen, const uint8_t *in,
    uint8_t *out, size_t len)
{
	struct ntlm_rc4 st;

	ntlm_rc4_init(&st, key, keylen);
	if (out != in && len > 0)
		memmove(out, in, len);
	ntlm_rc4_crypt(&st, out, len);
	ntlm_rc4_wipe(&st);
}

void
ntlm_rc4_wipe(struct ntlm_rc4 *st)
{
	explicit_bzero(st, sizeof(*st));
}

/* The magic constants of MS-NLMP 3.4.5.2 and 3.4.5.3, NUL included. */
static const char ntlm_c2s_sign[] =
    "session key to client-to-server signing key magic constant";
static const char ntlm_s2c_sign[] =
    "session key to server-to-client signing key magic constant";
static const char ntlm_c2s_seal[] =
    "session key to client-to-server sealing key magic constant";
static const char ntlm_s2c_seal[] =
    "session key to server-to-client sealing key magic constant";

/* MD5(key || magic), the shape of both SIGNKEY and SEALKEY. */
static int
ntlm_derive(const uint8_t *key, size_t keylen, const char *magic,
    size_t magiclen, uint8_t out[NTLM_MD5_LEN])
{
	uint8_t buf[NTLM_MD5_LEN + 64];
	int ret;

	if (keylen > NTLM_MD5_LEN || magiclen > 64)
		return -1;
	memcpy(buf, key, keylen);
	memcpy(buf + keylen, magic, magiclen);
	ret = ntlm_md5(buf, keylen + magiclen, out);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int
ntlm_sig_init(struct ntlm_sig_state *sig,
    const uint8_t exported[NTLM_MD5_LEN], uint32_t flags, int client_to_server)
{
	size_t seallen;

	memset(sig, 0, sizeof(*sig));
	/*
	 * Only the extended session security signature is supported: every
	 * NTLMv2 client negotiates it, and the older form is weaker still.
	 */
	if ((flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) == 0)
		return -1;
	if (flags & NTLMSSP_NEGOTIATE_128)
		seallen = 16;
	else if (flags & NTLMSSP_NEGOTIATE_56)
		seallen = 7;
	else
		seallen = 5;
	if (ntlm_derive(exported, NTLM_MD5_LEN,
	    client_to_server ? ntlm_c2s_sign : ntlm_s2c_sign,
	    sizeof(ntlm_c2s_sign), sig->sign_key) == -1 ||
	    ntlm_derive(exported, seallen,
	    client_to_server ? ntlm_c2s_seal : ntlm_s2c_seal,
	    sizeof(ntlm_c2s_seal), sig->seal_key) == -1) {
		ntlm_sig_wipe(sig);
		return -1;
	}
	ntlm_rc4_init(&sig->seal, sig->seal_key, sizeof(sig->seal_key));
	sig->key_exch = (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0;
	return 0;
}

int
ntlm_sig_compute(struct ntlm_sig_state *sig, const uint8_t *msg, size_t len,
    uint8_t out[NTLM_SIG_LEN])
{
	uint8_t seq[4], mac[NTLM_MD5_LEN];
	struct ntlm_hmac h;

	seq[0] = (uint8_t)sig->seqnum;
	seq[1] = (uint8_t)(sig->seqnum >> 8);
	seq[2] = (uint8_t)(sig->seqnum >> 16);
	seq[3] = (uint8_t)(sig->seqnum >> 24);
	if (ntlm_hmac_md5_init(&h, sig->sign_key, sizeof(sig->sign_key)) ==
	    -1 || ntlm_hmac_md5_update(&h, seq, sizeof(seq)) == -1 ||
	    ntlm_hmac_md5_update(&h, msg, len) == -1 ||
	    ntlm_hmac_md5_final(&h, mac) == -1) {
		memset(out, 0, NTLM_SIG_LEN);
		return -1;
	}
	if (sig->key_exch)
		ntlm_rc4_crypt(&sig->seal, mac, 8);
	/* Version 1, checksum, sequence number (MS-NLMP 2.2.2.9.2). */
	out[0] = 1;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, mac, 8);
	memcpy(out + 12, seq, 4);
	sig->seqnum++;
	explicit_bzero(mac, sizeof(mac));
	return 0;
}

void
ntlm_sig_wipe(struct ntlm_sig_state *sig)
{
	explicit_bzero(sig, sizeof(*sig));
}
