/*
 * NEGOTIATE in usmbd-preauth: the SMB1 multi-protocol upgrade, SMB2
 * NEGOTIATE with the server's configuration, CANCEL, and the 3.1.1
 * pre-authentication integrity hashes (MS-SMB2 3.3.5.3, 3.3.5.4).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_negprot.h"
#include "spnego.h"
#include "util.h"

static struct wbuf	negprot_blob;
static uint64_t		negprot_start_time;

/*
 * The server GUID lives in the state directory so that it survives
 * restarts (clients use it to recognise the server).  The master creates
 * it; the preauth processes read it before they lose file access.
 */
int
smb2_server_guid(const char *dir, uint8_t guid[16], int create)
{
	char *path, *tmp;
	ssize_t n;
	int fd;

	xasprintf(&path, "%s/server_guid", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) != -1) {
		n = read(fd, guid, 16);
		close(fd);
		if (n == 16) {
			free(path);
			return 0;
		}
		log_warnx("%s: truncated", path);
		if (!create) {
			free(path);
			return -1;
		}
	} else if (!create || errno != ENOENT) {
		log_warn("%s", path);
		free(path);
		return -1;
	}
	arc4random_buf(guid, 16);
	xasprintf(&tmp, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1 || write(fd, guid, 16) != 16 ||
	    fsync(fd) == -1 || close(fd) == -1 || rename(tmp, path) == -1) {
		log_warn("%s", path);
		free(tmp);
		free(path);
		return -1;
	}
	free(tmp);
	free(path);
	return 0;
}

/* Seconds since 1601 in 100 ns units (FILETIME). */
static uint64_t
negprot_filetime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec + 11644473600ULL) * 10000000ULL +
	    (uint64_t)ts.tv_nsec / 100;
}

static uint16_t
negprot_dialect(enum conf_protocol p)
{
	switch (p) {
	case PROTO_SMB2_02:
		return SMB2_DIALECT_202;
	case PROTO_SMB2_10:
		return SMB2_DIALECT_210;
	case PROTO_SMB3_00:
		return SMB2_DIALECT_300;
	case PROTO_SMB3_02:
		return SMB2_DIALECT_302;
	default:
		return SMB2_DIALECT_311;
	}
}

int
smb2_negprot_setup(struct smb2_conn *c)
{
	struct smb2_negotiate_cfg *n = &c->ncfg;
	const struct conf_global *g = &c->conf->g;
	enum spnego_mech mechs[3];
	size_t i, nmechs = 0;

	memset(n, 0, sizeof(*n));
	n->min_dialect = negprot_dialect(g->server_min_protocol);
	n->max_dialect = negprot_dialect(g->server_max_protocol);
	n->signing_required = g->server_signing == SIGNING_MANDATORY;
	n->encryption_enabled = g->smb_encrypt != ENCRYPT_OFF;
	for (i = 0; g->server_smb3_encryption_algorithms[i] != NULL &&
	    n->nciphers < nitems(n->ciphers); i++) {
		const char *a = g->server_smb3_encryption_algorithms[i];

		if (strcasecmp(a, "AES-128-CCM") == 0)
			n->ciphers[n->nciphers++] = SMB2_CIPHER_AES128_CCM;
		else if (strcasecmp(a, "AES-128-GCM") == 0)
			n->ciphers[n->nciphers++] = SMB2_CIPHER_AES128_GCM;
		else if (strcasecmp(a, "AES-256-CCM") == 0)
			n->ciphers[n->nciphers++] = SMB2_CIPHER_AES256_CCM;
		else if (strcasecmp(a, "AES-256-GCM") == 0)
			n->ciphers[n->nciphers++] = SMB2_CIPHER_AES256_GCM;
	}
	for (i = 0; g->server_smb3_signing_algorithms[i] != NULL &&
	    n->nsignalgs < nitems(n->signalgs); i++) {
		const char *a = g->server_smb3_signing_algorithms[i];

		if (strcasecmp(a, "HMAC-SHA256") == 0)
			n->signalgs[n->nsignalgs++] = SMB2_SIGN_HMAC_SHA256;
		else if (strcasecmp(a, "AES-128-CMAC") == 0)
			n->signalgs[n->nsignalgs++] = SMB2_SIGN_AES_CMAC;
		else if (strcasecmp(a, "AES-128-GMAC") == 0)
			n->signalgs[n->nsignalgs++] = SMB2_SIGN_AES_GMAC;
	}
	if (smb2_server_guid(g->state_directory, n->server_guid, 0) == -1)
		return -1;
	n->max_trans = g->smb2_max_trans;
	n->max_read = g->smb2_max_read;
	n->max_write = g->smb2_max_write;
	n->large_mtu = 1;
	/* Leases of files, and of directories on SMB 3.x. */
	n->leasing = g->smb2_leases;
	n->directory_leasing = g->smb2_leases;
	negprot_start_time = 0;
	wbuf_init(&negprot_blob, 4096);
	/*
	 * The mechanisms authd accepts, Kerberos first as Windows lists
	 * them.  With ntlm auth = disabled and no keytab, NTLMSSP stays
	 * listed, so that the refusal comes with a reason in the log.
	 */
	if (conf_krb5_enabled(g)) {
		mechs[nmechs++] = SPNEGO_MECH_MSKRB5;
		mechs[nmechs++] = SPNEGO_MECH_KRB5;
	}
	if (g->ntlm_auth != NTLM_AUTH_DISABLED || nmechs == 0)
		mechs[nmechs++] = SPNEGO_MECH_NTLMSSP;
	if (spnego_build_init2(&negprot_blob, mechs, nmechs) == -1)
		return -1;
	n->security_blob = wbuf_data(&negprot_blob);
	n->security_blob_len = wbuf_len(&negprot_blob);
	return 0;
}

