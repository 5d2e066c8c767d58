/*
 * Share modes and delete-pending in usmbd-lockd.  Pure state, no IPC, so
 * that it can be tested on its own.  Every function returns an NTSTATUS.
 */
#ifndef USMBD_LOCKD_SHARE_H
#define USMBD_LOCKD_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "lockd_proto.h"

void	 lockd_share_set_limit(size_t);
/* Opens one worker may have. */
void	 lockd_share_set_peer_limit(size_t);
/*
 * peer, the uid its worker runs as, dev, ino, stream, access, share,
 * flags.  The uid decides who carries out a delete-on-close: only a
 * worker of the user who set it (lockd_share.c).
 */
uint32_t lockd_share_open(uint32_t, uint32_t, uint64_t, uint64_t,
	    const char *, uint32_t, uint32_t, uint32_t, uint64_t *);
/*
 * What an OPEN asks of oplocks: the SMB2 level, the CreateDisposition
 * (an overwrite breaks more), whether its share refuses Level II, and
 * whether this is the try after a sharing violation broke others.
 */
struct lockd_share_oreq {
	uint8_t		 level;
	uint32_t	 disposition;
	int		 no_level2;
	int		 retry;
	/* A lease context (level 0xFF): version 0 for none, 1 or 2. */
	int		 lease_version;
	uint8_t		 lease_state;
	int		 has_parent;
	uint16_t	 epoch;
	uint8_t		 client_guid[16];
	uint8_t		 lease_key[16];
	uint8_t		 parent_key[16];
	int		 dir_lease;	/* directory leasing negotiated */
};
struct lockd_oplock_breaks;
/* The break timeout (ms), before the first open; 35 s otherwise. */
void	 lockd_share_set_oplock(uint64_t);
#define LOCKD_OPLOCK_TIMEOUT_MS	35000
/*
 * lockd_share_open with oplocks: breaks to send go to out; PENDING:
 * a sharing violation broke oplocks, try again (retry set) once
 * lockd_share_file_blocked() is 0.  Then lockd_share_grant() decides the
 * open's oplock, or says PENDING until lockd_share_blocked() is 0.
 */
uint32_t lockd_share_open_opl(uint32_t, uint32_t, uint64_t, uint64_t,
	    const char *, uint32_t, uint32_t, uint32_t,
	    const struct lockd_share_oreq *, uint64_t,
	    struct lockd_oplock_breaks *, uint64_t *);
struct lockd_oplock_grant;
uint32_t lockd_share_grant(uint32_t, uint64_t, const struct lockd_share_oreq *,
	    uint64_t, struct lockd_oplock_breaks *, struct lockd_oplock_grant *,
	    uint32_t *);
int	 lockd_share_blocked(uint32_t, uint64_t, uint64_t);
int	 lockd_share_file_blocked(uint64_t, uint64_t, const char *, uint64_t);
/* An operation that breaks oplocks (enum lockd_oplock_event). */
uint32_t lockd_share_event(uint32_t, uint64_t, int, uint64_t,
	    struct lockd_oplock_breaks *);
uint32_t lockd_share_oplock_ack(uint32_t, uint64_t, uint8_t, uint64_t,
	    struct lockd_oplock_breaks *, uint8_t *);
/* uid, ClientGuid, LeaseKey, the acknowledged state. */
uint32_t lockd_share_lease_ack(uint32_t, const uint8_t *, const uint8_t *,
	    uint8_t, uint64_t, struct lockd_oplock_breaks *);
int	 lockd_share_cached(uint32_t, uint64_t);
/*
 * A child of the directory (dev, ino) changed (LOCKD_OP_DIR_CHANGED):
 * break its leases but the one the change names as its parent (uid,
 * ClientGuid, parent LeaseKey; NULL: none).  Returns how many broke.
 */
size_t	 lockd_share_dir_changed(uint32_t, uint64_t, uint64_t,
	    const uint8_t *, const uint8_t *, uint64_t,
	    struct lockd_oplock_breaks *);
/*
 * Something that is no client's open changed the file (dev, ino): every
 * oplock and lease on it and its streams, a directory's leases too,
 * breaks to none; nothing waits.  Returns how many broke.
 */
size_t	 lockd_share_break_all(uint64_t, uint64_t, uint64_t,
	    struct lockd_oplock_breaks *);
/* Are there leases of directories (for the workers' hint)? */
int	 lockd_share_dirleases(void);
size_t	 lockd_share_unreported(uint32_t, uint64_t, uint32_t *, uint64_t *,
	    size_t);
