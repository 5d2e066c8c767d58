/*
 * Unit tests for lockd's oplock and lease state machine (lockd_oplock.c),
 * one block per behaviour the smbtorture smb2.oplock and smb2.lease tests
 * check; the test names are in the comments.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lockd_oplock.h"
#include "unit.h"

#define RD	0x00000001	/* FILE_READ_DATA */
#define WR	0x00000002	/* FILE_WRITE_DATA */
#define RA	0x00000080	/* FILE_READ_ATTRIBUTES */
#define WA	0x00000100	/* FILE_WRITE_ATTRIBUTES */
#define SYN	0x00100000	/* SYNCHRONIZE */
#define DEL	0x00010000	/* DELETE */
#define RC	0x00020000	/* READ_CONTROL */
#define ALL	(RD | WR | DEL)

#define ST_INVALID_PARAMETER	 0xC000000DU
#define ST_UNSUCCESSFUL		 0xC0000001U
#define ST_NOT_FOUND		 0xC0000034U
#define ST_INVALID_OPLOCK	 0xC00000E3U
#define ST_NOT_ACCEPTED		 0xC00000D0U

#define TIMEOUT	35000
#define ID(o)	lockd_oplock_open_id(o)

static struct lockd_oplock_table *T;
static struct lockd_oplock_breaks B;
static uint64_t now = 1000;
static uint64_t next_id = 1;

static uint8_t
ls(const char *s)
{
	uint8_t v = 0;

	for (; *s != '\0'; s++)
		v |= *s == 'R' ? LOPL_R : *s == 'H' ? LOPL_H :
		    *s == 'W' ? LOPL_W : 0;
	return v;
}

static void
key(uint8_t *k, int n)
{
	memset(k, 0, LOPL_KEY_LEN);
	k[0] = (uint8_t)n;
	k[15] = (uint8_t)~n;
}

static struct lockd_oplock_req
oreq(uint8_t level, uint32_t access, uint32_t disp)
{
	struct lockd_oplock_req r;

	memset(&r, 0, sizeof(r));
	r.level = level;
	r.access = access;
	r.disposition = disp;
	return r;
}

/* A lease request of client c with lease key k. */
static struct lockd_oplock_req
lreq(int version, int c, int k, const char *state, uint32_t access,
    uint32_t disp)
{
	struct lockd_oplock_req r = oreq(LOPL_LEVEL_LEASE, access, disp);

	r.lease_version = version;
	r.lease_state = ls(state);
	key(r.client_guid, c);
	key(r.lease_key, k);
	return r;
}

static uint32_t
do_open(struct lockd_oplock_file *f, const struct lockd_oplock_req *r,
    struct lockd_oplock_open **o, struct lockd_oplock_grant *g)
{
	uint32_t st;

	if ((st = lockd_oplock_add(f, next_id++, r, o)) != 0)
		return st;
	return lockd_oplock_open(f, *o, r, now, &B, g);
}

static int
brk(size_t i, uint64_t open, uint8_t from, uint8_t to, int ack)
{
	return B.n > i && B.v[i].open == open && B.v[i].from == from &&
	    B.v[i].to == to && B.v[i].ack == ack;
}

static int
lack(int c, int k, uint8_t state, uint32_t want)
{
	uint8_t g[LOPL_KEY_LEN], kk[LOPL_KEY_LEN];
	struct lockd_oplock_file *f;

	key(g, c);
	key(kk, k);
	return lockd_oplock_lease_ack(T, 0, g, kk, state, now, &B, &f) == want;
}

static void
close_all(struct lockd_oplock_file *f, struct lockd_oplock_open **v,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != NULL)
			lockd_oplock_close(f, v[i]);
	lockd_oplock_file_free(f);
	B.n = 0;
}

/* exclusive2, exclusive9: another open breaks to II, or none. */
static void
test_exclusive(void)
{
	static const struct {
		uint32_t disp;
		uint8_t to;
	} t[] = {
		{ LOPL_FILE_SUPERSEDE, LOPL_LEVEL_NONE },
		{ LOPL_FILE_OPEN, LOPL_LEVEL_II },
		{ LOPL_FILE_OVERWRITE_IF, LOPL_LEVEL_NONE },
		{ LOPL_FILE_OPEN_IF, LOPL_LEVEL_II },
	};
	struct lockd_oplock_file *f;
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r1, r2;
	struct lockd_oplock_grant g;
	uint8_t lv;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		f = lockd_oplock_file_new(T, 0);
		r1 = oreq(LOPL_LEVEL_EXCLUSIVE, ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r1, &o[0], &g) == 0 &&
		    g.level == LOPL_LEVEL_EXCLUSIVE && B.n == 0);
		r2 = oreq(LOPL_LEVEL_EXCLUSIVE, ALL, t[i].disp);
		CHECK(do_open(f, &r2, &o[1], &g) == LOPL_WAIT);
		CHECK(B.n == 1 && brk(0, ID(o[0]), LOPL_LEVEL_EXCLUSIVE,
		    t[i].to, 1));
		CHECK(lockd_oplock_blocked(f, o[1], now));
		B.n = 0;
		CHECK(lockd_oplock_ack(f, o[0], t[i].to, now, &B, &lv) == 0 &&
		    lv == t[i].to && B.n == 0);
		CHECK(!lockd_oplock_blocked(f, o[1], now));
		/* The second open gets Level II: it is not alone. */
		CHECK(lockd_oplock_open(f, o[1], &r2, now, &B, &g) == 0 &&
		    g.level == LOPL_LEVEL_II && B.n == 0);
		close_all(f, o, 2);
	}
}

/*
 * batch1, batch2, exclusive1: a sharing violation breaks a Batch oplock
 * to II first, and still fails; an Exclusive one is not broken.
 */
