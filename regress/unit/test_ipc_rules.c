/*
 * Unit test of the programs' IPC rule tables (shared/ipc_rules.c) and of
 * ipc_check()'s phases: what each receiver takes from whom, in which
 * order, and what it refuses (a second hello, a handoff before the hello,
 * an answer nobody asked for (lockd's counts, a worker's open files),
 * two answers to one question, start
 * messages out of order, a message from the wrong kind of sender).
 */
#include "config.h"

#include <string.h>

#include "authd_proto.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "lockd_proto.h"
#include "names_proto.h"
#include "unit.h"
#include "util.h"

static uint8_t	payload[IPC_MAX_PAYLOAD + 1];

/* Check one message of type and length (fd: -1 or a number) on p. */
static int
msg(struct ipc_peer *p, uint32_t type, size_t len, int fd)
{
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.hdr.type = type;
	m.hdr.len = (uint32_t)len;
	m.fd = fd;
	m.data = payload;
	return ipc_check(p, &m);
}

static void
test_master(void)
{
	struct ipc_peer pre = { &ipc_rules_master, IPC_FROM(PROG_PREAUTH),
	    IPC_PH_START };
	struct ipc_peer ses = { &ipc_rules_master, IPC_FROM(PROG_SESSION),
	    IPC_PH_RUN };
	struct ipc_peer authd = { &ipc_rules_master, IPC_FROM(PROG_AUTHD),
	    IPC_PH_START };

	/* A preauth process: log, hello once, handoff once, then only log. */
	CHECK(msg(&pre, IPC_LOG, 10, -1) == 0);
	CHECK(msg(&pre, IPC_PREAUTH_HANDOFF, 10, -1) == -1);
	CHECK(msg(&pre, IPC_HELLO, 4, -1) == 0);
	CHECK(pre.phase == IPC_PH_RUN);
	CHECK(msg(&pre, IPC_HELLO, 4, -1) == -1);
	CHECK(msg(&pre, IPC_NAME_REQUEST, NAMES_MSG_WIRE_LEN, -1) == -1);
	CHECK(msg(&pre, IPC_AUTH_RESULT, AUTH_CLAIM_WIRE_LEN, -1) == -1);
	CHECK(msg(&pre, IPC_PREAUTH_HANDOFF, 10, 7) == -1);
	CHECK(msg(&pre, IPC_PREAUTH_HANDOFF, 10, -1) == 0);
	CHECK(pre.phase == IPC_PH_GONE);
	CHECK(msg(&pre, IPC_PREAUTH_HANDOFF, 10, -1) == -1);
	CHECK(msg(&pre, IPC_LOG, 10, -1) == 0);
	CHECK(msg(&pre, IPC_LOG, 4 + 2048 + 1, -1) == -1);

	/* A session worker: no hello; names, but no handoff or logon. */
	CHECK(msg(&ses, IPC_HELLO, 4, -1) == -1);
	CHECK(msg(&ses, IPC_NAME_REQUEST, NAMES_MSG_WIRE_LEN, -1) == 0);
	CHECK(msg(&ses, IPC_NAME_REQUEST, NAMES_MSG_WIRE_LEN - 1, -1) == -1);
	CHECK(msg(&ses, IPC_PREAUTH_HANDOFF, 10, -1) == -1);
	CHECK(msg(&ses, IPC_AUTH_RESULT, AUTH_CLAIM_WIRE_LEN, -1) == -1);

	/* authd: logon results, after its hello. */
	CHECK(msg(&authd, IPC_AUTH_RESULT, AUTH_CLAIM_WIRE_LEN, -1) == -1);
	CHECK(msg(&authd, IPC_HELLO, 4, -1) == 0);
	CHECK(msg(&authd, IPC_AUTH_RESULT, AUTH_CLAIM_WIRE_LEN, -1) == 0);
	CHECK(msg(&authd, IPC_AUTH_RESULT, AUTH_CLAIM_WIRE_LEN + 1, -1) ==
	    -1);
	CHECK(msg(&authd, IPC_NAME_REQUEST, NAMES_MSG_WIRE_LEN, -1) == -1);

	/* lockd's counts for usmbd-ctl: one answer per question. */
	{
		struct ipc_peer lockd = { &ipc_rules_master,
		    IPC_FROM(PROG_LOCKD), IPC_PH_RUN };

		CHECK(msg(&lockd, IPC_LOCKD_STATUS_REPLY, LOCKD_STATUS_MIN,
		    -1) == -1);
		lockd.phase = IPC_PH_ASKED;
		CHECK(msg(&lockd, IPC_LOCKD_STATUS_REPLY, LOCKD_STATUS_MAX + 1,
		    -1) == -1);
		CHECK(msg(&lockd, IPC_LOCKD_STATUS_REPLY, LOCKD_STATUS_MIN,
		    -1) == 0);
		CHECK(lockd.phase == IPC_PH_RUN);
		CHECK(msg(&lockd, IPC_LOCKD_STATUS_REPLY, LOCKD_STATUS_MIN,
		    -1) == -1);
		/* Session reports come from session workers only. */
		CHECK(msg(&lockd, IPC_SESSION_INFO, SESSION_INFO_WIRE_LEN,
		    -1) == -1);
		CHECK(msg(&ses, IPC_SESSION_INFO, SESSION_INFO_WIRE_LEN,
		    -1) == 0);
		CHECK(msg(&ses, IPC_SESSION_INFO, SESSION_INFO_WIRE_LEN - 1,
		    -1) == -1);
	}

	/*
	 * A worker's open files for usmbd-ctl: only when asked, one answer
	 * per question, and its other messages may come while it is asked.
	 */
	{
		struct ipc_peer w = { &ipc_rules_master,
		    IPC_FROM(PROG_SESSION), IPC_PH_RUN };
		struct ipc_peer lockd = { &ipc_rules_master,
		    IPC_FROM(PROG_LOCKD), IPC_PH_ASKED };

		CHECK(msg(&w, IPC_SESSION_FILES_REPLY, SESSION_FILES_HDR_LEN,
		    -1) == -1);
		w.phase = IPC_PH_ASKED;
		CHECK(msg(&w, IPC_NAME_REQUEST, NAMES_MSG_WIRE_LEN, -1) == 0);
		CHECK(msg(&w, IPC_SESSION_INFO, SESSION_INFO_WIRE_LEN, -1) ==
		    0);
		CHECK(msg(&w, IPC_LOG, 10, -1) == 0);
		CHECK(w.phase == IPC_PH_ASKED);
		CHECK(msg(&w, IPC_SESSION_FILES_REPLY,
		    SESSION_FILES_HDR_LEN - 1, -1) == -1);
		CHECK(msg(&w, IPC_SESSION_FILES_REPLY, SESSION_FILES_HDR_LEN,
		    3) == -1);
		CHECK(msg(&w, IPC_SESSION_FILES_REPLY, IPC_MAX_PAYLOAD + 1,
		    -1) == -1);
		CHECK(msg(&w, IPC_SESSION_FILES_REPLY, IPC_MAX_PAYLOAD, -1) ==
		    0);
		CHECK(w.phase == IPC_PH_RUN);
		CHECK(msg(&w, IPC_SESSION_FILES_REPLY, SESSION_FILES_HDR_LEN,
		    -1) == -1);
		/* Nobody else answers for a worker; the master never asks. */
		CHECK(msg(&lockd, IPC_SESSION_FILES_REPLY,
		    SESSION_FILES_HDR_LEN, -1) == -1);
		CHECK(msg(&w, IPC_SESSION_FILES, SESSION_FILES_Q_LEN, -1) ==
		    -1);
	}
}

