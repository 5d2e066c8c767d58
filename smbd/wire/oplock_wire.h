/*
 * The SMB2 OPLOCK_BREAK messages (MS-SMB2 2.2.23.1, 2.2.24.1, 2.2.25.1):
 * a pure parser of the client's acknowledgment, used by the handler
 * (smb2_oplock.c) and the fuzz target smb2_oplock, and the encoder of
 * the notification and the response, which share one layout.
 *
 * Leases (MS-SMB2 2.2.13.2.8, 2.2.13.2.10, 2.2.14.2.10, 2.2.14.2.11,
 * 2.2.23.2, 2.2.24.2, 2.2.25.2): the parsers of the lease create
 * context and of the lease break acknowledgment (fuzz target
 * smb2_lease), and the encoders of the response context, the lease
 * break notification and the acknowledgment's response.
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

/* StructureSize of a lease break notification, and of its ack. */
#define SMB2_LEASE_BREAK_LEN		44
#define SMB2_LEASE_ACK_LEN		36

/* DataLength of the lease create contexts, v1 and v2. */
#define SMB2_LEASE_V1_LEN		32
#define SMB2_LEASE_V2_LEN		52

#define SMB2_LEASE_R			0x01
#define SMB2_LEASE_H			0x02
#define SMB2_LEASE_W			0x04
#define SMB2_LEASE_STATES		0x07

/* LeaseFlags (MS-SMB2 2.2.13.2.10, 2.2.14.2.10). */
#define SMB2_LEASE_FLAG_BREAK_IN_PROGRESS	0x00000002
#define SMB2_LEASE_FLAG_PARENT_KEY_SET		0x00000004
/* Flags of a lease break notification (MS-SMB2 2.2.23.2). */
#define SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED 0x00000001

/* A lease create context as the client sent it. */
struct smb2_lease_req {
	int		 version;	/* 1 or 2 */
	uint8_t		 key[16];
	uint32_t	 state;		/* only R, H and W are kept */
	uint32_t	 flags;
	uint8_t		 parent[16];	/* v2 */
	uint16_t	 epoch;		/* v2 */
};

/*
 * The data of an RqLs context: 32 bytes are v1, 52 bytes v2 where the
 * dialect allows it (SMB 3.x, MS-SMB2 3.3.5.9.11; else the first 32
 * bytes are taken as v1).  0, or -1 for any other length.
 */
int	 smb2_lease_ctx_parse(const struct rbuf *, int v2_allowed,
	    struct smb2_lease_req *);
/* The data of the RqLs response context, of l's version. */
void	 smb2_lease_ctx_body(struct wbuf *, const struct smb2_lease_req *);

/* A parsed Lease Break Acknowledgment. */
struct smb2_lease_ack {
	uint32_t	 flags;
	uint8_t		 key[16];
	uint32_t	 state;
	uint64_t	 duration;
};

/* 0, or -1 for a body that is not a lease acknowledgment. */
int	 smb2_lease_ack_parse(const struct rbuf *, struct smb2_lease_ack *);
/* The body of the Lease Break Response. */
void	 smb2_lease_ack_body(struct wbuf *, const uint8_t [16], uint32_t);
/* The body of a Lease Break Notification. */
void	 smb2_lease_break_body(struct wbuf *, uint16_t epoch,
	    uint32_t flags, const uint8_t [16], uint32_t current,
	    uint32_t next);

#endif /* USMBD_OPLOCK_WIRE_H */