static void
test_sharing_batch(void)
{
	struct lockd_oplock_file *f;
	struct lockd_oplock_open *o[1];
	struct lockd_oplock_req r1, r2;
	struct lockd_oplock_grant g;
	uint8_t lv;
	int ack_none;

	for (ack_none = 0; ack_none < 2; ack_none++) {
		f = lockd_oplock_file_new(T, 0);
		r1 = oreq(LOPL_LEVEL_BATCH, ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r1, &o[0], &g) == 0 &&
		    g.level == LOPL_LEVEL_BATCH);
		r2 = oreq(LOPL_LEVEL_NONE, DEL, LOPL_FILE_OPEN);
		CHECK(lockd_oplock_sharing(f, &r2, now, &B) == LOPL_WAIT);
		CHECK(B.n == 1 && brk(0, ID(o[0]), LOPL_LEVEL_BATCH,
		    LOPL_LEVEL_II, 1));
		B.n = 0;
		CHECK(lockd_oplock_ack(f, o[0], ack_none ? LOPL_LEVEL_NONE :
		    LOPL_LEVEL_II, now, &B, &lv) == 0);
		/* Still a violation, and the second try breaks nothing. */
		CHECK(lockd_oplock_sharing(f, &r2, now, &B) == 0 && B.n == 0);
		/* A write of the holder breaks its own Level II (batch1). */
		CHECK(lockd_oplock_event(f, o[0], LOPL_EV_WRITE, now, &B) ==
		    0);
		if (ack_none)
			CHECK(B.n == 0);
		else
			CHECK(B.n == 1 && brk(0, ID(o[0]), LOPL_LEVEL_II,
			    LOPL_LEVEL_NONE, 0));
		CHECK(lockd_oplock_open_level(o[0]) == LOPL_LEVEL_NONE);
		close_all(f, o, 1);
	}

	f = lockd_oplock_file_new(T, 0);
	r1 = oreq(LOPL_LEVEL_EXCLUSIVE, ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r1, &o[0], &g) == 0);
	CHECK(lockd_oplock_sharing(f, &r2, now, &B) == 0 && B.n == 0);
	close_all(f, o, 1);
}

/* batch3: the holder closes instead of acknowledging. */
static void
test_close_on_break(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r = oreq(LOPL_LEVEL_BATCH, ALL,
	    LOPL_FILE_OPEN_IF);
	struct lockd_oplock_grant g;

	CHECK(do_open(f, &r, &o[0], &g) == 0);
	CHECK(do_open(f, &r, &o[1], &g) == LOPL_WAIT && B.n == 1);
	lockd_oplock_close(f, o[0]);
	o[0] = NULL;
	CHECK(!lockd_oplock_blocked(f, o[1], now));
	/* batch7: alone again, it gets the Batch oplock. */
	CHECK(lockd_oplock_open(f, o[1], &r, now, &B, &g) == 0 &&
	    g.level == LOPL_LEVEL_BATCH);
	close_all(f, o, 2);
}

/*
 * statopen1, batch8, exclusive4: a stat open breaks nothing and does not
 * wait; batch13, exclusive5: an attribute open that overwrites does.
 */
static void
test_stat_open(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[4];
	struct lockd_oplock_req r = oreq(LOPL_LEVEL_BATCH, ALL,
	    LOPL_FILE_OPEN_IF), s;
	struct lockd_oplock_grant g;

	CHECK(lockd_oplock_stat_open(RA | WA | SYN, LOPL_FILE_OPEN));
	CHECK(!lockd_oplock_stat_open(RA | RD, LOPL_FILE_OPEN));
	CHECK(!lockd_oplock_stat_open(DEL, LOPL_FILE_OPEN));
	CHECK(!lockd_oplock_stat_open(RA, LOPL_FILE_OVERWRITE));
	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.level == LOPL_LEVEL_BATCH);
	s = oreq(LOPL_LEVEL_NONE, RA, LOPL_FILE_OPEN);
	CHECK(do_open(f, &s, &o[1], &g) == 0 && B.n == 0);
	s = oreq(LOPL_LEVEL_II, RA | WA | SYN, LOPL_FILE_OVERWRITE);
	CHECK(do_open(f, &s, &o[2], &g) == LOPL_WAIT && B.n == 1 &&
	    B.v[0].to == LOPL_LEVEL_NONE);
	B.n = 0;
	/* While that break is out, a stat open still goes through. */
	s = oreq(LOPL_LEVEL_NONE, RA, LOPL_FILE_OPEN);
	CHECK(do_open(f, &s, &o[3], &g) == 0 && B.n == 0);
	close_all(f, o, 4);
}

/* batch10, batch6, batch9: Level II beside other opens; writes. */
/*
 * lease.statopen4 against oplock.statopen1: READ_CONTROL alone breaks no
 * lease, but a Batch oplock.
 */
static void
test_lease_statopen(void)
{
	struct lockd_oplock_file *f;
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;

	f = lockd_oplock_file_new(T, 0);
	r = lreq(2, 1, 1, "RHW", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.lease_state == ls("RHW"));
	r = oreq(LOPL_LEVEL_NONE, RC | SYN, LOPL_FILE_OPEN);
	CHECK(do_open(f, &r, &o[1], &g) == 0 && B.n == 0);
	close_all(f, o, 2);
	f = lockd_oplock_file_new(T, 0);
	r = oreq(LOPL_LEVEL_BATCH, ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.level == LOPL_LEVEL_BATCH);
	r = oreq(LOPL_LEVEL_NONE, RC, LOPL_FILE_OPEN);
	CHECK(do_open(f, &r, &o[1], &g) == LOPL_WAIT && B.n == 1);
	B.n = 0;
	close_all(f, o, 2);
}

