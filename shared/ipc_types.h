/*
 * Every IPC message type of usmbd, in one enum.  The comment on each names
 * who sends it to whom, and what comes with it.
 */
#ifndef USMBD_IPC_TYPES_H
#define USMBD_IPC_TYPES_H

enum ipc_type {
	IPC_NONE = 0,

	/* any child -> master: u32 level, then the text of one log line. */
	IPC_LOG,
	/* any child -> master: u32 program kind; first message, no fd. */
	IPC_HELLO,

	/*
	 * master -> authd: fd = authd's end of a new socketpair whose other
	 * end the preauth process of connection peerid holds.
	 */
	IPC_AUTHD_NEWCONN,
	/*
	 * master -> lockd: fd = lockd's end of a socketpair to a worker;
	 * payload = u32 uid the worker runs as (who may carry out a
	 * delete-on-close it sets).
	 */
	IPC_LOCKD_NEWPEER,

	/* preauth -> authd: security blob of a SESSION_SETUP (opaque). */
	IPC_AUTH_REQUEST,
	/* authd -> preauth: answer to IPC_AUTH_REQUEST. */
	IPC_AUTH_RESPONSE,
	/*
	 * authd -> master: connection peerid authenticated as the account
	 * in struct auth_claim; the master resolves it to a Unix user and
	 * answers IPC_AUTH_CONFIRM with struct auth_confirm.  The master
	 * alone decides which uid a worker gets.
	 */
	IPC_AUTH_RESULT,
	IPC_AUTH_CONFIRM,

	/*
	 * preauth -> master: payload = exported connection state (opaque to
	 * the master), no fd: the master kept the client socket since
	 * accept.
	 */
	IPC_PREAUTH_HANDOFF,
	/*
	 * master -> session: fd = client socket, payload = struct
	 * auth_result (who the worker is to become); then IPC_SESSION_STATE
	 * with the exported state the preauth process handed over.
	 */
	IPC_SESSION_START,
	IPC_SESSION_STATE,

	/* worker -> lockd and back: the share-mode/lease/lock protocol. */
	IPC_LOCKD_REQUEST,
	IPC_LOCKD_REPLY,
	/*
	 * lockd -> worker, unasked: a file of its opens got byte-range
	 * locks (shared/lockd_proto.h); answered by a LOCKD_OP_BRL_ACK
	 * request.
	 */
	IPC_LOCKD_NOTIFY,

	/*
	 * session -> master and back: struct names_msg, name service
	 * lookups of uids, gids, user and group names for lsarpc and samr
	 * (shared/names_proto.h).
	 */
	IPC_NAME_REQUEST,
	IPC_NAME_REPLY,

	/*
	 * session -> master: struct session_info (shared/ipc_payload.h),
	 * what usmbd-ctl status shows of a connection the master cannot
	 * know itself: the dialect, signing and encryption, and the shares
	 * connected.  At start, and whenever the shares change.
	 */
	IPC_SESSION_INFO,

	/*
	 * master -> lockd: u32 seq, for usmbd-ctl status; lockd answers
	 * with IPC_LOCKD_STATUS_REPLY (shared/lockd_proto.h): its totals,
	 * and each worker's opens and byte-range locks.
	 */
	IPC_LOCKD_STATUS,
	IPC_LOCKD_STATUS_REPLY,

	/*
	 * master -> session: struct session_files_q (shared/ipc_payload.h),
	 * for usmbd-ctl: list your open files, after closing one of them if
	 * asked (close-file).  The worker answers with
	 * IPC_SESSION_FILES_REPLY: what became of the close, then its opens'
	 * ids, access, share access, oplock or lease, share names and paths,
	 * as many as fit one message and the question allows, and how many
	 * it has in all.
	 * One question per worker is out at a time.
	 */
	IPC_SESSION_FILES,
	IPC_SESSION_FILES_REPLY,

	/*
	 * lockd -> worker, unasked: an open of the worker must give up
	 * caching (an oplock break), or report its writes because another
	 * open of its file now caches reads (shared/lockd_proto.h).  An
	 * oplock break that needs it is acknowledged by a
	 * LOCKD_OP_OPLOCK_ACK request, for the worker's own opens only.
	 */
	IPC_LOCKD_BREAK,

	/*
	 * session -> master: u64 PreviousSessionId of a SESSION_SETUP
	 * (MS-SMB2 3.3.5.5.3).  The master sends IPC_SESSION_END with it to
	 * every other worker whose uid (the master's own record) is the
	 * asker's, waits for each one's IPC_SESSION_END_REPLY (or its end),
	 * then answers IPC_SESSION_PREVIOUS_DONE (no payload).  One
	 * question per worker at a time.
	 */
	IPC_SESSION_PREVIOUS,
	IPC_SESSION_PREVIOUS_DONE,
	/*
	 * master -> session: u64 session id; end that session if it is
	 * yours, keeping its durable opens (as a LOGOFF does).  The worker
	 * answers IPC_SESSION_END_REPLY: u64 the id, u32 1 if it ended one.
	 */
	IPC_SESSION_END,
	IPC_SESSION_END_REPLY,

	IPC_TYPE_MAX
};

/* The programs, as announced in IPC_HELLO and used in logs. */
enum usmbd_prog {
	PROG_MASTER = 0,
	PROG_PREAUTH,
	PROG_SESSION,
	PROG_AUTHD,
	PROG_LOCKD,
	PROG_MAX
};

#endif /* USMBD_IPC_TYPES_H */
