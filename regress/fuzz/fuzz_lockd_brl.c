/*
 * libFuzzer target for lockd's byte-range lock table: the input is a
 * program of operations (open, close, lock, unlock, check, cancel,
 * acknowledge, expiry of a notice, a worker's end) by three workers on
 * two files, with offsets and lengths near the edges of the 64-bit
 * range.  Whatever the order, nothing may crash or leak, and once every
 * worker is gone no lock and no open may be left.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lockd_brl.h"
#include "lockd_proto.h"
#include "lockd_share.h"
#include "log.h"


static uint64_t	notify_id;

/* The limit's log lines would drown the fuzzer's output. */
static void
fuzz_quiet(int level, const char *line)
{
}

static void
reply_cb(uint32_t peer, uint64_t reqid, uint32_t status)
{
	if (peer < 1 || peer > 3)
		abort();
}

static int
notify_cb(uint32_t peer, uint64_t id, const uint64_t *handles, size_t n)
{
	if (peer < 1 || peer > 3 || n == 0)
		abort();
	notify_id = id;
	return 0;
}

static const uint64_t	vals[8] = { 0, 1, 2, 9, 10, 100, UINT64_MAX - 1,
	UINT64_MAX };

struct prog {
	const uint8_t	*p;
	size_t		 left;
};

static uint8_t
next(struct prog *g)
{
	if (g->left == 0)
		return 0;
	g->left--;
	return *g->p++;
}

FUZZ_TARGET(lockd_brl, data, size)
{
	static int init;
	struct prog g = { data, size };
	struct lockd_brl_elem e[3];
	struct lockd_brl_io io[3];
	struct { uint32_t peer; uint64_t h; } open[8];
	uint64_t h;
	uint32_t peer, fl;
	size_t i, n, at;
	uint8_t op, s;
	int has;

	if (!init) {
		lockd_brl_init(reply_cb, notify_cb);
		lockd_brl_set_limit(16);
		log_set_forward(fuzz_quiet);
		init = 1;
	}
	memset(open, 0, sizeof(open));
	while (g.left > 0) {
		op = next(&g);
		peer = 1 + (op >> 4) % 3;
		s = next(&g) % 8;
		switch (op % 8) {
		case 0:
			if (lockd_share_open(peer, 0, 1, 1 + (s & 1),
			    (s & 2) ? "s" : "", 3, 7, 0, &h) == 0) {
				open[s].peer = peer;
				open[s].h = h;
			}
			break;
		case 1:
			if (open[s].h == 0)
				break;
			lockd_brl_close(open[s].peer, open[s].h);
			lockd_share_close(open[s].peer, open[s].h, &fl);
			open[s].h = 0;
			break;
		case 2:
		case 3:
			n = 1 + next(&g) % 3;
			for (i = 0; i < n; i++) {
				e[i].off = vals[next(&g) % 8];
				e[i].len = vals[next(&g) % 8];
				e[i].flags = next(&g) & 0x17;
			}
			if (op % 8 == 2)
				lockd_brl_lock(open[s].peer, open[s].h,
				    next(&g), e, n);
			else
				lockd_brl_unlock(open[s].peer, open[s].h, e,
				    n);
			break;
		case 4:
			n = 1 + next(&g) % 3;
			for (i = 0; i < n; i++) {
				io[i].handle = open[(s + i) % 8].h;
				io[i].off = vals[next(&g) % 8];
				io[i].len = vals[next(&g) % 8];
				io[i].write = next(&g) & 1;
			}
			lockd_brl_check(peer, io, n, &has, &at);
			break;
		case 5:
			lockd_brl_cancel(peer, s);
			break;
		case 6:
			/* Or a lock notice nobody acknowledged expires. */
			if (s & 4)
				lockd_brl_expire(UINT64_MAX / 2, 0);
			else
				lockd_brl_ack(peer, notify_id);
			break;
		case 7:
			lockd_brl_release_peer(peer);
			lockd_share_release_peer(peer);
			for (i = 0; i < 8; i++)
				if (open[i].peer == peer)
					open[i].h = 0;
			break;
		}
	}
	for (peer = 1; peer <= 3; peer++) {
		lockd_brl_release_peer(peer);
		lockd_share_release_peer(peer);
	}
	if (lockd_brl_count() != 0 || lockd_share_count() != 0)
		abort();
	return 0;
}
