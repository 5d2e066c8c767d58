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
#include "unicode.h"
#include "util.h"

#define ST_OK			0x00000000
#define ST_SOME_NOT_MAPPED	0x00000107
#define ST_INVALID_HANDLE	0xc0000008
#define ST_INVALID_PARAMETER	0xc000000d
#define ST_NONE_MAPPED		0xc0000073
#define ST_NO_SUCH_DOMAIN	0xc00000df
#define ST_INSUFF_RESOURCES	0xc000009a
#define ST_NO_MORE_ENTRIES	0x8000001a
#define ST_NO_SUCH_USER		0xc0000064
#define ST_INVALID_INFO_CLASS	0xc0000003

/* MS-LSAT 3.1.4.5: at most this many names or SIDs per lookup. */
#define LSA_MAX_LOOKUP		20480
#define SAMR_MAX_LOOKUP		1000
#define MAX_NAME		1024
/*
 * At most this many questions to the name service per call: a client
 * that sends thousands of SIDs gets the rest unmapped rather than holding
 * the worker (and the master) in lookups.
 */
#define LSA_MAX_ASK		1024

/*
 * A handle the pipe never gave out is refused by the RPC runtime itself
 * with a fault (MS-RPCE 3.1.1.5.3.2.1); one of the wrong kind by the
 * service with STATUS_INVALID_HANDLE.
 */
static int
lsa_is_fault(uint32_t st)
{
	return st == RPC_X_BAD_STUB_DATA || st == RPC_NCA_CONTEXT_MISMATCH;
}

enum {
	D_WORLD, D_CREATOR, D_NT, D_BUILTIN, D_ACCOUNT, D_UNIX_USER,
	D_UNIX_GROUP, D_COUNT
};

struct lsa_dom {
	const char	*name;
	struct rpc_sid	 sid;
};

struct lsa_acct {
	const char	*name;
	int		 dom;
	uint32_t	 rid;
	uint16_t	 use;
};

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

/* The domains and accounts this session can name. */
struct lsa_names {
	struct lsa_dom	 dom[D_COUNT];
	struct lsa_acct	 acct[nitems(lsa_wellknown) + 2];
	size_t		 nacct;
};

static void
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

/* A resolved name or SID: *dom is -1 when unmapped. */
struct lsa_res {
	int		 dom;
	uint16_t	 use;
	const char	*name;
	struct rpc_sid	 sid;
	char		 sidstr[192];	/* names an unmapped SID */
};

static void
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

static void
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
static void
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
static void
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

/*
 * The referenced domain list of a lookup: each domain a result names,
 * once, in order of first use; map[] turns our domain numbers into
 * indexes of that list.
 */
struct lsa_refs {
	int	 map[D_COUNT];
	int	 order[D_COUNT];
	int	 n;
};

static void
lsa_refs_init(struct lsa_refs *rf)
{
	int i;

	for (i = 0; i < D_COUNT; i++)
		rf->map[i] = -1;
	rf->n = 0;
}

static int32_t
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
static void
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

static uint32_t
lsa_status(size_t mapped, size_t count)
{
	if (mapped == count)
		return ST_OK;
	return mapped == 0 ? ST_NONE_MAPPED : ST_SOME_NOT_MAPPED;
}

/* The [in] translated list clients send empty. */
static int
lsa_get_empty_list(struct ndr_in *r)
{
	uint32_t entries, ptr;

	if (ndr_get_struct(r) == -1 || ndr_get_u32(r, &entries) == -1 ||
	    ndr_get_ptr(r, &ptr) == -1)
		return -1;
	return ptr == 0 ? 0 : -1;
}

static uint32_t
rpc_handle_check(struct rpc_pipe *p, const uint8_t h[20], enum rpc_htype type,
    int *extra)
{
	int rv;

	if ((rv = rpc_handle_get(p, h, type, extra)) == 0)
		return ST_OK;
	return rv == -2 ? ST_INVALID_HANDLE : RPC_NCA_CONTEXT_MISMATCH;
}

static uint32_t
lsa_check_policy(struct rpc_pipe *p, struct ndr_in *r)
{
	uint8_t h[20];

	if (ndr_get_handle(r, h) == -1)
		return RPC_X_BAD_STUB_DATA;
	return rpc_handle_check(p, h, RPC_H_LSA_POLICY, NULL);
}

/* LsarClose (0) and SamrCloseHandle (1). */
static uint32_t
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

static uint32_t
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
static int
lsa_get_wchar_ptr(struct ndr_in *r)
{
	uint32_t ptr;
	uint16_t c;

	if (ndr_get_ptr(r, &ptr) == -1)
		return -1;
	return ptr == 0 ? 0 : ndr_get_u16(r, &c);
}

/* LsarOpenPolicy (6). */
static uint32_t
lsa_open_policy(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	if (lsa_get_wchar_ptr(r) == -1)
		return RPC_X_BAD_STUB_DATA;
	return lsa_open_common(p, r, o);
}

/* LsarOpenPolicy2 (44). */
static uint32_t
lsa_open_policy2(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	char *name;

	if (ndr_get_wstr_ptr(r, MAX_NAME, &name) == -1)
		return RPC_X_BAD_STUB_DATA;
	free(name);
	return lsa_open_common(p, r, o);
}

