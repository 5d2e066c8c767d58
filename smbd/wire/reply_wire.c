/*
 * Encoders of SMB2 response bodies that more than one handler writes
 * (MS-SMB2 2.2.20, 2.2.22, 2.2.18, 2.2.38, 2.2.32): pure functions over a wbuf.
 */
#include "config.h"

#include "buf.h"
#include "reply_wire.h"

/* Responses start after the 64-byte SMB2 header (MS-SMB2 2.2.1). */
#define REPLY_HDR_LEN	64

void
smb2_read_reply(struct wbuf *w, uint32_t datalen)
{
	wbuf_put_u16le(w, 17);
	wbuf_put_u8(w, REPLY_HDR_LEN + 16);	/* DataOffset */
	wbuf_put_u8(w, 0);			/* Reserved */
	wbuf_put_u32le(w, datalen);		/* DataLength */
	wbuf_put_u32le(w, 0);			/* DataRemaining */
	wbuf_put_u32le(w, 0);			/* Reserved2 */
}

void
smb2_write_reply(struct wbuf *w, uint32_t count)
{
	wbuf_put_u16le(w, 17);
	wbuf_put_u16le(w, 0);
	wbuf_put_u32le(w, count);	/* Count */
	wbuf_put_u32le(w, 0);		/* Remaining */
	wbuf_put_u16le(w, 0);		/* WriteChannelInfoOffset */
	wbuf_put_u16le(w, 0);		/* WriteChannelInfoLength */
}

void
smb2_flush_reply(struct wbuf *w)
{
	wbuf_put_u16le(w, 4);		/* StructureSize */
	wbuf_put_u16le(w, 0);		/* Reserved */
}

void
smb2_query_info_body(struct wbuf *out, const struct wbuf *data)
{
	wbuf_put_u16le(out, 9);
	wbuf_put_u16le(out, REPLY_HDR_LEN + 8);	/* OutputBufferOffset */
	wbuf_put_u32le(out, (uint32_t)wbuf_len(data));
	wbuf_put_bytes(out, wbuf_data(data), wbuf_len(data));
}

/* The IOCTL response: fixed part, then the output at offset 0x70. */
void
smb2_ioctl_body(struct wbuf *out, const struct smb2_ioctl_req *io,
    const void *data, size_t len)
{
	wbuf_reset(out);
	wbuf_put_u16le(out, 49);
	wbuf_put_u16le(out, 0);
	wbuf_put_u32le(out, io->ctl_code);
	wbuf_put_bytes(out, io->file_id, 16);
	wbuf_put_u32le(out, REPLY_HDR_LEN + 48);	/* InputOffset */
	wbuf_put_u32le(out, 0);			/* InputCount */
	wbuf_put_u32le(out, REPLY_HDR_LEN + 48);	/* OutputOffset */
	wbuf_put_u32le(out, (uint32_t)len);
	wbuf_put_u32le(out, 0);			/* Flags */
	wbuf_put_u32le(out, 0);			/* Reserved2 */
	wbuf_put_bytes(out, data, len);
}
