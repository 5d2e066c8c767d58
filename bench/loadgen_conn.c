/*
 * One client connection of usmbd-loadgen: the socket, the Direct TCP
 * framing (smbd/engine/smb_frame.c), message ids and credits (MS-SMB2
 * 3.2.4.1.2, 3.2.5.1.4), signing and encryption of requests and the
 * checks of responses (3.2.4.1.1, 3.2.4.1.8, 3.2.5.1.1, 3.2.5.1.3), and
 * the table that matches each response to the operation that sent it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_crypto.h"
#include "smb2_hdr.h"
#include "smb_frame.h"
#include "util.h"

#include "loadgen.h"

/* Offsets in the 64-byte header (MS-SMB2 2.2.1.2). */
#define HDR_OFF_COMMAND		12
#define HDR_OFF_FLAGS		16
#define HDR_OFF_NEXT		20
#define LG_FRAME_MAX		(16U << 20)
#define LG_OUT_MAX		(64U << 20)
/* The Reserved (ProcessId) a Windows client sends. */
#define LG_PROCESS_ID		0xfeff
#define LG_OPLOCK_BREAK_MID	UINT64_MAX

/* The owner of a synchronous exchange in the table. */
static struct lg_slot	 lg_sync_owner;

uint64_t
lg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
conn_connect(const struct lg_opts *o)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, on = 1, err;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(o->host, o->port, &hints, &res)) != 0) {
		log_warnx("%s port %s: %s", o->host, o->port,
		    gai_strerror(err));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		log_warn("connect %s port %s", o->host, o->port);
		return -1;
	}
	/* Requests are written whole; Nagle would only delay them. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1 ||
	    fd_set_nonblock(fd) == -1) {
		log_warn("socket options");
		close(fd);
		return -1;
	}
	return fd;
}

struct lg_conn *
lg_conn_open(const struct lg_opts *o, int id)
{
	struct lg_conn *c;

	c = xcalloc(1, sizeof(*c));
	c->id = id;
	c->o = o;
	if ((c->fd = conn_connect(o)) == -1) {
		free(c);
		return NULL;
	}
	smb_frame_rx_init(&c->rx, LG_FRAME_MAX);
	wbuf_init(&c->out, LG_OUT_MAX);
	wbuf_init(&c->chain, LG_FRAME_MAX);
	c->credits = 1;
	c->credit_goal = 16;
	c->rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(id + 1) ^ lg_now();
	return c;
}

void
lg_conn_free(struct lg_conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	smb_frame_rx_free(&c->rx);
	wbuf_free(&c->out);
	wbuf_free(&c->chain);
	smb2_signer_free(c->signer);
	smb2_cryptor_free(c->tx);
	smb2_cryptor_free(c->rx_c);
	free(c->plain);
	free(c->ctbuf);
	free(c->slots);
	free(c);
}

/*
 * Credits to ask for beyond the one a request uses: enough to bring what
 * the connection holds, has in flight and has asked for up to its goal,
 * so that a window of requests does not ask for the same deficit each.
 */
static uint16_t
conn_credit_ask(struct lg_conn *c, uint16_t *extra)
{
	uint64_t have;

	have = (uint64_t)c->credits + c->inflight + c->extra_asked;
	*extra = 0;
	if (have < c->credit_goal)
		*extra = (uint16_t)(c->credit_goal - have > 256 ? 256 :
		    c->credit_goal - have);
	c->extra_asked += *extra;
	return (uint16_t)(1 + *extra);
}