/* LsarQueryInformationPolicy (7) and ...Policy2 (46). */
static uint32_t
lsa_query_info(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	struct rpc_sid sid;
	uint16_t class;
	uint32_t st;

	if (lsa_is_fault(st = lsa_check_policy(p, r)))
		return st;
	if (ndr_get_enum(r, &class) == -1)
		return RPC_X_BAD_STUB_DATA;
	if (st == ST_OK && class != 3 && class != 5 && class != 12)
		st = ST_INVALID_PARAMETER;
	if (st != ST_OK) {
		ndr_put_ptr(o, 0);
		ndr_put_u32(o, st);
		return 0;
	}
	rpc_sid_domain(ctx, &sid);
	/* The union's arms hold pointers. */
	ndr_put_ptr(o, 1);
	ndr_put_union(o);
	ndr_put_enum(o, class);
	ndr_put_union(o);
	ndr_put_struct(o);
	switch (class) {
	case 3:
		/* A stand-alone server: the workgroup, without a SID. */
		ndr_put_ustr_hdr(o, ctx->domain);
		ndr_put_ptr(o, 0);
		ndr_put_ustr_body(o, ctx->domain);
		break;
	case 5:
		ndr_put_ustr_hdr(o, ctx->server_name);
		ndr_put_ptr(o, 1);
		ndr_put_ustr_body(o, ctx->server_name);
		ndr_put_sid(o, &sid);
		break;
	case 12:
		ndr_put_ustr_hdr(o, ctx->domain);
		ndr_put_ustr_hdr(o, "");
		ndr_put_ustr_hdr(o, "");
		ndr_put_zero(o, 16);		/* DomainGuid */
		ndr_put_ptr(o, 0);
		ndr_put_ustr_body(o, ctx->domain);
		ndr_put_ustr_body(o, "");
		ndr_put_ustr_body(o, "");
		break;
	}
	ndr_put_u32(o, ST_OK);
	return 0;
}

/*
 * LsarLookupSids (15), LookupSids2 (57) and LookupSids3 (76, no handle):
 * vers is 1, 2 or 3.
 */
static uint32_t
lsa_lookup_sids_v(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o,
    int vers)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	struct lsa_names names;
	struct lsa_refs rf;
	struct lsa_res *res = NULL;
	struct rpc_sid sid;
	uint32_t st = ST_OK, count, ptr, max, sptr, mapped, opt;
	uint16_t level;
	size_t i, nmapped = 0;

	if (vers != 3 && lsa_is_fault(st = lsa_check_policy(p, r)))
		return st;
	if (ndr_get_struct(r) == -1 || ndr_get_u32(r, &count) == -1 ||
	    ndr_get_ptr(r, &ptr) == -1 || count > LSA_MAX_LOOKUP ||
	    (count > 0 && ptr == 0))
		return RPC_X_BAD_STUB_DATA;
	lsa_names_init(ctx, &names);
	lsa_refs_init(&rf);
	if (ptr != 0) {
		if (ndr_get_count(r, &max) == -1 || max != count)
			return RPC_X_BAD_STUB_DATA;
		for (i = 0; i < count; i++)
			if (ndr_get_ptr(r, &sptr) == -1 || sptr == 0)
				return RPC_X_BAD_STUB_DATA;
		res = xcalloc(count + 1, sizeof(*res));
		for (i = 0; i < count; i++) {
			if (ndr_get_sid(r, &sid) == -1) {
				free(res);
				return RPC_X_BAD_STUB_DATA;
			}
			lsa_by_sid(&names, &sid, &res[i]);
		}
	}
	if (lsa_get_empty_list(r) == -1 || ndr_get_enum(r, &level) == -1 ||
	    ndr_get_u32(r, &mapped) == -1 ||
	    (vers > 1 && (ndr_get_u32(r, &opt) == -1 ||
	    ndr_get_u32(r, &opt) == -1))) {
		free(res);
		return RPC_X_BAD_STUB_DATA;
	}
	if (st != ST_OK)
		count = 0;
	lsa_resolve_sids(ctx, &names, res, count);
	for (i = 0; i < count; i++)
		if (lsa_refs_add(&rf, res[i].dom) >= 0)
			nmapped++;
	lsa_put_refs(o, &names, &rf);
	/* TranslatedNames */
	ndr_put_struct(o);
	ndr_put_u32(o, count);
	ndr_put_ptr(o, count > 0);
	if (count > 0) {
		ndr_put_count(o, count);
		for (i = 0; i < count; i++) {
			ndr_put_struct(o);
			ndr_put_enum(o, res[i].use);
			ndr_put_ustr_hdr(o, res[i].name != NULL ?
			    res[i].name : "");
			ndr_put_u32(o, (uint32_t)(res[i].dom >= 0 ?
			    rf.map[res[i].dom] : -1));
			if (vers > 1)
				ndr_put_u32(o, 0);	/* Flags */
			ndr_put_trail(o);
		}
		for (i = 0; i < count; i++)
			ndr_put_ustr_body(o, res[i].name != NULL ?
			    res[i].name : "");
	}
	ndr_put_u32(o, (uint32_t)nmapped);
	ndr_put_u32(o, st != ST_OK ? st : lsa_status(nmapped, count));
	free(res);
	return 0;
}

