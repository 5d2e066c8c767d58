/*
 * SMB2/3 cryptography: key derivation (MS-SMB2 3.1.4.2), signing
 * (3.1.4.1, 3.1.5.1), encryption with the TRANSFORM_HEADER (2.2.41,
 * 3.1.4.3, 3.3.5.2.1.1) and the 3.1.1 preauthentication integrity hash
 * (3.2.5.3, 3.3.5.4), on OpenSSL 3 EVP.
 *
 * Signers and cryptors are long-lived per-session objects: they hold EVP
 * contexts keyed once, so signing, verifying, encrypting and decrypting a
 * message allocate nothing (except HMAC-SHA256 signing, of 2.x or of a
 * 3.1.1 client that chose it: OpenSSL 3.0 allocates when it restarts a
 * SHA-256 context).
 * Call smb2_crypto_init() once at startup, before the sandbox is entered
 * and before any thread is started: it loads the algorithms from the
 * OpenSSL providers, which may read files.
 */
#ifndef USMBD_SMB2_CRYPTO_H
#define USMBD_SMB2_CRYPTO_H

#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

/* Dialect revisions (MS-SMB2 2.2.3). */
#ifndef SMB2_DIALECT_202
#define SMB2_DIALECT_202	0x0202
#endif
#ifndef SMB2_DIALECT_210
#define SMB2_DIALECT_210	0x0210
#endif
#ifndef SMB2_DIALECT_300
#define SMB2_DIALECT_300	0x0300
#endif
#ifndef SMB2_DIALECT_302
#define SMB2_DIALECT_302	0x0302
#endif
#ifndef SMB2_DIALECT_311
#define SMB2_DIALECT_311	0x0311
#endif
#ifndef SMB2_DIALECT_WILDCARD
#define SMB2_DIALECT_WILDCARD	0x02ff
#endif

/* Cipher ids of SMB2_ENCRYPTION_CAPABILITIES (MS-SMB2 2.2.3.1.2). */
enum smb2_cipher {
	SMB2_CIPHER_NONE = 0,
	SMB2_CIPHER_AES128_CCM = 1,
	SMB2_CIPHER_AES128_GCM = 2,
	SMB2_CIPHER_AES256_CCM = 3,
	SMB2_CIPHER_AES256_GCM = 4,
};

/* Signing algorithm ids of SMB2_SIGNING_CAPABILITIES (2.2.3.1.7). */
enum smb2_signalg {
	SMB2_SIGN_HMAC_SHA256 = 0,
	SMB2_SIGN_AES_CMAC = 1,
	SMB2_SIGN_AES_GMAC = 2,
};

#define SMB2_SIGNATURE_LEN		16
#define SMB2_SIGNATURE_OFFSET		48	/* in the 64-byte header */
#define SMB2_PREAUTH_HASH_LEN		64	/* SHA-512 */
#define SMB2_TRANSFORM_HDR_LEN		52
#define SMB2_TRANSFORM_AAD_OFFSET	20	/* AAD: Nonce .. SessionId */
#define SMB2_TRANSFORM_FLAG_ENCRYPTED	0x0001

/*
 * Keys of one session (MS-SMB2 3.3.1.8).  "encrypt" is the server's
 * EncryptionKey (server to client, ServerOut / SMBS2CCipherKey), "decrypt"
 * its DecryptionKey (client to server, ServerIn / SMBC2SCipherKey).
 * signing_len is 16; cipher_key_len is 16, 32 for the AES-256 ciphers, 0
 * for the 2.x dialects, which have no encryption.
 */
struct smb2_keys {
	uint8_t		 signing[32];
	uint8_t		 encrypt[32];
	uint8_t		 decrypt[32];
	uint8_t		 application[16];
	size_t		 signing_len;
	size_t		 cipher_key_len;
};

/* A parsed TRANSFORM_HEADER (MS-SMB2 2.2.41). */
struct smb2_transform_hdr {
	uint8_t		 signature[16];
	uint8_t		 nonce[16];
	uint32_t	 original_size;
	uint16_t	 reserved;
	uint16_t	 flags;
	uint64_t	 session_id;
};

struct smb2_signer;
struct smb2_cryptor;

/* Load the algorithms; fatal if libcrypto lacks one.  Idempotent. */
void	 smb2_crypto_init(void);

/*
 * SP800-108 KDF in counter mode with HMAC-SHA256, r = 32 and L = outlen * 8
 * (MS-SMB2 3.1.4.2).  label and context are used as given: the MS-SMB2
 * strings include their terminating NUL.  Returns 0 or -1.
 */
int	 smb2_kdf(const uint8_t *key, size_t keylen, const void *label,
	    size_t labellen, const void *context, size_t contextlen,
	    uint8_t *out, size_t outlen);

