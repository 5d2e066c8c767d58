/*
 * IOCTL (MS-SMB2 2.2.31, 2.2.32, 3.3.5.15).
 */
#include "config.h"

#include <string.h>

#include "log.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_fsctl.h"
#include "smb2_ioctl.h"
#include "smb2_tree.h"
#include "util.h"

#define SMB2_0_IOCTL_IS_FSCTL		0x00000001
#define FSCTL_VALIDATE_NEGOTIATE_INFO	0x00140204
#define FSCTL_DFS_GET_REFERRALS		0x00060194
#define FSCTL_DFS_GET_REFERRALS_EX	0x000601b0
#define FSCTL_PIPE_TRANSCEIVE		0x0011c017
#define FSCTL_PIPE_WAIT			0x00110018

static uint32_t
smb2_ioctl_validate_negotiate(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	struct wbuf resp;
	uint32_t st;

	/*
	 * MS-SMB2 3.3.5.15.12: only over a signed request; any mismatch
	 * means a man in the middle changed the NEGOTIATE, and the
	 * connection ends.
	 */
	if (!req->was_signed && !req->was_encrypted) {
		log_warnx("%s: unsigned VALIDATE_NEGOTIATE_INFO", c->peer);
		req->drop = 1;
		return NT_STATUS_ACCESS_DENIED;
	}
	wbuf_init(&resp, 64);
	st = smb2_validate_negotiate(&c->ncfg, &c->nres, &io->input, &resp);
	if (st != NT_STATUS_SUCCESS) {
		log_warnx("%s: VALIDATE_NEGOTIATE_INFO does not match what "
		    "was negotiated; dropping the connection", c->peer);
		wbuf_free(&resp);
		req->drop = 1;
		return NT_STATUS_ACCESS_DENIED;
	}
	if (io->max_output_response < wbuf_len(&resp)) {
		wbuf_free(&resp);
		return NT_STATUS_INVALID_PARAMETER;
	}
	smb2_ioctl_body(req->out, io, wbuf_data(&resp), wbuf_len(&resp));
	wbuf_free(&resp);
	return NT_STATUS_SUCCESS;
}

static uint32_t
smb2_ioctl_transceive(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_ioctl_req *io)
{
	struct smb2_open *o;
	struct wbuf out;
	uint32_t st;

	if ((o = smb2_open_lookup(c, req, io->file_id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	if (o->pipe == NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	wbuf_init(&out, (size_t)io->max_output_response + 1);
	st = smb2_pipe_transceive(o, &io->input, io->max_output_response,
	    &out);
	if (st == NT_STATUS_SUCCESS || st == NT_STATUS_BUFFER_OVERFLOW)
		smb2_ioctl_body(req->out, io, wbuf_data(&out), wbuf_len(&out));
	wbuf_free(&out);
	return st;
}

uint32_t
smb2_cmd_ioctl(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_ioctl_req io;
	struct rbuf r = req->body;
	uint16_t ssize, reserved;
	uint32_t ioff, icount, ooff, ocount, reserved2;

	memset(&io, 0, sizeof(io));
	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u16le(&r, &reserved);
	rbuf_get_u32le(&r, &io.ctl_code);
	rbuf_get_bytes(&r, io.file_id, 16);
	rbuf_get_u32le(&r, &ioff);
	rbuf_get_u32le(&r, &icount);
	rbuf_get_u32le(&r, &io.max_input_response);
	rbuf_get_u32le(&r, &ooff);
	rbuf_get_u32le(&r, &ocount);
	rbuf_get_u32le(&r, &io.max_output_response);
	rbuf_get_u32le(&r, &io.flags);
	rbuf_get_u32le(&r, &reserved2);
	if (rbuf_error(&r))
		return NT_STATUS_INVALID_PARAMETER;
	if (icount > 0) {
		if (rbuf_sub(&req->msg, ioff, icount, &io.input) == -1)
			return NT_STATUS_INVALID_PARAMETER;
	} else
		rbuf_init(&io.input, NULL, 0);
	if (io.max_output_response > c->max_trans ||
	    io.max_input_response > c->max_trans)
		return NT_STATUS_INVALID_PARAMETER;
	if (!(io.flags & SMB2_0_IOCTL_IS_FSCTL))
		return NT_STATUS_NOT_SUPPORTED;

	switch (io.ctl_code) {
	case FSCTL_VALIDATE_NEGOTIATE_INFO:
		return smb2_ioctl_validate_negotiate(c, req, &io);
	case FSCTL_DFS_GET_REFERRALS:
	case FSCTL_DFS_GET_REFERRALS_EX:
		/* Not a DFS server. */
		return NT_STATUS_NOT_FOUND;
	case FSCTL_PIPE_TRANSCEIVE:
		return smb2_ioctl_transceive(c, req, &io);
	case FSCTL_PIPE_WAIT:
		/* Our pipes are always available. */
		if (!req->tree->ipc)
			return NT_STATUS_INVALID_DEVICE_REQUEST;
		smb2_ioctl_body(req->out, &io, NULL, 0);
		return NT_STATUS_SUCCESS;
	default:
		/* The file-system controls live in smb2_fsctl.c. */
		return smb2_fsctl(c, req, &io);
	}
}
