/*
 * The server side of NTLMSSP with NTLMv2 (MS-NLMP): NEGOTIATE in,
 * CHALLENGE out, AUTHENTICATE in, verdict and session key out.  Free of
 * IPC and of the user database, so that it can be tested on its own: the
 * caller parses the AUTHENTICATE message, looks the user up, and hands the
 * NT hash back for verification.
 */
#ifndef USMBD_NTLMSSP_H
#define USMBD_NTLMSSP_H

#include <stddef.h>
#include <stdint.h>

struct wbuf;

/* NegotiateFlags (MS-NLMP 2.2.2.5). */
#define NTLMSSP_NEGOTIATE_UNICODE			0x00000001
#define NTLMSSP_NEGOTIATE_OEM				0x00000002
#define NTLMSSP_REQUEST_TARGET				0x00000004
#define NTLMSSP_NEGOTIATE_SIGN				0x00000010
#define NTLMSSP_NEGOTIATE_SEAL				0x00000020
#define NTLMSSP_NEGOTIATE_DATAGRAM			0x00000040
#define NTLMSSP_NEGOTIATE_LM_KEY			0x00000080
#define NTLMSSP_NEGOTIATE_NTLM				0x00000200
#define NTLMSSP_NEGOTIATE_ANONYMOUS			0x00000800
#define NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED		0x00001000
#define NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED	0x00002000
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN			0x00008000
#define NTLMSSP_TARGET_TYPE_DOMAIN			0x00010000
#define NTLMSSP_TARGET_TYPE_SERVER			0x00020000
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY	0x00080000
#define NTLMSSP_NEGOTIATE_IDENTIFY			0x00100000
#define NTLMSSP_REQUEST_NON_NT_SESSION_KEY		0x00400000
#define NTLMSSP_NEGOTIATE_TARGET_INFO			0x00800000
#define NTLMSSP_NEGOTIATE_VERSION			0x02000000
#define NTLMSSP_NEGOTIATE_128				0x20000000
#define NTLMSSP_NEGOTIATE_KEY_EXCH			0x40000000
#define NTLMSSP_NEGOTIATE_56				0x80000000

/* MessageType (MS-NLMP 2.2.1). */
#define NTLMSSP_MSG_NEGOTIATE		1
#define NTLMSSP_MSG_CHALLENGE		2
#define NTLMSSP_MSG_AUTHENTICATE	3

/* AvId (MS-NLMP 2.2.2.1). */
#define NTLMSSP_AV_EOL			0
#define NTLMSSP_AV_NB_COMPUTER_NAME	1
#define NTLMSSP_AV_NB_DOMAIN_NAME	2
#define NTLMSSP_AV_DNS_COMPUTER_NAME	3
#define NTLMSSP_AV_DNS_DOMAIN_NAME	4
#define NTLMSSP_AV_DNS_TREE_NAME	5
#define NTLMSSP_AV_FLAGS		6
#define NTLMSSP_AV_TIMESTAMP		7
#define NTLMSSP_AV_SINGLE_HOST		8
#define NTLMSSP_AV_TARGET_NAME		9
#define NTLMSSP_AV_CHANNEL_BINDINGS	10

/* MsvAvFlags bits. */
#define NTLMSSP_AVFLAG_CONSTRAINED	0x00000001
#define NTLMSSP_AVFLAG_MIC		0x00000002
#define NTLMSSP_AVFLAG_UNTRUSTED_SPN	0x00000004

#define NTLMSSP_SESSION_KEY_LEN		16
#define NTLMSSP_CHALLENGE_LEN		8
#define NTLMSSP_SIG_LEN			16

struct ntlmssp_server_cfg {
	const char	*netbios_domain;	/* workgroup, e.g. "WORKGROUP" */
	const char	*netbios_computer;	/* e.g. "FILESRV" */
	const char	*dns_domain;		/* may be NULL or "" */
	const char	*dns_computer;		/* may be NULL or "" */
	int		 allow_ntlmv1;		/* accepted but not implemented */
	int		 allow_anonymous;
};

/* What the AUTHENTICATE message claims; strings are UTF-8, allocated. */
struct ntlmssp_auth_info {
	char		*user;
	char		*domain;
	char		*workstation;
	uint32_t	 flags;		/* NegotiateFlags of AUTHENTICATE */
	int		 anonymous;	/* empty user and responses */
	int		 ntlmv1;	/* 24-byte NtChallengeResponse */
};

struct ntlmssp_server;

/*
 * One authentication exchange.  cfg is copied; NULL names become empty
 * strings.  Returns NULL only if cfg lacks the NetBIOS names.
 */
struct ntlmssp_server *ntlmssp_server_new(const struct ntlmssp_server_cfg *);
/* Wipes every secret the exchange held and frees it.  NULL is fine. */
void	 ntlmssp_server_free(struct ntlmssp_server *);

/*
 * Parse NEGOTIATE_MESSAGE and append the CHALLENGE_MESSAGE to out.
 * Returns 0, or -1 on a malformed message or a call out of order.
 */
int	 ntlmssp_server_negotiate(struct ntlmssp_server *, const uint8_t *,
	    size_t, struct wbuf *);

/*
 * Parse AUTHENTICATE_MESSAGE, keep what verification needs, and fill info
 * (release it with ntlmssp_auth_info_free()).  Returns 0, or -1 on a
 * malformed message or a call out of order, with info left empty.
 */
int	 ntlmssp_server_parse_auth(struct ntlmssp_server *, const uint8_t *,
	    size_t, struct ntlmssp_auth_info *);

/*
 * Verify the parsed AUTHENTICATE against the user's NT hash (MD4 of the
 * UTF-16LE password) and, on success, return the 16-byte exported session
 * key (the SMB2 Session.SessionKey).  For an anonymous AUTHENTICATE
 * nt_hash is ignored and may be NULL: it succeeds if the configuration
 * allows anonymous logons.  Returns -1 on any failure (wrong password,
 * bad MIC, NTLMv1, LM-only), which the caller reports as
 * STATUS_LOGON_FAILURE.  Only one verification per exchange is allowed.
 */
int	 ntlmssp_server_verify(struct ntlmssp_server *,
	    const uint8_t [16], uint8_t [NTLMSSP_SESSION_KEY_LEN]);

/* The flags chosen in the CHALLENGE, 0 before ntlmssp_server_negotiate(). */
uint32_t ntlmssp_server_flags(const struct ntlmssp_server *);

/*
 * After a successful verification: NTLM message signatures (MS-NLMP
 * 3.4.4.2) for the SPNEGO mechListMIC.  sign uses the server-to-client
 * key and sequence, check the client-to-server ones; check returns 0 when
 * the signature is right.  Both advance their sequence number.
 */
int	 ntlmssp_server_sign(struct ntlmssp_server *, const uint8_t *, size_t,
	    uint8_t [NTLMSSP_SIG_LEN]);
int	 ntlmssp_server_check_sig(struct ntlmssp_server *, const uint8_t *,
	    size_t, const uint8_t [NTLMSSP_SIG_LEN]);

void	 ntlmssp_auth_info_free(struct ntlmssp_auth_info *);

/*
 * For tests only: replace the random server challenge (and the copy of it
 * inside the CHALLENGE message already sent, which the MIC covers) so that
 * published test vectors can be replayed.  Call after negotiate.
 */
int	 ntlmssp_server_set_challenge(struct ntlmssp_server *,
	    const uint8_t [NTLMSSP_CHALLENGE_LEN]);

#endif /* USMBD_NTLMSSP_H */
