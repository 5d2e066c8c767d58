/*
 * SMB2/3 cryptography on OpenSSL 3 EVP: the SP800-108 key derivation,
 * HMAC-SHA256 / AES-CMAC / AES-GMAC signing, AES-CCM / AES-GCM encryption
 * behind the TRANSFORM_HEADER, and the SHA-512 preauthentication integrity
 * hash (MS-SMB2 2.2.41, 3.1.4.1-3.1.4.3, 3.1.5.1, 3.3.5.2.1.1, 3.3.5.5.3).
 *
 * The algorithms are fetched from the providers once; every signer and
 * cryptor keys its EVP contexts once at creation and only re-initialises
 * them per message, so the per-message paths allocate nothing.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/uio.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "buf.h"
#include "log.h"
#include "smb2_crypto.h"
#include "util.h"

/* Header fields the signing nonce needs (MS-SMB2 2.2.1). */
#define CRYPTO_HDR_LEN		64
#define CRYPTO_OFF_COMMAND	12
#define CRYPTO_OFF_FLAGS	16
#define CRYPTO_OFF_MESSAGEID	24
#define CRYPTO_FLAG_RESPONSE	0x00000001	/* SERVER_TO_REDIR */
#define CRYPTO_CMD_CANCEL	0x000c

#define CRYPTO_TAG_LEN		16
#define CRYPTO_CCM_NONCE_LEN	11
#define CRYPTO_GCM_NONCE_LEN	12
#define CRYPTO_NONCE_FIELD_LEN	16
#define CRYPTO_AAD_LEN		(SMB2_TRANSFORM_HDR_LEN - \
				    SMB2_TRANSFORM_AAD_OFFSET)

static int		 crypto_ready;
static EVP_MAC		*crypto_hmac;
static EVP_MAC		*crypto_cmac;
static EVP_MD		*crypto_sha512;
static EVP_CIPHER	*crypto_aes128_cbc;	/* keeps CMAC's cipher cached */
static EVP_CIPHER	*crypto_cipher[5];	/* by enum smb2_cipher */

struct smb2_signer {
	enum smb2_signalg	 alg;
	EVP_MAC_CTX		*mac;	/* HMAC-SHA256 or AES-CMAC */
	EVP_CIPHER_CTX		*gcm;	/* AES-GMAC: GCM with AAD only */
};

/*
 * The nonce of every message this cryptor encrypts is
 *
 *	salt (3 bytes for CCM, 4 for GCM) || counter (8 bytes, little endian)
 *
 * The salt is random and fixed for the cryptor's life; the counter starts
 * at a random value and goes up by one per message, and the cryptor refuses
 * to encrypt once it would come back to where it started.  One cryptor
 * therefore never repeats a nonce (SP800-38D 8.2.1's deterministic
 * construction, with the invocation counter in the low 64 bits).  The
 * random salt and start keep two cryptors that end up with the same key
 * (the key of a session is known to the preauth process and to the session
 * worker, and to every channel of the session) apart: they would have to
 * draw the same salt and overlapping counter ranges.
 */
struct smb2_cryptor {
	enum smb2_cipher	 cipher;
	int			 ccm;
	size_t			 noncelen;
	EVP_CIPHER_CTX		*enc;
	EVP_CIPHER_CTX		*dec;
	uint8_t			 salt[4];
	uint64_t		 counter;
	uint64_t		 left;
};

void
smb2_crypto_init(void)
{
	static const char *names[5] = {
		NULL, "AES-128-CCM", "AES-128-GCM", "AES-256-CCM",
		"AES-256-GCM"
	};
	size_t i;

	if (crypto_ready)
		return;
	if ((crypto_hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC,
	    NULL)) == NULL ||
	    (crypto_cmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_CMAC,
	    NULL)) == NULL ||
	    (crypto_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL)) == NULL ||
	    (crypto_aes128_cbc = EVP_CIPHER_fetch(NULL, "AES-128-CBC",
	    NULL)) == NULL)
		fatalx("%s: libcrypto lacks HMAC, CMAC, SHA-512 or AES",
		    __func__);
	for (i = 1; i < nitems(names); i++)
		if ((crypto_cipher[i] = EVP_CIPHER_fetch(NULL, names[i],
		    NULL)) == NULL)
			fatalx("%s: libcrypto lacks %s", __func__, names[i]);
	crypto_ready = 1;
}

