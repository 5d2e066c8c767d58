/*
 * lsarpc (MS-LSAD, MS-LSAT) and samr (MS-SAMR): enough for a client to
 * name the SIDs it sees in security descriptors and to find the server's
 * domains.  The worker itself knows the well-known SIDs, the server's
 * domains and the session's own user (as Samba's Unix user S-1-22-1-uid
 * and as the account domain's RID 1000 + 2 * uid).  Other Unix users and
 * groups (S-1-22-1-uid, S-1-22-2-gid, account domain RIDs 1000 + 2 * uid
 * and 1001 + 2 * gid) are named through ctx->lookup, which asks the
 * master's name service, since the sandboxed worker cannot read the
 * account databases.  Everything else is unmapped, as MS-LSAT 3.1.4.9
 * describes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "rpc_int.h"
#include "rpc_names.h"
#include "unicode.h"
#include "util.h"

static const struct lsa_acct lsa_wellknown[] = {
	{ "Everyone", D_WORLD, 0, RPC_SID_WKN_GRP },
	{ "CREATOR OWNER", D_CREATOR, 0, RPC_SID_WKN_GRP },
	{ "CREATOR GROUP", D_CREATOR, 1, RPC_SID_WKN_GRP },
	{ "NETWORK", D_NT, 2, RPC_SID_WKN_GRP },
	{ "INTERACTIVE", D_NT, 4, RPC_SID_WKN_GRP },
	{ "ANONYMOUS LOGON", D_NT, 7, RPC_SID_WKN_GRP },
	{ "Authenticated Users", D_NT, 11, RPC_SID_WKN_GRP },
	{ "SYSTEM", D_NT, 18, RPC_SID_WKN_GRP },
	{ "Administrators", D_BUILTIN, 544, RPC_SID_ALIAS },
	{ "Users", D_BUILTIN, 545, RPC_SID_ALIAS },
	{ "Guests", D_BUILTIN, 546, RPC_SID_ALIAS },
	/*
	 * The primary group samr reports for every user, named as a
	 * stand-alone Windows server names it.
	 */
	{ "None", D_ACCOUNT, 513, RPC_SID_DOM_GRP },
};
_Static_assert(nitems(lsa_wellknown) == LSA_NWELLKNOWN,
    "LSA_NWELLKNOWN in rpc_names.h counts lsa_wellknown");

void
lsa_names_init(const struct rpc_ctx *ctx, struct lsa_names *n)
{
	memset(n, 0, sizeof(*n));
	n->dom[D_WORLD].name = "";
	rpc_sid_make(&n->dom[D_WORLD].sid, 1, 0);
	n->dom[D_CREATOR].name = "";
	rpc_sid_make(&n->dom[D_CREATOR].sid, 3, 0);
	n->dom[D_NT].name = "NT AUTHORITY";
	rpc_sid_make(&n->dom[D_NT].sid, 5, 0);
	n->dom[D_BUILTIN].name = "BUILTIN";
	rpc_sid_make(&n->dom[D_BUILTIN].sid, 5, 1, (uint32_t)32);
	n->dom[D_ACCOUNT].name = ctx->server_name;
	rpc_sid_domain(ctx, &n->dom[D_ACCOUNT].sid);
	n->dom[D_UNIX_USER].name = "Unix User";
	rpc_sid_make(&n->dom[D_UNIX_USER].sid, 22, 1, (uint32_t)1);
	n->dom[D_UNIX_GROUP].name = "Unix Group";
	rpc_sid_make(&n->dom[D_UNIX_GROUP].sid, 22, 1, (uint32_t)2);
	if (ctx->user != NULL && ctx->user[0] != '\0') {
		n->acct[n->nacct++] = (struct lsa_acct){ ctx->user,
		    D_UNIX_USER, ctx->uid, RPC_SID_USER };
		n->acct[n->nacct++] = (struct lsa_acct){ ctx->user,
		    D_ACCOUNT, 1000 + 2 * ctx->uid, RPC_SID_USER };
	}
	memcpy(n->acct + n->nacct, lsa_wellknown, sizeof(lsa_wellknown));
	n->nacct += nitems(lsa_wellknown);
}

static void
lsa_acct_sid(const struct lsa_names *n, const struct lsa_acct *a,
    struct rpc_sid *sid)
{
	*sid = n->dom[a->dom].sid;
	sid->sub[sid->nsub++] = a->rid;
}

