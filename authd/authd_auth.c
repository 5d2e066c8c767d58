/*
 * usmbd-authd: the authentication exchanges.
 *
 * A worker relays each SESSION_SETUP security buffer here.  The buffer is
 * SPNEGO around NTLMSSP or a Kerberos AP-REQ (or bare NTLMSSP); authd
 * answers with the next token.  When verification succeeds it tells the
 * master which account authenticated, waits for the master to confirm the
 * Unix user, and only then gives the worker the session key.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "authd.h"
#include "authd_krb5.h"
#include "authd_proto.h"
#include "authd_throttle.h"
#include "buf.h"
#include "conf.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "log.h"
#include "ntlm_crypto.h"
#include "ntlmssp.h"
#include "ntstatus.h"
#include "proc.h"
#include "spnego.h"
#include "userdb.h"
#include "util.h"

enum authd_ex_state {
	EX_START,
	EX_CHALLENGED,
	EX_WAIT_MASTER,
	EX_DONE,
};

struct authd_exchange {
	uint64_t		 session_id;
	enum authd_ex_state	 state;
	int			 spnego;	/* answer wrapped in SPNEGO */
	uint8_t			*mechlist;	/* DER mechTypes, for the MIC */
	size_t			 mechlist_len;
	struct ntlmssp_server	*ntlm;
	uint8_t			 session_key[AUTH_MAX_SESSION_KEY];
	size_t			 session_key_len;
	uint32_t		 flags;		/* AUTH_FLAG_* */
	int64_t			 endtime;	/* ticket end; 0: none */
	char			*user;
	struct wbuf		 pending;	/* token held for the master */
};

static struct userdb	*authd_db;
static struct timespec	 authd_db_mtime;
static int		 authd_krb5_on;

char *
authd_init(struct proc_ctx *ctx)
{
	char *ktpath = NULL;

	/*
	 * OpenSSL reads its configuration and loads providers on first use,
	 * libkrb5 reads krb5.conf: that has to happen before the sandbox
	 * closes.  The user database is (re)read on demand, see
	 * authd_userdb(); the keytab at each Kerberos logon.
	 */
	ntlm_crypto_init();
	if ((authd_krb5_on = authd_krb5_init(&ctx->conf->g, &ktpath)) == -1)
		fatalx("Kerberos cannot be set up");
	return ktpath;
}

/*
 * The user database, re-read whenever it changed on disk, so that
 * usmbd-passwd takes effect without a restart.
 */
static struct userdb *
authd_userdb(void)
{
	struct stat st;
	struct userdb *db;

	if (stat(A.conf->g.passdb_file, &st) == -1) {
		if (errno != ENOENT)
			log_warn("%s", A.conf->g.passdb_file);
		if (authd_db != NULL) {
			userdb_free(authd_db);
			authd_db = NULL;
		}
		return NULL;
	}
	if (authd_db != NULL &&
	    st.st_mtim.tv_sec == authd_db_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == authd_db_mtime.tv_nsec)
		return authd_db;
	if (userdb_load(A.conf->g.passdb_file, &db) == -1) {
		log_warnx("%s: cannot load the user database; keeping the "
		    "previous one", A.conf->g.passdb_file);
		return authd_db;
	}
	if (authd_db != NULL)
		userdb_free(authd_db);
	authd_db = db;
	authd_db_mtime = st.st_mtim;
	return authd_db;
}

/* The throttle's settings, as the configuration has them now. */
static void
authd_throttle_cfg(struct throttle_cfg *cfg)
{
	cfg->limit = (unsigned)A.conf->g.auth_failure_limit;
	cfg->v4prefix = A.conf->g.auth_failure_ipv4_prefix;
	cfg->v6prefix = A.conf->g.auth_failure_ipv6_prefix;
}

