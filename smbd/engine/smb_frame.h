/*
 * Transport framing of SMB2 messages: Direct TCP (MS-SMB2 2.2.1, 2.1: a
 * zero byte and a 24-bit big-endian length before every message) and the
 * NetBIOS session service of port 139 (RFC 1002 4.3), whose session
 * message has the same four-byte header.
 *
 * struct smb_frame_rx reassembles frames from a byte stream.  It reads
 * the four header bytes, then exactly the announced length straight into
 * the frame buffer, so a message is never copied on its way in and memory
 * is bounded by the configured maximum.  The buffer is allocated to the
 * size of each message (not to the maximum) and reused.
 *
 * Two ways to drive it:
 *  - smb_frame_rx_want() says where the next bytes go and how many are
 *    wanted at most; after writing n bytes there, smb_frame_rx_commit(n)
 *    reports what completed.  smb_frame_rx_read() does this with read(2)
 *    on a nonblocking socket.
 *  - smb_frame_rx_feed() copies from a caller's buffer (tests, fuzzing,
 *    data that was already read).
 * A completed frame stays valid until the next call on the reassembler.
 */
#ifndef USMBD_SMB_FRAME_H
#define USMBD_SMB_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* What a call produced. */
#define SMB_FRAME_NONE		0	/* need more bytes */
#define SMB_FRAME_MSG		1	/* *frame, *len: one SMB message */
#define SMB_FRAME_NBSS_REQUEST	2	/* answer with 0x82 0 0 0 */
#define SMB_FRAME_KEEPALIVE	3	/* NBSS keepalive: ignore */
#define SMB_FRAME_EOF		4	/* orderly close between frames */
#define SMB_FRAME_ERROR		(-1)	/* framing error, *why says which */
#define SMB_FRAME_TOOBIG	(-2)	/* length above the maximum */

/* NetBIOS session service packet types (RFC 1002 4.3.1). */
#define NBSS_SESSION_MESSAGE		0x00
#define NBSS_SESSION_REQUEST		0x81
#define NBSS_POSITIVE_RESPONSE		0x82
#define NBSS_NEGATIVE_RESPONSE		0x83
#define NBSS_RETARGET_RESPONSE		0x84
#define NBSS_SESSION_KEEPALIVE		0x85

#define SMB_FRAME_HDR_LEN		4
/* Direct TCP lengths are 24 bits. */
#define SMB_FRAME_MAX_LEN		0x00ffffffU
/*
 * A SESSION REQUEST carries two encoded NetBIOS names (at most 255 bytes
 * each as RFC 1002 allows); anything longer is not one.
 */
#define SMB_FRAME_NBSS_MAX		512

struct smb_frame_rx {
	size_t		 max;		/* largest message accepted */
	uint8_t		 hdr[SMB_FRAME_HDR_LEN];
	size_t		 hdr_have;	/* header bytes so far */
	uint8_t		 type;		/* of the frame being read */
	size_t		 len;		/* its payload length */
	size_t		 have;		/* payload bytes so far */
	uint8_t		*buf;		/* payload */
	size_t		 cap;
	int		 in_frame;	/* header complete, payload pending */
	int		 done;		/* a completed frame is held */
	uint64_t	 nmsgs;		/* SMB messages seen */
	int		 failed;	/* sticky after an error */
	const char	*why;
	/* Read-ahead for smb_frame_rx_read() when exact reads are off. */
	uint8_t		*ahead;
	size_t		 ahead_len, ahead_off;
};

void		 smb_frame_rx_init(struct smb_frame_rx *, size_t max);
/* Free the buffers (wiped: they held message bytes) and reset. */
void		 smb_frame_rx_free(struct smb_frame_rx *);

/*
 * Where to write the next bytes and how many at most (*n, never 0).
 * Returns NULL after an error.
 */
uint8_t		*smb_frame_rx_want(struct smb_frame_rx *, size_t *n);
/*
 * n bytes were written where smb_frame_rx_want() said.  Returns
 * SMB_FRAME_NONE until a frame completes, then its type (with *frame and
 * *len for SMB_FRAME_MSG), or an error with *why set.
 */
int		 smb_frame_rx_commit(struct smb_frame_rx *, size_t n,
		    uint8_t **frame, size_t *len, const char **why);
/*
 * Copy from data until a frame completes or data runs out; *used says how
 * much was taken.  Returns like smb_frame_rx_commit().
 */
int		 smb_frame_rx_feed(struct smb_frame_rx *, const uint8_t *data,
		    size_t datalen, size_t *used, uint8_t **frame, size_t *len,
		    const char **why);
/*
 * Read from a nonblocking socket until a frame completes or the socket
 * has nothing more (SMB_FRAME_NONE).  With exact set it never reads a
 * byte past the end of a frame (for a socket that is handed to another
 * process later); otherwise small frames are read in bulk through a
 * read-ahead buffer and large payloads straight into the frame buffer.
 * End of file inside a frame is an error; between frames SMB_FRAME_EOF.
 */
int		 smb_frame_rx_read(struct smb_frame_rx *, int fd, int exact,
		    uint8_t **frame, size_t *len, const char **why);
/*
 * Take ownership of the last SMB_FRAME_MSG buffer (free() it later); the
 * reassembler allocates a new one for the next frame.  Avoids a copy for
 * callers that keep a frame past the next call.
 */
uint8_t		*smb_frame_rx_steal(struct smb_frame_rx *, size_t *len);
/* Bytes read ahead and not yet consumed (must be 0 before a handoff). */
size_t		 smb_frame_rx_pending(const struct smb_frame_rx *);

#endif /* USMBD_SMB_FRAME_H */