int	 lockd_share_handle_peer(uint64_t, uint32_t *);
uint32_t lockd_share_close(uint32_t, uint64_t, uint32_t *);
uint32_t lockd_share_set_delete(uint32_t, uint64_t, int);
uint32_t lockd_share_rename_check(uint32_t, uint64_t);
uint32_t lockd_share_query(uint32_t, uint64_t, uint32_t *, uint32_t *);
size_t	 lockd_share_release_peer(uint32_t);

/* Durable opens (doc/durable.md). */
struct lockd_durable {
	int		 version;	/* 1 or 2 */
	uint32_t	 timeout_ms;
	uint32_t	 create_options;
	uint64_t	 alloc;		/* AlSi at the open */
	uint64_t	 position;	/* FilePositionInformation */
	uint8_t		 create_guid[16];
	uint8_t		 client_guid[16];
	char		 share[LOCKD_MAX_SHARE_NAME + 1];
	char		*path;
	uint8_t		 app_id[16];	/* AppInstanceId, zero: none */
};
/* What a reconnect names: LOCKD_OP_DURABLE_FIND's body. */
struct lockd_durable_key {
	uint64_t	 handle;
	int		 version;
	int		 has_lease;
	uint8_t		 create_guid[16];
	uint8_t		 client_guid[16];
	uint8_t		 lease_key[16];
};
/* The longest a disconnected open is kept (ms), before the first. */
void	 lockd_share_set_durable_max(uint64_t);
/*
 * After the grant: the open becomes durable if it holds H (Batch, or a
 * lease with H).  d is taken (its path freed) either way; 1 if durable.
 */
int	 lockd_share_durable_set(uint32_t, uint64_t, struct lockd_durable *);
/*
 * Its worker went: its durable opens that still hold H become
 * disconnected, with their locks; returns how many.  Call before the
 * worker's locks and opens are released.
 */
size_t	 lockd_share_durable_park(uint32_t, uint64_t);
/* One open of the worker, at a logoff: parked, or closed if it cannot be. */
uint32_t lockd_share_durable_detach(uint32_t, uint64_t, uint64_t);
/* Disconnected opens past their timeout are closed; returns how many. */
size_t	 lockd_share_durable_expire(uint64_t);
/* A break reaches a disconnected open: it is closed.  1 if it was one. */
int	 lockd_share_durable_purge(uint64_t);
/*
 * Another open of the same lease as this one whose worker is there: its
 * worker and handle, for the lease break a disconnected open cannot
 * take.  -1 when there is none.
 */
int	 lockd_share_lease_other(uint64_t, uint32_t *, uint64_t *);
/*
 * uid, key: the disconnected open a reconnect names, for its worker to
 * reopen the file.  Pointers into lockd's record, valid until the next
 * call that may close opens.
 */
struct lockd_durable_info {
	uint32_t	 access;
	uint32_t	 share;
	uint32_t	 flags;
	uint32_t	 create_options;
	const char	*share_name;
	const char	*path;
	const char	*stream;
	uint64_t	 alloc;
	uint64_t	 position;
};
uint32_t lockd_share_durable_find(uint32_t, const struct lockd_durable_key *,
	    struct lockd_durable_info *);
/*
 * peer, uid, key, dev, ino of the worker's descriptor: the open becomes
 * the worker's.  *g and *oflags as an OPEN's answer.
 */
struct lockd_oplock_grant;
uint32_t lockd_share_durable_reclaim(uint32_t, uint32_t,
	    const struct lockd_durable_key *, uint64_t, uint64_t,
	    struct lockd_oplock_grant *, uint32_t *);
size_t	 lockd_share_durable_count(void);
/*
 * AppInstanceId (MS-SMB2 3.3.5.9.13): the opens of the file (dev, ino,
 * stream) that an open with durable part d replaces: v2 durable opens
 * of the same uid and AppInstanceId from another ClientGuid.  The
 * disconnected ones are closed now; up to max connected ones are listed
 * (handle and worker), for their workers to close.  Returns how many
 * connected ones there are.
 */
size_t	 lockd_share_app_instance(uint32_t, uint64_t, uint64_t,
	    const char *, const struct lockd_durable *, uint64_t *,
	    uint32_t *, size_t);
/* peer, handle, position: LOCKD_OP_DURABLE_POSITION. */
uint32_t lockd_share_durable_position(uint32_t, uint64_t, uint64_t);
size_t	 lockd_share_count(void);
/* For usmbd-ctl status: files with opens, and one worker's opens. */
size_t	 lockd_share_nfiles(void);
size_t	 lockd_share_peer_opens(uint32_t);
/* For lockd_brl.c. */
struct lockd_brl_file;
struct lockd_brl_file **lockd_share_brl_slot(uint32_t, uint64_t, int *);
size_t	 lockd_share_file_opens(uint32_t, uint64_t, uint32_t *, uint64_t *,
	    size_t);

#endif /* USMBD_LOCKD_SHARE_H */