struct wbuf *
lg_req(struct lg_conn *c, uint16_t cmd, int related)
{
	struct smb2_hdr h;
	struct wbuf *w = &c->chain;
	size_t prev;
	uint16_t extra;

	if (c->nelem == LG_MAXCHAIN)
		fatalx("%s: compound too long", __func__);
	if (c->nelem > 0) {
		/* Each element starts 8-byte aligned (MS-SMB2 3.2.4.1.4). */
		wbuf_align(w, 8);
		prev = c->elem[c->nelem - 1];
		wbuf_set_u32le(w, prev + HDR_OFF_NEXT,
		    (uint32_t)(wbuf_len(w) - prev));
	}
	c->elem[c->nelem] = wbuf_len(w);
	memset(&h, 0, sizeof(h));
	/* 2.0.2 has no multi-credit requests and charges nothing. */
	h.credit_charge = c->dialect > SMB2_DIALECT_202 ? 1 : 0;
	h.command = cmd;
	h.credits = conn_credit_ask(c, &extra);
	c->elem_extra[c->nelem] = extra;
	h.flags = related ? SMB2_FLAGS_RELATED_OPERATIONS : 0;
	h.message_id = c->next_mid + (uint64_t)c->nelem;
	h.process_id = LG_PROCESS_ID;
	h.tree_id = c->tree_id;
	h.session_id = c->session_id;
	c->nelem++;
	if (smb2_hdr_build(w, &h) == -1)
		fatalx("%s: header", __func__);
	return w;
}

int
lg_can_send(struct lg_conn *c, int n)
{
	int i;

	if (c->credits < (uint32_t)n)
		return 0;
	for (i = 0; i < n; i++)
		if (c->pend[(c->next_mid + (uint64_t)i) &
		    (LG_PEND - 1)].slot != NULL)
			return 0;
	return 1;
}

/* Sign every element of the compound (3.2.4.1.1): each on its own. */
static int
conn_sign_chain(struct lg_conn *c)
{
	struct wbuf *w = &c->chain;
	uint32_t flags;
	size_t start, end;
	int i;

	for (i = 0; i < c->nelem; i++) {
		start = c->elem[i];
		end = i + 1 < c->nelem ? c->elem[i + 1] : wbuf_len(w);
		if (wbuf_peek_u32le(w, start + HDR_OFF_FLAGS, &flags) == -1 ||
		    wbuf_set_u32le(w, start + HDR_OFF_FLAGS,
		    flags | SMB2_FLAGS_SIGNED) == -1 ||
		    smb2_sign(c->signer, wbuf_data(w) + start, end - start) ==
		    -1)
			return -1;
	}
	return 0;
}

/* Frame the compound, encrypted or not, behind what is queued. */
static int
conn_frame_chain(struct lg_conn *c)
{
	uint8_t th[SMB2_TRANSFORM_HDR_LEN];
	struct iovec iov;
	size_t len = wbuf_len(&c->chain);

	if (!c->encrypting) {
		wbuf_put_u32be(&c->out, (uint32_t)len);
		wbuf_put_bytes(&c->out, wbuf_data(&c->chain), len);
		return wbuf_error(&c->out) ? -1 : 0;
	}
	if (c->ctbuf_cap < len) {
		free(c->ctbuf);
		c->ctbuf = xmalloc(len);
		c->ctbuf_cap = len;
	}
	iov.iov_base = wbuf_data(&c->chain);
	iov.iov_len = len;
	if (smb2_encrypt(c->tx, c->session_id, &iov, 1, th, c->ctbuf) == -1)
		return -1;
	wbuf_put_u32be(&c->out, (uint32_t)(len + sizeof(th)));
	wbuf_put_bytes(&c->out, th, sizeof(th));
	wbuf_put_bytes(&c->out, c->ctbuf, len);
	return wbuf_error(&c->out) ? -1 : 0;
}

int
lg_send(struct lg_conn *c, struct lg_slot *s)
{
	struct lg_pend *p;
	uint32_t cmd;
	uint64_t t;
	int i;

	if (c->nelem == 0)
		return -1;
	if (wbuf_error(&c->chain))
		fatalx("%s: request too large", __func__);
	if ((c->signing || c->sign_next) && !c->encrypting &&
	    conn_sign_chain(c) == -1)
		fatalx("%s: signing failed", __func__);
	c->sign_next = 0;
	t = lg_now();
	for (i = 0; i < c->nelem; i++) {
		p = &c->pend[(c->next_mid + (uint64_t)i) & (LG_PEND - 1)];
		if (p->slot != NULL)
			fatalx("%s: message id %llu still in flight",
			    __func__, (unsigned long long)(c->next_mid + i));
		/* Command and CreditRequest, as lg_req() wrote them. */
		wbuf_peek_u32le(&c->chain, c->elem[i] + HDR_OFF_COMMAND, &cmd);
		p->slot = s;
		p->t = t;
		p->cmd = (uint16_t)cmd;
		p->extra = c->elem_extra[i];
	}
	if (conn_frame_chain(c) == -1)
		fatalx("%s: cannot queue the request", __func__);
	c->next_mid += (uint64_t)c->nelem;
	c->credits -= c->credits >= (uint32_t)c->nelem ?
	    (uint32_t)c->nelem : c->credits;
	c->inflight += (uint32_t)c->nelem;
	if (c->st != NULL)
		c->st->reqs += (uint64_t)c->nelem;
	c->nelem = 0;
	wbuf_reset(&c->chain);
	return 0;
}

