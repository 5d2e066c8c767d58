/*
 * Oplocks and leases (doc/oplocks.md): the grant of a CREATE (MS-FSA
 * 2.1.5.18, MS-SMB2 3.3.5.9.8 and 3.3.5.9.11), the breaks an operation
 * causes (MS-FSA 2.1.4.12), and the acknowledgements (MS-SMB2 3.3.5.22).
 *
 * A "holder" is what a break is sent to: an open with an oplock, or a
 * lease, which the opens of one client with one lease key share.  Two
 * opens have the same key when they share a lease; an open with an
 * oplock, or with neither, has a key of its own.  Operations break only
 * holders of other keys, except that Level II oplocks break on any write
 * (MS-FSA: a Level II oplock is not keyed against its own writes).
 *
 * A break that needs an acknowledgement leaves its holder "breaking":
 * break_to is what the notice offered, required what the operations
 * waiting on it need, and blocking says whether operations of other keys
 * wait for it to end.  More needs that come while a holder is breaking
 * only lower required; after the acknowledgement the rest is asked for
 * by a further break, in steps through R as Windows does (the smbtorture
 * lease breaking3 tests).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/tree.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockd_oplock.h"
#include "util.h"

#define FILE_READ_ATTRIBUTES	0x00000080
#define FILE_WRITE_ATTRIBUTES	0x00000100
#define SYNCHRONIZE		0x00100000
#define READ_CONTROL		0x00020000

#define ST_OK			0x00000000U
#define ST_UNSUCCESSFUL		0xC0000001U
#define ST_INVALID_PARAMETER	0xC000000DU
#define ST_OBJECT_NAME_NOT_FOUND 0xC0000034U
#define ST_INVALID_OPLOCK_PROTOCOL 0xC00000E3U
#define ST_REQUEST_NOT_ACCEPTED	0xC00000D0U

#define LOPL_RWH		(LOPL_R | LOPL_H | LOPL_W)

struct lopl_cache {
	uint8_t		 state;		/* R|H|W held */
	uint8_t		 breaking;	/* an acknowledgement is awaited */
	uint8_t		 break_to;
	uint8_t		 required;
	uint8_t		 blocking;
	uint64_t	 deadline;
};

struct lockd_lease {
	RB_ENTRY(lockd_lease)	 entry;
	uint32_t		 uid;		/* lockd's, not the worker's word */
	uint8_t			 guid[LOPL_KEY_LEN];
	uint8_t			 key[LOPL_KEY_LEN];
	int			 version;
	uint16_t		 epoch;
	struct lockd_oplock_file *file;
	size_t			 nopens;
	struct lopl_cache	 c;
};

struct lockd_oplock_open {
	TAILQ_ENTRY(lockd_oplock_open) entry;
	uint64_t		 id;
	int			 stat;
	int			 lease_stat;	/* breaks no lease */
	int			 no_level2;	/* breaks to none, not to II */
	int			 has_parent;
	uint8_t			 parent[LOPL_KEY_LEN];
	struct lockd_lease	*lease;
	struct lopl_cache	 c;		/* an oplock's */
};

struct lockd_oplock_file {
	struct lockd_oplock_table *table;
	int			 is_dir;
	TAILQ_HEAD(, lockd_oplock_open) opens;
	size_t			 nopens;
};

static int
lopl_lease_cmp(const struct lockd_lease *a, const struct lockd_lease *b)
{
	int r;

	if (a->uid != b->uid)
		return a->uid < b->uid ? -1 : 1;
	if ((r = memcmp(a->guid, b->guid, LOPL_KEY_LEN)) != 0)
		return r;
	return memcmp(a->key, b->key, LOPL_KEY_LEN);
}

RB_HEAD(lopl_leases, lockd_lease);
RB_PROTOTYPE(lopl_leases, lockd_lease, entry, lopl_lease_cmp);
RB_GENERATE(lopl_leases, lockd_lease, entry, lopl_lease_cmp);