uint32_t
smb2_cmd_negotiate(struct smb2_conn *c, struct smb2_req *req)
{
	uint32_t st;

	if (c->negotiated) {
		/* A second NEGOTIATE ends the connection (3.3.5.4). */
		req->drop = 1;
		return NT_STATUS_INVALID_PARAMETER;
	}
	c->ncfg.system_time = negprot_filetime();
	c->ncfg.server_start_time = negprot_start_time;
	st = smb2_negotiate_process(&c->ncfg, &req->msg, &c->nres, req->out);
	if (st != NT_STATUS_SUCCESS) {
		log_info("%s: NEGOTIATE failed: %s", c->peer,
		    ntstatus_name(st));
		return st;
	}
	c->negotiated = 1;
	if (c->nres.dialect == SMB2_DIALECT_311) {
		memset(c->preauth_hash, 0, sizeof(c->preauth_hash));
		smb2_preauth_hash_update(c->preauth_hash, rbuf_cur(&req->msg),
		    rbuf_left(&req->msg));
	}
	log_debug("%s: negotiated %s, signing %s", c->peer,
	    smb2_dialect_name(c->nres.dialect),
	    smb2_signalg_name(c->nres.signalg));
	return NT_STATUS_SUCCESS;
}

/*
 * Responses to NEGOTIATE and to unfinished SESSION_SETUPs feed the 3.1.1
 * pre-authentication hashes (MS-SMB2 3.3.5.4, 3.3.5.5).
 */
void
smb2_req_after_emit(struct smb2_conn *c, struct smb2_req *req,
    const uint8_t *resp, size_t len)
{
	if (c->nres.dialect != SMB2_DIALECT_311)
		return;
	if (req->hdr.command == SMB2_NEGOTIATE &&
	    req->status == NT_STATUS_SUCCESS)
		smb2_preauth_hash_update(c->preauth_hash, resp, len);
	else if (req->hdr.command == SMB2_SESSION_SETUP &&
	    req->status == NT_STATUS_MORE_PROCESSING_REQUIRED &&
	    req->sess != NULL)
		smb2_preauth_hash_update(req->sess->preauth_hash, resp, len);
}

/*
 * CANCEL gets no response of its own; nothing in the preauth process
 * runs asynchronously, so there is nothing to cancel.
 */
uint32_t
smb2_cmd_cancel(struct smb2_conn *c, struct smb2_req *req)
{
	return SMB2_NO_RESPONSE;
}

/*
 * An SMB1 NEGOTIATE that offers SMB2 (MS-SMB2 3.3.5.3.1): answer with an
 * SMB2 NEGOTIATE response, dialect 0x02FF when the client may go on to a
 * later dialect, 0x0202 when 2.0.2 is all it offers.
 */
void
smb2_smb1_negotiate(struct smb2_conn *c, const uint8_t *frame, size_t len)
{
	struct smb2_hdr h;
	struct wbuf w, body;
	int offers_202 = 0, offers_2xx = 0;
	uint16_t dialect;

	if (smb1_negotiate_parse(frame, len, &offers_202, &offers_2xx) == -1 ||
	    (!offers_202 && !offers_2xx)) {
		smb2_conn_close(c, "SMB1 is not supported and the client "
		    "offers no SMB2 dialect");
		return;
	}
	if (offers_2xx && c->ncfg.max_dialect > SMB2_DIALECT_202)
		dialect = SMB2_DIALECT_WILDCARD;
	else if (offers_202 && c->ncfg.min_dialect == SMB2_DIALECT_202)
		dialect = SMB2_DIALECT_202;
	else {
		smb2_conn_close(c, "no common dialect in SMB1 NEGOTIATE");
		return;
	}
	c->ncfg.system_time = negprot_filetime();
	wbuf_init(&body, 8192);
	if (smb2_negotiate_smb1_response(&c->ncfg, dialect, &c->nres,
	    &body) == -1) {
		wbuf_free(&body);
		smb2_conn_close(c, "cannot answer SMB1 NEGOTIATE");
		return;
	}
	/* The SMB1 request used MessageId 0; the answer grants one credit. */
	smb2_credits_consume(&c->credits, 0, 1);
	memset(&h, 0, sizeof(h));
	h.command = SMB2_NEGOTIATE;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.credits = smb2_credits_grant(&c->credits, 1);
	wbuf_init(&w, 8192 + SMB2_HDR_LEN);
	smb2_hdr_build(&w, &h);
	wbuf_put_bytes(&w, wbuf_data(&body), wbuf_len(&body));
	if (!wbuf_error(&w))
		smb2_conn_send(c, wbuf_data(&w), wbuf_len(&w));
	if (dialect == SMB2_DIALECT_202)
		c->negotiated = 1;
	wbuf_free(&w);
	wbuf_free(&body);
}
