/*
 * usmbd-lockd: the tree connects of shares with "max connections"
 * (smbd.conf(5)), counted over every session worker of the server.
 *
 * A worker claims a slot before it answers a TREE_CONNECT to such a
 * share and releases it when the tree goes away; lockd drops the slots
 * of a worker whose channel closes.  The limit comes with each claim,
 * from the claimer's own configuration, and is never stored: a worker
 * started before a reload keeps the limit it started with, as it keeps
 * every other parameter, and no worker's claim changes the limit another
 * worker's claim is measured against.  A worker releases only its own
 * slots.  What a compromised worker can still do, take slots of its
 * shares until they are full, an honest client of its user can do too
 * (doc/rights.md).
 *
 * Shares are named, not numbered: share numbers differ between the
 * configurations of workers started before and after a reload, names do
 * not.  Names compare without ASCII case, as share names do.  The table
 * is a list with one entry per worker and share; a TREE_CONNECT is rare
 * enough that a walk of it costs nothing that matters.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lockd_proto.h"
#include "lockd_tcon.h"
#include "util.h"

struct lockd_tcon {
	TAILQ_ENTRY(lockd_tcon)	 entry;
	uint32_t		 peer;
	uint32_t		 count;
	char			 name[LOCKD_MAX_SHARE_NAME + 1];
};

static TAILQ_HEAD(, lockd_tcon) lockd_tcons =
    TAILQ_HEAD_INITIALIZER(lockd_tcons);

uint32_t
lockd_tcon_claim(uint32_t peer, const char *name, uint32_t limit)
{
	struct lockd_tcon *t, *own = NULL;
	size_t held = 0, shares = 0;

	TAILQ_FOREACH(t, &lockd_tcons, entry) {
		if (t->peer == peer)
			shares++;
		if (strcasecmp(t->name, name) != 0)
			continue;
		held += t->count;
		if (t->peer == peer)
			own = t;
	}
	if (held >= limit)
		return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
	if (own != NULL) {
		/* More than a worker's sessions can have trees. */
		if (own->count >= LOCKD_TCON_MAX_PER_PEER)
			return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
		own->count++;
		return LOCKD_STATUS_OK;
	}
	/* Bounds what one worker makes lockd keep. */
	if (shares >= LOCKD_TCON_MAX_SHARES)
		return LOCKD_STATUS_INSUFFICIENT_RESOURCES;
	t = xcalloc(1, sizeof(*t));
	t->peer = peer;
	t->count = 1;
	snprintf(t->name, sizeof(t->name), "%s", name);
	TAILQ_INSERT_TAIL(&lockd_tcons, t, entry);
	return LOCKD_STATUS_OK;
}

uint32_t
lockd_tcon_release(uint32_t peer, const char *name)
{
	struct lockd_tcon *t;

	TAILQ_FOREACH(t, &lockd_tcons, entry)
		if (t->peer == peer && strcasecmp(t->name, name) == 0)
			break;
	if (t == NULL)
		return LOCKD_STATUS_INVALID_PARAMETER;
	if (--t->count == 0) {
		TAILQ_REMOVE(&lockd_tcons, t, entry);
		free(t);
	}
	return LOCKD_STATUS_OK;
}

size_t
lockd_tcon_release_peer(uint32_t peer)
{
	struct lockd_tcon *t, *next;
	size_t n = 0;

	for (t = TAILQ_FIRST(&lockd_tcons); t != NULL; t = next) {
		next = TAILQ_NEXT(t, entry);
		if (t->peer != peer)
			continue;
		n += t->count;
		TAILQ_REMOVE(&lockd_tcons, t, entry);
		free(t);
	}
	return n;
}

size_t
lockd_tcon_count(const char *name)
{
	struct lockd_tcon *t;
	size_t n = 0;

	TAILQ_FOREACH(t, &lockd_tcons, entry)
		if (strcasecmp(t->name, name) == 0)
			n += t->count;
	return n;
}
