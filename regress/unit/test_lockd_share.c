/*
 * Unit tests for lockd's share modes and delete-pending (MS-FSA
 * 2.1.5.1.2.1 and the delete-on-close rules).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockd_brl.h"
#include "lockd_oplock.h"
#include "lockd_proto.h"
#include "lockd_share.h"
#include "unit.h"

#define R	0x00000001	/* FILE_READ_DATA */
#define W	0x00000002	/* FILE_WRITE_DATA */
#define ATTR	0x00000080	/* FILE_READ_ATTRIBUTES */
#define DEL	0x00010000	/* DELETE */
#define SR	1
#define SW	2
#define SD	4

/*
 * Oplocks through the share table (lockd_break.c's calls): a Batch
 * grant, the break a second open causes and its wait, the grant after
 * the acknowledgement, and a sharing violation that breaks Batch first
 * and fails on the second try without breaking again.
 */
static void
test_oplocks(void)
{
	struct lockd_share_oreq q = { .level = LOPL_LEVEL_BATCH,
	    .disposition = LOPL_FILE_OPEN };
	struct lockd_oplock_breaks b = { NULL, 0, 0 };
	uint64_t h1, h2, h3, now = 1000;
	struct lockd_oplock_grant g;
	uint32_t fl = 0;
	uint8_t level;

	lockd_share_set_oplock(5000);
	CHECK(lockd_share_open_opl(1, 0, 9, 900, "", R | W, SR | SW, 0, &q,
	    now, &b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.level == LOPL_LEVEL_BATCH && b.n == 0);
	/* Another worker opens: Batch breaks to II, the open waits. */
	CHECK(lockd_share_open_opl(2, 0, 9, 900, "", R, SR | SW, 0, &q, now,
	    &b, &h2) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(2, h2, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_PENDING);
	CHECK(b.n == 1 && b.v[0].open == h1 && b.v[0].to == LOPL_LEVEL_II &&
	    b.v[0].ack);
	b.n = 0;
	CHECK(lockd_share_blocked(2, h2, now));
	/* Only the holder's worker may acknowledge. */
	CHECK(lockd_share_oplock_ack(2, h1, LOPL_LEVEL_II, now, &b, &level) ==
	    LOCKD_STATUS_INVALID_HANDLE);
	CHECK(lockd_share_oplock_ack(1, h1, LOPL_LEVEL_II, now, &b, &level) ==
	    LOCKD_STATUS_OK && level == LOPL_LEVEL_II);
	CHECK(!lockd_share_blocked(2, h2, now));
	fl = 0;
	CHECK(lockd_share_grant(2, h2, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.level == LOPL_LEVEL_II &&
	    (fl & LOCKD_OPENED_CACHED));
	/* A write breaks both Level II oplocks, the writer's own too. */
	CHECK(lockd_share_event(2, h2, LOPL_EV_WRITE, now, &b) ==
	    LOCKD_STATUS_OK && b.n == 2 && !b.v[0].ack && !b.v[1].ack);
	b.n = 0;
	CHECK(lockd_share_cached(2, h2) == 0);
	CHECK(lockd_share_close(2, h2, &fl) == LOCKD_STATUS_OK);
	CHECK(lockd_share_close(1, h1, &fl) == LOCKD_STATUS_OK);

	/* A sharing violation breaks Batch first, then fails. */
	CHECK(lockd_share_open_opl(1, 0, 9, 901, "", R | W, 0, 0, &q, now,
	    &b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.level == LOPL_LEVEL_BATCH);
	CHECK(lockd_share_open_opl(2, 0, 9, 901, "", R, SR, 0, &q, now, &b,
	    &h3) == LOCKD_STATUS_PENDING && b.n == 1);
	b.n = 0;
	CHECK(lockd_share_file_blocked(9, 901, "", now));
	/* Never acknowledged: after the timeout the retry fails alone. */
	CHECK(!lockd_share_file_blocked(9, 901, "", now + 5000));
	q.retry = 1;
	CHECK(lockd_share_open_opl(2, 0, 9, 901, "", R, SR, 0, &q,
	    now + 5000, &b, &h3) == LOCKD_STATUS_SHARING_VIOLATION && b.n == 0);
	CHECK(lockd_share_close(1, h1, &fl) == LOCKD_STATUS_OK);
	lockd_oplock_breaks_free(&b);
}

/*
 * Leases through the share table: keyed by the uid lockd knows for each
 * worker as well as ClientGuid and LeaseKey, so that a worker of another
 * user cannot acknowledge the first one's break by naming its key, and
 * naming the same key gets it a lease of its own.
 */
static void
test_leases(void)
{
	struct lockd_share_oreq q, q0 = { .level = LOPL_LEVEL_NONE,
	    .disposition = LOPL_FILE_OPEN };
	struct lockd_oplock_breaks b = { NULL, 0, 0 };
	struct lockd_oplock_grant g;
	uint64_t h1, h2, h3, h4, now = 1000;
	uint32_t fl = 0;

	memset(&q, 0, sizeof(q));
	q.level = LOPL_LEVEL_LEASE;
	q.disposition = LOPL_FILE_OPEN;
	q.lease_version = 2;
	q.lease_state = LOPL_R | LOPL_H | LOPL_W;
	memset(q.client_guid, 0x11, 16);
	memset(q.lease_key, 0x22, 16);
	CHECK(lockd_share_open_opl(1, 100, 9, 910, "", R | W, SR | SW, 0, &q,
	    now, &b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.level == LOPL_LEVEL_LEASE &&
	    g.lease_state == (LOPL_R | LOPL_H | LOPL_W) && g.epoch == 1 &&
	    g.lease_version == 2 && b.n == 0);
	/* The same key on another file is refused. */
	CHECK(lockd_share_open_opl(1, 100, 9, 911, "", R, SR | SW, 0, &q,
	    now, &b, &h3) == LOCKD_STATUS_INVALID_PARAMETER);
	/* Another user opens the file: the lease breaks, the open waits. */
	CHECK(lockd_share_open_opl(2, 200, 9, 910, "", R, SR | SW, 0, &q0,
	    now, &b, &h2) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(2, h2, &q0, now, &b, &g, &fl) ==
	    LOCKD_STATUS_PENDING);
	CHECK(b.n == 1 && b.v[0].open == h1 && b.v[0].lease &&
	    b.v[0].from == (LOPL_R | LOPL_H | LOPL_W) &&
	    b.v[0].to == (LOPL_R | LOPL_H) && b.v[0].ack && b.v[0].epoch == 2);
	b.n = 0;
	/* The other user's worker does not find the first lease. */
	CHECK(lockd_share_lease_ack(200, q.client_guid, q.lease_key,
	    LOPL_R | LOPL_H, now, &b) == 0xC0000034U);
	CHECK(lockd_share_blocked(2, h2, now));
	CHECK(lockd_share_lease_ack(100, q.client_guid, q.lease_key,
	    LOPL_R | LOPL_H | LOPL_W, now, &b) == 0xC00000D0U);
	CHECK(lockd_share_lease_ack(100, q.client_guid, q.lease_key,
	    LOPL_R | LOPL_H, now, &b) == LOCKD_STATUS_OK);
	CHECK(!lockd_share_blocked(2, h2, now));
	CHECK(lockd_share_grant(2, h2, &q0, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.level == LOPL_LEVEL_NONE);
	/* Naming the key gets that user a lease of its own, R beside RH. */
	q.lease_state = LOPL_R;
	CHECK(lockd_share_open_opl(2, 200, 9, 910, "", R, SR | SW, 0, &q,
	    now, &b, &h4) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(2, h4, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.lease_state == LOPL_R && b.n == 0);
	CHECK(lockd_share_close(2, h4, &fl) == LOCKD_STATUS_OK);
	CHECK(lockd_share_close(2, h2, &fl) == LOCKD_STATUS_OK);
	CHECK(lockd_share_close(1, h1, &fl) == LOCKD_STATUS_OK);
	lockd_oplock_breaks_free(&b);
}

/*
 * A rename or a delete through an open (LOCKD_OP_RENAME_CHECK and
 * SET_DELETE in lockd_break.c): the H of other keys' leases breaks to R
 * and the operation waits for the acknowledgement (or the timeout); the
 * renamer's own lease keeps its H, and the share check runs after.
 */
static void
test_rename_delete(void)
{
	struct lockd_share_oreq q;
	struct lockd_oplock_breaks b = { NULL, 0, 0 };
	struct lockd_oplock_grant g;
	uint64_t h1, h2, now = 1000;
	uint32_t fl = 0, pend, n;

	memset(&q, 0, sizeof(q));
	q.level = LOPL_LEVEL_LEASE;
	q.disposition = LOPL_FILE_OPEN;
	q.lease_version = 2;
	q.lease_state = LOPL_R | LOPL_H;
	memset(q.client_guid, 0x11, 16);
	memset(q.lease_key, 0x31, 16);
	CHECK(lockd_share_open_opl(1, 100, 9, 920, "", R | DEL, SR | SW | SD,
	    0, &q, now, &b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.lease_state == (LOPL_R | LOPL_H));
	memset(q.lease_key, 0x32, 16);
	CHECK(lockd_share_open_opl(2, 100, 9, 920, "", R, SR | SW | SD, 0, &q,
	    now, &b, &h2) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(2, h2, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.lease_state == (LOPL_R | LOPL_H) && b.n == 0);
	/* The rename breaks the other key's H only, and waits. */
	CHECK(lockd_share_event(1, h1, LOPL_EV_RENAME, now, &b) ==
	    LOCKD_STATUS_PENDING);
	CHECK(b.n == 1 && b.v[0].open == h2 && b.v[0].to == LOPL_R &&
	    b.v[0].ack);
	b.n = 0;
	CHECK(lockd_share_blocked(1, h1, now));
	/* Asking again sends no second break and still waits. */
	CHECK(lockd_share_event(1, h1, LOPL_EV_RENAME, now, &b) ==
	    LOCKD_STATUS_PENDING && b.n == 0);
	CHECK(lockd_share_lease_ack(100, q.client_guid, q.lease_key, LOPL_R,
	    now, &b) == LOCKD_STATUS_OK && b.n == 0);
	CHECK(!lockd_share_blocked(1, h1, now));
	CHECK(lockd_share_event(1, h1, LOPL_EV_RENAME, now, &b) ==
	    LOCKD_STATUS_OK && b.n == 0);
	CHECK(lockd_share_rename_check(1, h1) == LOCKD_STATUS_OK);
	/* The other key asks for RH again, and a delete breaks it. */
	q.lease_state = LOPL_R | LOPL_H;
	CHECK(lockd_share_close(2, h2, &fl) == LOCKD_STATUS_OK);
	CHECK(lockd_share_open_opl(2, 100, 9, 920, "", R, SR | SW | SD, 0, &q,
	    now, &b, &h2) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(2, h2, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.lease_state == (LOPL_R | LOPL_H));
	CHECK(lockd_share_event(1, h1, LOPL_EV_DELETE, now, &b) ==
	    LOCKD_STATUS_PENDING && b.n == 1 && b.v[0].to == LOPL_R);
	b.n = 0;
	/* Not acknowledged: the break ends at none with the timeout. */
	CHECK(lockd_share_blocked(1, h1, now + 4999));
	CHECK(!lockd_share_blocked(1, h1, now + 5000));
	CHECK(lockd_share_event(1, h1, LOPL_EV_DELETE, now + 5000, &b) ==
	    LOCKD_STATUS_OK && b.n == 0);
	CHECK(lockd_share_set_delete(1, h1, 1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_query(2, h2, &pend, &n) == LOCKD_STATUS_OK &&
	    pend == 1 && n == 2);
	/* Another worker's handle breaks nothing. */
	CHECK(lockd_share_event(2, h1, LOPL_EV_RENAME, now, &b) ==
	    LOCKD_STATUS_INVALID_HANDLE && b.n == 0);
	CHECK(lockd_share_close(2, h2, &fl) == LOCKD_STATUS_OK);
	CHECK(lockd_share_close(1, h1, &fl) == LOCKD_STATUS_OK &&
	    (fl & LOCKD_CLOSE_DELETE));
	lockd_oplock_breaks_free(&b);
}

/*
 * "kernel oplocks" on a directory (doc/oplocks.md §7): the worker whose
 * inotify watch saw a change sends LOCKD_OP_LOCAL_BREAK naming its own
 * open of the directory, which breaks every lease of the directory, its
 * own and other clients', to none with an acknowledgment; another
 * worker's handle is not found.
 */
static void
test_dir_local_break(struct lockd_share_oreq *q,
    struct lockd_oplock_breaks *b)
{
	struct lockd_oplock_grant g;
	uint64_t h1, h2, now = 1000;
	uint32_t fl = 0;

	q->dir_lease = 1;
	q->lease_state = LOPL_R | LOPL_H;
	memset(q->client_guid, 0x11, 16);
	memset(q->lease_key, 0x44, 16);
	CHECK(lockd_share_open_opl(1, 100, 9, 933, "", R, SR | SW | SD,
	    LOCKD_OPEN_DIRECTORY, q, now, b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, q, now, b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.lease_state == (LOPL_R | LOPL_H));
	memset(q->client_guid, 0x12, 16);
	memset(q->lease_key, 0x45, 16);
	CHECK(lockd_share_open_opl(2, 200, 9, 933, "", R, SR | SW | SD,
	    LOCKD_OPEN_DIRECTORY, q, now, b, &h2) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(2, h2, q, now, b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.lease_state == (LOPL_R | LOPL_H));
	b->n = 0;
	CHECK(lockd_share_event(2, h1, LOPL_EV_LOCAL, now, b) ==
	    LOCKD_STATUS_INVALID_HANDLE && b->n == 0);
	CHECK(lockd_share_event(1, h1, LOPL_EV_LOCAL, now, b) !=
	    LOCKD_STATUS_INVALID_HANDLE);
	CHECK(b->n == 2 && b->v[0].to == 0 && b->v[0].ack &&
	    b->v[1].to == 0 && b->v[1].ack);
	b->n = 0;
	CHECK(lockd_share_close(2, h2, &fl) == LOCKD_STATUS_OK);
	CHECK(lockd_share_close(1, h1, &fl) == LOCKD_STATUS_OK);
	CHECK(!lockd_share_dirleases());
	q->dir_lease = 0;
}

/*
 * Directory leases through the share table: a change of a child breaks
 * the directory's leases but the one the change names as its parent
 * for the same user and client; a change by a local process
 * (lockd_share_break_all) breaks everything on the file, nothing waits.
 */
static void
test_dir_leases(void)
{
	struct lockd_share_oreq q;
	struct lockd_oplock_breaks b = { NULL, 0, 0 };
	struct lockd_oplock_grant g;
	uint64_t h1, h2, h3, now = 1000;
	uint8_t other[16];
	uint32_t fl = 0;

	memset(&q, 0, sizeof(q));
	q.level = LOPL_LEVEL_LEASE;
	q.disposition = LOPL_FILE_OPEN;
	q.lease_version = 2;
	q.lease_state = LOPL_R | LOPL_H | LOPL_W;
	memset(q.client_guid, 0x11, 16);
	memset(q.lease_key, 0x41, 16);
	/* Without directory leasing negotiated: no lease, none counted. */
	CHECK(lockd_share_open_opl(1, 100, 9, 930, "", R, SR | SW | SD,
	    LOCKD_OPEN_DIRECTORY, &q, now, &b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.level == LOPL_LEVEL_NONE);
	CHECK(!lockd_share_dirleases());
	CHECK(lockd_share_close(1, h1, &fl) == LOCKD_STATUS_OK);
	q.dir_lease = 1;
	CHECK(lockd_share_open_opl(1, 100, 9, 930, "", R, SR | SW | SD,
	    LOCKD_OPEN_DIRECTORY, &q, now, &b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.lease_state == (LOPL_R | LOPL_H));
	CHECK(lockd_share_dirleases());
	/* The same client names the lease as its parent: no break. */
	CHECK(lockd_share_dir_changed(100, 9, 930, q.client_guid,
	    q.lease_key, now, &b) == 0 && b.n == 0);
	/* Another user, or another client, with the same key: a break. */
	CHECK(lockd_share_dir_changed(200, 9, 930, q.client_guid,
	    q.lease_key, now, &b) == 1 && b.n == 1 && b.v[0].open == h1 &&
	    b.v[0].to == 0 && b.v[0].ack);
	b.n = 0;
	CHECK(lockd_share_lease_ack(100, q.client_guid, q.lease_key, 0, now,
	    &b) == LOCKD_STATUS_OK);
	memset(other, 0x22, 16);
	CHECK(lockd_share_dir_changed(100, 9, 930, other, q.lease_key, now,
	    &b) == 0);
	/* A directory nobody has open: nothing. */
	CHECK(lockd_share_dir_changed(100, 9, 931, other, NULL, now, &b) ==
	    0 && b.n == 0);
	/* A local change breaks a file's RWH lease to none, unwaited. */
	q.dir_lease = 0;
	memset(q.lease_key, 0x42, 16);
	CHECK(lockd_share_open_opl(2, 100, 9, 932, "", R | W, SR | SW, 0, &q,
	    now, &b, &h2) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(2, h2, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.lease_state == (LOPL_R | LOPL_H | LOPL_W));
	memset(q.lease_key, 0x43, 16);
	q.lease_state = LOPL_R;
	CHECK(lockd_share_open_opl(2, 100, 9, 932, "s", R, SR | SW, 0, &q,
	    now, &b, &h3) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(2, h3, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.lease_state == LOPL_R);
	CHECK(lockd_share_break_all(9, 932, now, &b) == 2 && b.n == 2 &&
	    b.v[0].to == 0 && b.v[1].to == 0);
	b.n = 0;
	CHECK(lockd_share_close(2, h3, &fl) == LOCKD_STATUS_OK);
	CHECK(lockd_share_close(2, h2, &fl) == LOCKD_STATUS_OK);
	CHECK(lockd_share_close(1, h1, &fl) == LOCKD_STATUS_OK);
	CHECK(!lockd_share_dirleases());
	test_dir_local_break(&q, &b);
	lockd_oplock_breaks_free(&b);
}

/* A durable part as lockd_state.c makes it; the path is taken. */
static struct lockd_durable *
durable_part(int version, uint32_t timeout, uint8_t guid)
{
	struct lockd_durable *d;

	d = calloc(1, sizeof(*d));
	d->version = version;
	d->timeout_ms = timeout;
	memset(d->create_guid, guid, sizeof(d->create_guid));
	snprintf(d->share, sizeof(d->share), "share");
	d->path = strdup("dir/f.dat");
	return d;
}

/*
 * Durable opens (doc/durable.md): made durable only with H, kept with
 * their locks when their worker goes, found and reclaimed by the same
 * user only (with the file's own device and inode), closed by a break,
 * at their timeout, or at once when they cannot be kept.
 */
static void
test_durable(void)
{
	struct lockd_share_oreq q = { .level = LOPL_LEVEL_BATCH,
	    .disposition = LOPL_FILE_OPEN };
	struct lockd_share_oreq q0 = { .level = LOPL_LEVEL_NONE,
	    .disposition = LOPL_FILE_OPEN };
	struct lockd_oplock_breaks b = { NULL, 0, 0 };
	struct lockd_durable_key k;
	struct lockd_durable_info info;
	struct lockd_brl_elem e = { 0, 10, LOCKD_LOCKFLAG_EXCLUSIVE |
	    LOCKD_LOCKFLAG_FAIL_IMMEDIATELY };
	struct lockd_brl_elem u = { 0, 10, LOCKD_LOCKFLAG_UNLOCK };
	struct lockd_oplock_grant g;
	uint64_t h1, h2, now = 1000;
	uint32_t fl = 0;

	lockd_share_set_oplock(5000);
	lockd_share_set_durable_max(100000);
	/* Without H, no durability. */
	CHECK(lockd_share_open_opl(1, 100, 9, 950, "", R | W, SR | SW, 0,
	    &q0, now, &b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q0, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK);
	CHECK(!lockd_share_durable_set(1, h1, durable_part(1, 0, 0)));
	CHECK(lockd_share_close(1, h1, &fl) == LOCKD_STATUS_OK);

	/* Batch: durable, capped at the limit. */
	CHECK(lockd_share_open_opl(1, 100, 9, 950, "", R | W, SR | SW, 0, &q,
	    now, &b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.level == LOPL_LEVEL_BATCH);
	CHECK(lockd_share_durable_set(1, h1, durable_part(2, 500000, 0x11)));
	CHECK(lockd_brl_lock(1, h1, 77, &e, 1) == LOCKD_STATUS_OK);
	/* The position is the open's worker's to set. */
	CHECK(lockd_share_durable_position(2, h1, 4096) ==
	    LOCKD_STATUS_INVALID_HANDLE);
	CHECK(lockd_share_durable_position(1, h1, 512) == LOCKD_STATUS_OK);
	memset(&k, 0, sizeof(k));
	k.handle = h1;
	k.version = 2;
	memset(k.create_guid, 0x11, sizeof(k.create_guid));
	/* Connected: not found. */
	CHECK(lockd_share_durable_find(100, &k, &info) ==
	    LOCKD_STATUS_OBJECT_NAME_NOT_FOUND);
	/* The worker goes: the open stays, with its lock. */
	CHECK(lockd_share_durable_park(1, now) == 1);
	lockd_brl_release_peer(1);
	CHECK(lockd_share_release_peer(1) == 0);
	CHECK(lockd_share_durable_count() == 1);
	CHECK(lockd_share_open_opl(2, 200, 9, 950, "", R, SR | SW, 0, &q0,
	    now, &b, &h2) == LOCKD_STATUS_OK);
	CHECK(lockd_brl_lock(2, h2, 78, &e, 1) ==
	    LOCKD_STATUS_LOCK_NOT_GRANTED);
	/* Another user's worker finds nothing; the wrong CreateGuid none. */
	CHECK(lockd_share_durable_find(200, &k, &info) ==
	    LOCKD_STATUS_OBJECT_NAME_NOT_FOUND);
	k.create_guid[0] = 0;
	CHECK(lockd_share_durable_find(100, &k, &info) ==
	    LOCKD_STATUS_OBJECT_NAME_NOT_FOUND);
	k.create_guid[0] = 0x11;
	CHECK(lockd_share_durable_position(1, h1, 4096) ==
	    LOCKD_STATUS_INVALID_HANDLE);
	CHECK(lockd_share_durable_find(100, &k, &info) == LOCKD_STATUS_OK &&
	    strcmp(info.path, "dir/f.dat") == 0 && info.position == 512 &&
	    strcmp(info.share_name, "share") == 0 && info.access == (R | W));
	/* A v1 reconnect names the FileId alone. */
	k.version = 1;
	CHECK(lockd_share_durable_find(100, &k, &info) == LOCKD_STATUS_OK);
	k.version = 2;
	/* Reclaimed only with the file's own device and inode. */
	CHECK(lockd_share_durable_reclaim(3, 100, &k, 9, 951, &g, &fl) ==
	    LOCKD_STATUS_OBJECT_NAME_NOT_FOUND);
	CHECK(lockd_share_durable_reclaim(3, 200, &k, 9, 950, &g, &fl) ==
	    LOCKD_STATUS_OBJECT_NAME_NOT_FOUND);
	CHECK(lockd_share_durable_reclaim(3, 100, &k, 9, 950, &g, &fl) ==
	    LOCKD_STATUS_OK && g.level == LOPL_LEVEL_BATCH &&
	    (fl & LOCKD_OPENED_DURABLE) && lockd_share_durable_count() == 0);
	/* Its lock came with it: the new worker may unlock. */
	CHECK(lockd_brl_unlock(3, h1, &u, 1) == LOCKD_STATUS_OK);
	CHECK(lockd_brl_lock(3, h1, 79, &e, 1) == LOCKD_STATUS_OK);

	/* A logoff parks it; another open's break then closes it. */
	CHECK(lockd_share_durable_detach(2, h1, now) ==
	    LOCKD_STATUS_INVALID_HANDLE);
	CHECK(lockd_share_durable_detach(3, h1, now) == LOCKD_STATUS_OK &&
	    lockd_share_durable_count() == 1);
	CHECK(lockd_share_grant(2, h2, &q0, now, &b, &g, &fl) ==
	    LOCKD_STATUS_PENDING && b.n == 1 && b.v[0].open == h1);
	b.n = 0;
	CHECK(lockd_share_durable_purge(h1) == 1);
	CHECK(lockd_share_durable_count() == 0);
	CHECK(!lockd_share_blocked(2, h2, now));
	CHECK(lockd_brl_lock(2, h2, 80, &e, 1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_durable_purge(h2) == 0);
	lockd_brl_close(2, h2);
	CHECK(lockd_share_close(2, h2, &fl) == LOCKD_STATUS_OK);

	/*
	 * A lease shared with a connected open of the same client: its
	 * breaks go to that open, not to the parked one.
	 */
	{
		struct lockd_share_oreq ql = { .level = LOPL_LEVEL_LEASE,
		    .disposition = LOPL_FILE_OPEN, .lease_version = 2,
		    .lease_state = LOPL_R | LOPL_H | LOPL_W };
		uint64_t h5, h6, other;
		uint32_t peer;

		memset(ql.client_guid, 0x77, sizeof(ql.client_guid));
		memset(ql.lease_key, 0x88, sizeof(ql.lease_key));
		CHECK(lockd_share_open_opl(5, 100, 9, 960, "", R, SR | SW, 0,
		    &ql, now, &b, &h5) == LOCKD_STATUS_OK);
		CHECK(lockd_share_grant(5, h5, &ql, now, &b, &g, &fl) ==
		    LOCKD_STATUS_OK && g.lease_state == 7);
		CHECK(lockd_share_durable_set(5, h5, durable_part(2, 5000,
		    0x22)));
		CHECK(lockd_share_open_opl(6, 100, 9, 960, "", R, SR | SW, 0,
		    &ql, now, &b, &h6) == LOCKD_STATUS_OK);
		CHECK(lockd_share_grant(6, h6, &ql, now, &b, &g, &fl) ==
		    LOCKD_STATUS_OK && b.n == 0);
		CHECK(lockd_share_durable_park(5, now) == 1);
		CHECK(lockd_share_lease_other(h5, &peer, &other) == 0 &&
		    peer == 6 && other == h6);
		CHECK(lockd_share_lease_other(h6, &peer, &other) == -1);
		CHECK(lockd_share_durable_purge(h5) == 1);
		CHECK(lockd_share_close(6, h6, &fl) == LOCKD_STATUS_OK);
	}

	/* Unclaimed, it closes at its timeout. */
	CHECK(lockd_share_open_opl(1, 100, 9, 952, "", R, SR, 0, &q, now, &b,
	    &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK);
	CHECK(lockd_share_durable_set(1, h1, durable_part(1, 2000, 0)));
	CHECK(lockd_share_durable_park(1, now) == 1);
	CHECK(lockd_share_durable_expire(now + 1999) == 0);
	CHECK(lockd_share_durable_expire(now + 2000) == 1);
	CHECK(lockd_share_count() == 0 && lockd_share_durable_count() == 0);
	lockd_oplock_breaks_free(&b);
}

/*
 * AppInstanceId (doc/durable.md section 7): a v2 durable open of the
 * same uid and id from another ClientGuid is listed for its worker to
 * close, or closed at once when disconnected; other users', the same
 * client's and other ids' are not.
 */
static void
test_app_instance(void)
{
	struct lockd_share_oreq q = { .level = LOPL_LEVEL_BATCH,
	    .disposition = LOPL_FILE_OPEN };
	struct lockd_oplock_breaks b = { NULL, 0, 0 };
	struct lockd_oplock_grant g;
	struct lockd_durable *d, *ask;
	uint64_t h1, hs[4], now = 1000;
	uint32_t fl = 0, ps[4];

	lockd_share_set_oplock(5000);
	lockd_share_set_durable_max(100000);
	CHECK(lockd_share_open_opl(1, 100, 9, 970, "", R | W, SR | SW, 0, &q,
	    now, &b, &h1) == LOCKD_STATUS_OK);
	CHECK(lockd_share_grant(1, h1, &q, now, &b, &g, &fl) ==
	    LOCKD_STATUS_OK && g.level == LOPL_LEVEL_BATCH);
	d = durable_part(2, 5000, 0x31);
	memset(d->client_guid, 0x41, 16);
	memset(d->app_id, 0xa1, 16);
	CHECK(lockd_share_durable_set(1, h1, d));

	ask = durable_part(2, 5000, 0x32);
	memset(ask->client_guid, 0x42, 16);
	memset(ask->app_id, 0xa1, 16);
	CHECK(lockd_share_app_instance(100, 9, 970, "", ask, hs, ps, 4) == 1 &&
	    hs[0] == h1 && ps[0] == 1);
	CHECK(lockd_share_app_instance(200, 9, 970, "", ask, hs, ps, 4) == 0);
	CHECK(lockd_share_app_instance(100, 9, 971, "", ask, hs, ps, 4) == 0);
	memset(ask->client_guid, 0x41, 16);
	CHECK(lockd_share_app_instance(100, 9, 970, "", ask, hs, ps, 4) == 0);
	memset(ask->client_guid, 0x42, 16);
	memset(ask->app_id, 0xa2, 16);
	CHECK(lockd_share_app_instance(100, 9, 970, "", ask, hs, ps, 4) == 0);
	memset(ask->app_id, 0, 16);
	CHECK(lockd_share_app_instance(100, 9, 970, "", ask, hs, ps, 4) == 0);

	/* Disconnected, it is closed at once. */
	memset(ask->app_id, 0xa1, 16);
	CHECK(lockd_share_durable_park(1, now) == 1);
	CHECK(lockd_share_app_instance(100, 9, 970, "", ask, hs, ps, 4) == 0);
	CHECK(lockd_share_durable_count() == 0 && lockd_share_count() == 0);
	free(ask->path);
	free(ask);
	lockd_oplock_breaks_free(&b);
}

int
main(void)
{
	test_oplocks();
	test_leases();
	test_rename_delete();
	test_dir_leases();
	test_durable();
	test_app_instance();
	uint64_t h1, h2, h3, h4;
	uint32_t fl, pend, n;

	/* Readers that share reading coexist; a writer does not. */
	CHECK(lockd_share_open(1, 0, 1, 100, "", R, SR, 0, &h1) == 0);
	CHECK(lockd_share_open(2, 0, 1, 100, "", R, SR, 0, &h2) == 0);
	CHECK(lockd_share_open(2, 0, 1, 100, "", W, SR | SW, 0, &h3) ==
	    LOCKD_STATUS_SHARING_VIOLATION && h3 == 0);
	/* Attribute-only opens never conflict. */
	CHECK(lockd_share_open(3, 0, 1, 100, "", ATTR, 0, 0, &h3) == 0);
	/* Another stream of the same file is separate. */
	CHECK(lockd_share_open(3, 0, 1, 100, "s1", W, 0, 0, &h4) == 0);
	CHECK(lockd_share_close(3, h4, &fl) == 0 && fl == 0);
	/* Handles belong to their worker. */
	CHECK(lockd_share_close(1, h2, &fl) == LOCKD_STATUS_INVALID_HANDLE);
	CHECK(lockd_share_close(2, h2, &fl) == 0);
	CHECK(lockd_share_close(3, h3, &fl) == 0);
	CHECK(lockd_share_close(1, h1, &fl) == 0 && fl == 0);
	CHECK(lockd_share_count() == 0);

	/* An existing writer without shared write blocks a new reader? no:
	 * a new reader must share write with it. */
	CHECK(lockd_share_open(1, 0, 1, 200, "", W, SR, 0, &h1) == 0);
	CHECK(lockd_share_open(2, 0, 1, 200, "", R, SR, 0, &h2) ==
	    LOCKD_STATUS_SHARING_VIOLATION);
	CHECK(lockd_share_open(2, 0, 1, 200, "", R, SR | SW, 0, &h2) == 0);
	CHECK(lockd_share_close(2, h2, &fl) == 0);

	/* Rename needs every other open to share delete. */
	CHECK(lockd_share_open(2, 0, 1, 200, "", ATTR, SR | SW, 0, &h2) == 0);
	CHECK(lockd_share_rename_check(1, h1) ==
	    LOCKD_STATUS_SHARING_VIOLATION);
	CHECK(lockd_share_close(2, h2, &fl) == 0);
	CHECK(lockd_share_rename_check(1, h1) == 0);

	CHECK(lockd_share_close(1, h1, &fl) == 0 && fl == 0);

	/* Delete-on-close: pending once closed, removed by the last closer. */
	CHECK(lockd_share_open(1, 0, 1, 200, "", R, SR | SW | SD, 0, &h1) == 0);
	CHECK(lockd_share_open(2, 0, 1, 200, "", DEL, SR | SW | SD,
	    LOCKD_OPEN_DELETE_ON_CLOSE, &h2) == 0);
	CHECK(lockd_share_close(2, h2, &fl) == 0 && fl == 0);
	CHECK(lockd_share_query(1, h1, &pend, &n) == 0 && pend == 1 && n == 1);
	CHECK(lockd_share_open(3, 0, 1, 200, "", ATTR, SR | SW | SD, 0, &h3) ==
	    LOCKD_STATUS_DELETE_PENDING);
	CHECK(lockd_share_close(1, h1, &fl) == 0 && fl == LOCKD_CLOSE_DELETE);

	/* A disposition set and cleared again deletes nothing. */
	CHECK(lockd_share_open(1, 0, 1, 300, "", DEL, SD, 0, &h1) == 0);
	CHECK(lockd_share_set_delete(1, h1, 1) == 0);
	CHECK(lockd_share_set_delete(1, h1, 0) == 0);
	CHECK(lockd_share_close(1, h1, &fl) == 0 && fl == 0);

	/* A dead worker's opens go away and leave no delete behind. */
	CHECK(lockd_share_open(5, 0, 1, 400, "", R | DEL, 0,
	    LOCKD_OPEN_DELETE_ON_CLOSE, &h1) == 0);
	CHECK(lockd_share_open(5, 0, 1, 401, "", R, 0, 0, &h2) == 0);
	CHECK(lockd_share_release_peer(5) == 2);
	CHECK(lockd_share_open(6, 0, 1, 400, "", R, 0, 0, &h3) == 0);
	CHECK(lockd_share_close(6, h3, &fl) == 0 && fl == 0);
	CHECK(lockd_share_count() == 0);

	/*
	 * Streams (MS-FSA 2.1.5.1.2): each has share modes of its own, but
	 * a stream open that does not share delete keeps the file from
	 * being opened for DELETE.
	 */
	CHECK(lockd_share_open(1, 0, 1, 600, "s1", W, 0, 0, &h1) == 0);
	CHECK(lockd_share_open(1, 0, 1, 600, "s2", W, 0, 0, &h2) == 0);
	CHECK(lockd_share_open(1, 0, 1, 600, "", W, 0, 0, &h3) == 0);
	CHECK(lockd_share_close(1, h3, &fl) == 0 && fl == 0);
	CHECK(lockd_share_open(2, 0, 1, 600, "s1", W, 0, 0, &h3) ==
	    LOCKD_STATUS_SHARING_VIOLATION);
	CHECK(lockd_share_open(2, 0, 1, 600, "", DEL, SR | SW | SD,
	    LOCKD_OPEN_DELETE_ON_CLOSE, &h3) ==
	    LOCKD_STATUS_SHARING_VIOLATION);
	/* ... and from being renamed. */
	CHECK(lockd_share_open(2, 0, 1, 600, "", ATTR, SR | SW | SD, 0, &h3) ==
	    0);
	CHECK(lockd_share_rename_check(2, h3) ==
	    LOCKD_STATUS_SHARING_VIOLATION);
	CHECK(lockd_share_close(2, h3, &fl) == 0 && fl == 0);
	CHECK(lockd_share_close(1, h1, &fl) == 0 && fl == 0);
	CHECK(lockd_share_close(1, h2, &fl) == 0 && fl == 0);
	/*
	 * A file deleted while a stream that shares delete is open: it
	 * stays delete-pending, its streams cannot be opened by name, and
	 * the last stream closer is told to remove the file.
	 */
	CHECK(lockd_share_open(1, 0, 1, 600, "s1", R | W, SR | SW | SD, 0,
	    &h1) == 0);
	CHECK(lockd_share_open(2, 0, 1, 600, "", DEL, SR | SW | SD,
	    LOCKD_OPEN_DELETE_ON_CLOSE, &h2) == 0);
	CHECK(lockd_share_close(2, h2, &fl) == 0 && fl == 0);
	CHECK(lockd_share_open(2, 0, 1, 600, "", R, SR | SW | SD, 0, &h3) ==
	    LOCKD_STATUS_DELETE_PENDING);
	CHECK(lockd_share_open(2, 0, 1, 600, "s1", R, SR | SW | SD, 0, &h3) ==
	    LOCKD_STATUS_DELETE_PENDING);
	CHECK(lockd_share_close(1, h1, &fl) == 0 &&
	    fl == LOCKD_CLOSE_DELETE_FILE);
	CHECK(lockd_share_open(2, 0, 1, 600, "", R, 0, 0, &h3) == 0);
	CHECK(lockd_share_close(2, h3, &fl) == 0 && fl == 0);
	/* Delete on close of a stream removes only the stream. */
	CHECK(lockd_share_open(1, 0, 1, 700, "s", DEL, SD,
	    LOCKD_OPEN_DELETE_ON_CLOSE, &h1) == 0);
	CHECK(lockd_share_close(1, h1, &fl) == 0 && fl == LOCKD_CLOSE_DELETE);
	CHECK(lockd_share_count() == 0);

	/* One worker's limit on opens; others go on, a close makes room. */
	lockd_share_set_peer_limit(2);
	CHECK(lockd_share_open(7, 0, 1, 500, "", R, SR, 0, &h1) == 0);
	CHECK(lockd_share_open(7, 0, 1, 501, "", R, SR, 0, &h2) == 0);
	CHECK(lockd_share_open(7, 0, 1, 502, "", R, SR, 0, &h3) ==
	    LOCKD_STATUS_INSUFFICIENT_RESOURCES);
	CHECK(lockd_share_open(8, 0, 1, 502, "", R, SR, 0, &h3) == 0);
	CHECK(lockd_share_close(8, h3, &fl) == 0);
	CHECK(lockd_share_close(7, h2, &fl) == 0);
	CHECK(lockd_share_open(7, 0, 1, 502, "", R, SR, 0, &h3) == 0);
	CHECK(lockd_share_release_peer(7) == 2);
	CHECK(lockd_share_count() == 0);
	lockd_share_set_peer_limit(1 << 20);

	/* The limit on opens is enforced. */
	lockd_share_set_limit(1);
	CHECK(lockd_share_open(7, 0, 1, 500, "", R, SR, 0, &h1) == 0);
	CHECK(lockd_share_open(7, 0, 1, 501, "", R, SR, 0, &h2) ==
	    LOCKD_STATUS_INSUFFICIENT_RESOURCES);
	return unit_done();
}
