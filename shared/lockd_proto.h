/*
 * The worker <-> usmbd-lockd request protocol (IPC_LOCKD_REQUEST and
 * IPC_LOCKD_REPLY payloads).  Both sides include this one header.
 *
 * Request: u32 op, u64 request id, then the body of the op.
 * Reply:   u32 op, u64 request id, u32 NTSTATUS, then the reply body.
 *
 * Every request gets exactly one final reply.  A LOCK that has to wait
 * gets an interim reply with LOCKD_STATUS_PENDING first, so that the
 * worker can answer the client STATUS_PENDING; the final reply follows
 * when the lock is granted, cancelled, or its open closes.  An OPEN, a
 * RENAME_CHECK or a SET_DELETE that waits for oplock or lease holders to
 * acknowledge their breaks does the same.
 *
 * lockd sends IPC_LOCKD_BREAK on its own when an open of the worker must
 * give up caching (doc/oplocks.md), LOCKD_BREAK_LEN bytes: u64 handle,
 * u8 kind (LOCKD_BREAK_*), u8 the new SMB2 oplock level or lease state,
 * u8 1 when the client must acknowledge (LOCKD_OP_OPLOCK_ACK or
 * LOCKD_OP_LEASE_ACK), u8 the lease state held now, u16 the v2 lease's
 * new epoch, u8 lease version, u8 0, 16 bytes LeaseKey; the lease
 * fields are zero for an oplock.  A lease break names one open of the
 * lease that the worker holds.  Kind LOCKD_BREAK_REPORT carries no
 * level: another open of the file now caches reads, and writes through
 * this open must be reported (LOCKD_OP_WROTE).  Kind LOCKD_BREAK_DIRLEASES
 * (handle 0) goes to every worker when the first directory lease is
 * granted.
 *
 * lockd also sends IPC_LOCKD_NOTIFY on its own, when a file gets its
 * first byte-range lock: u64 notify id, u32 count, count u64 handles of
 * that worker's opens of the file.  From then on the worker asks
 * LOCKD_OP_CHECK before IO on those opens; it acknowledges with
 * LOCKD_OP_BRL_ACK, and the lock is granted only after every worker
 * with an open of the file has acknowledged, so that no IO goes
 * unchecked once a client has been told it holds a lock.
 *
 * Files are named by (st_dev, st_ino) and a stream name (empty for the
 * unnamed data stream): lockd never sees a path and has no file access.
 * A worker cannot claim a (st_dev, st_ino): LOCKD_OP_OPEN carries a
 * descriptor of the file over SCM_RIGHTS, and lockd fstat()s it, so a
 * worker names only files its user could open (doc/rights.md).
 */
#ifndef USMBD_LOCKD_PROTO_H
#define USMBD_LOCKD_PROTO_H

/*
 * IPC_LOCKD_STATUS_REPLY: u32 seq, u32 files, u32 opens, u32 locks,
 * u32 n, then n times u32 worker (connection id), u32 opens, u32 locks.
 */
#define LOCKD_STATUS_MAX_PEERS	4096
#define LOCKD_STATUS_MIN	20
#define LOCKD_STATUS_MAX	(LOCKD_STATUS_MIN + 12 * LOCKD_STATUS_MAX_PEERS)

/* The shortest request (op, id), reply (op, id, status) and notice. */
#define LOCKD_REQ_MIN		12
#define LOCKD_REPLY_MIN		16
#define LOCKD_NOTIFY_MIN	12
/* No reply comes near this (lockd builds each in 256 bytes). */
#define LOCKD_REPLY_MAX		4096

