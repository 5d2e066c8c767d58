/*
 * The worker <-> usmbd-lockd request protocol (IPC_LOCKD_REQUEST and
 * IPC_LOCKD_REPLY payloads).  Both sides include this one header.
 *
 * Request: u32 op, u64 request id, then the body of the op.
 * Reply:   u32 op, u64 request id, u32 NTSTATUS, then the reply body.
 *
 * Files are named by (st_dev, st_ino) and a stream name (empty for the
 * unnamed data stream): lockd never sees a path and has no file access.
 */
#ifndef USMBD_LOCKD_PROTO_H
#define USMBD_LOCKD_PROTO_H

enum lockd_op {
	/* liveness; empty body, empty reply */
	LOCKD_OP_PING = 1,
	/*
	 * A CREATE wants to open a file (MS-FSA 2.1.5.1.2).
	 * body:  u64 dev, u64 ino, u32 granted access, u32 share access,
	 *        u32 flags (LOCKD_OPEN_*), u16 stream name length, name
	 * reply: u64 handle; status SHARING_VIOLATION or DELETE_PENDING
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
	 */
	LOCKD_OP_SET_DELETE,
	/*
	 * May this open rename or delete its file now?  Every other open
	 * must share delete.  body: u64 handle.
	 */
	LOCKD_OP_RENAME_CHECK,
	/*
	 * The file of this open was renamed: re-key nothing (dev, ino stay),
	 * but answer whether delete is pending.  body: u64 handle.
	 * reply: u32 delete pending (0 or 1), u32 number of opens.
	 */
	LOCKD_OP_QUERY,
};

#define LOCKD_OPEN_DELETE_ON_CLOSE	0x0001
#define LOCKD_OPEN_DIRECTORY		0x0002

#define LOCKD_CLOSE_DELETE		0x0001
#define LOCKD_CLOSE_DELETE_FILE		0x0002

#define LOCKD_MAX_STREAM_NAME		1024

/* Status values are NTSTATUS codes, so a worker can return them as is. */
#define LOCKD_STATUS_OK			0x00000000U
#define LOCKD_STATUS_SHARING_VIOLATION	0xC0000043U
#define LOCKD_STATUS_DELETE_PENDING	0xC0000056U
#define LOCKD_STATUS_INVALID_HANDLE	0xC0000008U
#define LOCKD_STATUS_INVALID_PARAMETER	0xC000000DU
#define LOCKD_STATUS_NOT_SUPPORTED	0xC00000BBU
#define LOCKD_STATUS_INSUFFICIENT_RESOURCES 0xC000009AU

#endif /* USMBD_LOCKD_PROTO_H */