static void
authd_ex_free(struct authd_exchange *ex)
{
	if (ex == NULL)
		return;
	ntlmssp_server_free(ex->ntlm);
	free(ex->mechlist);
	free(ex->user);
	wbuf_free(&ex->pending);
	explicit_bzero(ex, sizeof(*ex));
	free(ex);
}

void
authd_peer_cleanup(struct authd_peer *p)
{
	authd_ex_free(p->ex);
	p->ex = NULL;
	if (p->ev_delay != NULL) {
		event_free(p->ev_delay);
		p->ev_delay = NULL;
	}
	wbuf_free(&p->delayed);
}

static void
authd_send(struct authd_peer *p, const uint8_t *msg, size_t len)
{
	if (ipc_chan_send(p->chan, IPC_AUTH_RESPONSE, p->id, -1, msg,
	    len) == -1)
		log_warnx("connection %u: cannot answer the worker", p->id);
}

static void
authd_delayed_cb(evutil_socket_t fd, short what, void *arg)
{
	struct authd_peer *p = arg;

	authd_send(p, wbuf_data(&p->delayed), wbuf_len(&p->delayed));
	wbuf_free(&p->delayed);
}

/*
 * Answer the worker.  A final answer (success or failure alike) to a
 * source or for a user that keeps failing is held back for a while, which
 * slows password guessing to a crawl without keeping any worker busy and
 * without a quick answer giving a right password away.
 */
static void
authd_reply(struct authd_peer *p, uint64_t sid, uint32_t status,
    uint32_t flags, const uint8_t *key, size_t keylen, uint32_t uid,
    uint32_t lifetime, const uint8_t *token, size_t toklen, const char *user)
{
	struct throttle_cfg cfg;
	struct wbuf w;
	struct timeval tv;

	wbuf_init(&w, IPC_MAX_PAYLOAD);
	wbuf_put_u64le(&w, sid);
	wbuf_put_u32le(&w, status);
	wbuf_put_u32le(&w, flags);
	wbuf_put_u16le(&w, (uint16_t)keylen);
	wbuf_put_u16le(&w, 0);
	wbuf_put_u32le(&w, uid);
	wbuf_put_u32le(&w, lifetime);
	wbuf_put_u32le(&w, 0);
	wbuf_put_bytes(&w, key, keylen);
	wbuf_put_bytes(&w, token, toklen);
	if (wbuf_error(&w)) {
		log_warnx("connection %u: answer too large", p->id);
		wbuf_free(&w);
		return;
	}
	authd_throttle_cfg(&cfg);
	if (status != NT_STATUS_MORE_PROCESSING_REQUIRED &&
	    A.conf->g.auth_failure_delay > 0 &&
	    throttle_penalized(&cfg, p->addr, user, time_mono_ms())) {
		log_debug("connection %u from %s: answer (0x%08x) held back "
		    "for %d ms", p->id, p->addr, status,
		    A.conf->g.auth_failure_delay);
		if (p->ev_delay == NULL)
			p->ev_delay = evtimer_new(A.base, authd_delayed_cb, p);
		wbuf_free(&p->delayed);
		p->delayed = w;
		tv.tv_sec = A.conf->g.auth_failure_delay / 1000;
		tv.tv_usec = (A.conf->g.auth_failure_delay % 1000) * 1000;
		evtimer_add(p->ev_delay, &tv);
		return;
	}
	authd_send(p, wbuf_data(&w), wbuf_len(&w));
	wbuf_free(&w);
}

static void
authd_fail(struct authd_peer *p, uint64_t sid, uint32_t status,
    const char *user, const char *why)
{
	struct throttle_cfg cfg;

	log_warnx("authentication failed for %s%s%s from %s: %s",
	    user != NULL ? "user \"" : "", user != NULL ? user : "a client",
	    user != NULL ? "\"" : "", p->addr, why);
	authd_throttle_cfg(&cfg);
	throttle_failed(&cfg, p->addr, user, time_mono_ms());
	/*
	 * The answer goes before the exchange is freed: user may be the
	 * exchange's own copy of the name.
	 */
	authd_reply(p, sid, status, 0, NULL, 0, 0, 0, NULL, 0, user);
	authd_ex_free(p->ex);
	p->ex = NULL;
}