static void
test_level2(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[3];
	struct lockd_oplock_req r = oreq(LOPL_LEVEL_NONE, ALL,
	    LOPL_FILE_OPEN_IF);
	struct lockd_oplock_grant g;
	uint8_t lv;

	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.level == 0);
	r.level = LOPL_LEVEL_BATCH;
	CHECK(do_open(f, &r, &o[1], &g) == 0 && g.level == LOPL_LEVEL_II &&
	    B.n == 0);
	CHECK(do_open(f, &r, &o[2], &g) == 0 && g.level == LOPL_LEVEL_II &&
	    B.n == 0);
	/* A write breaks every Level II to none, the writer's too. */
	CHECK(lockd_oplock_event(f, o[2], LOPL_EV_WRITE, now, &B) == 0);
	CHECK(B.n == 2 && brk(0, ID(o[1]), LOPL_LEVEL_II,
	    LOPL_LEVEL_NONE, 0) && brk(1, ID(o[2]), LOPL_LEVEL_II,
	    LOPL_LEVEL_NONE, 0));
	/* levelii500: acknowledging that break is a protocol error. */
	CHECK(lockd_oplock_ack(f, o[1], LOPL_LEVEL_NONE, now, &B, &lv) ==
	    ST_INVALID_OPLOCK);
	close_all(f, o, 3);

	/* Without "level2 oplocks" the second open gets nothing. */
	{
		struct lockd_oplock_table *t2 = T;

		T = lockd_oplock_table_new(TIMEOUT, 0, 0);
		f = lockd_oplock_file_new(T, 0);
		CHECK(do_open(f, &r, &o[0], &g) == 0 &&
		    g.level == LOPL_LEVEL_BATCH);
		CHECK(do_open(f, &r, &o[1], &g) == LOPL_WAIT &&
		    B.n == 1 && B.v[0].to == LOPL_LEVEL_NONE);
		close_all(f, o, 2);
		lockd_oplock_table_free(T);
		T = t2;
	}
}

/* Wrong acknowledgements (MS-SMB2 3.3.5.22.1). */
static void
test_bad_acks(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r = oreq(LOPL_LEVEL_EXCLUSIVE, ALL,
	    LOPL_FILE_OPEN_IF);
	struct lockd_oplock_grant g;
	uint8_t lv;

	CHECK(do_open(f, &r, &o[0], &g) == 0);
	/* No break out: an ack is refused and changes nothing. */
	CHECK(lockd_oplock_ack(f, o[0], LOPL_LEVEL_II, now, &B, &lv) ==
	    ST_INVALID_OPLOCK);
	CHECK(lockd_oplock_open_level(o[0]) == LOPL_LEVEL_EXCLUSIVE);
	r.disposition = LOPL_FILE_OVERWRITE_IF;
	CHECK(do_open(f, &r, &o[1], &g) == LOPL_WAIT);
	/* Asked to go to none, the holder may not keep Level II. */
	CHECK(lockd_oplock_ack(f, o[0], LOPL_LEVEL_II, now, &B, &lv) ==
	    ST_INVALID_OPLOCK && lv == LOPL_LEVEL_NONE);
	CHECK(lockd_oplock_open_level(o[0]) == LOPL_LEVEL_NONE);
	CHECK(!lockd_oplock_blocked(f, o[1], now));
	close_all(f, o, 2);

	f = lockd_oplock_file_new(T, 0);
	r.disposition = LOPL_FILE_OPEN_IF;
	CHECK(do_open(f, &r, &o[0], &g) == 0);
	CHECK(do_open(f, &r, &o[1], &g) == LOPL_WAIT);
	CHECK(lockd_oplock_ack(f, o[0], LOPL_LEVEL_BATCH, now, &B, &lv) ==
	    ST_INVALID_OPLOCK);
	close_all(f, o, 2);

	f = lockd_oplock_file_new(T, 0);
	CHECK(do_open(f, &r, &o[0], &g) == 0);
	CHECK(do_open(f, &r, &o[1], &g) == LOPL_WAIT);
	CHECK(lockd_oplock_ack(f, o[0], LOPL_LEVEL_LEASE, now, &B, &lv) ==
	    ST_INVALID_PARAMETER);
	CHECK(lockd_oplock_open_level(o[0]) == LOPL_LEVEL_NONE);
	close_all(f, o, 2);
}

/* brl1, brl2: a lock breaks Level II, its own too, never the owner's W. */
static void
test_brl(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r = oreq(LOPL_LEVEL_BATCH, ALL,
	    LOPL_FILE_OPEN_IF);
	struct lockd_oplock_grant g;
	uint8_t lv;

	CHECK(do_open(f, &r, &o[0], &g) == 0);
	CHECK(lockd_oplock_event(f, o[0], LOPL_EV_LOCK, now, &B) == 0 &&
	    B.n == 0);
	CHECK(do_open(f, &r, &o[1], &g) == LOPL_WAIT);
	B.n = 0;
	CHECK(lockd_oplock_ack(f, o[0], LOPL_LEVEL_II, now, &B, &lv) == 0);
	CHECK(lockd_oplock_event(f, o[0], LOPL_EV_LOCK, now, &B) == 0 &&
	    B.n == 1 && B.v[0].to == LOPL_LEVEL_NONE && !B.v[0].ack);
	/* A file with others' locks gets no Level II. */
	r.locked = 1;
	CHECK(lockd_oplock_open(f, o[1], &r, now, &B, &g) == 0 &&
	    g.level == LOPL_LEVEL_NONE);
	close_all(f, o, 2);
}

/* batch22a: an unanswered break ends at none after the timeout. */
static void
test_oplock_timeout(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r = oreq(LOPL_LEVEL_BATCH, ALL,
	    LOPL_FILE_OPEN_IF);
	struct lockd_oplock_grant g;
	uint8_t lv;

	CHECK(do_open(f, &r, &o[0], &g) == 0);
	CHECK(do_open(f, &r, &o[1], &g) == LOPL_WAIT);
	CHECK(lockd_oplock_expire(f, now + TIMEOUT - 1) == 0);
	CHECK(lockd_oplock_blocked(f, o[1], now + TIMEOUT - 1));
	CHECK(!lockd_oplock_blocked(f, o[1], now + TIMEOUT));
	CHECK(lockd_oplock_open_level(o[0]) == LOPL_LEVEL_NONE);
	CHECK(lockd_oplock_open(f, o[1], &r, now + TIMEOUT, &B, &g) == 0 &&
	    g.level == LOPL_LEVEL_II);
	/* A late acknowledgement finds no break. */
	CHECK(lockd_oplock_ack(f, o[0], LOPL_LEVEL_II, now, &B, &lv) ==
	    ST_INVALID_OPLOCK);
	close_all(f, o, 2);
}

