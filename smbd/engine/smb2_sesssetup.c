/*
 * SESSION_SETUP and LOGOFF (MS-SMB2 2.2.5-2.2.8, 3.3.5.5, 3.3.5.6).
 *
 * The security buffer goes to usmbd-authd untouched; authd answers with
 * the next token and, at the end, the session key.  The same code serves
 * the first session in usmbd-preauth and later sessions (of the same
 * user) and re-authentication in usmbd-session.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "authd_proto.h"
#include "conf.h"
#include "ipc.h"
#include "log.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "util.h"

#define SMB2_SESSION_FLAG_BINDING	0x01
#define SMB2_SESSION_FLAG_IS_GUEST	0x0001
#define SMB2_SESSION_FLAG_IS_NULL	0x0002
#define SMB2_SESSION_FLAG_ENCRYPT_DATA	0x0004

/* Sessions one connection may hold at once. */
#define SMB2_MAX_SESSIONS		64

static struct ipc_chan	*sesssetup_authd;
static struct smb2_conn	*sesssetup_conn;

void	(*smb2_sesssetup_previous)(struct smb2_conn *, struct smb2_session *);

static void	sesssetup_authd_dispatch(struct ipc_chan *, struct ipc_msg *,
		    void *);

static void
sesssetup_authd_closed(struct ipc_chan *chan, void *arg)
{
	log_warnx("authd channel closed");
	ipc_chan_free(sesssetup_authd);
	sesssetup_authd = NULL;
	if (sesssetup_conn != NULL && sesssetup_conn->waiting) {
		sesssetup_conn->work->req.status = NT_STATUS_INTERNAL_ERROR;
		smb2_conn_resume(sesssetup_conn);
	}
}

void
smb2_sesssetup_init(struct event_base *base, int authfd, struct smb2_conn *c,
    const struct ipc_rules *rules)
{
	struct ipc_peer authd = { rules, IPC_FROM(PROG_AUTHD), IPC_PH_RUN };

	sesssetup_conn = c;
	if (authfd == -1)
		return;
	sesssetup_authd = ipc_chan_new(base, authfd, "authd", &authd,
	    sesssetup_authd_dispatch, sesssetup_authd_closed, NULL);
	if (sesssetup_authd == NULL)
		fatal("authd channel");
}

/*
 * Is signing required on this session?  (MS-SMB2 3.3.5.5.3: the server's
 * configuration or the client's SecurityMode.)
 */
static int
sesssetup_signing_required(struct smb2_conn *c, uint8_t secmode)
{
	if (c->conf->g.server_signing == SIGNING_MANDATORY)
		return 1;
	if (c->conf->g.server_signing == SIGNING_DISABLED)
		return 0;
	return (secmode & SMB2_NEGOTIATE_SIGNING_REQUIRED) != 0 ||
	    (c->nres.client_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED);
}

static int
sesssetup_encrypt(struct smb2_conn *c)
{
	if (c->nres.dialect < SMB2_DIALECT_300)
		return 0;
	if (c->conf->g.smb_encrypt != ENCRYPT_REQUIRED &&
	    c->conf->g.smb_encrypt != ENCRYPT_DESIRED)
		return 0;
	if (c->nres.dialect >= SMB2_DIALECT_311)
		return c->nres.cipher != SMB2_CIPHER_NONE;
	return (c->nres.client_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION) != 0;
}

static void
sesssetup_body(struct wbuf *out, uint16_t flags, const uint8_t *tok,
    size_t toklen)
{
	wbuf_reset(out);
	wbuf_put_u16le(out, 9);
	wbuf_put_u16le(out, flags);
	wbuf_put_u16le(out, toklen > 0 ? SMB2_HDR_LEN + 8 : 0);
	wbuf_put_u16le(out, (uint16_t)toklen);
	wbuf_put_bytes(out, tok, toklen);
}