static uint32_t
lsa_lookup_sids(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return lsa_lookup_sids_v(p, r, o, 1);
}

static uint32_t
lsa_lookup_sids2(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return lsa_lookup_sids_v(p, r, o, 2);
}

static uint32_t
lsa_lookup_sids3(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return lsa_lookup_sids_v(p, r, o, 3);
}

/*
 * An array of RPC_UNICODE_STRING after its count(s): count headers, then
 * the buffers.  Every string is returned (allocated) in names[].
 */
static int
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

static void
lsa_free_names(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * LsarLookupNames (14), LookupNames2 (58), LookupNames3 (68) and
 * LookupNames4 (77, no handle): vers is 1, 2, 3 or 4.
 */
static uint32_t
lsa_lookup_names_v(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o,
    int vers)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	struct lsa_names names;
	struct lsa_refs rf;
	struct lsa_res *res = NULL;
	char **in = NULL;
	uint32_t st = ST_OK, count, max, mapped, opt;
	uint16_t level;
	size_t i, nmapped = 0;

	if (vers != 4 && lsa_is_fault(st = lsa_check_policy(p, r)))
		return st;
	if (ndr_get_u32(r, &count) == -1 || count > LSA_MAX_LOOKUP ||
	    ndr_get_count(r, &max) == -1 || max != count)
		return RPC_X_BAD_STUB_DATA;
	in = xcalloc(count + 1, sizeof(*in));
	if (lsa_get_ustr_array(r, count, in) == -1 ||
	    lsa_get_empty_list(r) == -1 || ndr_get_enum(r, &level) == -1 ||
	    ndr_get_u32(r, &mapped) == -1 ||
	    (vers > 1 && (ndr_get_u32(r, &opt) == -1 ||
	    ndr_get_u32(r, &opt) == -1))) {
		lsa_free_names(in, count);
		return RPC_X_BAD_STUB_DATA;
	}
	lsa_names_init(ctx, &names);
	lsa_refs_init(&rf);
	if (st != ST_OK)
		count = 0;
	res = xcalloc(count + 1, sizeof(*res));
	for (i = 0; i < count; i++)
		lsa_by_name(&names, in[i], &res[i]);
	lsa_resolve_names(ctx, &names, in, res, count);
	for (i = 0; i < count; i++)
		if (lsa_refs_add(&rf, res[i].dom) >= 0)
			nmapped++;
	lsa_put_refs(o, &names, &rf);
	ndr_put_struct(o);
	ndr_put_u32(o, count);
	ndr_put_ptr(o, count > 0);
	if (count > 0) {
		ndr_put_count(o, count);
		for (i = 0; i < count; i++) {
			uint32_t rid = 0;

			/* Only LSAPR_TRANSLATED_SID_EX2 holds a pointer. */
			if (vers >= 3)
				ndr_put_struct(o);
			ndr_put_enum(o, res[i].use);
			if (vers >= 3)
				ndr_put_ptr(o, res[i].dom >= 0);
			else {
				/* A domain has no RID: -1 (MS-LSAT 2.2.20). */
				if (res[i].use == RPC_SID_DOMAIN)
					rid = 0xffffffff;
				else if (res[i].dom >= 0)
					rid = res[i].sid.sub[
					    res[i].sid.nsub - 1];
				ndr_put_u32(o, rid);
			}
			ndr_put_u32(o, (uint32_t)(res[i].dom >= 0 ?
			    rf.map[res[i].dom] : -1));
			if (vers > 1)
				ndr_put_u32(o, 0);	/* Flags */
			if (vers >= 3)
				ndr_put_trail(o);
		}
		for (i = 0; i < count && vers >= 3; i++)
			if (res[i].dom >= 0)
				ndr_put_sid(o, &res[i].sid);
	}
	ndr_put_u32(o, (uint32_t)nmapped);
	ndr_put_u32(o, st != ST_OK ? st : lsa_status(nmapped, count));
	free(res);
	lsa_free_names(in, count);
	return 0;
}

static uint32_t
lsa_lookup_names(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return lsa_lookup_names_v(p, r, o, 1);
}

static uint32_t
lsa_lookup_names2(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return lsa_lookup_names_v(p, r, o, 2);
}

static uint32_t
lsa_lookup_names3(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return lsa_lookup_names_v(p, r, o, 3);
}

static uint32_t
lsa_lookup_names4(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return lsa_lookup_names_v(p, r, o, 4);
}

/* LsarEnumerateTrustedDomains (13): a stand-alone server trusts none. */
static uint32_t
lsa_enum_trust(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	uint32_t st, ctx, maxlen;

	if (lsa_is_fault(st = lsa_check_policy(p, r)))
		return st;
	if (ndr_get_u32(r, &ctx) == -1 || ndr_get_u32(r, &maxlen) == -1)
		return RPC_X_BAD_STUB_DATA;
	ndr_put_u32(o, ctx);
	ndr_put_struct(o);
	ndr_put_u32(o, 0);
	ndr_put_ptr(o, 0);
	ndr_put_u32(o, st != ST_OK ? st : ST_NO_MORE_ENTRIES);
	return 0;
}

