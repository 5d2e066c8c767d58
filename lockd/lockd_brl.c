/*
 * Byte-range locks for every session worker, in one place (MS-SMB2
 * 3.3.5.14, MS-FSA 2.1.5.7 "Byte-Range Lock", 2.1.5.8 "Unlock" and
 * 2.1.4.10 "Algorithm to Check for a Byte-Range Lock Conflict").
 *
 * Design.  Locks belong to a lockd open handle and live with the file
 * record of lockd_share.c (device, inode, stream), so that locks of
 * different streams never meet and a close drops exactly its open's
 * locks.  A file's record is a list: lock counts per file are small,
 * and a linear scan is what every request costs.
 *
 * Waiting.  A lock without FAIL_IMMEDIATELY that conflicts waits here:
 * lockd answers the LOCK with an interim PENDING (the worker sends the
 * client STATUS_PENDING) and the final answer when an unlock or a close
 * lets it through, when the worker cancels it (CANCELLED), or when its
 * own open closes (RANGE_NOT_LOCKED, as Windows answers).  Waiters are
 * tried in arrival order after every release.
 *
 * IO checks.  A READ or WRITE must not cross another open's lock, but a
 * lockd round trip on every IO would cost what doc/design.md §6 forbids.  So
 * the worker checks only opens of files that may have locks.  When a
 * file gets its first lock, every worker with an open of it gets
 * IPC_LOCKD_NOTIFY naming those opens, and the lock's reply waits until
 * each of them has acknowledged: once a client has been told it holds
 * a lock, no worker does IO on that file unchecked.  An open made later
 * learns it from the OPEN reply.  When the last lock goes, lockd stops
 * saying the file is locked; a worker learns that from the next CHECK
 * reply and stops asking, and the next first lock announces again.
 * A check and the IO after it are not atomic: an IO already checked when
 * a lock is granted is ordered before that lock, as it would be had it
 * arrived a moment earlier.
 *
 * Limits: "max byte range locks" (smbd.conf) per session worker bounds
 * the memory one client can make lockd spend; LOCKD_BRL_MAX_LOCKS locks
 * and LOCKD_BRL_MAX_WAITS waiting requests per file bound the cost of
 * the linear scans, which many clients together could otherwise make
 * expensive for everybody on that file; LOCKD_BRL_MAX_WORK bounds what
 * one LOCK, UNLOCK or CHECK may cost, and the two per-file limits
 * together what a release costs in retries of waiting locks.
 * LOCKD_BRL_MAX_WAITS also bounds the grants of one file whose replies
 * wait for acknowledgements, and LOCKD_BRL_MAX_PEER_WAITS the waits and
 * such grants of one worker over all its files.  Past a limit a LOCK
 * fails with INSUFFICIENT_RESOURCES and a log line.
 *
 * Acknowledgements.  A worker that never acknowledges (buggy, stuck, or
 * hostile) must not hold up the locks of other workers, nor make lockd
 * keep their pending replies forever: lockd_brl_expire(), run every
 * second from lockd.c, gives up on an announcement after
 * LOCKD_BRL_ACK_TIMEOUT_MS, answers the locks that waited for it and
 * logs the workers that did not answer.  Such a worker may do IO on that
 * file unchecked; it holds the file's descriptor anyway, so the locks
 * were only ever as good as its cooperation.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockd_brl.h"
#include "lockd_proto.h"
#include "lockd_share.h"
#include "log.h"
#include "util.h"

#define LOCKD_BRL_MAX_LOCKS	10000
#define LOCKD_BRL_PEER_BUCKETS	256
#define LOCKD_BRL_MAX_WAITS	256
/*
 * Lock comparisons one request may cost (about 10 ms): lockd serves
 * every session, and the scans are linear, so a LOCK of 4096 ranges on a
 * file with 100000 locks would otherwise stop it for half a second, and
 * building such a file take seconds.  A LOCK of 4096 ranges on a file
 * without locks still fits.
 */
#define LOCKD_BRL_MAX_WORK	((uint64_t)1 << 23)
/* Workers told at once about one file; more opens than this are rare. */
#define LOCKD_BRL_MAX_OPENS	4096

struct brl_lock {
	TAILQ_ENTRY(brl_lock)	 entry;
	uint64_t		 handle;
	uint32_t		 peer;
	uint64_t		 off;
	uint64_t		 len;
	int			 excl;
};

struct brl_wait {
	TAILQ_ENTRY(brl_wait)	 entry;
	LIST_ENTRY(brl_wait)	 peer_entry;	/* its worker's, for a cancel */
	struct lockd_brl_file	*file;
	uint32_t		 peer;
	uint64_t		 reqid;
	uint64_t		 handle;
	uint64_t		 off;
	uint64_t		 len;
	int			 excl;
};