uint32_t
smb2_cmd_session_setup(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_session *s = req->sess;
	struct rbuf r = req->body, blob;
	struct wbuf w;
	uint16_t ssize, boff, blen;
	uint8_t flags, secmode;
	uint32_t caps, channel, reqflags = 0;
	uint64_t prev;
	size_t n = 0;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u8(&r, &flags);
	rbuf_get_u8(&r, &secmode);
	rbuf_get_u32le(&r, &caps);
	rbuf_get_u32le(&r, &channel);
	rbuf_get_u16le(&r, &boff);
	rbuf_get_u16le(&r, &blen);
	rbuf_get_u64le(&r, &prev);
	if (rbuf_error(&r))
		return NT_STATUS_INVALID_PARAMETER;
	if (blen == 0 || rbuf_sub(&req->msg, boff, blen, &blob) == -1)
		return NT_STATUS_INVALID_PARAMETER;

	if ((flags & SMB2_SESSION_FLAG_BINDING) &&
	    c->nres.dialect >= SMB2_DIALECT_300) {
		/* Multichannel binding is not offered (no MULTI_CHANNEL cap). */
		return NT_STATUS_REQUEST_NOT_ACCEPTED;
	}
	if (sesssetup_authd == NULL) {
		log_warnx("%s: no channel to authd", c->peer);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (s == NULL) {
		struct smb2_session *t;

		TAILQ_FOREACH(t, &c->sessions, entry)
			n++;
		if (n >= SMB2_MAX_SESSIONS)
			return NT_STATUS_INSUFFICIENT_RESOURCES;
		s = req->sess = smb2_session_new(c);
		s->signing_required = sesssetup_signing_required(c, secmode);
		reqflags |= AUTH_REQ_NEW;
	} else if (s->state != SESS_IN_PROGRESS && !s->reauth) {
		/*
		 * Re-authentication of a valid or expired session starts; its
		 * later legs find s->reauth set.
		 */
		if (c->nres.dialect < SMB2_DIALECT_300 &&
		    s->state == SESS_VALID)
			return NT_STATUS_REQUEST_NOT_ACCEPTED;
		s->reauth = 1;
		reqflags |= AUTH_REQ_NEW;
	}
	req->resp_session_id = s->id;
	/*
	 * MS-SMB2 3.3.5.5.3: an old session of the same user named by
	 * PreviousSessionId ends once this one is set up; the header's own
	 * SessionId in it is ignored.
	 */
	if (!s->reauth)
		s->prev_id = prev != req->hdr.session_id ? prev : 0;

	/* 3.1.1: the session's hash covers each SESSION_SETUP request. */
	if (c->nres.dialect == SMB2_DIALECT_311 && !s->reauth)
		smb2_preauth_hash_update(s->preauth_hash, rbuf_cur(&req->msg),
		    rbuf_left(&req->msg));

	wbuf_init(&w, IPC_MAX_PAYLOAD);
	wbuf_put_u64le(&w, s->id);
	wbuf_put_u32le(&w, reqflags);
	wbuf_put_u32le(&w, 0);
	wbuf_put_bytes(&w, rbuf_cur(&blob), rbuf_left(&blob));
	if (wbuf_error(&w) || ipc_chan_send(sesssetup_authd, IPC_AUTH_REQUEST,
	    0, -1, wbuf_data(&w), wbuf_len(&w)) == -1) {
		wbuf_free(&w);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	wbuf_free(&w);
	/* One answer may come now, and only now. */
	ipc_chan_set_phase(sesssetup_authd, IPC_PH_ASKED);
	c->waiting = 1;
	return SMB2_DEFER;
}

/*
 * authd's answer to the SESSION_SETUP in progress.
 */
static void
sesssetup_authd_dispatch(struct ipc_chan *chan, struct ipc_msg *m, void *arg)
{
	struct smb2_conn *c = sesssetup_conn;
	struct smb2_req *req;
	struct smb2_session *s;
	struct rbuf r;
	const uint8_t *key, *tok;
	uint64_t sid;
	uint32_t status, flags, uid, lifetime, reserved2;
	uint16_t keylen, reserved, sflags = 0;
	size_t toklen;

	if (c == NULL || c->work == NULL || !c->waiting ||
	    c->work->req.hdr.command != SMB2_SESSION_SETUP) {
		log_warnx("unexpected answer from authd");
		return;
	}
	req = &c->work->req;
	s = req->sess;
	rbuf_init(&r, m->data, m->hdr.len);
	rbuf_get_u64le(&r, &sid);
	rbuf_get_u32le(&r, &status);
	rbuf_get_u32le(&r, &flags);
	rbuf_get_u16le(&r, &keylen);
	rbuf_get_u16le(&r, &reserved);
	rbuf_get_u32le(&r, &uid);
	rbuf_get_u32le(&r, &lifetime);
	rbuf_get_u32le(&r, &reserved2);
	if (keylen > AUTH_MAX_SESSION_KEY || rbuf_get_ptr(&r, &key,
	    keylen) == -1 || sid != s->id) {
		log_warnx("malformed answer from authd");
		req->status = NT_STATUS_INTERNAL_ERROR;
		goto fail;
	}
	toklen = rbuf_left(&r);
	rbuf_get_ptr(&r, &tok, toklen);

	if (status == NT_STATUS_MORE_PROCESSING_REQUIRED) {
		sesssetup_body(req->out, 0, tok, toklen);
		req->status = status;
		smb2_conn_resume(c);
		return;
	}
	if (status != NT_STATUS_SUCCESS) {
		req->status = status;
		goto fail;
	}

	/*
	 * The worker's uid is fixed; a session of another user on this
	 * connection was already refused by the master.
	 */
	if (s->reauth && uid != s->uid) {
		req->status = NT_STATUS_ACCESS_DENIED;
		goto fail;
	}
	s->flags = flags;
	s->uid = uid;
	if (!s->reauth) {
		memset(s->session_key, 0, sizeof(s->session_key));
		memcpy(s->session_key, key, keylen);
		s->session_key_len = keylen;
		if (flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS)) {
			/* No key to sign with: a guest session cannot sign. */
			s->signing_required = 0;
			sflags = (flags & AUTH_FLAG_GUEST) ?
			    SMB2_SESSION_FLAG_IS_GUEST :
			    SMB2_SESSION_FLAG_IS_NULL;
		} else {
			if (smb2_session_setup_keys(c, s) == -1) {
				req->status = NT_STATUS_INTERNAL_ERROR;
				goto fail;
			}
			if (sesssetup_encrypt(c)) {
				s->encrypt_data = 1;
				sflags |= SMB2_SESSION_FLAG_ENCRYPT_DATA;
			} else if (c->conf->g.smb_encrypt == ENCRYPT_REQUIRED) {
				log_warnx("%s: client cannot encrypt and smb "
				    "encrypt = required", c->peer);
				req->status = NT_STATUS_ACCESS_DENIED;
				goto fail;
			}
			/* 3.1.1 signs the final response (3.3.5.5.3). */
			if (c->nres.dialect >= SMB2_DIALECT_311 ||
			    s->signing_required)
				req->sign_always = 1;
		}
	} else if (!(flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS)) &&
	    s->signer != NULL)
		/*
		 * A re-authentication's answer is signed with the session's
		 * keys, as Samba does: a client whose session expired checks
		 * that the server that renewed it is the one that has them.
		 */
		req->sign_always = 1;
	s->state = SESS_VALID;
	s->reauth = 0;
	/* Until the Kerberos ticket ends; a re-authentication renews. */
	s->expires_ms = lifetime != 0 ?
	    time_mono_ms() + (uint64_t)lifetime * 1000 : 0;
	snprintf(s->user, sizeof(s->user), "%s", "");
	sesssetup_body(req->out, sflags, tok, toklen);
	req->status = NT_STATUS_SUCCESS;
	if (c->preauth)
		c->handoff = 1;
	else if (s->prev_id != 0 && smb2_sesssetup_previous != NULL)
		smb2_sesssetup_previous(c, s);
	smb2_conn_resume(c);
	return;

 fail:
	/*
	 * A failed authentication ends the session, a re-authenticated one
	 * too, with its tree connects and opens (MS-SMB2 3.3.5.5.3).
	 */
	if (s != NULL && s->reauth) {
		/*
		 * The response may still be encrypted with this session's
		 * keys, so it is freed only after it has been sent, as on
		 * LOGOFF.
		 */
		log_info("%s: re-authentication of session 0x%llx failed "
		    "(0x%08x): session closed", c->peer,
		    (unsigned long long)s->id, req->status);
		s->reauth = 0;
		s->logged_off = 1;
	} else if (s != NULL) {
		smb2_session_free(c, s);
		req->sess = NULL;
	}
	smb2_conn_resume(c);
}

uint32_t
smb2_cmd_logoff(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_session *s = req->sess;

	if (s == NULL)
		return NT_STATUS_USER_SESSION_DELETED;
	/*
	 * The response is still signed with this session's key, so the
	 * session is freed only after it has been sent.
	 */
	s->logged_off = 1;
	wbuf_reset(req->out);
	wbuf_put_u16le(req->out, 4);
	wbuf_put_u16le(req->out, 0);
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_cmd_echo(struct smb2_conn *c, struct smb2_req *req)
{
	wbuf_reset(req->out);
	wbuf_put_u16le(req->out, 4);
	wbuf_put_u16le(req->out, 0);
	return NT_STATUS_SUCCESS;
}
