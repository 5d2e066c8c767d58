/*
 * Evil-process test: compromised session workers against the count of
 * tree connects that usmbd-lockd keeps for a share's "max connections"
 * (lockd/lockd_tcon.c).  An honest worker holds the one slot of "lim".
 * A worker that gives back a slot it does not hold is told so and the
 * slot stays taken; one that claims with a name or a limit out of range
 * loses its channel; none of it frees the honest worker's slot, which
 * comes free only when the honest worker releases it or its channel
 * closes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "ipc.h"
#include "ipc_types.h"
#include "lockd_proto.h"

static uint8_t	buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
static uint64_t	reqid = 1;

/*
 * Send a claim (limit != 0) or a release of name, namelen bytes as the
 * length field says; the status, or -1 when no answer came.
 */
static int64_t
tcon(int chan, uint32_t op, uint32_t limit, const char *name,
    uint16_t namelen, size_t sent)
{
	uint8_t req[32 + 2 * LOCKD_MAX_SHARE_NAME];
	struct ipc_msg m;
	uint32_t status;
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	reqid++;
	if (op == LOCKD_OP_TCON_CLAIM)
		memcpy(req + n, &limit, 4), n += 4;
	memcpy(req + n, &namelen, 2), n += 2;
	memcpy(req + n, name, sent), n += sent;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, -1, req, n) == -1)
		return -1;
	if (!evil_recv(chan, &m, buf, 10000) || m.hdr.type != IPC_LOCKD_REPLY ||
	    m.hdr.len < 16)
		return -1;
	memcpy(&status, m.data + 12, 4);
	return status;
}

static int64_t
claim(int chan, const char *name, uint32_t limit)
{
	return tcon(chan, LOCKD_OP_TCON_CLAIM, limit, name,
	    (uint16_t)strlen(name), strlen(name));
}

/*
 * The same, asked again for up to 5 seconds while the share is full:
 * lockd may read a request before it sees another channel close.
 */
static int64_t
claim_soon(int chan, const char *name, uint32_t limit)
{
	int64_t st = -1;
	int i;

	for (i = 0; i < 50; i++) {
		st = claim(chan, name, limit);
		if (st != LOCKD_STATUS_INSUFFICIENT_RESOURCES)
			break;
		usleep(100000);
	}
	return st;
}

static int64_t
release(int chan, const char *name)
{
	return tcon(chan, LOCKD_OP_TCON_RELEASE, 0, name,
	    (uint16_t)strlen(name), strlen(name));
}

/* A malformed claim from a fresh worker: no answer, its channel closed. */
static int
refused(int master, uint32_t id, uint32_t limit, const char *name,
    uint16_t namelen, size_t sent)
{
	uint32_t uid = 60001;
	int evil, rv;

	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, id, &uid, 4);
	rv = tcon(evil, LOCKD_OP_TCON_CLAIM, limit, name, namelen, sent) ==
	    -1 && read(evil, buf, 1) <= 0;
	close(evil);
	return rv;
}

int
main(void)
{
	char longname[LOCKD_MAX_SHARE_NAME + 2];
	uint32_t uid = 60001;
	int master, honest, evil, other;
	pid_t pid;

	evil_need("_usmbd-lock");
	evil_setup();
	pid = evil_start("usmbd-lockd", &master);
	evil_check("lockd started and said hello", evil_hello(master));

	honest = evil_new_peer(master, IPC_LOCKD_NEWPEER, 1, &uid, 4);
	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 2, &uid, 4);
	evil_check("the honest worker gets the one slot of lim",
	    claim(honest, "lim", 1) == LOCKD_STATUS_OK);
	evil_check("a worker that gives back a slot it does not hold is told "
	    "so", release(evil, "lim") == LOCKD_STATUS_INVALID_PARAMETER &&
	    release(evil, "LIM") == LOCKD_STATUS_INVALID_PARAMETER);
	evil_check("and the honest worker's slot is still taken",
	    claim(evil, "lim", 1) == LOCKD_STATUS_INSUFFICIENT_RESOURCES);

	memset(longname, 'a', sizeof(longname));
	evil_check("a claim without a name ends the claimer's channel",
	    refused(master, 3, 1, "", 0, 0));
	evil_check("so does one with a NUL in the name",
	    refused(master, 4, 1, "li\0m", 4, 4));
	evil_check("or a name longer than a share's",
	    refused(master, 5, 1, longname, LOCKD_MAX_SHARE_NAME + 1,
	    LOCKD_MAX_SHARE_NAME + 1));
	evil_check("or a name shorter than its length says",
	    refused(master, 6, 1, "lim", 8, 3));
	evil_check("or a limit of 0", refused(master, 7, 0, "lim", 3, 3));
	evil_check("or a limit past 65536",
	    refused(master, 8, LOCKD_TCON_MAX_LIMIT + 1, "lim", 3, 3));
	evil_check("lockd is still running", evil_alive(pid));

	other = evil_new_peer(master, IPC_LOCKD_NEWPEER, 9, &uid, 4);
	evil_check("after all of it the honest worker's slot is still taken",
	    claim(other, "lim", 1) == LOCKD_STATUS_INSUFFICIENT_RESOURCES);
	evil_check("until it gives it back",
	    release(honest, "lim") == LOCKD_STATUS_OK &&
	    claim(other, "lim", 1) == LOCKD_STATUS_OK);
	evil_check("a second slot, with a limit of 2",
	    claim(honest, "lim", 2) == LOCKD_STATUS_OK);
	close(other);
	evil_check("a slot held by a worker whose channel closes comes free",
	    claim_soon(evil, "lim", 2) == LOCKD_STATUS_OK);
	close(evil);
	close(honest);
	return evil_done(master, pid);
}
