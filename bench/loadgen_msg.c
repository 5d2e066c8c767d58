/*
 * The request bodies usmbd-loadgen sends (MS-SMB2 2.2.13 CREATE, 2.2.15
 * CLOSE, 2.2.19 READ, 2.2.21 WRITE, 2.2.28 ECHO, 2.2.33 QUERY_DIRECTORY,
 * 2.2.37 QUERY_INFO, 2.2.39 SET_INFO) and the fields it reads from the
 * responses.  Each body goes right after the 64-byte header lg_req()
 * wrote, so the offsets in it count from that header.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "fscc.h"
#include "smb2_hdr.h"
#include "unicode.h"

#include "loadgen.h"

#define SMB2_0_INFO_FILE		0x01
#define FILE_RENAME_INFORMATION		10
/* SMB2_IMPERSONATION_IMPERSONATION (2.2.13). */
#define LG_IMPERSONATION		2
#define LG_OPLOCK_NONE			0x00

/* A related request names the FileId of the CREATE before it so. */
const uint8_t lg_related_fid[16] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/* Offset from the header of the buffer after a fixed part of n bytes. */
static uint16_t
body_off(size_t fixed)
{
	return (uint16_t)(SMB2_HEADER_SIZE + fixed);
}

int
lg_put_name(struct wbuf *w, const char *name)
{
	const char *p, *q;

	for (p = name; *p != '\0'; p = q) {
		if (*p == '/') {
			wbuf_put_u16le(w, '\\');
			q = p + 1;
			continue;
		}
		if ((q = strchr(p, '/')) == NULL)
			q = p + strlen(p);
		if (utf8_to_utf16le(p, (size_t)(q - p), w) == -1)
			return -1;
	}
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_create(struct wbuf *w, const char *name, uint32_t access,
    uint32_t disposition, uint32_t options, uint32_t attrs)
{
	return lg_put_create_cache(w, name, access, disposition, options,
	    attrs, LG_OPLOCK_NONE, NULL, 0);
}

/* An RqLs context of version 1 (2.2.13.2.8), its data 32 bytes. */
static void
put_lease_ctx(struct wbuf *w, const uint8_t *key, uint32_t state)
{
	wbuf_put_u32le(w, 0);			/* Next */
	wbuf_put_u16le(w, 16);			/* NameOffset */
	wbuf_put_u16le(w, 4);			/* NameLength */
	wbuf_put_u16le(w, 0);			/* Reserved */
	wbuf_put_u16le(w, 24);			/* DataOffset */
	wbuf_put_u32le(w, 32);			/* DataLength */
	wbuf_put_bytes(w, "RqLs", 4);
	wbuf_put_zero(w, 4);
	wbuf_put_bytes(w, key, 16);
	wbuf_put_u32le(w, state);
	wbuf_put_u32le(w, 0);			/* LeaseFlags */
	wbuf_put_u64le(w, 0);			/* LeaseDuration */
}

int
lg_put_create_cache(struct wbuf *w, const char *name, uint32_t access,
    uint32_t disposition, uint32_t options, uint32_t attrs, uint8_t oplock,
    const uint8_t *lease_key, uint32_t lease_state)
{
	size_t start, lenoff, nlen, ctxoff, ctxlen, pad;

	wbuf_put_u16le(w, 57);
	wbuf_put_u8(w, 0);			/* SecurityFlags */
	wbuf_put_u8(w, oplock);
	wbuf_put_u32le(w, LG_IMPERSONATION);
	wbuf_put_u64le(w, 0);			/* SmbCreateFlags */
	wbuf_put_u64le(w, 0);			/* Reserved */
	wbuf_put_u32le(w, access);
	wbuf_put_u32le(w, attrs);
	wbuf_put_u32le(w, FILE_SHARE_READ | FILE_SHARE_WRITE |
	    FILE_SHARE_DELETE);
	wbuf_put_u32le(w, disposition);
	wbuf_put_u32le(w, options);
	wbuf_put_u16le(w, body_off(56));	/* NameOffset */
	wbuf_reserve(w, 2, &lenoff);		/* NameLength */
	wbuf_reserve(w, 4, &ctxoff);		/* CreateContextsOffset */
	wbuf_reserve(w, 4, &ctxlen);		/* CreateContextsLength */
	wbuf_set_u32le(w, ctxoff, 0);
	wbuf_set_u32le(w, ctxlen, 0);
	start = wbuf_len(w);
	if (lg_put_name(w, name) == -1)
		return -1;
	nlen = wbuf_len(w) - start;
	/* The Buffer has at least one byte even for the share's root. */
	if (nlen == 0)
		wbuf_put_u8(w, 0);
	wbuf_set_u16le(w, lenoff, (uint16_t)nlen);
	if (lease_key != NULL) {
		/* Contexts start 8-aligned; the name's offset (120) is. */
		pad = (8 - (wbuf_len(w) - start) % 8) % 8;
		wbuf_put_zero(w, pad);
		wbuf_set_u32le(w, ctxoff, (uint32_t)(body_off(56) +
		    (wbuf_len(w) - start)));
		wbuf_set_u32le(w, ctxlen, 56);
		put_lease_ctx(w, lease_key, lease_state);
	}
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_close(struct wbuf *w, const uint8_t *fid)
{
	wbuf_put_u16le(w, 24);
	wbuf_put_u16le(w, 0);			/* Flags: no attributes */
	wbuf_put_u32le(w, 0);
	wbuf_put_bytes(w, fid, 16);
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_oplock_ack(struct wbuf *w, const uint8_t *fid, uint8_t level)
{
	wbuf_put_u16le(w, 24);
	wbuf_put_u8(w, level);
	wbuf_put_u8(w, 0);			/* Reserved */
	wbuf_put_u32le(w, 0);			/* Reserved2 */
	wbuf_put_bytes(w, fid, 16);
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_lease_ack(struct wbuf *w, const uint8_t *key, uint32_t state)
{
	wbuf_put_u16le(w, 36);
	wbuf_put_u16le(w, 0);			/* Reserved */
	wbuf_put_u32le(w, 0);			/* Flags */
	wbuf_put_bytes(w, key, 16);
	wbuf_put_u32le(w, state);
	wbuf_put_u64le(w, 0);			/* LeaseDuration */
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_read(struct wbuf *w, const uint8_t *fid, uint64_t off, uint32_t len)
{
	wbuf_put_u16le(w, 49);
	wbuf_put_u8(w, 0);			/* Padding */
	wbuf_put_u8(w, 0);			/* Flags */
	wbuf_put_u32le(w, len);
	wbuf_put_u64le(w, off);
	wbuf_put_bytes(w, fid, 16);
	wbuf_put_u32le(w, 0);			/* MinimumCount */
	wbuf_put_u32le(w, 0);			/* Channel */
	wbuf_put_u32le(w, 0);			/* RemainingBytes */
	wbuf_put_u16le(w, 0);			/* ReadChannelInfoOffset */
	wbuf_put_u16le(w, 0);			/* ReadChannelInfoLength */
	wbuf_put_u8(w, 0);			/* Buffer */
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_write(struct wbuf *w, const uint8_t *fid, uint64_t off,
    const uint8_t *data, uint32_t len)
{
	wbuf_put_u16le(w, 49);
	wbuf_put_u16le(w, body_off(48));	/* DataOffset */
	wbuf_put_u32le(w, len);
	wbuf_put_u64le(w, off);
	wbuf_put_bytes(w, fid, 16);
	wbuf_put_u32le(w, 0);			/* Channel */
	wbuf_put_u32le(w, 0);			/* RemainingBytes */
	wbuf_put_u16le(w, 0);			/* WriteChannelInfoOffset */
	wbuf_put_u16le(w, 0);			/* WriteChannelInfoLength */
	wbuf_put_u32le(w, 0);			/* Flags */
	wbuf_put_bytes(w, data, len);
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_query_info(struct wbuf *w, const uint8_t *fid, uint8_t class,
    uint32_t outlen)
{
	wbuf_put_u16le(w, 41);
	wbuf_put_u8(w, SMB2_0_INFO_FILE);
	wbuf_put_u8(w, class);
	wbuf_put_u32le(w, outlen);
	wbuf_put_u16le(w, 0);			/* InputBufferOffset */
	wbuf_put_u16le(w, 0);
	wbuf_put_u32le(w, 0);			/* InputBufferLength */
	wbuf_put_u32le(w, 0);			/* AdditionalInformation */
	wbuf_put_u32le(w, 0);			/* Flags */
	wbuf_put_bytes(w, fid, 16);
	wbuf_put_u8(w, 0);			/* Buffer */
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_query_dir(struct wbuf *w, const uint8_t *fid, uint8_t class,
    uint8_t flags, const char *pattern, uint32_t outlen)
{
	size_t start, lenoff;

	wbuf_put_u16le(w, 33);
	wbuf_put_u8(w, class);
	wbuf_put_u8(w, flags);
	wbuf_put_u32le(w, 0);			/* FileIndex */
	wbuf_put_bytes(w, fid, 16);
	wbuf_put_u16le(w, body_off(32));	/* FileNameOffset */
	wbuf_reserve(w, 2, &lenoff);
	wbuf_put_u32le(w, outlen);
	start = wbuf_len(w);
	if (lg_put_name(w, pattern) == -1)
		return -1;
	wbuf_set_u16le(w, lenoff, (uint16_t)(wbuf_len(w) - start));
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_rename(struct wbuf *w, const uint8_t *fid, const char *to)
{
	size_t lenoff, start, nlenoff;

	wbuf_put_u16le(w, 33);
	wbuf_put_u8(w, SMB2_0_INFO_FILE);
	wbuf_put_u8(w, FILE_RENAME_INFORMATION);
	wbuf_reserve(w, 4, &lenoff);		/* BufferLength */
	wbuf_put_u16le(w, body_off(32));	/* BufferOffset */
	wbuf_put_u16le(w, 0);
	wbuf_put_u32le(w, 0);			/* AdditionalInformation */
	wbuf_put_bytes(w, fid, 16);
	/* FILE_RENAME_INFORMATION_TYPE_2 (MS-FSCC 2.4.37.2). */
	start = wbuf_len(w);
	wbuf_put_u8(w, 0);			/* ReplaceIfExists */
	wbuf_put_zero(w, 7);
	wbuf_put_u64le(w, 0);			/* RootDirectory */
	wbuf_reserve(w, 4, &nlenoff);
	if (lg_put_name(w, to) == -1)
		return -1;
	wbuf_set_u32le(w, nlenoff, (uint32_t)(wbuf_len(w) - nlenoff - 4));
	wbuf_set_u32le(w, lenoff, (uint32_t)(wbuf_len(w) - start));
	return wbuf_error(w) ? -1 : 0;
}

int
lg_put_echo(struct wbuf *w)
{
	wbuf_put_u16le(w, 4);
	wbuf_put_u16le(w, 0);
	return wbuf_error(w) ? -1 : 0;
}

int
lg_get_create(const struct lg_resp *r, uint8_t fid[16], uint64_t *eof)
{
	struct rbuf b = r->msg;
	uint64_t size;

	/* EndofFile and FileId of the CREATE response body (2.2.14). */
	rbuf_seek(&b, SMB2_HEADER_SIZE + 48);
	rbuf_get_u64le(&b, &size);
	rbuf_skip(&b, 8);
	rbuf_get_bytes(&b, fid, 16);
	if (rbuf_error(&b))
		return -1;
	if (eof != NULL)
		*eof = size;
	return 0;
}