/* A [in,out] PRPC_UNICODE_STRING: its pointer and string, if any. */
static int
lsa_get_ustr_ptr(struct ndr_in *r)
{
	uint16_t len, maxlen;
	uint32_t ptr, ref;
	char *s;

	if (ndr_get_ptr(r, &ptr) == -1)
		return -1;
	if (ptr == 0)
		return 0;
	if (ndr_get_ustr_hdr(r, &len, &maxlen, &ref) == -1)
		return -1;
	if (ref != 0) {
		if (ndr_get_ustr_body(r, len, maxlen, &s) == -1)
			return -1;
		free(s);
	}
	return 0;
}

/* LsarGetUserName (45), MS-LSAT 3.1.4.4: who the caller is. */
static uint32_t
lsa_get_user_name(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	const char *user = ctx->user != NULL && ctx->user[0] != '\0' ?
	    ctx->user : "ANONYMOUS LOGON";
	const char *dom = ctx->anonymous ? "NT AUTHORITY" : ctx->server_name;
	uint32_t dptr;
	char *name;

	if (ndr_get_wstr_ptr(r, MAX_NAME, &name) == -1)
		return RPC_X_BAD_STUB_DATA;
	free(name);
	if (lsa_get_ustr_ptr(r) == -1 || ndr_get_ptr(r, &dptr) == -1 ||
	    (dptr != 0 && lsa_get_ustr_ptr(r) == -1))
		return RPC_X_BAD_STUB_DATA;
	ndr_put_ptr(o, 1);
	ndr_put_ustr_hdr(o, user);
	ndr_put_ustr_body(o, user);
	ndr_put_ptr(o, dptr != 0);
	if (dptr != 0) {
		ndr_put_ptr(o, 1);
		ndr_put_ustr_hdr(o, dom);
		ndr_put_ustr_body(o, dom);
	}
	ndr_put_u32(o, ST_OK);
	return 0;
}

static const rpc_op_fn lsarpc_ops[] = {
	[0] = lsa_close,
	[6] = lsa_open_policy,
	[7] = lsa_query_info,
	[13] = lsa_enum_trust,
	[14] = lsa_lookup_names,
	[15] = lsa_lookup_sids,
	[44] = lsa_open_policy2,
	[45] = lsa_get_user_name,
	[46] = lsa_query_info,
	[57] = lsa_lookup_sids2,
	[58] = lsa_lookup_names2,
	[68] = lsa_lookup_names3,
	[76] = lsa_lookup_sids3,
	[77] = lsa_lookup_names4,
};

const struct rpc_iface rpc_lsarpc = {
	"lsarpc",
	/* 12345778-1234-abcd-ef00-0123456789ab */
	{ 0x78, 0x57, 0x34, 0x12, 0x34, 0x12, 0xcd, 0xab,
	  0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab },
	0, 0, lsarpc_ops, nitems(lsarpc_ops)
};

/* samr: the account domain (extra 0) and Builtin (extra 1). */

static uint32_t
samr_new_handle(struct rpc_pipe *p, struct ndr_out *o, enum rpc_htype type,
    int extra)
{
	static const uint8_t zero[20];
	uint8_t *h;

	if ((h = rpc_handle_new(p, type, extra)) == NULL) {
		ndr_put_handle(o, zero);
		return ST_INSUFF_RESOURCES;
	}
	ndr_put_handle(o, h);
	return ST_OK;
}

/* SamrConnect (0). */
static uint32_t
samr_connect(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	uint32_t access;

	if (lsa_get_wchar_ptr(r) == -1 || ndr_get_u32(r, &access) == -1)
		return RPC_X_BAD_STUB_DATA;
	ndr_put_u32(o, samr_new_handle(p, o, RPC_H_SAMR_SERVER, 0));
	return 0;
}

/* SamrConnect2 (57), SamrConnect4 (62) and SamrConnect5 (64). */
static uint32_t
samr_connect_v(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o,
    int vers)
{
	uint32_t access, rev, inver, sw, feat;
	char *name;

	if (ndr_get_wstr_ptr(r, MAX_NAME, &name) == -1)
		return RPC_X_BAD_STUB_DATA;
	free(name);
	if ((vers == 4 && ndr_get_u32(r, &rev) == -1) ||
	    ndr_get_u32(r, &access) == -1)
		return RPC_X_BAD_STUB_DATA;
	if (vers == 5) {
		if (ndr_get_u32(r, &inver) == -1 || ndr_get_u32(r, &sw) == -1 ||
		    inver != 1 || sw != 1 || ndr_get_u32(r, &rev) == -1 ||
		    ndr_get_u32(r, &feat) == -1)
			return RPC_X_BAD_STUB_DATA;
		/* SAMPR_REVISION_INFO_V1: revision 3, no extra features. */
		ndr_put_u32(o, 1);
		ndr_put_u32(o, 1);
		ndr_put_u32(o, 3);
		ndr_put_u32(o, 0);
	}
	ndr_put_u32(o, samr_new_handle(p, o, RPC_H_SAMR_SERVER, 0));
	return 0;
}

static uint32_t
samr_connect2(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return samr_connect_v(p, r, o, 2);
}

