/*
 * usmbd-authd: Kerberos logons (RFC 4120, RFC 4121, MS-KILE) with
 * libkrb5's own API, not GSS-API: authd needs only to check an AP-REQ
 * against the keytab and to answer with an AP-REP, and libkrb5 lets one
 * context, made before the sandbox, serve every logon.
 *
 * The acceptor never talks to a KDC.  The keytab is the only file read
 * after the sandbox closes; krb5.conf is read once, at start.  Replays
 * are caught here, in memory: libkrb5's replay cache is a file (and the
 * master turns it off with KRB5RCACHETYPE=none).  The PAC, which an MIT
 * KDC puts in every ticket, is neither required nor looked at.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <krb5.h>
#include <profile.h>
#include <openssl/evp.h>

#include "authd_krb5.h"
#include "buf.h"
#include "conf.h"
#include "log.h"
#include "ntstatus.h"
#include "spnego.h"
#include "util.h"

/* The GSS-API authenticator checksum (RFC 4121 §4.1.1). */
#define GSS_CHECKSUM_TYPE	0x8003
#define GSS_CHECKSUM_MINLEN	24
#define GSS_C_MUTUAL_FLAG	2

/*
 * An authenticator is good for the clock skew either side of now, so a
 * replay is caught by remembering every authenticator for that long.
 * Past this many remembered, logons are refused rather than forgotten.
 */
#define REPLAY_MAX		65536

struct replay {
	TAILQ_ENTRY(replay)	 entry;
	uint8_t			 tag[32];
	time_t			 expire;
};

static TAILQ_HEAD(, replay) replays = TAILQ_HEAD_INITIALIZER(replays);
static size_t		 nreplays;
static krb5_context	 kctx;
static krb5_keytab	 kkt;
static int		 kskew = 300;
static const char	*krealm;
static int		 cskew;		/* kerberos clock skew */

int
authd_krb5_init(const struct conf_global *g, char **ktpath)
{
	char name[1024];
	profile_t prof = NULL;
	krb5_error_code e;
	const char *p;

	*ktpath = NULL;
	if (!conf_krb5_enabled(g))
		return 0;
	if ((e = krb5_init_context(&kctx)) != 0) {
		log_warnx("Kerberos: cannot initialise libkrb5 (error %d)",
		    (int)e);
		return -1;
	}
	if (g->kerberos_method == KRB5_METHOD_SYSTEM)
		e = krb5_kt_default(kctx, &kkt);
	else {
		snprintf(name, sizeof(name), "FILE:%s",
		    g->dedicated_keytab_file);
		e = krb5_kt_resolve(kctx, name, &kkt);
	}
	if (e == 0)
		e = krb5_kt_get_name(kctx, kkt, name, sizeof(name));
	if (e != 0) {
		log_warnx("Kerberos: the keytab: %s",
		    krb5_get_error_message(kctx, e));
		return -1;
	}
	/* Only a file keytab: the sandbox allows reading that one file. */
	if (strncmp(name, "FILE:", 5) == 0)
		p = name + 5;
	else if (strchr(name, ':') == NULL || name[0] == '/')
		p = name;
	else {
		log_warnx("Kerberos: keytab %s is not a file", name);
		return -1;
	}
	*ktpath = xstrdup(p);
	if (krb5_get_profile(kctx, &prof) == 0) {
		profile_get_integer(prof, "libdefaults", "clockskew", NULL, 300,
		    &kskew);
		profile_release(prof);
	}
	krealm = g->realm;
	cskew = g->kerberos_clock_skew;
	log_info("Kerberos logons with keytab %s (clock skew %d s)", *ktpath,
	    cskew < kskew ? cskew : kskew);
	return 1;
}

#ifdef FUZZING_KRB5
/* The fuzz target's keytab (a MEMORY: one) and a lax clock. */
int
authd_krb5_init_keytab(const char *ktname)
{
	if (krb5_init_context(&kctx) != 0 ||
	    krb5_kt_resolve(kctx, ktname, &kkt) != 0)
		return -1;
	cskew = 86400;
	krealm = "";
	return 0;
}
#endif

/*
 * Remember an authenticator by a digest of who sent it and when; 0 if it
 * is new, -1 if it was seen (or cannot be remembered).
 */
