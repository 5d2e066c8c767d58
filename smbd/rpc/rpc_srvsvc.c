/*
 * srvsvc (MS-SRVS) and wkssvc (MS-WKST): the share list, the server's
 * and the workstation's description.  Requests are decoded and replies
 * encoded by hand, following the IDL in MS-SRVS 6 and MS-WKST 6, in NDR32
 * or NDR64: a structure that holds a pointer starts with ndr_*_struct()
 * and, when its last member leaves a gap, ends with ndr_*_trail().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "rpc_int.h"
#include "unicode.h"
#include "util.h"

#define PLATFORM_ID_NT		500
#define SRV_VERSION_MAJOR	6
#define SRV_VERSION_MINOR	1
/* Workstation, server, Unix, NT, server NT (MS-SRVS 2.2.2.7). */
#define SRV_TYPE		0x00009803
#define SHI_USES_UNLIMITED	0xffffffff
#define MAX_NAME		1024

static const char *
srv_str(const char *s)
{
	return s != NULL ? s : "";
}

/* The fixed part of SHARE_INFO_<level>; its strings follow later. */
static void
srv_share_fixed(struct ndr_out *o, const struct rpc_share_info *s,
    uint32_t level)
{
	ndr_put_ptr(o, 1);			/* netname */
	if (level == 0)
		return;
	ndr_put_u32(o, s->type);
	ndr_put_ptr(o, 1);			/* remark */
	if (level == 1)
		return;
	if (level == 501) {
		ndr_put_u32(o, 0);		/* flags: manual caching */
		ndr_put_trail(o);
		return;
	}
	ndr_put_u32(o, 0);			/* permissions */
	ndr_put_u32(o, SHI_USES_UNLIMITED);	/* max_uses */
	ndr_put_u32(o, 0);			/* current_uses */
	ndr_put_ptr(o, 1);			/* path */
	ndr_put_ptr(o, 0);			/* passwd */
	if (level == 502) {
		ndr_put_u32(o, 0);		/* reserved: no descriptor */
		ndr_put_ptr(o, 0);
	}
}

static void
srv_share_deferred(struct ndr_out *o, const struct rpc_share_info *s,
    uint32_t level)
{
	ndr_put_wstr(o, s->name);
	if (level == 0)
		return;
	ndr_put_wstr(o, srv_str(s->comment));
	if (level == 2 || level == 502)
		ndr_put_wstr(o, srv_str(s->path));
}

/*
 * The levels a request may ask for: 0 when unknown (ERROR_INVALID_LEVEL),
 * -1 when the caller may not see them.  Levels 2 and 502 show local paths,
 * which Windows keeps from unprivileged callers (MS-SRVS 3.1.4.8); here
 * every authenticated user may see them, as Samba allows, but not an
 * anonymous or guest session, which may not enumerate level 501 either.
 * NetrShareEnumSticky knows no level 501.
 */
enum { SRV_ENUM, SRV_STICKY, SRV_GETINFO };

static int
srv_level_ok(const struct rpc_ctx *ctx, uint32_t level, int op)
{
	switch (level) {
	case 0:
	case 1:
		return 1;
	case 501:
		if (op == SRV_STICKY)
			return 0;
		return ctx->anonymous && op != SRV_GETINFO ? -1 : 1;
	case 2:
	case 502:
		return ctx->anonymous ? -1 : 1;
	case 1005:
		return op == SRV_GETINFO;
	default:
		return 0;
	}
}

static uint32_t
srv_level_err(int ok)
{
	return ok == -1 ? RPC_WERR_ACCESS_DENIED : RPC_WERR_INVALID_LEVEL;
}

/* The part of the requests before the level: a unique server name. */
static int
srv_get_server(struct ndr_in *r)
{
	char *name;

	if (ndr_get_wstr_ptr(r, MAX_NAME, &name) == -1)
		return -1;
	free(name);
	return 0;
}