/* A granted LOCK whose reply waits for the workers' acknowledgements. */
struct brl_later {
	TAILQ_ENTRY(brl_later)	 entry;
	uint32_t		 peer;
	uint64_t		 reqid;
};

struct lockd_brl_file {
	TAILQ_ENTRY(lockd_brl_file) entry;	/* all files with state */
	/* On brl_announcing while ann_n > 0, oldest first. */
	TAILQ_ENTRY(lockd_brl_file) ann_entry;
	struct lockd_brl_file	**slot;		/* in lockd_share.c */
	TAILQ_HEAD(, brl_lock)	 locks;
	size_t			 nlocks;
	TAILQ_HEAD(, brl_wait)	 waits;
	size_t			 nwaits;
	/* Every worker with an open was told (or is being told). */
	int			 announced;
	uint64_t		 ann_id;
	uint32_t		*ann_peers;	/* still to acknowledge */
	size_t			 ann_n;
	uint64_t		 ann_since;	/* time_mono_ms() */
	TAILQ_HEAD(, brl_later)	 later;
	size_t			 nlater;
};

/* How many locks each worker holds, for its limit. */
struct brl_peer {
	LIST_ENTRY(brl_peer)	 entry;
	uint32_t		 id;
	size_t			 nlocks;
	size_t			 nwaits;	/* brl_wait, every file */
	size_t			 nlater;	/* brl_later, every file */
	LIST_HEAD(, brl_wait)	 waits;
};

/*
 * Waiting LOCKs and grants waiting for acknowledgements one worker may
 * have over all files: the per-file limits alone would let a worker with
 * many opens grow these lists without bound.
 */
#define LOCKD_BRL_MAX_PEER_WAITS	4096

static TAILQ_HEAD(, lockd_brl_file) brl_files =
    TAILQ_HEAD_INITIALIZER(brl_files);
/*
 * Files whose notice still waits for acknowledgements: an ACK and the
 * expiry look only here, not through every file with locks.
 */
static TAILQ_HEAD(, lockd_brl_file) brl_announcing =
    TAILQ_HEAD_INITIALIZER(brl_announcing);
static LIST_HEAD(, brl_peer)	brl_peers[LOCKD_BRL_PEER_BUCKETS];
static size_t			brl_max_per_peer = 100000;
static lockd_brl_reply_fn	brl_reply;
static lockd_brl_notify_fn	brl_notify;
static uint64_t			brl_next_ann = 1;
static size_t			brl_nlocks;

static void	brl_retry(struct lockd_brl_file *);

/*
 * The limits' warnings, at most LOCKD_BRL_WARN_PER_SECOND a second: a
 * client that runs into a limit in a loop must not fill the log that
 * every process writes through the master.
 */
#define LOCKD_BRL_WARN_PER_SECOND	10
#define brl_warnx(...)	do {						\
	if (brl_warn_ok())						\
		log_warnx(__VA_ARGS__);					\
} while (0)

static int
brl_warn_ok(void)
{
	static uint64_t window;
	static unsigned int n, dropped;
	uint64_t now = time_mono_ms();

	if (now - window >= 1000) {
		if (dropped > 0)
			log_warnx("byte-range locks: %u more warnings of the "
			    "limits not logged", dropped);
		window = now;
		n = dropped = 0;
	}
	if (n < LOCKD_BRL_WARN_PER_SECOND) {
		n++;
		return 1;
	}
	dropped++;
	return 0;
}

void
lockd_brl_init(lockd_brl_reply_fn reply, lockd_brl_notify_fn notify)
{
	brl_reply = reply;
	brl_notify = notify;
}

void
lockd_brl_set_limit(size_t max_per_peer)
{
	brl_max_per_peer = max_per_peer;
}

static struct brl_peer *
brl_peer_get(uint32_t id, int create)
{
	struct brl_peer *bp;
	size_t b = id % LOCKD_BRL_PEER_BUCKETS;

	LIST_FOREACH(bp, &brl_peers[b], entry)
		if (bp->id == id)
			return bp;
	if (!create)
		return NULL;
	bp = xcalloc(1, sizeof(*bp));
	bp->id = id;
	LIST_INSERT_HEAD(&brl_peers[b], bp, entry);
	return bp;
}

static size_t
brl_peer_locks(uint32_t id)
{
	struct brl_peer *bp;

	return (bp = brl_peer_get(id, 0)) != NULL ? bp->nlocks : 0;
}

