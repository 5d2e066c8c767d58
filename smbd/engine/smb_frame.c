/*
 * Direct TCP and NetBIOS session service framing of SMB messages
 * (MS-SMB2 2.1, RFC 1002 4.3): a reassembler that reads each payload
 * straight into its frame buffer.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "smb_frame.h"

/* Frames at least this large are read without the read-ahead buffer. */
#define SMB_FRAME_AHEAD		(16 * 1024)
/* Smallest frame buffer; and above this a mostly idle buffer shrinks. */
#define SMB_FRAME_MINBUF	4096
#define SMB_FRAME_KEEPBUF	(1024 * 1024)

void
smb_frame_rx_init(struct smb_frame_rx *rx, size_t max)
{
	memset(rx, 0, sizeof(*rx));
	if (max > SMB_FRAME_MAX_LEN)
		max = SMB_FRAME_MAX_LEN;
	rx->max = max;
}

void
smb_frame_rx_free(struct smb_frame_rx *rx)
{
	size_t max = rx->max;

	if (rx->buf != NULL) {
		explicit_bzero(rx->buf, rx->cap);
		free(rx->buf);
	}
	if (rx->ahead != NULL) {
		explicit_bzero(rx->ahead, SMB_FRAME_AHEAD);
		free(rx->ahead);
	}
	smb_frame_rx_init(rx, max);
}

static int
smb_frame_fail(struct smb_frame_rx *rx, int code, const char *why)
{
	rx->failed = code;
	rx->why = why;
	return code;
}

/* Start the next frame after one was returned. */
static void
smb_frame_next(struct smb_frame_rx *rx)
{
	if (!rx->done)
		return;
	rx->done = 0;
	rx->in_frame = 0;
	rx->hdr_have = 0;
	rx->len = 0;
	rx->have = 0;
}

/* Make the payload buffer hold rx->len bytes. */
static int
smb_frame_alloc(struct smb_frame_rx *rx)
{
	size_t want = rx->len < SMB_FRAME_MINBUF ? SMB_FRAME_MINBUF : rx->len;
	uint8_t *p;

	/*
	 * Grow as needed; give back a large buffer once frames are small
	 * again, so that one big WRITE does not pin its size for the life of
	 * the connection.
	 */
	if (rx->buf != NULL && rx->cap >= want &&
	    !(rx->cap > SMB_FRAME_KEEPBUF && want < rx->cap / 4))
		return 0;
	if ((p = malloc(want)) == NULL)
		return -1;
	if (rx->buf != NULL) {
		explicit_bzero(rx->buf, rx->cap);
		free(rx->buf);
	}
	rx->buf = p;
	rx->cap = want;
	return 0;
}

/* The four header bytes are in: decide what follows. */
static int
smb_frame_header(struct smb_frame_rx *rx)
{
	struct rbuf r;
	uint32_t word;

	/* One byte of type, then a 24-bit big-endian length. */
	rbuf_init(&r, rx->hdr, sizeof(rx->hdr));
	rbuf_get_u32be(&r, &word);
	rx->type = (uint8_t)(word >> 24);
	rx->len = word & 0xffffff;
	rx->have = 0;

	switch (rx->type) {
	case NBSS_SESSION_MESSAGE:
		if (rx->len == 0)
			return smb_frame_fail(rx, SMB_FRAME_ERROR,
			    "empty session message");
		if (rx->len > rx->max)
			return smb_frame_fail(rx, SMB_FRAME_TOOBIG,
			    "message larger than the maximum");
		break;
	case NBSS_SESSION_REQUEST:
		/* Port 139 starts with one; SMB traffic has not. */
		if (rx->nmsgs > 0)
			return smb_frame_fail(rx, SMB_FRAME_ERROR,
			    "NetBIOS session request after SMB messages");
		if (rx->len == 0 || rx->len > SMB_FRAME_NBSS_MAX)
			return smb_frame_fail(rx, SMB_FRAME_ERROR,
			    "malformed NetBIOS session request");
		break;
	case NBSS_SESSION_KEEPALIVE:
		if (rx->len != 0)
			return smb_frame_fail(rx, SMB_FRAME_ERROR,
			    "NetBIOS keepalive with a payload");
		rx->done = 1;
		return SMB_FRAME_KEEPALIVE;
	default:
		return smb_frame_fail(rx, SMB_FRAME_ERROR,
		    "not an SMB frame (bad NetBIOS packet type)");
	}
	if (smb_frame_alloc(rx) == -1)
		return smb_frame_fail(rx, SMB_FRAME_ERROR,
		    "out of memory for a frame");
	rx->in_frame = 1;
	return SMB_FRAME_NONE;
}

uint8_t *
smb_frame_rx_want(struct smb_frame_rx *rx, size_t *n)
{
	if (rx->failed) {
		*n = 0;
		return NULL;
	}
	smb_frame_next(rx);
	if (!rx->in_frame) {
		*n = SMB_FRAME_HDR_LEN - rx->hdr_have;
		return rx->hdr + rx->hdr_have;
	}
	*n = rx->len - rx->have;
	return rx->buf + rx->have;
}