static void
test_session(void)
{
	struct ipc_peer master = { &ipc_rules_session, IPC_FROM(PROG_MASTER),
	    IPC_PH_START };
	struct ipc_peer authd = { &ipc_rules_session, IPC_FROM(PROG_AUTHD),
	    IPC_PH_RUN };
	struct ipc_peer lockd = { &ipc_rules_session, IPC_FROM(PROG_LOCKD),
	    IPC_PH_RUN };

	/* The two start messages, once each and in order. */
	CHECK(msg(&master, IPC_SESSION_STATE, 10, -1) == -1);
	CHECK(msg(&master, IPC_SESSION_START, AUTH_RESULT_WIRE_LEN, -1) == 0);
	CHECK(msg(&master, IPC_SESSION_START, AUTH_RESULT_WIRE_LEN, -1) ==
	    -1);
	CHECK(msg(&master, IPC_SESSION_STATE, 10, -1) == 0);
	CHECK(msg(&master, IPC_SESSION_STATE, 10, -1) == -1);
	/* A name answer only when asked, and one per question. */
	CHECK(msg(&master, IPC_NAME_REPLY, NAMES_MSG_WIRE_LEN, -1) == -1);
	master.phase = IPC_PH_ASKED;
	CHECK(msg(&master, IPC_NAME_REPLY, NAMES_MSG_WIRE_LEN, -1) == 0);
	CHECK(msg(&master, IPC_NAME_REPLY, NAMES_MSG_WIRE_LEN, -1) == -1);
	/*
	 * usmbd-ctl's question: of fixed length, whenever the session runs,
	 * also while a name answer is awaited, which it leaves awaited.
	 */
	CHECK(msg(&master, IPC_SESSION_FILES, SESSION_FILES_Q_LEN, -1) == 0);
	CHECK(msg(&master, IPC_SESSION_FILES, SESSION_FILES_Q_LEN + 1, -1) ==
	    -1);
	CHECK(msg(&master, IPC_SESSION_FILES, SESSION_FILES_Q_LEN, 4) == -1);
	master.phase = IPC_PH_ASKED;
	CHECK(msg(&master, IPC_SESSION_FILES, SESSION_FILES_Q_LEN, -1) == 0);
	CHECK(master.phase == IPC_PH_ASKED);
	CHECK(msg(&master, IPC_NAME_REPLY, NAMES_MSG_WIRE_LEN, -1) == 0);
	CHECK(msg(&lockd, IPC_SESSION_FILES, SESSION_FILES_Q_LEN, -1) == -1);
	CHECK(msg(&authd, IPC_SESSION_FILES, SESSION_FILES_Q_LEN, -1) == -1);

	/* authd the same way. */
	CHECK(msg(&authd, IPC_AUTH_RESPONSE, AUTH_RESP_HDR_LEN, -1) == -1);
	authd.phase = IPC_PH_ASKED;
	CHECK(msg(&authd, IPC_AUTH_RESPONSE, AUTH_RESP_HDR_LEN - 1, -1) ==
	    -1);
	CHECK(msg(&authd, IPC_AUTH_RESPONSE, AUTH_RESP_HDR_LEN, -1) == 0);
	CHECK(msg(&authd, IPC_AUTH_RESPONSE, AUTH_RESP_HDR_LEN, -1) == -1);
	/* authd cannot pass for the master or lockd. */
	authd.phase = IPC_PH_ASKED;
	CHECK(msg(&authd, IPC_NAME_REPLY, NAMES_MSG_WIRE_LEN, -1) == -1);
	CHECK(msg(&authd, IPC_LOCKD_NOTIFY, LOCKD_NOTIFY_MIN, -1) == -1);

	/* lockd: replies and notices at any time, no descriptors. */
	CHECK(msg(&lockd, IPC_LOCKD_REPLY, LOCKD_REPLY_MIN, -1) == 0);
	CHECK(msg(&lockd, IPC_LOCKD_REPLY, LOCKD_REPLY_MIN, -1) == 0);
	CHECK(msg(&lockd, IPC_LOCKD_NOTIFY, LOCKD_NOTIFY_MIN, -1) == 0);
	CHECK(msg(&lockd, IPC_LOCKD_REPLY, LOCKD_REPLY_MIN, 5) == -1);
	CHECK(msg(&lockd, IPC_LOCKD_REPLY, LOCKD_REPLY_MAX + 1, -1) == -1);
}