/* lease.request: what a lone lease request gets; directories; keys. */
static void
test_lease_request(void)
{
	static const char *t[][2] = {
		{ "", "" }, { "R", "R" }, { "H", "" }, { "W", "" },
		{ "RH", "RH" }, { "RW", "RW" }, { "HW", "" },
		{ "RHW", "RHW" },
	};
	struct lockd_oplock_file *f, *f2;
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		f = lockd_oplock_file_new(T, 0);
		r = lreq(1, 1, 1, t[i][0], ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r, &o[0], &g) == 0 &&
		    g.level == LOPL_LEVEL_LEASE && g.lease_state ==
		    ls(t[i][1]) && g.lease_flags == 0 && g.epoch == 0);
		close_all(f, o, 1);
	}
	CHECK(lockd_oplock_nleases(T) == 0);

	/* One key, one file. */
	f = lockd_oplock_file_new(T, 0);
	f2 = lockd_oplock_file_new(T, 0);
	r = lreq(1, 1, 1, "RHW", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0);
	CHECK(lockd_oplock_add(f2, 99, &r, &o[1]) == ST_INVALID_PARAMETER &&
	    o[1] == NULL);
	/* Also on a directory, that gets no lease. */
	{
		struct lockd_oplock_file *d = lockd_oplock_file_new(T, 1);

		CHECK(lockd_oplock_add(d, 98, &r, &o[1]) ==
		    ST_INVALID_PARAMETER && o[1] == NULL);
		lockd_oplock_file_free(d);
	}
	/* Another user's same client and key is another lease. */
	r.uid = 7;
	CHECK(do_open(f2, &r, &o[1], &g) == 0 && g.lease_state == ls("RHW"));
	lockd_oplock_close(f2, o[1]);
	r.uid = 0;
	/* The same key of another client is another lease. */
	key(r.client_guid, 2);
	CHECK(do_open(f2, &r, &o[1], &g) == 0 && g.lease_state == ls("RHW"));
	lockd_oplock_close(f2, o[1]);
	lockd_oplock_file_free(f2);
	close_all(f, o, 1);

	/* Directories: no lease without directory leasing, never W. */
	f = lockd_oplock_file_new(T, 1);
	r = lreq(2, 1, 1, "RHW", RD, LOPL_FILE_OPEN);
	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.level == LOPL_LEVEL_NONE);
	close_all(f, o, 1);
	{
		struct lockd_oplock_table *t2 = T;

		T = lockd_oplock_table_new(TIMEOUT, 1, 1);
		f = lockd_oplock_file_new(T, 1);
		CHECK(do_open(f, &r, &o[0], &g) == 0 &&
		    g.level == LOPL_LEVEL_LEASE &&
		    g.lease_state == ls("RH"));
		close_all(f, o, 1);
		lockd_oplock_table_free(T);
		T = t2;
	}
	/* And no oplock on a directory. */
	f = lockd_oplock_file_new(T, 1);
	r = oreq(LOPL_LEVEL_BATCH, RD, LOPL_FILE_OPEN);
	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.level == LOPL_LEVEL_NONE);
	close_all(f, o, 1);
}

/* lease.break: held, contending, broken to, granted. */
static void
test_lease_break(void)
{
	static const char *t[][4] = {
		{ "R", "R", "R", "R" }, { "R", "RH", "R", "RH" },
		{ "R", "RW", "R", "R" }, { "R", "RHW", "R", "RH" },
		{ "RH", "R", "RH", "R" }, { "RH", "RH", "RH", "RH" },
		{ "RH", "RW", "RH", "R" }, { "RH", "RHW", "RH", "RH" },
		{ "RW", "R", "R", "R" }, { "RW", "RH", "R", "RH" },
		{ "RW", "RW", "R", "R" }, { "RW", "RHW", "R", "RH" },
		{ "RHW", "R", "RH", "R" }, { "RHW", "RH", "RH", "RH" },
		{ "RHW", "RW", "RH", "R" }, { "RHW", "RHW", "RH", "RH" },
	};
	struct lockd_oplock_file *f;
	struct lockd_oplock_open *o[3];
	struct lockd_oplock_req r1, r2;
	struct lockd_oplock_grant g;
	uint32_t st;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		f = lockd_oplock_file_new(T, 0);
		r1 = lreq(1, 1, 1, t[i][0], ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r1, &o[0], &g) == 0 &&
		    g.lease_state == ls(t[i][0]));
		r2 = lreq(1, 1, 2, t[i][1], ALL, LOPL_FILE_OPEN_IF);
		st = do_open(f, &r2, &o[1], &g);
		if (strcmp(t[i][0], t[i][2]) == 0) {
			CHECK(st == 0 && B.n == 0);
		} else {
			CHECK(st == LOPL_WAIT && B.n == 1 && B.v[0].lease &&
			    B.v[0].from == ls(t[i][0]) &&
			    B.v[0].to == ls(t[i][2]) && B.v[0].ack);
			B.n = 0;
			CHECK(lack(1, 1, ls(t[i][2]), 0) && B.n == 0);
			st = lockd_oplock_open(f, o[1], &r2, now, &B, &g);
			CHECK(st == 0 && B.n == 0);
		}
		CHECK(g.lease_state == ls(t[i][3]));
		/* An upgrade that the other lease forbids changes nothing. */
		r1.lease_state = ls("RHW");
		CHECK(do_open(f, &r1, &o[2], &g) == 0 && B.n == 0 &&
		    g.lease_state == ls(t[i][2]));
		close_all(f, o, 3);
	}
}

