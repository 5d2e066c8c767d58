/*
 * The connection's write queue: answers waiting for the socket, written
 * with writev or, for a zero-copy READ, sendfile; reading stops while
 * too much waits ("max output queue").
 */
#include "config.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "aio.h"
#include "conf.h"
#include "log.h"
#include "ntstatus.h"
#include "sandbox.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_conn_int.h"
#include "util.h"

/*
 * Stop reading requests while a quarter of "max output queue" waits to
 * be written; drop the client when all of it does.
 */
#define SMB2_OUTQ_HIGH(c)	((c)->conf->g.max_output_queue / 4)

struct smb2_out *
smb2_out_new(size_t bodylen)
{
	struct smb2_out *o;

	o = xmalloc(sizeof(*o) + SMB2_OUT_HEADROOM + bodylen);
	o->len = SMB2_OUT_HEADROOM + bodylen;
	o->off = 0;
	o->file_fd = -1;
	o->file_off = 0;
	o->file_len = 0;
	return o;
}

void
smb2_out_free(struct smb2_out *o)
{
	if (o == NULL)
		return;
	if (o->file_fd != -1)
		close(o->file_fd);
	free(o);
}

/*
 * Send the file part of the first queued entry with sendfile(): the data
 * goes from the page cache to the socket without passing through here.
 * Returns 0 when it is all sent, 1 when the socket is full, -1 on error.
 */
static int
smb2_conn_sendfile(struct smb2_conn *c, struct smb2_out *o)
{
	off_t foff;
	ssize_t n;

	while (o->file_len > 0) {
		foff = (off_t)o->file_off;
		n = sendfile(c->fd, o->file_fd, &foff, o->file_len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -1;
		}
		if (n == 0) {
			/*
			 * The file shrank after its length went into the
			 * header: the frame cannot be completed honestly.
			 */
			log_warnx("%s: file shrank under a READ being sent",
			    c->peer);
			errno = EIO;
			return -1;
		}
		o->file_off += (uint64_t)n;
		o->file_len -= (size_t)n;
		c->outq_bytes -= (size_t)n;
		c->bytes_out += (uint64_t)n;
	}
	return 0;
}

/* Try to write what is queued; 0 when empty, 1 when more is left. */
int
smb2_conn_trywrite(struct smb2_conn *c)
{
	struct smb2_out *o;
	struct iovec iov[16];
	struct msghdr mh;
	ssize_t n;
	int cnt, r, more;

	while ((o = TAILQ_FIRST(&c->outq)) != NULL) {
		if (o->off == o->len && o->file_len > 0) {
			if ((r = smb2_conn_sendfile(c, o)) != 0)
				return r;
			TAILQ_REMOVE(&c->outq, o, entry);
			smb2_out_free(o);
			continue;
		}
		/* Gather memory up to and including the next file part. */
		cnt = 0;
		more = 0;
		TAILQ_FOREACH(o, &c->outq, entry) {
			if (cnt == (int)nitems(iov))
				break;
			iov[cnt].iov_base = o->data + o->off;
			iov[cnt].iov_len = o->len - o->off;
			cnt++;
			if (o->file_len > 0) {
				more = 1;
				break;
			}
		}
		/*
		 * A header whose data follows by sendfile() waits for that
		 * data (MSG_MORE), so that the two leave in full segments
		 * rather than as a tiny one held up by Nagle's algorithm.
		 */
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)cnt;
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
		if (n == -1 && errno == ENOTSOCK)
			n = writev(c->fd, iov, cnt);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -1;
		}
		c->outq_bytes -= (size_t)n;
		c->bytes_out += (uint64_t)n;
		while ((o = TAILQ_FIRST(&c->outq)) != NULL) {
			size_t left = o->len - o->off;

			if ((size_t)n < left) {
				o->off += (size_t)n;
				break;
			}
			n -= (ssize_t)left;
			o->off = o->len;
			if (o->file_len > 0)
				break;	/* its file part is next */
			TAILQ_REMOVE(&c->outq, o, entry);
			smb2_out_free(o);
			if (n == 0)
				break;
		}
	}
	return 0;
}

void
smb2_conn_writecb(evutil_socket_t fd, short what, void *arg)
{
	struct smb2_conn *c = arg;
	int r;

	if ((r = smb2_conn_trywrite(c)) == -1) {
		log_warn("%s: write", c->peer);
		smb2_conn_finish(c, "write error");
		return;
	}
	if (r == 1)
		return;
	event_del(c->ev_write);
	if (c->closing) {
		smb2_conn_finish(c, "closed");
		return;
	}
	if (c->reading_paused && !c->waiting) {
		c->reading_paused = 0;
		smb2_conn_read_again(c);
	}
}

int
smb2_conn_send(struct smb2_conn *c, const uint8_t *data, size_t len)
{
	struct smb2_out *o;

	if (c->fd == -1)
		return -1;
	if (len > 0xffffff) {
		log_warnx("%s: response of %zu bytes does not fit a frame",
		    c->peer, len);
		return -1;
	}
	o = smb2_out_new(len);
	o->data[0] = 0;
	o->data[1] = (uint8_t)(len >> 16);
	o->data[2] = (uint8_t)(len >> 8);
	o->data[3] = (uint8_t)len;
	memcpy(o->data + 4, data, len);
	o->len = 4 + len;
	return smb2_conn_queue(c, o);
}

/* Queue a framed entry (it is ours now) and write what the socket takes. */
int
smb2_conn_queue(struct smb2_conn *c, struct smb2_out *o)
{
	int r;

	if (c->fd == -1) {
		smb2_out_free(o);
		return -1;
	}
	TAILQ_INSERT_TAIL(&c->outq, o, entry);
	c->outq_bytes += o->len + o->file_len;
	if ((r = smb2_conn_trywrite(c)) == -1) {
		log_warn("%s: write", c->peer);
		smb2_conn_close(c, "write error");
		return -1;
	}
	if (r == 1) {
		/*
		 * Requests that went asynchronous and IO already under way
		 * still answer while reading is paused: a client that does
		 * not read them is dropped before they cost more.
		 */
		if (c->outq_bytes > c->conf->g.max_output_queue) {
			log_warnx("%s: %zu bytes of responses not read by the "
			    "client (max output queue); closing the connection",
			    c->peer, c->outq_bytes);
			/* Not a close that waits for the queue to drain. */
			c->closing = 1;
			smb2_conn_finish(c, "the client does not read its "
			    "responses");
			return -1;
		}
		event_add(c->ev_write, NULL);
		if (c->outq_bytes > SMB2_OUTQ_HIGH(c) && !c->reading_paused) {
			c->reading_paused = 1;
			event_del(c->ev_read);
		}
	}
	return 0;
}

int
smb2_conn_flush(struct smb2_conn *c)
{
	int fl, r;

	if ((fl = fcntl(c->fd, F_GETFL)) == -1 ||
	    fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		return -1;
	r = smb2_conn_trywrite(c);
	if (fcntl(c->fd, F_SETFL, fl) == -1)
		return -1;
	return r;
}