/* Feed n bytes to a cipher context as AAD (out == NULL) or data. */
static int
crypto_cipher_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in,
    size_t n)
{
	int chunk, outl;

	while (n > 0) {
		chunk = n > INT_MAX / 2 ? INT_MAX / 2 : (int)n;
		if (!EVP_CipherUpdate(ctx, out, &outl, in, chunk) ||
		    (out != NULL && outl != chunk))
			return -1;
		in += chunk;
		if (out != NULL)
			out += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

int
smb2_kdf(const uint8_t *key, size_t keylen, const void *label,
    size_t labellen, const void *context, size_t contextlen, uint8_t *out,
    size_t outlen)
{
	static const uint8_t sep = 0;
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	uint8_t block[32], counter[4], bits[4];
	size_t off, n, blen;
	uint32_t i, l;
	int rv = -1;

	/* L is a 32-bit count of bits; SMB never asks for over 32 bytes. */
	if (key == NULL || keylen == 0 || out == NULL || outlen == 0 ||
	    outlen > 1024 || (label == NULL && labellen > 0) ||
	    (context == NULL && contextlen > 0))
		return -1;
	smb2_crypto_init();
	if ((ctx = EVP_MAC_CTX_new(crypto_hmac)) == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	l = (uint32_t)outlen * 8;
	bits[0] = l >> 24;
	bits[1] = l >> 16;
	bits[2] = l >> 8;
	bits[3] = l;
	for (i = 1, off = 0; off < outlen; i++) {
		counter[0] = i >> 24;
		counter[1] = i >> 16;
		counter[2] = i >> 8;
		counter[3] = i;
		/* K(i) = PRF(KI, [i]2 || Label || 0x00 || Context || [L]2). */
		if (!EVP_MAC_init(ctx, key, keylen, params) ||
		    !EVP_MAC_update(ctx, counter, sizeof(counter)) ||
		    (labellen > 0 && !EVP_MAC_update(ctx, label, labellen)) ||
		    !EVP_MAC_update(ctx, &sep, 1) ||
		    (contextlen > 0 &&
		    !EVP_MAC_update(ctx, context, contextlen)) ||
		    !EVP_MAC_update(ctx, bits, sizeof(bits)) ||
		    !EVP_MAC_final(ctx, block, &blen, sizeof(block)) ||
		    blen != sizeof(block))
			goto out;
		n = outlen - off < blen ? outlen - off : blen;
		memcpy(out + off, block, n);
		off += n;
	}
	rv = 0;
 out:
	explicit_bzero(block, sizeof(block));
	EVP_MAC_CTX_free(ctx);
	if (rv == -1)
		explicit_bzero(out, outlen);
	return rv;
}

int
smb2_derive_keys(uint16_t dialect, enum smb2_cipher cipher,
    const uint8_t *session_key, size_t session_key_len,
    const uint8_t *preauth_hash, struct smb2_keys *k)
{
	/* MS-SMB2 3.3.5.5.3: the labels and contexts include their NUL. */
	static const char l30_sign[] = "SMB2AESCMAC", c30_sign[] = "SmbSign";
	static const char l30_app[] = "SMB2APP", c30_app[] = "SmbRpc";
	static const char l30_ccm[] = "SMB2AESCCM";
	static const char c30_out[] = "ServerOut", c30_in[] = "ServerIn ";
	static const char l311_sign[] = "SMBSigningKey";
	static const char l311_app[] = "SMBAppKey";
	static const char l311_s2c[] = "SMBS2CCipherKey";
	static const char l311_c2s[] = "SMBC2SCipherKey";
	const void *ls, *la, *le, *ld, *cs, *ca, *ce, *cd;
	size_t lsn, lan, len, ldn, csn, can, cen, cdn, n, ckeylen;
	const uint8_t *ckey;
	uint8_t sk[16];

	if (k == NULL)
		return -1;
	memset(k, 0, sizeof(*k));
	if (session_key == NULL || session_key_len == 0) {
		log_warnx("%s: no session key", __func__);
		return -1;
	}
	/* Session.SessionKey: the first 16 bytes, right-padded with zeros. */
	memset(sk, 0, sizeof(sk));
	n = session_key_len < sizeof(sk) ? session_key_len : sizeof(sk);
	memcpy(sk, session_key, n);

	switch (dialect) {
	case SMB2_DIALECT_202:
	case SMB2_DIALECT_210:
		/* No derivation: the session key signs (3.3.5.5.3). */
		if (cipher != SMB2_CIPHER_NONE)
			goto badcipher;
		memcpy(k->signing, sk, sizeof(sk));
		k->signing_len = sizeof(sk);
		memcpy(k->application, sk, sizeof(sk));
		explicit_bzero(sk, sizeof(sk));
		return 0;
	case SMB2_DIALECT_300:
	case SMB2_DIALECT_302:
		if (cipher != SMB2_CIPHER_NONE &&
		    cipher != SMB2_CIPHER_AES128_CCM)
			goto badcipher;
		ls = l30_sign, lsn = sizeof(l30_sign);
		cs = c30_sign, csn = sizeof(c30_sign);
		la = l30_app, lan = sizeof(l30_app);
		ca = c30_app, can = sizeof(c30_app);
		le = l30_ccm, len = sizeof(l30_ccm);
		ce = c30_out, cen = sizeof(c30_out);
		ld = l30_ccm, ldn = sizeof(l30_ccm);
		cd = c30_in, cdn = sizeof(c30_in);
		break;
	case SMB2_DIALECT_311:
		if ((unsigned)cipher > SMB2_CIPHER_AES256_GCM)
			goto badcipher;
		if (preauth_hash == NULL) {
			log_warnx("%s: 3.1.1 without a preauth hash",
			    __func__);
			return -1;
		}
		ls = l311_sign, lsn = sizeof(l311_sign);
		la = l311_app, lan = sizeof(l311_app);
		le = l311_s2c, len = sizeof(l311_s2c);
		ld = l311_c2s, ldn = sizeof(l311_c2s);
		cs = ca = ce = cd = preauth_hash;
		csn = can = cen = cdn = SMB2_PREAUTH_HASH_LEN;
		break;
	default:
		log_warnx("%s: dialect 0x%04x has no keys", __func__, dialect);
		return -1;
	}

	/*
	 * Signing and application keys are 128 bits from SessionKey; the
	 * AES-256 ciphers take 256-bit keys derived from FullSessionKey.
	 */
	if (cipher == SMB2_CIPHER_AES256_CCM ||
	    cipher == SMB2_CIPHER_AES256_GCM) {
		k->cipher_key_len = 32;
		ckey = session_key_len >= sizeof(sk) ? session_key : sk;
		ckeylen = session_key_len >= sizeof(sk) ? session_key_len :
		    sizeof(sk);
	} else {
		k->cipher_key_len = 16;
		ckey = sk;
		ckeylen = sizeof(sk);
	}
	k->signing_len = 16;
	if (smb2_kdf(sk, sizeof(sk), ls, lsn, cs, csn, k->signing,
	    k->signing_len) == -1 ||
	    smb2_kdf(sk, sizeof(sk), la, lan, ca, can, k->application,
	    sizeof(k->application)) == -1 ||
	    smb2_kdf(ckey, ckeylen, le, len, ce, cen, k->encrypt,
	    k->cipher_key_len) == -1 ||
	    smb2_kdf(ckey, ckeylen, ld, ldn, cd, cdn, k->decrypt,
	    k->cipher_key_len) == -1) {
		explicit_bzero(sk, sizeof(sk));
		explicit_bzero(k, sizeof(*k));
		log_warnx("%s: key derivation failed", __func__);
		return -1;
	}
	explicit_bzero(sk, sizeof(sk));
	return 0;

 badcipher:
	log_warnx("%s: cipher %d is not valid with dialect 0x%04x", __func__,
	    (int)cipher, dialect);
	return -1;
}

struct smb2_signer *
smb2_signer_new(uint16_t dialect, enum smb2_signalg alg, const uint8_t *key,
    size_t keylen)
{
	struct smb2_signer *s;
	OSSL_PARAM params[2];
	int ok;

	/*
	 * The algorithm decides how to sign; the dialect only says which
	 * algorithms a connection can have arrived at.  2.x signs with
	 * HMAC-SHA256 and 3.0.x with AES-CMAC, having no way to choose;
	 * 3.1.1 uses whichever the SIGNING_CAPABILITIES context agreed on,
	 * and any of the three may be (MS-SMB2 2.2.3.1.7, 3.1.4.1).  The
	 * key is the dialect's concern, not ours: for 3.x it is the derived
	 * SigningKey whatever the algorithm (3.3.5.5.3).
	 */
	switch (dialect) {
	case SMB2_DIALECT_202:
	case SMB2_DIALECT_210:
		ok = alg == SMB2_SIGN_HMAC_SHA256;
		break;
	case SMB2_DIALECT_300:
	case SMB2_DIALECT_302:
		ok = alg == SMB2_SIGN_AES_CMAC;
		break;
	case SMB2_DIALECT_311:
		ok = alg == SMB2_SIGN_HMAC_SHA256 ||
		    alg == SMB2_SIGN_AES_CMAC || alg == SMB2_SIGN_AES_GMAC;
		break;
	default:
		ok = 0;
		break;
	}
	if (!ok) {
		log_warnx("%s: signing algorithm %d is not valid with dialect "
		    "0x%04x", __func__, (int)alg, dialect);
		return NULL;
	}
	if (key == NULL || keylen == 0 ||
	    (alg != SMB2_SIGN_HMAC_SHA256 && keylen != 16)) {
		log_warnx("%s: bad signing key length %zu", __func__, keylen);
		return NULL;
	}
	smb2_crypto_init();
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("%s", __func__);
		return NULL;
	}
	s->alg = alg;
	switch (alg) {
	case SMB2_SIGN_HMAC_SHA256:
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
		params[1] = OSSL_PARAM_construct_end();
		ok = (s->mac = EVP_MAC_CTX_new(crypto_hmac)) != NULL &&
		    EVP_MAC_init(s->mac, key, keylen, params);
		break;
	case SMB2_SIGN_AES_CMAC:
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_CIPHER, (char *)"AES-128-CBC", 0);
		params[1] = OSSL_PARAM_construct_end();
		ok = (s->mac = EVP_MAC_CTX_new(crypto_cmac)) != NULL &&
		    EVP_MAC_init(s->mac, key, keylen, params);
		break;
	case SMB2_SIGN_AES_GMAC:
		ok = (s->gcm = EVP_CIPHER_CTX_new()) != NULL &&
		    EVP_EncryptInit_ex2(s->gcm,
		    crypto_cipher[SMB2_CIPHER_AES128_GCM], key, NULL, NULL);
		break;
	}
	if (!ok) {
		log_warnx("%s: cannot set up the signing context", __func__);
		smb2_signer_free(s);
		return NULL;
	}
	return s;
}

enum smb2_signalg
smb2_signer_alg(const struct smb2_signer *sg)
{
	return sg->alg;
}

void
smb2_signer_free(struct smb2_signer *s)
{
	if (s == NULL)
		return;
	EVP_MAC_CTX_free(s->mac);
	EVP_CIPHER_CTX_free(s->gcm);
	free(s);
}

/* Feed n bytes of the message to the signer's MAC. */
static int
signer_update(struct smb2_signer *s, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	if (s->mac != NULL)
		return EVP_MAC_update(s->mac, p, n) ? 0 : -1;
	return crypto_cipher_update(s->gcm, NULL, p, n);
}

int
smb2_sign_iov(struct smb2_signer *s, const struct iovec *iov, int iovcnt,
    uint8_t sig[SMB2_SIGNATURE_LEN])
{
	static const uint8_t zero[SMB2_SIGNATURE_LEN];
	uint8_t mac[EVP_MAX_MD_SIZE], nonce[CRYPTO_GCM_NONCE_LEN];
	const uint8_t *before, *msgid;
	struct rbuf r, h;
	uint32_t flags;
	uint16_t cmd;
	size_t maclen;
	int i, outl, rv = -1;

	if (s == NULL || iov == NULL || iovcnt < 1 || sig == NULL ||
	    iov[0].iov_base == NULL || iov[0].iov_len < CRYPTO_HDR_LEN)
		return -1;
	rbuf_init(&r, iov[0].iov_base, iov[0].iov_len);

	if (s->alg == SMB2_SIGN_AES_GMAC) {
		/*
		 * MS-SMB2 3.1.4.1: the 12-byte nonce is MessageId, then a
		 * 32-bit field whose bit 0 says the sender is the server and
		 * bit 1 that the message is a CANCEL request.
		 */
		rbuf_sub(&r, 0, CRYPTO_HDR_LEN, &h);
		rbuf_seek(&h, CRYPTO_OFF_COMMAND);
		rbuf_get_u16le(&h, &cmd);
		rbuf_seek(&h, CRYPTO_OFF_FLAGS);
		rbuf_get_u32le(&h, &flags);
		rbuf_seek(&h, CRYPTO_OFF_MESSAGEID);
		rbuf_get_ptr(&h, &msgid, 8);
		if (rbuf_error(&h))
			return -1;
		memcpy(nonce, msgid, 8);
		nonce[8] = (flags & CRYPTO_FLAG_RESPONSE) ? 0x01 : 0x00;
		if (cmd == CRYPTO_CMD_CANCEL &&
		    !(flags & CRYPTO_FLAG_RESPONSE))
			nonce[8] |= 0x02;
		nonce[9] = nonce[10] = nonce[11] = 0;
		if (!EVP_EncryptInit_ex2(s->gcm, NULL, NULL, nonce, NULL))
			goto out;
	} else if (!EVP_MAC_init(s->mac, NULL, 0, NULL))
		goto out;

	/* The header with its Signature field as zeros, then the rest. */
	if (rbuf_get_ptr(&r, &before, SMB2_SIGNATURE_OFFSET) == -1 ||
	    rbuf_skip(&r, SMB2_SIGNATURE_LEN) == -1 ||
	    signer_update(s, before, SMB2_SIGNATURE_OFFSET) == -1 ||
	    signer_update(s, zero, sizeof(zero)) == -1 ||
	    signer_update(s, rbuf_cur(&r), rbuf_left(&r)) == -1)
		goto out;
	for (i = 1; i < iovcnt; i++) {
		if (iov[i].iov_len > 0 && iov[i].iov_base == NULL)
			goto out;
		if (signer_update(s, iov[i].iov_base, iov[i].iov_len) == -1)
			goto out;
	}

	if (s->alg == SMB2_SIGN_AES_GMAC) {
		if (!EVP_EncryptFinal_ex(s->gcm, mac, &outl) ||
		    !EVP_CIPHER_CTX_ctrl(s->gcm, EVP_CTRL_AEAD_GET_TAG,
		    SMB2_SIGNATURE_LEN, sig))
			goto out;
	} else {
		/* HMAC-SHA256 gives 32 bytes; the signature is the first 16. */
		if (!EVP_MAC_final(s->mac, mac, &maclen, sizeof(mac)) ||
		    maclen < SMB2_SIGNATURE_LEN)
			goto out;
		memcpy(sig, mac, SMB2_SIGNATURE_LEN);
	}
	rv = 0;
 out:
	explicit_bzero(mac, sizeof(mac));
	if (rv == -1)
		log_warnx("%s: signing failed", __func__);
	return rv;
}

int
smb2_sign(struct smb2_signer *s, uint8_t *msg, size_t len)
{
	uint8_t sig[SMB2_SIGNATURE_LEN];
	struct iovec iov;

	if (msg == NULL || len < CRYPTO_HDR_LEN)
		return -1;
	iov.iov_base = msg;
	iov.iov_len = len;
	if (smb2_sign_iov(s, &iov, 1, sig) == -1)
		return -1;
	memcpy(msg + SMB2_SIGNATURE_OFFSET, sig, sizeof(sig));
	return 0;
}

int
smb2_verify(struct smb2_signer *s, const uint8_t *msg, size_t len)
{
	uint8_t sig[SMB2_SIGNATURE_LEN];
	const uint8_t *got;
	struct iovec iov;
	struct rbuf r;

	if (msg == NULL || len < CRYPTO_HDR_LEN)
		return -1;
	rbuf_init(&r, msg, len);
	if (rbuf_seek(&r, SMB2_SIGNATURE_OFFSET) == -1 ||
	    rbuf_get_ptr(&r, &got, SMB2_SIGNATURE_LEN) == -1)
		return -1;
	iov.iov_base = (void *)(uintptr_t)msg;
	iov.iov_len = len;
	if (smb2_sign_iov(s, &iov, 1, sig) == -1)
		return -1;
	return CRYPTO_memcmp(sig, got, sizeof(sig)) == 0 ? 0 : -1;
}

/* Prepare one direction's context: cipher, CCM's lengths, then the key. */
static EVP_CIPHER_CTX *
cryptor_ctx(const EVP_CIPHER *cipher, int ccm, int enc, const uint8_t *key)
{
	EVP_CIPHER_CTX *ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (!EVP_CipherInit_ex2(ctx, cipher, NULL, NULL, enc, NULL) ||
	    (ccm && (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN,
	    CRYPTO_CCM_NONCE_LEN, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, CRYPTO_TAG_LEN,
	    NULL))) ||
	    !EVP_CipherInit_ex2(ctx, NULL, key, NULL, enc, NULL)) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

struct smb2_cryptor *
smb2_cryptor_new(enum smb2_cipher cipher, const uint8_t *key, size_t keylen)
{
	struct smb2_cryptor *c;
	size_t want;
	int ccm;

	switch (cipher) {
	case SMB2_CIPHER_AES128_CCM:
		ccm = 1, want = 16;
		break;
	case SMB2_CIPHER_AES128_GCM:
		ccm = 0, want = 16;
		break;
	case SMB2_CIPHER_AES256_CCM:
		ccm = 1, want = 32;
		break;
	case SMB2_CIPHER_AES256_GCM:
		ccm = 0, want = 32;
		break;
	default:
		log_warnx("%s: unknown cipher %d", __func__, (int)cipher);
		return NULL;
	}
	if (key == NULL || keylen != want) {
		log_warnx("%s: bad key length %zu for cipher %d", __func__,
		    keylen, (int)cipher);
		return NULL;
	}
	smb2_crypto_init();
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s", __func__);
		return NULL;
	}
	c->cipher = cipher;
	c->ccm = ccm;
	c->noncelen = ccm ? CRYPTO_CCM_NONCE_LEN : CRYPTO_GCM_NONCE_LEN;
	arc4random_buf(c->salt, sizeof(c->salt));
	arc4random_buf(&c->counter, sizeof(c->counter));
	c->left = UINT64_MAX;
	if ((c->enc = cryptor_ctx(crypto_cipher[cipher], ccm, 1,
	    key)) == NULL ||
	    (c->dec = cryptor_ctx(crypto_cipher[cipher], ccm, 0,
	    key)) == NULL) {
		log_warnx("%s: cannot set up the cipher contexts", __func__);
		smb2_cryptor_free(c);
		return NULL;
	}
	return c;
}

