/*
 * IOCTL / FSCTL dispatch of the session worker.
 */
#ifndef USMBD_SMB2_IOCTL_H
#define USMBD_SMB2_IOCTL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct smb2_conn;
struct smb2_req;

struct rbuf;
struct smb2_open;
struct wbuf;

/* A parsed IOCTL request (MS-SMB2 2.2.31). */
struct smb2_ioctl_req {
	uint32_t	ctl_code;
	uint8_t		file_id[16];
	struct rbuf	input;
	uint32_t	max_input_response;
	uint32_t	max_output_response;
	uint32_t	flags;
};

uint32_t	smb2_cmd_ioctl(struct smb2_conn *, struct smb2_req *);
/* Put the IOCTL response with this output in out (which it resets). */
void		smb2_ioctl_body(struct wbuf *, const struct smb2_ioctl_req *,
		    const void *, size_t);
/* smb2_pipe.c */
uint32_t	smb2_pipe_transceive(struct smb2_open *, struct rbuf *,
		    uint32_t, struct wbuf *);

#endif /* USMBD_SMB2_IOCTL_H */
