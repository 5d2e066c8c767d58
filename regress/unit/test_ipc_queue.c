/*
 * Unit test of ipc_chan_queued() (shared/ipc.c): what a channel holds for
 * a peer that does not read grows with every message the socket refuses
 * and goes back to zero once the peer reads, so that lockd and the
 * master can bound what a worker that stops reading costs them.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdint.h>
#include <unistd.h>

#include <event2/event.h>

#include "ipc.h"
#include "unit.h"
#include "util.h"

static void
dispatch(struct ipc_chan *c, struct ipc_msg *m, void *arg)
{
}

static void
closed(struct ipc_chan *c, void *arg)
{
}

int
main(void)
{
	static uint8_t payload[1000], buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	static const struct ipc_rule rule[] = {
		{ IPC_FROM(PROG_MASTER), IPC_PH_ALL, 1, 0, 0, IPC_FD_NONE, 0 },
	};
	static const struct ipc_rules rules = { "test", rule, nitems(rule) };
	const struct ipc_peer peer = { &rules, IPC_FROM(PROG_MASTER),
	    IPC_PH_RUN };
	struct event_base *base;
	struct ipc_chan *c;
	struct ipc_msg m;
	size_t i, q = 0, sent = 0, got = 0;
	int sv[2];

	CHECK((base = event_base_new()) != NULL);
	CHECK(ipc_socketpair(sv) == 0);
	c = ipc_chan_new(base, sv[0], "test", &peer, dispatch, closed, NULL);
	CHECK(c != NULL && ipc_chan_queued(c) == 0);
	/* Nobody reads sv[1]: the socket fills, then the queue grows. */
	for (i = 0; i < 100000 && ipc_chan_queued(c) < 65536; i++) {
		CHECK(ipc_chan_send(c, 2, 0, -1, payload,
		    sizeof(payload)) == 0);
		sent++;
	}
	q = ipc_chan_queued(c);
	CHECK(q >= 65536 && q < 65536 + 2 * sizeof(payload));
	/* The peer reads everything: the queue drains to nothing. */
	CHECK(fd_set_nonblock(sv[1]) == 0);
	while (got < sent) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		while (ipc_recv(sv[1], &m, buf, sizeof(buf)) == 1)
			got++;
	}
	CHECK(got == sent && ipc_chan_queued(c) == 0);
	ipc_chan_free(c);
	close(sv[1]);
	event_base_free(base);
	return unit_done();
}
