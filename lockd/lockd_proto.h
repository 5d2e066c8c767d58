/*
 * The worker <-> usmbd-lockd request protocol (IPC_LOCKD_REQUEST and
 * IPC_LOCKD_REPLY payloads).  Operations are added here as the sharing
 * features land; both sides include this one header.
 */
#ifndef USMBD_LOCKD_PROTO_H
#define USMBD_LOCKD_PROTO_H

enum lockd_op {
	LOCKD_OP_PING = 1,	/* liveness; empty body */
};

/* Status values are NTSTATUS codes, so a worker can return them as is. */
#define LOCKD_STATUS_OK			0x00000000U
#define LOCKD_STATUS_NOT_SUPPORTED	0xC00000BBU

#endif /* USMBD_LOCKD_PROTO_H */