void
smb2_cryptor_free(struct smb2_cryptor *c)
{
	if (c == NULL)
		return;
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

int
smb2_encrypt_with_nonce(struct smb2_cryptor *c, uint64_t session_id,
    const uint8_t *nonce, const struct iovec *iov, int iovcnt,
    uint8_t hdr[SMB2_TRANSFORM_HDR_LEN], uint8_t *out)
{
	static const uint8_t protocol[4] = { 0xfd, 'S', 'M', 'B' };
	uint8_t tag[CRYPTO_TAG_LEN], fin[32];
	const uint8_t *aad;
	struct wbuf w;
	struct rbuf r;
	size_t total = 0, off;
	int i, outl;

	if (c == NULL || nonce == NULL || iov == NULL || iovcnt < 1 ||
	    hdr == NULL || out == NULL)
		return -1;
	for (i = 0; i < iovcnt; i++) {
		if ((iov[i].iov_len > 0 && iov[i].iov_base == NULL) ||
		    iov[i].iov_len > UINT32_MAX - total)
			return -1;
		total += iov[i].iov_len;
	}
	/* CCM takes the whole message in one int-sized update. */
	if (total == 0 || total > INT_MAX)
		return -1;

	/* The header, Signature left zero until the tag is known. */
	wbuf_init_fixed(&w, hdr, SMB2_TRANSFORM_HDR_LEN);
	wbuf_put_bytes(&w, protocol, sizeof(protocol));
	wbuf_put_zero(&w, SMB2_SIGNATURE_LEN);
	wbuf_put_bytes(&w, nonce, c->noncelen);
	wbuf_put_zero(&w, CRYPTO_NONCE_FIELD_LEN - c->noncelen);
	wbuf_put_u32le(&w, (uint32_t)total);
	wbuf_put_u16le(&w, 0);
	wbuf_put_u16le(&w, SMB2_TRANSFORM_FLAG_ENCRYPTED);
	wbuf_put_u64le(&w, session_id);
	if (wbuf_error(&w) || wbuf_len(&w) != SMB2_TRANSFORM_HDR_LEN)
		return -1;
	/* The AAD is the header from Nonce on (3.1.4.3). */
	rbuf_init(&r, hdr, SMB2_TRANSFORM_HDR_LEN);
	rbuf_seek(&r, SMB2_TRANSFORM_AAD_OFFSET);
	if (rbuf_get_ptr(&r, &aad, CRYPTO_AAD_LEN) == -1)
		return -1;

	if (!EVP_EncryptInit_ex2(c->enc, NULL, NULL, nonce, NULL))
		goto fail;
	if (c->ccm) {
		/* CCM needs the length first and the data in one piece. */
		for (i = 0, off = 0; i < iovcnt; i++) {
			if (iov[i].iov_len > 0)
				memmove(out + off, iov[i].iov_base,
				    iov[i].iov_len);
			off += iov[i].iov_len;
		}
		if (!EVP_EncryptUpdate(c->enc, NULL, &outl, NULL,
		    (int)total) ||
		    !EVP_EncryptUpdate(c->enc, NULL, &outl, aad,
		    CRYPTO_AAD_LEN) ||
		    !EVP_EncryptUpdate(c->enc, out, &outl, out, (int)total) ||
		    (size_t)outl != total)
			goto fail;
	} else {
		if (crypto_cipher_update(c->enc, NULL, aad,
		    CRYPTO_AAD_LEN) == -1)
			goto fail;
		for (i = 0, off = 0; i < iovcnt; i++) {
			if (crypto_cipher_update(c->enc, out + off,
			    iov[i].iov_base, iov[i].iov_len) == -1)
				goto fail;
			off += iov[i].iov_len;
		}
	}
	if (!EVP_EncryptFinal_ex(c->enc, fin, &outl) || outl != 0 ||
	    !EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_AEAD_GET_TAG,
	    CRYPTO_TAG_LEN, tag))
		goto fail;
	wbuf_set_bytes(&w, sizeof(protocol), tag, sizeof(tag));
	return wbuf_error(&w) ? -1 : 0;

 fail:
	log_warnx("%s: encryption failed", __func__);
	explicit_bzero(out, total);
	return -1;
}