static struct ntlmssp_server *
authd_ntlm_new(void)
{
	struct ntlmssp_server_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.netbios_domain = A.conf->g.workgroup;
	cfg.netbios_computer = A.conf->g.netbios_name;
	cfg.dns_domain = "";
	cfg.dns_computer = A.conf->g.netbios_name;
	cfg.allow_ntlmv1 = 0;
	cfg.allow_anonymous = 1;
	return ntlmssp_server_new(&cfg);
}

/* Wrap a mechanism token the way the client wrapped its own. */
static int
authd_wrap(struct authd_exchange *ex, int neg_state, int first,
    const uint8_t *tok, size_t toklen, const uint8_t *mic, size_t miclen,
    struct wbuf *out)
{
	if (!ex->spnego)
		return wbuf_put_bytes(out, tok, toklen);
	return spnego_build_resp(out, neg_state,
	    first ? SPNEGO_MECH_NTLMSSP : SPNEGO_MECH_NONE, tok, toklen, mic,
	    miclen);
}

static void
authd_ntlm_negotiate(struct authd_peer *p, struct authd_exchange *ex,
    const uint8_t *tok, size_t len)
{
	struct wbuf chal, out;

	wbuf_init(&chal, 4096);
	wbuf_init(&out, 8192);
	if ((ex->ntlm = authd_ntlm_new()) == NULL ||
	    ntlmssp_server_negotiate(ex->ntlm, tok, len, &chal) == -1 ||
	    authd_wrap(ex, SPNEGO_ACCEPT_INCOMPLETE, 1, wbuf_data(&chal),
	    wbuf_len(&chal), NULL, 0, &out) == -1) {
		wbuf_free(&chal);
		wbuf_free(&out);
		authd_fail(p, ex->session_id, NT_STATUS_INVALID_PARAMETER, NULL,
		    "malformed NTLMSSP NEGOTIATE");
		return;
	}
	ex->state = EX_CHALLENGED;
	authd_reply(p, ex->session_id, NT_STATUS_MORE_PROCESSING_REQUIRED, 0,
	    NULL, 0, 0, 0, wbuf_data(&out), wbuf_len(&out), NULL);
	wbuf_free(&chal);
	wbuf_free(&out);
}

/* The master decides the Unix user; the worker waits for it. */
static void
authd_claim(struct authd_peer *p, struct authd_exchange *ex, const char *user)
{
	struct auth_claim cl;
	struct wbuf w;

	memset(&cl, 0, sizeof(cl));
	cl.session_id = ex->session_id;
	cl.flags = ex->flags;
	snprintf(cl.user, sizeof(cl.user), "%s", user);
	ex->user = xstrdup(cl.user);
	ex->state = EX_WAIT_MASTER;
	wbuf_init(&w, AUTH_CLAIM_WIRE_LEN);
	ipc_put_auth_claim(&w, &cl);
	if (wbuf_error(&w) || ipc_chan_send(A.master, IPC_AUTH_RESULT, p->id,
	    -1, wbuf_data(&w), wbuf_len(&w)) == -1)
		fatalx("cannot reach the master");
	wbuf_free(&w);
}

/*
 * A Kerberos AP-REQ, the optimistic token of a client whose first choice
 * is Kerberos: one round.  The AP-REP goes back in an accept-completed
 * NegTokenResp that names the client's OID; a client that proposed its
 * first mechanism needs no mechListMIC then (RFC 4178 §5).
 */
static void
authd_krb5(struct authd_peer *p, struct authd_exchange *ex,
    enum spnego_mech mech, const uint8_t *tok, size_t len)
{
	struct authd_krb5_result kr;
	struct wbuf rep;
	const struct userdb_user *u = NULL;
	struct userdb *db;

