/*
 * libFuzzer target for the SMB2 TRANSFORM_HEADER parser and decryption
 * with fixed keys.
 *
 * Input: one mode byte, then a transform message.  The low two bits of the
 * mode pick the cipher and its fixed key:
 *   0: AES-128-CCM, the client-to-server key of the "SMB 3.1.1 Encryption
 *      in Windows 10" blog's AES-CCM session (appendix A.2);
 *   1: AES-128-GCM, the same for its AES-GCM session (appendix A.1);
 *   2, 3: AES-256-CCM, AES-256-GCM with one fixed 256-bit key.
 * With those keys the blog's messages (and AES-256 ones made with the same
 * key) are seeds that decrypt, so the success paths are reached too.
 * Besides not crashing, a message that decrypts must agree with its parsed
 * header, and its plaintext must survive encryption and decryption.
 */
#include "config.h"

#include <sys/uio.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"
#include "smb2_crypto.h"


static const uint8_t key_ccm128[16] = {
	0xdf, 0xaa, 0xa3, 0x1a, 0xae, 0x40, 0xa2, 0x48,
	0x5d, 0x47, 0xac, 0x4d, 0xf0, 0x9f, 0xda, 0x1d
};
static const uint8_t key_gcm128[16] = {
	0xa2, 0xf5, 0xe8, 0x0e, 0x5d, 0x59, 0x10, 0x30,
	0x34, 0xf3, 0x2e, 0x52, 0xf6, 0x98, 0xe5, 0xec
};
static const uint8_t key_256[32] = {
	0x3f, 0x98, 0xcb, 0x6e, 0x2c, 0x98, 0x99, 0x8b,
	0x0f, 0xc0, 0x6f, 0x6a, 0xec, 0x1d, 0x60, 0x60,
	0xa0, 0x58, 0x2c, 0x07, 0x4d, 0xbe, 0xfd, 0x18,
	0xeb, 0xcb, 0xa7, 0x10, 0x94, 0xb4, 0x7b, 0x10
};

static struct smb2_cryptor *cryptors[4];

/* Rejecting bad input is the normal case here: keep the log quiet. */
static void
fuzz_log(int level, const char *line)
{
	(void)level;
	(void)line;
}

static void
fuzz_setup(void)
{
	log_init(1, 0);
	log_set_forward(fuzz_log);
	smb2_crypto_init();
	cryptors[0] = smb2_cryptor_new(SMB2_CIPHER_AES128_CCM, key_ccm128,
	    sizeof(key_ccm128));
	cryptors[1] = smb2_cryptor_new(SMB2_CIPHER_AES128_GCM, key_gcm128,
	    sizeof(key_gcm128));
	cryptors[2] = smb2_cryptor_new(SMB2_CIPHER_AES256_CCM, key_256,
	    sizeof(key_256));
	cryptors[3] = smb2_cryptor_new(SMB2_CIPHER_AES256_GCM, key_256,
	    sizeof(key_256));
	if (cryptors[0] == NULL || cryptors[1] == NULL ||
	    cryptors[2] == NULL || cryptors[3] == NULL)
		abort();
}

FUZZ_TARGET(transform, data, size)
{
	struct smb2_transform_hdr th;
	struct smb2_cryptor *c;
	struct iovec iov;
	uint8_t hdr[SMB2_TRANSFORM_HDR_LEN];
	uint8_t *msg, *plain, *again;
	size_t len, plain_len, again_len;
	uint64_t sid, sid2;
	int parsed;

	if (cryptors[0] == NULL)
		fuzz_setup();
	if (size < 1)
		return 0;
	c = cryptors[data[0] & 3];
	len = size - 1;
	/* An exact-size copy, so reads past the end are caught. */
	if ((msg = malloc(len + 1)) == NULL || (plain = malloc(len + 1)) ==
	    NULL)
		abort();
	memcpy(msg, data + 1, len);

	parsed = smb2_transform_parse(msg, len, &th) == 0;
	if (smb2_decrypt(c, msg, len, plain, &plain_len, &sid) == 0) {
		if (!parsed || plain_len != th.original_size ||
		    sid != th.session_id ||
		    plain_len + SMB2_TRANSFORM_HDR_LEN > len)
			abort();
		/* Round trip through a fresh nonce. */
		if ((again = malloc(plain_len)) == NULL ||
		    (msg = realloc(msg, SMB2_TRANSFORM_HDR_LEN +
		    plain_len)) == NULL)
			abort();
		iov.iov_base = plain;
		iov.iov_len = plain_len;
		if (smb2_encrypt(c, sid, &iov, 1, hdr,
		    msg + SMB2_TRANSFORM_HDR_LEN) == -1)
			abort();
		memcpy(msg, hdr, sizeof(hdr));
		if (smb2_decrypt(c, msg, SMB2_TRANSFORM_HDR_LEN + plain_len,
		    again, &again_len, &sid2) == -1 ||
		    again_len != plain_len || sid2 != sid ||
		    memcmp(again, plain, plain_len) != 0)
			abort();
		free(again);
	}
	free(plain);
	free(msg);
	return 0;
}