static void
test_preauth_and_daemons(void)
{
	struct ipc_peer master = { &ipc_rules_preauth, IPC_FROM(PROG_MASTER),
	    IPC_PH_RUN };
	struct ipc_peer authd = { &ipc_rules_preauth, IPC_FROM(PROG_AUTHD),
	    IPC_PH_ASKED };
	struct ipc_peer apeer = { &ipc_rules_authd,
	    IPC_FROM(PROG_PREAUTH) | IPC_FROM(PROG_SESSION), IPC_PH_RUN };
	struct ipc_peer amaster = { &ipc_rules_authd, IPC_FROM(PROG_MASTER),
	    IPC_PH_RUN };
	struct ipc_peer lpeer = { &ipc_rules_lockd, IPC_FROM(PROG_SESSION),
	    IPC_PH_RUN };
	struct ipc_peer lmaster = { &ipc_rules_lockd, IPC_FROM(PROG_MASTER),
	    IPC_PH_RUN };

	/* The master sends a preauth process nothing at all. */
	CHECK(msg(&master, IPC_SESSION_START, AUTH_RESULT_WIRE_LEN, -1) ==
	    -1);
	CHECK(msg(&master, IPC_LOG, 10, -1) == -1);
	CHECK(msg(&authd, IPC_AUTH_RESPONSE, AUTH_RESP_HDR_LEN, -1) == 0);
	CHECK(msg(&authd, IPC_AUTH_RESPONSE, AUTH_RESP_HDR_LEN, -1) == -1);

	/* authd: logon legs from its peers, new peers from the master. */
	CHECK(msg(&apeer, IPC_AUTH_REQUEST, AUTH_REQ_HDR_LEN, -1) == 0);
	CHECK(msg(&apeer, IPC_AUTH_REQUEST, AUTH_REQ_HDR_LEN - 1, -1) == -1);
	CHECK(msg(&apeer, IPC_AUTH_REQUEST, AUTH_REQ_HDR_LEN, 3) == -1);
	CHECK(msg(&apeer, IPC_AUTHD_NEWCONN, 10, 3) == -1);
	CHECK(msg(&apeer, IPC_AUTH_CONFIRM, AUTH_CONFIRM_WIRE_LEN, -1) == -1);
	CHECK(msg(&amaster, IPC_AUTHD_NEWCONN, 10, -1) == -1);
	CHECK(msg(&amaster, IPC_AUTHD_NEWCONN, 10, 3) == 0);
	CHECK(msg(&amaster, IPC_AUTH_CONFIRM, AUTH_CONFIRM_WIRE_LEN, -1) ==
	    0);
	CHECK(msg(&amaster, IPC_AUTH_REQUEST, AUTH_REQ_HDR_LEN, -1) == -1);

	/* lockd: requests (an open with its fd) from workers only. */
	CHECK(msg(&lpeer, IPC_LOCKD_REQUEST, LOCKD_REQ_MIN, -1) == 0);
	CHECK(msg(&lpeer, IPC_LOCKD_REQUEST, LOCKD_REQ_MIN, 3) == 0);
	CHECK(msg(&lpeer, IPC_LOCKD_REQUEST, LOCKD_REQ_MIN - 1, -1) == -1);
	CHECK(msg(&lpeer, IPC_LOCKD_NEWPEER, 4, 3) == -1);
	CHECK(msg(&lmaster, IPC_LOCKD_NEWPEER, 4, 3) == 0);
	CHECK(msg(&lmaster, IPC_LOCKD_NEWPEER, 4, -1) == -1);
	CHECK(msg(&lmaster, IPC_LOCKD_REQUEST, LOCKD_REQ_MIN, -1) == -1);
}

/* Every row names a sender, a phase and a length range that can hold. */
static void
test_tables(void)
{
	const struct ipc_rules *t[] = { &ipc_rules_master, &ipc_rules_preauth,
	    &ipc_rules_session, &ipc_rules_authd, &ipc_rules_lockd };
	size_t i, j;

	for (i = 0; i < nitems(t); i++)
		for (j = 0; j < t[i]->n; j++) {
			CHECK(t[i]->rule[j].from != 0);
			CHECK((t[i]->rule[j].phases & ~IPC_PH_ALL) == 0);
			CHECK(t[i]->rule[j].phases != 0);
			CHECK(t[i]->rule[j].minlen <= t[i]->rule[j].maxlen);
			CHECK(t[i]->rule[j].maxlen <= IPC_MAX_PAYLOAD);
			CHECK(t[i]->rule[j].type > IPC_NONE &&
			    t[i]->rule[j].type < IPC_TYPE_MAX);
		}
}

int
main(void)
{
	test_master();
	test_session();
	test_preauth_and_daemons();
	test_tables();
	return unit_done();
}