/*
 * The container of an [in] enumeration: clients send it empty, with a NULL
 * buffer or an array of no elements.
 */
static int
srv_get_container(struct ndr_in *r)
{
	uint32_t count, bptr, max;

	if (ndr_get_struct(r) == -1 || ndr_get_u32(r, &count) == -1 ||
	    ndr_get_ptr(r, &bptr) == -1)
		return -1;
	if (bptr != 0 && ndr_get_count(r, &max) == -1)
		return -1;
	return count == 0 && (bptr == 0 || max == 0) ? 0 : -1;
}

/* NetrShareEnum (15) and NetrShareEnumSticky (36), MS-SRVS 3.1.4.8. */
static uint32_t
srvsvc_share_enum_op(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o,
    int op)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	uint32_t level, sw, cptr, maxlen, rptr, resume = 0;
	size_t i, n = 0, skip;
	int ok;

	/* SHARE_ENUM_STRUCT: a level and a union of container pointers. */
	if (srv_get_server(r) == -1 || ndr_get_struct(r) == -1 ||
	    ndr_get_u32(r, &level) == -1 || ndr_get_union(r) == -1 ||
	    ndr_get_u32(r, &sw) == -1 || ndr_get_union(r) == -1 ||
	    ndr_get_ptr(r, &cptr) == -1)
		return RPC_X_BAD_STUB_DATA;
	if (cptr != 0 && srv_get_container(r) == -1)
		return RPC_X_BAD_STUB_DATA;
	if (ndr_get_u32(r, &maxlen) == -1 || ndr_get_ptr(r, &rptr) == -1 ||
	    (rptr != 0 && ndr_get_u32(r, &resume) == -1) || sw != level)
		return RPC_X_BAD_STUB_DATA;

	for (i = 0; i < ctx->nshares; i++)
		if (ctx->shares[i].browseable)
			n++;
	skip = resume < n ? resume : n;
	ndr_put_struct(o);
	ndr_put_u32(o, level);
	ndr_put_union(o);
	ndr_put_u32(o, level);
	ndr_put_union(o);
	if ((ok = srv_level_ok(ctx, level, op)) != 1) {
		ndr_put_ptr(o, 0);
		ndr_put_u32(o, 0);		/* TotalEntries */
		ndr_put_ptr(o, rptr != 0);
		if (rptr != 0)
			ndr_put_u32(o, resume);
		ndr_put_u32(o, srv_level_err(ok));
		return 0;
	}
	ndr_put_ptr(o, 1);
	ndr_put_struct(o);
	ndr_put_u32(o, (uint32_t)(n - skip));	/* EntriesRead */
	ndr_put_ptr(o, n - skip > 0);
	if (n - skip > 0) {
		size_t k;

		ndr_put_count(o, (uint32_t)(n - skip));
		for (k = 0, i = 0; i < ctx->nshares; i++)
			if (ctx->shares[i].browseable && k++ >= skip)
				srv_share_fixed(o, &ctx->shares[i], level);
		for (k = 0, i = 0; i < ctx->nshares; i++)
			if (ctx->shares[i].browseable && k++ >= skip)
				srv_share_deferred(o, &ctx->shares[i], level);
	}
	ndr_put_u32(o, (uint32_t)n);		/* TotalEntries */
	ndr_put_ptr(o, rptr != 0);
	if (rptr != 0)
		ndr_put_u32(o, (uint32_t)n);
	ndr_put_u32(o, RPC_WERR_OK);
	return 0;
}

static uint32_t
srvsvc_share_enum(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return srvsvc_share_enum_op(p, r, o, SRV_ENUM);
}

static uint32_t
srvsvc_share_enum_sticky(struct rpc_pipe *p, struct ndr_in *r,
    struct ndr_out *o)
{
	return srvsvc_share_enum_op(p, r, o, SRV_STICKY);
}