static uint32_t
samr_connect4(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return samr_connect_v(p, r, o, 4);
}

static uint32_t
samr_connect5(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return samr_connect_v(p, r, o, 5);
}

static uint32_t
samr_check(struct rpc_pipe *p, struct ndr_in *r, enum rpc_htype type,
    int *extra)
{
	uint8_t h[20];

	if (ndr_get_handle(r, h) == -1)
		return RPC_X_BAD_STUB_DATA;
	return rpc_handle_check(p, h, type, extra);
}

/* Our domain number (D_ACCOUNT or D_BUILTIN) of a handle's extra. */
static int
samr_dom(int extra)
{
	return extra == 1 ? D_BUILTIN : D_ACCOUNT;
}

/* SamrLookupDomainInSamServer (5). */
static uint32_t
samr_lookup_domain(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	struct lsa_names names;
	uint16_t len, maxlen;
	uint32_t st, ref;
	char *name = NULL;
	int d = -1;

	if (lsa_is_fault(st = samr_check(p, r, RPC_H_SAMR_SERVER, NULL)))
		return st;
	if (ndr_get_ustr_hdr(r, &len, &maxlen, &ref) == -1 ||
	    (ref != 0 && ndr_get_ustr_body(r, len, maxlen, &name) == -1))
		return RPC_X_BAD_STUB_DATA;
	lsa_names_init(rpc_pipe_ctx(p), &names);
	if (name != NULL && utf8_casecmp(name, "Builtin") == 0)
		d = D_BUILTIN;
	else if (name != NULL &&
	    utf8_casecmp(name, names.dom[D_ACCOUNT].name) == 0)
		d = D_ACCOUNT;
	if (d == -1)
		log_debug("rpc: no domain \"%s\"", name != NULL ? name : "");
	free(name);
	if (st == ST_OK && d == -1)
		st = ST_NO_SUCH_DOMAIN;
	ndr_put_ptr(o, st == ST_OK);
	if (st == ST_OK)
		ndr_put_sid(o, &names.dom[d].sid);
	ndr_put_u32(o, st);
	return 0;
}

/* SamrEnumerateDomainsInSamServer (6). */
static uint32_t
samr_enum_domains(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	struct lsa_names names;
	const char *dname[2];
	uint32_t st, ctx, maxlen, i, n;

	if (lsa_is_fault(st = samr_check(p, r, RPC_H_SAMR_SERVER, NULL)))
		return st;
	if (ndr_get_u32(r, &ctx) == -1 ||
	    ndr_get_u32(r, &maxlen) == -1)
		return RPC_X_BAD_STUB_DATA;
	lsa_names_init(rpc_pipe_ctx(p), &names);
	dname[0] = names.dom[D_ACCOUNT].name;
	dname[1] = "Builtin";
	n = st == ST_OK && ctx < 2 ? 2 - ctx : 0;
	ndr_put_u32(o, ctx + n);
	ndr_put_ptr(o, st == ST_OK);
	if (st == ST_OK) {
		ndr_put_struct(o);
		ndr_put_u32(o, n);
		ndr_put_ptr(o, n > 0);
		if (n > 0) {
			ndr_put_count(o, n);
			for (i = ctx; i < 2; i++) {
				ndr_put_struct(o);
				ndr_put_u32(o, 0);
				ndr_put_ustr_hdr(o, dname[i]);
			}
			for (i = ctx; i < 2; i++)
				ndr_put_ustr_body(o, dname[i]);
		}
	}
	ndr_put_u32(o, n);
	ndr_put_u32(o, st);
	return 0;
}

/* SamrOpenDomain (7). */
static uint32_t
samr_open_domain(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	static const uint8_t zero[20];
	struct lsa_names names;
	struct rpc_sid sid;
	uint32_t st, access;

	if (lsa_is_fault(st = samr_check(p, r, RPC_H_SAMR_SERVER, NULL)))
		return st;
	if (ndr_get_u32(r, &access) == -1 ||
	    ndr_get_sid(r, &sid) == -1)
		return RPC_X_BAD_STUB_DATA;
	lsa_names_init(rpc_pipe_ctx(p), &names);
	if (st == ST_OK) {
		if (rpc_sid_eq(&sid, &names.dom[D_ACCOUNT].sid)) {
			ndr_put_u32(o, samr_new_handle(p, o,
			    RPC_H_SAMR_DOMAIN, 0));
			return 0;
		}
		if (rpc_sid_eq(&sid, &names.dom[D_BUILTIN].sid)) {
			ndr_put_u32(o, samr_new_handle(p, o,
			    RPC_H_SAMR_DOMAIN, 1));
			return 0;
		}
		st = ST_NO_SUCH_DOMAIN;
	}
	ndr_put_handle(o, zero);
	ndr_put_u32(o, st);
	return 0;
}

/* SAMPR_ULONG_ARRAY */
static void
samr_put_ulongs(struct ndr_out *o, const uint32_t *v, uint32_t n)
{
	uint32_t i;

	ndr_put_struct(o);
	ndr_put_u32(o, n);
	ndr_put_ptr(o, n > 0);
	if (n == 0)
		return;
	ndr_put_count(o, n);
	for (i = 0; i < n; i++)
		ndr_put_u32(o, v[i]);
}

