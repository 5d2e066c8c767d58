/*
 * SMB2 header (MS-SMB2 2.2.1) and ERROR response (2.2.2) encoding.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "smb2.h"
#include "smb2_hdr.h"

int
smb2_hdr_parse(struct rbuf *r, struct smb2_hdr *h)
{
	uint32_t proto, reserved;
	uint16_t ssize;

	memset(h, 0, sizeof(*h));
	rbuf_get_u32be(r, &proto);
	rbuf_get_u16le(r, &ssize);
	rbuf_get_u16le(r, &h->credit_charge);
	rbuf_get_u32le(r, &h->status);
	rbuf_get_u16le(r, &h->command);
	rbuf_get_u16le(r, &h->credits);
	rbuf_get_u32le(r, &h->flags);
	rbuf_get_u32le(r, &h->next_command);
	rbuf_get_u64le(r, &h->message_id);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND)
		rbuf_get_u64le(r, &h->async_id);
	else {
		rbuf_get_u32le(r, &reserved);
		rbuf_get_u32le(r, &h->tree_id);
		h->process_id = reserved;
	}
	rbuf_get_u64le(r, &h->session_id);
	rbuf_get_bytes(r, h->signature, sizeof(h->signature));
	if (rbuf_error(r) || proto != SMB2_PROTOCOL_ID ||
	    ssize != SMB2_HEADER_SIZE)
		return -1;
	return 0;
}

int
smb2_hdr_build(struct wbuf *w, const struct smb2_hdr *h)
{
	wbuf_put_u32be(w, SMB2_PROTOCOL_ID);
	wbuf_put_u16le(w, SMB2_HEADER_SIZE);
	wbuf_put_u16le(w, h->credit_charge);
	wbuf_put_u32le(w, h->status);
	wbuf_put_u16le(w, h->command);
	wbuf_put_u16le(w, h->credits);
	wbuf_put_u32le(w, h->flags);
	wbuf_put_u32le(w, h->next_command);
	wbuf_put_u64le(w, h->message_id);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND)
		wbuf_put_u64le(w, h->async_id);
	else {
		wbuf_put_u32le(w, h->process_id);
		wbuf_put_u32le(w, h->tree_id);
	}
	wbuf_put_u64le(w, h->session_id);
	wbuf_put_bytes(w, h->signature, sizeof(h->signature));
	return wbuf_error(w) ? -1 : 0;
}

const char *
smb2_command_name(uint16_t cmd)
{
	static const char *const names[] = {
		[SMB2_NEGOTIATE] = "NEGOTIATE",
		[SMB2_SESSION_SETUP] = "SESSION_SETUP",
		[SMB2_LOGOFF] = "LOGOFF",
		[SMB2_TREE_CONNECT] = "TREE_CONNECT",
		[SMB2_TREE_DISCONNECT] = "TREE_DISCONNECT",
		[SMB2_CREATE] = "CREATE",
		[SMB2_CLOSE] = "CLOSE",
		[SMB2_FLUSH] = "FLUSH",
		[SMB2_READ] = "READ",
		[SMB2_WRITE] = "WRITE",
		[SMB2_LOCK] = "LOCK",
		[SMB2_IOCTL] = "IOCTL",
		[SMB2_CANCEL] = "CANCEL",
		[SMB2_ECHO] = "ECHO",
		[SMB2_QUERY_DIRECTORY] = "QUERY_DIRECTORY",
		[SMB2_CHANGE_NOTIFY] = "CHANGE_NOTIFY",
		[SMB2_QUERY_INFO] = "QUERY_INFO",
		[SMB2_SET_INFO] = "SET_INFO",
		[SMB2_OPLOCK_BREAK] = "OPLOCK_BREAK",
	};

	if (cmd >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN";
	return names[cmd];
}

int
smb2_error_build(struct wbuf *w, const uint8_t *data, size_t len)
{
	if (len > UINT32_MAX)
		return -1;
	wbuf_put_u16le(w, SMB2_ERROR_RESP_SIZE);
	wbuf_put_u8(w, 0);		/* ErrorContextCount */
	wbuf_put_u8(w, 0);		/* Reserved */
	wbuf_put_u32le(w, (uint32_t)len);
	if (len == 0)
		wbuf_put_u8(w, 0);
	else
		wbuf_put_bytes(w, data, len);
	return wbuf_error(w) ? -1 : 0;
}

int
smb2_error_build_ctx(struct wbuf *w, const struct smb2_error_ctx *ctx,
    size_t n)
{
	size_t i, start, count_off, pad;

	if (n == 0)
		return smb2_error_build(w, NULL, 0);
	if (n > UINT8_MAX)
		return -1;
	wbuf_put_u16le(w, SMB2_ERROR_RESP_SIZE);
	wbuf_put_u8(w, (uint8_t)n);	/* ErrorContextCount */
	wbuf_put_u8(w, 0);
	if (wbuf_reserve(w, 4, &count_off) == -1)
		return -1;
	start = wbuf_len(w);
	for (i = 0; i < n; i++) {
		/*
		 * Every context but the first starts on an 8-byte boundary
		 * of the ErrorData (MS-SMB2 2.2.2.1).
		 */
		pad = (8 - (wbuf_len(w) - start) % 8) % 8;
		wbuf_put_zero(w, pad);
		if (ctx[i].len > UINT32_MAX)
			return -1;
		wbuf_put_u32le(w, (uint32_t)ctx[i].len);
		wbuf_put_u32le(w, ctx[i].error_id);
		if (ctx[i].len > 0)
			wbuf_put_bytes(w, ctx[i].data, ctx[i].len);
	}
	if (wbuf_error(w) || wbuf_len(w) - start > UINT32_MAX)
		return -1;
	wbuf_set_u32le(w, count_off, (uint32_t)(wbuf_len(w) - start));
	return wbuf_error(w) ? -1 : 0;
}