void
lsa_by_sid(const struct lsa_names *n, const struct rpc_sid *sid,
    struct lsa_res *res)
{
	uint32_t rid;
	size_t i;

	memset(res, 0, sizeof(*res));
	res->dom = -1;
	res->use = RPC_SID_UNKNOWN;
	res->sid = *sid;
	/* An unmapped SID is named by its string form (MS-LSAT 3.1.4.11). */
	rpc_sid_str(sid, res->sidstr, sizeof(res->sidstr));
	res->name = res->sidstr;
	for (i = 0; i < D_COUNT; i++)
		if (n->dom[i].name[0] != '\0' &&
		    rpc_sid_eq(sid, &n->dom[i].sid)) {
			res->dom = (int)i;
			res->use = RPC_SID_DOMAIN;
			res->name = n->dom[i].name;
			return;
		}
	for (i = 0; i < n->nacct; i++)
		if (rpc_sid_in(sid, &n->dom[n->acct[i].dom].sid, &rid) &&
		    rid == n->acct[i].rid) {
			res->dom = n->acct[i].dom;
			res->use = n->acct[i].use;
			res->name = n->acct[i].name;
			return;
		}
}

void
lsa_by_name(const struct lsa_names *n, const char *full, struct lsa_res *res)
{
	const char *bs = strchr(full, '\\'), *name = full;
	char *dname = NULL;
	size_t i;

	memset(res, 0, sizeof(*res));
	res->dom = -1;
	res->use = RPC_SID_UNKNOWN;
	if (full[0] == '\0') {
		/* An empty name is the server's own domain. */
		res->dom = D_ACCOUNT;
		res->use = RPC_SID_DOMAIN;
		res->name = n->dom[D_ACCOUNT].name;
		res->sid = n->dom[D_ACCOUNT].sid;
		return;
	}
	if (bs != NULL) {
		dname = xstrndup(full, (size_t)(bs - full));
		name = bs + 1;
	}
	for (i = 0; i < n->nacct; i++) {
		const struct lsa_acct *a = &n->acct[i];

		if (dname != NULL &&
		    utf8_casecmp(dname, n->dom[a->dom].name) != 0)
			continue;
		if (utf8_casecmp(name, a->name) == 0) {
			res->dom = a->dom;
			res->use = a->use;
			res->name = a->name;
			lsa_acct_sid(n, a, &res->sid);
			goto out;
		}
	}
	/* "DOMAIN" and "DOMAIN\" name the domain itself. */
	if (dname != NULL && name[0] == '\0')
		name = dname;
	for (i = 0; i < D_COUNT && (dname == NULL || name == dname); i++)
		if (n->dom[i].name[0] != '\0' &&
		    utf8_casecmp(name, n->dom[i].name) == 0) {
			res->dom = (int)i;
			res->use = RPC_SID_DOMAIN;
			res->name = n->dom[i].name;
			res->sid = n->dom[i].sid;
			goto out;
		}
	log_debug("rpc: name \"%s\" not mapped", full);
out:
	free(dname);
}

/*
 * Ask the name service the nq questions in q.  Its answers are checked as
 * if they came from the wire: a name must be terminated, not empty and
 * valid UTF-8, or the question counts as unanswered.
 */
static void
lsa_ask(const struct rpc_ctx *ctx, struct rpc_name *q, size_t nq)
{
	struct wbuf tmp;
	size_t i;
	int ok = 1;

	if (nq == 0)
		return;
	if (ctx->lookup == NULL || ctx->lookup(ctx->lookup_arg, q, nq) == -1)
		ok = 0;
	for (i = 0; i < nq; i++) {
		q[i].name[RPC_NAME_MAX - 1] = '\0';
		if (!ok || q[i].name[0] == '\0')
			q[i].found = 0;
		if (!q[i].found)
			continue;
		wbuf_init(&tmp, 4 * RPC_NAME_MAX);
		if (utf8_to_utf16le(q[i].name, strlen(q[i].name), &tmp) == -1)
			q[i].found = 0;
		wbuf_free(&tmp);
	}
}