int
smb2_encrypt(struct smb2_cryptor *c, uint64_t session_id,
    const struct iovec *iov, int iovcnt, uint8_t hdr[SMB2_TRANSFORM_HDR_LEN],
    uint8_t *out)
{
	uint8_t nonce[CRYPTO_GCM_NONCE_LEN];
	size_t saltlen;
	uint64_t ctr;
	int i;

	if (c == NULL)
		return -1;
	if (c->left == 0) {
		log_warnx("%s: nonce space exhausted, rekey needed",
		    __func__);
		return -1;
	}
	saltlen = c->noncelen - sizeof(ctr);
	memcpy(nonce, c->salt, saltlen);
	ctr = c->counter;
	for (i = 0; i < 8; i++)
		nonce[saltlen + i] = (uint8_t)(ctr >> (8 * i));
	/* A failed call may have used the nonce: never hand it out again. */
	c->counter++;
	c->left--;
	return smb2_encrypt_with_nonce(c, session_id, nonce, iov, iovcnt,
	    hdr, out);
}

int
smb2_transform_parse(const uint8_t *msg, size_t len,
    struct smb2_transform_hdr *th)
{
	uint8_t protocol[4];
	struct rbuf r;

	if (msg == NULL || th == NULL)
		return -1;
	memset(th, 0, sizeof(*th));
	rbuf_init(&r, msg, len);
	rbuf_get_bytes(&r, protocol, sizeof(protocol));
	rbuf_get_bytes(&r, th->signature, sizeof(th->signature));
	rbuf_get_bytes(&r, th->nonce, sizeof(th->nonce));
	rbuf_get_u32le(&r, &th->original_size);
	rbuf_get_u16le(&r, &th->reserved);
	rbuf_get_u16le(&r, &th->flags);
	rbuf_get_u64le(&r, &th->session_id);
	if (rbuf_error(&r)) {
		log_debug("%s: short transform header (%zu bytes)", __func__,
		    len);
		return -1;
	}
	if (protocol[0] != 0xfd || protocol[1] != 'S' || protocol[2] != 'M' ||
	    protocol[3] != 'B') {
		log_debug("%s: not a transform header", __func__);
		return -1;
	}
	/* 3.3.5.2.1.1: Flags/EncryptionAlgorithm is 0x0001 in every 3.x. */
	if (th->flags != SMB2_TRANSFORM_FLAG_ENCRYPTED) {
		log_debug("%s: flags 0x%04x", __func__, th->flags);
		return -1;
	}
	if (th->original_size == 0 || th->original_size > rbuf_left(&r)) {
		log_debug("%s: OriginalMessageSize %u with %zu bytes",
		    __func__, th->original_size, rbuf_left(&r));
		return -1;
	}
	return 0;
}

