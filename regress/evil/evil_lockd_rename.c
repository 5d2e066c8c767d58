/*
 * Evil-process test: a compromised session worker against a rename that
 * waits for a lease break in the real usmbd-lockd (doc/oplocks.md §5).
 * The holder (uid 60001) holds an RH lease; a renamer, another worker
 * of the same user, asks LOCKD_OP_RENAME_CHECK through its open, which
 * breaks the lease to R and waits.  The evil worker (uid 60002) names
 * the renamer's request in LOCKD_OP_OPEN_CANCEL, and the holder's and
 * the renamer's handles in RENAME_CHECK and SET_DELETE: a request or a
 * handle of another worker is not found, nothing is answered or broken
 * in its name, and the rename still waits until the holder's worker
 * acknowledges.
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

#define READ_DELETE	0x00130089U
#define SHARE_ALL	7
#define LEASE		0xff
#define RH		3
#define R		1

static uint8_t	buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];

/* An OPEN; with a lease, an RH one with fixed keys. */
static void
send_open(int chan, uint64_t reqid, int fd, int lease)
{
	uint8_t req[128];
	uint32_t op = LOCKD_OP_OPEN, access = READ_DELETE, share = SHARE_ALL;
	uint32_t flags = 0, disp = 1;
	uint16_t namelen = 0, epoch = 0;
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	memcpy(req + n, &access, 4), n += 4;
	memcpy(req + n, &share, 4), n += 4;
	memcpy(req + n, &flags, 4), n += 4;
	memcpy(req + n, &namelen, 2), n += 2;
	req[n++] = lease ? LEASE : 0;
	req[n++] = 0;
	memcpy(req + n, &disp, 4), n += 4;
	if (lease) {
		req[n++] = 2;		/* version */
		req[n++] = RH;
		req[n++] = 0;
		req[n++] = 0;
		memcpy(req + n, &epoch, 2), n += 2;
		memset(req + n, 0x5a, 16), n += 16;
		memset(req + n, 0xa5, 16), n += 16;
		memset(req + n, 0, 16), n += 16;
	}
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, fd, req, n) == -1)
		evil_hard("send");
}

/* op with a u64 body (and for SET_DELETE a u32 1 after it). */
static void
send_u64(int chan, uint32_t op, uint64_t reqid, uint64_t v)
{
	uint8_t req[32];
	uint32_t on = 1;
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	memcpy(req + n, &v, 8), n += 8;
	if (op == LOCKD_OP_SET_DELETE)
		memcpy(req + n, &on, 4), n += 4;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, -1, req, n) == -1)
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
	memset(req + n, 0x5a, 16), n += 16;
	memset(req + n, 0xa5, 16), n += 16;
	req[n++] = state;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, -1, req, n) == -1)
		evil_hard("send");
}

/*
 * The next message within ms: its type, and for a reply its op, request
 * id, status and the handle of an OPEN; for a break the handle and its
 * new state.  0 when none came.
 */
static int
next_msg(int chan, int ms, uint32_t *op, uint64_t *reqid, uint32_t *status,
    uint64_t *handle, uint8_t *state)
{
	struct ipc_msg m;

	if (!evil_recv(chan, &m, buf, ms))
		return 0;
	if (m.hdr.type == IPC_LOCKD_REPLY && m.hdr.len >= 16) {
		memcpy(op, m.data, 4);
		memcpy(reqid, m.data + 4, 8);
		memcpy(status, m.data + 12, 4);
		if (m.hdr.len >= 24)
			memcpy(handle, m.data + 16, 8);
	} else if (m.hdr.type == IPC_LOCKD_BREAK &&
	    m.hdr.len == LOCKD_BREAK_LEN) {
		memcpy(handle, m.data, 8);
		*state = m.data[9];
	}
	return (int)m.hdr.type;
}

