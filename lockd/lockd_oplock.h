/*
 * Oplocks and leases in usmbd-lockd (doc/oplocks.md): which caching a new
 * open gets, which holders must be broken first, whether the operation
 * waits for their acknowledgements, and what an acknowledgement, a close
 * or a timeout does.  Pure state, no IPC and no clock of its own, so that
 * it can be tested on its own; the caller passes the time in milliseconds
 * wherever a break may start.
 *
 * Every caching grant is kept as a set of the three MS-SMB2 lease bits:
 * an oplock is a lease whose key is its own open (Level II is R,
 * Exclusive RW, Batch RWH), so that one set of rules decides both.
 */
#ifndef USMBD_LOCKD_OPLOCK_H
#define USMBD_LOCKD_OPLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Lease states (MS-SMB2 2.2.13.2.8). */
#define LOPL_R			0x01
#define LOPL_H			0x02
#define LOPL_W			0x04

/* SMB2 oplock levels (MS-SMB2 2.2.13). */
#define LOPL_LEVEL_NONE		0x00
#define LOPL_LEVEL_II		0x01
#define LOPL_LEVEL_EXCLUSIVE	0x08
#define LOPL_LEVEL_BATCH	0x09
#define LOPL_LEVEL_LEASE	0xff

/* Lease flags of a create response (MS-SMB2 2.2.14.2.10). */
#define LOPL_FLAG_BREAK_IN_PROGRESS	0x00000002
#define LOPL_FLAG_PARENT_KEY_SET	0x00000004

/* CreateDisposition values (MS-SMB2 2.2.13). */
#define LOPL_FILE_SUPERSEDE	0
#define LOPL_FILE_OPEN		1
#define LOPL_FILE_CREATE	2
#define LOPL_FILE_OPEN_IF	3
#define LOPL_FILE_OVERWRITE	4
#define LOPL_FILE_OVERWRITE_IF	5

/* What lockd_oplock_open() and lockd_oplock_event() return to wait. */
#define LOPL_WAIT		0x00000103U	/* STATUS_PENDING */

#define LOPL_KEY_LEN		16

struct lockd_oplock_table;
struct lockd_oplock_file;
struct lockd_oplock_open;

/* What a CREATE asks for; the lease fields only with a lease context. */
struct lockd_oplock_req {
	uint8_t		 level;		/* requested SMB2 oplock level */
	uint32_t	 access;	/* granted access */
	uint32_t	 disposition;	/* LOPL_FILE_* */
	int		 locked;	/* others hold byte-range locks */
	int		 no_level2;	/* its share says "level2 oplocks = no" */
	int		 lease_version;	/* 0: no lease context; 1 or 2 */
	uint32_t	 uid;		/* the opener's user, as lockd knows it */
	uint8_t		 lease_state;	/* requested R|H|W */
	uint8_t		 client_guid[LOPL_KEY_LEN];
	uint8_t		 lease_key[LOPL_KEY_LEN];
	int		 has_parent;	/* v2 with PARENT_LEASE_KEY_SET */
	uint8_t		 parent_key[LOPL_KEY_LEN];
	uint16_t	 epoch;		/* v2: the client's epoch */
	int		 dir_lease;	/* its connection has directory leasing */
};

/* One break to send: an oplock break or a lease break notification. */
struct lockd_oplock_break {
	uint64_t	 open;		/* the open to send it on */
	int		 lease;		/* a lease break, else an oplock one */
	uint8_t		 client_guid[LOPL_KEY_LEN];
	uint8_t		 lease_key[LOPL_KEY_LEN];
	uint8_t		 from;		/* lease state, or oplock level */
	uint8_t		 to;
	uint16_t	 epoch;		/* v2 leases: NewEpoch */
	int		 version;	/* lease version */
	int		 ack;		/* an acknowledgement is required */
};

/* The breaks one call started; the caller sends them and resets n. */
struct lockd_oplock_breaks {
	struct lockd_oplock_break *v;
	size_t		 n;
	size_t		 cap;
};

/* Operations that break caching (MS-FSA 2.1.4.12). */
enum lockd_oplock_event {
	LOPL_EV_WRITE,		/* WRITE, set EOF or allocation, truncate */
	LOPL_EV_LOCK,		/* a byte-range lock */
	LOPL_EV_RENAME,		/* rename or link of the file */
	LOPL_EV_DELETE,		/* delete disposition set on the file */
	LOPL_EV_PARENT,		/* rename of a directory above the file */
	LOPL_EV_LOCAL,		/* a local process opened the file */
};

/* The answer of a CREATE, once it is granted. */
struct lockd_oplock_grant {
	uint8_t		 level;		/* SMB2 oplock level */
	uint8_t		 lease_state;
	uint32_t	 lease_flags;
	uint16_t	 epoch;
	int		 lease_version;
};