static int
krb5_replay_check(const char *client, const char *server, krb5_timestamp ctime,
    krb5_int32 cusec, struct authd_krb5_result *res)
{
	struct replay *r, *next;
	uint8_t buf[8];
	EVP_MD_CTX *md;
	uint8_t tag[32];
	unsigned int len = 0;
	time_t now = time(NULL);

	for (r = TAILQ_FIRST(&replays); r != NULL; r = next) {
		next = TAILQ_NEXT(r, entry);
		if (r->expire < now) {
			TAILQ_REMOVE(&replays, r, entry);
			free(r);
			nreplays--;
		}
	}
	buf[0] = (uint8_t)((uint32_t)ctime >> 24);
	buf[1] = (uint8_t)((uint32_t)ctime >> 16);
	buf[2] = (uint8_t)((uint32_t)ctime >> 8);
	buf[3] = (uint8_t)(uint32_t)ctime;
	buf[4] = (uint8_t)((uint32_t)cusec >> 24);
	buf[5] = (uint8_t)((uint32_t)cusec >> 16);
	buf[6] = (uint8_t)((uint32_t)cusec >> 8);
	buf[7] = (uint8_t)(uint32_t)cusec;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, client, strlen(client) + 1) != 1 ||
	    EVP_DigestUpdate(md, server, strlen(server) + 1) != 1 ||
	    EVP_DigestUpdate(md, buf, sizeof(buf)) != 1 ||
	    EVP_DigestFinal_ex(md, tag, &len) != 1 || len != sizeof(tag)) {
		EVP_MD_CTX_free(md);
		res->status = NT_STATUS_INTERNAL_ERROR;
		res->why = "cannot digest the authenticator";
		return -1;
	}
	EVP_MD_CTX_free(md);
	TAILQ_FOREACH(r, &replays, entry)
		if (memcmp(r->tag, tag, sizeof(tag)) == 0) {
			res->status = NT_STATUS_LOGON_FAILURE;
			res->why = "Kerberos authenticator replayed";
			return -1;
		}
	if (nreplays >= REPLAY_MAX) {
		res->status = NT_STATUS_INSUFFICIENT_RESOURCES;
		res->why = "Kerberos replay cache full";
		return -1;
	}
	r = xcalloc(1, sizeof(*r));
	memcpy(r->tag, tag, sizeof(tag));
	r->expire = (time_t)ctime + kskew + 1;
	TAILQ_INSERT_TAIL(&replays, r, entry);
	nreplays++;
	return 0;
}

/*
 * libkrb5 allows krb5.conf's clockskew; `kerberos clock skew` may allow
 * less, checked here on what libkrb5 accepted.
 */
static krb5_error_code
krb5_check_times(krb5_ticket *tkt, krb5_authenticator *a)
{
	const krb5_ticket_times *t = &tkt->enc_part2->times;
	int64_t now = (int64_t)time(NULL), start;

	start = t->starttime != 0 ? t->starttime : t->authtime;
	if (now > (int64_t)(uint32_t)t->endtime + cskew)
		return KRB5KRB_AP_ERR_TKT_EXPIRED;
	if (now + cskew < (int64_t)(uint32_t)start)
		return KRB5KRB_AP_ERR_TKT_NYV;
	if (now > (int64_t)(uint32_t)a->ctime + cskew ||
	    now + cskew < (int64_t)(uint32_t)a->ctime)
		return KRB5KRB_AP_ERR_SKEW;
	return 0;
}

/* Why libkrb5 refused an AP-REQ, as the client is told. */
static void
krb5_refusal(krb5_error_code e, struct authd_krb5_result *res)
{
	switch (e) {
	case KRB5KRB_AP_ERR_SKEW:
		res->status = NT_STATUS_TIME_DIFFERENCE_AT_DC;
		res->why = "Kerberos authenticator outside the clock skew";
		break;
	case KRB5KRB_AP_ERR_TKT_NYV:
		res->status = NT_STATUS_TIME_DIFFERENCE_AT_DC;
		res->why = "Kerberos ticket not yet valid";
		break;
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
		res->status = NT_STATUS_LOGON_FAILURE;
		res->why = "Kerberos ticket expired";
		break;
	case KRB5_KT_NOTFOUND:
	case KRB5_KT_KVNONOTFOUND:
	case KRB5KRB_AP_ERR_NOKEY:
	case KRB5KRB_AP_ERR_BADKEYVER:
		res->status = NT_STATUS_LOGON_FAILURE;
		res->why = "Kerberos ticket for a key not in the keytab";
		break;
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
	case KRB5KRB_AP_ERR_MODIFIED:
		res->status = NT_STATUS_LOGON_FAILURE;
		res->why = "Kerberos ticket does not decrypt with the keytab";
		break;
	case KRB5KRB_AP_ERR_REPEAT:
		res->status = NT_STATUS_LOGON_FAILURE;
		res->why = "Kerberos authenticator replayed";
		break;
	default:
		res->status = NT_STATUS_LOGON_FAILURE;
		res->why = "Kerberos AP-REQ refused";
		break;
	}
	log_debug("Kerberos: %s", krb5_get_error_message(kctx, e));
}