/* Which Unix id a SID of ours stands for: RPC_NAME_UID, _GID or 0. */
static int
lsa_sid_unix(const struct lsa_names *n, const struct rpc_sid *sid,
    uint32_t *id)
{
	uint32_t rid;

	if (rpc_sid_in(sid, &n->dom[D_UNIX_USER].sid, id))
		return RPC_NAME_UID;
	if (rpc_sid_in(sid, &n->dom[D_UNIX_GROUP].sid, id))
		return RPC_NAME_GID;
	/* Samba's algorithmic RIDs: users even, groups odd. */
	if (rpc_sid_in(sid, &n->dom[D_ACCOUNT].sid, &rid) && rid >= 1000) {
		*id = (rid - 1000) / 2;
		return (rid & 1) ? RPC_NAME_GID : RPC_NAME_UID;
	}
	return 0;
}

/* The SID of Unix id in domain dom (D_ACCOUNT or a Unix one); -1 if none. */
static int
lsa_unix_sid(const struct lsa_names *n, int dom, int kind, uint32_t id,
    struct rpc_sid *sid)
{
	*sid = n->dom[dom].sid;
	if (dom == D_ACCOUNT) {
		if (id > (UINT32_MAX - 1001) / 2)
			return -1;
		id = 1000 + 2 * id + (kind == RPC_NAME_GID ||
		    kind == RPC_NAME_GROUP);
	}
	sid->sub[sid->nsub++] = id;
	return 0;
}

/* Name the SIDs of Unix users and groups that are still unmapped. */
void
lsa_resolve_sids(const struct rpc_ctx *ctx, const struct lsa_names *n,
    struct lsa_res *res, size_t count)
{
	struct rpc_name *q;
	size_t *idx, nq = 0, i;
	uint32_t id, rid;
	int kind;

	if (ctx->lookup == NULL || count == 0)
		return;
	q = xcalloc(count < LSA_MAX_ASK ? count : LSA_MAX_ASK, sizeof(*q));
	idx = xcalloc(count < LSA_MAX_ASK ? count : LSA_MAX_ASK,
	    sizeof(*idx));
	for (i = 0; i < count && nq < LSA_MAX_ASK; i++) {
		if (res[i].dom != -1 ||
		    (kind = lsa_sid_unix(n, &res[i].sid, &id)) == 0)
			continue;
		q[nq].kind = kind;
		q[nq].id = id;
		idx[nq++] = i;
	}
	lsa_ask(ctx, q, nq);
	for (i = 0; i < nq; i++) {
		struct lsa_res *r = &res[idx[i]];

		if (!q[i].found)
			continue;
		if (rpc_sid_in(&r->sid, &n->dom[D_ACCOUNT].sid, &rid))
			r->dom = D_ACCOUNT;
		else
			r->dom = q[i].kind == RPC_NAME_UID ? D_UNIX_USER :
			    D_UNIX_GROUP;
		r->use = q[i].kind == RPC_NAME_UID ? RPC_SID_USER :
		    RPC_SID_DOM_GRP;
		strlcpy(r->sidstr, q[i].name, sizeof(r->sidstr));
		r->name = r->sidstr;
	}
	free(q);
	free(idx);
}

/*
 * Find the SIDs of names still unmapped that may be Unix users or groups:
 * "name", "Unix User\name", "Unix Group\name" or "SERVER\name" (the
 * account domain).  An unqualified name is a user first, then a group,
 * and gets the Unix domains' SIDs, which are the ones the server's
 * security descriptors carry.
 */
