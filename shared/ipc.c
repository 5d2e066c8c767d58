/*
 * Framed IPC between usmbd processes: SOCK_SEQPACKET socketpairs carrying
 * a fixed header, a bounded payload and at most one file descriptor.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ipc.h"
#include "log.h"
#include "util.h"

int
ipc_socketpair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

static int	ipc_send_flags(int, uint32_t, uint32_t, int, const void *,
		    size_t, int);

int
ipc_send(int sock, uint32_t type, uint32_t peerid, int fd, const void *data,
    size_t len)
{
	return ipc_send_flags(sock, type, peerid, fd, data, len, 0);
}

int
ipc_send_nowait(int sock, uint32_t type, uint32_t peerid, const void *data,
    size_t len)
{
	return ipc_send_flags(sock, type, peerid, -1, data, len, MSG_DONTWAIT);
}

static int
ipc_send_flags(int sock, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len, int flags)
{
	struct ipc_hdr hdr;
	struct msghdr mh;
	struct iovec iov[2];
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct cmsghdr *cmsg;
	ssize_t n;

	if (len > IPC_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint32_t)len;
	hdr.peerid = peerid;
	hdr.pid = (uint32_t)getpid();

	memset(&mh, 0, sizeof(mh));
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	mh.msg_iov = iov;
	mh.msg_iovlen = len > 0 ? 2 : 1;
	if (fd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != sizeof(hdr) + len) {
		/* A sequenced packet is sent whole or not at all. */
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int
ipc_recv(int sock, struct ipc_msg *m, uint8_t *buf, size_t bufsz)
{
	struct msghdr mh;
	struct iovec iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd = -1, nfds, total = 0;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = bufsz;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n == 0)
		return 0;

	/* Take any fd first so that it is closed on every error path. */
	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < nfds; i++) {
			int tmp;

			memcpy(&tmp, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(int));
			if (fd == -1)
				fd = tmp;
			else
				close(tmp);
			total++;
		}
	}
	/* One fd per message; a lost fd (MSG_CTRUNC) is an error too. */
	if (total > 1 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n < IPC_HDR_LEN) {
		if (fd >= 0)
			close(fd);
		errno = EPROTO;
		return -1;
	}
	memcpy(&m->hdr, buf, IPC_HDR_LEN);
	if (m->hdr.len > IPC_MAX_PAYLOAD ||
	    (size_t)n != IPC_HDR_LEN + m->hdr.len) {
		if (fd >= 0)
			close(fd);
		errno = EPROTO;
		return -1;
	}
	m->fd = fd;
	m->data = buf + IPC_HDR_LEN;
	return 1;
}

int
ipc_check(struct ipc_peer *p, const struct ipc_msg *m)
{
	const struct ipc_rule *r;
	size_t i;

	for (i = 0; i < p->rules->n; i++) {
		r = &p->rules->rule[i];
		if (r->type != m->hdr.type || (r->from & p->from) == 0 ||
		    (r->phases & p->phase) == 0)
			continue;
		if (m->hdr.len < r->minlen || m->hdr.len > r->maxlen)
			return -1;
		switch (r->fd) {
		case IPC_FD_NONE:
			if (m->fd != -1)
				return -1;
			break;
		case IPC_FD_REQUIRED:
			if (m->fd == -1)
				return -1;
			break;
		case IPC_FD_OPTIONAL:
			break;
		default:
			return -1;
		}
		if (r->next != 0)
			p->phase = r->next;
		return 0;
	}
	return -1;
}

struct ipc_out {
	TAILQ_ENTRY(ipc_out)	 entry;
	uint32_t		 type;
	uint32_t		 peerid;
	int			 fd;
	size_t			 len;
	uint8_t			 data[];
};

struct ipc_chan {
	int			 fd;
	char			*name;
	struct event		*ev_read;
	struct event		*ev_write;
	struct ipc_peer		 peer;
	ipc_dispatch_cb		 dispatch;
	ipc_closed_cb		 closed;
	void			*arg;
	int			 dead;
	int			*freed;	/* set when freed during dispatch */
	TAILQ_HEAD(, ipc_out)	 outq;
	size_t			 queued;	/* bytes held by outq */
	uint8_t			*rbuf;
};

static void	ipc_chan_die(struct ipc_chan *);

/*
 * Read and dispatch up to max messages (0: until the socket is empty or
 * closed).  Returns 1 when the owner freed the channel meanwhile, in a
 * dispatch or in its closed callback; 0 otherwise.
 */
static int
ipc_chan_read(struct ipc_chan *c, int max)
{
	struct ipc_msg m;
	int r, i, freed = 0;

	/* The owner may free the channel in dispatch or in closed. */
	c->freed = &freed;
	for (i = 0; (max == 0 || i < max) && !c->dead; i++) {
		r = ipc_recv(c->fd, &m, c->rbuf, IPC_HDR_LEN + IPC_MAX_PAYLOAD);
		if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r == -1) {
			log_warn("ipc %s: receive", c->name);
			ipc_chan_die(c);
			break;
		}
		if (r == 0) {
			ipc_chan_die(c);
			break;
		}
		if (ipc_check(&c->peer, &m) == -1) {
			log_warnx("ipc %s: unexpected message type %u, length "
			    "%u, %s fd from pid %u in phase 0x%x; closing "
			    "channel", c->name, m.hdr.type, m.hdr.len,
			    m.fd == -1 ? "without" : "with", m.hdr.pid,
			    c->peer.phase);
			if (m.fd != -1)
				close(m.fd);
			ipc_chan_die(c);
			break;
		}
		c->dispatch(c, &m, c->arg);
		if (freed)
			return 1;
	}
	if (freed)
		return 1;
	c->freed = NULL;
	return 0;
}