/*
 * Who a refused ticket was for and from, as far as the keytab can tell:
 * the service is in the clear, the client only inside the part that the
 * service key decrypts (which works for an expired ticket, not for a
 * key the keytab lacks).
 */
static void
krb5_refused_who(const uint8_t *apreq, size_t len,
    struct authd_krb5_result *res)
{
	static char why[512];
	krb5_ticket *t = NULL;
	krb5_data d;
	const uint8_t *tk;
	char *sname = NULL, *cname = NULL;
	size_t tklen;

	if (spnego_krb5_ap_req_ticket(apreq, len, &tk, &tklen) == -1)
		return;
	d.magic = KV5M_DATA;
	d.data = (char *)(uintptr_t)tk;
	d.length = (unsigned int)tklen;
	if (krb5_decode_ticket(&d, &t) != 0)
		return;
	if (krb5_unparse_name(kctx, t->server, &sname) == 0) {
		snprintf(why, sizeof(why), "%s (ticket for %s, kvno %u)",
		    res->why, sname, (unsigned)t->enc_part.kvno);
		res->why = why;
	}
	if (krb5_server_decrypt_ticket_keytab(kctx, kkt, t) == 0 &&
	    t->enc_part2 != NULL &&
	    krb5_unparse_name(kctx, t->enc_part2->client, &cname) == 0)
		snprintf(res->client, sizeof(res->client), "%s", cname);
	krb5_free_unparsed_name(kctx, sname);
	krb5_free_unparsed_name(kctx, cname);
	krb5_free_ticket(kctx, t);
}

/*
 * The account name of a client principal: the name without its realm
 * when the realm is ours (`realm`, or the service's own realm when
 * `realm` is not set), else the whole user@REALM.
 */
static int
krb5_map_user(krb5_principal client, krb5_principal server,
    struct authd_krb5_result *res)
{
	const krb5_data *cr = &client->realm;
	const char *ours;
	char *name = NULL;
	size_t olen;

	ours = (krealm != NULL && krealm[0] != '\0') ? krealm : NULL;
	if (ours != NULL)
		olen = strlen(ours);
	else {
		ours = server->realm.data;
		olen = server->realm.length;
	}
	if (cr->length == olen && strncasecmp(cr->data, ours, olen) == 0) {
		if (krb5_unparse_name_flags(kctx, client,
		    KRB5_PRINCIPAL_UNPARSE_NO_REALM, &name) != 0)
			return -1;
		snprintf(res->user, sizeof(res->user), "%s", name);
		krb5_free_unparsed_name(kctx, name);
	} else
		snprintf(res->user, sizeof(res->user), "%s", res->client);
	return 0;
}

/*
 * The GSS-API checksum of the authenticator carries the client's
 * context flags: mutual authentication among them.  MS-KILE lets a
 * client leave it out (some SMB clients build their AP-REQ by hand):
 * then no flag is set, and AP-OPTIONS alone asks for an AP-REP.
 */
static int
krb5_gss_flags(krb5_authenticator *a, uint32_t *flags)
{
	struct rbuf r;

	*flags = 0;
	if (a->checksum == NULL)
		return 0;
	if (a->checksum->checksum_type != GSS_CHECKSUM_TYPE ||
	    a->checksum->length < GSS_CHECKSUM_MINLEN)
		return -1;
	/* Lgth (4), Bnd (16), then Flags, little-endian (RFC 4121). */
	rbuf_init(&r, a->checksum->contents, a->checksum->length);
	return rbuf_peek_u32le(&r, 20, flags);
}

/* The session key: the authenticator's subkey, else the ticket's. */
static int
krb5_session_key(krb5_auth_context ac, krb5_ticket *tkt,
    struct authd_krb5_result *res)
{
	krb5_keyblock *sub = NULL;
	const krb5_keyblock *k;

	if (krb5_auth_con_getrecvsubkey(kctx, ac, &sub) != 0)
		sub = NULL;
	k = sub != NULL ? sub : tkt->enc_part2->session;
	if (k == NULL || k->length == 0 || k->length > sizeof(res->key)) {
		krb5_free_keyblock(kctx, sub);
		return -1;
	}
	memcpy(res->key, k->contents, k->length);
	res->keylen = k->length;
	krb5_free_keyblock(kctx, sub);
	return 0;
}

