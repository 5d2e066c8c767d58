/*
 * dssetup (MS-DSSP) on the lsarpc endpoint.
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