struct lockd_oplock_table {
	struct lopl_leases	 leases;
	size_t			 nleases;
	size_t			 ndirleases;	/* of them, on directories */
	uint64_t		 timeout_ms;
	int			 level2;
	int			 dir_leases;
};

struct lockd_oplock_table *
lockd_oplock_table_new(uint64_t timeout_ms, int level2, int dir_leases)
{
	struct lockd_oplock_table *t;

	t = xcalloc(1, sizeof(*t));
	RB_INIT(&t->leases);
	t->timeout_ms = timeout_ms;
	t->level2 = level2;
	t->dir_leases = dir_leases;
	return t;
}

/* Every file must have been freed first: leases point at their file. */
void
lockd_oplock_table_free(struct lockd_oplock_table *t)
{
	free(t);
}

size_t
lockd_oplock_nleases(const struct lockd_oplock_table *t)
{
	return t->nleases;
}

size_t
lockd_oplock_ndirleases(const struct lockd_oplock_table *t)
{
	return t->ndirleases;
}

struct lockd_oplock_file *
lockd_oplock_file_new(struct lockd_oplock_table *t, int is_dir)
{
	struct lockd_oplock_file *f;

	f = xcalloc(1, sizeof(*f));
	f->table = t;
	f->is_dir = is_dir;
	TAILQ_INIT(&f->opens);
	return f;
}

void
lockd_oplock_file_free(struct lockd_oplock_file *f)
{
	free(f);
}

