/*
 * Evil-process test: a compromised preauth process floods usmbd-authd
 * with requests and never reads the answers.  authd must close that
 * channel rather than queue without bound, stay alive, and still answer
 * an honest peer.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "authd_proto.h"
#include "harness.h"
#include "ipc.h"
#include "ipc_types.h"

/* More answers than authd may hold for one peer, many times over. */
#define FLOOD_MAX	200000

/* An NTLMSSP NEGOTIATE: authd answers each with a CHALLENGE. */
static size_t
auth_request(uint8_t *buf)
{
	static const uint8_t negotiate[32] = {
		'N', 'T', 'L', 'M', 'S', 'S', 'P', 0,
		1, 0, 0, 0,			/* NEGOTIATE */
		0x15, 0x82, 0x08, 0x60,		/* flags */
	};
	uint64_t sid = 1;
	uint32_t flags = AUTH_REQ_NEW, reserved = 0;

	memcpy(buf, &sid, 8);
	memcpy(buf + 8, &flags, 4);
	memcpy(buf + 12, &reserved, 4);
	memcpy(buf + AUTH_REQ_HDR_LEN, negotiate, sizeof(negotiate));
	return AUTH_REQ_HDR_LEN + sizeof(negotiate);
}

int
main(void)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	struct ipc_msg m;
	uint8_t req[64];
	size_t reqlen, sent = 0;
	int master, evil, honest, closed = 0, got;
	pid_t pid;

	evil_need("_usmbd-auth");
	evil_setup();
	pid = evil_start("usmbd-authd", &master);
	evil_check("authd started and said hello", evil_hello(master));

	/* The compromised peer: requests without end, never a read. */
	reqlen = auth_request(req);
	evil = evil_new_peer(master, IPC_AUTHD_NEWCONN, 1, "127.0.0.1", 9);
	while (sent < FLOOD_MAX) {
		if (ipc_send(evil, IPC_AUTH_REQUEST, 1, -1, req,
		    reqlen) == -1) {
			closed = errno == EPIPE || errno == ECONNRESET;
			if (!closed)
				printf("send: %s\n", strerror(errno));
			break;
		}
		sent++;
		/* authd's log lines come to the master: keep reading them. */
		while (evil_recv(master, &m, buf, 0))
			;
	}
	printf("%zu requests sent before the channel closed\n", sent);
	evil_check("authd closed the channel of the peer that does not read",
	    closed);
	evil_check("authd is still running", evil_alive(pid));

	/* An honest peer is answered as before. */
	honest = evil_new_peer(master, IPC_AUTHD_NEWCONN, 2, "127.0.0.1", 9);
	got = ipc_send(honest, IPC_AUTH_REQUEST, 2, -1, req, reqlen) == 0 &&
	    evil_recv(honest, &m, buf, 10000) &&
	    m.hdr.type == IPC_AUTH_RESPONSE;
	evil_check("an honest peer still gets its answer", got);
	return evil_done(master, pid);
}