enum lockd_op {
	/* liveness; empty body, empty reply */
	LOCKD_OP_PING = 1,
	/*
	 * A CREATE wants to open a file (MS-FSA 2.1.5.1.2).
	 * fd:    a descriptor of the file (any open mode, O_PATH too); no
	 *        other request may carry one
	 * body:  u32 granted access, u32 share access,
	 *        u32 flags (LOCKD_OPEN_*), u16 stream name length, name,
	 *        then optionally u8 requested SMB2 oplock level, u8 oplock
	 *        flags (LOCKD_OPLOCK_*), u32 CreateDisposition; without
	 *        them no oplock is asked for and the open is not an
	 *        overwrite.  With level 0xFF the lease context follows
	 *        (LOCKD_LEASE_REQ_LEN bytes): u8 lease version (1 or 2),
	 *        u8 requested state, u8 LOCKD_LEASE_PARENT or 0, u8 0,
	 *        u16 the client's epoch, 16 bytes ClientGuid, 16 LeaseKey,
	 *        16 ParentLeaseKey.  lockd keys the lease by ClientGuid,
	 *        LeaseKey and the uid it knows for the worker.
	 * reply: u64 handle, u32 flags (LOCKD_OPENED_*), u8 granted oplock
	 *        level, u8 lease state, u8 lease version (0: no lease),
	 *        u16 epoch, u32 lease flags (SMB2_LEASE_FLAG_*); status
	 *        SHARING_VIOLATION or DELETE_PENDING, INVALID_PARAMETER
	 *        (the lease key is another file's), or CANCELLED
	 *        (LOCKD_OP_OPEN_CANCEL).  An interim PENDING comes first
	 *        when the open waits for oplock breaks.
	 */
	LOCKD_OP_OPEN,
	/*
	 * A CLOSE.  body: u64 handle.  reply: u32 LOCKD_CLOSE_* flags;
	 * LOCKD_CLOSE_DELETE tells the last closer to remove the file (or
	 * the named stream it had open); LOCKD_CLOSE_DELETE_FILE tells the
	 * last closer of a named stream to remove the whole file, whose
	 * deletion waited for its streams to close.
	 */
	LOCKD_OP_CLOSE,
	/*
	 * FileDispositionInformation: body u64 handle, u32 on (0 or 1).
	 * With on set (also sent before the CLOSE of an open with delete
	 * on close), the handle caching of other keys' leases and oplocks
	 * on the file is broken first: an interim PENDING comes while
	 * holders must acknowledge (doc/oplocks.md).  Status OK,
	 * INVALID_HANDLE, CANCELLED (LOCKD_OP_OPEN_CANCEL).
	 */
	LOCKD_OP_SET_DELETE,
	/*
	 * May this open rename or delete its file now?  Other keys' handle
	 * caching is broken first, with an interim PENDING as for
	 * SET_DELETE; then every other open must share delete.  body: u64
	 * handle.  Status OK, SHARING_VIOLATION, INVALID_HANDLE, CANCELLED.
	 */
	LOCKD_OP_RENAME_CHECK,
	/*
	 * The file of this open was renamed: re-key nothing (dev, ino stay),
	 * but answer whether delete is pending.  body: u64 handle.
	 * reply: u32 delete pending (0 or 1), u32 number of opens.
	 */
	LOCKD_OP_QUERY,
	/*
	 * Byte-range locks (lockd_brl.c).  body: u64 handle, u32 count,
	 * count elements { u64 offset, u64 length, u32 SMB2 lock flags },
	 * the elements of an SMB2 LOCK as the client sent them.  All or
	 * nothing: a failing element undoes the ones before it.  A single
	 * element without FAIL_IMMEDIATELY that conflicts waits (interim
	 * LOCKD_STATUS_PENDING).  Final status: OK, LOCK_NOT_GRANTED,
	 * INVALID_LOCK_RANGE, INVALID_PARAMETER, CANCELLED, RANGE_NOT_LOCKED
	 * (its open closed while it waited), INSUFFICIENT_RESOURCES.
	 */
	LOCKD_OP_LOCK,
	/* Same body; status OK, RANGE_NOT_LOCKED or INVALID_PARAMETER. */
	LOCKD_OP_UNLOCK,
	/*
	 * May these opens read or write these ranges (MS-FSA 2.1.4.10)?
	 * body: u32 count, count { u64 handle, u64 offset, u64 length,
	 * u32 write }.  status OK or FILE_LOCK_CONFLICT; reply u32: 1 if
	 * any of the files still has locks, 0 when the worker may stop
	 * asking; u32: the index of the first range in conflict.
	 */
	LOCKD_OP_CHECK,
	/* Cancel a waiting LOCK.  body: u64 request id of the LOCK. */
	LOCKD_OP_LOCK_CANCEL,
	/* The worker marked its opens: body u64 notify id. */
	LOCKD_OP_BRL_ACK,
	/*
	 * A TREE_CONNECT to a share with "max connections" (lockd_tcon.c).
	 * body:  u32 the share's limit in the worker's configuration (1 to
	 *        LOCKD_TCON_MAX_LIMIT), u16 name length, the share's name
	 *        (1 to LOCKD_MAX_SHARE_NAME bytes, no NUL)
	 * status OK: the worker holds one more slot of the share;
	 *        INSUFFICIENT_RESOURCES: the slots every worker holds
	 *        together reach the limit (Samba answers so too)
	 */
	LOCKD_OP_TCON_CLAIM,
	/*
	 * Such a tree went away.  body: u16 name length, name.  status OK,
	 * or INVALID_PARAMETER when this worker holds no slot of the share
	 * (another worker's slots are never touched).
	 */
	LOCKD_OP_TCON_RELEASE,
	/*
	 * An SMB2 OPLOCK_BREAK acknowledgment (MS-SMB2 3.3.5.22.1).
	 * body: u64 handle, u8 the level the client acknowledged.
	 * reply: u8 the level now held; status OK, INVALID_OPLOCK_PROTOCOL,
	 * INVALID_PARAMETER, or INVALID_HANDLE for another worker's handle.
	 */
	LOCKD_OP_OPLOCK_ACK,
	/*
	 * This open wrote, set the end of file or the allocation: break
	 * the Level II oplocks of the file.  body: u64 handle.  reply: u32
	 * 1 while opens of the file still cache reads, 0 when the worker
	 * may stop reporting writes through this open.  Nothing waits.
	 */
	LOCKD_OP_WROTE,
	/*
	 * Give up a waiting OPEN, RENAME_CHECK or SET_DELETE (a CANCEL, or
	 * its session ends).  body: u64 request id of the request, which is
	 * answered CANCELLED.  Only the sender's own requests are found.
	 */
	LOCKD_OP_OPEN_CANCEL,
	/*
	 * A LEASE_BREAK acknowledgment (MS-SMB2 3.3.5.22.2).  body: 16
	 * bytes ClientGuid, 16 LeaseKey, u8 the acknowledged state.  Only
	 * leases of the uid lockd knows for the worker are found.  reply:
	 * u8 the state now held; status OK, OBJECT_NAME_NOT_FOUND,
	 * UNSUCCESSFUL (no break out), REQUEST_NOT_ACCEPTED.
	 */
	LOCKD_OP_LEASE_ACK,
	/*
	 * "kernel oplocks": a local process opened or truncated the file of
	 * this open (the kernel broke the worker's file lease), or the
	 * worker cannot keep a file lease for what it was granted.  Every
	 * oplock and lease of the file, the sender's own too, breaks to
	 * none through the usual breaks.  body: u64 handle, the sender's
	 * own (another worker's is INVALID_HANDLE).  reply: empty.
	 */
	LOCKD_OP_LOCAL_BREAK,
	/*
	 * A child of a directory was created, renamed, deleted, or its
	 * attributes or size changed: break the directory's leases.
	 * fd:    a descriptor of the directory (O_PATH will do)
	 * body:  u8 1 when a parent LeaseKey follows, else 0; 16 bytes the
	 *        connection's ClientGuid, 16 the changing open's
	 *        ParentLeaseKey (zero without one).  The lease of that key,
	 *        the sender's user's and client's, is not broken.
	 * reply: empty, status OK.  Nothing waits for these breaks; the
	 *        worker need not wait for the reply.
	 */
	LOCKD_OP_DIR_CHANGED,
	/*
	 * Durable handles (doc/durable.md).  A CREATE that asks for one
	 * sets LOCKD_OPLOCK_DURABLE in the OPEN's oplock flags and appends,
	 * after the lease part if any, the durable part: u8 version (1 or
	 * 2), u8 0, u16 0, u32 timeout in ms (the worker's grant; lockd
	 * caps it at its own limit), 16 bytes CreateGuid (v2; 0 for v1),
	 * 16 bytes the connection's ClientGuid, u32 CreateOptions, u64 the
	 * allocation reserved at the open (AlSi, 0 for none), u16 share
	 * name length, the share's name (1 to LOCKD_MAX_SHARE_NAME),
	 * u16 path length, the path below the share root (0 to
	 * LOCKD_DURABLE_MAX_PATH, '/'-separated), and for v2, if the CREATE
	 * had one, 16 bytes AppInstanceId: first the opens of the file of
	 * the same uid and AppInstanceId from another ClientGuid are closed
	 * (LOCKD_BREAK_CLOSE to their workers, waited for up to 5 s; the
	 * reply is PENDING meanwhile).  lockd makes the open
	 * durable only with a Batch oplock or a lease with H granted, and
	 * says so with LOCKD_OPENED_DURABLE.  When the worker goes, lockd
	 * keeps such an open (with its locks and lease) disconnected until
	 * its timeout, or until an open of another client would break it.
	 *
	 * LOCKD_OP_DURABLE_FIND asks for a disconnected durable open, to
	 * reopen its file.  body (LOCKD_DURABLE_KEY_LEN): u64 handle (the
	 * FileId.Persistent the client names, without
	 * LOCKD_DURABLE_ID_BIT), u8 version of the reconnect (1 or 2),
	 * u8 1 when a lease context came with it, u16 0, 16 bytes
	 * CreateGuid (v2), 16 bytes the connection's ClientGuid, 16 bytes
	 * LeaseKey.  Only an open of the uid lockd knows for the sender is
	 * found.  reply: u32 access, u32 share access, u32 flags
	 * (LOCKD_OPEN_*), u32 CreateOptions, u16 share name length, name,
	 * u16 path length, path, u16 stream name length, stream name, u64
	 * the allocation reserved at the open, u64 the position
	 * (LOCKD_OP_DURABLE_POSITION); status OBJECT_NAME_NOT_FOUND when no
	 * open matches.
	 */
	LOCKD_OP_DURABLE_FIND,
	/*
	 * The worker reopened the file: body the same key, with a
	 * descriptor of the file.  lockd checks the key again and that the
	 * descriptor names the open's file, and the open is the sender's
	 * from now on.  reply: as LOCKD_OP_OPEN's.
	 */
	LOCKD_OP_DURABLE_RECLAIM,
	/*
	 * The session of a durable open logged off (MS-SMB2 3.3.5.6: its
	 * durable opens stay for a reconnect).  body: u64 handle of the
	 * sender's.  lockd keeps it disconnected as if the worker had
	 * gone; one it cannot keep (no H any more, a break on its way) is
	 * closed as a gone worker's opens are.  status OK, INVALID_HANDLE.
	 */
	LOCKD_OP_DURABLE_DETACH,
	/*
	 * The client set the position (FilePositionInformation) of a
	 * durable open, which a reconnect gives back.  body: u64 handle of
	 * the sender's, u64 position.  status OK, INVALID_HANDLE.
	 */
	LOCKD_OP_DURABLE_POSITION,
};