/* NetrShareGetInfo (16), MS-SRVS 3.1.4.10. */
static uint32_t
srvsvc_share_getinfo(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	const struct rpc_share_info *s = NULL;
	uint32_t level;
	char *name;
	size_t i;
	int ok = 1;

	if (srv_get_server(r) == -1 || ndr_get_wstr(r, MAX_NAME, &name) == -1)
		return RPC_X_BAD_STUB_DATA;
	if (ndr_get_u32(r, &level) == -1) {
		free(name);
		return RPC_X_BAD_STUB_DATA;
	}
	for (i = 0; i < ctx->nshares; i++)
		if (utf8_casecmp(ctx->shares[i].name, name) == 0)
			s = &ctx->shares[i];
	free(name);
	ndr_put_u32(o, level);
	if (s == NULL || (ok = srv_level_ok(ctx, level, SRV_GETINFO)) != 1) {
		ndr_put_ptr(o, 0);
		ndr_put_u32(o, s == NULL ? RPC_WERR_NET_NAME_NOT_FOUND :
		    srv_level_err(ok));
		return 0;
	}
	ndr_put_ptr(o, 1);
	if (level == 1005)
		ndr_put_u32(o, 0);		/* shi1005_flags */
	else {
		srv_share_fixed(o, s, level);
		srv_share_deferred(o, s, level);
	}
	ndr_put_u32(o, RPC_WERR_OK);
	return 0;
}

/* NetrServerGetInfo (21), MS-SRVS 3.1.4.17. */
static uint32_t
srvsvc_server_getinfo(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	uint32_t level;

	if (srv_get_server(r) == -1 || ndr_get_u32(r, &level) == -1)
		return RPC_X_BAD_STUB_DATA;
	ndr_put_u32(o, level);
	if (level != 100 && level != 101 && level != 102) {
		ndr_put_ptr(o, 0);
		ndr_put_u32(o, RPC_WERR_INVALID_LEVEL);
		return 0;
	}
	ndr_put_ptr(o, 1);
	ndr_put_struct(o);
	ndr_put_u32(o, PLATFORM_ID_NT);
	ndr_put_ptr(o, 1);				/* name */
	if (level >= 101) {
		ndr_put_u32(o, SRV_VERSION_MAJOR);
		ndr_put_u32(o, SRV_VERSION_MINOR);
		ndr_put_u32(o, SRV_TYPE);
		ndr_put_ptr(o, 1);			/* comment */
	}
	if (level == 102) {
		ndr_put_u32(o, 0xffffffff);		/* users */
		ndr_put_u32(o, 15);			/* disc (minutes) */
		ndr_put_u32(o, 0);			/* hidden */
		ndr_put_u32(o, 240);			/* announce */
		ndr_put_u32(o, 3000);			/* anndelta */
		ndr_put_u32(o, 0);			/* licenses */
		ndr_put_ptr(o, 1);			/* userpath */
	}
	ndr_put_wstr(o, srv_str(ctx->server_name));
	if (level >= 101)
		ndr_put_wstr(o, srv_str(ctx->server_string));
	if (level == 102)
		ndr_put_wstr(o, "C:\\");
	ndr_put_u32(o, RPC_WERR_OK);
	return 0;
}

/* NetrShareCheck (20), MS-SRVS 3.1.4.13: is this path shared, and how. */
static uint32_t
srvsvc_share_check(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	char *dev;
	size_t i;

	if (srv_get_server(r) == -1 || ndr_get_wstr(r, MAX_NAME, &dev) == -1)
		return RPC_X_BAD_STUB_DATA;
	for (i = 0; i < ctx->nshares; i++)
		if (ctx->shares[i].path != NULL &&
		    utf8_casecmp(ctx->shares[i].path, dev) == 0)
			break;
	free(dev);
	ndr_put_u32(o, i < ctx->nshares ? ctx->shares[i].type : 0);
	ndr_put_u32(o, i < ctx->nshares ? RPC_WERR_OK :
	    RPC_WERR_DEVICE_NOT_SHARED);
	return 0;
}