/* SamrLookupNamesInDomain (17). */
static uint32_t
samr_lookup_names(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	struct lsa_names names;
	struct lsa_res *res;
	uint32_t st, count, max, off, actual, *rids = NULL, *uses = NULL;
	char **in = NULL, **qual;
	size_t i, j, mapped = 0;
	int extra = 0, d;

	if (lsa_is_fault(st = samr_check(p, r, RPC_H_SAMR_DOMAIN, &extra)))
		return st;
	if (ndr_get_u32(r, &count) == -1 ||
	    ndr_get_count(r, &max) == -1 || ndr_get_count(r, &off) == -1 ||
	    ndr_get_count(r, &actual) == -1 || off != 0 || actual != count ||
	    actual > max || count > SAMR_MAX_LOOKUP)
		return RPC_X_BAD_STUB_DATA;
	in = xcalloc(count + 1, sizeof(*in));
	if (lsa_get_ustr_array(r, count, in) == -1) {
		lsa_free_names(in, count);
		return RPC_X_BAD_STUB_DATA;
	}
	lsa_names_init(rpc_pipe_ctx(p), &names);
	d = samr_dom(extra);
	if (st != ST_OK)
		count = 0;
	rids = xcalloc(count + 1, sizeof(*rids));
	uses = xcalloc(count + 1, sizeof(*uses));
	res = xcalloc(count + 1, sizeof(*res));
	qual = xcalloc(count + 1, sizeof(*qual));
	for (i = 0; i < count; i++) {
		uses[i] = RPC_SID_UNKNOWN;
		res[i].dom = -1;
		for (j = 0; j < names.nacct; j++)
			if (names.acct[j].dom == d &&
			    utf8_casecmp(in[i], names.acct[j].name) == 0) {
				rids[i] = names.acct[j].rid;
				uses[i] = names.acct[j].use;
				res[i].dom = d;
				break;
			}
		/* Other Unix users and groups, in the account domain only. */
		xasprintf(&qual[i], "%s\\%s",
		    d == D_ACCOUNT ? names.dom[D_ACCOUNT].name : "", in[i]);
	}
	if (d == D_ACCOUNT)
		lsa_resolve_names(rpc_pipe_ctx(p), &names, qual, res, count);
	for (i = 0; i < count; i++) {
		if (res[i].dom == -1)
			continue;
		if (uses[i] == RPC_SID_UNKNOWN) {
			rids[i] = res[i].sid.sub[res[i].sid.nsub - 1];
			uses[i] = res[i].use;
		}
		mapped++;
	}
	free(res);
	lsa_free_names(qual, count);
	samr_put_ulongs(o, rids, (uint32_t)count);
	samr_put_ulongs(o, uses, (uint32_t)count);
	ndr_put_u32(o, st != ST_OK ? st : lsa_status(mapped, count));
	free(rids);
	free(uses);
	lsa_free_names(in, count);
	return 0;
}

/* SamrLookupIdsInDomain (18). */
static uint32_t
samr_lookup_ids(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	struct lsa_names names;
	struct lsa_res *res;
	uint32_t st, count, max, off, actual, *rids = NULL, *uses = NULL;
	const char **out = NULL;
	size_t i, j, mapped = 0;
	int extra = 0, d;

	if (lsa_is_fault(st = samr_check(p, r, RPC_H_SAMR_DOMAIN, &extra)))
		return st;
	if (ndr_get_u32(r, &count) == -1 ||
	    ndr_get_count(r, &max) == -1 || ndr_get_count(r, &off) == -1 ||
	    ndr_get_count(r, &actual) == -1 || off != 0 || actual != count ||
	    actual > max || count > SAMR_MAX_LOOKUP)
		return RPC_X_BAD_STUB_DATA;
	rids = xcalloc(count + 1, sizeof(*rids));
	for (i = 0; i < count; i++)
		if (ndr_get_u32(r, &rids[i]) == -1) {
			free(rids);
			return RPC_X_BAD_STUB_DATA;
		}
	lsa_names_init(rpc_pipe_ctx(p), &names);
	d = samr_dom(extra);
	if (st != ST_OK)
		count = 0;
	uses = xcalloc(count + 1, sizeof(*uses));
	out = xcalloc(count + 1, sizeof(*out));
	res = xcalloc(count + 1, sizeof(*res));
	for (i = 0; i < count; i++) {
		uses[i] = RPC_SID_UNKNOWN;
		res[i].dom = -1;
		for (j = 0; j < names.nacct; j++)
			if (names.acct[j].dom == d &&
			    names.acct[j].rid == rids[i]) {
				out[i] = names.acct[j].name;
				uses[i] = names.acct[j].use;
				res[i].dom = d;
				break;
			}
		res[i].sid = names.dom[d].sid;
		res[i].sid.sub[res[i].sid.nsub++] = rids[i];
	}
	/* Other Unix users and groups, in the account domain only. */
	if (d == D_ACCOUNT)
		lsa_resolve_sids(rpc_pipe_ctx(p), &names, res, count);
	for (i = 0; i < count; i++) {
		if (res[i].dom == -1)
			continue;
		if (out[i] == NULL) {
			out[i] = res[i].name;
			uses[i] = res[i].use;
		}
		mapped++;
	}
	/* SAMPR_RETURNED_USTRING_ARRAY */
	ndr_put_struct(o);
	ndr_put_u32(o, (uint32_t)count);
	ndr_put_ptr(o, count > 0);
	if (count > 0) {
		ndr_put_count(o, (uint32_t)count);
		for (i = 0; i < count; i++)
			ndr_put_ustr_hdr(o, out[i]);
		for (i = 0; i < count; i++)
			ndr_put_ustr_body(o, out[i]);
	}
	samr_put_ulongs(o, uses, (uint32_t)count);
	ndr_put_u32(o, st != ST_OK ? st : lsa_status(mapped, count));
	free(rids);
	free(uses);
	free(out);
	free(res);
	return 0;
}

