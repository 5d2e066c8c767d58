/*
 * Share modes and delete-pending, decided for every session worker in one
 * place (MS-FSA 2.1.5.1.2 "Open of an Existing File", the sharing check of
 * 2.1.5.1.2.1, and the delete-on-close rules of 2.1.5.4 and 2.1.5.14.3).
 *
 * Files are keyed by device, inode and stream name; lockd never sees a
 * path.  The worker that closes the last open of a delete-pending file is
 * told to remove it, since lockd itself has no file access.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/tree.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockd_brl.h"
#include "lockd_oplock.h"
#include "lockd_proto.h"
#include "lockd_share.h"
#include "log.h"
#include "util.h"

#define FILE_READ_DATA		0x00000001
#define FILE_WRITE_DATA		0x00000002
#define FILE_APPEND_DATA	0x00000004
#define FILE_EXECUTE		0x00000020
#define DELETE			0x00010000

#define FILE_SHARE_READ		0x00000001
#define FILE_SHARE_WRITE	0x00000002
#define FILE_SHARE_DELETE	0x00000004

struct lockd_open;

struct lockd_file {
	RB_ENTRY(lockd_file)	 entry;
	uint64_t		 dev;
	uint64_t		 ino;
	char			*stream;
	int			 delete_pending;
	uint32_t		 delete_uid;	/* who made it pending */
	TAILQ_HEAD(, lockd_open) opens;
	size_t			 nopens;
	struct lockd_brl_file	*brl;	/* byte-range locks, lockd_brl.c */
	struct lockd_oplock_file *opl;	/* oplocks, lockd_oplock.c */
};

struct lockd_open {
	RB_ENTRY(lockd_open)	 entry;
	TAILQ_ENTRY(lockd_open)	 file_entry;
	uint64_t		 handle;
	uint32_t		 peer;
	uint32_t		 uid;
	uint32_t		 access;
	uint32_t		 share;
	uint32_t		 flags;
	struct lockd_file	*file;
	struct lockd_oplock_open *opl;
	/* Its worker was told to report writes (LOCKD_OP_WROTE). */
	int			 reports;
	/* A durable open (doc/durable.md); NULL for most. */
	struct lockd_durable	*dur;
	/* While disconnected (peer LOCKD_PEER_DISCONNECTED): */
	TAILQ_ENTRY(lockd_open)	 disc_entry;
	uint64_t		 expires;	/* time_mono_ms() */
};

static int
lockd_file_cmp(const struct lockd_file *a, const struct lockd_file *b)
{
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return strcmp(a->stream, b->stream);
}

static int
lockd_open_cmp(const struct lockd_open *a, const struct lockd_open *b)
{
	if (a->handle != b->handle)
		return a->handle < b->handle ? -1 : 1;
	return 0;
}

static RB_HEAD(lockd_files, lockd_file) lockd_files =
    RB_INITIALIZER(&lockd_files);
RB_PROTOTYPE(lockd_files, lockd_file, entry, lockd_file_cmp);
RB_GENERATE(lockd_files, lockd_file, entry, lockd_file_cmp);
static RB_HEAD(lockd_opens, lockd_open) lockd_opens =
    RB_INITIALIZER(&lockd_opens);
RB_PROTOTYPE(lockd_opens, lockd_open, entry, lockd_open_cmp);
RB_GENERATE(lockd_opens, lockd_open, entry, lockd_open_cmp);

static uint64_t	lockd_next_handle = 1;
/* Durable opens whose worker went, and the longest they are kept. */
static TAILQ_HEAD(, lockd_open) lockd_disc = TAILQ_HEAD_INITIALIZER(lockd_disc);
static size_t	lockd_ndisc;
static uint64_t	lockd_durable_max_ms = 300 * 1000;
/* Every file's oplocks are decided by one table (doc/oplocks.md). */
static struct lockd_oplock_table *lockd_opl;
static size_t	lockd_nopens;
static size_t	lockd_max_opens = 1 << 20;

/*
 * Opens per worker.  The global limit alone would let one worker (a
 * compromised one need not keep its "max open files") take every open
 * lockd has, and with each its own file record and stream name of up to
 * LOCKD_MAX_STREAM_NAME bytes, the memory that every session shares.
 */
#define LOCKD_SHARE_PEER_BUCKETS	256
struct share_peer {
	LIST_ENTRY(share_peer)	 entry;
	uint32_t		 id;
	size_t			 nopens;
	int			 warned;
};
static LIST_HEAD(, share_peer)	share_peers[LOCKD_SHARE_PEER_BUCKETS];
static size_t			lockd_max_peer_opens = 1 << 20;

void
lockd_share_set_limit(size_t max)
{
	lockd_max_opens = max;
}

void
lockd_share_set_peer_limit(size_t max)
{
	lockd_max_peer_opens = max;
}

void
lockd_share_set_oplock(uint64_t timeout_ms)
{
	if (lockd_opl == NULL)
		lockd_opl = lockd_oplock_table_new(timeout_ms, 1, 1);
}

static struct lockd_oplock_table *
lockd_opl_table(void)
{
	lockd_share_set_oplock(LOCKD_OPLOCK_TIMEOUT_MS);
	return lockd_opl;
}