int
smb2_decrypt(struct smb2_cryptor *c, const uint8_t *msg, size_t len,
    uint8_t *out, size_t *plain_len, uint64_t *session_id)
{
	struct smb2_transform_hdr th;
	const uint8_t *aad, *ct;
	uint8_t fin[32];
	struct rbuf r;
	size_t n;
	int outl, ok;

	if (c == NULL || out == NULL || plain_len == NULL ||
	    session_id == NULL || smb2_transform_parse(msg, len, &th) == -1)
		return -1;
	n = th.original_size;
	if (n > INT_MAX)
		return -1;
	rbuf_init(&r, msg, len);
	rbuf_seek(&r, SMB2_TRANSFORM_AAD_OFFSET);
	rbuf_get_ptr(&r, &aad, CRYPTO_AAD_LEN);
	rbuf_get_ptr(&r, &ct, n);
	if (rbuf_error(&r))
		return -1;

	if (!EVP_DecryptInit_ex2(c->dec, NULL, NULL, th.nonce, NULL))
		return -1;
	if (c->ccm) {
		/* A CCM tag is checked by the update that takes the data. */
		ok = EVP_CIPHER_CTX_ctrl(c->dec, EVP_CTRL_AEAD_SET_TAG,
		    CRYPTO_TAG_LEN, th.signature) &&
		    EVP_DecryptUpdate(c->dec, NULL, &outl, NULL, (int)n) &&
		    EVP_DecryptUpdate(c->dec, NULL, &outl, aad,
		    CRYPTO_AAD_LEN) &&
		    EVP_DecryptUpdate(c->dec, out, &outl, ct, (int)n) > 0 &&
		    (size_t)outl == n;
	} else {
		ok = crypto_cipher_update(c->dec, NULL, aad,
		    CRYPTO_AAD_LEN) == 0 &&
		    crypto_cipher_update(c->dec, out, ct, n) == 0 &&
		    EVP_CIPHER_CTX_ctrl(c->dec, EVP_CTRL_AEAD_SET_TAG,
		    CRYPTO_TAG_LEN, th.signature) &&
		    EVP_DecryptFinal_ex(c->dec, fin, &outl) > 0;
	}
	if (!ok) {
		/* Never let unauthenticated plaintext out. */
		explicit_bzero(out, n);
		return -1;
	}
	*plain_len = n;
	*session_id = th.session_id;
	return 0;
}