/* lease.upgrade, upgrade2 and upgrade3. */
static void
test_lease_upgrade(void)
{
	static const char *t2[][3] = {
		{ "", "", "" }, { "", "R", "R" }, { "", "RH", "RH" },
		{ "", "RW", "RW" }, { "", "RWH", "RWH" },
		{ "R", "", "R" }, { "R", "R", "R" }, { "R", "RH", "RH" },
		{ "R", "RW", "RW" }, { "R", "RWH", "RWH" },
		{ "RH", "", "RH" }, { "RH", "R", "RH" }, { "RH", "RH", "RH" },
		{ "RH", "RW", "RH" }, { "RH", "RWH", "RWH" },
		{ "RW", "", "RW" }, { "RW", "R", "RW" }, { "RW", "RH", "RW" },
		{ "RW", "RW", "RW" }, { "RW", "RWH", "RWH" },
		{ "RWH", "", "RWH" }, { "RWH", "R", "RWH" },
		{ "RWH", "RH", "RWH" }, { "RWH", "RW", "RWH" },
		{ "RWH", "RWH", "RWH" },
	};
	static const char *t3[][4] = {
		{ "R", "R", "", "R" }, { "R", "R", "R", "R" },
		{ "R", "R", "RW", "R" }, { "R", "R", "RH", "RH" },
		{ "R", "R", "RHW", "R" },
		{ "R", "RH", "", "R" }, { "R", "RH", "R", "R" },
		{ "R", "RH", "RW", "R" }, { "R", "RH", "RH", "RH" },
		{ "R", "RH", "RHW", "R" },
		{ "RH", "R", "", "RH" }, { "RH", "R", "R", "RH" },
		{ "RH", "R", "RW", "RH" }, { "RH", "R", "RH", "RH" },
		{ "RH", "R", "RHW", "RH" },
		{ "RH", "RH", "", "RH" }, { "RH", "RH", "R", "RH" },
		{ "RH", "RH", "RW", "RH" }, { "RH", "RH", "RH", "RH" },
		{ "RH", "RH", "RHW", "RH" },
	};
	struct lockd_oplock_file *f;
	struct lockd_oplock_open *o[3];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;
	size_t i;

	for (i = 0; i < sizeof(t2) / sizeof(t2[0]); i++) {
		f = lockd_oplock_file_new(T, 0);
		r = lreq(1, 1, 1, t2[i][0], ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r, &o[0], &g) == 0);
		r.lease_state = ls(t2[i][1]);
		CHECK(do_open(f, &r, &o[1], &g) == 0 &&
		    g.lease_state == ls(t2[i][2]) && B.n == 0);
		close_all(f, o, 2);
	}
	for (i = 0; i < sizeof(t3) / sizeof(t3[0]); i++) {
		f = lockd_oplock_file_new(T, 0);
		r = lreq(1, 1, 1, t3[i][0], ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r, &o[0], &g) == 0);
		r = lreq(1, 1, 2, t3[i][1], ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r, &o[1], &g) == 0 &&
		    g.lease_state == ls(t3[i][1]));
		r = lreq(1, 1, 1, t3[i][2], ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r, &o[2], &g) == 0 &&
		    g.lease_state == ls(t3[i][3]) && B.n == 0);
		close_all(f, o, 3);
	}
}

/* lease.nobreakself, lease.lock1: a key does not break itself. */
static void
test_lease_self(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;

	r = lreq(1, 1, 1, "R", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0);
	r = lreq(1, 1, 2, "R", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[1], &g) == 0 && B.n == 0);
	CHECK(lockd_oplock_event(f, o[0], LOPL_EV_WRITE, now, &B) == 0);
	CHECK(B.n == 1 && B.v[0].open == ID(o[1]) && B.v[0].from == LOPL_R &&
	    B.v[0].to == 0 && !B.v[0].ack);
	CHECK(lockd_oplock_open_state(o[0]) == LOPL_R);
	close_all(f, o, 2);

	/* RH leases: a lock breaks the other key to none, no wait. */
	f = lockd_oplock_file_new(T, 0);
	r = lreq(1, 1, 1, "RH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0);
	r = lreq(1, 2, 2, "RH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[1], &g) == 0 && g.lease_state == ls("RH"));
	CHECK(lockd_oplock_event(f, o[0], LOPL_EV_LOCK, now, &B) == 0);
	CHECK(B.n == 1 && B.v[0].open == ID(o[1]) &&
	    B.v[0].from == ls("RH") && B.v[0].to == 0 && B.v[0].ack);
	CHECK(lockd_oplock_open_state(o[0]) == ls("RH"));
	CHECK(lack(2, 2, 0, 0));
	close_all(f, o, 2);
}

/* lease.oplock: leases against oplocks, both ways round. */
static void
test_lease_oplock(void)
{
	static const struct {
		const char *held;
		uint8_t level;
		const char *broken;
		uint8_t granted;
	} t1[] = {
		{ "R", LOPL_LEVEL_II, "R", LOPL_LEVEL_II },
		{ "R", LOPL_LEVEL_BATCH, "R", LOPL_LEVEL_II },
		{ "RH", LOPL_LEVEL_EXCLUSIVE, "RH", LOPL_LEVEL_NONE },
		{ "RW", LOPL_LEVEL_II, "R", LOPL_LEVEL_II },
		{ "RHW", LOPL_LEVEL_BATCH, "RH", LOPL_LEVEL_NONE },
	};
	static const struct {
		uint8_t level;
		const char *want;
	} t2[] = {
		{ LOPL_LEVEL_II, "RHW" }, { LOPL_LEVEL_EXCLUSIVE, "RH" },
		{ LOPL_LEVEL_BATCH, "R" },
	};
	struct lockd_oplock_file *f;
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;
	uint8_t lv;
	uint32_t st;
	size_t i;

	for (i = 0; i < sizeof(t1) / sizeof(t1[0]); i++) {
		f = lockd_oplock_file_new(T, 0);
		r = lreq(1, 1, 1, t1[i].held, ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r, &o[0], &g) == 0);
		r = oreq(t1[i].level, ALL, LOPL_FILE_OPEN_IF);
		st = do_open(f, &r, &o[1], &g);
		if (strcmp(t1[i].held, t1[i].broken) != 0) {
			CHECK(st == LOPL_WAIT && B.n == 1);
			CHECK(lack(1, 1, ls(t1[i].broken), 0));
			st = lockd_oplock_open(f, o[1], &r, now, &B, &g);
		}
		CHECK(st == 0 && g.level == t1[i].granted);
		close_all(f, o, 2);
	}
	for (i = 0; i < sizeof(t2) / sizeof(t2[0]); i++) {
		f = lockd_oplock_file_new(T, 0);
		r = oreq(t2[i].level, ALL, LOPL_FILE_OPEN_IF);
		CHECK(do_open(f, &r, &o[0], &g) == 0);
		r = lreq(1, 1, 1, t2[i].want, ALL, LOPL_FILE_OPEN_IF);
		st = do_open(f, &r, &o[1], &g);
		if (t2[i].level != LOPL_LEVEL_II) {
			CHECK(st == LOPL_WAIT && B.n == 1 &&
			    B.v[0].to == LOPL_LEVEL_II);
			CHECK(lockd_oplock_ack(f, o[0], LOPL_LEVEL_II, now,
			    &B, &lv) == 0);
			st = lockd_oplock_open(f, o[1], &r, now, &B, &g);
		}
		/* Beside an oplock a lease caches no handle. */
		CHECK(st == 0 && g.lease_state == LOPL_R);
		close_all(f, o, 2);
	}
}