void
lsa_resolve_names(const struct rpc_ctx *ctx, const struct lsa_names *n,
    char **in, struct lsa_res *res, size_t count)
{
	struct rpc_name *q;
	size_t *idx, nq, i, round;
	int *dom;

	if (ctx->lookup == NULL || count == 0)
		return;
	q = xcalloc(count < LSA_MAX_ASK ? count : LSA_MAX_ASK, sizeof(*q));
	idx = xcalloc(count < LSA_MAX_ASK ? count : LSA_MAX_ASK,
	    sizeof(*idx));
	dom = xcalloc(count < LSA_MAX_ASK ? count : LSA_MAX_ASK,
	    sizeof(*dom));
	/* Round 0 asks for users, round 1 for groups. */
	for (round = 0; round < 2; round++) {
		int kind = round == 0 ? RPC_NAME_USER : RPC_NAME_GROUP;

		for (i = 0, nq = 0; i < count && nq < LSA_MAX_ASK; i++) {
			const char *bs, *name = in[i];
			int d = -1;

			if (res[i].dom != -1)
				continue;
			if ((bs = strchr(in[i], '\\')) != NULL) {
				size_t dl = (size_t)(bs - in[i]);

				name = bs + 1;
				if (dl == strlen(n->dom[D_UNIX_USER].name) &&
				    strncasecmp(in[i], n->dom[D_UNIX_USER].name,
				    dl) == 0)
					d = D_UNIX_USER;
				else if (dl ==
				    strlen(n->dom[D_UNIX_GROUP].name) &&
				    strncasecmp(in[i],
				    n->dom[D_UNIX_GROUP].name, dl) == 0)
					d = D_UNIX_GROUP;
				else if (dl == strlen(n->dom[D_ACCOUNT].name) &&
				    strncasecmp(in[i], n->dom[D_ACCOUNT].name,
				    dl) == 0)
					d = D_ACCOUNT;
				else
					continue;
			} else
				d = kind == RPC_NAME_USER ? D_UNIX_USER :
				    D_UNIX_GROUP;
			if ((d == D_UNIX_USER && kind != RPC_NAME_USER) ||
			    (d == D_UNIX_GROUP && kind != RPC_NAME_GROUP) ||
			    name[0] == '\0' || strlen(name) >= RPC_NAME_MAX ||
			    strchr(name, '\\') != NULL)
				continue;
			memset(&q[nq], 0, sizeof(q[nq]));
			q[nq].kind = kind;
			strlcpy(q[nq].name, name, sizeof(q[nq].name));
			dom[nq] = d;
			idx[nq++] = i;
		}
		lsa_ask(ctx, q, nq);
		for (i = 0; i < nq; i++) {
			struct lsa_res *r = &res[idx[i]];

			if (!q[i].found || lsa_unix_sid(n, dom[i], kind,
			    q[i].id, &r->sid) == -1)
				continue;
			r->dom = dom[i];
			r->use = kind == RPC_NAME_USER ? RPC_SID_USER :
			    RPC_SID_DOM_GRP;
			r->name = NULL;
		}
	}
	free(q);
	free(idx);
	free(dom);
}

void
lsa_refs_init(struct lsa_refs *rf)
{
	int i;

	for (i = 0; i < D_COUNT; i++)
		rf->map[i] = -1;
	rf->n = 0;
}

int32_t
lsa_refs_add(struct lsa_refs *rf, int dom)
{
	if (dom < 0)
		return -1;
	if (rf->map[dom] == -1) {
		rf->map[dom] = rf->n;
		rf->order[rf->n++] = dom;
	}
	return rf->map[dom];
}

/* [out] PLSAPR_REFERENCED_DOMAIN_LIST *ReferencedDomains. */
void
lsa_put_refs(struct ndr_out *o, const struct lsa_names *n,
    const struct lsa_refs *rf)
{
	int i;

	ndr_put_ptr(o, 1);
	ndr_put_struct(o);
	ndr_put_u32(o, (uint32_t)rf->n);
	ndr_put_ptr(o, rf->n > 0);
	ndr_put_u32(o, 32);			/* MaxEntries */
	ndr_put_trail(o);
	if (rf->n == 0)
		return;
	ndr_put_count(o, (uint32_t)rf->n);
	for (i = 0; i < rf->n; i++) {
		ndr_put_ustr_hdr(o, n->dom[rf->order[i]].name);
		ndr_put_ptr(o, 1);
	}
	for (i = 0; i < rf->n; i++) {
		ndr_put_ustr_body(o, n->dom[rf->order[i]].name);
		ndr_put_sid(o, &n->dom[rf->order[i]].sid);
	}
}

uint32_t
lsa_status(size_t mapped, size_t count)
{
	if (mapped == count)
		return ST_OK;
	return mapped == 0 ? ST_NONE_MAPPED : ST_SOME_NOT_MAPPED;
}

/* The [in] translated list clients send empty. */
int
lsa_get_empty_list(struct ndr_in *r)
{
	uint32_t entries, ptr;

	if (ndr_get_struct(r) == -1 || ndr_get_u32(r, &entries) == -1 ||
	    ndr_get_ptr(r, &ptr) == -1)
		return -1;
	return ptr == 0 ? 0 : -1;
}

uint32_t
rpc_handle_check(struct rpc_pipe *p, const uint8_t h[20], enum rpc_htype type,
    int *extra)
{
	int rv;

	if ((rv = rpc_handle_get(p, h, type, extra)) == 0)
		return ST_OK;
	return rv == -2 ? ST_INVALID_HANDLE : RPC_NCA_CONTEXT_MISMATCH;
}