/* NetrRemoteTOD (28), MS-SRVS 3.1.4.21: the server's clock in UTC. */
static uint32_t
srvsvc_remote_tod(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	struct timespec ts;
	struct tm tm;

	if (srv_get_server(r) == -1)
		return RPC_X_BAD_STUB_DATA;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	ndr_put_ptr(o, 1);
	ndr_put_u32(o, (uint32_t)ts.tv_sec);		/* elapsedt */
	ndr_put_u32(o, (uint32_t)(ts.tv_nsec / 1000000));	/* msecs */
	ndr_put_u32(o, (uint32_t)tm.tm_hour);
	ndr_put_u32(o, (uint32_t)tm.tm_min);
	ndr_put_u32(o, (uint32_t)tm.tm_sec);
	ndr_put_u32(o, (uint32_t)(ts.tv_nsec / 10000000));	/* hunds */
	ndr_put_u32(o, 0);				/* timezone: UTC */
	ndr_put_u32(o, 310);				/* tinterval */
	ndr_put_u32(o, (uint32_t)tm.tm_mday);
	ndr_put_u32(o, (uint32_t)tm.tm_mon + 1);
	ndr_put_u32(o, (uint32_t)tm.tm_year + 1900);
	ndr_put_u32(o, (uint32_t)tm.tm_wday);
	ndr_put_u32(o, RPC_WERR_OK);
	return 0;
}

/*
 * NetrConnectionEnum (8), NetrFileEnum (9) and NetrSessionEnum (12): only
 * administrators may list connections, open files and sessions (MS-SRVS
 * 3.1.4.1, 3.1.4.16, 3.1.4.5), and no user of usmbd is one, so every
 * caller gets ERROR_ACCESS_DENIED with the empty container it sent.
 * nstr is the number of optional strings before the enumeration.
 */
static uint32_t
srvsvc_enum_denied(struct ndr_in *r, struct ndr_out *o, int nstr)
{
	uint32_t level, sw, cptr, maxlen, rptr, resume = 0;
	char *s;
	int i;

	for (i = 0; i < nstr; i++) {
		if (ndr_get_wstr_ptr(r, MAX_NAME, &s) == -1)
			return RPC_X_BAD_STUB_DATA;
		free(s);
	}
	if (ndr_get_struct(r) == -1 || ndr_get_u32(r, &level) == -1 ||
	    ndr_get_union(r) == -1 || ndr_get_u32(r, &sw) == -1 ||
	    ndr_get_union(r) == -1 || ndr_get_ptr(r, &cptr) == -1 ||
	    sw != level)
		return RPC_X_BAD_STUB_DATA;
	if (cptr != 0 && srv_get_container(r) == -1)
		return RPC_X_BAD_STUB_DATA;
	if (ndr_get_u32(r, &maxlen) == -1 || ndr_get_ptr(r, &rptr) == -1 ||
	    (rptr != 0 && ndr_get_u32(r, &resume) == -1))
		return RPC_X_BAD_STUB_DATA;
	ndr_put_struct(o);
	ndr_put_u32(o, level);
	ndr_put_union(o);
	ndr_put_u32(o, level);
	ndr_put_union(o);
	ndr_put_ptr(o, cptr != 0);
	if (cptr != 0) {
		ndr_put_struct(o);
		ndr_put_u32(o, 0);
		ndr_put_ptr(o, 0);
	}
	ndr_put_u32(o, 0);				/* TotalEntries */
	ndr_put_ptr(o, rptr != 0);
	if (rptr != 0)
		ndr_put_u32(o, resume);
	ndr_put_u32(o, RPC_WERR_ACCESS_DENIED);
	return 0;
}

static uint32_t
srvsvc_conn_enum(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return srvsvc_enum_denied(r, o, 2);
}

