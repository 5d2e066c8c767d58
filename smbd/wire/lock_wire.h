/*
 * The SMB2 LOCK request (MS-SMB2 2.2.26): a pure parser, used by the
 * handler (smb2_lock.c) and the fuzz target smb2_lock.
 */
#ifndef USMBD_LOCK_WIRE_H
#define USMBD_LOCK_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SMB2_LOCKFLAG_SHARED_LOCK	0x00000001
#define SMB2_LOCKFLAG_EXCLUSIVE_LOCK	0x00000002
#define SMB2_LOCKFLAG_UNLOCK		0x00000004
#define SMB2_LOCKFLAG_FAIL_IMMEDIATELY	0x00000010

#define SMB2_LOCK_ELEMENT_LEN		24

/* A parsed LOCK request; the elements stay in the message. */
struct smb2_lock_req {
	uint16_t	 count;
	uint32_t	 sequence;	/* LockSequenceNumber/Index */
	uint8_t		 file_id[16];
	struct rbuf	 elems;		/* count elements, 24 bytes */
};

struct smb2_lock_elem {
	uint64_t	 off;
	uint64_t	 len;
	uint32_t	 flags;
};

/* smb2_lock_wire.c: 0, or -1 for a body too short for what it says. */
int	 smb2_lock_parse(const struct rbuf *, struct smb2_lock_req *);
void	 smb2_lock_elem_get(const struct smb2_lock_req *, size_t,
	    struct smb2_lock_elem *);

#endif /* USMBD_LOCK_WIRE_H */
