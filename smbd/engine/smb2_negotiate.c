/*
 * SMB2 NEGOTIATE: dialect selection, the 3.1.1 negotiate contexts, the
 * response, the SMB1 multi-protocol upgrade and VALIDATE_NEGOTIATE_INFO
 * (MS-SMB2 2.2.3, 2.2.4, 2.2.31.4, 3.3.5.3, 3.3.5.4, 3.3.5.15.12).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_hdr.h"
#include "smb2_negotiate.h"

/* Server preference when the configuration names none. */
static const enum smb2_cipher negotiate_default_ciphers[] = {
	SMB2_CIPHER_AES128_GCM, SMB2_CIPHER_AES128_CCM,
	SMB2_CIPHER_AES256_GCM, SMB2_CIPHER_AES256_CCM,
};
static const enum smb2_signalg negotiate_default_signalgs[] = {
	SMB2_SIGN_AES_GMAC, SMB2_SIGN_AES_CMAC, SMB2_SIGN_HMAC_SHA256,
};

/* Without multi-credit requests nothing larger than 64 KiB can move. */
#define NEGOTIATE_SMALL_MTU	65536

/* Where the security buffer starts: after the header and fixed body. */
#define NEGOTIATE_SECBUF_OFFSET	(SMB2_HEADER_SIZE + 64)

/* What the server answers in its 3.1.1 negotiate contexts. */
struct negotiate_ctx_answer {
	int		 encryption;	/* add an ENCRYPTION context */
	int		 signing;	/* add a SIGNING context */
};

static int
negotiate_dialect_known(uint16_t d)
{
	switch (d) {
	case SMB2_DIALECT_202:
	case SMB2_DIALECT_210:
	case SMB2_DIALECT_300:
	case SMB2_DIALECT_302:
	case SMB2_DIALECT_311:
		return 1;
	default:
		/* Includes 0x02FF, which only an SMB1 answer may carry. */
		return 0;
	}
}

static int
negotiate_dialect_ok(const struct smb2_negotiate_cfg *cfg, uint16_t d)
{
	return negotiate_dialect_known(d) && d >= cfg->min_dialect &&
	    d <= cfg->max_dialect;
}

static uint32_t
negotiate_cap_size(uint32_t v, uint32_t caps, uint16_t dialect)
{
	if ((dialect == SMB2_DIALECT_202 ||
	    !(caps & SMB2_GLOBAL_CAP_LARGE_MTU)) && v > NEGOTIATE_SMALL_MTU)
		return NEGOTIATE_SMALL_MTU;
	return v;
}

/* Capabilities the server grants for a dialect (MS-SMB2 3.3.5.4). */
static uint32_t
negotiate_caps(const struct smb2_negotiate_cfg *cfg, uint16_t dialect,
    uint32_t client_caps)
{
	uint32_t caps = 0;

	if (cfg->dfs)
		caps |= SMB2_GLOBAL_CAP_DFS;
	if (dialect >= SMB2_DIALECT_210) {
		if (cfg->leasing)
			caps |= SMB2_GLOBAL_CAP_LEASING;
		if (cfg->large_mtu)
			caps |= SMB2_GLOBAL_CAP_LARGE_MTU;
	}
	if (dialect >= SMB2_DIALECT_300) {
		if (cfg->multichannel)
			caps |= SMB2_GLOBAL_CAP_MULTI_CHANNEL;
		if (cfg->persistent)
			caps |= SMB2_GLOBAL_CAP_PERSISTENT_HANDLES;
		/*
		 * Only to a client that says it leases directories: some
		 * (impacket) cannot open a file once the server offers it.
		 */
		if (cfg->directory_leasing &&
		    (client_caps & SMB2_GLOBAL_CAP_DIRECTORY_LEASING))
			caps |= SMB2_GLOBAL_CAP_DIRECTORY_LEASING;
	}
	/* 3.1.1 negotiates encryption with a context instead. */
	if ((dialect == SMB2_DIALECT_300 || dialect == SMB2_DIALECT_302) &&
	    cfg->encryption_enabled &&
	    (client_caps & SMB2_GLOBAL_CAP_ENCRYPTION))
		caps |= SMB2_GLOBAL_CAP_ENCRYPTION;
	return caps;
}

