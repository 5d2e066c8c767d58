/*
 * Create contexts (MS-SMB2 2.2.13.2 request, 2.2.14.2 response).  See
 * smb2_cctx.h.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "ntstatus.h"
#include "smb2_cctx.h"

/* The fixed part of SMB2_CREATE_CONTEXT before its buffer. */
#define CCTX_HDR_LEN	16

struct cctx_known {
	const char	*tag;
	uint32_t	 bit;
	int		 min, max;	/* allowed DataLength */
};

/*
 * The contexts this server understands.  MS-SMB2 2.2.13.2 gives the size
 * of each data structure; -1 means any length.
 */
static const struct cctx_known cctx_known[] = {
	{ "MxAc", SMB2_CCTX_MXAC, 0, 8 },
	{ "QFid", SMB2_CCTX_QFID, 0, 0 },
	{ "AlSi", SMB2_CCTX_ALSI, 8, 8 },
	{ "TWrp", SMB2_CCTX_TWRP, 8, 8 },
	{ "SecD", SMB2_CCTX_SECD, 0, -1 },
	{ "ExtA", SMB2_CCTX_EXTA, 0, -1 },
	{ "DHnQ", SMB2_CCTX_DHNQ, 16, 16 },
	{ "DHnC", SMB2_CCTX_DHNC, 16, 16 },
	{ "DH2Q", SMB2_CCTX_DH2Q, 32, 32 },
	{ "DH2C", SMB2_CCTX_DH2C, 36, 36 },
	{ "RqLs", SMB2_CCTX_RQLS, 32, 52 },
};

/* The contexts named by a GUID (MS-SMB2 2.2.13.2), in wire order. */
static const uint8_t cctx_app_id_tag[16] = {
	0x45, 0xbc, 0xa6, 0x6a, 0xef, 0xa7, 0xf7, 0x4a,
	0x90, 0x08, 0xfa, 0x46, 0x2e, 0x14, 0x4d, 0x74
};
static const uint8_t cctx_app_ver_tag[16] = {
	0xb9, 0x82, 0xd0, 0xb7, 0x3b, 0x56, 0x07, 0x4f,
	0xa0, 0x7b, 0x52, 0x4a, 0x81, 0x16, 0xa0, 0x10
};

/*
 * AppInstanceId: StructureSize (20), Reserved, the id (2.2.13.2.13);
 * AppInstanceVersion: StructureSize (24), Reserved, Padding, High, Low
 * (2.2.13.2.15).  Anything else is INVALID_PARAMETER, as on Windows.
 */
static uint32_t
cctx_guid_one(struct smb2_cctx *cc, const uint8_t *name, struct rbuf *data)
{
	uint16_t ssize;

	if (memcmp(name, cctx_app_id_tag, 16) == 0) {
		if (rbuf_left(data) != 20 || rbuf_get_u16le(data, &ssize) ==
		    -1 || ssize != 20)
			return NT_STATUS_INVALID_PARAMETER;
		rbuf_skip(data, 2);
		rbuf_get_bytes(data, cc->app_id, 16);
		cc->seen |= SMB2_CCTX_APPID;
	} else if (memcmp(name, cctx_app_ver_tag, 16) == 0) {
		if (rbuf_left(data) != 24 || rbuf_get_u16le(data, &ssize) ==
		    -1 || ssize != 24)
			return NT_STATUS_INVALID_PARAMETER;
		rbuf_skip(data, 6);
		rbuf_get_u64le(data, &cc->app_ver_high);
		rbuf_get_u64le(data, &cc->app_ver_low);
		cc->seen |= SMB2_CCTX_APPVER;
	}
	return rbuf_error(data) ? NT_STATUS_INVALID_PARAMETER :
	    NT_STATUS_SUCCESS;
}

static uint32_t
cctx_one(struct smb2_cctx *cc, const uint8_t *name, uint16_t nlen,
    struct rbuf *data)
{
	const struct cctx_known *k;
	size_t i, dlen = rbuf_left(data);