/* The users of a domain: the session's user, in the account domain. */
static const struct lsa_acct *
samr_user(const struct lsa_names *n, int dom, size_t idx)
{
	size_t i, k = 0;

	for (i = 0; i < n->nacct; i++)
		if (n->acct[i].dom == dom && n->acct[i].use == RPC_SID_USER &&
		    k++ == idx)
			return &n->acct[i];
	return NULL;
}

/* SamrEnumerateUsersInDomain (13). */
static uint32_t
samr_enum_users(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	struct lsa_names names;
	const struct lsa_acct *a;
	uint32_t st, ctx, uac, maxlen, i, n = 0;
	int extra = 0;

	if (lsa_is_fault(st = samr_check(p, r, RPC_H_SAMR_DOMAIN, &extra)))
		return st;
	if (ndr_get_u32(r, &ctx) == -1 || ndr_get_u32(r, &uac) == -1 ||
	    ndr_get_u32(r, &maxlen) == -1)
		return RPC_X_BAD_STUB_DATA;
	lsa_names_init(rpc_pipe_ctx(p), &names);
	while (st == ST_OK &&
	    samr_user(&names, samr_dom(extra), ctx + n) != NULL)
		n++;
	ndr_put_u32(o, ctx + n);
	ndr_put_ptr(o, st == ST_OK);
	if (st == ST_OK) {
		ndr_put_struct(o);
		ndr_put_u32(o, n);
		ndr_put_ptr(o, n > 0);
		if (n > 0) {
			ndr_put_count(o, n);
			for (i = 0; i < n; i++) {
				a = samr_user(&names, samr_dom(extra), ctx + i);
				ndr_put_struct(o);
				ndr_put_u32(o, a->rid);
				ndr_put_ustr_hdr(o, a->name);
			}
			for (i = 0; i < n; i++) {
				a = samr_user(&names, samr_dom(extra), ctx + i);
				ndr_put_ustr_body(o, a->name);
			}
		}
	}
	ndr_put_u32(o, n);
	ndr_put_u32(o, st);
	return 0;
}

/* SamrOpenUser (34). */
static uint32_t
samr_open_user(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	static const uint8_t zero[20];
	struct lsa_names names;
	const struct lsa_acct *a;
	uint32_t st, access, rid;
	size_t i;
	int extra = 0;

	if (lsa_is_fault(st = samr_check(p, r, RPC_H_SAMR_DOMAIN, &extra)))
		return st;
	if (ndr_get_u32(r, &access) == -1 || ndr_get_u32(r, &rid) == -1)
		return RPC_X_BAD_STUB_DATA;
	lsa_names_init(rpc_pipe_ctx(p), &names);
	for (i = 0; st == ST_OK &&
	    (a = samr_user(&names, samr_dom(extra), i)) != NULL; i++)
		if (a->rid == rid) {
			ndr_put_u32(o, samr_new_handle(p, o, RPC_H_SAMR_USER,
			    (int)rid));
			return 0;
		}
	ndr_put_handle(o, zero);
	ndr_put_u32(o, st != ST_OK ? st : ST_NO_SUCH_USER);
	return 0;
}

/*
 * SamrQueryInformationUser (36) and ...User2 (47), level 21
 * (SAMPR_USER_ALL_INFORMATION, MS-SAMR 2.2.6.6) with what the worker
 * knows: the name, the RID and a normal, enabled account.
 */