uint32_t
lsa_check_policy(struct rpc_pipe *p, struct ndr_in *r)
{
	uint8_t h[20];

	if (ndr_get_handle(r, h) == -1)
		return RPC_X_BAD_STUB_DATA;
	return rpc_handle_check(p, h, RPC_H_LSA_POLICY, NULL);
}

/* LsarClose (0) and SamrCloseHandle (1). */
uint32_t
lsa_close(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	static const uint8_t zero[20];
	uint8_t h[20];

	if (ndr_get_handle(r, h) == -1)
		return RPC_X_BAD_STUB_DATA;
	if (rpc_handle_close(p, h) == -1)
		return RPC_NCA_CONTEXT_MISMATCH;
	ndr_put_handle(o, zero);
	ndr_put_u32(o, ST_OK);
	return 0;
}

/* LSAPR_OBJECT_ATTRIBUTES: only a quality of service is expected. */
static int
lsa_get_objattr(struct ndr_in *r)
{
	uint32_t len, root, name, attr, sd, qos, qlen;
	uint16_t imp;
	uint8_t b;

	if (ndr_get_struct(r) == -1 || ndr_get_u32(r, &len) == -1 ||
	    ndr_get_ptr(r, &root) == -1 || ndr_get_ptr(r, &name) == -1 ||
	    ndr_get_u32(r, &attr) == -1 || ndr_get_ptr(r, &sd) == -1 ||
	    ndr_get_ptr(r, &qos) == -1)
		return -1;
	/* MS-LSAD 2.2.9: the other members are ignored and sent NULL. */
	if (root != 0 || name != 0 || sd != 0)
		return -1;
	/* SECURITY_QUALITY_OF_SERVICE: its level is an enum. */
	if (qos != 0 && (ndr_get_u32(r, &qlen) == -1 ||
	    ndr_get_enum(r, &imp) == -1 || ndr_get_u8(r, &b) == -1 ||
	    ndr_get_u8(r, &b) == -1))
		return -1;
	return 0;
}

uint32_t
lsa_open_common(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	static const uint8_t zero[20];
	uint32_t access;
	uint8_t *h;

	if (lsa_get_objattr(r) == -1 || ndr_get_u32(r, &access) == -1)
		return RPC_X_BAD_STUB_DATA;
	if ((h = rpc_handle_new(p, RPC_H_LSA_POLICY, 0)) == NULL) {
		ndr_put_handle(o, zero);
		ndr_put_u32(o, ST_INSUFF_RESOURCES);
		return 0;
	}
	ndr_put_handle(o, h);
	ndr_put_u32(o, ST_OK);
	return 0;
}

/* A unique pointer to one wchar_t, as LsarOpenPolicy and SamrConnect take. */
int
lsa_get_wchar_ptr(struct ndr_in *r)
{
	uint32_t ptr;
	uint16_t c;

	if (ndr_get_ptr(r, &ptr) == -1)
		return -1;
	return ptr == 0 ? 0 : ndr_get_u16(r, &c);
}

/*
 * An array of RPC_UNICODE_STRING after its count(s): count headers, then
 * the buffers.  Every string is returned (allocated) in names[].
 */
int
lsa_get_ustr_array(struct ndr_in *r, uint32_t count, char **names)
{
	uint16_t *len, *maxlen;
	uint32_t ref;
	size_t i;
	int rv = -1;

	len = xcalloc(count + 1, sizeof(*len));
	maxlen = xcalloc(count + 1, sizeof(*maxlen));
	for (i = 0; i < count; i++) {
		if (ndr_get_ustr_hdr(r, &len[i], &maxlen[i], &ref) == -1)
			goto out;
		if (ref == 0 && len[i] != 0)
			goto out;
		if (ref == 0)
			maxlen[i] = 0xffff;	/* marks a NULL buffer */
	}
	for (i = 0; i < count; i++) {
		if (maxlen[i] == 0xffff && len[i] == 0)
			names[i] = xstrdup("");
		else if (ndr_get_ustr_body(r, len[i], maxlen[i],
		    &names[i]) == -1)
			goto out;
	}
	rv = 0;
out:
	free(len);
	free(maxlen);
	return rv;
}

void
lsa_free_names(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