int
lg_flush(struct lg_conn *c)
{
	size_t len = wbuf_len(&c->out);
	ssize_t n;

	while (c->out_off < len) {
		n = write(c->fd, wbuf_data(&c->out) + c->out_off,
		    len - c->out_off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			log_warn("connection %d: write", c->id);
			return -1;
		}
		c->out_off += (size_t)n;
	}
	wbuf_reset(&c->out);
	c->out_off = 0;
	return 0;
}

int
lg_out_pending(const struct lg_conn *c)
{
	return c->out_off < wbuf_len(&c->out);
}

void
lg_count_error(struct lg_slot *s, uint16_t cmd, uint32_t status)
{
	struct lg_conn *c = s->conn;

	s->failed = 1;
	if (c->st != NULL) {
		c->st->last_status = status;
		c->st->last_cmd = cmd;
	}
	if (c->o->verbose)
		log_warnx("connection %d: %s: %s", c->id,
		    smb2_command_name(cmd), ntstatus_name(status));
}

/* Keep a copy of a synchronous exchange's response. */
static void
conn_sync_done(struct lg_conn *c, const struct lg_resp *r)
{
	struct lg_sync *y = c->sync;

	if (y == NULL || y->done)
		fatalx("connection %d: unexpected response", c->id);
	y->hdr = r->hdr;
	y->len = rbuf_left(&r->msg);
	y->msg = xmalloc(y->len);
	memcpy(y->msg, rbuf_cur(&r->msg), y->len);
	y->done = 1;
}

static int
conn_counting(const struct lg_conn *c, uint64_t t)
{
	const struct lg_phase *ph = c->ph;

	return ph != NULL && ph->timed && t >= ph->t_start &&
	    (ph->t_end == 0 || t <= ph->t_end);
}

/* One response element: credits, the table, then its owner. */
static int
conn_dispatch(struct lg_conn *c, const struct lg_resp *r)
{
	struct lg_pend *p;
	struct lg_slot *s;
	uint64_t t;

	c->credits += r->hdr.credits;
	if (r->hdr.message_id == LG_OPLOCK_BREAK_MID &&
	    r->hdr.command == SMB2_OPLOCK_BREAK) {
		/* Only the break workloads ask for oplocks and leases. */
		if (c->ph != NULL && c->ph->work->notify != NULL)
			return c->ph->work->notify(c, r);
		return 0;
	}
	p = &c->pend[r->hdr.message_id & (LG_PEND - 1)];
	if (p->slot == NULL || p->cmd != r->hdr.command) {
		log_warnx("connection %d: response to no request (%s, "
		    "message id %llu)", c->id,
		    smb2_command_name(r->hdr.command),
		    (unsigned long long)r->hdr.message_id);
		return -1;
	}
	/* An interim response: the final one comes later. */
	if (r->hdr.status == NT_STATUS_PENDING &&
	    (r->hdr.flags & SMB2_FLAGS_ASYNC_COMMAND))
		return 0;
	s = p->slot;
	t = lg_now();
	if (c->st != NULL && conn_counting(c, t))
		lg_hist_add(&c->st->cmd[r->hdr.command], t - p->t);
	c->inflight--;
	c->extra_asked -= p->extra < c->extra_asked ? p->extra :
	    c->extra_asked;
	p->slot = NULL;
	if (s == &lg_sync_owner) {
		conn_sync_done(c, r);
		return 0;
	}
	s->nwait--;
	switch (c->ph->work->resp(s, r)) {
	case LG_NEXT:
		lg_slot_kick(s);
		break;
	case LG_DONE:
		lg_slot_done(s, t);
		break;
	}
	if (c->waitq != NULL)
		lg_conn_unblock(c);
	return 0;
}

