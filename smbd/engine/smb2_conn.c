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
#include "util.h"

/*
 * Stop reading requests while a quarter of "max output queue" waits to
 * be written; drop the client when all of it does.
 */
#define SMB2_OUTQ_HIGH(c)	((c)->conf->g.max_output_queue / 4)

static void	smb2_conn_readcb(evutil_socket_t, short, void *);
static int	smb2_conn_queue(struct smb2_conn *, struct smb2_out *);
static void	smb2_conn_writecb(evutil_socket_t, short, void *);
static void	smb2_work_run(struct smb2_conn *);
static void	smb2_conn_reap_sessions(struct smb2_conn *);
static void	smb2_frame(struct smb2_conn *, uint8_t *, size_t);
static int	smb2_resp_signs(struct smb2_conn *, struct smb2_work *,
		    struct smb2_req *);
static void	smb2_work_drop(struct smb2_conn *, struct smb2_work *);
static void	smb2_work_session_ends(struct smb2_conn *, struct smb2_work *,
		    struct smb2_session *);
static void	smb2_conn_run_parked(struct smb2_conn *);

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
static void
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

static void
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
	}
	return 0;
}

/* Try to write what is queued; 0 when empty, 1 when more is left. */
static int
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

static void
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
static int
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

struct smb2_session *
smb2_session_find(struct smb2_conn *c, uint64_t id)
{
	struct smb2_session *s;

	TAILQ_FOREACH(s, &c->sessions, entry)
		if (s->id == id)
			return s;
	return NULL;
}

struct smb2_session *
smb2_session_new(struct smb2_conn *c)
{
	struct smb2_session *s;
	uint64_t id;

	/*
	 * Session ids are unpredictable and never 0, so that a client
	 * cannot guess another connection's sessions (binding one needs its
	 * key besides).  They fit in 32 bits as Samba's do: clients that
	 * keep a session id in 32 bits exist (smb2.session-id does).
	 */
	do {
		id = arc4random();
	} while (id == 0 || smb2_session_find(c, id));
	s = xcalloc(1, sizeof(*s));
	s->id = id;
	s->state = SESS_IN_PROGRESS;
	TAILQ_INIT(&s->trees);
	s->next_tree_id = 1;
	memcpy(s->preauth_hash, c->preauth_hash, sizeof(s->preauth_hash));
	TAILQ_INSERT_TAIL(&c->sessions, s, entry);
	return s;
}

void
smb2_session_free(struct smb2_conn *c, struct smb2_session *s)
{
	struct smb2_work *w, *next;

	smb2_async_cancel_session(c, s);
	for (w = TAILQ_FIRST(&c->parked); w != NULL; w = next) {
		next = TAILQ_NEXT(w, park_entry);
		smb2_work_session_ends(c, w, s);
	}
	TAILQ_REMOVE(&c->sessions, s, entry);
	smb2_tree_free_all(s);
	smb2_signer_free(s->signer);
	smb2_cryptor_free(s->enc);
	smb2_cryptor_free(s->dec);
	explicit_bzero(s, sizeof(*s));
	free(s);
}

int
smb2_session_setup_keys(struct smb2_conn *c, struct smb2_session *s)
{
	enum smb2_cipher cipher = c->nres.cipher;
	enum smb2_signalg alg;
	uint16_t d = c->nres.dialect;

	if (d < SMB2_DIALECT_300 && cipher == SMB2_CIPHER_NONE)
		cipher = SMB2_CIPHER_NONE;
	else if (d >= SMB2_DIALECT_300 && d < SMB2_DIALECT_311 &&
	    (c->nres.client_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION))
		cipher = SMB2_CIPHER_AES128_CCM;
	if (smb2_derive_keys(d, cipher, s->session_key, s->session_key_len,
	    s->preauth_hash, &s->keys) == -1)
		return -1;
	if (d >= SMB2_DIALECT_311 && c->nres.signalg_negotiated)
		alg = c->nres.signalg;
	else if (d >= SMB2_DIALECT_300)
		alg = SMB2_SIGN_AES_CMAC;
	else
		alg = SMB2_SIGN_HMAC_SHA256;
	smb2_signer_free(s->signer);
	s->signer = smb2_signer_new(d, alg, s->keys.signing,
	    s->keys.signing_len);
	if (s->signer == NULL)
		return -1;
	if (cipher != SMB2_CIPHER_NONE) {
		smb2_cryptor_free(s->enc);
		smb2_cryptor_free(s->dec);
		s->enc = smb2_cryptor_new(cipher, s->keys.encrypt,
		    s->keys.cipher_key_len);
		s->dec = smb2_cryptor_new(cipher, s->keys.decrypt,
		    s->keys.cipher_key_len);
		if (s->enc == NULL || s->dec == NULL)
			return -1;
	}
	return 0;
}

void
smb2_error_body(struct wbuf *w)
{
	wbuf_reset(w);
	wbuf_put_u16le(w, 9);
	wbuf_put_u8(w, 0);	/* ErrorContextCount */
	wbuf_put_u8(w, 0);
	wbuf_put_u32le(w, 0);	/* ByteCount */
	wbuf_put_u8(w, 0);
}