static struct share_peer *
share_peer_get(uint32_t id, int create)
{
	struct share_peer *sp;
	size_t b = id % LOCKD_SHARE_PEER_BUCKETS;

	LIST_FOREACH(sp, &share_peers[b], entry)
		if (sp->id == id)
			return sp;
	if (!create)
		return NULL;
	sp = xcalloc(1, sizeof(*sp));
	sp->id = id;
	LIST_INSERT_HEAD(&share_peers[b], sp, entry);
	return sp;
}

/*
 * MS-FSA 2.1.5.1.2.1: two opens conflict when one wants to do what the
 * other does not share.  Opens without data access never conflict.
 */
static int
lockd_share_conflict(uint32_t acc1, uint32_t share1, uint32_t acc2,
    uint32_t share2)
{
	if ((acc1 & (FILE_READ_DATA | FILE_EXECUTE)) &&
	    !(share2 & FILE_SHARE_READ))
		return 1;
	if ((acc1 & (FILE_WRITE_DATA | FILE_APPEND_DATA)) &&
	    !(share2 & FILE_SHARE_WRITE))
		return 1;
	if ((acc1 & DELETE) && !(share2 & FILE_SHARE_DELETE))
		return 1;
	return 0;
}

static int
lockd_has_data_access(uint32_t access)
{
	return (access & (FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA |
	    FILE_EXECUTE | DELETE)) != 0;
}

/*
 * The unnamed stream of a file: it sorts first among the file's entries,
 * since the key is (dev, ino, stream) and its stream name is "".
 */
static struct lockd_file *
lockd_file_base(uint64_t dev, uint64_t ino)
{
	struct lockd_file key;

	key.dev = dev;
	key.ino = ino;
	key.stream = (char *)(uintptr_t)"";
	return RB_FIND(lockd_files, &lockd_files, &key);
}

/* Does any named stream of the file have an open? */
static int
lockd_streams_open(uint64_t dev, uint64_t ino)
{
	struct lockd_file key, *g;

	key.dev = dev;
	key.ino = ino;
	key.stream = (char *)(uintptr_t)"";
	for (g = RB_NFIND(lockd_files, &lockd_files, &key);
	    g != NULL && g->dev == dev && g->ino == ino;
	    g = RB_NEXT(lockd_files, &lockd_files, g))
		if (g->stream[0] != '\0' && g->nopens > 0)
			return 1;
	return 0;
}

/*
 * Deleting a file deletes its named streams with it, so an open of the
 * unnamed stream for DELETE needs every open of every named stream to
 * share delete (MS-FSA 2.1.5.1.2); the other way round there is no such
 * rule.
 */
static int
lockd_streams_block_delete(uint64_t dev, uint64_t ino)
{
	struct lockd_file key, *g;
	struct lockd_open *o;

	key.dev = dev;
	key.ino = ino;
	key.stream = (char *)(uintptr_t)"";
	for (g = RB_NFIND(lockd_files, &lockd_files, &key);
	    g != NULL && g->dev == dev && g->ino == ino;
	    g = RB_NEXT(lockd_files, &lockd_files, g)) {
		if (g->stream[0] == '\0')
			continue;
		TAILQ_FOREACH(o, &g->opens, file_entry)
			if (!(o->share & FILE_SHARE_DELETE))
				return 1;
	}
	return 0;
}

static struct lockd_open *
lockd_open_find(uint64_t handle, uint32_t peer)
{
	struct lockd_open key, *o;

	key.handle = handle;
	if ((o = RB_FIND(lockd_opens, &lockd_opens, &key)) == NULL ||
	    o->peer != peer)
		return NULL;
	return o;
}

/* The request lockd_oplock.c decides on, from an OPEN's fields. */
static void
lockd_opl_req(struct lockd_oplock_req *r, uint32_t uid, uint32_t access,
    const struct lockd_share_oreq *q)
{
	memset(r, 0, sizeof(*r));
	r->uid = uid;
	r->access = access;
	r->level = q != NULL ? q->level : LOPL_LEVEL_NONE;
	r->disposition = q != NULL ? q->disposition : LOPL_FILE_OPEN;
	r->no_level2 = q != NULL && q->no_level2;
	r->dir_lease = q != NULL && q->dir_lease;
	/* A lease request without its context asks for nothing. */
	if (r->level == LOPL_LEVEL_LEASE &&
	    (q == NULL || q->lease_version == 0)) {
		r->level = LOPL_LEVEL_NONE;
		return;
	}
	if (r->level != LOPL_LEVEL_LEASE)
		return;
	r->lease_version = q->lease_version;
	r->lease_state = q->lease_state;
	r->has_parent = q->has_parent;
	r->epoch = q->epoch;
	memcpy(r->client_guid, q->client_guid, LOPL_KEY_LEN);
	memcpy(r->lease_key, q->lease_key, LOPL_KEY_LEN);
	memcpy(r->parent_key, q->parent_key, LOPL_KEY_LEN);
}

/*
 * The share check of an open against the file's other opens.  A
 * violation first breaks the handle caching of other opens (Batch to
 * Level II), whose clients may be keeping a handle their user closed:
 * LOCKD_STATUS_PENDING then asks the caller to try again, with
 * q->retry set, once the breaks ended (MS-SMB2 3.3.5.9, smbtorture
 * smb2.oplock.batch1); the second try breaks nothing.
 */