/* LOCKD_OP_DIR_CHANGED body length. */
#define LOCKD_DIR_CHANGED_LEN		33


/*
 * The worker of a disconnected durable open: none.  The master never
 * gives a connection id 0, so no worker's requests name these opens.
 */
#define LOCKD_PEER_DISCONNECTED		0
#define LOCKD_DURABLE_KEY_LEN		60
/*
 * The longest path a durable open keeps: its FIND reply, with the share
 * and stream names, stays below LOCKD_REPLY_MAX.  An open with a longer
 * path is not made durable.
 */
#define LOCKD_DURABLE_MAX_PATH		2048
/* The FileId.Persistent of a durable open: its lockd handle with this. */
#define LOCKD_DURABLE_ID_BIT		0x8000000000000000ULL

/* LOCKD_OP_OPEN oplock flags. */
#define LOCKD_OPLOCK_NO_LEVEL2		0x01	/* "level2 oplocks = no" */
/* The connection negotiated directory leasing: a directory may get one. */
#define LOCKD_OPLOCK_DIR_LEASE		0x02
#define LOCKD_OPLOCK_DURABLE		0x04	/* a durable part follows */

/* IPC_LOCKD_BREAK kinds, and its length. */
#define LOCKD_BREAK_OPLOCK		1
#define LOCKD_BREAK_REPORT		2
#define LOCKD_BREAK_LEASE		3
/*
 * To every worker, handle 0: a directory lease exists now, so changes of
 * children must be reported (LOCKD_OP_DIR_CHANGED) until an OPEN reply
 * comes without LOCKD_OPENED_DIRLEASES.
 */