/*
 * Is this status one whose response carries a normal body rather than
 * the ERROR structure?  (MS-SMB2 3.3.4.4 and the commands' sections.)
 */
static int
smb2_status_has_body(uint16_t cmd, uint32_t status)
{
	if (status == NT_STATUS_SUCCESS)
		return 1;
	if (status == NT_STATUS_MORE_PROCESSING_REQUIRED &&
	    cmd == SMB2_SESSION_SETUP)
		return 1;
	if (status == NT_STATUS_BUFFER_OVERFLOW &&
	    (cmd == SMB2_QUERY_INFO || cmd == SMB2_READ ||
	    cmd == SMB2_IOCTL || cmd == SMB2_QUERY_DIRECTORY))
		return 1;
	return 0;
}

/* Sign the element at [off, end). */
static void
smb2_work_sign(struct smb2_conn *c, struct smb2_work *w, size_t off,
    size_t end, struct smb2_session *s)
{
	uint8_t *p;
	uint32_t flags;

	if (wbuf_error(&w->resp))
		return;
	wbuf_peek_u32le(&w->resp, off + 16, &flags);
	wbuf_set_u32le(&w->resp, off + 16, flags | SMB2_FLAGS_SIGNED);
	p = wbuf_data(&w->resp) + off;
	memset(p + SMB2_SIG_OFFSET, 0, 16);
	if (smb2_sign(s->signer, p, end - off) == -1)
		log_warnx("%s: cannot sign a response", c->peer);
}

/*
 * Append one response: link and pad the previous element of the chain,
 * sign that one (its signature covers its padding, MS-SMB2 3.3.4.1.1),
 * then add this header and body.  The last element is signed by the
 * caller once the chain is complete.
 */
static void
smb2_work_emit(struct smb2_conn *c, struct smb2_work *w)
{
	struct smb2_req *req = &w->req;
	struct smb2_hdr h;
	size_t start;
	uint16_t grant;

	if (!smb2_status_has_body(req->hdr.command, req->status) &&
	    !req->error_data)
		smb2_error_body(req->out);

	if (w->have_last) {
		wbuf_align(&w->resp, 8);
		wbuf_set_u32le(&w->resp, w->last_resp_off + 20,
		    (uint32_t)(wbuf_len(&w->resp) - w->last_resp_off));
		if (w->last_sign != NULL)
			smb2_work_sign(c, w, w->last_resp_off,
			    wbuf_len(&w->resp), w->last_sign);
	}
	start = wbuf_len(&w->resp);

	if (log_getverbose() >= 3)
		log_debug("%s: %s mid %llu -> %s", c->peer,
		    smb2_command_name(req->hdr.command),
		    (unsigned long long)req->hdr.message_id,
		    ntstatus_name(req->status));
	grant = req->hdr.command == SMB2_CANCEL ? 0 :
	    smb2_credits_grant(&c->credits, req->hdr.credits);
	memset(&h, 0, sizeof(h));
	h.credit_charge = req->hdr.credit_charge;
	h.status = req->status;
	h.command = req->hdr.command;
	h.credits = grant;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR |
	    (req->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS);
	if (req->async_id != 0) {
		/* The interim answer of a request that went async. */
		h.flags |= SMB2_FLAGS_ASYNC_COMMAND;
		h.async_id = req->async_id;
	}
	h.message_id = req->hdr.message_id;
	h.process_id = req->hdr.process_id;
	h.tree_id = req->resp_tree_id != 0 ? req->resp_tree_id :
	    req->hdr.tree_id;
	h.session_id = req->resp_session_id != 0 ? req->resp_session_id :
	    req->hdr.session_id;
	smb2_hdr_build(&w->resp, &h);
	wbuf_put_bytes(&w->resp, wbuf_data(req->out), wbuf_len(req->out));
	w->last_resp_off = start;
	w->have_last = 1;
	w->last_sign = smb2_resp_signs(c, w, req) ? req->sess : NULL;
}

/* Should this response be signed?  (MS-SMB2 3.3.4.1.1) */
static int
smb2_resp_signs(struct smb2_conn *c, struct smb2_work *w,
    struct smb2_req *req)
{
	struct smb2_session *s = req->sess;

	if (s == NULL || s->signer == NULL || req->no_sign)
		return 0;
	if (w->encrypted)
		return 0;	/* the transform protects it */
	if (s->flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS))
		return 0;
	if (req->sign_always)
		return 1;
	if (req->hdr.command == SMB2_SESSION_SETUP &&
	    req->status != NT_STATUS_SUCCESS)
		return 0;
	return req->was_signed || s->signing_required;
}

/*
 * Send the finished compound response, encrypted when the request was or
 * the session or share demands it.
 */
static void
smb2_work_send(struct smb2_conn *c, struct smb2_work *w,
    struct smb2_session *encsess)
{
	uint8_t th[SMB2_TRANSFORM_LEN];
	uint8_t *out;
	size_t len = wbuf_len(&w->resp);
	struct iovec iov;