int
authd_krb5_accept(const uint8_t *tok, size_t len,
    struct authd_krb5_result *res, struct wbuf *out)
{
	krb5_auth_context ac = NULL;
	krb5_authenticator *auth = NULL;
	krb5_ticket *tkt = NULL;
	krb5_data in, rep = { 0 };
	krb5_flags apopts = 0;
	krb5_error_code e;
	enum spnego_mech mech;
	const uint8_t *apreq;
	char *cname = NULL, *sname = NULL;
	size_t apreqlen;
	uint32_t gflags = 0;
	int rv = -1;

	memset(res, 0, sizeof(*res));
	res->status = NT_STATUS_LOGON_FAILURE;
	if (kctx == NULL) {
		res->why = "Kerberos is not configured";
		return -1;
	}
	if (spnego_krb5_unwrap(tok, len, KRB5_TOK_AP_REQ, &mech, &apreq,
	    &apreqlen) == -1) {
		res->status = NT_STATUS_INVALID_PARAMETER;
		res->why = "malformed Kerberos token";
		return -1;
	}
	in.magic = KV5M_DATA;
	in.data = (char *)(uintptr_t)apreq;
	in.length = (unsigned int)apreqlen;
	if ((e = krb5_auth_con_init(kctx, &ac)) != 0 ||
	    (e = krb5_auth_con_setflags(kctx, ac, 0)) != 0) {
		res->status = NT_STATUS_INTERNAL_ERROR;
		res->why = "cannot make a Kerberos context";
		goto out;
	}
	/* Any service principal of the keytab: no host name guessing. */
	if ((e = krb5_rd_req(kctx, &ac, &in, NULL, kkt, &apopts,
	    &tkt)) != 0) {
		krb5_refusal(e, res);
		krb5_refused_who(apreq, apreqlen, res);
		goto out;
	}
	if (krb5_unparse_name(kctx, tkt->enc_part2->client, &cname) != 0 ||
	    krb5_unparse_name(kctx, tkt->server, &sname) != 0) {
		res->why = "Kerberos principal name";
		goto out;
	}
	snprintf(res->client, sizeof(res->client), "%s", cname);
	if (krb5_auth_con_getauthenticator(kctx, ac, &auth) != 0 ||
	    krb5_gss_flags(auth, &gflags) == -1) {
		res->why = "Kerberos authenticator without a GSS-API checksum";
		goto out;
	}
	if ((e = krb5_check_times(tkt, auth)) != 0) {
		krb5_refusal(e, res);
		goto out;
	}
	if (krb5_replay_check(cname, sname, auth->ctime, auth->cusec,
	    res) == -1)
		goto out;
	if (krb5_map_user(tkt->enc_part2->client, tkt->server, res) == -1 ||
	    krb5_session_key(ac, tkt, res) == -1) {
		res->status = NT_STATUS_INTERNAL_ERROR;
		res->why = "Kerberos session key or name";
		goto out;
	}
	/* Kerberos times are unsigned past 2038 (MIT's convention). */
	res->endtime = (int64_t)(uint32_t)tkt->enc_part2->times.endtime;
	res->mutual = (gflags & GSS_C_MUTUAL_FLAG) != 0 ||
	    (apopts & AP_OPTS_MUTUAL_REQUIRED) != 0;
	if (res->mutual) {
		if ((e = krb5_mk_rep(kctx, ac, &rep)) != 0 ||
		    spnego_krb5_wrap(out, KRB5_TOK_AP_REP,
		    (const uint8_t *)rep.data, rep.length) == -1) {
			res->status = NT_STATUS_INTERNAL_ERROR;
			res->why = "cannot build the Kerberos AP-REP";
			goto out;
		}
	}
	log_debug("Kerberos: %s for %s, user %s, %zu-byte session key%s",
	    cname, sname, res->user, res->keylen,
	    res->mutual ? ", mutual" : "");
	rv = 0;
 out:
	if (rv == -1) {
		explicit_bzero(res->key, sizeof(res->key));
		res->keylen = 0;
	}
	krb5_free_data_contents(kctx, &rep);
	krb5_free_unparsed_name(kctx, cname);
	krb5_free_unparsed_name(kctx, sname);
	if (auth != NULL)
		krb5_free_authenticator(kctx, auth);
	if (tkt != NULL)
		krb5_free_ticket(kctx, tkt);
	if (ac != NULL)
		krb5_auth_con_free(kctx, ac);
	return rv;
}
