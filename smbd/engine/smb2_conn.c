/*
 * The SMB2 connection engine shared by usmbd-preauth and usmbd-session:
 * read frames, decrypt, walk compound chains, check credits, sessions and
 * signatures, dispatch, and send signed or encrypted responses.
 *
 * Requests of one frame are worked through in order.  A handler that must
 * wait for another process (authd, lockd) returns SMB2_DEFER; the engine
 * then stops reading and resumes the same chain when the handler calls
 * smb2_conn_resume().  A handler waiting for disk IO parks the frame
 * instead (smb2_conn_park()): it is set aside, other frames are served,
 * and the chain goes on when the IO is done (smb2_conn_unpark()).
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


static void	smb2_conn_readcb(evutil_socket_t, short, void *);
static void	smb2_frame(struct smb2_conn *, uint8_t *, size_t);

/* Connections that read nothing until disk IO in flight drains. */
static TAILQ_HEAD(, smb2_conn) io_paused = TAILQ_HEAD_INITIALIZER(io_paused);

struct smb2_conn *
smb2_conn_new(struct event_base *base, int fd, const struct conf *conf,
    const struct smb2_cmd *cmds, int preauth)
{
	struct smb2_conn *c;

	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->base = base;
	c->conf = conf;
	c->cmds = cmds;
	c->preauth = preauth;
	c->exact_reads = preauth;
	TAILQ_INIT(&c->outq);
	TAILQ_INIT(&c->sessions);
	TAILQ_INIT(&c->asyncs);
	TAILQ_INIT(&c->parked);
	c->next_async_id = 1;
	smb_frame_rx_init(&c->rx, conf->g.max_message_size);
	if (fd_set_nonblock(fd) == -1)
		fatal("client socket");
	c->ev_read = event_new(base, fd, EV_READ | EV_PERSIST,
	    smb2_conn_readcb, c);
	c->ev_write = event_new(base, fd, EV_WRITE | EV_PERSIST,
	    smb2_conn_writecb, c);
	if (c->ev_read == NULL || c->ev_write == NULL)
		fatalx("connection events");
	c->max_read = conf->g.smb2_max_read;
	c->max_write = conf->g.smb2_max_write;
	c->max_trans = conf->g.smb2_max_trans;
	return c;
}

