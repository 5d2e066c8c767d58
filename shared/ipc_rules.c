/*
 * Every IPC message a usmbd program accepts, in one place: one table per
 * receiving program, each row naming the senders it is for, the phases of
 * the channel in which it may come, its payload length bounds, its
 * descriptor, and the phase it leads to.  ipc_check() lets nothing else
 * through, so a compromised sender can send only what its row allows,
 * only when the protocol is at that point (as OpenSSH's monitor enables
 * each request only in its phase of the logon).
 *
 * The phases (shared/ipc.h): a helper daemon or preauth process says
 * IPC_HELLO once, first; a preauth process hands its connection off once
 * and may then only log; a session worker gets its two start messages
 * once each, in order; an answer (a logon leg from authd, a name lookup
 * from the master) comes only when its receiver has asked, and one per
 * question.  usmbd-ctl's questions to lockd and to session workers are
 * answers of the same kind.
 */
#include "config.h"

#include "authd_proto.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "lockd_proto.h"
#include "names_proto.h"
#include "util.h"

#define PRE	IPC_FROM(PROG_PREAUTH)
#define SES	IPC_FROM(PROG_SESSION)
#define AUTHD	IPC_FROM(PROG_AUTHD)
#define LOCKD	IPC_FROM(PROG_LOCKD)
#define MASTER	IPC_FROM(PROG_MASTER)

/* A log line: the sender's name and pid, then at most 2048 bytes. */
#define LOG_MIN		4
#define LOG_MAX		(4 + 2048)

static const struct ipc_rule master_rule[] = {
	{ PRE | SES | AUTHD | LOCKD, IPC_PH_ALL, IPC_LOG, LOG_MIN, LOG_MAX,
	    IPC_FD_NONE, 0 },
	/* The session worker is started by the master: no hello. */
	{ PRE | AUTHD | LOCKD, IPC_PH_START, IPC_HELLO, 4, 4, IPC_FD_NONE,
	    IPC_PH_RUN },
	/* The master kept the client socket; the handoff carries no fd. */
	{ PRE, IPC_PH_RUN, IPC_PREAUTH_HANDOFF, 0, IPC_MAX_PAYLOAD,
	    IPC_FD_NONE, IPC_PH_GONE },
	/*
	 * A session worker's channel is "asked" while the master waits for
	 * its open-file list; its other messages may come meanwhile.
	 */
	{ SES, IPC_PH_RUN | IPC_PH_ASKED, IPC_NAME_REQUEST,
	    NAMES_MSG_WIRE_LEN, NAMES_MSG_WIRE_LEN, IPC_FD_NONE, 0 },
	{ AUTHD, IPC_PH_RUN, IPC_AUTH_RESULT, AUTH_CLAIM_WIRE_LEN,
	    AUTH_CLAIM_WIRE_LEN, IPC_FD_NONE, 0 },
	/* What usmbd-ctl status shows of a connection. */
	{ SES, IPC_PH_RUN | IPC_PH_ASKED, IPC_SESSION_INFO,
	    SESSION_INFO_WIRE_LEN, SESSION_INFO_WIRE_LEN, IPC_FD_NONE, 0 },
	/* Its open files, one answer to one question (usmbd-ctl). */
	{ SES, IPC_PH_ASKED, IPC_SESSION_FILES_REPLY, SESSION_FILES_HDR_LEN,
	    IPC_MAX_PAYLOAD, IPC_FD_NONE, IPC_PH_RUN },
	/*
	 * A SESSION_SETUP's PreviousSessionId, and a worker's answer to the
	 * master's IPC_SESSION_END; the master checks what it asked itself
	 * (master.c), since the channel's phase is usmbd-ctl's.
	 */
	{ SES, IPC_PH_RUN | IPC_PH_ASKED, IPC_SESSION_PREVIOUS, 8, 8,
	    IPC_FD_NONE, 0 },
	{ SES, IPC_PH_RUN | IPC_PH_ASKED, IPC_SESSION_END_REPLY, 12, 12,
	    IPC_FD_NONE, 0 },
	/* lockd's tables, one answer to one question. */
	{ LOCKD, IPC_PH_ASKED, IPC_LOCKD_STATUS_REPLY, LOCKD_STATUS_MIN,
	    LOCKD_STATUS_MAX, IPC_FD_NONE, IPC_PH_RUN },
};

/* The master sends a preauth process nothing; only authd answers it. */
static const struct ipc_rule preauth_rule[] = {
	{ AUTHD, IPC_PH_ASKED, IPC_AUTH_RESPONSE, AUTH_RESP_HDR_LEN,
	    IPC_MAX_PAYLOAD, IPC_FD_NONE, IPC_PH_RUN },
};