/* The server side of a result: security mode, capabilities, sizes. */
static void
negotiate_server_side(const struct smb2_negotiate_cfg *cfg,
    struct smb2_negotiate_result *res, uint16_t dialect, uint32_t caps)
{
	res->server_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	if (cfg->signing_required)
		res->server_security_mode |= SMB2_NEGOTIATE_SIGNING_REQUIRED;
	res->server_capabilities = caps;
	memcpy(res->server_guid, cfg->server_guid, sizeof(res->server_guid));
	res->max_trans = negotiate_cap_size(cfg->max_trans, caps, dialect);
	res->max_read = negotiate_cap_size(cfg->max_read, caps, dialect);
	res->max_write = negotiate_cap_size(cfg->max_write, caps, dialect);
}

/* Zeros up to the next 8-byte boundary of the message. */
static void
negotiate_pad8(struct wbuf *w, size_t base)
{
	size_t used = SMB2_HEADER_SIZE + wbuf_len(w) - base;

	wbuf_put_zero(w, (8 - used % 8) % 8);
}

static void
negotiate_put_ctx(struct wbuf *w, uint16_t type, uint16_t len)
{
	wbuf_put_u16le(w, type);
	wbuf_put_u16le(w, len);
	wbuf_put_u32le(w, 0);		/* Reserved */
}

/*
 * The NEGOTIATE response body (MS-SMB2 2.2.4).  ans is NULL unless the
 * dialect is 3.1.1.
 */
static int
negotiate_build(const struct smb2_negotiate_cfg *cfg,
    const struct smb2_negotiate_result *res, uint16_t dialect_revision,
    const struct negotiate_ctx_answer *ans, struct wbuf *w)
{
	size_t base = wbuf_len(w), ctxoff_at = 0;
	uint16_t nctx = 0;

	if (cfg->security_blob_len > UINT16_MAX - NEGOTIATE_SECBUF_OFFSET) {
		log_warnx("NEGOTIATE: security blob too large");
		return -1;
	}
	if (ans != NULL)
		nctx = 1 + (ans->encryption != 0) + (ans->signing != 0);
	wbuf_put_u16le(w, SMB2_NEGOTIATE_RESP_SIZE);
	wbuf_put_u16le(w, res->server_security_mode);
	wbuf_put_u16le(w, dialect_revision);
	wbuf_put_u16le(w, nctx);	/* NegotiateContextCount / Reserved */
	wbuf_put_bytes(w, res->server_guid, 16);
	wbuf_put_u32le(w, res->server_capabilities);
	wbuf_put_u32le(w, res->max_trans);
	wbuf_put_u32le(w, res->max_read);
	wbuf_put_u32le(w, res->max_write);
	wbuf_put_u64le(w, cfg->system_time);
	wbuf_put_u64le(w, cfg->server_start_time);
	wbuf_put_u16le(w, NEGOTIATE_SECBUF_OFFSET);
	wbuf_put_u16le(w, (uint16_t)cfg->security_blob_len);
	/* NegotiateContextOffset, known once the blob is in. */
	if (wbuf_reserve(w, 4, &ctxoff_at) == -1)
		return -1;
	if (cfg->security_blob_len > 0)
		wbuf_put_bytes(w, cfg->security_blob, cfg->security_blob_len);
	else if (ans == NULL)
		wbuf_put_u8(w, 0);	/* StructureSize 65 counts one byte */

	if (ans != NULL) {
		negotiate_pad8(w, base);
		wbuf_set_u32le(w, ctxoff_at,
		    (uint32_t)(SMB2_HEADER_SIZE + wbuf_len(w) - base));

		/* 2.2.4.1.1: SHA-512 and a fresh salt. */
		negotiate_put_ctx(w, SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
		    6 + SMB2_PREAUTH_SALT_LEN);
		wbuf_put_u16le(w, 1);		/* HashAlgorithmCount */
		wbuf_put_u16le(w, SMB2_PREAUTH_SALT_LEN);
		wbuf_put_u16le(w, SMB2_PREAUTH_INTEGRITY_SHA512);
		wbuf_put_bytes(w, res->preauth_salt, SMB2_PREAUTH_SALT_LEN);

		/* 2.2.4.1.2: the chosen cipher, 0 when none is common. */
		if (ans->encryption) {
			negotiate_pad8(w, base);
			negotiate_put_ctx(w, SMB2_ENCRYPTION_CAPABILITIES, 4);
			wbuf_put_u16le(w, 1);
			wbuf_put_u16le(w, (uint16_t)res->cipher);
		}
		/* 2.2.4.1.7: the chosen signing algorithm. */
		if (ans->signing) {
			negotiate_pad8(w, base);
			negotiate_put_ctx(w, SMB2_SIGNING_CAPABILITIES, 4);
			wbuf_put_u16le(w, 1);
			wbuf_put_u16le(w, (uint16_t)res->signalg);
		}
	}
	return wbuf_error(w) ? -1 : 0;
}