	wbuf_init(&rep, 8192);
	if (authd_krb5_accept(tok, len, &kr, &rep) == -1) {
		wbuf_free(&rep);
		authd_fail(p, ex->session_id, kr.status,
		    kr.client[0] != '\0' ? kr.client : NULL, kr.why);
		return;
	}
	/*
	 * A Kerberos user needs no entry in the user database, but an
	 * account disabled there (usmbd-passwd -D) is disabled for
	 * Kerberos too.
	 */
	if ((db = authd_userdb()) != NULL)
		u = userdb_find(db, kr.user);
	if (u != NULL && u->disabled) {
		wbuf_free(&rep);
		explicit_bzero(kr.key, sizeof(kr.key));
		authd_fail(p, ex->session_id, NT_STATUS_ACCOUNT_DISABLED,
		    kr.client, "account disabled");
		return;
	}
	wbuf_init(&ex->pending, 8192);
	if ((ex->spnego ? spnego_build_resp(&ex->pending,
	    SPNEGO_ACCEPT_COMPLETED, mech, wbuf_data(&rep), wbuf_len(&rep),
	    NULL, 0) : wbuf_put_bytes(&ex->pending, wbuf_data(&rep),
	    wbuf_len(&rep))) == -1) {
		wbuf_free(&rep);
		authd_fail(p, ex->session_id, NT_STATUS_INTERNAL_ERROR,
		    kr.client, "cannot build the SPNEGO answer");
		return;
	}
	wbuf_free(&rep);
	memcpy(ex->session_key, kr.key, kr.keylen);
	ex->session_key_len = kr.keylen;
	explicit_bzero(kr.key, sizeof(kr.key));
	ex->endtime = kr.endtime;
	ex->flags = 0;
	log_info("Kerberos principal %s from %s claims user \"%s\"",
	    kr.client, p->addr, kr.user);
	authd_claim(p, ex, kr.user);
}