/* Check one element's signature where signing says it must have one. */
static int
conn_check_sig(struct lg_conn *c, const struct lg_resp *r, int encrypted)
{
	if (encrypted || c->signer == NULL)
		return 0;
	if (r->hdr.flags & SMB2_FLAGS_SIGNED) {
		if (smb2_verify(c->signer, rbuf_cur(&r->msg),
		    rbuf_left(&r->msg)) == -1) {
			log_warnx("connection %d: bad signature on %s",
			    c->id, smb2_command_name(r->hdr.command));
			return -1;
		}
		return 0;
	}
	/*
	 * Interim responses and the oplock breaks are not signed (3.2.5.1.3),
	 * and ECHO need not be: the server SHOULD sign it (3.3.4.1.1), and
	 * it carries nothing.
	 */
	if (c->signing && r->hdr.status != NT_STATUS_PENDING &&
	    r->hdr.message_id != LG_OPLOCK_BREAK_MID &&
	    r->hdr.command != SMB2_ECHO) {
		log_warnx("connection %d: unsigned %s response", c->id,
		    smb2_command_name(r->hdr.command));
		return -1;
	}
	return 0;
}

/* Split a (decrypted) message into its compound elements. */
static int
conn_message(struct lg_conn *c, const uint8_t *data, size_t len,
    int encrypted)
{
	struct rbuf all, e;
	struct lg_resp r;
	size_t off = 0, elen;

	rbuf_init(&all, data, len);
	while (off < len) {
		if (rbuf_sub(&all, off, len - off, &e) == -1 ||
		    smb2_hdr_parse(&e, &r.hdr) == -1) {
			log_warnx("connection %d: bad SMB2 header", c->id);
			return -1;
		}
		elen = r.hdr.next_command != 0 ? r.hdr.next_command :
		    len - off;
		if (elen < SMB2_HEADER_SIZE || elen > len - off ||
		    rbuf_sub(&all, off, elen, &r.msg) == -1) {
			log_warnx("connection %d: bad NextCommand", c->id);
			return -1;
		}
		if (!(r.hdr.flags & SMB2_FLAGS_SERVER_TO_REDIR)) {
			log_warnx("connection %d: a request from the server",
			    c->id);
			return -1;
		}
		if (conn_check_sig(c, &r, encrypted) == -1 ||
		    conn_dispatch(c, &r) == -1)
			return -1;
		off += elen;
	}
	return 0;
}

/* One frame: decrypt a TRANSFORM message, then its elements. */
static int
conn_frame(struct lg_conn *c, const uint8_t *frame, size_t len)
{
	struct rbuf r;
	uint64_t sid;
	size_t plen;
	uint32_t proto;

	rbuf_init(&r, frame, len);
	if (rbuf_get_u32be(&r, &proto) == -1) {
		log_warnx("connection %d: short message", c->id);
		return -1;
	}
	if (proto != SMB2_TRANSFORM_PROTOCOL_ID)
		return conn_message(c, frame, len, 0);
	if (c->rx_c == NULL) {
		log_warnx("connection %d: encrypted message without keys",
		    c->id);
		return -1;
	}
	if (c->plain_cap < len) {
		free(c->plain);
		c->plain = xmalloc(len);
		c->plain_cap = len;
	}
	if (smb2_decrypt(c->rx_c, frame, len, c->plain, &plen, &sid) == -1 ||
	    sid != c->session_id) {
		log_warnx("connection %d: cannot decrypt a response", c->id);
		return -1;
	}
	return conn_message(c, c->plain, plen, 1);
}