static uint32_t
lockd_share_check(struct lockd_file *f, uint32_t uid, uint32_t access,
    uint32_t share, const struct lockd_share_oreq *q, uint64_t now,
    struct lockd_oplock_breaks *out)
{
	struct lockd_oplock_req r;
	struct lockd_open *o;

	if (f->delete_pending)
		return LOCKD_STATUS_DELETE_PENDING;
	if (!lockd_has_data_access(access))
		return LOCKD_STATUS_OK;
	TAILQ_FOREACH(o, &f->opens, file_entry) {
		if (!lockd_has_data_access(o->access))
			continue;
		if (lockd_share_conflict(o->access, o->share, access, share) ||
		    lockd_share_conflict(access, share, o->access, o->share))
			break;
	}
	if (o == NULL)
		return LOCKD_STATUS_OK;
	if (q == NULL || q->retry || out == NULL)
		return LOCKD_STATUS_SHARING_VIOLATION;
	lockd_opl_req(&r, uid, access, q);
	if (lockd_oplock_sharing(f->opl, &r, now, out) == LOPL_WAIT)
		return LOCKD_STATUS_PENDING;
	return LOCKD_STATUS_SHARING_VIOLATION;
}

uint32_t
lockd_share_open(uint32_t peer, uint32_t uid, uint64_t dev, uint64_t ino,
    const char *stream, uint32_t access, uint32_t share, uint32_t flags,
    uint64_t *handle)
{
	return lockd_share_open_opl(peer, uid, dev, ino, stream, access, share,
	    flags, NULL, 0, NULL, handle);
}

uint32_t
lockd_share_open_opl(uint32_t peer, uint32_t uid, uint64_t dev, uint64_t ino,
    const char *stream, uint32_t access, uint32_t share, uint32_t flags,
    const struct lockd_share_oreq *q, uint64_t now,
    struct lockd_oplock_breaks *out, uint64_t *handle)
{
	struct lockd_oplock_req r;
	struct lockd_file key, *f;
	struct lockd_open *o;
	struct share_peer *sp;
	uint32_t status;
	int fresh = 0;

	*handle = 0;
	if (lockd_nopens >= lockd_max_opens)
		return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
	if ((sp = share_peer_get(peer, 0)) != NULL &&
	    sp->nopens >= lockd_max_peer_opens) {
		if (!sp->warned)
			log_warnx("the worker of connection %u has %zu opens; "
			    "refusing more", peer, sp->nopens);
		sp->warned = 1;
		return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
	}
	key.dev = dev;
	key.ino = ino;
	key.stream = (char *)(uintptr_t)stream;
	/* A named stream of a file being deleted cannot be opened. */
	if (*stream != '\0' && (f = lockd_file_base(dev, ino)) != NULL &&
	    f->delete_pending)
		return LOCKD_STATUS_DELETE_PENDING;
	if (*stream == '\0' && (access & DELETE) &&
	    lockd_streams_block_delete(dev, ino))
		return LOCKD_STATUS_SHARING_VIOLATION;
	f = RB_FIND(lockd_files, &lockd_files, &key);
	if (f != NULL) {
		if ((status = lockd_share_check(f, uid, access, share, q,
		    now, out)) != LOCKD_STATUS_OK)
			return status;
	} else {
		f = xcalloc(1, sizeof(*f));
		fresh = 1;
		f->dev = dev;
		f->ino = ino;
		f->stream = xstrdup(stream);
		TAILQ_INIT(&f->opens);
		f->opl = lockd_oplock_file_new(lockd_opl_table(),
		    (flags & LOCKD_OPEN_DIRECTORY) != 0);
		RB_INSERT(lockd_files, &lockd_files, f);
	}
	o = xcalloc(1, sizeof(*o));
	o->handle = lockd_next_handle++;
	o->peer = peer;
	o->uid = uid;
	o->access = access;
	o->share = share;
	o->flags = flags;
	o->file = f;
	lockd_opl_req(&r, uid, access, q);
	/* One lease key names one file: another file's is refused. */
	if (lockd_oplock_add(f->opl, o->handle, &r, &o->opl) !=
	    LOCKD_STATUS_OK) {
		free(o);
		if (fresh) {
			RB_REMOVE(lockd_files, &lockd_files, f);
			lockd_oplock_file_free(f->opl);
			free(f->stream);
			free(f);
		}
		return LOCKD_STATUS_INVALID_PARAMETER;
	}
	TAILQ_INSERT_TAIL(&f->opens, o, file_entry);
	f->nopens++;
	RB_INSERT(lockd_opens, &lockd_opens, o);
	lockd_nopens++;
	share_peer_get(peer, 1)->nopens++;
	*handle = o->handle;
	return LOCKD_STATUS_OK;
}

/* Does an open of this file cache reads (an oplock of any level)? */
static int
lockd_file_cached(const struct lockd_file *f)
{
	const struct lockd_open *o;

	TAILQ_FOREACH(o, &f->opens, file_entry)
		if (o->opl != NULL &&
		    (lockd_oplock_open_state(o->opl) & LOPL_R))
			return 1;
	return 0;
}