static void
authd_ntlm_authenticate(struct authd_peer *p, struct authd_exchange *ex,
    const uint8_t *tok, size_t len, const uint8_t *mic, size_t miclen)
{
	struct ntlmssp_auth_info info;
	const struct userdb_user *u = NULL;
	struct userdb *db;
	uint8_t srvmic[NTLMSSP_SIG_LEN];
	int guest = 0;

	memset(&info, 0, sizeof(info));
	if (ntlmssp_server_parse_auth(ex->ntlm, tok, len, &info) == -1) {
		authd_fail(p, ex->session_id, NT_STATUS_INVALID_PARAMETER, NULL,
		    "malformed NTLMSSP AUTHENTICATE");
		return;
	}
	/*
	 * ntlm auth = disabled: no NTLM logon of any level.  An anonymous
	 * one proves nothing and carries no response, so it is left to
	 * restrict anonymous, as Samba does.
	 */
	if (A.conf->g.ntlm_auth == NTLM_AUTH_DISABLED && !info.anonymous) {
		authd_fail(p, ex->session_id, NT_STATUS_LOGON_FAILURE,
		    info.user, "NTLM logons are refused (ntlm auth = "
		    "disabled)");
		goto out;
	}
	if (info.ntlmv1) {
		authd_fail(p, ex->session_id, NT_STATUS_LOGON_FAILURE,
		    info.user, "NTLMv1 is refused (ntlm auth = ntlmv2-only)");
		goto out;
	}
	if (info.anonymous && A.conf->g.restrict_anonymous != 0) {
		/* Invariant 10: no worker without credentials by default. */
		authd_fail(p, ex->session_id, NT_STATUS_ACCESS_DENIED, NULL,
		    "anonymous logon refused (restrict anonymous = 2)");
		goto out;
	}
	if (info.anonymous) {
		if (ntlmssp_server_verify(ex->ntlm, NULL,
		    ex->session_key) == -1) {
			authd_fail(p, ex->session_id, NT_STATUS_LOGON_FAILURE,
			    NULL, "anonymous logon refused");
			goto out;
		}
		ex->flags = AUTH_FLAG_ANONYMOUS;
		memset(ex->session_key, 0, sizeof(ex->session_key));
		ex->session_key_len = NTLMSSP_SESSION_KEY_LEN;
	} else {
		ex->session_key_len = NTLMSSP_SESSION_KEY_LEN;
		db = authd_userdb();
		if (db != NULL)
			u = userdb_find(db, info.user);
		if (u == NULL) {
			/* "Bad Password" implies "Bad User", as in Samba. */
			if (A.conf->g.map_to_guest != MAP_TO_GUEST_NEVER) {
				guest = 1;
			} else {
				authd_fail(p, ex->session_id,
				    NT_STATUS_LOGON_FAILURE, info.user,
				    "no such user");
				goto out;
			}
		} else if (u->disabled) {
			authd_fail(p, ex->session_id,
			    NT_STATUS_ACCOUNT_DISABLED, info.user,
			    "account disabled");
			goto out;
		} else if (ntlmssp_server_verify(ex->ntlm, u->nthash,
		    ex->session_key) == -1) {
			if (A.conf->g.map_to_guest ==
			    MAP_TO_GUEST_BAD_PASSWORD) {
				guest = 1;
			} else {
				authd_fail(p, ex->session_id,
				    NT_STATUS_LOGON_FAILURE, info.user,
				    "wrong password");
				goto out;
			}
		}
		if (guest) {
			ex->flags = AUTH_FLAG_GUEST;
			memset(ex->session_key, 0, sizeof(ex->session_key));
		}
	}

	/*
	 * SPNEGO mechListMIC (RFC 4178 §5): when the client protects the
	 * mechanism list, check its MIC and protect ours in return, so that
	 * a downgrade of the mechanism choice is detected.
	 */
	wbuf_init(&ex->pending, 8192);
	if (ex->spnego && miclen > 0 && ex->flags == 0) {
		if (miclen != NTLMSSP_SIG_LEN || ex->mechlist == NULL ||
		    ntlmssp_server_check_sig(ex->ntlm, ex->mechlist,
		    ex->mechlist_len, mic) == -1) {
			authd_fail(p, ex->session_id, NT_STATUS_LOGON_FAILURE,
			    info.user, "SPNEGO mechListMIC does not verify");
			goto out;
		}
		if (ntlmssp_server_sign(ex->ntlm, ex->mechlist,
		    ex->mechlist_len, srvmic) == -1 ||
		    authd_wrap(ex, SPNEGO_ACCEPT_COMPLETED, 0, NULL, 0, srvmic,
		    sizeof(srvmic), &ex->pending) == -1) {
			authd_fail(p, ex->session_id, NT_STATUS_INTERNAL_ERROR,
			    info.user, "cannot build the SPNEGO answer");
			goto out;
		}
	} else if (ex->spnego &&
	    authd_wrap(ex, SPNEGO_ACCEPT_COMPLETED, 0, NULL, 0, NULL, 0,
	    &ex->pending) == -1) {
		authd_fail(p, ex->session_id, NT_STATUS_INTERNAL_ERROR,
		    info.user, "cannot build the SPNEGO answer");
		goto out;
	}

	authd_claim(p, ex, info.anonymous ? "" : info.user);
 out:
	ntlmssp_auth_info_free(&info);
}

static int
authd_is_krb5(enum spnego_mech m)
{
	return m == SPNEGO_MECH_KRB5 || m == SPNEGO_MECH_MSKRB5;
}

