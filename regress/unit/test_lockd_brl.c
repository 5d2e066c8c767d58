/*
 * Unit tests for lockd's byte-range locks (lockd/lockd_brl.c): the range
 * rules of MS-FSA 2.1.5.7 and 2.1.4.10 as smbtorture's smb2.lock tests
 * expect them, all-or-nothing requests, waiting locks, and the notice
 * to workers before the first lock of a file is granted.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "lockd_brl.h"
#include "lockd_proto.h"
#include "lockd_share.h"
#include "unit.h"
#include "util.h"

#define RW	0x00000003	/* FILE_READ_DATA | FILE_WRITE_DATA */
#define SHARE	0x00000007

#define S	LOCKD_LOCKFLAG_SHARED
#define X	LOCKD_LOCKFLAG_EXCLUSIVE
#define U	LOCKD_LOCKFLAG_UNLOCK
#define FI	LOCKD_LOCKFLAG_FAIL_IMMEDIATELY

/* What lockd_brl sent on its own. */
static uint32_t	last_peer, last_status, nreplies;
static uint64_t	last_reqid;
static uint32_t	notified[8];
static uint64_t	notify_id;
static size_t	nnotified, notified_handles;

static void
reply_cb(uint32_t peer, uint64_t reqid, uint32_t status)
{
	last_peer = peer;
	last_reqid = reqid;
	last_status = status;
	nreplies++;
}

static int
notify_cb(uint32_t peer, uint64_t id, const uint64_t *handles, size_t n)
{
	if (nnotified < 8)
		notified[nnotified++] = peer;
	notify_id = id;
	notified_handles += n;
	return 0;
}

static uint32_t
lock1(uint32_t peer, uint64_t h, uint64_t reqid, uint64_t off, uint64_t len,
    uint32_t flags)
{
	struct lockd_brl_elem e = { off, len, flags };

	return lockd_brl_lock(peer, h, reqid, &e, 1);
}

static uint32_t
unlock1(uint32_t peer, uint64_t h, uint64_t off, uint64_t len)
{
	struct lockd_brl_elem e = { off, len, U };

	return lockd_brl_unlock(peer, h, &e, 1);
}

static uint32_t
check1(uint32_t peer, uint64_t h, uint64_t off, uint64_t len, int write)
{
	struct lockd_brl_io io = { h, off, len, write };
	size_t at;
	int has;

	return lockd_brl_check(peer, &io, 1, &has, &at);
}