uint32_t
lockd_share_grant(uint32_t peer, uint64_t handle,
    const struct lockd_share_oreq *q, uint64_t now,
    struct lockd_oplock_breaks *out, struct lockd_oplock_grant *g,
    uint32_t *oflags)
{
	struct lockd_oplock_req r;
	struct lockd_open *o;

	memset(g, 0, sizeof(*g));
	if ((o = lockd_open_find(handle, peer)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	lockd_opl_req(&r, o->uid, o->access, q);
	r.locked = lockd_brl_file_locked(peer, handle);
	if (lockd_oplock_open(o->file->opl, o->opl, &r, now, out, g) ==
	    LOPL_WAIT)
		return LOCKD_STATUS_PENDING;
	if (lockd_file_cached(o->file)) {
		*oflags |= LOCKD_OPENED_CACHED;
		o->reports = 1;
	}
	return LOCKD_STATUS_OK;
}

int
lockd_share_blocked(uint32_t peer, uint64_t handle, uint64_t now)
{
	struct lockd_open *o;

	if ((o = lockd_open_find(handle, peer)) == NULL)
		return 0;
	return lockd_oplock_blocked(o->file->opl, o->opl, now);
}

int
lockd_share_file_blocked(uint64_t dev, uint64_t ino, const char *stream,
    uint64_t now)
{
	struct lockd_file key, *f;

	key.dev = dev;
	key.ino = ino;
	key.stream = (char *)(uintptr_t)stream;
	if ((f = RB_FIND(lockd_files, &lockd_files, &key)) == NULL)
		return 0;
	return lockd_oplock_blocked(f->opl, NULL, now);
}

uint32_t
lockd_share_event(uint32_t peer, uint64_t handle, int ev, uint64_t now,
    struct lockd_oplock_breaks *out)
{
	struct lockd_open *o;

	if ((o = lockd_open_find(handle, peer)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	if (lockd_oplock_event(o->file->opl, o->opl,
	    (enum lockd_oplock_event)ev, now, out) == LOPL_WAIT)
		return LOCKD_STATUS_PENDING;
	return LOCKD_STATUS_OK;
}

uint32_t
lockd_share_oplock_ack(uint32_t peer, uint64_t handle, uint8_t level,
    uint64_t now, struct lockd_oplock_breaks *out, uint8_t *granted)
{
	struct lockd_open *o;

	*granted = LOPL_LEVEL_NONE;
	/* Only the worker's own opens: another's handle is not found. */
	if ((o = lockd_open_find(handle, peer)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	return lockd_oplock_ack(o->file->opl, o->opl, level, now, out,
	    granted);
}

/*
 * A LEASE_BREAK acknowledgement: only the leases of the sender's user
 * are found (doc/oplocks.md §5), another user's key is not known.
 */
uint32_t
lockd_share_lease_ack(uint32_t uid, const uint8_t *guid, const uint8_t *key,
    uint8_t state, uint64_t now, struct lockd_oplock_breaks *out)
{
	struct lockd_oplock_file *f;

	return lockd_oplock_lease_ack(lockd_opl_table(), uid, guid, key, state,
	    now, out, &f);
}

/*
 * Must writes through this open still be reported?  Once nobody caches
 * the file's reads, its worker may stop until told again.
 */
int
lockd_share_cached(uint32_t peer, uint64_t handle)
{
	struct lockd_open *o;

	if ((o = lockd_open_find(handle, peer)) == NULL)
		return 0;
	if (lockd_file_cached(o->file))
		return 1;
	o->reports = 0;
	return 0;
}

size_t
lockd_share_dir_changed(uint32_t uid, uint64_t dev, uint64_t ino,
    const uint8_t *guid, const uint8_t *parent_key, uint64_t now,
    struct lockd_oplock_breaks *out)
{
	struct lockd_file *f;

	if ((f = lockd_file_base(dev, ino)) == NULL)
		return 0;
	return lockd_oplock_dir_change(f->opl, uid, guid, parent_key, now,
	    out);
}

size_t
lockd_share_break_all(uint64_t dev, uint64_t ino, uint64_t now,
    struct lockd_oplock_breaks *out)
{
	struct lockd_file key, *g;
	size_t n = out->n;

	key.dev = dev;
	key.ino = ino;
	key.stream = (char *)(uintptr_t)"";
	/* A write by nobody's key takes every kind of caching. */
	for (g = RB_NFIND(lockd_files, &lockd_files, &key);
	    g != NULL && g->dev == dev && g->ino == ino;
	    g = RB_NEXT(lockd_files, &lockd_files, g))
		(void)lockd_oplock_event(g->opl, NULL, LOPL_EV_WRITE, now,
		    out);
	return out->n - n;
}

int
lockd_share_dirleases(void)
{
	return lockd_opl != NULL && lockd_oplock_ndirleases(lockd_opl) > 0;
}

/*
 * The opens of this open's file whose workers do not yet report writes,
 * while the file's reads are cached: up to max of them, each marked as
 * told.  Opens that hold an oplock know it from the oplock itself.
 */
size_t
lockd_share_unreported(uint32_t peer, uint64_t handle, uint32_t *peers,
    uint64_t *handles, size_t max)
{
	struct lockd_open *o, *other;
	size_t n = 0;

	if ((o = lockd_open_find(handle, peer)) == NULL ||
	    !lockd_file_cached(o->file))
		return 0;
	TAILQ_FOREACH(other, &o->file->opens, file_entry) {
		if (n == max)
			break;
		if (other->reports || (other->opl != NULL &&
		    lockd_oplock_open_state(other->opl) != 0))
			continue;
		other->reports = 1;
		peers[n] = other->peer;
		handles[n++] = other->handle;
	}
	return n;
}

/* The worker of a handle, for sending it a break. */
int
lockd_share_handle_peer(uint64_t handle, uint32_t *peer)
{
	struct lockd_open key, *o;

	key.handle = handle;
	if ((o = RB_FIND(lockd_opens, &lockd_opens, &key)) == NULL)
		return -1;
	*peer = o->peer;
	return 0;
}

/*
 * A delete becomes pending, with the user who asked for it: the file is
 * removed only by a worker of that user (lockd_file_may_delete).
 */
static void
lockd_file_pend(struct lockd_file *f, uint32_t uid)
{
	f->delete_pending = 1;
	f->delete_uid = uid;
}

/*
 * The last closer removes a delete-pending file with its own user's
 * rights.  When that is not the user who made the delete pending, the
 * file stays: a worker must never carry out, with its rights, what
 * another user's worker asked for (a compromised one could name any file
 * of a shared tree it can open).
 */
static int
lockd_file_may_delete(const struct lockd_file *f, uint32_t closer)
{
	if (f->delete_uid == closer)
		return 1;
	log_info("delete on close of a file (device %llu, inode %llu) set by "
	    "uid %u is not carried out by the last closer, uid %u",
	    (unsigned long long)f->dev, (unsigned long long)f->ino,
	    f->delete_uid, closer);
	return 0;
}

static uint32_t
lockd_open_drop(struct lockd_open *o)
{
	struct lockd_file *f = o->file, *base;
	struct share_peer *sp;
	uint64_t dev = f->dev, ino = f->ino;
	uint32_t flags = 0;
	int named = f->stream[0] != '\0';

	uint32_t uid = o->uid;

	/* Closing a delete-on-close open makes the delete pending. */
	if (o->flags & LOCKD_OPEN_DELETE_ON_CLOSE)
		lockd_file_pend(f, uid);
	if (o->opl != NULL)
		lockd_oplock_close(f->opl, o->opl);
	if (o->dur != NULL) {
		if (o->peer == LOCKD_PEER_DISCONNECTED) {
			TAILQ_REMOVE(&lockd_disc, o, disc_entry);
			lockd_ndisc--;
		}
		free(o->dur->path);
		free(o->dur);
	}
	TAILQ_REMOVE(&f->opens, o, file_entry);
	f->nopens--;
	RB_REMOVE(lockd_opens, &lockd_opens, o);
	lockd_nopens--;
	if ((sp = share_peer_get(o->peer, 0)) != NULL && --sp->nopens == 0) {
		LIST_REMOVE(sp, entry);
		free(sp);
	}
	free(o);
	if (f->nopens == 0) {
		/*
		 * A file whose named streams are still open is removed
		 * when the last of them closes; until then it stays
		 * delete-pending, here with no opens of its own.
		 */
		if (f->delete_pending && !named &&
		    lockd_streams_open(dev, ino))
			return flags;
		if (f->delete_pending && lockd_file_may_delete(f, uid))
			flags |= LOCKD_CLOSE_DELETE;
		RB_REMOVE(lockd_files, &lockd_files, f);
		lockd_brl_file_free(f->brl);
		lockd_oplock_file_free(f->opl);
		free(f->stream);
		free(f);
	}
	if (named && (base = lockd_file_base(dev, ino)) != NULL &&
	    base->nopens == 0 && !lockd_streams_open(dev, ino)) {
		if (base->delete_pending && lockd_file_may_delete(base, uid))
			flags |= LOCKD_CLOSE_DELETE_FILE;
		RB_REMOVE(lockd_files, &lockd_files, base);
		lockd_brl_file_free(base->brl);
		lockd_oplock_file_free(base->opl);
		free(base->stream);
		free(base);
	}
	return flags;
}

uint32_t
lockd_share_close(uint32_t peer, uint64_t handle, uint32_t *closeflags)
{
	struct lockd_open *o;

	*closeflags = 0;
	if ((o = lockd_open_find(handle, peer)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	*closeflags = lockd_open_drop(o);
	return LOCKD_STATUS_OK;
}

uint32_t
lockd_share_set_delete(uint32_t peer, uint64_t handle, int on)
{
	struct lockd_open *o;

	if ((o = lockd_open_find(handle, peer)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	if (on)
		lockd_file_pend(o->file, o->uid);
	else
		o->file->delete_pending = 0;
	/*
	 * Clearing the disposition also clears this open's own
	 * delete-on-close, as FileDispositionInformation does on Windows.
	 */
	if (!on)
		o->flags &= ~LOCKD_OPEN_DELETE_ON_CLOSE;
	return LOCKD_STATUS_OK;
}

uint32_t
lockd_share_rename_check(uint32_t peer, uint64_t handle)
{
	struct lockd_open *o, *other;

	if ((o = lockd_open_find(handle, peer)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	TAILQ_FOREACH(other, &o->file->opens, file_entry) {
		if (other == o)
			continue;
		if (!(other->share & FILE_SHARE_DELETE))
			return LOCKD_STATUS_SHARING_VIOLATION;
	}
	/* The file's named streams move with it. */
	if (o->file->stream[0] == '\0' &&
	    lockd_streams_block_delete(o->file->dev, o->file->ino))
		return LOCKD_STATUS_SHARING_VIOLATION;
	return LOCKD_STATUS_OK;
}

uint32_t
lockd_share_query(uint32_t peer, uint64_t handle, uint32_t *pending,
    uint32_t *nopens)
{
	struct lockd_open *o;

	*pending = 0;
	*nopens = 0;
	if ((o = lockd_open_find(handle, peer)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	*pending = (uint32_t)o->file->delete_pending;
	*nopens = (uint32_t)o->file->nopens;
	return LOCKD_STATUS_OK;
}

/*
 * A worker ended (or died): its opens go away as if closed.  A file left
 * delete-pending by it stays on disk, since nobody is left to remove it;
 * the next open sees it again as a normal file.
 */
size_t
lockd_share_release_peer(uint32_t peer)
{
	struct lockd_open *o, *next;
	size_t n = 0;

	for (o = RB_MIN(lockd_opens, &lockd_opens); o != NULL; o = next) {
		next = RB_NEXT(lockd_opens, &lockd_opens, o);
		if (o->peer != peer)
			continue;
		o->flags &= ~LOCKD_OPEN_DELETE_ON_CLOSE;
		if (o->file->nopens == 1)
			o->file->delete_pending = 0;
		lockd_open_drop(o);
		n++;
	}
	return n;
}

/*
 * Where the byte-range lock state of an open's file (its stream) hangs,
 * for lockd_brl.c; NULL for a handle that is not this worker's.
 */
struct lockd_brl_file **
lockd_share_brl_slot(uint32_t peer, uint64_t handle, int *is_dir)
{
	struct lockd_open *o;

	if ((o = lockd_open_find(handle, peer)) == NULL)
		return NULL;
	if (is_dir != NULL)
		*is_dir = (o->flags & LOCKD_OPEN_DIRECTORY) != 0;
	return &o->file->brl;
}

/*
 * Every open of the same file (and stream) as this open: up to max of
 * them, as (worker, handle) pairs.  Returns how many there are.
 */
size_t
lockd_share_file_opens(uint32_t peer, uint64_t handle, uint32_t *peers,
    uint64_t *handles, size_t max)
{
	struct lockd_open *o, *other;
	size_t n = 0;

	if ((o = lockd_open_find(handle, peer)) == NULL)
		return 0;
	TAILQ_FOREACH(other, &o->file->opens, file_entry) {
		if (n < max) {
			peers[n] = other->peer;
			handles[n] = other->handle;
		}
		n++;
	}
	return n;
}

size_t
lockd_share_count(void)
{
	return lockd_nopens;
}

size_t
lockd_share_nfiles(void)
{
	struct lockd_file *f;
	size_t n = 0;

	RB_FOREACH(f, lockd_files, &lockd_files)
		n++;
	return n;
}

size_t
lockd_share_peer_opens(uint32_t peer)
{
	struct lockd_open *o;
	size_t n = 0;

	RB_FOREACH(o, lockd_opens, &lockd_opens)
		if (o->peer == peer)
			n++;
	return n;
}

void
lockd_share_set_durable_max(uint64_t ms)
{
	lockd_durable_max_ms = ms;
}

/*
 * Durability needs handle caching (MS-SMB2 3.3.5.9.6, 3.3.5.9.10): a
 * Batch oplock or a lease with H.  An open that holds no H cannot be
 * broken away by the next opener, and would keep its share modes
 * against everyone until its timeout.
 */
static int
lockd_open_holds_h(const struct lockd_open *o)
{
	return o->opl != NULL && (lockd_oplock_open_state(o->opl) & LOPL_H) &&
	    !(o->flags & LOCKD_OPEN_DIRECTORY);
}

int
lockd_share_durable_set(uint32_t peer, uint64_t handle,
    struct lockd_durable *d)
{
	struct lockd_open *o;

	if ((o = lockd_open_find(handle, peer)) == NULL || o->dur != NULL ||
	    !lockd_open_holds_h(o)) {
		free(d->path);
		free(d);
		return 0;
	}
	if (d->timeout_ms > lockd_durable_max_ms)
		d->timeout_ms = (uint32_t)lockd_durable_max_ms;
	o->dur = d;
	return 1;
}

/* The open moves to another worker: its count, its locks. */
static void
lockd_open_move(struct lockd_open *o, uint32_t to)
{
	struct share_peer *sp;

	lockd_brl_move(o->handle, o->peer, to);
	if ((sp = share_peer_get(o->peer, 0)) != NULL && --sp->nopens == 0) {
		LIST_REMOVE(sp, entry);
		free(sp);
	}
	share_peer_get(to, 1)->nopens++;
	o->peer = to;
	o->reports = 0;
}

/*
 * An open of a worker that went (or of a session that logged off) stays
 * for its client to reclaim, if it can be kept.
 */
static int
lockd_open_park(struct lockd_open *o, uint64_t now)
{
	/*
	 * It lost its H to a break, or a break is on its way that nobody
	 * will acknowledge now (a break to a disconnected open closes
	 * it): it is closed as any other.
	 */
	if (o->dur == NULL || !lockd_open_holds_h(o) ||
	    lockd_oplock_open_breaking(o->opl))
		return 0;
	lockd_open_move(o, LOCKD_PEER_DISCONNECTED);
	o->expires = now + o->dur->timeout_ms;
	TAILQ_INSERT_TAIL(&lockd_disc, o, disc_entry);
	lockd_ndisc++;
	return 1;
}

static void	lockd_durable_close(struct lockd_open *);

uint32_t
lockd_share_durable_detach(uint32_t peer, uint64_t handle, uint64_t now)
{
	struct lockd_open *o;

	if (peer == LOCKD_PEER_DISCONNECTED ||
	    (o = lockd_open_find(handle, peer)) == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	if (!lockd_open_park(o, now))
		lockd_durable_close(o);
	return LOCKD_STATUS_OK;
}

size_t
lockd_share_durable_park(uint32_t peer, uint64_t now)
{
	struct lockd_open *o;
	size_t n = 0;

	if (peer == LOCKD_PEER_DISCONNECTED)
		return 0;
	RB_FOREACH(o, lockd_opens, &lockd_opens) {
		if (o->peer != peer || o->dur == NULL)
			continue;
		n += (size_t)lockd_open_park(o, now);
	}
	return n;
}

/*
 * A disconnected open goes as its worker's opens go when it ends: a
 * delete-on-close is not carried out, since nobody of its user is left
 * to remove the file (lockd cannot), unless another open of that user
 * is its last closer.
 */
static void
lockd_durable_close(struct lockd_open *o)
{
	o->flags &= ~LOCKD_OPEN_DELETE_ON_CLOSE;
	if (o->file->nopens == 1)
		o->file->delete_pending = 0;
	lockd_brl_close(o->peer, o->handle);
	(void)lockd_open_drop(o);
}

size_t
lockd_share_durable_expire(uint64_t now)
{
	struct lockd_open *o, *next;
	size_t n = 0;

	for (o = TAILQ_FIRST(&lockd_disc); o != NULL; o = next) {
		next = TAILQ_NEXT(o, disc_entry);
		if (now < o->expires)
			continue;
		log_info("durable open of a file (device %llu, inode %llu) "
		    "not reclaimed in %u ms; closed",
		    (unsigned long long)o->file->dev,
		    (unsigned long long)o->file->ino, o->dur->timeout_ms);
		lockd_durable_close(o);
		n++;
	}
	return n;
}

/* Does open o stand for the same application instance as d? */
static int
lockd_app_match(const struct lockd_open *o, uint32_t uid,
    const struct lockd_durable *d)
{
	return o->dur != NULL && o->dur->version == 2 && o->uid == uid &&
	    memcmp(o->dur->app_id, d->app_id, 16) == 0 &&
	    memcmp(o->dur->client_guid, d->client_guid, 16) != 0;
}

size_t
lockd_share_app_instance(uint32_t uid, uint64_t dev, uint64_t ino,
    const char *stream, const struct lockd_durable *d, uint64_t *handles,
    uint32_t *peers, size_t max)
{
	static const uint8_t zero[16];
	struct lockd_file key, *f;
	struct lockd_open *o;
	size_t n = 0;

	if (d == NULL || d->version != 2 ||
	    memcmp(d->app_id, zero, sizeof(zero)) == 0)
		return 0;
	key.dev = dev;
	key.ino = ino;
	key.stream = (char *)(uintptr_t)stream;
	/* The disconnected ones first, one at a time: the file may go. */
	for (;;) {
		if ((f = RB_FIND(lockd_files, &lockd_files, &key)) == NULL)
			return 0;
		TAILQ_FOREACH(o, &f->opens, file_entry)
			if (o->peer == LOCKD_PEER_DISCONNECTED &&
			    lockd_app_match(o, uid, d))
				break;
		if (o == NULL)
			break;
		log_debug("durable open %llu of a disconnected client "
		    "replaced by its AppInstanceId; closed",
		    (unsigned long long)o->handle);
		lockd_durable_close(o);
	}
	TAILQ_FOREACH(o, &f->opens, file_entry) {
		if (!lockd_app_match(o, uid, d))
			continue;
		if (n < max) {
			handles[n] = o->handle;
			peers[n] = o->peer;
		}
		n++;
	}
	return n;
}

int
lockd_share_durable_purge(uint64_t handle)
{
	struct lockd_open *o;

	if ((o = lockd_open_find(handle, LOCKD_PEER_DISCONNECTED)) == NULL)
		return 0;
	log_debug("durable open %llu of a disconnected client is broken by "
	    "another open; closed", (unsigned long long)handle);
	lockd_durable_close(o);
	return 1;
}

/*
 * The disconnected durable open a reconnect names (MS-SMB2 3.3.5.9.7,
 * 3.3.5.9.12), of the sender's user only: another user's is not found,
 * whatever FileId and CreateGuid it names.
 */
static uint32_t
lockd_durable_match(uint32_t uid, const struct lockd_durable_key *k,
    struct lockd_open **op)
{
	struct lockd_oplock_grant g;
	struct lockd_open *o;
	uint8_t guid[16], key[16];
	int lease;

	*op = NULL;
	if ((o = lockd_open_find(k->handle, LOCKD_PEER_DISCONNECTED)) == NULL ||
	    o->dur == NULL || o->uid != uid)
		return LOCKD_STATUS_OBJECT_NAME_NOT_FOUND;
	/*
	 * A v2 reconnect names the open's CreateGuid, which is zero for a
	 * v1 open; a v1 reconnect names only the FileId, of a v1 or a v2
	 * open (as Windows and Samba take it: smbtorture
	 * smb2.durable-v2-open.reopen2b, .reopen2c,
	 * smb2.durable-open.reopen2-lease).
	 */
	if (k->version == 2 && memcmp(o->dur->create_guid, k->create_guid,
	    sizeof(k->create_guid)) != 0)
		return LOCKD_STATUS_OBJECT_NAME_NOT_FOUND;
	lease = o->opl != NULL && lockd_oplock_open_grant(o->opl, &g, guid,
	    key);
	/* A lease is the client's: its ClientGuid and key must match. */
	if (lease != k->has_lease)
		return LOCKD_STATUS_OBJECT_NAME_NOT_FOUND;
	if (lease && (memcmp(guid, k->client_guid, 16) != 0 ||
	    memcmp(key, k->lease_key, 16) != 0))
		return LOCKD_STATUS_OBJECT_NAME_NOT_FOUND;
	*op = o;
	return LOCKD_STATUS_OK;
}

uint32_t
lockd_share_durable_find(uint32_t uid, const struct lockd_durable_key *k,
    struct lockd_durable_info *info)
{
	struct lockd_open *o;
	uint32_t status;

	memset(info, 0, sizeof(*info));
	if ((status = lockd_durable_match(uid, k, &o)) != LOCKD_STATUS_OK)
		return status;
	info->access = o->access;
	info->share = o->share;
	info->flags = o->flags;
	info->create_options = o->dur->create_options;
	info->share_name = o->dur->share;
	info->path = o->dur->path;
	info->stream = o->file->stream;
	info->alloc = o->dur->alloc;
	info->position = o->dur->position;
	return LOCKD_STATUS_OK;
}

uint32_t
lockd_share_durable_reclaim(uint32_t peer, uint32_t uid,
    const struct lockd_durable_key *k, uint64_t dev, uint64_t ino,
    struct lockd_oplock_grant *g, uint32_t *oflags)
{
	struct lockd_open *o;
	uint8_t guid[16], key[16];
	uint32_t status;

	memset(g, 0, sizeof(*g));
	*oflags = 0;
	if ((status = lockd_durable_match(uid, k, &o)) != LOCKD_STATUS_OK)
		return status;
	/* The worker reopened what the open had open, or nothing. */
	if (o->file->dev != dev || o->file->ino != ino)
		return LOCKD_STATUS_OBJECT_NAME_NOT_FOUND;
	TAILQ_REMOVE(&lockd_disc, o, disc_entry);
	lockd_ndisc--;
	lockd_open_move(o, peer);
	if (o->opl != NULL)
		(void)lockd_oplock_open_grant(o->opl, g, guid, key);
	*oflags = LOCKD_OPENED_DURABLE;
	if (lockd_file_cached(o->file)) {
		*oflags |= LOCKD_OPENED_CACHED;
		o->reports = 1;
	}
	return LOCKD_STATUS_OK;
}

size_t
lockd_share_durable_count(void)
{
	return lockd_ndisc;
}

uint32_t
lockd_share_durable_position(uint32_t peer, uint64_t handle, uint64_t pos)
{
	struct lockd_open *o;

	if (peer == LOCKD_PEER_DISCONNECTED ||
	    (o = lockd_open_find(handle, peer)) == NULL || o->dur == NULL)
		return LOCKD_STATUS_INVALID_HANDLE;
	o->dur->position = pos;
	return LOCKD_STATUS_OK;
}

int
lockd_share_lease_other(uint64_t handle, uint32_t *peer, uint64_t *other)
{
	struct lockd_oplock_grant g;
	struct lockd_open key, *o, *o2;
	uint8_t guid[16], lkey[16], guid2[16], lkey2[16];

	key.handle = handle;
	if ((o = RB_FIND(lockd_opens, &lockd_opens, &key)) == NULL ||
	    o->opl == NULL || !lockd_oplock_open_grant(o->opl, &g, guid, lkey))
		return -1;
	TAILQ_FOREACH(o2, &o->file->opens, file_entry) {
		if (o2 == o || o2->peer == LOCKD_PEER_DISCONNECTED ||
		    o2->uid != o->uid || o2->opl == NULL ||
		    !lockd_oplock_open_grant(o2->opl, &g, guid2, lkey2))
			continue;
		if (memcmp(guid, guid2, 16) == 0 &&
		    memcmp(lkey, lkey2, 16) == 0) {
			*peer = o2->peer;
			*other = o2->handle;
			return 0;
		}
	}
	return -1;
}