struct lockd_oplock_table *lockd_oplock_table_new(uint64_t timeout_ms,
		    int level2, int dir_leases);
void		 lockd_oplock_table_free(struct lockd_oplock_table *);
size_t		 lockd_oplock_nleases(const struct lockd_oplock_table *);

struct lockd_oplock_file *lockd_oplock_file_new(struct lockd_oplock_table *,
		    int is_dir);
/* Only a file without opens. */
void		 lockd_oplock_file_free(struct lockd_oplock_file *);

/* Does this access make a stat open, that breaks nothing? */
int		 lockd_oplock_stat_open(uint32_t access, uint32_t disposition);

/*
 * The share check of a CREATE failed: break the Batch oplocks and the H
 * of the leases of other keys, since their clients may only be keeping
 * a handle their user closed.  LOPL_WAIT: call the share check again
 * once lockd_oplock_blocked() is 0; 0: answer the sharing violation now.
 */
uint32_t	 lockd_oplock_sharing(struct lockd_oplock_file *,
		    const struct lockd_oplock_req *, uint64_t now,
		    struct lockd_oplock_breaks *);
/*
 * A CREATE passed the share check: its open joins the file (with its
 * lease, INVALID_PARAMETER when the key is another file's).
 */
uint32_t	 lockd_oplock_add(struct lockd_oplock_file *, uint64_t id,
		    const struct lockd_oplock_req *,
		    struct lockd_oplock_open **);
/*
 * Break what the open must break, then grant.  LOPL_WAIT: the CREATE
 * goes async and this is called again (same arguments) once
 * lockd_oplock_blocked() says 0; 0: *g holds the answer.
 */
uint32_t	 lockd_oplock_open(struct lockd_oplock_file *,
		    struct lockd_oplock_open *, const struct lockd_oplock_req *,
		    uint64_t now, struct lockd_oplock_breaks *,
		    struct lockd_oplock_grant *);
/* An operation on an open (NULL: a local process, nobody's key). */
uint32_t	 lockd_oplock_event(struct lockd_oplock_file *,
		    const struct lockd_oplock_open *, enum lockd_oplock_event,
		    uint64_t now, struct lockd_oplock_breaks *);
/*
 * A child of this directory was created, renamed, deleted or changed:
 * break its directory leases but the one that the changing open named
 * as its parent (the same uid, ClientGuid and key; parent_key NULL:
 * none).  Returns how many breaks it started.
 */
size_t		 lockd_oplock_dir_change(struct lockd_oplock_file *,
		    uint32_t uid, const uint8_t *client_guid,
		    const uint8_t *parent_key, uint64_t now,
		    struct lockd_oplock_breaks *);
/* How many leases of directories there are (with directory leasing). */
size_t		 lockd_oplock_ndirleases(const struct lockd_oplock_table *);
/* Must an operation of this open (NULL: of nobody) still wait? */
int		 lockd_oplock_blocked(struct lockd_oplock_file *,
		    const struct lockd_oplock_open *, uint64_t now);

/*
 * OPLOCK_BREAK acknowledgements (MS-SMB2 3.3.5.22.1 and .2).  A lease is
 * found by the uid of its opens as well as by its keys.
 */
uint32_t	 lockd_oplock_ack(struct lockd_oplock_file *,
		    struct lockd_oplock_open *, uint8_t level, uint64_t now,
		    struct lockd_oplock_breaks *, uint8_t *granted);
uint32_t	 lockd_oplock_lease_ack(struct lockd_oplock_table *,
		    uint32_t uid, const uint8_t *client_guid,
		    const uint8_t *lease_key, uint8_t state, uint64_t now,
		    struct lockd_oplock_breaks *, struct lockd_oplock_file **);
/* The open closed: its oplock, or its share of its lease, goes. */
void		 lockd_oplock_close(struct lockd_oplock_file *,
		    struct lockd_oplock_open *);
/* Breaks not acknowledged in time end at none; returns how many. */
size_t		 lockd_oplock_expire(struct lockd_oplock_file *, uint64_t now);

/* What an open holds now (for tests and usmbd-ctl). */
uint64_t	 lockd_oplock_open_id(const struct lockd_oplock_open *);
uint8_t		 lockd_oplock_open_level(const struct lockd_oplock_open *);
uint8_t		 lockd_oplock_open_state(const struct lockd_oplock_open *);
int		 lockd_oplock_open_breaking(const struct lockd_oplock_open *);
/* As an OPEN's answer; 1 for a lease, whose ClientGuid and key it gives. */
int		 lockd_oplock_open_grant(const struct lockd_oplock_open *,
		    struct lockd_oplock_grant *, uint8_t *, uint8_t *);

void		 lockd_oplock_breaks_free(struct lockd_oplock_breaks *);

#endif /* USMBD_LOCKD_OPLOCK_H */