int
main(void)
{
	struct lockd_brl_elem two[2], *big;
	struct lockd_brl_io *bigio;
	uint64_t h1, h2, h3;
	struct lockd_brl_io ios[3];
	uint32_t fl;
	size_t at, i, k, nwaiting;
	int has;

	lockd_brl_init(reply_cb, notify_cb);

	/* Ranges: the last byte must exist; zero length is always valid. */
	CHECK(lockd_brl_range_valid(0, 0));
	CHECK(lockd_brl_range_valid(UINT64_MAX, 0));
	CHECK(lockd_brl_range_valid(UINT64_MAX, 1));
	CHECK(!lockd_brl_range_valid(UINT64_MAX, 2));
	CHECK(!lockd_brl_range_valid(UINT64_MAX, UINT64_MAX));
	CHECK(lockd_brl_range_valid(UINT32_MAX, UINT32_MAX));
	CHECK(lockd_brl_range_valid(1, UINT64_MAX));
	CHECK(!lockd_brl_range_valid(2, UINT64_MAX));

	/* smb2.lock.zerobytelength: a 0-byte lock at 10 against others. */
	CHECK(!lockd_brl_overlap(10, 0, 10, 0));
	CHECK(!lockd_brl_overlap(10, 0, 9, 1));
	CHECK(!lockd_brl_overlap(10, 0, 10, 1));
	CHECK(!lockd_brl_overlap(10, 0, 11, 1));
	CHECK(lockd_brl_overlap(10, 0, 9, 2));
	CHECK(!lockd_brl_overlap(10, 0, 10, 2));
	CHECK(lockd_brl_overlap(10, 0, 9, 3));
	CHECK(lockd_brl_overlap(9, 2, 10, 0));
	CHECK(lockd_brl_overlap(0, 4, 2, 4));
	CHECK(!lockd_brl_overlap(0, 4, 4, 4));
	CHECK(lockd_brl_overlap(UINT64_MAX, 1, 0, UINT64_MAX) == 0);
	CHECK(lockd_brl_overlap(UINT64_MAX, 1, 1, UINT64_MAX));

	CHECK(lockd_share_open(1, 0, 1, 500, "", RW, SHARE, 0, &h1) == 0);
	CHECK(lockd_share_open(1, 0, 1, 500, "", RW, SHARE, 0, &h2) == 0);

	/*
	 * The first lock of a file waits for its worker's acknowledgement;
	 * the one worker with opens is told once, of both handles.
	 */
	nnotified = notified_handles = 0;
	CHECK(lock1(1, h1, 100, 0, 10, X | FI) == LOCKD_BRL_LATER);
	CHECK(nnotified == 1 && notified[0] == 1 && notified_handles == 2);
	CHECK(lockd_brl_file_locked(1, h2));
	nreplies = 0;
	lockd_brl_ack(1, notify_id);
	CHECK(nreplies == 1 && last_reqid == 100 &&
	    last_status == LOCKD_STATUS_OK);
	/* Now further locks are answered at once. */
	CHECK(lock1(1, h1, 101, 20, 10, S | FI) == LOCKD_STATUS_OK);

	/* Exclusive locks conflict with everything, the own handle too. */
	CHECK(lock1(1, h1, 0, 5, 1, X | FI) == LOCKD_STATUS_LOCK_NOT_GRANTED);
	CHECK(lock1(1, h2, 0, 5, 1, S | FI) == LOCKD_STATUS_LOCK_NOT_GRANTED);
	/* A shared lock stacks on the own exclusive one. */
	CHECK(lock1(1, h1, 0, 0, 10, S | FI) == LOCKD_STATUS_OK);
	/* Shared locks of different handles coexist... */
	CHECK(lock1(1, h2, 0, 22, 4, S | FI) == LOCKD_STATUS_OK);
	/* ...but an exclusive one does not stack on a shared one. */
	CHECK(lock1(1, h1, 0, 20, 10, X | FI) ==
	    LOCKD_STATUS_LOCK_NOT_GRANTED);

	/* IO: reads pass the own exclusive lock, not another's. */
	CHECK(check1(1, h1, 0, 5, 0) == LOCKD_STATUS_OK);
	CHECK(check1(1, h2, 0, 5, 0) == LOCKD_STATUS_FILE_LOCK_CONFLICT);
	/* A shared lock blocks writes, its owner's too. */
	CHECK(check1(1, h1, 20, 1, 1) == LOCKD_STATUS_FILE_LOCK_CONFLICT);
	CHECK(check1(1, h1, 20, 1, 0) == LOCKD_STATUS_OK);
	CHECK(check1(1, h2, 30, 10, 1) == LOCKD_STATUS_OK);
	CHECK(check1(1, h2, 5, 0, 1) == LOCKD_STATUS_OK);
	/* Several ranges: the first in conflict is named. */
	ios[0] = (struct lockd_brl_io){ h2, 40, 10, 1 };
	ios[1] = (struct lockd_brl_io){ h1, 0, 5, 0 };
	ios[2] = (struct lockd_brl_io){ h2, 0, 5, 0 };
	CHECK(lockd_brl_check(1, ios, 3, &has, &at) ==
	    LOCKD_STATUS_FILE_LOCK_CONFLICT && at == 2 && has == 1);

	/* Unlock: exact ranges only; the exclusive of a stack first. */
	CHECK(unlock1(1, h1, 0, 5) == LOCKD_STATUS_RANGE_NOT_LOCKED);
	CHECK(unlock1(1, h2, 0, 10) == LOCKD_STATUS_RANGE_NOT_LOCKED);
	CHECK(unlock1(1, h1, 0, 10) == LOCKD_STATUS_OK);
	CHECK(lock1(1, h2, 0, 0, 10, S | FI) == LOCKD_STATUS_OK);
	CHECK(unlock1(1, h2, 0, 10) == LOCKD_STATUS_OK);
	CHECK(unlock1(1, h1, 0, 10) == LOCKD_STATUS_OK);
	CHECK(unlock1(1, h1, 0, 10) == LOCKD_STATUS_RANGE_NOT_LOCKED);
	CHECK(unlock1(1, h1, 20, 10) == LOCKD_STATUS_OK);
	CHECK(unlock1(1, h2, 22, 4) == LOCKD_STATUS_OK);
	CHECK(lockd_brl_count() == 0);
	/* No locks: the file is no longer announced. */
	CHECK(!lockd_brl_file_locked(1, h1));
	CHECK(lockd_brl_check(1, &(struct lockd_brl_io){ h1, 0, 1, 1 }, 1,
	    &has, &at) == LOCKD_STATUS_OK && has == 0);

	/* Invalid ranges and flags. */
	CHECK(lock1(1, h1, 0, UINT64_MAX, UINT64_MAX, X | FI) ==
	    LOCKD_STATUS_INVALID_LOCK_RANGE);
	CHECK(lock1(1, h1, 0, 1, 1, 0) == LOCKD_STATUS_INVALID_PARAMETER);
	CHECK(lock1(1, h1, 0, 1, 1, X | S) == LOCKD_STATUS_INVALID_PARAMETER);
	CHECK(lock1(1, h1, 0, 1, 1, U | X) == LOCKD_STATUS_INVALID_PARAMETER);
	CHECK(lock1(1, 9999, 0, 1, 1, X) == LOCKD_STATUS_INVALID_HANDLE);
	CHECK(lock1(2, h1, 0, 1, 1, X) == LOCKD_STATUS_INVALID_HANDLE);

	/* All or nothing: the second element fails, the first is undone. */
	two[0] = (struct lockd_brl_elem){ 0, 10, X | FI };
	two[1] = (struct lockd_brl_elem){ UINT64_MAX, 2, X | FI };
	nnotified = 0;
	CHECK(lockd_brl_lock(1, h1, 0, two, 2) ==
	    LOCKD_STATUS_INVALID_LOCK_RANGE);
	CHECK(lockd_brl_count() == 0 && nnotified == 0);
	/* Several locks in one request may not wait. */
	two[1] = (struct lockd_brl_elem){ 20, 10, X };
	CHECK(lockd_brl_lock(1, h1, 0, two, 2) ==
	    LOCKD_STATUS_INVALID_PARAMETER);
	CHECK(lockd_brl_count() == 0);
	/* Unlocks done before a failing element stay done. */
	two[1] = (struct lockd_brl_elem){ 20, 10, X | FI };
	CHECK(lockd_brl_lock(1, h1, 1, two, 2) == LOCKD_BRL_LATER);
	lockd_brl_ack(1, notify_id);
	two[0].flags = two[1].flags = U;
	two[1].off = 40;
	CHECK(lockd_brl_unlock(1, h1, two, 2) ==
	    LOCKD_STATUS_RANGE_NOT_LOCKED);
	CHECK(lockd_brl_count() == 1);
	CHECK(unlock1(1, h1, 20, 10) == LOCKD_STATUS_OK);

	/* A blocking lock waits, and is granted when the range frees. */
	CHECK(lockd_share_open(2, 0, 1, 500, "", RW, SHARE, 0, &h3) == 0);
	nnotified = 0;
	CHECK(lock1(1, h1, 7, 100, 50, X) == LOCKD_BRL_LATER);
	CHECK(nnotified == 2);
	lockd_brl_ack(1, notify_id);
	nreplies = 0;
	lockd_brl_ack(2, notify_id);
	CHECK(nreplies == 1 && last_reqid == 7 && last_peer == 1);
	CHECK(lock1(2, h3, 8, 120, 10, X) == LOCKD_STATUS_PENDING);
	CHECK(lock1(1, h2, 9, 140, 10, S) == LOCKD_STATUS_PENDING);
	nreplies = 0;
	CHECK(unlock1(1, h1, 100, 50) == LOCKD_STATUS_OK);
	/* Both fit now: the file stays announced, so both answer now. */
	CHECK(nreplies == 2 && last_reqid == 9 &&
	    last_status == LOCKD_STATUS_OK);
	/* Cancel: the waiter ends with CANCELLED; a stale id is ignored. */
	CHECK(lock1(1, h1, 10, 125, 1, X) == LOCKD_STATUS_PENDING);
	nreplies = 0;
	lockd_brl_cancel(1, 10);
	CHECK(nreplies == 1 && last_status == LOCKD_STATUS_CANCELLED);
	lockd_brl_cancel(1, 10);
	CHECK(nreplies == 1);
	/* The waiter's own close ends it with RANGE_NOT_LOCKED. */
	CHECK(lock1(1, h1, 11, 125, 1, X) == LOCKD_STATUS_PENDING);
	nreplies = 0;
	lockd_brl_close(1, h1);
	CHECK(nreplies == 1 && last_reqid == 11 &&
	    last_status == LOCKD_STATUS_RANGE_NOT_LOCKED);
	CHECK(lockd_share_close(1, h1, &fl) == 0);
	/* The holder's close grants the waiter. */
	CHECK(lock1(1, h2, 12, 120, 1, X) == LOCKD_STATUS_PENDING);
	nreplies = 0;
	lockd_brl_close(2, h3);
	CHECK(lockd_share_close(2, h3, &fl) == 0);
	CHECK(nreplies == 1 && last_reqid == 12 &&
	    last_status == LOCKD_STATUS_OK);
	/* A worker that goes away takes its locks along. */
	lockd_brl_release_peer(1);
	CHECK(lockd_brl_count() == 0);
	CHECK(lockd_share_release_peer(1) == 1);
	CHECK(lockd_share_count() == 0);

	/* A worker that dies before acknowledging does not hold things up. */
	CHECK(lockd_share_open(1, 0, 1, 600, "", RW, SHARE, 0, &h1) == 0);
	CHECK(lockd_share_open(2, 0, 1, 600, "", RW, SHARE, 0, &h2) == 0);
	CHECK(lock1(1, h1, 20, 0, 1, X | FI) == LOCKD_BRL_LATER);
	lockd_brl_ack(1, notify_id);
	nreplies = 0;
	lockd_brl_release_peer(2);
	CHECK(lockd_share_release_peer(2) == 1);
	CHECK(nreplies == 1 && last_reqid == 20);
	/* Streams have locks of their own. */
	CHECK(lockd_share_open(1, 0, 1, 600, "s", RW, SHARE, 0, &h3) == 0);
	CHECK(lock1(1, h3, 21, 0, 1, X | FI) == LOCKD_BRL_LATER);
	lockd_brl_ack(1, notify_id);
	CHECK(check1(1, h1, 0, 1, 1) == LOCKD_STATUS_OK);
	lockd_brl_close(1, h3);
	CHECK(lockd_share_close(1, h3, &fl) == 0);
	lockd_brl_close(1, h1);
	CHECK(lockd_share_close(1, h1, &fl) == 0);
	CHECK(lockd_brl_count() == 0 && lockd_share_count() == 0);

	/* A worker's limit ("max byte range locks"); others go on. */
	lockd_brl_set_limit(2);
	CHECK(lockd_share_open(1, 0, 1, 700, "", RW, SHARE, 0, &h1) == 0);
	CHECK(lockd_share_open(2, 0, 1, 700, "", RW, SHARE, 0, &h2) == 0);
	CHECK(lock1(1, h1, 30, 0, 1, X | FI) == LOCKD_BRL_LATER);
	lockd_brl_ack(1, notify_id);
	lockd_brl_ack(2, notify_id);
	CHECK(lock1(1, h1, 31, 1, 1, X | FI) == LOCKD_STATUS_OK);
	CHECK(lock1(1, h1, 32, 2, 1, X | FI) ==
	    LOCKD_STATUS_INSUFFICIENT_RESOURCES);
	CHECK(lock1(2, h2, 33, 2, 1, X | FI) == LOCKD_STATUS_OK);
	CHECK(unlock1(1, h1, 0, 1) == LOCKD_STATUS_OK);
	CHECK(lock1(1, h1, 34, 3, 1, X | FI) == LOCKD_STATUS_OK);
	lockd_brl_release_peer(1);
	lockd_brl_release_peer(2);
	CHECK(lockd_share_release_peer(1) == 1);
	CHECK(lockd_share_release_peer(2) == 1);
	CHECK(lockd_brl_count() == 0 && lockd_share_count() == 0);

	/*
	 * A worker that never acknowledges holds up another's lock only
	 * until the announcement expires, and a lock/unlock loop while it
	 * is out cannot grow the list of pending grants without bound.
	 */
	lockd_brl_set_limit(100000);
	CHECK(lockd_share_open(1, 0, 1, 800, "", RW, SHARE, 0, &h1) == 0);
	CHECK(lockd_share_open(2, 0, 1, 800, "", RW, SHARE, 0, &h2) == 0);
	CHECK(lock1(1, h1, 40, 0, 1, X | FI) == LOCKD_BRL_LATER);
	lockd_brl_ack(1, notify_id);
	nreplies = 0;
	lockd_brl_expire(time_mono_ms(), LOCKD_BRL_ACK_TIMEOUT_MS);
	CHECK(nreplies == 0);
	for (i = 0; i < 5000; i++) {
		fl = lock1(1, h1, 1000 + i, 10, 1, X | FI);
		if (fl != LOCKD_BRL_LATER)
			break;
		CHECK(unlock1(1, h1, 10, 1) == LOCKD_STATUS_OK);
	}
	CHECK(fl == LOCKD_STATUS_INSUFFICIENT_RESOURCES && i < 5000);
	lockd_brl_expire(time_mono_ms(), 0);
	CHECK(nreplies == i + 1 && last_status == LOCKD_STATUS_OK);
	/* Not announced any longer: the next grant answers at once. */
	CHECK(lock1(1, h1, 50, 10, 1, X | FI) == LOCKD_STATUS_OK);
	lockd_brl_release_peer(1);
	lockd_brl_release_peer(2);
	CHECK(lockd_share_release_peer(1) == 1);
	CHECK(lockd_share_release_peer(2) == 1);
	CHECK(lockd_brl_count() == 0 && lockd_share_count() == 0);

	/*
	 * What one request may cost lockd, which every session shares: a
	 * LOCK of 4096 ranges fits on a file without locks, not on one
	 * with thousands; a CHECK of many ranges over them neither; and a
	 * file holds at most 10000 locks.
	 */
	CHECK(lockd_share_open(1, 0, 1, 900, "", RW, SHARE, 0, &h1) == 0);
	big = calloc(4096, sizeof(*big));
	bigio = calloc(4096, sizeof(*bigio));
	CHECK(big != NULL && bigio != NULL);
	for (i = 0; i < 4096; i++)
		big[i] = (struct lockd_brl_elem){ 2 * i, 1, X | FI };
	fl = lockd_brl_lock(1, h1, 60, big, 4096);
	CHECK(fl == LOCKD_BRL_LATER);
	lockd_brl_ack(1, notify_id);
	CHECK(lockd_brl_count() == 4096);
	for (i = 0; i < 4096; i++)
		big[i].off += 1 << 20;
	CHECK(lockd_brl_lock(1, h1, 61, big, 4096) ==
	    LOCKD_STATUS_INSUFFICIENT_RESOURCES);
	CHECK(lockd_brl_count() == 4096);
	for (i = 0; i < 4096; i++)
		bigio[i] = (struct lockd_brl_io){ h1, 1, 1, 1 };
	CHECK(lockd_brl_check(1, bigio, 4096, &has, &at) ==
	    LOCKD_STATUS_INSUFFICIENT_RESOURCES);
	CHECK(lockd_brl_check(1, bigio, 16, &has, &at) == LOCKD_STATUS_OK);
	for (i = 4096; i < 12000; i++)
		if ((fl = lock1(1, h1, 62, 2 * i, 1, X | FI)) !=
		    LOCKD_STATUS_OK)
			break;
	CHECK(fl == LOCKD_STATUS_INSUFFICIENT_RESOURCES &&
	    lockd_brl_count() == 10000);
	free(big);
	free(bigio);
	lockd_brl_release_peer(1);
	CHECK(lockd_share_release_peer(1) == 1);
	CHECK(lockd_brl_count() == 0 && lockd_share_count() == 0);

	/*
	 * One worker's waiting LOCKs are bounded over all its files, not
	 * only per file: 256 a file, 4096 in all.
	 */
	nwaiting = 0;
	for (k = 0; k < 20; k++) {
		CHECK(lockd_share_open(2, 0, 1, 1000 + k, "", RW, SHARE, 0,
		    &h2) == 0);
		CHECK(lockd_share_open(1, 0, 1, 1000 + k, "", RW, SHARE, 0,
		    &h1) == 0);
		CHECK(lock1(2, h2, 70, 0, 1, X | FI) == LOCKD_BRL_LATER);
		lockd_brl_ack(1, notify_id);
		lockd_brl_ack(2, notify_id);
		for (i = 0; i < 300; i++) {
			fl = lock1(1, h1, 100000 * k + i, 0, 1, X);
			if (fl != LOCKD_STATUS_PENDING)
				break;
			nwaiting++;
		}
		CHECK(fl == LOCKD_STATUS_INSUFFICIENT_RESOURCES);
	}
	CHECK(nwaiting == 4096);
	nreplies = 0;
	lockd_brl_release_peer(2);
	/* Peer 2's locks went: the first wait on each of 16 files fits. */
	CHECK(nreplies == 16);
	lockd_brl_release_peer(1);
	CHECK(lockd_share_release_peer(1) == 20);
	CHECK(lockd_share_release_peer(2) == 20);
	CHECK(lockd_brl_count() == 0 && lockd_share_count() == 0);
	return unit_done();
}