int
smb_frame_rx_commit(struct smb_frame_rx *rx, size_t n, uint8_t **frame,
    size_t *len, const char **why)
{
	int r = SMB_FRAME_NONE;

	*frame = NULL;
	*len = 0;
	*why = NULL;
	if (rx->failed) {
		*why = rx->why;
		return rx->failed;
	}
	smb_frame_next(rx);
	if (!rx->in_frame) {
		if (n > SMB_FRAME_HDR_LEN - rx->hdr_have)
			r = smb_frame_fail(rx, SMB_FRAME_ERROR,
			    "framing: more bytes than wanted");
		else if ((rx->hdr_have += n) == SMB_FRAME_HDR_LEN)
			r = smb_frame_header(rx);
	} else if (n > rx->len - rx->have)
		r = smb_frame_fail(rx, SMB_FRAME_ERROR,
		    "framing: more bytes than wanted");
	else if ((rx->have += n) == rx->len) {
		rx->done = 1;
		if (rx->type == NBSS_SESSION_REQUEST)
			r = SMB_FRAME_NBSS_REQUEST;
		else {
			rx->nmsgs++;
			*frame = rx->buf;
			*len = rx->len;
			r = SMB_FRAME_MSG;
		}
	}
	if (r < 0)
		*why = rx->why;
	return r;
}

int
smb_frame_rx_feed(struct smb_frame_rx *rx, const uint8_t *data,
    size_t datalen, size_t *used, uint8_t **frame, size_t *len,
    const char **why)
{
	size_t off = 0, n;
	uint8_t *p;
	int r;

	*used = 0;
	*frame = NULL;
	*len = 0;
	*why = NULL;
	while (off < datalen) {
		if ((p = smb_frame_rx_want(rx, &n)) == NULL) {
			*why = rx->why;
			return rx->failed;
		}
		if (n > datalen - off)
			n = datalen - off;
		memcpy(p, data + off, n);
		off += n;
		r = smb_frame_rx_commit(rx, n, frame, len, why);
		if (r != SMB_FRAME_NONE) {
			*used = off;
			return r;
		}
	}
	*used = off;
	return rx->failed ? rx->failed : SMB_FRAME_NONE;
}

/* Between two frames: an end of file here is an orderly close. */
static int
smb_frame_between(const struct smb_frame_rx *rx)
{
	return rx->done || (!rx->in_frame && rx->hdr_have == 0);
}

int
smb_frame_rx_read(struct smb_frame_rx *rx, int fd, int exact,
    uint8_t **frame, size_t *len, const char **why)
{
	size_t n, used;
	uint8_t *p;
	ssize_t got;
	int r, to_ahead;

	*frame = NULL;
	*len = 0;
	*why = NULL;
	for (;;) {
		/* Bytes read ahead earlier come first. */
		if (rx->ahead_off < rx->ahead_len) {
			r = smb_frame_rx_feed(rx, rx->ahead + rx->ahead_off,
			    rx->ahead_len - rx->ahead_off, &used, frame, len,
			    why);
			rx->ahead_off += used;
			if (rx->ahead_off == rx->ahead_len)
				rx->ahead_off = rx->ahead_len = 0;
			if (r != SMB_FRAME_NONE)
				return r;
			continue;
		}
		if ((p = smb_frame_rx_want(rx, &n)) == NULL) {
			*why = rx->why;
			return rx->failed;
		}
		to_ahead = !exact && n < SMB_FRAME_AHEAD;
		if (to_ahead && rx->ahead == NULL &&
		    (rx->ahead = malloc(SMB_FRAME_AHEAD)) == NULL)
			to_ahead = 0;
		if (to_ahead)
			got = read(fd, rx->ahead, SMB_FRAME_AHEAD);
		else
			got = read(fd, p, n);
		if (got == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return SMB_FRAME_NONE;
			*why = errno == ECONNRESET ?
			    "connection reset by peer" : "read error";
			return smb_frame_fail(rx, SMB_FRAME_ERROR, *why);
		}
		if (got == 0) {
			if (smb_frame_between(rx))
				return SMB_FRAME_EOF;
			*why = "connection closed inside a frame";
			return smb_frame_fail(rx, SMB_FRAME_ERROR, *why);
		}
		if (to_ahead) {
			rx->ahead_off = 0;
			rx->ahead_len = (size_t)got;
			continue;
		}
		r = smb_frame_rx_commit(rx, (size_t)got, frame, len, why);
		if (r != SMB_FRAME_NONE)
			return r;
	}
}

uint8_t *
smb_frame_rx_steal(struct smb_frame_rx *rx, size_t *len)
{
	uint8_t *p;

	*len = 0;
	if (!rx->done || rx->type != NBSS_SESSION_MESSAGE || rx->buf == NULL)
		return NULL;
	p = rx->buf;
	*len = rx->len;
	rx->buf = NULL;
	rx->cap = 0;
	return p;
}

size_t
smb_frame_rx_pending(const struct smb_frame_rx *rx)
{
	return rx->ahead_len - rx->ahead_off;
}