/* lease.breaking1 and breaking2: the break in progress. */
static void
test_lease_breaking12(void)
{
	static const char *bad[] = { "RHW", "RH", "RW", "W", "H", "R" };
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[3];
	struct lockd_oplock_req r1, r2;
	struct lockd_oplock_grant g;
	size_t i;

	r1 = lreq(1, 1, 1, "RWH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r1, &o[0], &g) == 0);
	r2 = oreq(LOPL_LEVEL_NONE, ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r2, &o[1], &g) == LOPL_WAIT && B.n == 1 &&
	    B.v[0].to == ls("RH"));
	B.n = 0;
	/* The same key opens at once and sees the old state. */
	CHECK(do_open(f, &r1, &o[2], &g) == 0 && B.n == 0 &&
	    g.lease_state == ls("RWH") &&
	    g.lease_flags == LOPL_FLAG_BREAK_IN_PROGRESS);
	CHECK(lack(1, 1, ls("RH"), 0) && B.n == 0);
	CHECK(lockd_oplock_open(f, o[1], &r2, now, &B, &g) == 0);
	close_all(f, o, 3);

	f = lockd_oplock_file_new(T, 0);
	CHECK(do_open(f, &r1, &o[0], &g) == 0);
	r2.disposition = LOPL_FILE_OVERWRITE;
	CHECK(do_open(f, &r2, &o[1], &g) == LOPL_WAIT && B.n == 1 &&
	    B.v[0].to == 0 && B.v[0].ack);
	B.n = 0;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(lack(1, 1, ls(bad[i]), ST_NOT_ACCEPTED));
	CHECK(lack(1, 1, 0, 0));
	CHECK(lack(1, 1, 0, ST_UNSUCCESSFUL));
	CHECK(lack(1, 7, 0, ST_NOT_FOUND));
	CHECK(lockd_oplock_open(f, o[1], &r2, now, &B, &g) == 0 && B.n == 0);
	o[2] = NULL;
	close_all(f, o, 2);
}

/*
 * lease.breaking3 and v2_breaking3: a second need while a break is out
 * waits for it, then comes as further breaks, through R, in one epoch.
 */
static void
test_lease_breaking3(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[3];
	struct lockd_oplock_req r1, r2, r3;
	struct lockd_oplock_grant g;
	uint16_t e;

	r1 = lreq(2, 1, 1, "RWH", ALL, LOPL_FILE_OPEN_IF);
	r1.epoch = 0x10;
	CHECK(do_open(f, &r1, &o[0], &g) == 0 && g.epoch == 0x11);
	e = g.epoch;
	r2 = oreq(LOPL_LEVEL_NONE, ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r2, &o[1], &g) == LOPL_WAIT && B.n == 1 &&
	    B.v[0].from == ls("RWH") && B.v[0].to == ls("RH") &&
	    B.v[0].epoch == e + 1 && B.v[0].version == 2);
	B.n = 0;
	r3 = oreq(LOPL_LEVEL_NONE, ALL, LOPL_FILE_OVERWRITE);
	CHECK(do_open(f, &r3, &o[2], &g) == LOPL_WAIT && B.n == 0);
	CHECK(lack(1, 1, ls("RH"), 0));
	CHECK(B.n == 1 && B.v[0].from == ls("RH") && B.v[0].to == LOPL_R &&
	    B.v[0].ack && B.v[0].epoch == e + 1);
	B.n = 0;
	CHECK(lockd_oplock_open(f, o[1], &r2, now, &B, &g) == LOPL_WAIT);
	CHECK(lockd_oplock_open(f, o[2], &r3, now, &B, &g) == LOPL_WAIT);
	CHECK(B.n == 0);
	CHECK(lack(1, 1, LOPL_R, 0));
	CHECK(B.n == 1 && B.v[0].from == LOPL_R && B.v[0].to == 0 &&
	    !B.v[0].ack && B.v[0].epoch == e + 1);
	B.n = 0;
	CHECK(lockd_oplock_open(f, o[1], &r2, now, &B, &g) == 0);
	CHECK(lockd_oplock_open(f, o[2], &r3, now, &B, &g) == 0 && B.n == 0);
	close_all(f, o, 3);
}

/*
 * lease.breaking4 and breaking5: breaks of R and RH to none need not be
 * waited for; RH must still be acknowledged, R cannot be.
 */