void
lockd_oplock_breaks_free(struct lockd_oplock_breaks *b)
{
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

/*
 * MS-FSA 2.1.5.1.2: an open for nothing but attributes and SYNCHRONIZE
 * breaks no oplock, unless it overwrites the data.
 */
int
lockd_oplock_stat_open(uint32_t access, uint32_t disposition)
{
	if (disposition == LOPL_FILE_SUPERSEDE ||
	    disposition == LOPL_FILE_OVERWRITE ||
	    disposition == LOPL_FILE_OVERWRITE_IF)
		return 0;
	return (access & ~(FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES |
	    SYNCHRONIZE)) == 0;
}

static int
lopl_overwrite(uint32_t disposition)
{
	return disposition == LOPL_FILE_SUPERSEDE ||
	    disposition == LOPL_FILE_OVERWRITE ||
	    disposition == LOPL_FILE_OVERWRITE_IF;
}

static uint8_t
lopl_level_state(uint8_t level)
{
	switch (level) {
	case LOPL_LEVEL_II:
		return LOPL_R;
	case LOPL_LEVEL_EXCLUSIVE:
		return LOPL_R | LOPL_W;
	case LOPL_LEVEL_BATCH:
		return LOPL_RWH;
	default:
		return 0;
	}
}

static uint8_t
lopl_state_level(uint8_t state)
{
	if ((state & LOPL_RWH) == LOPL_RWH)
		return LOPL_LEVEL_BATCH;
	if (state & LOPL_W)
		return LOPL_LEVEL_EXCLUSIVE;
	if (state & LOPL_R)
		return LOPL_LEVEL_II;
	return LOPL_LEVEL_NONE;
}

/* The lease states that exist: R, RH, RW, RWH (MS-SMB2 3.3.5.9.8). */
static uint8_t
lopl_lease_valid(uint8_t state)
{
	state &= LOPL_RWH;
	return (state & LOPL_R) ? state : 0;
}

static struct lopl_cache *
lopl_holder(struct lockd_oplock_open *o)
{
	return o->lease != NULL ? &o->lease->c : &o->c;
}

static int
lopl_same_key(const struct lockd_oplock_open *a,
    const struct lockd_oplock_open *b)
{
	if (a == NULL || b == NULL)
		return 0;
	return a == b || (a->lease != NULL && a->lease == b->lease);
}

/* What a holder will hold once the breaks out now have ended. */
static uint8_t
lopl_effective(const struct lopl_cache *c)
{
	return c->breaking ? c->required : c->state;
}

/*
 * The first open of a lease in the file's list stands for the lease: a
 * lease holder is visited once, through it.
 */
static int
lopl_first_of_lease(const struct lockd_oplock_file *f,
    const struct lockd_oplock_open *o)
{
	const struct lockd_oplock_open *p;

	if (o->lease == NULL)
		return 1;
	TAILQ_FOREACH(p, &f->opens, entry)
		if (p->lease == o->lease)
			return p == o;
	return 1;
}

static void
lopl_emit(struct lockd_oplock_breaks *out, const struct lockd_oplock_open *o,
    uint8_t from, uint8_t to, int ack)
{
	struct lockd_oplock_break *b;

	if (out->n == out->cap) {
		out->cap = out->cap == 0 ? 8 : out->cap * 2;
		out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
	}
	b = &out->v[out->n++];
	memset(b, 0, sizeof(*b));
	b->open = o->id;
	b->ack = ack;
	if (o->lease != NULL) {
		b->lease = 1;
		memcpy(b->client_guid, o->lease->guid, LOPL_KEY_LEN);
		memcpy(b->lease_key, o->lease->key, LOPL_KEY_LEN);
		b->from = from;
		b->to = to;
		b->epoch = o->lease->epoch;
		b->version = o->lease->version;
	} else {
		b->from = lopl_state_level(from);
		b->to = lopl_state_level(to);
	}
}

/*
 * Oplocks break only to Level II or to none (MS-SMB2 2.2.23.1), Level II
 * only where "level2 oplocks" allows it (globally, and for the share of
 * the open); a lease without R holds nothing.
 */
static uint8_t
lopl_normalize(const struct lockd_oplock_file *f,
    const struct lockd_oplock_open *o, uint8_t target)
{
	if (o->lease != NULL)
		return lopl_lease_valid(target);
	if ((target & LOPL_R) && f->table->level2 && !o->no_level2)
		return LOPL_R;
	return 0;
}

/*
 * Ask holder o to come down to target.  wait_h: the operation needs the
 * H gone, not only the W (sharing violations, rename, delete).  Returns
 * whether the operation must wait for this holder.
 */
static int
lopl_break(struct lockd_oplock_file *f, struct lockd_oplock_open *o,
    uint8_t target, int wait_h, uint64_t now,
    struct lockd_oplock_breaks *out)
{
	struct lopl_cache *c = lopl_holder(o);
	uint8_t gone;
	int ack, wait;

	if (c->breaking) {
		/* The break out now goes on; what is needed beyond it waits. */
		c->required &= lopl_normalize(f, o, target);
		gone = c->state & ~c->required;
		if ((gone & LOPL_W) || (wait_h && (gone & LOPL_H)))
			c->blocking = 1;
		return c->blocking;
	}
	target = lopl_normalize(f, o, target & c->state);
	if (target == c->state)
		return 0;
	gone = c->state & ~target;
	/* Only a holder that may have cached writes or handles answers. */
	ack = (c->state & (LOPL_H | LOPL_W)) != 0;
	wait = ack && ((gone & LOPL_W) || (wait_h && (gone & LOPL_H)));
	/* A v2 lease counts its state changes (MS-SMB2 3.3.4.7). */
	if (o->lease != NULL && o->lease->version == 2)
		o->lease->epoch++;
	lopl_emit(out, o, c->state, target, ack);
	if (!ack) {
		c->state = target;
		return 0;
	}
	c->breaking = 1;
	c->break_to = target;
	c->required = target;
	c->blocking = wait;
	c->deadline = now + f->table->timeout_ms;
	return wait;
}

/* A break not acknowledged in time ends at none (MS-SMB2 3.3.6.1, .5). */
static int
lopl_expire_one(struct lopl_cache *c, uint64_t now)
{
	if (!c->breaking || now < c->deadline)
		return 0;
	c->state = 0;
	c->breaking = 0;
	c->blocking = 0;
	return 1;
}

size_t
lockd_oplock_expire(struct lockd_oplock_file *f, uint64_t now)
{
	struct lockd_oplock_open *o;
	size_t n = 0;

	TAILQ_FOREACH(o, &f->opens, entry)
		if (lopl_first_of_lease(f, o))
			n += lopl_expire_one(lopl_holder(o), now);
	return n;
}

int
lockd_oplock_blocked(struct lockd_oplock_file *f,
    const struct lockd_oplock_open *self, uint64_t now)
{
	struct lockd_oplock_open *o;
	struct lopl_cache *c;

	lockd_oplock_expire(f, now);
	TAILQ_FOREACH(o, &f->opens, entry) {
		if (lopl_same_key(o, self))
			continue;
		c = lopl_holder(o);
		if (c->breaking && c->blocking)
			return 1;
	}
	return 0;
}

/* Does the request name the same lease as this open? */
static int
lopl_req_key(const struct lockd_oplock_req *r,
    const struct lockd_oplock_open *o)
{
	return r->lease_version != 0 && o->lease != NULL &&
	    o->lease->uid == r->uid &&
	    memcmp(o->lease->guid, r->client_guid, LOPL_KEY_LEN) == 0 &&
	    memcmp(o->lease->key, r->lease_key, LOPL_KEY_LEN) == 0;
}

uint32_t
lockd_oplock_sharing(struct lockd_oplock_file *f,
    const struct lockd_oplock_req *r, uint64_t now,
    struct lockd_oplock_breaks *out)
{
	struct lockd_oplock_open *o;
	struct lopl_cache *c;
	int wait = 0;

	lockd_oplock_expire(f, now);
	TAILQ_FOREACH(o, &f->opens, entry) {
		if (lopl_req_key(r, o) || !lopl_first_of_lease(f, o))
			continue;
		c = lopl_holder(o);
		/* Exclusive and Level II cache no handle: nothing to ask. */
		if (!(c->state & LOPL_H))
			continue;
		wait |= lopl_break(f, o, c->state & ~LOPL_H, 1, now, out);
	}
	return wait ? LOPL_WAIT : ST_OK;
}

uint32_t
lockd_oplock_add(struct lockd_oplock_file *f, uint64_t id,
    const struct lockd_oplock_req *r, struct lockd_oplock_open **op)
{
	struct lockd_oplock_table *t = f->table;
	struct lockd_oplock_open *o;
	struct lockd_lease key, *l = NULL;

	*op = NULL;
	if (r->level == LOPL_LEVEL_LEASE && r->lease_version != 0) {
		key.uid = r->uid;
		memcpy(key.guid, r->client_guid, LOPL_KEY_LEN);
		memcpy(key.key, r->lease_key, LOPL_KEY_LEN);
		l = RB_FIND(lopl_leases, &t->leases, &key);
		/*
		 * One lease key names one file (MS-SMB2 3.3.5.9.8), also
		 * when the other is a directory that gets no lease
		 * (smbtorture lease.request).
		 */
		if (l != NULL && l->file != f)
			return ST_INVALID_PARAMETER;
	}
	/*
	 * Without directory leasing (in lockd, or negotiated by the
	 * opener's connection) a lease context on a directory is ignored,
	 * as by a server that does not support it.
	 */
	if (f->is_dir && !(t->dir_leases && r->dir_lease))
		l = NULL;
	else if (r->level == LOPL_LEVEL_LEASE && r->lease_version != 0) {
		if (l == NULL) {
			l = xcalloc(1, sizeof(*l));
			l->uid = r->uid;
			memcpy(l->guid, r->client_guid, LOPL_KEY_LEN);
			memcpy(l->key, r->lease_key, LOPL_KEY_LEN);
			l->version = r->lease_version;
			/* A new v2 lease starts at the client's epoch. */
			l->epoch = r->lease_version == 2 ? r->epoch : 0;
			l->file = f;
			RB_INSERT(lopl_leases, &t->leases, l);
			t->nleases++;
			if (f->is_dir)
				t->ndirleases++;
		}
		l->nopens++;
	}
	o = xcalloc(1, sizeof(*o));
	o->id = id;
	o->stat = lockd_oplock_stat_open(r->access, r->disposition);
	/*
	 * Reading the security descriptor breaks oplocks but no lease
	 * (smbtorture lease.statopen4 against oplock.statopen1).
	 */
	o->lease_stat = o->stat || lockd_oplock_stat_open(r->access &
	    ~READ_CONTROL, r->disposition);
	o->no_level2 = r->no_level2;
	o->lease = l;
	if (l != NULL && r->lease_version == 2 && r->has_parent) {
		o->has_parent = 1;
		memcpy(o->parent, r->parent_key, LOPL_KEY_LEN);
	}
	TAILQ_INSERT_TAIL(&f->opens, o, entry);
	f->nopens++;
	*op = o;
	return ST_OK;
}

/*
 * MS-FSA 2.1.4.12 for OPEN: what each holder of another key comes down
 * to.  A stat open breaks nothing.
 */
static int
lopl_open_breaks(struct lockd_oplock_file *f, struct lockd_oplock_open *self,
    const struct lockd_oplock_req *r, uint64_t now,
    struct lockd_oplock_breaks *out)
{
	struct lockd_oplock_open *o;
	struct lopl_cache *c;
	uint8_t target;
	int wait = 0, ow = lopl_overwrite(r->disposition);

	if (self->stat)
		return 0;
	TAILQ_FOREACH(o, &f->opens, entry) {
		if (lopl_same_key(o, self) || !lopl_first_of_lease(f, o) ||
		    (o->lease != NULL && self->lease_stat))
			continue;
		c = lopl_holder(o);
		/*
		 * Overwriting the data takes every kind of caching; else
		 * only write caching goes, as another open may now write.
		 */
		target = ow ? 0 : (c->state & ~LOPL_W);
		wait |= lopl_break(f, o, target, 0, now, out);
		if (c->breaking && c->blocking)
			wait = 1;
	}
	return wait;
}

/*
 * What the other keys will hold, and whether any of them is an open
 * with data access, for the grant rules.
 */
static void
lopl_others(struct lockd_oplock_file *f, struct lockd_oplock_open *self,
    uint8_t *state, int *nonstat, int *oplock)
{
	struct lockd_oplock_open *o;
	uint8_t s;

	*state = 0;
	*nonstat = *oplock = 0;
	TAILQ_FOREACH(o, &f->opens, entry) {
		if (lopl_same_key(o, self))
			continue;
		if (!o->stat)
			*nonstat = 1;
		s = lopl_effective(lopl_holder(o));
		*state |= s;
		if (o->lease == NULL && s != 0)
			*oplock = 1;
	}
}

/*
 * The oplock of a new open (MS-FSA 2.1.5.18.1 and .2): Exclusive and
 * Batch only alone; else Level II, where no lease caches handles
 * (smbtorture lease.oplock) and no other open holds byte-range locks.
 */
static uint8_t
lopl_grant_oplock(struct lockd_oplock_file *f, struct lockd_oplock_open *o,
    const struct lockd_oplock_req *r)
{
	uint8_t others, want = lopl_level_state(r->level);
	int nonstat, oplock;

	if (f->is_dir || want == 0)
		return 0;
	lopl_others(f, o, &others, &nonstat, &oplock);
	if ((want & LOPL_W) && !nonstat && others == 0 && !r->locked)
		return want;
	if (!f->table->level2 || r->no_level2 || r->locked ||
	    (others & (LOPL_W | LOPL_H)))
		return 0;
	return LOPL_R;
}

/*
 * The lease of a new open.  A new lease gets what it asked for that the
 * other keys allow: W only alone, H only where no oplock is held.  A
 * lease that exists changes only to a strict superset that the others
 * allow as a whole (smbtorture lease.upgrade2 and upgrade3), and not
 * while it breaks.
 */
static void
lopl_grant_lease(struct lockd_oplock_file *f, struct lockd_oplock_open *o,
    const struct lockd_oplock_req *r)
{
	struct lockd_lease *l = o->lease;
	uint8_t want, others, allowed = LOPL_RWH;
	int nonstat, oplock, fresh = l->nopens == 1 && l->c.state == 0 &&
	    !l->c.breaking;

	want = lopl_lease_valid(r->lease_state);
	if (f->is_dir)
		want = f->table->dir_leases ? want & ~LOPL_W : 0;
	want = lopl_lease_valid(want);
	lopl_others(f, o, &others, &nonstat, &oplock);
	if (nonstat || others != 0)
		allowed &= ~LOPL_W;
	if (oplock)
		allowed &= ~LOPL_H;
	if (l->c.breaking)
		return;
	if (fresh) {
		want = lopl_lease_valid(want & allowed);
	} else if ((want & l->c.state) != l->c.state ||
	    want == l->c.state || (want & ~allowed) != 0)
		return;
	if (want != l->c.state) {
		l->c.state = want;
		if (l->version == 2)
			l->epoch++;
	}
}

uint32_t
lockd_oplock_open(struct lockd_oplock_file *f, struct lockd_oplock_open *o,
    const struct lockd_oplock_req *r, uint64_t now,
    struct lockd_oplock_breaks *out, struct lockd_oplock_grant *g)
{
	memset(g, 0, sizeof(*g));
	lockd_oplock_expire(f, now);
	if (lopl_open_breaks(f, o, r, now, out))
		return LOPL_WAIT;
	if (o->lease == NULL) {
		o->c.state = lopl_grant_oplock(f, o, r);
		g->level = lopl_state_level(o->c.state);
		return ST_OK;
	}
	lopl_grant_lease(f, o, r);
	g->level = LOPL_LEVEL_LEASE;
	g->lease_state = o->lease->c.state;
	g->lease_version = o->lease->version;
	g->epoch = o->lease->epoch;
	if (o->lease->c.breaking)
		g->lease_flags |= LOPL_FLAG_BREAK_IN_PROGRESS;
	if (o->has_parent)
		g->lease_flags |= LOPL_FLAG_PARENT_KEY_SET;
	return ST_OK;
}

/*
 * Operations on an open file (MS-FSA 2.1.4.12; the "Checking the Oplock
 * State" pages of the Windows file system documentation).
 */
uint32_t
lockd_oplock_event(struct lockd_oplock_file *f,
    const struct lockd_oplock_open *self, enum lockd_oplock_event ev,
    uint64_t now, struct lockd_oplock_breaks *out)
{
	struct lockd_oplock_open *o;
	struct lopl_cache *c;
	int wait = 0, data = ev == LOPL_EV_WRITE || ev == LOPL_EV_LOCK;

	lockd_oplock_expire(f, now);
	TAILQ_FOREACH(o, &f->opens, entry) {
		if (!lopl_first_of_lease(f, o))
			continue;
		c = lopl_holder(o);
		if (ev == LOPL_EV_LOCAL) {
			/*
			 * No SMB key stands behind a local process: every
			 * holder, the reporter's own too, breaks to none.
			 */
			wait |= lopl_break(f, o, 0, 0, now, out);
			continue;
		} else if (data) {
			/* Level II breaks on every write, its own open's too. */
			if (lopl_same_key(o, self) &&
			    (o->lease != NULL || (c->state & LOPL_W)))
				continue;
			wait |= lopl_break(f, o, 0, 0, now, out);
		} else {
			/* Renames and deletes need the cached handles closed. */
			if (lopl_same_key(o, self) || !(c->state & LOPL_H))
				continue;
			wait |= lopl_break(f, o, c->state & ~LOPL_H, 1, now,
			    out);
		}
		if (c->breaking && c->blocking && !lopl_same_key(o, self))
			wait = 1;
	}
	return wait ? LOPL_WAIT : ST_OK;
}

/*
 * A directory's contents changed: its leases, but the one that the
 * change's open names as its parent lease (MS-SMB2 3.3.4.7: the same
 * client's key), break to none (smbtorture lease.v2_request).  Nothing
 * waits for these breaks.
 */
size_t
lockd_oplock_dir_change(struct lockd_oplock_file *f, uint32_t uid,
    const uint8_t *guid, const uint8_t *parent_key, uint64_t now,
    struct lockd_oplock_breaks *out)
{
	struct lockd_oplock_open *o;
	size_t n = out->n;

	lockd_oplock_expire(f, now);
	TAILQ_FOREACH(o, &f->opens, entry) {
		if (o->lease == NULL || !lopl_first_of_lease(f, o))
			continue;
		if (parent_key != NULL && o->lease->uid == uid &&
		    memcmp(o->lease->guid, guid, LOPL_KEY_LEN) == 0 &&
		    memcmp(o->lease->key, parent_key, LOPL_KEY_LEN) == 0)
			continue;
		lopl_break(f, o, 0, 0, now, out);
	}
	return out->n - n;
}

/*
 * After an acknowledgement: what waits needs less than what was acked.
 * The next break steps through R first (smbtorture lease breaking3), and
 * a chain of breaks is one break to the client: no new epoch.
 */
static void
lopl_follow_up(struct lockd_oplock_file *f, struct lockd_oplock_open *o,
    uint8_t required, int blocking, uint64_t now,
    struct lockd_oplock_breaks *out)
{
	struct lopl_cache *c = lopl_holder(o);
	uint8_t target;
	int ack;

	required = lopl_normalize(f, o, required & c->state);
	if (required == c->state)
		return;
	target = required;
	if (o->lease != NULL && (c->state & (LOPL_H | LOPL_W)) &&
	    (c->state & LOPL_R))
		target |= LOPL_R;
	ack = (c->state & (LOPL_H | LOPL_W)) != 0;
	lopl_emit(out, o, c->state, target, ack);
	if (!ack) {
		c->state = target;
		return;
	}
	c->breaking = 1;
	c->break_to = target;
	c->required = required;
	c->blocking = blocking;
	c->deadline = now + f->table->timeout_ms;
}

uint32_t
lockd_oplock_ack(struct lockd_oplock_file *f, struct lockd_oplock_open *o,
    uint8_t level, uint64_t now, struct lockd_oplock_breaks *out,
    uint8_t *granted)
{
	struct lopl_cache *c = &o->c;
	uint8_t required = c->required, blocking = c->blocking;

	*granted = LOPL_LEVEL_NONE;
	lockd_oplock_expire(f, now);
	if (o->lease != NULL || level == LOPL_LEVEL_LEASE) {
		/* MS-SMB2 3.3.5.22.1: a lease is not acked as an oplock. */
		if (o->lease == NULL) {
			c->state = 0;
			c->breaking = 0;
		}
		return ST_INVALID_PARAMETER;
	}
	/*
	 * No break out: also an ack of a Level II to none break, which
	 * wants none (smbtorture oplock.levelii500).
	 */
	if (!c->breaking)
		return ST_INVALID_OPLOCK_PROTOCOL;
	c->breaking = 0;
	c->blocking = 0;
	if ((level != LOPL_LEVEL_NONE && level != LOPL_LEVEL_II) ||
	    (lopl_level_state(level) & ~c->break_to) != 0) {
		c->state = 0;
		return ST_INVALID_OPLOCK_PROTOCOL;
	}
	c->state = lopl_level_state(level);
	*granted = level;
	lopl_follow_up(f, o, required, blocking, now, out);
	return ST_OK;
}

uint32_t
lockd_oplock_lease_ack(struct lockd_oplock_table *t, uint32_t uid,
    const uint8_t *guid, const uint8_t *key, uint8_t state, uint64_t now,
    struct lockd_oplock_breaks *out, struct lockd_oplock_file **fp)
{
	struct lockd_lease k, *l;
	struct lockd_oplock_open *o;
	uint8_t required, blocking;

	*fp = NULL;
	/* Only the sender's user's leases are found (doc/oplocks.md §5). */
	k.uid = uid;
	memcpy(k.guid, guid, LOPL_KEY_LEN);
	memcpy(k.key, key, LOPL_KEY_LEN);
	if ((l = RB_FIND(lopl_leases, &t->leases, &k)) == NULL)
		return ST_OBJECT_NAME_NOT_FOUND;
	*fp = l->file;
	lockd_oplock_expire(l->file, now);
	if (!l->c.breaking)
		return ST_UNSUCCESSFUL;
	/* MS-SMB2 3.3.5.22.2: a subset of what the notice offered. */
	if ((state & ~l->c.break_to) != 0 || state != lopl_lease_valid(state))
		return ST_REQUEST_NOT_ACCEPTED;
	required = l->c.required;
	blocking = l->c.blocking;
	l->c.state = state;
	l->c.breaking = 0;
	l->c.blocking = 0;
	TAILQ_FOREACH(o, &l->file->opens, entry)
		if (o->lease == l)
			break;
	if (o != NULL)
		lopl_follow_up(l->file, o, required, blocking, now, out);
	return ST_OK;
}

void
lockd_oplock_close(struct lockd_oplock_file *f, struct lockd_oplock_open *o)
{
	struct lockd_lease *l = o->lease;

	TAILQ_REMOVE(&f->opens, o, entry);
	f->nopens--;
	if (l != NULL && --l->nopens == 0) {
		/* The lease ends with its last open (MS-SMB2 3.3.4.17). */
		RB_REMOVE(lopl_leases, &f->table->leases, l);
		f->table->nleases--;
		if (f->is_dir)
			f->table->ndirleases--;
		free(l);
	}
	free(o);
}

uint64_t
lockd_oplock_open_id(const struct lockd_oplock_open *o)
{
	return o->id;
}

uint8_t
lockd_oplock_open_level(const struct lockd_oplock_open *o)
{
	if (o->lease != NULL)
		return LOPL_LEVEL_LEASE;
	return lopl_state_level(o->c.state);
}

uint8_t
lockd_oplock_open_state(const struct lockd_oplock_open *o)
{
	return o->lease != NULL ? o->lease->c.state : o->c.state;
}

int
lockd_oplock_open_breaking(const struct lockd_oplock_open *o)
{
	return o->lease != NULL ? o->lease->c.breaking : o->c.breaking;
}

/*
 * What an open holds, as the answer of an OPEN says it (a durable
 * reconnect answers with it, doc/durable.md), and its lease's keys.
 * Returns 1 for a lease, 0 for an oplock or nothing.
 */
int
lockd_oplock_open_grant(const struct lockd_oplock_open *o,
    struct lockd_oplock_grant *g, uint8_t *guid, uint8_t *key)
{
	memset(g, 0, sizeof(*g));
	if (o->lease == NULL) {
		g->level = lopl_state_level(o->c.state);
		return 0;
	}
	g->level = LOPL_LEVEL_LEASE;
	g->lease_state = o->lease->c.state;
	g->lease_version = o->lease->version;
	g->epoch = o->lease->epoch;
	if (o->lease->c.breaking)
		g->lease_flags |= LOPL_FLAG_BREAK_IN_PROGRESS;
	memcpy(guid, o->lease->guid, LOPL_KEY_LEN);
	memcpy(key, o->lease->key, LOPL_KEY_LEN);
	return 1;
}
