/*
 * The SMB2 OPLOCK_BREAK messages (MS-SMB2 2.2.23.1, 2.2.24.1, 2.2.25.1):
 * a pure parser of the client's acknowledgment, used by the handler
 * (smb2_oplock.c) and the fuzz target smb2_oplock, and the encoder of
 * the notification and the response, which share one layout.
 */
#ifndef USMBD_OPLOCK_WIRE_H
#define USMBD_OPLOCK_WIRE_H

#include <stdint.h>

#include "buf.h"

/* RequestedOplockLevel and OplockLevel values (MS-SMB2 2.2.13). */
#define SMB2_OPLOCK_LEVEL_NONE		0x00
#define SMB2_OPLOCK_LEVEL_II		0x01
#define SMB2_OPLOCK_LEVEL_EXCLUSIVE	0x08
#define SMB2_OPLOCK_LEVEL_BATCH		0x09
#define SMB2_OPLOCK_LEVEL_LEASE		0xff

/* StructureSize of an oplock (not a lease) break message. */
#define SMB2_OPLOCK_BREAK_LEN		24

/* A parsed Oplock Break Acknowledgment. */
struct smb2_oplock_ack {
	uint8_t		 level;		/* the level the client keeps */
	uint8_t		 file_id[16];
};

/* 0, or -1 for a body that is not an oplock acknowledgment. */
int	 smb2_oplock_ack_parse(const struct rbuf *, struct smb2_oplock_ack *);
/* The body of a notification or of a response. */
void	 smb2_oplock_break_body(struct wbuf *, uint8_t, const uint8_t [16]);

#endif /* USMBD_OPLOCK_WIRE_H */
