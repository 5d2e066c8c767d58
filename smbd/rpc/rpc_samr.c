/*
 * samr (MS-SAMR): the server's domains and their users, enough for a
 * client to find them; over the accounts of rpc_names.c.
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