static uint32_t
srvsvc_file_enum(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return srvsvc_enum_denied(r, o, 3);
}

static uint32_t
srvsvc_sess_enum(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	return srvsvc_enum_denied(r, o, 3);
}

static const rpc_op_fn srvsvc_ops[] = {
	[8] = srvsvc_conn_enum,
	[9] = srvsvc_file_enum,
	[12] = srvsvc_sess_enum,
	[15] = srvsvc_share_enum,
	[16] = srvsvc_share_getinfo,
	[20] = srvsvc_share_check,
	[21] = srvsvc_server_getinfo,
	[28] = srvsvc_remote_tod,
	[36] = srvsvc_share_enum_sticky,
};

const struct rpc_iface rpc_srvsvc = {
	"srvsvc",
	/* 4b324fc8-1670-01d3-1278-5a47bf6ee188 */
	{ 0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01,
	  0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88 },
	3, 0, srvsvc_ops, nitems(srvsvc_ops)
};

/*
 * WKSTA_INFO_502 (MS-WKST 2.2.5.4): the redirector's tunables, with the
 * values a default Windows installation reports.
 */
static const uint32_t wks502[] = {
	3600, 250, 16, 600, 50, 60, 512, 17,	/* char_wait .. */
	6144, 10, 500, 10, 500, 40, 1,		/* lock_quota .. */
	0xffffffff, 3, 20, 5, 3600,		/* read_ahead .. */
	0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0	/* the booleans */
};

/* NetrWkstaGetInfo (0), MS-WKST 3.2.4.1. */
static uint32_t
wkssvc_getinfo(struct rpc_pipe *p, struct ndr_in *r, struct ndr_out *o)
{
	const struct rpc_ctx *ctx = rpc_pipe_ctx(p);
	uint32_t level;
	size_t i;

	if (srv_get_server(r) == -1 || ndr_get_u32(r, &level) == -1)
		return RPC_X_BAD_STUB_DATA;
	ndr_put_u32(o, level);
	if (level == 502) {
		ndr_put_ptr(o, 1);
		for (i = 0; i < nitems(wks502); i++)
			ndr_put_u32(o, wks502[i]);
		ndr_put_u32(o, RPC_WERR_OK);
		return 0;
	}
	if (level != 100 && level != 101 && level != 102) {
		ndr_put_ptr(o, 0);
		ndr_put_u32(o, RPC_WERR_INVALID_LEVEL);
		return 0;
	}
	ndr_put_ptr(o, 1);
	ndr_put_struct(o);
	ndr_put_u32(o, PLATFORM_ID_NT);
	ndr_put_ptr(o, 1);				/* computername */
	ndr_put_ptr(o, 1);				/* langroup */
	ndr_put_u32(o, SRV_VERSION_MAJOR);
	ndr_put_u32(o, SRV_VERSION_MINOR);
	if (level >= 101)
		ndr_put_ptr(o, 1);			/* lanroot */
	if (level == 102)
		ndr_put_u32(o, 1);			/* logged_on_users */
	ndr_put_trail(o);
	ndr_put_wstr(o, srv_str(ctx->server_name));
	ndr_put_wstr(o, srv_str(ctx->domain));
	if (level >= 101)
		ndr_put_wstr(o, "C:\\");
	ndr_put_u32(o, RPC_WERR_OK);
	return 0;
}

static const rpc_op_fn wkssvc_ops[] = {
	[0] = wkssvc_getinfo,
};

const struct rpc_iface rpc_wkssvc = {
	"wkssvc",
	/* 6bffd098-a112-3610-9833-46c3f87e345a */
	{ 0x98, 0xd0, 0xff, 0x6b, 0x12, 0xa1, 0x10, 0x36,
	  0x98, 0x33, 0x46, 0xc3, 0xf8, 0x7e, 0x34, 0x5a },
	1, 0, wkssvc_ops, nitems(wkssvc_ops)
};
