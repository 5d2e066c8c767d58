/*
 * SMB2 NEGOTIATE as pure functions (no sockets, no state beyond the
 * arguments): the SMB1 multi-protocol negotiate upgrade (MS-SMB2
 * 3.3.5.3), SMB2 NEGOTIATE with the 3.1.1 negotiate contexts (2.2.3,
 * 2.2.4, 3.3.5.4) and FSCTL_VALIDATE_NEGOTIATE_INFO (2.2.31.4,
 * 3.3.5.15.12).
 */
#ifndef USMBD_SMB2_NEGOTIATE_H
#define USMBD_SMB2_NEGOTIATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "smb2_crypto.h"

/* Client dialects kept for VALIDATE_NEGOTIATE_INFO; more are cut off. */
#define SMB2_NEGOTIATE_MAX_DIALECTS	64

/* What the server offers; filled once per process from the config. */
struct smb2_negotiate_cfg {
	uint16_t	 min_dialect, max_dialect;	/* SMB2_DIALECT_* */
	int		 signing_required;
	/* Off: no ENCRYPTION capability (3.0.x) nor context (3.1.1). */
	int		 encryption_enabled;
	/* Server preference order; none given means the built-in order. */
	enum smb2_cipher ciphers[4];
	size_t		 nciphers;
	enum smb2_signalg signalgs[3];
	size_t		 nsignalgs;
	uint8_t		 server_guid[16];
	uint32_t	 max_trans, max_read, max_write;
	uint64_t	 system_time;		/* FILETIME, set per request */
	uint64_t	 server_start_time;	/* FILETIME or 0 */
	const uint8_t	*security_blob;		/* SPNEGO negTokenInit2 */
	size_t		 security_blob_len;
	/* Capabilities to advertise: only what the server implements. */
	int		 dfs;
	int		 multichannel;
	int		 large_mtu;
	int		 leasing;
	int		 persistent;
	int		 directory_leasing;
};

/* What was negotiated: the connection's state after NEGOTIATE. */
struct smb2_negotiate_result {
	uint16_t	 dialect;		/* 0 while unknown */
	uint16_t	 client_security_mode;
	uint32_t	 client_capabilities;
	uint8_t		 client_guid[16];
	uint16_t	 client_dialects[SMB2_NEGOTIATE_MAX_DIALECTS];
	size_t		 nclient_dialects;
	uint16_t	 server_security_mode;
	uint32_t	 server_capabilities;
	uint8_t		 server_guid[16];	/* as announced */
	/* As announced: capped at 64 KiB without multi-credit support. */
	uint32_t	 max_trans, max_read, max_write;
	/*
	 * 3.1.1: from the ENCRYPTION context (NONE when not offered or no
	 * common cipher).  3.0 and 3.0.2: AES-128-CCM when the ENCRYPTION
	 * capability was granted.
	 */
	enum smb2_cipher cipher;
	/* A SIGNING context was answered; signalg is then its choice. */
	int		 signalg_negotiated;
	/* The signing algorithm in effect for the dialect. */
	enum smb2_signalg signalg;
	uint16_t	 preauth_hash_alg;	/* 1: SHA-512 (3.1.1 only) */
	uint8_t		 preauth_salt[32];	/* the salt the server sent */
};

/*
 * Answer an SMB2 NEGOTIATE request.  msg is a reader over the whole
 * request message, SMB2 header included, because the request's offsets
 * count from the start of the header; the cursor must be at the header
 * and is not moved (the caller hashes the same bytes for 3.1.1).  The
 * response body (StructureSize 65 onward) is appended to resp; its
 * offsets and padding assume that the 64-byte response header directly
 * precedes what is appended.  Returns an NTSTATUS: NT_STATUS_SUCCESS with *res filled,
 * or the error the client gets (res is then left as it was):
 * INVALID_PARAMETER for a malformed request or negotiate context list,
 * NOT_SUPPORTED when no dialect is common, and
 * SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP when the client offers no SHA-512.
 */
/*
 * Names for logs and usmbd-ctl: "SMB 3.1.1", "AES-128-GCM" (NULL for no
 * cipher), "AES-128-GMAC" (the names of "server smb3 signing algorithms").
 */
const char	*smb2_dialect_name(uint16_t);
const char	*smb2_cipher_name(int);
const char	*smb2_signalg_name(int);

uint32_t	 smb2_negotiate_process(const struct smb2_negotiate_cfg *,
		    const struct rbuf *msg, struct smb2_negotiate_result *,
		    struct wbuf *resp);

/*
 * Parse an SMB1 SMB_COM_NEGOTIATE (MS-CIFS 2.2.4.52.1) given as the
 * whole SMB1 message, and say whether it offers "SMB 2.002" and
 * "SMB 2.???".  Returns -1 when it is not a well-formed SMB1 NEGOTIATE
 * request.
 */
int		 smb1_negotiate_parse(const uint8_t *, size_t, int *offers_202,
		    int *offers_2xx);
/*
 * The DialectRevision that answers an SMB1 NEGOTIATE (MS-SMB2 3.3.5.3.1,
 * 3.3.5.3.2): SMB2_DIALECT_WILDCARD, SMB2_DIALECT_202, or 0 when the
 * connection must be dropped.
 */
uint16_t	 smb1_negotiate_select(const struct smb2_negotiate_cfg *,
		    int offers_202, int offers_2xx);
/*
 * Build the SMB2 NEGOTIATE response body that answers an SMB1 NEGOTIATE
 * with the given DialectRevision (0x0202 or 0x02FF).  *res gets the
 * server's side; its dialect is 0x0202, or 0 for the wildcard (the client
 * follows with an SMB2 NEGOTIATE).  Returns 0, or -1 on a bad argument or
 * a full buffer.
 */
int		 smb2_negotiate_smb1_response(const struct smb2_negotiate_cfg *,
		    uint16_t dialect, struct smb2_negotiate_result *,
		    struct wbuf *resp);

/*
 * FSCTL_VALIDATE_NEGOTIATE_INFO: compare the request input (Capabilities,
 * Guid, SecurityMode, Dialects) with what was negotiated and append the
 * 24-byte VALIDATE_NEGOTIATE_INFO response to resp.  Returns
 * NT_STATUS_SUCCESS, or an error after which the server must end the
 * connection (MS-SMB2 3.3.5.15.12): any mismatch, a malformed input, or
 * a 3.1.1 connection, which never validates this way.
 */
uint32_t	 smb2_validate_negotiate(const struct smb2_negotiate_cfg *,
		    const struct smb2_negotiate_result *, struct rbuf *input,
		    struct wbuf *resp);

#endif /* USMBD_SMB2_NEGOTIATE_H */
