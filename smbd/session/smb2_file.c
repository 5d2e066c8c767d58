/*
 * The open table of a session worker: FileIds, and time conversions all
 * file commands share.
 *
 * A FileId is { Persistent, Volatile }.  Volatile ids are unpredictable
 * 64-bit values, looked up in one table; the persistent half is checked
 * too, so a guessed or stale FileId never reaches another open.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_tree.h"
#include "util.h"

static TAILQ_HEAD(, smb2_open) smb2_opens = TAILQ_HEAD_INITIALIZER(smb2_opens);
static size_t	smb2_nopens;
static uint64_t	smb2_next_persistent = 1;

size_t
smb2_open_count(void)
{
	return smb2_nopens;
}

struct smb2_open *
smb2_open_new(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_open *o;

	o = xcalloc(1, sizeof(*o));
	o->fd = -1;
	o->tree = req->tree;
	o->sess = req->sess;
	o->persistent_id = smb2_next_persistent++;
	do {
		arc4random_buf(&o->volatile_id, sizeof(o->volatile_id));
	} while (o->volatile_id == 0 || o->volatile_id == UINT64_MAX);
	TAILQ_INSERT_TAIL(&smb2_opens, o, conn_entry);
	TAILQ_INSERT_TAIL(&req->tree->files, o, tree_entry);
	smb2_nopens++;
	return o;
}

/* What else lets go of an open before it is freed, in order. */
static void	(*smb2_open_free_hooks[4])(struct smb2_open *);

void
smb2_open_on_free(void (*fn)(struct smb2_open *))
{
	size_t i;

	for (i = 0; i < nitems(smb2_open_free_hooks); i++) {
		if (smb2_open_free_hooks[i] == fn)
			return;
		if (smb2_open_free_hooks[i] == NULL) {
			smb2_open_free_hooks[i] = fn;
			return;
		}
	}
	fatalx("too many hooks on the open table");
}

void
smb2_open_free(struct smb2_conn *c, struct smb2_open *o)
{
	size_t i;

	for (i = 0; i < nitems(smb2_open_free_hooks) &&
	    smb2_open_free_hooks[i] != NULL; i++)
		smb2_open_free_hooks[i](o);
	TAILQ_REMOVE(&smb2_opens, o, conn_entry);
	TAILQ_REMOVE(&o->tree->files, o, tree_entry);
	smb2_nopens--;
	if (o->dir != NULL)
		closedir(o->dir);
	else if (o->fd != -1)
		close(o->fd);
	free(o->path);
	free(o->stream);
	free(o->dir_pattern);
	free(o->pipe_name);
	free(o);
}

int
smb2_open_busy_below(const struct smb2_open *dir)
{
	const struct smb2_open *o;
	size_t len = strlen(dir->path);

	TAILQ_FOREACH(o, &smb2_opens, conn_entry) {
		if (o == dir || o->tree->ss != dir->tree->ss ||
		    o->path == NULL)
			continue;
		if (len == 0 ? *o->path != '\0' :
		    strncmp(o->path, dir->path, len) == 0 &&
		    o->path[len] == '/')
			return 1;
	}
	return 0;
}

void
smb2_open_foreach(void (*fn)(struct smb2_open *, void *), void *arg)
{
	struct smb2_open *o, *next;

	for (o = TAILQ_FIRST(&smb2_opens); o != NULL; o = next) {
		next = TAILQ_NEXT(o, conn_entry);
		fn(o, arg);
	}
}

int
smb2_open_busy_inode(dev_t dev, ino_t ino)
{
	const struct smb2_open *o;

	TAILQ_FOREACH(o, &smb2_opens, conn_entry)
		if (o->pipe == NULL && o->st.st_dev == dev &&
		    o->st.st_ino == ino)
			return 1;
	return 0;
}

void
smb2_open_fileid(const struct smb2_open *o, uint8_t id[16])
{
	uint64_t p = o->persistent_id, v = o->volatile_id;
	int i;

	for (i = 0; i < 8; i++) {
		id[i] = (uint8_t)(p >> (8 * i));
		id[8 + i] = (uint8_t)(v >> (8 * i));
	}
}

struct smb2_open *
smb2_open_find(uint64_t persistent_id, uint64_t volatile_id)
{
	struct smb2_open *o;

	TAILQ_FOREACH(o, &smb2_opens, conn_entry)
		if (o->volatile_id == volatile_id &&
		    o->persistent_id == persistent_id)
			return o;
	return NULL;
}

struct smb2_open *
smb2_open_find_persistent(uint64_t persistent_id)
{
	struct smb2_open *o;

	TAILQ_FOREACH(o, &smb2_opens, conn_entry)
		if (o->persistent_id == persistent_id)
			return o;
	return NULL;
}

void
smb2_open_brl_set(uint64_t lockd_handle, int on)
{
	struct smb2_open *o;

	TAILQ_FOREACH(o, &smb2_opens, conn_entry)
		if (o->lockd_handle == lockd_handle)
			o->brl = on;
}

struct smb2_open *
smb2_open_find_lockd(uint64_t lockd_handle)
{
	struct smb2_open *o;

	TAILQ_FOREACH(o, &smb2_opens, conn_entry)
		if (o->lockd_handle == lockd_handle && lockd_handle != 0)
			return o;
	return NULL;
}

struct smb2_open *
smb2_open_lookup(struct smb2_conn *c, struct smb2_req *req,
    const uint8_t id[16])
{
	struct smb2_open *o;
	struct rbuf r;
	uint64_t p, v;

	/* Persistent, then volatile, each little-endian (MS-SMB2 2.2.14.1). */
	rbuf_init(&r, id, 16);
	rbuf_get_u64le(&r, &p);
	rbuf_get_u64le(&r, &v);
	TAILQ_FOREACH(o, &smb2_opens, conn_entry) {
		if (o->volatile_id != v || o->persistent_id != p)
			continue;
		/* An open belongs to its session and tree. */
		if (o->sess != req->sess || o->tree != req->tree)
			return NULL;
		/* One whose CREATE still waits has not been answered yet. */
		if (o->create_wait != NULL)
			return NULL;
		return o;
	}
	return NULL;
}

/* Seconds between 1601-01-01 and 1970-01-01. */
#define SMB2_EPOCH_DELTA	11644473600ULL

uint64_t
smb2_filetime(const struct timespec *ts)
{
	if (ts->tv_sec < -(time_t)SMB2_EPOCH_DELTA)
		return 0;
	return ((uint64_t)(ts->tv_sec + (time_t)SMB2_EPOCH_DELTA)) *
	    10000000ULL + (uint64_t)ts->tv_nsec / 100;
}

void
smb2_timespec(uint64_t ft, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ft / 10000000ULL) - (time_t)SMB2_EPOCH_DELTA;
	ts->tv_nsec = (long)(ft % 10000000ULL) * 100;
}
