/*
 * IOCTL / FSCTL dispatch of the session worker.
 */
#ifndef USMBD_SMB2_IOCTL_H
#define USMBD_SMB2_IOCTL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "reply_wire.h"

struct smb2_conn;
struct smb2_req;

struct rbuf;
struct smb2_open;
struct wbuf;

/* A parsed IOCTL request (MS-SMB2 2.2.31). */

uint32_t	smb2_cmd_ioctl(struct smb2_conn *, struct smb2_req *);
/* smb2_pipe.c */
uint32_t	smb2_pipe_transceive(struct smb2_open *, struct rbuf *,
		    uint32_t, struct wbuf *);

#endif /* USMBD_SMB2_IOCTL_H */