static const struct ipc_rule session_rule[] = {
	{ MASTER, IPC_PH_START, IPC_SESSION_START, AUTH_RESULT_WIRE_LEN,
	    AUTH_RESULT_WIRE_LEN, IPC_FD_NONE, IPC_PH_START2 },
	{ MASTER, IPC_PH_START2, IPC_SESSION_STATE, 0, IPC_MAX_PAYLOAD,
	    IPC_FD_NONE, IPC_PH_RUN },
	{ MASTER, IPC_PH_ASKED, IPC_NAME_REPLY, NAMES_MSG_WIRE_LEN,
	    NAMES_MSG_WIRE_LEN, IPC_FD_NONE, IPC_PH_RUN },
	/*
	 * usmbd-ctl's question may come at any time, also while the worker
	 * waits for a name answer (smb2_pipe.c).
	 */
	{ MASTER, IPC_PH_RUN | IPC_PH_ASKED, IPC_SESSION_FILES,
	    SESSION_FILES_Q_LEN, SESSION_FILES_Q_LEN, IPC_FD_NONE, 0 },
	/* The end of an old session (IPC_SESSION_PREVIOUS). */
	{ MASTER, IPC_PH_RUN | IPC_PH_ASKED, IPC_SESSION_END, 8, 8,
	    IPC_FD_NONE, 0 },
	{ MASTER, IPC_PH_RUN | IPC_PH_ASKED, IPC_SESSION_PREVIOUS_DONE, 0, 0,
	    IPC_FD_NONE, 0 },
	/* A re-authentication of a session, or a new session. */
	{ AUTHD, IPC_PH_ASKED, IPC_AUTH_RESPONSE, AUTH_RESP_HDR_LEN,
	    IPC_MAX_PAYLOAD, IPC_FD_NONE, IPC_PH_RUN },
	/* Several lock requests may be in flight; notices come unasked. */
	{ LOCKD, IPC_PH_RUN, IPC_LOCKD_REPLY, LOCKD_REPLY_MIN,
	    LOCKD_REPLY_MAX, IPC_FD_NONE, 0 },
	{ LOCKD, IPC_PH_RUN, IPC_LOCKD_NOTIFY, LOCKD_NOTIFY_MIN,
	    IPC_MAX_PAYLOAD, IPC_FD_NONE, 0 },
	/* Oplock breaks come unasked too, each of one fixed length. */
	{ LOCKD, IPC_PH_RUN, IPC_LOCKD_BREAK, LOCKD_BREAK_LEN,
	    LOCKD_BREAK_LEN, IPC_FD_NONE, 0 },
};

/*
 * authd cannot tell a preauth process from a session worker (the master
 * gives it both kinds of peer); both send logon legs.
 */
static const struct ipc_rule authd_rule[] = {
	{ MASTER, IPC_PH_RUN, IPC_AUTHD_NEWCONN, 0, 63, IPC_FD_REQUIRED, 0 },
	{ MASTER, IPC_PH_RUN, IPC_AUTH_CONFIRM, AUTH_CONFIRM_WIRE_LEN,
	    AUTH_CONFIRM_WIRE_LEN, IPC_FD_NONE, 0 },
	{ PRE | SES, IPC_PH_RUN, IPC_AUTH_REQUEST, AUTH_REQ_HDR_LEN,
	    IPC_MAX_PAYLOAD, IPC_FD_NONE, 0 },
};

static const struct ipc_rule lockd_rule[] = {
	/* A new worker's channel, and its uid (doc/rights.md). */
	{ MASTER, IPC_PH_RUN, IPC_LOCKD_NEWPEER, 4, 4, IPC_FD_REQUIRED, 0 },
	{ MASTER, IPC_PH_RUN, IPC_LOCKD_STATUS, 4, 4, IPC_FD_NONE, 0 },
	/* LOCKD_OP_OPEN carries the file's descriptor. */
	{ SES, IPC_PH_RUN, IPC_LOCKD_REQUEST, LOCKD_REQ_MIN, IPC_MAX_PAYLOAD,
	    IPC_FD_OPTIONAL, 0 },
};

const struct ipc_rules ipc_rules_master = {
	"usmbd", master_rule, nitems(master_rule)
};
const struct ipc_rules ipc_rules_preauth = {
	"usmbd-preauth", preauth_rule, nitems(preauth_rule)
};
const struct ipc_rules ipc_rules_session = {
	"usmbd-session", session_rule, nitems(session_rule)
};
const struct ipc_rules ipc_rules_authd = {
	"usmbd-authd", authd_rule, nitems(authd_rule)
};
const struct ipc_rules ipc_rules_lockd = {
	"usmbd-lockd", lockd_rule, nitems(lockd_rule)
};
