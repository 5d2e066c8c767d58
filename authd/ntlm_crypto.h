/*
 * The cryptographic primitives of NTLM (MS-NLMP section 6): MD5 and
 * HMAC-MD5 through OpenSSL, RC4 implemented here because OpenSSL 3 only
 * offers it from the legacy provider, and the NTLMv2 session security
 * keys and message signatures of MS-NLMP 3.4 built on them.
 */
#ifndef USMBD_NTLM_CRYPTO_H
#define USMBD_NTLM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define NTLM_MD5_LEN		16
#define NTLM_SIG_LEN		16

/*
 * Load the OpenSSL algorithms used here; call before the sandbox closes
 * the filesystem, since the first use reads OpenSSL's configuration.
 */
int	 ntlm_crypto_init(void);

/* Incremental HMAC-MD5, for the concatenations the protocol is full of. */
struct ntlm_hmac {
	void		*ctx;	/* EVP_MAC_CTX */
};

int	 ntlm_hmac_md5_init(struct ntlm_hmac *, const uint8_t *, size_t);
int	 ntlm_hmac_md5_update(struct ntlm_hmac *, const void *, size_t);
/* Writes the 16-byte MAC and releases the context, even on failure. */
int	 ntlm_hmac_md5_final(struct ntlm_hmac *, uint8_t [NTLM_MD5_LEN]);
/* Releases a context without producing a MAC (error paths). */
void	 ntlm_hmac_md5_abort(struct ntlm_hmac *);
int	 ntlm_hmac_md5(const uint8_t *, size_t, const void *, size_t,
	    uint8_t [NTLM_MD5_LEN]);
int	 ntlm_md5(const void *, size_t, uint8_t [NTLM_MD5_LEN]);

/* RC4 keystream state; a sealing "handle" of MS-NLMP 3.4 is one of these. */
struct ntlm_rc4 {
	uint8_t		 s[256];
	uint8_t		 i, j;
};

void	 ntlm_rc4_init(struct ntlm_rc4 *, const uint8_t *, size_t);
/* XOR n bytes of keystream into buf in place; continues the stream. */
void	 ntlm_rc4_crypt(struct ntlm_rc4 *, uint8_t *, size_t);
/* One-shot RC4K(key, data) of MS-NLMP section 6; in and out may alias. */
void	 ntlm_rc4k(const uint8_t *, size_t, const uint8_t *, uint8_t *,
	    size_t);
void	 ntlm_rc4_wipe(struct ntlm_rc4 *);

/*
 * The signing state of one direction of an NTLM security context with
 * extended session security (MS-NLMP 3.4.4.2): signing key, sealing
 * handle and sequence number.
 */
struct ntlm_sig_state {
	uint8_t		 sign_key[NTLM_MD5_LEN];
	uint8_t		 seal_key[NTLM_MD5_LEN];
	struct ntlm_rc4	 seal;
	uint32_t	 seqnum;
	int		 key_exch;
};

/*
 * Derive SIGNKEY and SEALKEY (MS-NLMP 3.4.5.2, 3.4.5.3) for one direction
 * from the exported session key and the negotiated flags.
 */
int	 ntlm_sig_init(struct ntlm_sig_state *, const uint8_t [NTLM_MD5_LEN],
	    uint32_t, int);
/*
 * Compute the 16-byte NTLMSSP_MESSAGE_SIGNATURE of msg with the current
 * sequence number and advance it.  When the message is also sealed, the
 * caller runs the message through sig->seal first.
 */
int	 ntlm_sig_compute(struct ntlm_sig_state *, const uint8_t *, size_t,
	    uint8_t [NTLM_SIG_LEN]);
void	 ntlm_sig_wipe(struct ntlm_sig_state *);

#endif /* USMBD_NTLM_CRYPTO_H */