int
lg_input(struct lg_conn *c)
{
	const char *why = NULL;
	uint8_t *frame;
	size_t len;
	int rv;

	for (;;) {
		rv = smb_frame_rx_read(&c->rx, c->fd, 0, &frame, &len, &why);
		switch (rv) {
		case SMB_FRAME_NONE:
			return 0;
		case SMB_FRAME_MSG:
			if (conn_frame(c, frame, len) == -1)
				return -1;
			break;
		case SMB_FRAME_KEEPALIVE:
			break;
		case SMB_FRAME_EOF:
			log_warnx("connection %d: closed by the server",
			    c->id);
			return -1;
		default:
			log_warnx("connection %d: %s", c->id,
			    why != NULL ? why : "framing error");
			return -1;
		}
	}
}

int
lg_transact(struct lg_conn *c, struct lg_sync *y)
{
	struct pollfd pfd;

	memset(y, 0, sizeof(*y));
	c->sync = y;
	if (lg_send(c, &lg_sync_owner) == -1)
		return -1;
	while (!y->done) {
		if (lg_flush(c) == -1)
			return -1;
		pfd.fd = c->fd;
		pfd.events = POLLIN | (lg_out_pending(c) ? POLLOUT : 0);
		if (poll(&pfd, 1, 30000) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd.revents == 0) {
			log_warnx("connection %d: no answer in 30 s", c->id);
			return -1;
		}
		if (lg_input(c) == -1)
			return -1;
	}
	c->sync = NULL;
	return 0;
}

void
lg_sync_free(struct lg_sync *y)
{
	free(y->msg);
	memset(y, 0, sizeof(*y));
}

void
lg_sync_resp(const struct lg_sync *y, struct lg_resp *r)
{
	r->hdr = y->hdr;
	rbuf_init(&r->msg, y->msg, y->len);
}

/* The operation engine: start, send when credits allow, finish. */

/*
 * Credits one send of the workload takes: a server that grants little
 * must still let a one-request workload go on with a single credit.
 */
static int
slot_need(const struct lg_conn *c)
{
	return c->ph->work->chain > 0 ? c->ph->work->chain : 1;
}

void
lg_slot_kick(struct lg_slot *s)
{
	struct lg_conn *c = s->conn;

	if (!lg_can_send(c, slot_need(c))) {
		s->next = NULL;
		if (c->waitq_tail != NULL)
			c->waitq_tail->next = s;
		else
			c->waitq = s;
		c->waitq_tail = s;
		return;
	}
	if ((s->nwait = c->ph->work->send(s)) <= 0)
		fatalx("%s: %s sent nothing", __func__, c->ph->work->name);
}

/* Slots that waited for credits go now that responses brought some. */
void
lg_conn_unblock(struct lg_conn *c)
{
	struct lg_slot *s;

	while ((s = c->waitq) != NULL && lg_can_send(c, slot_need(c))) {
		c->waitq = s->next;
		if (c->waitq == NULL)
			c->waitq_tail = NULL;
		if ((s->nwait = c->ph->work->send(s)) <= 0)
			fatalx("%s: %s sent nothing", __func__,
			    c->ph->work->name);
	}
}

void
lg_slot_start(struct lg_slot *s)
{
	struct lg_conn *c = s->conn;
	struct lg_phase *ph = c->ph;

	s->step = 0;
	s->failed = 0;
	s->nwait = 0;
	if (atomic_load(&ph->stop) ||
	    (ph->t_end != 0 && lg_now() >= ph->t_end) ||
	    ph->work->start(s) == -1) {
		if (s->busy) {
			s->busy = 0;
			c->active--;
		}
		return;
	}
	if (!s->busy) {
		s->busy = 1;
		c->active++;
	}
	s->t0 = lg_now();
	lg_slot_kick(s);
}

void
lg_slot_done(struct lg_slot *s, uint64_t t)
{
	struct lg_conn *c = s->conn;
	struct lg_stats *st = c->st;

	if (st != NULL) {
		if (s->failed)
			st->errors++;
		else if (conn_counting(c, t)) {
			st->ops++;
			lg_hist_add(&st->op, t - s->t0);
			if (t > st->t_last)
				st->t_last = t;
		}
	}
	lg_slot_start(s);
}
