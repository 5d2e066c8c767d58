/*
 * The 64-byte SMB2 header (MS-SMB2 2.2.1) and the ERROR response body
 * (MS-SMB2 2.2.2): parsing and building through shared/buf.h.
 */
#ifndef USMBD_SMB2_HDR_H
#define USMBD_SMB2_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SMB2_HEADER_SIZE	64

/*
 * One header, sync or async.  With SMB2_FLAGS_ASYNC_COMMAND in flags the
 * wire carries async_id where the sync form has process_id (Reserved) and
 * tree_id; the other form's fields are zero after parsing and ignored when
 * building.  In requests of the 3.x dialects "status" holds ChannelSequence
 * (low 16 bits) and Reserved.
 */
struct smb2_hdr {
	uint16_t	 credit_charge;
	uint32_t	 status;
	uint16_t	 command;
	uint16_t	 credits;	/* CreditRequest / CreditResponse */
	uint32_t	 flags;
	uint32_t	 next_command;
	uint64_t	 message_id;
	uint64_t	 async_id;
	uint32_t	 process_id;
	uint32_t	 tree_id;
	uint64_t	 session_id;
	uint8_t		 signature[16];
};

/*
 * Read a header at the cursor and advance past it.  Checks the ProtocolId
 * (0xFE 'S' 'M' 'B') and StructureSize (64); returns -1 when the bytes are
 * short or wrong (the cursor is then unspecified).
 */
int		 smb2_hdr_parse(struct rbuf *, struct smb2_hdr *);
/* Append the 64 header bytes. */
int		 smb2_hdr_build(struct wbuf *, const struct smb2_hdr *);

/* "NEGOTIATE", "CREATE", ... or "UNKNOWN" for logs. */
const char	*smb2_command_name(uint16_t);

/*
 * One 3.1.1 error context (MS-SMB2 2.2.2.1): ErrorId and its data.
 */
struct smb2_error_ctx {
	uint32_t	 error_id;
	const uint8_t	*data;
	size_t		 len;
};

/*
 * Append an ERROR response body (MS-SMB2 2.2.2): StructureSize 9,
 * ErrorContextCount 0, ByteCount len and ErrorData, which is one zero
 * byte when len is 0 (the 9 counts it).
 */
int		 smb2_error_build(struct wbuf *, const uint8_t *, size_t);
/*
 * The same with 3.1.1 error contexts as ErrorData: each context is
 * ErrorDataLength, ErrorId and its data, padded to 8 bytes from the start
 * of the ErrorData.
 */
int		 smb2_error_build_ctx(struct wbuf *,
		    const struct smb2_error_ctx *, size_t);

#endif /* USMBD_SMB2_HDR_H */