static void
test_lease_breaking45(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[4];
	struct lockd_oplock_req r1, r2;
	struct lockd_oplock_grant g;

	r1 = lreq(1, 1, 1, "RH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r1, &o[0], &g) == 0);
	r2 = oreq(LOPL_LEVEL_NONE, ALL, LOPL_FILE_OVERWRITE);
	CHECK(do_open(f, &r2, &o[1], &g) == 0 && B.n == 1 &&
	    B.v[0].to == 0 && B.v[0].ack);
	B.n = 0;
	CHECK(do_open(f, &r2, &o[2], &g) == 0 && B.n == 0);
	CHECK(do_open(f, &r1, &o[3], &g) == 0 && g.lease_state == ls("RH") &&
	    g.lease_flags == LOPL_FLAG_BREAK_IN_PROGRESS);
	CHECK(lack(1, 1, 0, 0) && B.n == 0);
	close_all(f, o, 4);

	f = lockd_oplock_file_new(T, 0);
	r1.lease_state = LOPL_R;
	CHECK(do_open(f, &r1, &o[0], &g) == 0);
	CHECK(do_open(f, &r2, &o[1], &g) == 0 && B.n == 1 &&
	    B.v[0].to == 0 && !B.v[0].ack);
	B.n = 0;
	r1.lease_state = 0;
	CHECK(do_open(f, &r1, &o[2], &g) == 0 && g.lease_state == 0 &&
	    g.lease_flags == 0);
	CHECK(lack(1, 1, 0, ST_UNSUCCESSFUL));
	close_all(f, o, 3);
}

/* lease.sharing_violation: only H is broken, and it still fails. */
static void
test_lease_sharing(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[1];
	struct lockd_oplock_req r1, r2;
	struct lockd_oplock_grant g;

	r1 = lreq(1, 1, 1, "RWH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r1, &o[0], &g) == 0);
	r2 = lreq(1, 2, 2, "RWH", ALL, LOPL_FILE_OVERWRITE);
	CHECK(lockd_oplock_sharing(f, &r2, now, &B) == LOPL_WAIT &&
	    B.n == 1 && B.v[0].from == ls("RWH") && B.v[0].to == ls("RW"));
	B.n = 0;
	CHECK(lack(1, 1, ls("RW"), 0));
	CHECK(lockd_oplock_sharing(f, &r2, now, &B) == 0 && B.n == 0);
	/* The holder's own key is no reason to break. */
	r2 = lreq(1, 1, 1, "RWH", ALL, LOPL_FILE_OPEN);
	CHECK(lockd_oplock_sharing(f, &r2, now, &B) == 0 && B.n == 0);
	close_all(f, o, 1);
}

/* lease.timeout: an unanswered lease break ends at none. */
static void
test_lease_timeout(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[3];
	struct lockd_oplock_req r1, r2;
	struct lockd_oplock_grant g;

	r1 = lreq(1, 1, 1, "RWH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r1, &o[0], &g) == 0);
	r2 = lreq(1, 1, 2, "RWH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r2, &o[1], &g) == LOPL_WAIT);
	B.n = 0;
	now += TIMEOUT;
	CHECK(!lockd_oplock_blocked(f, o[1], now));
	CHECK(lockd_oplock_open(f, o[1], &r2, now, &B, &g) == 0 &&
	    g.lease_state == ls("RH"));
	CHECK(lack(1, 1, ls("RH"), ST_UNSUCCESSFUL));
	CHECK(lockd_oplock_open_state(o[0]) == 0);
	/* A write of lease 1 breaks lease 2 to none. */
	CHECK(lockd_oplock_event(f, o[0], LOPL_EV_WRITE, now, &B) == 0 &&
	    B.n == 1 && B.v[0].to == 0);
	CHECK(lack(1, 2, 0, 0));
	lockd_oplock_close(f, o[1]);
	o[1] = NULL;
	r1.lease_state = LOPL_R;
	CHECK(do_open(f, &r1, &o[2], &g) == 0 && g.lease_state == LOPL_R);
	lockd_oplock_close(f, o[2]);
	r1.lease_state = ls("RWH");
	CHECK(do_open(f, &r1, &o[2], &g) == 0 && g.lease_state == ls("RWH"));
	close_all(f, o, 3);
}

/* lease.v2_epoch1 and v2_epoch2: every state change counts. */
static void
test_lease_epoch(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[4];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;

	r = lreq(2, 1, 1, "R", ALL, LOPL_FILE_OPEN_IF);
	r.epoch = 0x4711;
	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.epoch == 0x4712 &&
	    g.lease_version == 2);
	/* A v1 context on a v2 lease: still a v2 lease. */
	r = lreq(1, 1, 1, "RH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[1], &g) == 0 && g.epoch == 0x4713 &&
	    g.lease_version == 2 && g.lease_state == ls("RH"));
	r.lease_state = ls("RHW");
	CHECK(do_open(f, &r, &o[2], &g) == 0 && g.epoch == 0x4714);
	/* No change, no new epoch. */
	CHECK(do_open(f, &r, &o[3], &g) == 0 && g.epoch == 0x4714);
	lockd_oplock_close(f, o[3]);
	r = oreq(LOPL_LEVEL_NONE, ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[3], &g) == LOPL_WAIT && B.n == 1 &&
	    B.v[0].epoch == 0x4715);
	close_all(f, o, 4);

	/* A parent key is echoed by v2 only. */
	f = lockd_oplock_file_new(T, 0);
	r = lreq(2, 1, 1, "RH", ALL, LOPL_FILE_OPEN_IF);
	r.has_parent = 1;
	key(r.parent_key, 9);
	CHECK(do_open(f, &r, &o[0], &g) == 0 &&
	    g.lease_flags == LOPL_FLAG_PARENT_KEY_SET);
	r.lease_version = 1;
	key(r.lease_key, 2);
	CHECK(do_open(f, &r, &o[1], &g) == 0 && g.lease_flags == 0);
	close_all(f, o, 2);
}

/* Rename and delete need the H of other keys gone; own key, nothing. */
static void
test_rename(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[3];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;
	uint8_t lv;

	r = lreq(1, 1, 1, "RH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0);
	CHECK(lockd_oplock_event(f, o[0], LOPL_EV_RENAME, now, &B) == 0 &&
	    B.n == 0);
	r = oreq(LOPL_LEVEL_NONE, ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[1], &g) == 0);
	CHECK(lockd_oplock_event(f, o[1], LOPL_EV_RENAME, now, &B) ==
	    LOPL_WAIT && B.n == 1 && B.v[0].to == LOPL_R && B.v[0].ack);
	B.n = 0;
	CHECK(lack(1, 1, LOPL_R, 0));
	CHECK(lockd_oplock_event(f, o[1], LOPL_EV_DELETE, now, &B) == 0 &&
	    B.n == 0);
	/* A directory rename above the file: nobody's key. */
	close_all(f, o, 2);

	f = lockd_oplock_file_new(T, 0);
	r = oreq(LOPL_LEVEL_BATCH, ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0);
	CHECK(lockd_oplock_event(f, NULL, LOPL_EV_PARENT, now, &B) ==
	    LOPL_WAIT && B.n == 1 && B.v[0].to == LOPL_LEVEL_II);
	B.n = 0;
	CHECK(lockd_oplock_ack(f, o[0], LOPL_LEVEL_II, now, &B, &lv) == 0);
	CHECK(lockd_oplock_event(f, NULL, LOPL_EV_PARENT, now, &B) == 0 &&
	    B.n == 0);
	close_all(f, o, 1);
}

/* dirlease: children's changes break the directory's other leases. */
static void
test_dir_lease(void)
{
	struct lockd_oplock_table *t2 = T;
	struct lockd_oplock_file *f;
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;
	uint8_t k[LOPL_KEY_LEN];

	T = lockd_oplock_table_new(TIMEOUT, 1, 1);
	f = lockd_oplock_file_new(T, 1);
	r = lreq(2, 1, 1, "RH", RD, LOPL_FILE_OPEN);
	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.lease_state == ls("RH"));
	r = lreq(2, 2, 2, "RH", RD, LOPL_FILE_OPEN);
	CHECK(do_open(f, &r, &o[1], &g) == 0 && g.lease_state == ls("RH"));
	/* The change carries lease 1's key as parent: only 2 breaks. */
	key(k, 1);
	lockd_oplock_dir_change(f, k, now, &B);
	CHECK(B.n == 1 && B.v[0].open == ID(o[1]) &&
	    B.v[0].from == ls("RH") && B.v[0].to == 0 && B.v[0].ack &&
	    B.v[0].epoch == g.epoch + 1);
	B.n = 0;
	CHECK(lack(2, 2, 0, 0));
	lockd_oplock_dir_change(f, NULL, now, &B);
	CHECK(B.n == 1 && B.v[0].from == ls("RH"));
	close_all(f, o, 2);
	lockd_oplock_table_free(T);
	T = t2;
}

/* lease.multibreak: an overwrite breaks R and Level II, no waiting. */
static void
test_multibreak(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[3];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;

	r = lreq(1, 1, 1, "R", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0);
	r = oreq(LOPL_LEVEL_II, ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[1], &g) == 0 && g.level == LOPL_LEVEL_II &&
	    B.n == 0);
	r = oreq(LOPL_LEVEL_NONE, ALL, LOPL_FILE_OVERWRITE_IF);
	CHECK(do_open(f, &r, &o[2], &g) == 0 && B.n == 2 &&
	    B.v[0].lease && !B.v[0].ack && !B.v[1].lease && !B.v[1].ack);
	close_all(f, o, 3);
	CHECK(lockd_oplock_nleases(T) == 0);
}