/* Tell the client to go on with NTLMSSP, the mechanism usmbd speaks. */
static void
authd_ask_ntlmssp(struct authd_peer *p, struct authd_exchange *ex,
    uint64_t sid)
{
	struct wbuf out;

	wbuf_init(&out, 1024);
	authd_wrap(ex, SPNEGO_ACCEPT_INCOMPLETE, 1, NULL, 0, NULL, 0, &out);
	authd_reply(p, sid, NT_STATUS_MORE_PROCESSING_REQUIRED, 0, NULL, 0, 0,
	    0, wbuf_data(&out), wbuf_len(&out), NULL);
	wbuf_free(&out);
}

void
authd_handle_request(struct authd_peer *p, struct ipc_msg *m)
{
	struct authd_exchange *ex;
	struct spnego_token st;
	struct rbuf r;
	const uint8_t *blob;
	uint64_t sid;
	uint32_t flags, reserved, msgtype = 0;
	size_t bloblen;

	rbuf_init(&r, m->data, m->hdr.len);
	rbuf_get_u64le(&r, &sid);
	rbuf_get_u32le(&r, &flags);
	rbuf_get_u32le(&r, &reserved);
	bloblen = rbuf_left(&r);
	rbuf_get_ptr(&r, &blob, bloblen);

	if ((ex = p->ex) != NULL && ex->state == EX_WAIT_MASTER) {
		log_warnx("connection %u: request while waiting for the "
		    "master; dropping the worker's channel", p->id);
		authd_fail(p, sid, NT_STATUS_REQUEST_NOT_ACCEPTED, NULL,
		    "request out of order");
		return;
	}
	if ((flags & AUTH_REQ_NEW) || ex == NULL || ex->session_id != sid ||
	    ex->state == EX_DONE) {
		authd_ex_free(ex);
		ex = p->ex = xcalloc(1, sizeof(*ex));
		ex->session_id = sid;
		ex->state = EX_START;
	}

	if (spnego_parse(blob, bloblen, &st) == -1) {
		enum spnego_mech km;
		const uint8_t *msg;
		size_t msglen;

		/* A bare Kerberos token, without SPNEGO: answered bare. */
		if (authd_krb5_on && ex->state == EX_START &&
		    spnego_krb5_unwrap(blob, bloblen, KRB5_TOK_AP_REQ, &km,
		    &msg, &msglen) == 0) {
			ex->spnego = 0;
			authd_krb5(p, ex, km, blob, bloblen);
			return;
		}
		authd_fail(p, sid, NT_STATUS_INVALID_PARAMETER, NULL,
		    "security buffer is neither SPNEGO nor NTLMSSP");
		return;
	}
	if (st.kind == SPNEGO_RAW_NTLMSSP)
		ex->spnego = 0;
	else if (ex->state == EX_START)
		ex->spnego = 1;
	if (st.kind == SPNEGO_INIT) {
		int have = 0;

		for (size_t i = 0; i < st.nmechs; i++)
			if (st.mechs[i] == SPNEGO_MECH_NTLMSSP ||
			    (authd_krb5_on && authd_is_krb5(st.mechs[i])))
				have = 1;
		if (!have) {
			authd_fail(p, sid, NT_STATUS_LOGON_FAILURE, NULL,
			    authd_krb5_on ? "client offers no mechanism "
			    "usmbd supports (Kerberos, NTLMSSP)" :
			    "client offers no mechanism usmbd supports "
			    "(NTLMSSP)");
			return;
		}
		free(ex->mechlist);
		ex->mechlist = NULL;
		ex->mechlist_len = st.mechlist_len;
		if (st.mechlist_len > 0) {
			ex->mechlist = xmalloc(st.mechlist_len);
			memcpy(ex->mechlist, st.mechlist_der,
			    st.mechlist_len);
		}
	}
	if (st.mech_token == NULL || st.mech_token_len < 12) {
		/*
		 * An optimistic token for another mechanism, or none: tell
		 * the client to go on with NTLMSSP.
		 */
		if (!ex->spnego || ex->state != EX_START) {
			authd_fail(p, sid, NT_STATUS_INVALID_PARAMETER, NULL,
			    "no mechanism token");
			return;
		}
		authd_ask_ntlmssp(p, ex, sid);
		return;
	}
	if (memcmp(st.mech_token, "NTLMSSP\0", 8) == 0) {
		struct rbuf tok;

		rbuf_init(&tok, st.mech_token, st.mech_token_len);
		rbuf_peek_u32le(&tok, 8, &msgtype);
	}
	if (st.kind == SPNEGO_INIT && authd_krb5_on && ex->state == EX_START &&
	    authd_is_krb5(st.mechs[0]) && msgtype == 0) {
		authd_krb5(p, ex, st.mechs[0], st.mech_token,
		    st.mech_token_len);
		return;
	}
	if (st.kind == SPNEGO_INIT && msgtype != NTLMSSP_MSG_NEGOTIATE) {
		/* The optimistic token was for the client's first choice. */
		authd_ask_ntlmssp(p, ex, sid);
		return;
	}
	switch (msgtype) {
	case NTLMSSP_MSG_NEGOTIATE:
		if (ex->state != EX_START) {
			authd_fail(p, sid, NT_STATUS_INVALID_PARAMETER, NULL,
			    "NTLMSSP NEGOTIATE out of order");
			return;
		}
		authd_ntlm_negotiate(p, ex, st.mech_token, st.mech_token_len);
		break;
	case NTLMSSP_MSG_AUTHENTICATE:
		if (ex->state != EX_CHALLENGED) {
			authd_fail(p, sid, NT_STATUS_INVALID_PARAMETER, NULL,
			    "NTLMSSP AUTHENTICATE out of order");
			return;
		}
		authd_ntlm_authenticate(p, ex, st.mech_token,
		    st.mech_token_len, st.mic, st.mic_len);
		break;
	default:
		authd_fail(p, sid, NT_STATUS_INVALID_PARAMETER, NULL,
		    "unexpected security token");
		break;
	}
}