void
smb2_preauth_hash_update_iov(uint8_t hash[SMB2_PREAUTH_HASH_LEN],
    const struct iovec *iov, int iovcnt)
{
	EVP_MD_CTX *ctx;
	unsigned int n;
	int i, ok;

	smb2_crypto_init();
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("%s: out of memory", __func__);
	ok = EVP_DigestInit_ex2(ctx, crypto_sha512, NULL) &&
	    EVP_DigestUpdate(ctx, hash, SMB2_PREAUTH_HASH_LEN);
	for (i = 0; ok && i < iovcnt; i++)
		if (iov[i].iov_len > 0)
			ok = EVP_DigestUpdate(ctx, iov[i].iov_base,
			    iov[i].iov_len);
	ok = ok && EVP_DigestFinal_ex(ctx, hash, &n) &&
	    n == SMB2_PREAUTH_HASH_LEN;
	EVP_MD_CTX_free(ctx);
	/* A half-updated hash would fail every later signature anyway. */
	if (!ok)
		fatalx("%s: SHA-512 failed", __func__);
}

void
smb2_preauth_hash_update(uint8_t hash[SMB2_PREAUTH_HASH_LEN],
    const void *msg, size_t len)
{
	struct iovec iov;

	iov.iov_base = (void *)(uintptr_t)msg;
	iov.iov_len = len;
	smb2_preauth_hash_update_iov(hash, &iov, 1);
}