/*
 * kernel oplocks: a local opener (LOPL_EV_LOCAL) breaks every holder to
 * none, the reporting open's own Batch included; a lease with H only is
 * broken too, its acknowledgment awaited by the worker, not by lockd
 * (the kernel holds the local opener up).
 */
static void
test_local_break(void)
{
	struct lockd_oplock_file *f = lockd_oplock_file_new(T, 0);
	struct lockd_oplock_open *o[2];
	struct lockd_oplock_req r;
	struct lockd_oplock_grant g;
	uint8_t lv;

	r = oreq(LOPL_LEVEL_BATCH, ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.level == LOPL_LEVEL_BATCH);
	CHECK(lockd_oplock_event(f, o[0], LOPL_EV_LOCAL, now, &B) ==
	    LOPL_WAIT);
	CHECK(B.n == 1 && brk(0, ID(o[0]), LOPL_LEVEL_BATCH, LOPL_LEVEL_NONE,
	    1));
	B.n = 0;
	CHECK(lockd_oplock_ack(f, o[0], LOPL_LEVEL_NONE, now, &B, &lv) == 0 &&
	    lv == LOPL_LEVEL_NONE);
	/* Nothing cached: nothing more to break. */
	CHECK(lockd_oplock_event(f, o[0], LOPL_EV_LOCAL, now, &B) == 0 &&
	    B.n == 0);
	close_all(f, o, 1);
	f = lockd_oplock_file_new(T, 0);
	/* A lease with H is broken (and acknowledged); nothing waits. */
	r = lreq(1, 1, 1, "RH", ALL, LOPL_FILE_OPEN_IF);
	CHECK(do_open(f, &r, &o[0], &g) == 0 && g.lease_state == ls("RH"));
	r = oreq(LOPL_LEVEL_NONE, ALL, LOPL_FILE_OPEN);
	CHECK(do_open(f, &r, &o[1], &g) == 0 && B.n == 0);
	CHECK(lockd_oplock_event(f, o[1], LOPL_EV_LOCAL, now, &B) == 0 &&
	    B.n == 1 && B.v[0].lease && B.v[0].from == ls("RH") &&
	    B.v[0].to == 0 && B.v[0].ack == 1);
	B.n = 0;
	close_all(f, o, 2);
}

int
main(void)
{
	T = lockd_oplock_table_new(TIMEOUT, 1, 0);
	test_exclusive();
	test_sharing_batch();
	test_close_on_break();
	test_stat_open();
	test_level2();
	test_bad_acks();
	test_brl();
	test_oplock_timeout();
	test_lease_request();
	test_lease_break();
	test_lease_upgrade();
	test_lease_self();
	test_lease_oplock();
	test_lease_breaking12();
	test_lease_breaking3();
	test_lease_breaking45();
	test_lease_sharing();
	test_lease_timeout();
	test_lease_epoch();
	test_rename();
	test_dir_lease();
	test_multibreak();
	test_lease_statopen();
	test_local_break();
	CHECK(lockd_oplock_nleases(T) == 0);
	lockd_oplock_table_free(T);
	lockd_oplock_breaks_free(&B);
	return unit_done();
}