int
main(void)
{
	uint32_t uid1 = 60001, uid2 = 60002, status = 0, op = 0;
	uint64_t reqid = 0, hh = 0, hr = 0, he = 0, h = 0;
	uint8_t state = 0;
	char path[256];
	int master, holder, renamer, evil, fd, type;
	pid_t pid;

	evil_need("_usmbd-lock");
	evil_global = "\toplock break timeout = 30\n";
	evil_setup();
	pid = evil_start("usmbd-lockd", &master);
	evil_check("lockd started and said hello", evil_hello(master));
	snprintf(path, sizeof(path), "%s/renamed.dat", evil_dir);
	if ((fd = open(path, O_CREAT | O_RDWR, 0644)) == -1)
		evil_hard(path);

	holder = evil_new_peer(master, IPC_LOCKD_NEWPEER, 1, &uid1, 4);
	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 2, &uid2, 4);
	renamer = evil_new_peer(master, IPC_LOCKD_NEWPEER, 3, &uid1, 4);
	send_open(holder, 1, fd, 1);
	type = next_msg(holder, 5000, &op, &reqid, &status, &hh, &state);
	evil_check("the holder is granted an RH lease",
	    type == IPC_LOCKD_REPLY && status == LOCKD_STATUS_OK && hh != 0);
	send_open(renamer, 1, fd, 0);
	type = next_msg(renamer, 5000, &op, &reqid, &status, &hr, &state);
	evil_check("the renamer opens the file",
	    type == IPC_LOCKD_REPLY && status == LOCKD_STATUS_OK && hr != 0);
	send_open(evil, 1, fd, 0);
	type = next_msg(evil, 5000, &op, &reqid, &status, &he, &state);
	evil_check("so does the evil worker",
	    type == IPC_LOCKD_REPLY && status == LOCKD_STATUS_OK && he != 0);

	send_u64(renamer, LOCKD_OP_RENAME_CHECK, 7, hr);
	type = next_msg(renamer, 5000, &op, &reqid, &status, &h, &state);
	evil_check("the rename waits (interim PENDING)",
	    type == IPC_LOCKD_REPLY && op == LOCKD_OP_RENAME_CHECK &&
	    reqid == 7 && status == LOCKD_STATUS_PENDING);
	type = next_msg(holder, 5000, &op, &reqid, &status, &h, &state);
	evil_check("the holder's worker is told to break the lease to R",
	    type == IPC_LOCKD_BREAK && h == hh && state == R);

	/* The evil worker cancels the renamer's request id. */
	send_u64(evil, LOCKD_OP_OPEN_CANCEL, 20, 7);
	type = next_msg(evil, 5000, &op, &reqid, &status, &h, &state);
	evil_check("its cancel finds nothing of its own",
	    type == IPC_LOCKD_REPLY && reqid == 20);
	evil_check("and the rename is not answered",
	    next_msg(renamer, 300, &op, &reqid, &status, &h, &state) == 0);
	/* Other workers' handles: not found, nothing broken. */
	send_u64(evil, LOCKD_OP_RENAME_CHECK, 21, hh);
	type = next_msg(evil, 5000, &op, &reqid, &status, &h, &state);
	evil_check("a RENAME_CHECK of the holder's handle is not found",
	    type == IPC_LOCKD_REPLY && reqid == 21 &&
	    status == LOCKD_STATUS_INVALID_HANDLE);
	send_u64(evil, LOCKD_OP_SET_DELETE, 22, hr);
	type = next_msg(evil, 5000, &op, &reqid, &status, &h, &state);
	evil_check("a SET_DELETE of the renamer's handle is not found",
	    type == IPC_LOCKD_REPLY && reqid == 22 &&
	    status == LOCKD_STATUS_INVALID_HANDLE);
	evil_check("the holder is sent no other break",
	    next_msg(holder, 300, &op, &reqid, &status, &h, &state) == 0);
	evil_check("and the rename still waits",
	    next_msg(renamer, 300, &op, &reqid, &status, &h, &state) == 0);

	send_lease_ack(holder, 2, R);
	type = next_msg(holder, 5000, &op, &reqid, &status, &h, &state);
	evil_check("the holder's worker acknowledges",
	    type == IPC_LOCKD_REPLY && reqid == 2 &&
	    status == LOCKD_STATUS_OK);
	type = next_msg(renamer, 5000, &op, &reqid, &status, &h, &state);
	evil_check("then the rename is answered",
	    type == IPC_LOCKD_REPLY && op == LOCKD_OP_RENAME_CHECK &&
	    reqid == 7 && status == LOCKD_STATUS_OK);
	close(fd);
	close(evil);
	close(renamer);
	close(holder);
	evil_check("lockd is still running", evil_alive(pid));
	return evil_done(master, pid);
}