	if (nlen == 16)
		return cctx_guid_one(cc, name, data);
	if (nlen != 4)
		return NT_STATUS_SUCCESS;	/* not one of ours: ignored */
	for (i = 0; i < sizeof(cctx_known) / sizeof(cctx_known[0]); i++) {
		k = &cctx_known[i];
		if (memcmp(name, k->tag, 4) != 0)
			continue;
		if ((int)dlen < k->min || (k->max != -1 && (int)dlen > k->max))
			return NT_STATUS_INVALID_PARAMETER;
		cc->seen |= k->bit;
		switch (k->bit) {
		case SMB2_CCTX_MXAC:
			if (dlen == 8)
				rbuf_get_u64le(data, &cc->mxac_time);
			break;
		case SMB2_CCTX_ALSI:
			rbuf_get_u64le(data, &cc->alloc_size);
			break;
		case SMB2_CCTX_TWRP:
			rbuf_get_u64le(data, &cc->twrp_time);
			break;
		case SMB2_CCTX_SECD:
			cc->secd = *data;
			break;
		case SMB2_CCTX_EXTA:
			cc->exta = *data;
			break;
		case SMB2_CCTX_RQLS:
			cc->rqls = *data;
			break;
		case SMB2_CCTX_DH2Q:
			/* Timeout, Flags, Reserved (8), CreateGuid. */
			rbuf_get_u32le(data, &cc->dh2q_timeout);
			rbuf_get_u32le(data, &cc->dh2q_flags);
			rbuf_skip(data, 8);
			rbuf_get_bytes(data, cc->dh2q_guid, 16);
			break;
		case SMB2_CCTX_DHNC:
			/* The FileId of the open (MS-SMB2 2.2.13.2.4). */
			rbuf_get_u64le(data, &cc->dhc_persistent);
			rbuf_get_u64le(data, &cc->dhc_volatile);
			break;
		case SMB2_CCTX_DH2C:
			/* FileId, CreateGuid, Flags (2.2.13.2.12). */
			rbuf_get_u64le(data, &cc->dhc_persistent);
			rbuf_get_u64le(data, &cc->dhc_volatile);
			rbuf_get_bytes(data, cc->dh2c_guid, 16);
			rbuf_get_u32le(data, &cc->dh2c_flags);
			break;
		}
		return rbuf_error(data) ? NT_STATUS_INVALID_PARAMETER :
		    NT_STATUS_SUCCESS;
	}
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_cctx_parse(const struct rbuf *msg, uint32_t off, uint32_t len,
    struct smb2_cctx *cc)
{
	struct rbuf area, ctx, one, data, name;
	uint32_t next, dlen, status;
	uint16_t noff, nlen, reserved, doff;
	const uint8_t *np;
	size_t extent;

	memset(cc, 0, sizeof(*cc));
	if (len == 0)
		return NT_STATUS_SUCCESS;
	if (rbuf_sub(msg, off, len, &area) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	for (;;) {
		ctx = area;
		rbuf_get_u32le(&ctx, &next);
		rbuf_get_u16le(&ctx, &noff);
		rbuf_get_u16le(&ctx, &nlen);
		rbuf_get_u16le(&ctx, &reserved);
		rbuf_get_u16le(&ctx, &doff);
		rbuf_get_u32le(&ctx, &dlen);
		if (rbuf_error(&ctx))
			return NT_STATUS_INVALID_PARAMETER;
		/* Every context but the last is followed by an aligned one. */
		if (next != 0 && (next % 8 != 0 || next < CCTX_HDR_LEN ||
		    next > rbuf_left(&area)))
			return NT_STATUS_INVALID_PARAMETER;
		extent = next != 0 ? next : rbuf_left(&area);
		if (nlen < 4 || (size_t)noff + nlen > extent ||
		    noff < CCTX_HDR_LEN)
			return NT_STATUS_INVALID_PARAMETER;
		if (dlen != 0 && ((size_t)doff + dlen > extent ||
		    doff < CCTX_HDR_LEN))
			return NT_STATUS_INVALID_PARAMETER;
		/* Offsets count from the start of the context. */
		if (rbuf_take(&area, extent, &one) == -1 ||
		    rbuf_sub(&one, noff, nlen, &name) == -1 ||
		    rbuf_get_ptr(&name, &np, nlen) == -1)
			return NT_STATUS_INVALID_PARAMETER;
		if (dlen == 0)
			rbuf_init(&data, NULL, 0);
		else if (rbuf_sub(&one, doff, dlen, &data) == -1)
			return NT_STATUS_INVALID_PARAMETER;
		if ((status = cctx_one(cc, np, nlen, &data)) !=
		    NT_STATUS_SUCCESS)
			return status;
		if (next == 0)
			break;
	}
	return NT_STATUS_SUCCESS;
}

int
smb2_cctx_put(struct wbuf *w, size_t *prev, const char *tag,
    const void *data, size_t len)
{
	size_t start, taglen = strlen(tag);

	if (wbuf_len(w) % 8 != 0)
		wbuf_put_zero(w, 8 - wbuf_len(w) % 8);
	start = wbuf_len(w);
	if (*prev != (size_t)-1)
		wbuf_set_u32le(w, *prev, (uint32_t)(start - *prev));
	wbuf_put_u32le(w, 0);				/* Next */
	wbuf_put_u16le(w, CCTX_HDR_LEN);		/* NameOffset */
	wbuf_put_u16le(w, (uint16_t)taglen);		/* NameLength */
	wbuf_put_u16le(w, 0);				/* Reserved */
	wbuf_put_u16le(w, len != 0 ? 24 : 0);		/* DataOffset */
	wbuf_put_u32le(w, (uint32_t)len);		/* DataLength */
	wbuf_put_bytes(w, tag, taglen);
	wbuf_put_zero(w, 4);				/* pad the name to 8 */
	if (len != 0)
		wbuf_put_bytes(w, data, len);
	*prev = start;
	return wbuf_error(w) ? -1 : 0;
}