/* Does the list of 16-bit ids (a reader over them) hold id? */
static int
negotiate_list_has(const struct rbuf *list, uint16_t id)
{
	struct rbuf r = *list;
	uint16_t v;

	while (rbuf_get_u16le(&r, &v) == 0)
		if (v == id)
			return 1;
	return 0;
}

/* What the 3.1.1 negotiate context list says. */
struct negotiate_ctx_req {
	int		 preauth, encryption, compression, signing;
	int		 sha512;
	struct rbuf	 ciphers;	/* the client's cipher ids */
	struct rbuf	 signalgs;	/* its signing algorithm ids */
};

/*
 * Read a count-prefixed list of 16-bit ids; the count must not be 0 and
 * the ids must fit (MS-SMB2 2.2.3.1.1, 2.2.3.1.2, 2.2.3.1.7).
 */
static int
negotiate_id_list(struct rbuf *data, uint16_t count, struct rbuf *list)
{
	if (count == 0 || rbuf_take(data, (size_t)count * 2, list) == -1)
		return -1;
	return 0;
}

/*
 * Walk the negotiate context list of a 3.1.1 request (MS-SMB2 2.2.3.1,
 * 3.3.5.4).  Returns an NTSTATUS.
 */
static uint32_t
negotiate_parse_ctx(struct rbuf *m, uint32_t offset, uint16_t count,
    size_t fixed_end, struct negotiate_ctx_req *cr)
{
	struct rbuf data, hashes;
	uint16_t i, type, len, n, saltlen;
	uint32_t reserved;

	memset(cr, 0, sizeof(*cr));
	/* Without contexts there is no preauth context, which must be. */
	if (count == 0)
		return NT_STATUS_INVALID_PARAMETER;
	if (offset < fixed_end || rbuf_seek(m, offset) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	for (i = 0; i < count; i++) {
		/* Contexts after the first start on 8-byte boundaries. */
		if (i > 0 && rbuf_align(m, 8) == -1)
			return NT_STATUS_INVALID_PARAMETER;
		rbuf_get_u16le(m, &type);
		rbuf_get_u16le(m, &len);
		rbuf_get_u32le(m, &reserved);
		if (rbuf_take(m, len, &data) == -1)
			return NT_STATUS_INVALID_PARAMETER;
		switch (type) {
		case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
			if (cr->preauth++)
				return NT_STATUS_INVALID_PARAMETER;
			rbuf_get_u16le(&data, &n);
			rbuf_get_u16le(&data, &saltlen);
			if (rbuf_error(&data) ||
			    negotiate_id_list(&data, n, &hashes) == -1 ||
			    rbuf_skip(&data, saltlen) == -1)
				return NT_STATUS_INVALID_PARAMETER;
			cr->sha512 = negotiate_list_has(&hashes,
			    SMB2_PREAUTH_INTEGRITY_SHA512);
			break;
		case SMB2_ENCRYPTION_CAPABILITIES:
			if (cr->encryption++)
				return NT_STATUS_INVALID_PARAMETER;
			rbuf_get_u16le(&data, &n);
			if (rbuf_error(&data) ||
			    negotiate_id_list(&data, n, &cr->ciphers) == -1)
				return NT_STATUS_INVALID_PARAMETER;
			break;
		case SMB2_COMPRESSION_CAPABILITIES:
			/*
			 * Compression is not implemented: the context gets no
			 * answer, so the client will not compress; a second
			 * one still makes the list malformed.
			 */
			if (cr->compression++)
				return NT_STATUS_INVALID_PARAMETER;
			break;
		case SMB2_SIGNING_CAPABILITIES:
			if (cr->signing++)
				return NT_STATUS_INVALID_PARAMETER;
			rbuf_get_u16le(&data, &n);
			if (rbuf_error(&data) ||
			    negotiate_id_list(&data, n, &cr->signalgs) == -1)
				return NT_STATUS_INVALID_PARAMETER;
			break;
		case SMB2_NETNAME_NEGOTIATE_CONTEXT_ID:
		case SMB2_TRANSPORT_CAPABILITIES:
		case SMB2_RDMA_TRANSFORM_CAPABILITIES:
		default:
			/*
			 * The server name is not used; transport security
			 * and RDMA transforms are not implemented, and
			 * unknown types are ignored (2.2.3.1).
			 */
			break;
		}
	}
	if (rbuf_error(m))
		return NT_STATUS_INVALID_PARAMETER;
	if (!cr->preauth)
		return NT_STATUS_INVALID_PARAMETER;
	if (!cr->sha512)
		return NT_STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP;
	return NT_STATUS_SUCCESS;
}

/* First cipher in server order that the client offered, or NONE. */
static enum smb2_cipher
negotiate_pick_cipher(const struct smb2_negotiate_cfg *cfg,
    const struct rbuf *client)
{
	const enum smb2_cipher *pref = cfg->ciphers;
	size_t i, n = cfg->nciphers;

	if (n == 0) {
		pref = negotiate_default_ciphers;
		n = sizeof(negotiate_default_ciphers) /
		    sizeof(negotiate_default_ciphers[0]);
	}
	for (i = 0; i < n; i++)
		if (pref[i] != SMB2_CIPHER_NONE &&
		    negotiate_list_has(client, (uint16_t)pref[i]))
			return pref[i];
	return SMB2_CIPHER_NONE;
}

/*
 * The first signing algorithm in server order that the client offered,
 * in *alg; the client's own order does not decide.  -1 when there is
 * none: the connection then keeps AES-CMAC, which 3.1.4.1 says a 3.1.1
 * connection uses when Connection.SigningAlgorithmId is empty, and the
 * response carries no SIGNING context: a client told of an algorithm it
 * did not offer may end the connection (Samba's does).
 */
static int
negotiate_pick_signalg(const struct smb2_negotiate_cfg *cfg,
    const struct rbuf *client, enum smb2_signalg *alg)
{
	const enum smb2_signalg *pref = cfg->signalgs;
	size_t i, n = cfg->nsignalgs;

	if (n == 0) {
		pref = negotiate_default_signalgs;
		n = sizeof(negotiate_default_signalgs) /
		    sizeof(negotiate_default_signalgs[0]);
	}
	for (i = 0; i < n; i++)
		if (negotiate_list_has(client, (uint16_t)pref[i])) {
			*alg = pref[i];
			return 0;
		}
	return -1;
}

uint32_t
smb2_negotiate_process(const struct smb2_negotiate_cfg *cfg,
    const struct rbuf *msg, struct smb2_negotiate_result *res,
    struct wbuf *resp)
{
	struct smb2_negotiate_result nr;
	struct negotiate_ctx_answer ans;
	struct negotiate_ctx_req cr;
	struct smb2_hdr h;
	struct rbuf m;
	uint16_t ssize, ndialects, secmode, reserved, nctx, reserved2, d;
	uint32_t caps, ctxoff;
	size_t i, fixed_end;
	uint32_t st;

	memset(&nr, 0, sizeof(nr));
	memset(&ans, 0, sizeof(ans));
	/* A private reader whose offsets count from the header. */
	rbuf_init(&m, rbuf_cur(msg), rbuf_left(msg));
	if (smb2_hdr_parse(&m, &h) == -1 || h.command != SMB2_NEGOTIATE)
		return NT_STATUS_INVALID_PARAMETER;
	/* A signed NEGOTIATE is refused (MS-SMB2 3.3.5.2.4). */
	if (h.flags & SMB2_FLAGS_SIGNED)
		return NT_STATUS_INVALID_PARAMETER;

	rbuf_get_u16le(&m, &ssize);
	rbuf_get_u16le(&m, &ndialects);
	rbuf_get_u16le(&m, &secmode);
	rbuf_get_u16le(&m, &reserved);
	rbuf_get_u32le(&m, &caps);
	rbuf_get_bytes(&m, nr.client_guid, sizeof(nr.client_guid));
	/* ClientStartTime before 3.1.1; the context list fields since. */
	rbuf_get_u32le(&m, &ctxoff);
	rbuf_get_u16le(&m, &nctx);
	rbuf_get_u16le(&m, &reserved2);
	if (rbuf_error(&m) || ssize != SMB2_NEGOTIATE_REQ_SIZE)
		return NT_STATUS_INVALID_PARAMETER;
	if (ndialects == 0)
		return NT_STATUS_INVALID_PARAMETER;
	if (rbuf_left(&m) < (size_t)ndialects * 2)
		return NT_STATUS_INVALID_PARAMETER;
	nr.client_security_mode = secmode;
	nr.client_capabilities = caps;

	/* The greatest common dialect (3.3.5.4). */
	for (i = 0; i < ndialects; i++) {
		rbuf_get_u16le(&m, &d);
		if (i < SMB2_NEGOTIATE_MAX_DIALECTS)
			nr.client_dialects[nr.nclient_dialects++] = d;
		if (negotiate_dialect_ok(cfg, d) && d > nr.dialect)
			nr.dialect = d;
	}
	if (nr.dialect == 0)
		return NT_STATUS_NOT_SUPPORTED;
	fixed_end = rbuf_offset(&m);

	if (nr.dialect >= SMB2_DIALECT_300)
		nr.signalg = SMB2_SIGN_AES_CMAC;
	else
		nr.signalg = SMB2_SIGN_HMAC_SHA256;
	nr.cipher = SMB2_CIPHER_NONE;

	if (nr.dialect == SMB2_DIALECT_311) {
		st = negotiate_parse_ctx(&m, ctxoff, nctx, fixed_end, &cr);
		if (st != NT_STATUS_SUCCESS)
			return st;
		nr.preauth_hash_alg = SMB2_PREAUTH_INTEGRITY_SHA512;
		arc4random_buf(nr.preauth_salt, sizeof(nr.preauth_salt));
		if (cr.encryption && cfg->encryption_enabled) {
			nr.cipher = negotiate_pick_cipher(cfg, &cr.ciphers);
			ans.encryption = 1;
		}
		if (cr.signing && negotiate_pick_signalg(cfg, &cr.signalgs,
		    &nr.signalg) == 0) {
			nr.signalg_negotiated = 1;
			ans.signing = 1;
		}
	}

	negotiate_server_side(cfg, &nr, nr.dialect,
	    negotiate_caps(cfg, nr.dialect, caps));
	if (nr.server_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION)
		nr.cipher = SMB2_CIPHER_AES128_CCM;
	if (negotiate_build(cfg, &nr, nr.dialect,
	    nr.dialect == SMB2_DIALECT_311 ? &ans : NULL, resp) == -1)
		return NT_STATUS_INTERNAL_ERROR;
	*res = nr;
	return NT_STATUS_SUCCESS;
}

/* SMB1 header Flags: the message is a reply (MS-CIFS 2.2.3.1). */
#define SMB1_FLAGS_REPLY	0x80
/* Buffer format of a dialect string (MS-CIFS 2.2.4.52.1). */
#define SMB1_DIALECT_FORMAT	0x02

int
smb1_negotiate_parse(const uint8_t *buf, size_t len, int *offers_202,
    int *offers_2xx)
{
	struct rbuf r, bytes;
	uint32_t proto, status;
	uint16_t bytecount;
	uint8_t cmd, flags, wordcount, fmt, c;
	char name[16];
	size_t n;

	*offers_202 = *offers_2xx = 0;
	rbuf_init(&r, buf, len);
	rbuf_get_u32be(&r, &proto);
	rbuf_get_u8(&r, &cmd);
	rbuf_get_u32le(&r, &status);
	rbuf_get_u8(&r, &flags);
	/* Flags2, PIDHigh, SecurityFeatures, Reserved, TID, PIDLow, UID, MID */
	rbuf_skip(&r, 2 + 2 + 8 + 2 + 2 + 2 + 2 + 2);
	rbuf_get_u8(&r, &wordcount);
	rbuf_get_u16le(&r, &bytecount);
	if (rbuf_error(&r) || proto != SMB1_PROTOCOL_ID ||
	    cmd != SMB1_COM_NEGOTIATE || (flags & SMB1_FLAGS_REPLY) ||
	    wordcount != 0 || rbuf_take(&r, bytecount, &bytes) == -1)
		return -1;

	/* Each dialect: 0x02 and a NUL-terminated OEM string. */
	while (rbuf_left(&bytes) > 0) {
		if (rbuf_get_u8(&bytes, &fmt) == -1 ||
		    fmt != SMB1_DIALECT_FORMAT)
			return -1;
		n = 0;
		for (;;) {
			if (rbuf_get_u8(&bytes, &c) == -1)
				return -1;	/* unterminated */
			if (c == '\0')
				break;
			/* Longer names are none of ours; keep one too many. */
			if (n < sizeof(name) - 1)
				name[n++] = (char)c;
		}
		name[n] = '\0';
		if (strcmp(name, "SMB 2.002") == 0)
			*offers_202 = 1;
		else if (strcmp(name, "SMB 2.???") == 0)
			*offers_2xx = 1;
	}
	return 0;
}

uint16_t
smb1_negotiate_select(const struct smb2_negotiate_cfg *cfg, int offers_202,
    int offers_2xx)
{
	/* 3.3.5.3.1: a server with 2.1 or 3.x answers "SMB 2.???". */
	if (offers_2xx && cfg->max_dialect > SMB2_DIALECT_202)
		return SMB2_DIALECT_WILDCARD;
	/* 3.3.5.3.2: otherwise "SMB 2.002", if 2.0.2 is allowed. */
	if (offers_202 && cfg->min_dialect <= SMB2_DIALECT_202 &&
	    cfg->max_dialect >= SMB2_DIALECT_202)
		return SMB2_DIALECT_202;
	return 0;
}

int
smb2_negotiate_smb1_response(const struct smb2_negotiate_cfg *cfg,
    uint16_t dialect, struct smb2_negotiate_result *res, struct wbuf *resp)
{
	struct smb2_negotiate_result nr;
	uint32_t caps = 0;

	memset(&nr, 0, sizeof(nr));
	if (cfg->dfs)
		caps |= SMB2_GLOBAL_CAP_DFS;
	if (dialect == SMB2_DIALECT_WILDCARD) {
		/* 3.3.5.3.1: the 2.1 capabilities the server has. */
		if (cfg->leasing)
			caps |= SMB2_GLOBAL_CAP_LEASING;
		if (cfg->large_mtu)
			caps |= SMB2_GLOBAL_CAP_LARGE_MTU;
	} else if (dialect == SMB2_DIALECT_202)
		nr.dialect = SMB2_DIALECT_202;
	else
		return -1;
	nr.signalg = SMB2_SIGN_HMAC_SHA256;
	nr.cipher = SMB2_CIPHER_NONE;
	negotiate_server_side(cfg, &nr, dialect, caps);
	if (negotiate_build(cfg, &nr, dialect, NULL, resp) == -1)
		return -1;
	*res = nr;
	return 0;
}

uint32_t
smb2_validate_negotiate(const struct smb2_negotiate_cfg *cfg,
    const struct smb2_negotiate_result *res, struct rbuf *input,
    struct wbuf *resp)
{
	uint8_t guid[16];
	uint32_t caps;
	uint16_t secmode, count, d, best = 0;
	size_t i;
	int seen = 0;

	/* 3.1.1 protects NEGOTIATE with the preauth hash instead. */
	if (res->dialect == 0 || res->dialect == SMB2_DIALECT_311)
		return NT_STATUS_ACCESS_DENIED;
	rbuf_get_u32le(input, &caps);
	rbuf_get_bytes(input, guid, sizeof(guid));
	rbuf_get_u16le(input, &secmode);
	rbuf_get_u16le(input, &count);
	if (rbuf_error(input) || count == 0 ||
	    rbuf_left(input) < (size_t)count * 2)
		return NT_STATUS_INVALID_PARAMETER;

	/* The same dialect list as in NEGOTIATE, in the same order. */
	if (count != res->nclient_dialects)
		return NT_STATUS_ACCESS_DENIED;
	for (i = 0; i < count; i++) {
		rbuf_get_u16le(input, &d);
		if (d != res->client_dialects[i])
			return NT_STATUS_ACCESS_DENIED;
		if (d == res->dialect)
			seen = 1;
		if (negotiate_dialect_ok(cfg, d) && d > best)
			best = d;
	}
	/*
	 * And it selects the same dialect.  A process that has no dialect
	 * range configured (cfg zeroed) checks only that the dialect was
	 * among those offered; the list itself already matched.
	 */
	if (!seen || (cfg->max_dialect != 0 && best != res->dialect))
		return NT_STATUS_ACCESS_DENIED;
	if (memcmp(guid, res->client_guid, sizeof(guid)) != 0 ||
	    secmode != res->client_security_mode ||
	    caps != res->client_capabilities)
		return NT_STATUS_ACCESS_DENIED;

	wbuf_put_u32le(resp, res->server_capabilities);
	wbuf_put_bytes(resp, res->server_guid, sizeof(res->server_guid));
	wbuf_put_u16le(resp, res->server_security_mode);
	wbuf_put_u16le(resp, res->dialect);
	return wbuf_error(resp) ? NT_STATUS_INTERNAL_ERROR : NT_STATUS_SUCCESS;
}

const char *
smb2_dialect_name(uint16_t d)
{
	switch (d) {
	case SMB2_DIALECT_202:
		return "SMB 2.0.2";
	case SMB2_DIALECT_210:
		return "SMB 2.1";
	case SMB2_DIALECT_300:
		return "SMB 3.0";
	case SMB2_DIALECT_302:
		return "SMB 3.0.2";
	case SMB2_DIALECT_311:
		return "SMB 3.1.1";
	}
	return "unknown";
}

const char *
smb2_cipher_name(int c)
{
	static const char *const names[] = { NULL, "AES-128-CCM",
	    "AES-128-GCM", "AES-256-CCM", "AES-256-GCM" };

	return c >= 0 && (size_t)c < sizeof(names) / sizeof(names[0]) ?
	    names[c] : NULL;
}

const char *
smb2_signalg_name(int a)
{
	static const char *const names[] = { "HMAC-SHA256", "AES-128-CMAC",
	    "AES-128-GMAC" };

	return a >= 0 && (size_t)a < sizeof(names) / sizeof(names[0]) ?
	    names[a] : "unknown";
}
