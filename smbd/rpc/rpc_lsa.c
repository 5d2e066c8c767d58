/*
 * lsarpc (MS-LSAD, MS-LSAT): policy handles and the lookups of names and
 * SIDs, over the accounts of rpc_names.c.
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