/* A worker's record goes when it holds nothing any more. */
static void
brl_peer_put(struct brl_peer *bp)
{
	if (bp->nlocks == 0 && bp->nwaits == 0 && bp->nlater == 0) {
		LIST_REMOVE(bp, entry);
		free(bp);
	}
}

static void
brl_wait_insert(struct lockd_brl_file *f, struct brl_wait *w)
{
	struct brl_peer *bp = brl_peer_get(w->peer, 1);

	w->file = f;
	TAILQ_INSERT_TAIL(&f->waits, w, entry);
	f->nwaits++;
	bp->nwaits++;
	LIST_INSERT_HEAD(&bp->waits, w, peer_entry);
}

static void
brl_wait_remove(struct lockd_brl_file *f, struct brl_wait *w)
{
	struct brl_peer *bp;

	TAILQ_REMOVE(&f->waits, w, entry);
	f->nwaits--;
	LIST_REMOVE(w, peer_entry);
	if ((bp = brl_peer_get(w->peer, 0)) != NULL) {
		bp->nwaits--;
		brl_peer_put(bp);
	}
}

static void
brl_later_remove(struct lockd_brl_file *f, struct brl_later *b)
{
	struct brl_peer *bp;

	TAILQ_REMOVE(&f->later, b, entry);
	f->nlater--;
	if ((bp = brl_peer_get(b->peer, 0)) != NULL) {
		bp->nlater--;
		brl_peer_put(bp);
	}
}

/* May this worker have one more wait (or pending grant)? */
static int
brl_peer_may_wait(uint32_t id, int later)
{
	struct brl_peer *bp;

	if ((bp = brl_peer_get(id, 0)) == NULL ||
	    (later ? bp->nlater : bp->nwaits) < LOCKD_BRL_MAX_PEER_WAITS)
		return 1;
	brl_warnx("byte-range locks: the session of connection %u has %d %s "
	    "already; refusing another", id, LOCKD_BRL_MAX_PEER_WAITS,
	    later ? "grants waiting for acknowledgements" : "waiting locks");
	return 0;
}

static void
brl_send(uint32_t peer, uint64_t reqid, uint32_t status)
{
	if (brl_reply != NULL)
		brl_reply(peer, reqid, status);
}

/*
 * MS-FSA 2.1.5.7: the last byte of a range, offset + length - 1, must
 * be representable; a zero-length range is valid anywhere.
 */
int
lockd_brl_range_valid(uint64_t off, uint64_t len)
{
	return len == 0 || len - 1 <= UINT64_MAX - off;
}

/*
 * Do two lock ranges conflict by position?  Ranges of bytes overlap as
 * usual.  A zero-length lock covers no byte, yet it meets a range that
 * holds its offset strictly after the range's first byte (what Windows
 * does, and smb2.lock.zerobytelength checks); two zero-length locks
 * never meet.
 */
int
lockd_brl_overlap(uint64_t o1, uint64_t l1, uint64_t o2, uint64_t l2)
{
	if (l1 == 0 && l2 == 0)
		return 0;
	if (l1 == 0)
		return o1 > o2 && o1 - o2 < l2;
	if (l2 == 0)
		return o2 > o1 && o2 - o1 < l1;
	return o1 <= o2 + (l2 - 1) && o2 <= o1 + (l1 - 1);
}

/*
 * Would a lock of this open conflict with an existing lock?  An
 * exclusive lock conflicts with every overlapping lock, the open's own
 * too; a shared one only with another open's exclusive lock (a shared
 * lock stacks on the open's own exclusive one, smb2.lock.stacking).
 */
static int
brl_conflict(const struct brl_lock *l, uint64_t handle, uint64_t off,
    uint64_t len, int excl)
{
	if (!lockd_brl_overlap(l->off, l->len, off, len))
		return 0;
	if (excl)
		return 1;
	return l->excl && l->handle != handle;
}

static int
brl_conflicts(const struct lockd_brl_file *f, uint64_t handle, uint64_t off,
    uint64_t len, int excl)
{
	const struct brl_lock *l;

	TAILQ_FOREACH(l, &f->locks, entry)
		if (brl_conflict(l, handle, off, len, excl))
			return 1;
	return 0;
}

static struct brl_lock *
brl_add(struct lockd_brl_file *f, uint32_t peer, uint64_t handle,
    uint64_t off, uint64_t len, int excl)
{
	struct brl_lock *l;

	l = xcalloc(1, sizeof(*l));
	l->peer = peer;
	l->handle = handle;
	l->off = off;
	l->len = len;
	l->excl = excl;
	TAILQ_INSERT_TAIL(&f->locks, l, entry);
	f->nlocks++;
	brl_nlocks++;
	brl_peer_get(peer, 1)->nlocks++;
	return l;
}