/*
 * Derive the session's keys (MS-SMB2 3.3.5.5.3).  session_key is the full
 * cryptographic key of the authentication: its first 16 bytes (zero padded)
 * are Session.SessionKey; all of it is Session.FullSessionKey, which keys
 * the AES-256 cipher keys.  preauth_hash is used by 3.1.1 only and may be
 * NULL otherwise.  Returns 0 or -1 (bad dialect, cipher for that dialect,
 * or key).
 */
int	 smb2_derive_keys(uint16_t dialect, enum smb2_cipher,
	    const uint8_t *session_key, size_t session_key_len,
	    const uint8_t *preauth_hash, struct smb2_keys *);

/*
 * A signer for one key; the algorithm alone decides how it signs.  It
 * must be one the dialect can negotiate: HMAC-SHA256 for 2.0.2 and 2.1,
 * AES-CMAC for 3.0 and 3.0.2, any of the three for 3.1.1 (the
 * SIGNING_CAPABILITIES context).  The key is the one the dialect derives
 * (smb2_derive_keys()), whatever the algorithm.  AES keys are 16 bytes.
 * NULL on error.
 */
struct smb2_signer *smb2_signer_new(uint16_t dialect, enum smb2_signalg,
	    const uint8_t *key, size_t keylen);
void	 smb2_signer_free(struct smb2_signer *);
/* How it signs, for log lines and usmbd-ctl status. */
enum smb2_signalg smb2_signer_alg(const struct smb2_signer *);

/*
 * Compute the signature of one SMB2 message (one element of a compound,
 * with its padding) gathered from iov.  iov[0] must hold at least the whole
 * 64-byte header; its Signature field is taken as zero whatever it holds.
 * The AES-GMAC nonce comes from the header's MessageId, the
 * SMB2_FLAGS_SERVER_TO_REDIR flag and whether it is a CANCEL request
 * (MS-SMB2 3.1.4.1).  Returns 0 or -1.
 */
int	 smb2_sign_iov(struct smb2_signer *, const struct iovec *, int,
	    uint8_t sig[SMB2_SIGNATURE_LEN]);
/* Sign the contiguous message msg in place (signature at offset 48). */
int	 smb2_sign(struct smb2_signer *, uint8_t *msg, size_t len);
/* 0 when msg carries a valid signature (constant-time compare), or -1. */
int	 smb2_verify(struct smb2_signer *, const uint8_t *msg, size_t len);

/*
 * A cryptor for one key and cipher (AES-128 keys are 16 bytes, AES-256
 * keys 32).  NULL on error.
 */
struct smb2_cryptor *smb2_cryptor_new(enum smb2_cipher, const uint8_t *key,
	    size_t keylen);
void	 smb2_cryptor_free(struct smb2_cryptor *);

/*
 * Encrypt one (possibly compound) message gathered from iov: fills the
 * 52-byte TRANSFORM_HEADER in hdr and writes the ciphertext, as long as the
 * plaintext, to out.  Every call uses a fresh nonce.  Returns 0 or -1.
 */
int	 smb2_encrypt(struct smb2_cryptor *, uint64_t session_id,
	    const struct iovec *, int, uint8_t hdr[SMB2_TRANSFORM_HDR_LEN],
	    uint8_t *out);
/*
 * The same with a caller-chosen nonce (11 bytes for CCM, 12 for GCM).  For
 * the known-answer tests only: reusing a nonce with a key destroys the
 * confidentiality and integrity of both messages.
 */
int	 smb2_encrypt_with_nonce(struct smb2_cryptor *, uint64_t session_id,
	    const uint8_t *nonce, const struct iovec *, int,
	    uint8_t hdr[SMB2_TRANSFORM_HDR_LEN], uint8_t *out);

/*
 * Check and decrypt the transform message msg (header included).  out must
 * have room for len - 52 bytes; *plain_len receives OriginalMessageSize and
 * *session_id the header's SessionId.  -1 on any malformed header or failed
 * authentication, and then out holds no plaintext; the caller disconnects
 * (3.3.5.2.1.1).
 */
int	 smb2_decrypt(struct smb2_cryptor *, const uint8_t *msg, size_t len,
	    uint8_t *out, size_t *plain_len, uint64_t *session_id);

/*
 * Parse and check a TRANSFORM_HEADER: ProtocolId 0xFD 'S' 'M' 'B', Flags
 * 0x0001, 0 < OriginalMessageSize <= len - 52.  Returns 0 or -1.
 */
int	 smb2_transform_parse(const uint8_t *msg, size_t len,
	    struct smb2_transform_hdr *);

/* Preauthentication integrity: hash = SHA-512(hash || message). */
void	 smb2_preauth_hash_update(uint8_t hash[SMB2_PREAUTH_HASH_LEN],
	    const void *msg, size_t len);
void	 smb2_preauth_hash_update_iov(uint8_t hash[SMB2_PREAUTH_HASH_LEN],
	    const struct iovec *, int);

#endif /* USMBD_SMB2_CRYPTO_H */