	if (wbuf_error(&w->resp)) {
		smb2_conn_close(c, "response too large");
		return;
	}
	if (encsess == NULL || encsess->enc == NULL) {
		smb2_conn_send(c, wbuf_data(&w->resp), len);
		return;
	}
	out = xmalloc(SMB2_TRANSFORM_LEN + len);
	iov.iov_base = wbuf_data(&w->resp);
	iov.iov_len = len;
	if (smb2_encrypt(encsess->enc, encsess->id, &iov, 1, th,
	    out + SMB2_TRANSFORM_LEN) == -1) {
		free(out);
		smb2_conn_close(c, "encryption failed");
		return;
	}
	memcpy(out, th, SMB2_TRANSFORM_LEN);
	smb2_conn_send(c, out, SMB2_TRANSFORM_LEN + len);
	free(out);
}

static void
smb2_work_free(struct smb2_conn *c)
{
	struct smb2_work *w = c->work;

	if (w == NULL)
		return;
	wbuf_free(&w->resp);
	wbuf_free(&w->body);
	free(w->frame);
	free(w);
	c->work = NULL;
}

/* Where the FileId sits in each request body that has one. */
static size_t
smb2_fileid_offset(uint16_t cmd)
{
	switch (cmd) {
	case SMB2_CLOSE:
	case SMB2_FLUSH:
	case SMB2_LOCK:
	case SMB2_IOCTL:
	case SMB2_QUERY_DIRECTORY:
	case SMB2_CHANGE_NOTIFY:
		return 8;
	case SMB2_READ:
	case SMB2_WRITE:
	case SMB2_SET_INFO:
		return 16;
	case SMB2_QUERY_INFO:
		return 24;
	default:
		return 0;
	}
}

/*
 * In a related chain, a FileId of all ones means "the file the previous
 * request opened" (MS-SMB2 3.3.5.2.7.2).  The frame is our own copy, so
 * the id is filled in where it stands.
 */