static void
brl_remove(struct lockd_brl_file *f, struct brl_lock *l)
{
	struct brl_peer *bp;

	if ((bp = brl_peer_get(l->peer, 0)) != NULL) {
		bp->nlocks--;
		brl_peer_put(bp);
	}
	TAILQ_REMOVE(&f->locks, l, entry);
	f->nlocks--;
	brl_nlocks--;
	free(l);
}

static struct lockd_brl_file *
brl_file_get(struct lockd_brl_file **slot)
{
	struct lockd_brl_file *f;

	if (*slot != NULL)
		return *slot;
	f = xcalloc(1, sizeof(*f));
	f->slot = slot;
	TAILQ_INIT(&f->locks);
	TAILQ_INIT(&f->waits);
	TAILQ_INIT(&f->later);
	TAILQ_INSERT_TAIL(&brl_files, f, entry);
	*slot = f;
	return f;
}

/* Answer every LOCK that waited for the acknowledgements. */
static void
brl_flush_later(struct lockd_brl_file *f)
{
	struct brl_later *b;

	while ((b = TAILQ_FIRST(&f->later)) != NULL) {
		brl_later_remove(f, b);
		brl_send(b->peer, b->reqid, LOCKD_STATUS_OK);
		free(b);
	}
}

static void
brl_ann_done(struct lockd_brl_file *f)
{
	if (f->ann_n > 0)
		TAILQ_REMOVE(&brl_announcing, f, ann_entry);
	free(f->ann_peers);
	f->ann_peers = NULL;
	f->ann_n = 0;
	brl_flush_later(f);
}

/*
 * After a change: a file without locks is no longer announced, and one
 * without any state goes away.
 */
static void
brl_idle(struct lockd_brl_file *f)
{
	if (f->nlocks > 0 || f->ann_n > 0)
		return;
	f->announced = 0;
	if (f->nwaits > 0 || !TAILQ_EMPTY(&f->later))
		return;
	*f->slot = NULL;
	TAILQ_REMOVE(&brl_files, f, entry);
	free(f);
}

void
lockd_brl_file_free(struct lockd_brl_file *f)
{
	struct brl_lock *l;
	struct brl_wait *w;

	if (f == NULL)
		return;
	/* Closes dropped everything already; this is the safety net. */
	while ((l = TAILQ_FIRST(&f->locks)) != NULL)
		brl_remove(f, l);
	while ((w = TAILQ_FIRST(&f->waits)) != NULL) {
		brl_wait_remove(f, w);
		brl_send(w->peer, w->reqid, LOCKD_STATUS_RANGE_NOT_LOCKED);
		free(w);
	}
	brl_ann_done(f);
	*f->slot = NULL;
	TAILQ_REMOVE(&brl_files, f, entry);
	free(f);
}

/*
 * A lock was granted: answer now if every worker knows the file has
 * locks, or first tell them and answer once they all acknowledged.
 */
static uint32_t
brl_granted(struct lockd_brl_file *f, uint32_t peer, uint64_t handle,
    uint64_t reqid)
{
	static uint32_t peers[LOCKD_BRL_MAX_OPENS], tried[LOCKD_BRL_MAX_OPENS];
	static uint64_t handles[LOCKD_BRL_MAX_OPENS], mine[LOCKD_BRL_MAX_OPENS];
	struct brl_later *b;
	size_t n, i, j, k, ntried = 0;

	if (!f->announced) {
		f->announced = 1;
		n = lockd_share_file_opens(peer, handle, peers, handles,
		    LOCKD_BRL_MAX_OPENS);
		if (n > LOCKD_BRL_MAX_OPENS) {
			brl_warnx("byte-range locks: file has %zu opens; only "
			    "the first %d are checked", n,
			    LOCKD_BRL_MAX_OPENS);
			n = LOCKD_BRL_MAX_OPENS;
		}
		f->ann_id = brl_next_ann++;
		f->ann_since = time_mono_ms();
		f->ann_peers = xcalloc(n > 0 ? n : 1, sizeof(uint32_t));
		f->ann_n = 0;
		for (i = 0; i < n; i++) {
			/*
			 * Each worker once, with all of its opens; one that
			 * cannot be told is not tried again for its next
			 * open.
			 */
			for (j = 0; j < ntried; j++)
				if (tried[j] == peers[i])
					break;
			if (j < ntried)
				continue;
			tried[ntried++] = peers[i];
			for (k = 0, j = i; j < n; j++)
				if (peers[j] == peers[i])
					mine[k++] = handles[j];
			if (brl_notify != NULL && brl_notify(peers[i],
			    f->ann_id, mine, k) == 0)
				f->ann_peers[f->ann_n++] = peers[i];
		}
		if (f->ann_n == 0) {
			brl_ann_done(f);
			return LOCKD_STATUS_OK;
		}
		TAILQ_INSERT_TAIL(&brl_announcing, f, ann_entry);
	} else if (f->ann_n == 0)
		return LOCKD_STATUS_OK;
	b = xcalloc(1, sizeof(*b));
	b->peer = peer;
	b->reqid = reqid;
	TAILQ_INSERT_TAIL(&f->later, b, entry);
	f->nlater++;
	brl_peer_get(peer, 1)->nlater++;
	return LOCKD_BRL_LATER;
}