static void
ipc_chan_readcb(evutil_socket_t fd, short what, void *arg)
{
	/* Drain what is there, but yield to other events after a batch. */
	ipc_chan_read(arg, 64);
}

int
ipc_chan_drain(struct ipc_chan *c)
{
	return ipc_chan_read(c, 0);
}

static int
ipc_chan_trysend(struct ipc_chan *c)
{
	struct ipc_out *o;

	while ((o = TAILQ_FIRST(&c->outq)) != NULL) {
		if (ipc_send(c->fd, o->type, o->peerid, o->fd, o->data,
		    o->len) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -1;
		}
		TAILQ_REMOVE(&c->outq, o, entry);
		c->queued -= sizeof(*o) + o->len;
		if (o->fd != -1)
			close(o->fd);
		explicit_bzero(o->data, o->len);
		free(o);
	}
	return 0;
}

static void
ipc_chan_writecb(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_chan *c = arg;
	int r;

	if ((r = ipc_chan_trysend(c)) == -1) {
		log_warn("ipc %s: send", c->name);
		ipc_chan_die(c);
		return;
	}
	if (r == 0)
		event_del(c->ev_write);
}

/*
 * Stop using a channel and tell its owner once; the owner frees it.
 */
static void
ipc_chan_die(struct ipc_chan *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	event_del(c->ev_read);
	event_del(c->ev_write);
	c->closed(c, c->arg);
}

struct ipc_chan *
ipc_chan_new(struct event_base *base, int fd, const char *name,
    const struct ipc_peer *peer, ipc_dispatch_cb dispatch,
    ipc_closed_cb closed, void *arg)
{
	struct ipc_chan *c;

	if (fd_set_nonblock(fd) == -1)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->name = xstrdup(name);
	c->peer = *peer;
	c->dispatch = dispatch;
	c->closed = closed;
	c->arg = arg;
	TAILQ_INIT(&c->outq);
	c->rbuf = xmalloc(IPC_HDR_LEN + IPC_MAX_PAYLOAD);
	c->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, ipc_chan_readcb,
	    c);
	c->ev_write = event_new(base, fd, EV_WRITE | EV_PERSIST,
	    ipc_chan_writecb, c);
	if (c->ev_read == NULL || c->ev_write == NULL ||
	    event_add(c->ev_read, NULL) == -1)
		fatalx("ipc %s: cannot set up events", name);
	return c;
}

void
ipc_chan_set_phase(struct ipc_chan *c, uint32_t phase)
{
	c->peer.phase = phase;
}

uint32_t
ipc_chan_phase(const struct ipc_chan *c)
{
	return c->peer.phase;
}

int
ipc_chan_send(struct ipc_chan *c, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct ipc_out *o;
	int r;

	if (c->dead) {
		errno = EPIPE;
		return -1;
	}
	if (len > IPC_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	o = xmalloc(sizeof(*o) + len);
	o->type = type;
	o->peerid = peerid;
	o->len = len;
	o->fd = -1;
	if (len > 0)
		memcpy(o->data, data, len);
	if (fd != -1 && (o->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		log_warn("ipc %s: dup", c->name);
		free(o);
		return -1;
	}
	TAILQ_INSERT_TAIL(&c->outq, o, entry);
	c->queued += sizeof(*o) + len;
	if ((r = ipc_chan_trysend(c)) == -1) {
		log_warn("ipc %s: send", c->name);
		return -1;
	}
	if (r == 1 && event_add(c->ev_write, NULL) == -1)
		return -1;
	return 0;
}

size_t
ipc_chan_queued(const struct ipc_chan *c)
{
	return c->queued;
}

int
ipc_chan_flush(struct ipc_chan *c)
{
	int fl, r;

	if ((fl = fcntl(c->fd, F_GETFL)) == -1 ||
	    fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		return -1;
	r = ipc_chan_trysend(c);
	if (fcntl(c->fd, F_SETFL, fl) == -1)
		return -1;
	return r == 0 ? 0 : -1;
}

int
ipc_chan_fd(const struct ipc_chan *c)
{
	return c->fd;
}

const char *
ipc_chan_name(const struct ipc_chan *c)
{
	return c->name;
}

void
ipc_chan_free(struct ipc_chan *c)
{
	struct ipc_out *o;

	if (c == NULL)
		return;
	if (c->freed != NULL)
		*c->freed = 1;
	event_free(c->ev_read);
	event_free(c->ev_write);
	while ((o = TAILQ_FIRST(&c->outq)) != NULL) {
		TAILQ_REMOVE(&c->outq, o, entry);
		if (o->fd != -1)
			close(o->fd);
		explicit_bzero(o->data, o->len);
		free(o);
	}
	close(c->fd);
	free(c->rbuf);
	free(c->name);
	free(c);
}