#define LOCKD_BREAK_DIRLEASES		4
/*
 * Close this open, telling its client nothing (handle its own): an open
 * of another client with the same AppInstanceId replaces it (MS-SMB2
 * 3.3.5.9.13).  The worker closes it as a CLOSE would.
 */
#define LOCKD_BREAK_CLOSE		5
#define LOCKD_BREAK_LEN			32

/* LOCKD_OP_OPEN lease part: its length, its flag. */
#define LOCKD_LEASE_REQ_LEN		54
#define LOCKD_LEASE_PARENT		0x01
/* The LOCKD_OP_OPEN reply body. */
#define LOCKD_OPEN_REPLY_LEN		21

/* LOCKD_OP_OPEN reply, after the handle: u32 flags. */
#define LOCKD_OPENED_BRL		0x0001	/* the file has locks */
/* Opens of the file cache reads: report writes (LOCKD_OP_WROTE). */
#define LOCKD_OPENED_CACHED		0x0002
/* Directory leases exist: report changes of children (DIR_CHANGED). */
#define LOCKD_OPENED_DIRLEASES		0x0004
/* The open is durable (LOCKD_OPLOCK_DURABLE was granted). */
#define LOCKD_OPENED_DURABLE		0x0008

/* SMB2 LOCK element flags (MS-SMB2 2.2.26.1). */
#define LOCKD_LOCKFLAG_SHARED		0x00000001
#define LOCKD_LOCKFLAG_EXCLUSIVE	0x00000002
#define LOCKD_LOCKFLAG_UNLOCK		0x00000004
#define LOCKD_LOCKFLAG_FAIL_IMMEDIATELY	0x00000010