/*
 * The master's word on an exchange that authd verified: the Unix user it
 * resolved, or why the session may not be.
 */
void
authd_handle_confirm(struct ipc_msg *m)
{
	struct auth_confirm cf;
	struct authd_peer *p;
	struct authd_exchange *ex;
	struct rbuf r;
	uint32_t lifetime = 0;

	rbuf_init(&r, m->data, m->hdr.len);
	if (ipc_get_auth_confirm(&r, &cf) == -1) {
		log_warnx("a confirmation from the master that does not parse");
		return;
	}
	TAILQ_FOREACH(p, &A.peers, entry)
		if (p->id == m->hdr.peerid)
			break;
	if (p == NULL || (ex = p->ex) == NULL ||
	    ex->state != EX_WAIT_MASTER || ex->session_id != cf.session_id) {
		log_debug("confirmation for a finished exchange");
		return;
	}
	if (cf.status != NT_STATUS_SUCCESS) {
		authd_fail(p, ex->session_id, cf.status, ex->user,
		    "refused by the master");
		return;
	}
	ex->state = EX_DONE;
	/* A Kerberos session ends with its ticket (MS-SMB2 3.3.5.5.3). */
	if (ex->endtime != 0) {
		int64_t left = ex->endtime - (int64_t)time(NULL);

		lifetime = left < 1 ? 1 : left > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)left;
	}
	log_info("user \"%s\" authenticated from %s%s", ex->user, p->addr,
	    ex->flags & AUTH_FLAG_GUEST ? " (as guest)" :
	    ex->flags & AUTH_FLAG_ANONYMOUS ? " (anonymous)" : "");
	authd_reply(p, ex->session_id, NT_STATUS_SUCCESS, ex->flags,
	    ex->session_key, ex->session_key_len, cf.result.uid, lifetime,
	    wbuf_data(&ex->pending), wbuf_len(&ex->pending), ex->user);
	authd_ex_free(ex);
	p->ex = NULL;
}
