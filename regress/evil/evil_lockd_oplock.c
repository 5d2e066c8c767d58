/*
 * Evil-process test: compromised session workers against the oplock
 * breaks of the real usmbd-lockd (doc/oplocks.md §5).  A worker holds a
 * Batch oplock; another worker's open of the file waits for its break.
 * The waiting worker acknowledges the holder's break itself, reports a
 * write through the holder's handle and cancels a request that is not
 * its own: lockd takes none of these (each names an open or request of
 * the sender only), and the open still waits.  The holder never
 * acknowledges: the wait ends at "oplock break timeout", and lockd
 * serves on.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ipc.h"
#include "ipc_types.h"
#include "lockd_proto.h"

#define READ_WRITE	0x0012019fU
#define SHARE_ALL	7
#define BATCH		9
#define LEVEL_II	1

static uint8_t	buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];

/* An OPEN with its oplock suffix (lockd_proto.h). */
static void
send_open(int chan, uint64_t reqid, int fd, uint8_t level)
{
	uint8_t req[64];
	uint32_t op = LOCKD_OP_OPEN, access = READ_WRITE, share = SHARE_ALL;
	uint32_t flags = 0, disp = 1;
	uint16_t namelen = 0;
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
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, fd, req, n) == -1)
		evil_hard("send");
}

/* A request whose body is one u64 and maybe a u8 (ACK, WROTE, CANCEL). */
static void
send_u64(int chan, uint32_t op, uint64_t reqid, uint64_t v, int withlevel)
{
	uint8_t req[24];
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	memcpy(req + n, &v, 8), n += 8;
	if (withlevel)
		req[n++] = LEVEL_II;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, -1, req, n) == -1)
		evil_hard("send");
}

/*
 * The next message within ms: its type, and for a reply its request id,
 * status and body (handle, level of an OPEN).  0 when none came.
 */
static int
next_msg(int chan, int ms, uint64_t *reqid, uint32_t *status,
    uint64_t *handle, uint8_t *level)
{
	struct ipc_msg m;

	if (!evil_recv(chan, &m, buf, ms))
		return 0;
	if (m.hdr.type == IPC_LOCKD_REPLY && m.hdr.len >= 16) {
		memcpy(reqid, m.data + 4, 8);
		memcpy(status, m.data + 12, 4);
		if (m.hdr.len >= 24)
			memcpy(handle, m.data + 16, 8);
		if (m.hdr.len >= 29)
			*level = m.data[28];
	} else if (m.hdr.type == IPC_LOCKD_BREAK && m.hdr.len >= 10) {
		memcpy(handle, m.data, 8);
		*level = m.data[9];
	}
	return (int)m.hdr.type;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(void)
{
	uint32_t uid = 60001, status = 0;
	uint64_t reqid = 0, hh = 0, h = 0;
	uint8_t level = 0;
	char path[256];
	int master, holder, evil, fd, type, i;
	double start;
	pid_t pid;

	evil_need("_usmbd-lock");
	evil_global = "\toplock break timeout = 2\n";
	evil_setup();
	pid = evil_start("usmbd-lockd", &master);
	evil_check("lockd started and said hello", evil_hello(master));
	snprintf(path, sizeof(path), "%s/shared.dat", evil_dir);
	if ((fd = open(path, O_CREAT | O_RDWR, 0644)) == -1)
		evil_hard(path);

	holder = evil_new_peer(master, IPC_LOCKD_NEWPEER, 1, &uid, 4);
	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 2, &uid, 4);
	send_open(holder, 1, fd, BATCH);
	type = next_msg(holder, 5000, &reqid, &status, &hh, &level);
	evil_check("the holder is granted a Batch oplock",
	    type == IPC_LOCKD_REPLY && status == LOCKD_STATUS_OK &&
	    level == BATCH && hh != 0);

	/* The evil worker's open waits for the holder's break. */
	start = now_s();
	send_open(evil, 2, fd, BATCH);
	type = next_msg(evil, 5000, &reqid, &status, &h, &level);
	evil_check("the second open waits (interim PENDING)",
	    type == IPC_LOCKD_REPLY && reqid == 2 &&
	    status == LOCKD_STATUS_PENDING);
	type = next_msg(holder, 5000, &reqid, &status, &h, &level);
	evil_check("the holder's worker is told to break to Level II",
	    type == IPC_LOCKD_BREAK && h == hh && level == LEVEL_II);

	/* Acknowledge, write and cancel in the holder's name. */
	send_u64(evil, LOCKD_OP_OPLOCK_ACK, 3, hh, 1);
	type = next_msg(evil, 5000, &reqid, &status, &h, &level);
	evil_check("an acknowledgment of another worker's break is refused",
	    type == IPC_LOCKD_REPLY && reqid == 3 &&
	    status == LOCKD_STATUS_INVALID_HANDLE);
	send_u64(evil, LOCKD_OP_WROTE, 4, hh, 0);
	type = next_msg(evil, 5000, &reqid, &status, &h, &level);
	evil_check("a write reported through another worker's handle is "
	    "refused", type == IPC_LOCKD_REPLY && reqid == 4 &&
	    status == LOCKD_STATUS_INVALID_HANDLE);
	send_u64(evil, LOCKD_OP_OPEN_CANCEL, 5, 1, 0);
	type = next_msg(evil, 5000, &reqid, &status, &h, &level);
	evil_check("cancelling a request that is not its own does nothing",
	    type == IPC_LOCKD_REPLY && reqid == 5 &&
	    status == LOCKD_STATUS_OK);
	evil_check("and the open still waits",
	    next_msg(evil, 300, &reqid, &status, &h, &level) == 0);

	/* The holder never acknowledges: the timeout ends the wait. */
	reqid = 0;
	for (i = 0; i < 20 && reqid != 2; i++)
		type = next_msg(evil, 1000, &reqid, &status, &h, &level);
	evil_check("the waiting open is granted after the break timeout",
	    reqid == 2 && status == LOCKD_STATUS_OK && h != 0 &&
	    now_s() - start >= 1.5 && now_s() - start < 15);
	send_u64(holder, LOCKD_OP_OPLOCK_ACK, 6, hh, 1);
	type = next_msg(holder, 5000, &reqid, &status, &h, &level);
	evil_check("the holder's late acknowledgment finds no break",
	    type == IPC_LOCKD_REPLY && reqid == 6 &&
	    status == LOCKD_STATUS_INVALID_OPLOCK_PROTOCOL);
	close(fd);
	close(evil);
	close(holder);
	evil_check("lockd is still running", evil_alive(pid));
	return evil_done(master, pid);
}