/* What one LOCK, UNLOCK or CHECK may carry. */
#define LOCKD_MAX_LOCK_ELEMENTS		4096

#define LOCKD_OPEN_DELETE_ON_CLOSE	0x0001
#define LOCKD_OPEN_DIRECTORY		0x0002

#define LOCKD_CLOSE_DELETE		0x0001
#define LOCKD_CLOSE_DELETE_FILE		0x0002

#define LOCKD_MAX_STREAM_NAME		1024

/* "max connections": its largest value, the longest share name. */
#define LOCKD_TCON_MAX_LIMIT		65536
#define LOCKD_MAX_SHARE_NAME		80
/*
 * What one worker may hold: slots of at most this many shares, and of
 * one share at most as many as its sessions may have trees (64 of 1024).
 */
#define LOCKD_TCON_MAX_SHARES		256
#define LOCKD_TCON_MAX_PER_PEER		65536

/* Status values are NTSTATUS codes, so a worker can return them as is. */
#define LOCKD_STATUS_OK			0x00000000U
#define LOCKD_STATUS_SHARING_VIOLATION	0xC0000043U
#define LOCKD_STATUS_DELETE_PENDING	0xC0000056U
#define LOCKD_STATUS_INVALID_HANDLE	0xC0000008U
#define LOCKD_STATUS_INVALID_PARAMETER	0xC000000DU
#define LOCKD_STATUS_NOT_SUPPORTED	0xC00000BBU
#define LOCKD_STATUS_INSUFFICIENT_RESOURCES 0xC000009AU
#define LOCKD_STATUS_PENDING		0x00000103U
#define LOCKD_STATUS_FILE_LOCK_CONFLICT	0xC0000054U
#define LOCKD_STATUS_LOCK_NOT_GRANTED	0xC0000055U
#define LOCKD_STATUS_RANGE_NOT_LOCKED	0xC000007EU
#define LOCKD_STATUS_CANCELLED		0xC0000120U
#define LOCKD_STATUS_INVALID_LOCK_RANGE	0xC00001A1U
#define LOCKD_STATUS_INVALID_OPLOCK_PROTOCOL 0xC00000E3U
#define LOCKD_STATUS_OBJECT_NAME_NOT_FOUND 0xC0000034U

#endif /* USMBD_LOCKD_PROTO_H */