void
smb2_peer_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	const void *a;
	unsigned port;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1) {
		snprintf(buf, len, "(unknown)");
		return;
	}
	if (ss.ss_family == AF_INET6) {
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else {
		a = &((struct sockaddr_in *)&ss)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	inet_ntop(ss.ss_family, a, host, sizeof(host));
	snprintf(buf, len, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
	    host, port);
}

/*
 * Listen to the socket again, and do not forget frames that were read
 * ahead while the connection was busy: the socket will not announce them.
 */
void
smb2_conn_read_again(struct smb2_conn *c)
{
	if (c->io_paused)
		return;
	event_add(c->ev_read, NULL);
	if (smb_frame_rx_pending(&c->rx) > 0)
		event_active(c->ev_read, EV_READ, 0);
}

void
smb2_conn_start(struct smb2_conn *c)
{
	if (event_add(c->ev_read, NULL) == -1)
		fatalx("event_add");
}

void
smb2_conn_finish(struct smb2_conn *c, const char *why)
{
	event_del(c->ev_read);
	event_del(c->ev_write);
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	if (c->on_close != NULL)
		c->on_close(c, why);
}

void
smb2_conn_close(struct smb2_conn *c, const char *why)
{
	if (c->closing)
		return;
	c->closing = 1;
	log_info("%s: closing connection: %s", c->peer, why);
	event_del(c->ev_read);
	if (TAILQ_EMPTY(&c->outq)) {
		smb2_conn_finish(c, why);
		return;
	}
	/* The write callback finishes once the queue drains. */
	event_add(c->ev_write, NULL);
}

void
smb2_conn_free(struct smb2_conn *c)
{
	struct smb2_session *s;
	struct smb2_out *o;

	if (c == NULL)
		return;
	if (c->io_paused)
		TAILQ_REMOVE(&io_paused, c, io_entry);
	while ((s = TAILQ_FIRST(&c->sessions)) != NULL)
		smb2_session_free(c, s);
	while (!TAILQ_EMPTY(&c->parked))
		smb2_work_drop(c, TAILQ_FIRST(&c->parked));
	while ((o = TAILQ_FIRST(&c->outq)) != NULL) {
		TAILQ_REMOVE(&c->outq, o, entry);
		smb2_out_free(o);
	}
	if (c->work != NULL) {
		wbuf_free(&c->work->resp);
		wbuf_free(&c->work->body);
		free(c->work->frame);
		free(c->work);
	}
	smb_frame_rx_free(&c->rx);
	smb2_credits_free(&c->credits);
	event_free(c->ev_read);
	event_free(c->ev_write);
	if (c->ev_timer != NULL)
		event_free(c->ev_timer);
	if (c->fd != -1)
		close(c->fd);
	free(c);
}

void
smb2_conn_io_pause(struct smb2_conn *c)
{
	if (c->io_paused)
		return;
	c->io_paused = 1;
	event_del(c->ev_read);
	TAILQ_INSERT_TAIL(&io_paused, c, io_entry);
	log_debug("%s: disk IO in flight is at its bound: reading no new "
	    "requests until some completes", c->peer);
}

void
smb2_conn_io_resume(void)
{
	struct smb2_conn *c;

	while ((c = TAILQ_FIRST(&io_paused)) != NULL) {
		TAILQ_REMOVE(&io_paused, c, io_entry);
		c->io_paused = 0;
		if (!c->closing && !c->waiting && !c->reading_paused)
			smb2_conn_read_again(c);
	}
}

static void
smb2_conn_readcb(evutil_socket_t fd, short what, void *arg)
{
	struct smb2_conn *c = arg;
	uint8_t *frame;
	size_t len;
	const char *why;
	int r;

	/*
	 * Bounded work per wake-up, so one client cannot starve timers.
	 * Frames already read ahead do not make the socket readable again:
	 * when the batch ends with some left, come back for them at once.
	 */
	for (int i = 0;; i++) {
		if (c->closing || c->waiting || c->reading_paused ||
		    c->io_paused)
			return;
		if (i == 16) {
			if (smb_frame_rx_pending(&c->rx) > 0)
				event_active(c->ev_read, EV_READ, 0);
			return;
		}
		r = smb_frame_rx_read(&c->rx, c->fd, c->exact_reads, &frame,
		    &len, &why);
		switch (r) {
		case SMB_FRAME_NONE:
			return;
		case SMB_FRAME_MSG:
			smb2_frame(c, frame, len);
			break;
		case SMB_FRAME_NBSS_REQUEST:
			{
				/* NetBIOS session service: accept the call. */
				static const uint8_t ok[4] = { 0x82, 0, 0, 0 };
				struct smb2_out *o;

				o = smb2_out_new(0);
				memcpy(o->data, ok, 4);
				o->len = 4;
				TAILQ_INSERT_TAIL(&c->outq, o, entry);
				c->outq_bytes += 4;
				if (smb2_conn_trywrite(c) == 1)
					event_add(c->ev_write, NULL);
			}
			break;
		case SMB_FRAME_KEEPALIVE:
			break;
		case SMB_FRAME_EOF:
			smb2_conn_finish(c, "client closed the connection");
			return;
		default:
			smb2_conn_close(c, why != NULL ? why :
			    "malformed framing");
			return;
		}
	}
}

/* A frame from somewhere other than the socket: tests and fuzzing. */
void
smb2_conn_input(struct smb2_conn *c, uint8_t *frame, size_t len)
{
	smb2_frame(c, frame, len);
}

/*
 * A complete frame arrived: an SMB1 negotiate to upgrade, a transform to
 * decrypt, or SMB2 messages.
 */
static void
smb2_frame(struct smb2_conn *c, uint8_t *frame, size_t len)
{
	struct smb2_work *w;
	struct smb2_transform_hdr th;

	c->frames_in++;
	c->bytes_in += 4 + len;
	struct smb2_session *s;
	uint8_t *plain;
	size_t plainlen;
	uint64_t sid;

	if (len < 4) {
		smb2_conn_close(c, "message too short");
		return;
	}
#ifdef USMBD_REGRESS_HOOKS
	if (len >= 8 && memcmp(frame, "REGRESS!", 8) == 0) {
		smb2_regress_hook(c, frame + 8, len - 8);
		return;
	}
#endif
	if (len >= 4 && frame[0] == 0xff && frame[1] == 'S' &&
	    frame[2] == 'M' && frame[3] == 'B') {
		if (!c->preauth || c->negotiated) {
			smb2_conn_close(c, "SMB1 message after negotiation");
			return;
		}
		smb2_smb1_negotiate(c, frame, len);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	wbuf_init(&w->resp, c->conf->g.max_message_size + 4096);
	wbuf_init(&w->body, c->conf->g.max_message_size);
	w->prev_status = NT_STATUS_SUCCESS;

	if (len >= 4 && frame[0] == 0xfd && frame[1] == 'S' &&
	    frame[2] == 'M' && frame[3] == 'B') {
		if (smb2_transform_parse(frame, len, &th) == -1 ||
		    (s = smb2_session_find(c, th.session_id)) == NULL ||
		    s->dec == NULL) {
			free(w);
			smb2_conn_close(c, "undecryptable message");
			return;
		}
		plain = xmalloc(len);
		if (smb2_decrypt(s->dec, frame, len, plain, &plainlen,
		    &sid) == -1 || plainlen < SMB2_HDR_LEN ||
		    plain[0] != 0xfe) {
			free(plain);
			wbuf_free(&w->resp);
			wbuf_free(&w->body);
			free(w);
			smb2_conn_close(c, "decryption failed");
			return;
		}
		w->frame = plain;
		w->framelen = plainlen;
		w->encrypted = 1;
		w->enc_sess = s;
	} else if (len >= 65536 && frame == c->rx.buf) {
		size_t n;

		/*
		 * A large frame (a WRITE) is taken from the receive buffer
		 * rather than copied: its data is written from where the
		 * socket put it.
		 */
		w->frame = smb_frame_rx_steal(&c->rx, &n);
		w->framelen = len;
	} else {
		w->frame = xmalloc(len);
		memcpy(w->frame, frame, len);
		w->framelen = len;
	}
	c->work = w;
	event_del(c->ev_read);
	smb2_work_run(c);
}
