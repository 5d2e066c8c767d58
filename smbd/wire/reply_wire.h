/*
 * Encoders of SMB2 response bodies that more than one handler writes.
 */
#ifndef USMBD_REPLY_WIRE_H
#define USMBD_REPLY_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct wbuf;

/* The fixed fields of an IOCTL request (MS-SMB2 2.2.31). */
struct smb2_ioctl_req {
	uint32_t	ctl_code;
	uint8_t		file_id[16];
	struct rbuf	input;
	uint32_t	max_input_response;
	uint32_t	max_output_response;
	uint32_t	flags;
};

/*
 * The fixed part of a READ response whose data (datalen bytes) follows
 * it at once (MS-SMB2 2.2.20); DataLength is at offset 4 for later.
 */
void	smb2_read_reply(struct wbuf *, uint32_t);
/* The body of a WRITE response that wrote count bytes (MS-SMB2 2.2.22). */
void	smb2_write_reply(struct wbuf *, uint32_t);
/* The body of a FLUSH response (MS-SMB2 2.2.18). */
void	smb2_flush_reply(struct wbuf *);
/* A QUERY_INFO response body around the data (MS-SMB2 2.2.38). */
void	smb2_query_info_body(struct wbuf *, const struct wbuf *);
/* The IOCTL response: fixed part, then the output (MS-SMB2 2.2.32). */
void	smb2_ioctl_body(struct wbuf *, const struct smb2_ioctl_req *,
	    const void *, size_t);

#endif /* USMBD_REPLY_WIRE_H */