static int
brl_flags_valid(uint32_t flags)
{
	switch (flags) {
	case LOCKD_LOCKFLAG_SHARED:
	case LOCKD_LOCKFLAG_EXCLUSIVE:
	case LOCKD_LOCKFLAG_SHARED | LOCKD_LOCKFLAG_FAIL_IMMEDIATELY:
	case LOCKD_LOCKFLAG_EXCLUSIVE | LOCKD_LOCKFLAG_FAIL_IMMEDIATELY:
		return 1;
	default:
		return 0;
	}
}

uint32_t
lockd_brl_lock(uint32_t peer, uint64_t handle, uint64_t reqid,
    const struct lockd_brl_elem *e, size_t n)
{
	struct lockd_brl_file **slot, *f;
	struct brl_lock **added;
	struct brl_wait *w;
	uint32_t status = LOCKD_STATUS_OK;
	size_t i, nadded = 0;
	int excl, is_dir = 0;

	if ((slot = lockd_share_brl_slot(peer, handle, &is_dir)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	if (n == 0 || is_dir)
		return LOCKD_STATUS_INVALID_PARAMETER;
	/*
	 * MS-SMB2 3.3.5.14.2: only lone locks may wait, and every element
	 * must be a valid lock.  Checked before anything is taken, so an
	 * invalid request leaves no locks behind.
	 */
	for (i = 0; i < n; i++) {
		if (!brl_flags_valid(e[i].flags))
			return LOCKD_STATUS_INVALID_PARAMETER;
		if (n > 1 && !(e[i].flags & LOCKD_LOCKFLAG_FAIL_IMMEDIATELY))
			return LOCKD_STATUS_INVALID_PARAMETER;
	}
	f = brl_file_get(slot);
	/*
	 * While an announcement is out, grants wait in f->later: a worker
	 * that locks and unlocks in a loop must not grow that list without
	 * bound (lockd_brl_expire() ends the wait in any case).
	 */
	if (f->ann_n > 0 && f->nlater >= LOCKD_BRL_MAX_WAITS) {
		brl_warnx("byte-range locks: %d granted locks of one file "
		    "wait for acknowledgements already; refusing another",
		    LOCKD_BRL_MAX_WAITS);
		brl_idle(f);
		return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (f->ann_n > 0 && !brl_peer_may_wait(peer, 1)) {
		brl_idle(f);
		return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
	}
	if ((uint64_t)n * f->nlocks + (uint64_t)n * (n - 1) / 2 >
	    LOCKD_BRL_MAX_WORK) {
		brl_warnx("byte-range locks: a LOCK of %zu ranges on a file "
		    "with %zu locks costs too much; refused", n, f->nlocks);
		brl_idle(f);
		return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
	}
	added = xcalloc(n, sizeof(*added));
	for (i = 0; i < n; i++) {
		excl = (e[i].flags & LOCKD_LOCKFLAG_EXCLUSIVE) != 0;
		if (!lockd_brl_range_valid(e[i].off, e[i].len)) {
			status = LOCKD_STATUS_INVALID_LOCK_RANGE;
			break;
		}
		if (brl_conflicts(f, handle, e[i].off, e[i].len, excl)) {
			if (e[i].flags & LOCKD_LOCKFLAG_FAIL_IMMEDIATELY) {
				status = LOCKD_STATUS_LOCK_NOT_GRANTED;
				break;
			}
			if (!brl_peer_may_wait(peer, 0)) {
				status = LOCKD_STATUS_INSUFFICIENT_RESOURCES;
				break;
			}
			if (f->nwaits >= LOCKD_BRL_MAX_WAITS) {
				brl_warnx("byte-range locks: %d requests wait "
				    "on one file already; refusing another",
				    LOCKD_BRL_MAX_WAITS);
				status = LOCKD_STATUS_INSUFFICIENT_RESOURCES;
				break;
			}
			/* n == 1 here: the lone blocking lock waits. */
			w = xcalloc(1, sizeof(*w));
			w->peer = peer;
			w->reqid = reqid;
			w->handle = handle;
			w->off = e[i].off;
			w->len = e[i].len;
			w->excl = excl;
			brl_wait_insert(f, w);
			free(added);
			return LOCKD_STATUS_PENDING;
		}
		if (f->nlocks >= LOCKD_BRL_MAX_LOCKS) {
			brl_warnx("byte-range locks: a file has %d locks; "
			    "refusing more", LOCKD_BRL_MAX_LOCKS);
			status = LOCKD_STATUS_INSUFFICIENT_RESOURCES;
			break;
		}
		if (brl_peer_locks(peer) >= brl_max_per_peer) {
			brl_warnx("byte-range locks: the session of connection "
			    "%u holds %zu locks (max byte range locks); "
			    "refusing more", peer, brl_max_per_peer);
			status = LOCKD_STATUS_INSUFFICIENT_RESOURCES;
			break;
		}
		added[nadded++] = brl_add(f, peer, handle, e[i].off, e[i].len,
		    excl);
	}
	if (status != LOCKD_STATUS_OK) {
		/* All or nothing (MS-SMB2 3.3.5.14.2). */
		while (nadded > 0)
			brl_remove(f, added[--nadded]);
		free(added);
		brl_idle(f);
		return status;
	}
	free(added);
	return brl_granted(f, peer, handle, reqid);
}

/*
 * MS-FSA 2.1.5.8: an unlock names exactly the offset and length of one
 * lock of this open; of stacked locks the exclusive one goes first
 * (smb2.lock.unlock).  Unlocks done before a failing element stay done
 * (MS-SMB2 3.3.5.14.1).
 */
uint32_t
lockd_brl_unlock(uint32_t peer, uint64_t handle,
    const struct lockd_brl_elem *e, size_t n)
{
	struct lockd_brl_file **slot, *f;
	struct brl_lock *l, *found;
	uint32_t status = LOCKD_STATUS_OK;
	size_t i, removed = 0;

	if ((slot = lockd_share_brl_slot(peer, handle, NULL)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	if (n == 0)
		return LOCKD_STATUS_INVALID_PARAMETER;
	f = *slot;
	if (f != NULL && (uint64_t)n * f->nlocks > LOCKD_BRL_MAX_WORK) {
		brl_warnx("byte-range locks: an UNLOCK of %zu ranges on a file "
		    "with %zu locks costs too much; refused", n, f->nlocks);
		return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
	}
	for (i = 0; i < n; i++) {
		if (e[i].flags != LOCKD_LOCKFLAG_UNLOCK) {
			status = LOCKD_STATUS_INVALID_PARAMETER;
			break;
		}
		found = NULL;
		if (f != NULL) {
			TAILQ_FOREACH(l, &f->locks, entry) {
				if (l->handle != handle || l->off != e[i].off ||
				    l->len != e[i].len)
					continue;
				if (found == NULL || (l->excl && !found->excl))
					found = l;
			}
		}
		if (found == NULL) {
			status = LOCKD_STATUS_RANGE_NOT_LOCKED;
			break;
		}
		brl_remove(f, found);
		removed++;
	}
	if (f != NULL && removed > 0) {
		brl_retry(f);
		brl_idle(f);
	}
	return status;
}

/* After locks went away: grant whichever waiting locks now fit. */
static void
brl_retry(struct lockd_brl_file *f)
{
	struct brl_wait *w, *next;
	uint32_t st;

	for (w = TAILQ_FIRST(&f->waits); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		if (brl_conflicts(f, w->handle, w->off, w->len, w->excl))
			continue;
		brl_wait_remove(f, w);
		if (f->nlocks >= LOCKD_BRL_MAX_LOCKS ||
		    brl_peer_locks(w->peer) >= brl_max_per_peer ||
		    (f->ann_n > 0 && (f->nlater >= LOCKD_BRL_MAX_WAITS ||
		    !brl_peer_may_wait(w->peer, 1)))) {
			brl_warnx("byte-range locks: a waiting lock of "
			    "connection %u is over its limit", w->peer);
			brl_send(w->peer, w->reqid,
			    LOCKD_STATUS_INSUFFICIENT_RESOURCES);
			free(w);
			continue;
		}
		brl_add(f, w->peer, w->handle, w->off, w->len, w->excl);
		st = brl_granted(f, w->peer, w->handle, w->reqid);
		if (st != LOCKD_BRL_LATER)
			brl_send(w->peer, w->reqid, st);
		free(w);
		/*
		 * A grant only adds a lock, so the waits before this one
		 * still conflict: the scan goes on from here, and one
		 * release costs at most waits times locks comparisons.
		 */
	}
}

/*
 * MS-FSA 2.1.4.10: a read conflicts with another open's exclusive lock;
 * a write with another open's exclusive lock and with any shared lock,
 * the writer's own included.  An IO of no bytes never conflicts, nor
 * does a zero-length lock, which covers no byte.
 */
uint32_t
lockd_brl_check(uint32_t peer, const struct lockd_brl_io *io, size_t n,
    int *haslocks, size_t *at)
{
	struct lockd_brl_file **slot, *f;
	const struct brl_lock *l;
	uint64_t work = 0;
	size_t i;

	*haslocks = 0;
	*at = 0;
	for (i = 0; i < n; i++) {
		if ((slot = lockd_share_brl_slot(peer, io[i].handle,
		    NULL)) == NULL) {
			*at = i;
			return LOCKD_STATUS_INVALID_HANDLE;
		}
		if ((f = *slot) == NULL)
			continue;
		if ((work += f->nlocks) > LOCKD_BRL_MAX_WORK) {
			brl_warnx("byte-range locks: a CHECK of %zu ranges "
			    "costs too much; refused", n);
			*haslocks = 1;
			*at = i;
			return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
		}
		if (f->announced)
			*haslocks = 1;
		if (io[i].len == 0 ||
		    !lockd_brl_range_valid(io[i].off, io[i].len))
			continue;
		TAILQ_FOREACH(l, &f->locks, entry) {
			if (l->len == 0 || !lockd_brl_overlap(l->off, l->len,
			    io[i].off, io[i].len))
				continue;
			if (l->excl ? l->handle != io[i].handle :
			    io[i].write) {
				*haslocks = 1;
				*at = i;
				return LOCKD_STATUS_FILE_LOCK_CONFLICT;
			}
		}
	}
	return LOCKD_STATUS_OK;
}

int
lockd_brl_file_locked(uint32_t peer, uint64_t handle)
{
	struct lockd_brl_file **slot;

	if ((slot = lockd_share_brl_slot(peer, handle, NULL)) == NULL ||
	    *slot == NULL)
		return 0;
	return (*slot)->announced;
}

/* A CANCEL of a waiting lock: it ends with STATUS_CANCELLED. */
void
lockd_brl_cancel(uint32_t peer, uint64_t reqid)
{
	struct lockd_brl_file *f;
	struct brl_peer *bp;
	struct brl_wait *w;

	if ((bp = brl_peer_get(peer, 0)) == NULL)
		return;
	LIST_FOREACH(w, &bp->waits, peer_entry) {
		if (w->reqid != reqid)
			continue;
		f = w->file;
		brl_wait_remove(f, w);
		brl_send(peer, reqid, LOCKD_STATUS_CANCELLED);
		free(w);
		brl_idle(f);
		return;
	}
	/* Granted or ended already: its final reply went out. */
}

static void
brl_ann_drop_peer(struct lockd_brl_file *f, uint32_t peer)
{
	size_t i;

	for (i = 0; i < f->ann_n; i++) {
		if (f->ann_peers[i] != peer)
			continue;
		if (f->ann_n == 1) {
			brl_ann_done(f);
			return;
		}
		f->ann_peers[i] = f->ann_peers[--f->ann_n];
		return;
	}
}

void
lockd_brl_ack(uint32_t peer, uint64_t id)
{
	struct lockd_brl_file *f, *next;

	for (f = TAILQ_FIRST(&brl_announcing); f != NULL; f = next) {
		next = TAILQ_NEXT(f, ann_entry);
		if (f->ann_id == id) {
			brl_ann_drop_peer(f, peer);
			brl_idle(f);
			return;
		}
	}
}

void
lockd_brl_close(uint32_t peer, uint64_t handle)
{
	struct lockd_brl_file **slot, *f;
	struct brl_lock *l, *lnext;
	struct brl_wait *w, *wnext;
	int dropped = 0;

	if ((slot = lockd_share_brl_slot(peer, handle, NULL)) == NULL ||
	    (f = *slot) == NULL)
		return;
	for (w = TAILQ_FIRST(&f->waits); w != NULL; w = wnext) {
		wnext = TAILQ_NEXT(w, entry);
		if (w->handle != handle)
			continue;
		brl_wait_remove(f, w);
		brl_send(w->peer, w->reqid, LOCKD_STATUS_RANGE_NOT_LOCKED);
		free(w);
	}
	for (l = TAILQ_FIRST(&f->locks); l != NULL; l = lnext) {
		lnext = TAILQ_NEXT(l, entry);
		if (l->handle != handle)
			continue;
		brl_remove(f, l);
		dropped = 1;
	}
	if (dropped)
		brl_retry(f);
	brl_idle(f);
}

/*
 * A durable open changes worker (doc/durable.md): parked by lockd when
 * its worker went (to LOCKD_PEER_DISCONNECTED), or reclaimed by a new
 * worker.  Its locks go with it and count for their new holder; waits
 * and grants of the old worker are its own and go with it instead.
 */
void
lockd_brl_move(uint64_t handle, uint32_t from, uint32_t to)
{
	struct lockd_brl_file **slot, *f;
	struct brl_wait *w, *wnext;
	struct brl_peer *bp;
	struct brl_lock *l;

	if ((slot = lockd_share_brl_slot(from, handle, NULL)) == NULL ||
	    (f = *slot) == NULL)
		return;
	for (w = TAILQ_FIRST(&f->waits); w != NULL; w = wnext) {
		wnext = TAILQ_NEXT(w, entry);
		if (w->handle != handle || w->peer != from)
			continue;
		brl_wait_remove(f, w);
		brl_send(from, w->reqid, LOCKD_STATUS_CANCELLED);
		free(w);
	}
	TAILQ_FOREACH(l, &f->locks, entry) {
		if (l->handle != handle || l->peer != from)
			continue;
		if ((bp = brl_peer_get(from, 0)) != NULL) {
			bp->nlocks--;
			brl_peer_put(bp);
		}
		l->peer = to;
		brl_peer_get(to, 1)->nlocks++;
	}
}

void
lockd_brl_release_peer(uint32_t peer)
{
	struct lockd_brl_file *f, *next;
	struct brl_lock *l, *lnext;
	struct brl_wait *w, *wnext;
	struct brl_later *b, *bnext;
	int dropped;

	for (f = TAILQ_FIRST(&brl_files); f != NULL; f = next) {
		next = TAILQ_NEXT(f, entry);
		dropped = 0;
		for (w = TAILQ_FIRST(&f->waits); w != NULL; w = wnext) {
			wnext = TAILQ_NEXT(w, entry);
			if (w->peer != peer)
				continue;
			brl_wait_remove(f, w);
			free(w);
		}
		for (b = TAILQ_FIRST(&f->later); b != NULL; b = bnext) {
			bnext = TAILQ_NEXT(b, entry);
			if (b->peer != peer)
				continue;
			brl_later_remove(f, b);
			free(b);
		}
		for (l = TAILQ_FIRST(&f->locks); l != NULL; l = lnext) {
			lnext = TAILQ_NEXT(l, entry);
			if (l->peer != peer)
				continue;
			brl_remove(f, l);
			dropped = 1;
		}
		brl_ann_drop_peer(f, peer);
		if (dropped)
			brl_retry(f);
		brl_idle(f);
	}
}

/*
 * Give up on announcements older than timeout_ms (see the top of this
 * file): the workers that did not acknowledge are logged and no longer
 * waited for, and the locks that waited are answered.
 */
void
lockd_brl_expire(uint64_t now, uint64_t timeout_ms)
{
	struct lockd_brl_file *f, *next;
	size_t i;

	/* Oldest first: the first one not yet due ends the walk. */
	for (f = TAILQ_FIRST(&brl_announcing); f != NULL; f = next) {
		next = TAILQ_NEXT(f, ann_entry);
		if (now - f->ann_since < timeout_ms)
			break;
		for (i = 0; i < f->ann_n; i++)
			brl_warnx("byte-range locks: the worker of connection "
			    "%u did not acknowledge a lock notice in %llu ms; "
			    "not waiting for it any longer", f->ann_peers[i],
			    (unsigned long long)timeout_ms);
		brl_ann_done(f);
		brl_idle(f);
	}
}

size_t
lockd_brl_count(void)
{
	return brl_nlocks;
}

/* For usmbd-ctl status: the byte-range locks one worker holds. */
size_t
lockd_brl_peer_locks(uint32_t peer)
{
	struct lockd_brl_file *f;
	struct brl_lock *l;
	size_t n = 0;

	TAILQ_FOREACH(f, &brl_files, entry)
		TAILQ_FOREACH(l, &f->locks, entry)
			if (l->peer == peer)
				n++;
	return n;
}