static uint32_t
samr_query_user(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	uint32_t st;
	uint16_t level;
	int rid = 0, i;

	if (lsa_is_fault(st = samr_check(p, r, RPC_H_SAMR_USER, &rid)))
		return st;
	if (ndr_get_enum(r, &level) == -1)
		return RPC_X_BAD_STUB_DATA;
	if (st == ST_OK && level != 21)
		st = ST_INVALID_INFO_CLASS;
	if (st != ST_OK) {
		ndr_put_ptr(o, 0);
		ndr_put_u32(o, st);
		return 0;
	}
	ndr_put_ptr(o, 1);
	ndr_put_union(o);
	ndr_put_enum(o, level);
	ndr_put_union(o);
	ndr_put_struct(o);
	/* Six times: last logon and logoff, password set, expiry ... */
	for (i = 0; i < 6; i++) {
		ndr_put_u32(o, 0);
		ndr_put_u32(o, i == 3 || i == 5 ? 0x7fffffff : 0);
	}
	ndr_put_ustr_hdr(o, ctx->user);			/* UserName */
	for (i = 0; i < 9; i++)
		ndr_put_ustr_hdr(o, "");	/* FullName .. Parameters */
	for (i = 0; i < 2; i++) {		/* Lm and Nt OWF: never */
		ndr_put_struct(o);
		ndr_put_u16(o, 0);
		ndr_put_u16(o, 0);
		ndr_put_ptr(o, 0);
	}
	ndr_put_ustr_hdr(o, "");			/* PrivateData */
	ndr_put_struct(o);			/* SecurityDescriptor */
	ndr_put_u32(o, 0);
	ndr_put_ptr(o, 0);
	ndr_put_u32(o, (uint32_t)rid);
	ndr_put_u32(o, 513);				/* Domain Users */
	ndr_put_u32(o, 0x00000210);	/* NORMAL_ACCOUNT | DONT_EXPIRE */
	ndr_put_u32(o, 0x00ffffff);			/* WhichFields */
	ndr_put_struct(o);				/* LogonHours */
	ndr_put_u16(o, 168);				/* hours per week */
	ndr_put_ptr(o, 1);
	ndr_put_u16(o, 0);				/* BadPasswordCount */
	ndr_put_u16(o, 0);				/* LogonCount */
	ndr_put_u16(o, 0);				/* CountryCode */
	ndr_put_u16(o, 0);				/* CodePage */
	ndr_put_u8(o, 0);
	ndr_put_u8(o, 1);				/* NtPasswordPresent */
	ndr_put_u8(o, 0);
	ndr_put_u8(o, 0);
	ndr_put_trail(o);
	ndr_put_ustr_body(o, ctx->user);
	for (i = 0; i < 10; i++)
		ndr_put_ustr_body(o, "");
	/* LogonHours: every hour allowed, 21 bytes of 1260. */
	ndr_put_count(o, 1260);
	ndr_put_count(o, 0);
	ndr_put_count(o, 21);
	for (i = 0; i < 21; i++)
		ndr_put_u8(o, 0xff);
	ndr_put_u32(o, ST_OK);
	return 0;
}

static const rpc_op_fn samr_ops[] = {
	[0] = samr_connect,
	[1] = lsa_close,
	[5] = samr_lookup_domain,
	[6] = samr_enum_domains,
	[7] = samr_open_domain,
	[13] = samr_enum_users,
	[17] = samr_lookup_names,
	[18] = samr_lookup_ids,
	[34] = samr_open_user,
	[36] = samr_query_user,
	[47] = samr_query_user,
	[57] = samr_connect2,
	[62] = samr_connect4,
	[64] = samr_connect5,
};

const struct rpc_iface rpc_samr = {
	"samr",
	/* 12345778-1234-abcd-ef00-0123456789ac */
	{ 0x78, 0x57, 0x34, 0x12, 0x34, 0x12, 0xcd, 0xab,
	  0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xac },
	1, 0, samr_ops, nitems(samr_ops)
};

/*
 * dssetup (MS-DSSP) on the lsarpc endpoint:
 * DsRolerGetPrimaryDomainInformation (0) says this is a stand-alone server.
 */
static uint32_t
dssetup_getinfo(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	uint16_t level;

	if (ndr_get_enum(r, &level) == -1)
		return RPC_X_BAD_STUB_DATA;
	if (level < 1 || level > 3) {
		ndr_put_ptr(o, 0);
		ndr_put_u32(o, RPC_WERR_INVALID_PARAMETER);
		return 0;
	}
	ndr_put_ptr(o, 1);
	ndr_put_union(o);
	ndr_put_enum(o, level);
	ndr_put_union(o);
	switch (level) {
	case 1:
		ndr_put_struct(o);
		ndr_put_enum(o, 2);		/* stand-alone server */
		ndr_put_u32(o, 0);		/* Flags */
		ndr_put_ptr(o, 1);		/* DomainNameFlat */
		ndr_put_ptr(o, 0);		/* DomainNameDns */
		ndr_put_ptr(o, 0);		/* DomainForestName */
		ndr_put_zero(o, 16);		/* DomainGuid */
		ndr_put_wstr(o, ctx->domain != NULL ? ctx->domain : "");
		break;
	case 2:
		ndr_put_u32(o, 0);		/* no upgrade in progress */
		ndr_put_enum(o, 0);		/* DsRoleServerUnknown */
		break;
	case 3:
		ndr_put_enum(o, 0);		/* DsRoleOperationIdle */
		break;
	}
	ndr_put_u32(o, RPC_WERR_OK);
	return 0;
}

static const rpc_op_fn dssetup_ops[] = {
	[0] = dssetup_getinfo,
};

const struct rpc_iface rpc_dssetup = {
	"dssetup",
	/* 3919286a-b10c-11d0-9ba8-00c04fd92ef5 */
	{ 0x6a, 0x28, 0x19, 0x39, 0x0c, 0xb1, 0xd0, 0x11,
	  0x9b, 0xa8, 0x00, 0xc0, 0x4f, 0xd9, 0x2e, 0xf5 },
	0, 0, dssetup_ops, nitems(dssetup_ops)
};
