/*
 * Unit test of ipc_chan_drain() (shared/ipc.c): the master reads what a
 * child sent before it exited (a preauth process's handoff, a worker's
 * last log lines) in one call when it reaps the child, past the batch of
 * messages the event callback reads at a time, then sees the end of the
 * channel; a peer that is still there is read up to what it sent.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdint.h>
#include <unistd.h>

#include <event2/event.h>

#include "ipc.h"
#include "unit.h"
#include "util.h"

static int	ndispatched, nclosed;
static uint32_t	last_seq;
static int	in_order = 1;

static void
dispatch(struct ipc_chan *c, struct ipc_msg *m, void *arg)
{
	if (m->hdr.peerid != last_seq + 1)
		in_order = 0;
	last_seq = m->hdr.peerid;
	ndispatched++;
}

static void
closed(struct ipc_chan *c, void *arg)
{
	nclosed++;
	ipc_chan_free(c);
}

int
main(void)
{
	static const struct ipc_rule rule[] = {
		{ IPC_FROM(PROG_MASTER), IPC_PH_ALL, 1, 0, 8, IPC_FD_NONE, 0 },
	};
	static const struct ipc_rules rules = { "test", rule, nitems(rule) };
	const struct ipc_peer peer = { &rules, IPC_FROM(PROG_MASTER),
	    IPC_PH_RUN };
	struct event_base *base;
	struct ipc_chan *c;
	uint32_t i;
	int sv[2];

	CHECK((base = event_base_new()) != NULL);

	/* A peer that sent 200 messages and went away. */
	CHECK(ipc_socketpair(sv) == 0);
	c = ipc_chan_new(base, sv[0], "gone", &peer, dispatch, closed, NULL);
	CHECK(c != NULL);
	for (i = 1; i <= 200; i++)
		CHECK(ipc_send(sv[1], 1, i, -1, "12345678", 8) == 0);
	close(sv[1]);
	CHECK(ipc_chan_drain(c) == 1);
	CHECK(ndispatched == 200 && in_order);
	CHECK(nclosed == 1);

	/* A peer that is still there: what it sent, and no end. */
	ndispatched = nclosed = 0;
	last_seq = 0;
	CHECK(ipc_socketpair(sv) == 0);
	c = ipc_chan_new(base, sv[0], "alive", &peer, dispatch, closed, NULL);
	CHECK(c != NULL);
	for (i = 1; i <= 5; i++)
		CHECK(ipc_send(sv[1], 1, i, -1, "1234", 4) == 0);
	CHECK(ipc_chan_drain(c) == 0);
	CHECK(ndispatched == 5 && in_order && nclosed == 0);

	/* A message the rules refuse ends the drain and the channel. */
	CHECK(ipc_send(sv[1], 2, 6, -1, NULL, 0) == 0);
	CHECK(ipc_send(sv[1], 1, 7, -1, "1234", 4) == 0);
	CHECK(ipc_chan_drain(c) == 1);
	CHECK(ndispatched == 5 && nclosed == 1);
	close(sv[1]);
	event_base_free(base);
	return unit_done();
}
