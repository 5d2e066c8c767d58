/*
 * Evil-process test: a compromised session worker against the leases of
 * another user in the real usmbd-lockd (doc/oplocks.md §5).  The holder
 * (uid 60001) holds an RWH lease; the evil worker (uid 60002) opens the
 * file, and its open waits for the lease's break.  The evil worker then
 * acknowledges that break with the holder's ClientGuid and LeaseKey and
 * with every state: lockd finds leases by the uid it was given for the
 * channel as well as by the keys, so the key is unknown to this worker
 * (OBJECT_NAME_NOT_FOUND) and its open still waits.  Naming the same
 * keys in an OPEN of its own gets it a lease of its own, which breaks
 * nothing of the holder's that any other open would not.  The holder's
 * worker acknowledges, and the evil open is granted.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "ipc.h"
#include "ipc_types.h"
#include "lockd_proto.h"

#define READ_WRITE	0x0012019fU
#define SHARE_ALL	7
#define LEASE		0xff
#define RWH		7
#define RH		3
#define NOT_FOUND	0xC0000034U

static uint8_t	buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
static uint8_t	guid[16], key[16];

/* An OPEN with its oplock suffix and, for a lease, the lease part. */
static void
send_open(int chan, uint64_t reqid, int fd, uint8_t level, uint8_t state)
{
	uint8_t req[128];
	uint32_t op = LOCKD_OP_OPEN, access = READ_WRITE, share = SHARE_ALL;
	uint32_t flags = 0, disp = 1;
	uint16_t namelen = 0, epoch = 0;
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	memcpy(req + n, &access, 4), n += 4;
	memcpy(req + n, &share, 4), n += 4;
	memcpy(req + n, &flags, 4), n += 4;
	memcpy(req + n, &namelen, 2), n += 2;
	req[n++] = level;
	req[n++] = 0;
	memcpy(req + n, &disp, 4), n += 4;
	if (level == LEASE) {
		req[n++] = 2;		/* version */
		req[n++] = state;
		req[n++] = 0;
		req[n++] = 0;
		memcpy(req + n, &epoch, 2), n += 2;
		memcpy(req + n, guid, 16), n += 16;
		memcpy(req + n, key, 16), n += 16;
		memset(req + n, 0, 16), n += 16;
	}
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, fd, req, n) == -1)
		evil_hard("send");
}

static void
send_lease_ack(int chan, uint64_t reqid, uint8_t state)
{
	uint8_t req[64];
	uint32_t op = LOCKD_OP_LEASE_ACK;
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	memcpy(req + n, guid, 16), n += 16;
	memcpy(req + n, key, 16), n += 16;
	req[n++] = state;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, -1, req, n) == -1)
		evil_hard("send");
}

/*
 * The next message within ms: its type, and for a reply its request id,
 * status, the handle and the lease state of an OPEN; for a break the
 * handle, its kind and new state.  0 when none came.
 */
static int
next_msg(int chan, int ms, uint64_t *reqid, uint32_t *status,
    uint64_t *handle, uint8_t *state, uint8_t *kind)
{
	struct ipc_msg m;

	if (!evil_recv(chan, &m, buf, ms))
		return 0;
	if (m.hdr.type == IPC_LOCKD_REPLY && m.hdr.len >= 16) {
		memcpy(reqid, m.data + 4, 8);
		memcpy(status, m.data + 12, 4);
		if (m.hdr.len >= 24)
			memcpy(handle, m.data + 16, 8);
		if (m.hdr.len >= 30)
			*state = m.data[29];
	} else if (m.hdr.type == IPC_LOCKD_BREAK &&
	    m.hdr.len == LOCKD_BREAK_LEN) {
		memcpy(handle, m.data, 8);
		*kind = m.data[8];
		*state = m.data[9];
	}
	return (int)m.hdr.type;
}

int
main(void)
{
	uint32_t uid1 = 60001, uid2 = 60002, status = 0;
	uint64_t reqid = 0, hh = 0, h = 0;
	uint8_t state = 0, kind = 0, all;
	char path[256];
	int master, holder, evil, fd, type, refused;
	pid_t pid;

	evil_need("_usmbd-lock");
	evil_global = "\toplock break timeout = 30\n";
	evil_setup();
	pid = evil_start("usmbd-lockd", &master);
	evil_check("lockd started and said hello", evil_hello(master));
	snprintf(path, sizeof(path), "%s/leased.dat", evil_dir);
	if ((fd = open(path, O_CREAT | O_RDWR, 0644)) == -1)
		evil_hard(path);
	memset(guid, 0x5a, sizeof(guid));
	memset(key, 0xa5, sizeof(key));

	holder = evil_new_peer(master, IPC_LOCKD_NEWPEER, 1, &uid1, 4);
	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 2, &uid2, 4);
	send_open(holder, 1, fd, LEASE, RWH);
	type = next_msg(holder, 5000, &reqid, &status, &hh, &state, &kind);
	evil_check("the holder is granted an RWH lease",
	    type == IPC_LOCKD_REPLY && status == LOCKD_STATUS_OK &&
	    state == RWH && hh != 0);

	send_open(evil, 2, fd, 0, 0);
	type = next_msg(evil, 5000, &reqid, &status, &h, &state, &kind);
	evil_check("the other user's open waits (interim PENDING)",
	    type == IPC_LOCKD_REPLY && reqid == 2 &&
	    status == LOCKD_STATUS_PENDING);
	type = next_msg(holder, 5000, &reqid, &status, &h, &state, &kind);
	evil_check("the holder's worker is told to break the lease to RH",
	    type == IPC_LOCKD_BREAK && h == hh && kind == LOCKD_BREAK_LEASE &&
	    state == RH);

	/* Acknowledge the holder's break with its keys, in every state. */
	refused = 1;
	for (all = 0; all < 8; all++) {
		send_lease_ack(evil, 10 + all, all);
		type = next_msg(evil, 5000, &reqid, &status, &h, &state,
		    &kind);
		if (type != IPC_LOCKD_REPLY || reqid != 10U + all ||
		    status != NOT_FOUND)
			refused = 0;
	}
	evil_check("another user's lease is not found by its keys", refused);
	evil_check("and the open still waits",
	    next_msg(evil, 300, &reqid, &status, &h, &state, &kind) == 0);

	/* The same keys in an OPEN: a lease of the evil worker's own. */
	send_open(evil, 3, fd, LEASE, RWH);
	type = next_msg(evil, 5000, &reqid, &status, &h, &state, &kind);
	evil_check("naming the keys in an OPEN waits like any other open",
	    type == IPC_LOCKD_REPLY && reqid == 3 &&
	    status == LOCKD_STATUS_PENDING);
	evil_check("and sends the holder no second break",
	    next_msg(holder, 300, &reqid, &status, &h, &state, &kind) == 0);

	send_lease_ack(holder, 4, RH);
	type = next_msg(holder, 5000, &reqid, &status, &h, &state, &kind);
	evil_check("the holder's worker acknowledges its own lease",
	    type == IPC_LOCKD_REPLY && reqid == 4 &&
	    status == LOCKD_STATUS_OK);
	reqid = 0;
	type = next_msg(evil, 5000, &reqid, &status, &h, &state, &kind);
	evil_check("then the other user's open is granted",
	    type == IPC_LOCKD_REPLY && (reqid == 2 || reqid == 3) &&
	    status == LOCKD_STATUS_OK);
	close(fd);
	close(evil);
	close(holder);
	evil_check("lockd is still running", evil_alive(pid));
	return evil_done(master, pid);
}