static void
smb2_related_fileid(struct smb2_work *w, struct smb2_req *req)
{
	static const uint8_t unset[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t off = smb2_fileid_offset(req->hdr.command), pos;

	if (off == 0 || rbuf_left(&req->body) < off + 16)
		return;
	/*
	 * The request is read from w->frame, the worker's own copy of the
	 * message: the FileId is replaced there, by its position.
	 */
	pos = (size_t)(rbuf_cur(&req->body) - w->frame) + off;
	if (pos > w->framelen || w->framelen - pos < 16 ||
	    memcmp(w->frame + pos, unset, 16) != 0)
		return;
	memcpy(w->frame + pos, w->prev_file_id, 16);
}

/* Remember the FileId a request used, for a related one after it. */
static void
smb2_used_fileid(struct smb2_work *w, struct smb2_req *req)
{
	size_t off = smb2_fileid_offset(req->hdr.command);

	if (off == 0 || rbuf_left(&req->body) < off + 16)
		return;
	memcpy(w->prev_file_id, rbuf_cur(&req->body) + off, 16);
}

/*
 * Check one request before its handler runs.  Returns an NTSTATUS for the
 * client, or SMB2_DEFER... never; and -1 (as 0xfffffffe) to drop.
 */
#define SMB2_DROP	0xfffffffeU

static uint32_t
smb2_req_check(struct smb2_conn *c, struct smb2_work *w, struct smb2_req *req)
{
	const struct smb2_cmd *cmd;
	uint16_t ssize;
	int noids;

	/* Whether the previous request's ids were unknown, for this one. */
	noids = w->prev_noids;
	w->prev_noids = 0;
	if (req->hdr.command >= SMB2_NCOMMANDS)
		return NT_STATUS_INVALID_PARAMETER;
	cmd = &c->cmds[req->hdr.command];
	if (req->hdr.flags & SMB2_FLAGS_SERVER_TO_REDIR)
		return SMB2_DROP;

	/* Credits first: a request outside the window ends the connection. */
	if (req->hdr.command != SMB2_CANCEL) {
		uint16_t charge = req->hdr.credit_charge;

		if (c->nres.dialect == SMB2_DIALECT_202 || !c->negotiated)
			charge = 1;
		if (smb2_credits_consume(&c->credits, req->hdr.message_id,
		    charge) == -1) {
			log_warnx("%s: MessageId %llu (charge %u) is not in the "
			    "credit window", c->peer,
			    (unsigned long long)req->hdr.message_id, charge);
			return SMB2_DROP;
		}
	}
	if (!c->negotiated && req->hdr.command != SMB2_NEGOTIATE)
		return SMB2_DROP;

	/* Related chains inherit ids from the previous element. */
	if (req->related) {
		/*
		 * MS-SMB2 3.3.5.2.7.2: after a request whose session or tree
		 * could not be found, the related ones fail with
		 * INVALID_PARAMETER (smb2.compound.invalid2).
		 */
		if (noids) {
			w->prev_noids = 1;
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (req->hdr.session_id == UINT64_MAX)
			req->hdr.session_id = w->prev_session_id;
		if (req->hdr.tree_id == UINT32_MAX)
			req->hdr.tree_id = w->prev_tree_id;
		if (w->prev_status != NT_STATUS_SUCCESS)
			return w->prev_status;
	}

	if (rbuf_peek_u16le(&req->body, 0, &ssize) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if (cmd->fn == NULL)
		return NT_STATUS_NOT_SUPPORTED;
	if (ssize != cmd->structure_size)
		return NT_STATUS_INVALID_PARAMETER;

	if (req->hdr.command == SMB2_NEGOTIATE ||
	    req->hdr.command == SMB2_ECHO || req->hdr.command == SMB2_CANCEL)
		return NT_STATUS_SUCCESS;
	if (req->hdr.command == SMB2_SESSION_SETUP &&
	    req->hdr.session_id == 0)
		return NT_STATUS_SUCCESS;

	req->sess = smb2_session_find(c, req->hdr.session_id);
	if (req->sess == NULL) {
		w->prev_noids = 1;
		return NT_STATUS_USER_SESSION_DELETED;
	}
	if (req->sess->state == SESS_EXPIRED &&
	    req->hdr.command != SMB2_SESSION_SETUP &&
	    req->hdr.command != SMB2_LOGOFF)
		return NT_STATUS_NETWORK_SESSION_EXPIRED;
	if (req->sess->state == SESS_IN_PROGRESS &&
	    req->hdr.command != SMB2_SESSION_SETUP)
		return NT_STATUS_USER_SESSION_DELETED;

	/* Signature (MS-SMB2 3.3.5.2.4). */
	if (!w->encrypted && req->sess->signer != NULL) {
		if (req->hdr.flags & SMB2_FLAGS_SIGNED) {
			if (smb2_verify(req->sess->signer,
			    rbuf_cur(&req->msg), rbuf_left(&req->msg)) == -1) {
				log_warnx("%s: bad signature on %s (session "
				    "%llx)", c->peer,
				    smb2_command_name(req->hdr.command),
				    (unsigned long long)req->sess->id);
				return NT_STATUS_ACCESS_DENIED;
			}
			req->was_signed = 1;
		} else if (req->sess->signing_required &&
		    req->sess->state == SESS_VALID &&
		    req->hdr.command != SMB2_SESSION_SETUP) {
			log_warnx("%s: unsigned %s on a session that must "
			    "sign", c->peer,
			    smb2_command_name(req->hdr.command));
			return NT_STATUS_ACCESS_DENIED;
		}
	}
	/* Encryption required but the request came in the clear. */
	if (!w->encrypted && req->sess->encrypt_data &&
	    req->sess->state == SESS_VALID &&
	    req->hdr.command != SMB2_SESSION_SETUP)
		return NT_STATUS_ACCESS_DENIED;

	if (cmd->flags & SMB2_CMD_NEED_TREE) {
		req->tree = smb2_tree_find(req->sess, req->hdr.tree_id);
		if (req->tree == NULL) {
			w->prev_noids = 1;
			return NT_STATUS_NETWORK_NAME_DELETED;
		}
		if (!w->encrypted && smb2_tree_encrypted(req->tree))
			return NT_STATUS_ACCESS_DENIED;
	}
	/* Only now: the signature covers the FileId as the client sent it. */
	if (req->related)
		smb2_related_fileid(w, req);
	return NT_STATUS_SUCCESS;
}

/*
 * Work through the current frame from where it stopped.
 */
static void
smb2_work_run(struct smb2_conn *c)
{
	struct smb2_work *w = c->work;
	struct smb2_req *req = &w->req;
	struct smb2_session *encsess = NULL;
	size_t remain, len;
	uint32_t st;
	struct rbuf r;
	int first;

	for (;;) {
		if (c->waiting) {
			/* A deferred handler finished: emit its response. */
			c->waiting = 0;
			goto emit;
		}
		if (w->off >= w->framelen)
			break;
		first = w->off == 0;
		remain = w->framelen - w->off;
		memset(req, 0, sizeof(*req));
		rbuf_init(&r, w->frame + w->off, remain);
		if (smb2_hdr_parse(&r, &req->hdr) == -1) {
			smb2_conn_close(c, "malformed SMB2 header");
			goto done;
		}
		len = remain;
		if (req->hdr.next_command != 0) {
			if (req->hdr.next_command < SMB2_HDR_LEN ||
			    req->hdr.next_command > remain ||
			    (req->hdr.next_command & 7) != 0) {
				smb2_conn_close(c, "bad NextCommand");
				goto done;
			}
			len = req->hdr.next_command;
		}
		rbuf_init(&req->msg, w->frame + w->off, len);
		rbuf_init(&req->body, w->frame + w->off + SMB2_HDR_LEN,
		    len - SMB2_HDR_LEN);
		req->related = !first &&
		    (req->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS);
		req->was_encrypted = w->encrypted;
		wbuf_reset(&w->body);
		req->out = &w->body;
		w->off = req->hdr.next_command != 0 ? w->off + len :
		    w->framelen;

		st = smb2_req_check(c, w, req);
		/*
		 * The first request of a chain cannot be related to
		 * anything (MS-SMB2 3.3.5.2.7.2).
		 */
		if (st == NT_STATUS_SUCCESS && first &&
		    (req->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS))
			st = NT_STATUS_INVALID_PARAMETER;
		if (st == SMB2_DROP) {
			smb2_conn_close(c, "protocol violation");
			goto done;
		}
		if (st != NT_STATUS_SUCCESS) {
			req->status = st;
			goto emit;
		}
		st = c->cmds[req->hdr.command].fn(c, req);
		if (st == SMB2_DEFER) {
			/* Resumed by smb2_conn_resume() or _unpark(). */
			smb2_conn_detach(c);
			return;
		}
		if (st == SMB2_NO_RESPONSE)
			continue;
		if (st == SMB2_ASYNC) {
			/* Interim STATUS_PENDING, never signed (3.3.4.1.1). */
			st = NT_STATUS_PENDING;
			req->no_sign = 1;
			smb2_error_body(req->out);
			req->error_data = 1;
		}
		req->status = st;
 emit:
		if (req->drop) {
			smb2_conn_close(c, "handler ended the connection");
			goto done;
		}
		smb2_work_emit(c, w);
		if (req->sess != NULL && (w->encrypted ||
		    req->sess->encrypt_data ||
		    (req->tree != NULL && smb2_tree_encrypted(req->tree))))
			encsess = req->sess->enc != NULL ? req->sess : encsess;
		if (w->encrypted && w->enc_sess != NULL)
			encsess = w->enc_sess;
		w->prev_session_id = req->resp_session_id != 0 ?
		    req->resp_session_id : req->hdr.session_id;
		w->prev_tree_id = req->resp_tree_id != 0 ?
		    req->resp_tree_id : req->hdr.tree_id;
		/*
		 * An error carries down a related chain from the request
		 * that made the ids the chain uses (a CREATE, a session or a
		 * tree); a later request that fails alone, like a WRITE on a
		 * read-only open, does not fail the ones after it
		 * (smb2.compound.related6, as Windows does).
		 */
		if (!req->related || req->hdr.command == SMB2_CREATE ||
		    req->hdr.command == SMB2_SESSION_SETUP ||
		    req->hdr.command == SMB2_TREE_CONNECT)
			w->prev_status = req->status;
		/*
		 * A successful CREATE names the file for what follows; any
		 * other request the file it used (MS-SMB2 3.3.5.2.7.2:
		 * FLUSH then a related CLOSE, smb2.compound_async).
		 */
		if (req->hdr.command == SMB2_CREATE &&
		    req->status == NT_STATUS_SUCCESS &&
		    wbuf_len(req->out) >= 80)
			memcpy(w->prev_file_id, wbuf_data(req->out) + 64, 16);
		else if (req->hdr.command != SMB2_CREATE)
			smb2_used_fileid(w, req);
		smb2_req_after_emit(c, req, wbuf_data(&w->resp) +
		    w->last_resp_off, wbuf_len(&w->resp) - w->last_resp_off);
		if (c->closing)
			goto done;
	}
	/*
	 * In a chain of several responses the last one is padded to 8 bytes
	 * too, as Windows does (smb2.compound.compound-padding).
	 */
	if (w->have_last && w->last_resp_off > 0)
		wbuf_align(&w->resp, 8);
	if (w->have_last && w->last_sign != NULL)
		smb2_work_sign(c, w, w->last_resp_off, wbuf_len(&w->resp),
		    w->last_sign);
	if (w->have_last)
		smb2_work_send(c, w, encsess);
 done:
	smb2_work_free(c);
	smb2_conn_reap_sessions(c);
	if (c->handoff && !c->closing) {
		/* usmbd-preauth: the connection moves to a session worker. */
		c->handoff = 0;
		if (c->on_session != NULL)
			c->on_session(c, NULL);
		return;
	}
	if (!c->closing && !c->reading_paused)
		smb2_conn_read_again(c);
	smb2_conn_run_parked(c);
}

/* Sessions logged off in the chain just sent go away now. */
static void
smb2_conn_reap_sessions(struct smb2_conn *c)
{
	struct smb2_session *s, *next;

	for (s = TAILQ_FIRST(&c->sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->logged_off)
			smb2_session_free(c, s);
	}
}

void
smb2_conn_resume(struct smb2_conn *c)
{
	if (c->work == NULL || !c->waiting)
		return;
	smb2_work_run(c);
}

struct smb2_work *
smb2_conn_park(struct smb2_conn *c, void (*drop)(void *), void *arg)
{
	struct smb2_work *w = c->work;

	w->park = 1;
	w->park_drop = drop;
	w->park_arg = arg;
	c->waiting = 1;
	return w;
}

/*
 * A handler parked its frame and returned SMB2_DEFER: set the frame
 * aside and read the next one.  Its responses, already built and those
 * still to come, go out together when it is finished.
 */
void
smb2_conn_detach(struct smb2_conn *c)
{
	struct smb2_work *w = c->work;

	if (w == NULL || !w->park)
		return;
	w->park = 0;
	w->parked = 1;
	TAILQ_INSERT_TAIL(&c->parked, w, park_entry);
	c->work = NULL;
	c->waiting = 0;
	if (!c->closing && !c->reading_paused)
		smb2_conn_read_again(c);
}

void
smb2_conn_unpark(struct smb2_conn *c, struct smb2_work *w)
{
	if (!w->parked) {
		/* Finished before it was set aside: go straight on. */
		w->park = 0;
		w->park_drop = NULL;
		smb2_conn_resume(c);
		return;
	}
	w->ready = 1;
	w->park_drop = NULL;
	smb2_conn_run_parked(c);
}

/*
 * Go on with parked frames whose IO is done, one at a time, whenever no
 * other frame is in progress (one may wait for lockd).
 */
static void
smb2_conn_run_parked(struct smb2_conn *c)
{
	struct smb2_work *w;

	if (c->running_parked)
		return;
	c->running_parked = 1;
	while (c->work == NULL && !c->closing) {
		TAILQ_FOREACH(w, &c->parked, park_entry)
			if (w->ready)
				break;
		if (w == NULL)
			break;
		TAILQ_REMOVE(&c->parked, w, park_entry);
		w->parked = 0;
		w->ready = 0;
		/* A TREE_DISCONNECT meanwhile took its tree away. */
		if (w->req.sess != NULL && w->req.tree != NULL)
			w->req.tree = smb2_tree_find(w->req.sess,
			    w->req.hdr.tree_id);
		c->work = w;
		c->waiting = 1;
		event_del(c->ev_read);
		smb2_work_run(c);
	}
	c->running_parked = 0;
}

/*
 * The session s ends while the frame w is parked.  The request waiting
 * for its IO is answered STATUS_CANCELLED, as a lone one is, and the
 * rest of the chain then fails for want of the session; the response
 * before it, still to be signed with s, is signed now.  An encrypted
 * frame whose keys go away cannot be answered at all.
 */
static void
smb2_work_session_ends(struct smb2_conn *c, struct smb2_work *w,
    struct smb2_session *s)
{
	if (w->enc_sess == s) {
		smb2_work_drop(c, w);
		return;
	}
	if (w->last_sign == s && w->have_last) {
		/* What smb2_work_emit() would do before the next element. */
		wbuf_align(&w->resp, 8);
		wbuf_set_u32le(&w->resp, w->last_resp_off + 20,
		    (uint32_t)(wbuf_len(&w->resp) - w->last_resp_off));
		smb2_work_sign(c, w, w->last_resp_off, wbuf_len(&w->resp), s);
		w->last_sign = NULL;
	}
	if (w->req.sess != s)
		return;
	if (w->park_drop != NULL)
		w->park_drop(w->park_arg);
	w->park_drop = NULL;
	w->req.sess = NULL;
	w->req.tree = NULL;
	w->req.status = NT_STATUS_CANCELLED;
	w->ready = 1;
}

/* Throw a parked frame away, unanswered. */
static void
smb2_work_drop(struct smb2_conn *c, struct smb2_work *w)
{
	TAILQ_REMOVE(&c->parked, w, park_entry);
	log_info("%s: %s mid %llu: its session or connection ended while "
	    "it waited for disk IO; the chain is not answered", c->peer,
	    smb2_command_name(w->req.hdr.command),
	    (unsigned long long)w->req.hdr.message_id);
	if (w->park_drop != NULL)
		w->park_drop(w->park_arg);
	wbuf_free(&w->resp);
	wbuf_free(&w->body);
	free(w->frame);
	free(w);
}

#ifdef USMBD_REGRESS_HOOKS
/*
 * Test-only hooks, compiled in with --enable-regress-hooks and never in a
 * normal build: make the sandboxed process do what it must not, so that
 * the tests see the sandbox stop it.
 */
static void
smb2_regress_hook(struct smb2_conn *c, const uint8_t *arg, size_t len)
{
	static const char *const paths[] = { "/etc/passwd", "/etc/hostname",
	    "/", "/tmp", "." };
	size_t i;
	int fd;

	if (len == 7 && memcmp(arg, "violate", 7) == 0) {
		log_warnx("regress: making a forbidden system call");
		sandbox_regress_violate();
		log_warnx("regress: still alive after a forbidden call");
		return;
	}
	if (len == 4 && memcmp(arg, "open", 4) == 0) {
		for (i = 0; i < nitems(paths); i++) {
			fd = open(paths[i], O_RDONLY | O_CLOEXEC);
			if (fd == -1)
				log_warnx("regress: open %s: %s", paths[i],
				    strerror(errno));
			else {
				log_warnx("regress: open %s: succeeded",
				    paths[i]);
				close(fd);
			}
		}
		return;
	}
	if (len == 4 && memcmp(arg, "fork", 4) == 0) {
		pid_t pid;

		/* Threads are allowed; a new process must not be. */
		log_warnx("regress: forking");
		if ((pid = fork()) == 0)
			_exit(0);
		log_warnx("regress: still alive after fork (%d)", (int)pid);
		return;
	}
	if (len > 9 && memcmp(arg, "aiodelay ", 9) == 0) {
		char num[16];

		/* The next read in the thread pool sleeps first. */
		snprintf(num, sizeof(num), "%.*s", (int)(len - 9), arg + 9);
		aio_regress_delay((uint32_t)strtoul(num, NULL, 10));
		log_warnx("regress: next read is delayed %s ms", num);
		return;
	}
	log_warnx("regress: unknown hook");
}
#endif

struct smb2_async *
smb2_async_new(struct smb2_conn *c, struct smb2_req *req,
    smb2_async_cancel cancel, void *arg)
{
	struct smb2_async *a;

	a = xcalloc(1, sizeof(*a));
	a->async_id = c->next_async_id++;
	a->message_id = req->hdr.message_id;
	a->command = req->hdr.command;
	a->credit_charge = req->hdr.credit_charge;
	a->session_id = req->hdr.session_id;
	a->sess = req->sess;
	a->sign = req->sess != NULL && req->sess->signer != NULL &&
	    !(req->sess->flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS)) &&
	    (req->was_signed || req->sess->signing_required);
	a->encrypt = req->sess != NULL && req->sess->enc != NULL &&
	    (req->was_encrypted || req->sess->encrypt_data ||
	    (req->tree != NULL && smb2_tree_encrypted(req->tree)));
	a->cancel = cancel;
	a->arg = arg;
	req->async_id = a->async_id;
	TAILQ_INSERT_TAIL(&c->asyncs, a, entry);
	c->nasync++;
	return a;
}

/*
 * An interim response grants credits, so credits do not bound the
 * requests that went asynchronous (CHANGE_NOTIFY, a LOCK that waits):
 * "max async requests" does.  1 when this connection has as many as it
 * may, said once per connection.
 */
int
smb2_async_full(struct smb2_conn *c)
{
	if (c->nasync < (size_t)c->conf->g.max_async_requests)
		return 0;
	if (!c->async_warned)
		log_warnx("%s: %zu requests waiting, the limit (max async "
		    "requests); refusing more with "
		    "STATUS_INSUFFICIENT_RESOURCES", c->peer, c->nasync);
	c->async_warned = 1;
	return 1;
}

struct smb2_async *
smb2_async_quiet(struct smb2_conn *c, struct smb2_req *req,
    smb2_async_cancel cancel, void *arg)
{
	struct smb2_async *a;

	a = smb2_async_new(c, req, cancel, arg);
	/* No interim answer: the request keeps its synchronous header. */
	req->async_id = 0;
	a->quiet = 1;
	/* Its credits bound it: it does not count as waiting. */
	c->nasync--;
	a->credits_req = req->hdr.credits;
	a->tree_id = req->hdr.tree_id;
	a->process_id = req->hdr.process_id;
	/* An encrypted answer is not signed: the transform protects it. */
	if (a->encrypt)
		a->sign = 0;
	return a;
}

int
smb2_async_protected(const struct smb2_async *a)
{
	return a->sign || a->encrypt;
}

void
smb2_async_reply(struct smb2_conn *c, struct smb2_async *a, uint32_t status,
    struct smb2_out *o, size_t bodylen, int file_fd, uint64_t file_off,
    size_t file_len)
{
	struct smb2_hdr h;
	struct wbuf w;
	uint8_t th[SMB2_TRANSFORM_LEN], *out;
	struct iovec iov;
	size_t msglen;

	TAILQ_REMOVE(&c->asyncs, a, entry);
	if (!a->quiet)
		c->nasync--;
	if (!smb2_status_has_body(a->command, status) || o == NULL) {
		/* An error: the ERROR structure, and no file data. */
		smb2_out_free(o);
		o = smb2_out_new(16);
		wbuf_init_fixed(&w, o->data + SMB2_OUT_HEADROOM, 16);
		smb2_error_body(&w);
		bodylen = wbuf_len(&w);
		if (file_fd != -1)
			close(file_fd);
		file_fd = -1;
		file_len = 0;
	}
	o->len = SMB2_OUT_HEADROOM + bodylen;
	msglen = SMB2_HDR_LEN + bodylen;
	memset(&h, 0, sizeof(h));
	h.credit_charge = a->credit_charge;
	h.status = status;
	h.command = a->command;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.message_id = a->message_id;
	h.session_id = a->session_id;
	if (a->quiet) {
		/* An ordinary answer: it grants credits (3.3.1.2). */
		h.credits = smb2_credits_grant(&c->credits, a->credits_req);
		h.process_id = a->process_id;
		h.tree_id = a->tree_id;
	} else {
		h.flags |= SMB2_FLAGS_ASYNC_COMMAND;
		h.async_id = a->async_id;
	}
	if (log_getverbose() >= 3)
		log_debug("%s: %s mid %llu -> %s (completed%s)", c->peer,
		    smb2_command_name(a->command),
		    (unsigned long long)a->message_id, ntstatus_name(status),
		    file_fd != -1 ? ", zero-copy" : "");
	wbuf_init_fixed(&w, o->data + 4, SMB2_HDR_LEN);
	smb2_hdr_build(&w, &h);
	if (file_fd != -1 && (a->sign || a->encrypt))
		fatalx("zero-copy send of a protected response");
	if (a->sign && a->sess->signer != NULL) {
		wbuf_set_u32le(&w, 16, h.flags | SMB2_FLAGS_SIGNED);
		if (smb2_sign(a->sess->signer, o->data + 4, msglen) == -1)
			log_warnx("%s: cannot sign a response", c->peer);
	}
	if (a->encrypt && a->sess->enc != NULL) {
		struct smb2_out *eo;
		size_t elen = SMB2_TRANSFORM_LEN + msglen;

		/* Encrypt straight into the queue entry that goes out. */
		eo = smb2_out_new(elen);
		out = eo->data + 4;
		iov.iov_base = o->data + 4;
		iov.iov_len = msglen;
		if (elen > 0xffffff || smb2_encrypt(a->sess->enc, a->sess->id,
		    &iov, 1, th, out + SMB2_TRANSFORM_LEN) == -1) {
			smb2_out_free(eo);
			smb2_conn_close(c, "encryption failed");
		} else {
			memcpy(out, th, SMB2_TRANSFORM_LEN);
			eo->data[0] = 0;
			eo->data[1] = (uint8_t)(elen >> 16);
			eo->data[2] = (uint8_t)(elen >> 8);
			eo->data[3] = (uint8_t)elen;
			eo->len = 4 + elen;
			smb2_conn_queue(c, eo);
		}
		smb2_out_free(o);
	} else {
		msglen += file_len;
		if (msglen > 0xffffff) {
			log_warnx("%s: response of %zu bytes does not fit a "
			    "frame", c->peer, msglen);
			smb2_out_free(o);
			if (file_fd != -1)
				close(file_fd);
			smb2_conn_close(c, "response too large");
			free(a);
			return;
		}
		o->data[0] = 0;
		o->data[1] = (uint8_t)(msglen >> 16);
		o->data[2] = (uint8_t)(msglen >> 8);
		o->data[3] = (uint8_t)msglen;
		o->file_fd = file_fd;
		o->file_off = file_off;
		o->file_len = file_len;
		smb2_conn_queue(c, o);
	}
	free(a);
}

/* The final answer of an async request: one message of its own. */
void
smb2_async_complete(struct smb2_conn *c, struct smb2_async *a,
    uint32_t status, const void *body, size_t len)
{
	struct smb2_hdr h;
	struct wbuf w, eb;
	uint8_t th[SMB2_TRANSFORM_LEN], *out;
	struct iovec iov;

	TAILQ_REMOVE(&c->asyncs, a, entry);
	if (!a->quiet)
		c->nasync--;
	wbuf_init(&w, SMB2_HDR_LEN + len + 64);
	memset(&h, 0, sizeof(h));
	h.credit_charge = a->credit_charge;
	h.status = status;
	h.command = a->command;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND;
	h.message_id = a->message_id;
	h.async_id = a->async_id;
	h.session_id = a->session_id;
	smb2_hdr_build(&w, &h);
	if (body != NULL && len > 0)
		wbuf_put_bytes(&w, body, len);
	else {
		wbuf_init(&eb, 16);
		smb2_error_body(&eb);
		wbuf_put_bytes(&w, wbuf_data(&eb), wbuf_len(&eb));
		wbuf_free(&eb);
	}
	if (a->sign && a->sess->signer != NULL) {
		wbuf_set_u32le(&w, 16, h.flags | SMB2_FLAGS_SIGNED);
		smb2_sign(a->sess->signer, wbuf_data(&w), wbuf_len(&w));
	}
	if (!wbuf_error(&w) && c->fd != -1) {
		if (a->encrypt && a->sess->enc != NULL) {
			out = xmalloc(SMB2_TRANSFORM_LEN + wbuf_len(&w));
			iov.iov_base = wbuf_data(&w);
			iov.iov_len = wbuf_len(&w);
			if (smb2_encrypt(a->sess->enc, a->sess->id, &iov, 1, th,
			    out + SMB2_TRANSFORM_LEN) == 0) {
				memcpy(out, th, SMB2_TRANSFORM_LEN);
				smb2_conn_send(c, out,
				    SMB2_TRANSFORM_LEN + wbuf_len(&w));
			}
			free(out);
		} else
			smb2_conn_send(c, wbuf_data(&w), wbuf_len(&w));
	}
	wbuf_free(&w);
	free(a);
}

void
smb2_async_cancel_session(struct smb2_conn *c, struct smb2_session *s)
{
	struct smb2_async *a, *next;

	c->cancel_status = NT_STATUS_NOTIFY_CLEANUP;
	for (a = TAILQ_FIRST(&c->asyncs); a != NULL; a = next) {
		next = TAILQ_NEXT(a, entry);
		if (s == NULL || a->sess == s)
			a->cancel(c, a);
	}
	c->cancel_status = 0;
}

/*
 * CANCEL (MS-SMB2 3.3.5.16): find the request by AsyncId, or by
 * MessageId for one that has not gone async, and cancel it.  CANCEL
 * itself is never answered.
 */
uint32_t
smb2_cmd_cancel_async(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_async *a;

	TAILQ_FOREACH(a, &c->asyncs, entry) {
		if (req->hdr.flags & SMB2_FLAGS_ASYNC_COMMAND) {
			if (a->async_id == req->hdr.async_id)
				break;
		} else if (a->message_id == req->hdr.message_id)
			break;
	}
	if (a != NULL && (a->sess == NULL ||
	    a->session_id == req->hdr.session_id))
		a->cancel(c, a);
	return SMB2_NO_RESPONSE;
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
