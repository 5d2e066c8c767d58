/*
 * Evil-process test: a compromised session worker against
 * LOCKD_OP_LOCAL_BREAK ("kernel oplocks", doc/oplocks.md §7) of the real
 * usmbd-lockd.  A worker holds a Batch oplock; another worker names the
 * holder's handle, and a handle nobody has, in a local break: lockd
 * refuses both and breaks nothing.  Its local break of a file of its own
 * breaks only that file.  The holder's own local break breaks its oplock
 * to none, as the kernel's signal would have it.
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
#define BATCH		9
#define NONE		0

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

static void
send_local(int chan, uint64_t reqid, uint64_t handle)
{
	uint8_t req[20];
	uint32_t op = LOCKD_OP_LOCAL_BREAK;

	memcpy(req, &op, 4);
	memcpy(req + 4, &reqid, 8);
	memcpy(req + 12, &handle, 8);
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, -1, req, sizeof(req)) == -1)
		evil_hard("send");
}

/*
 * The next message within ms: its type, and for a reply its request id,
 * status and body (handle, level of an OPEN); for a break the handle and
 * level.  0 when none came.
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

int
main(void)
{
	uint32_t uid = 60001, status = 0;
	uint64_t reqid = 0, hh = 0, he = 0, h = 0;
	uint8_t level = 0;
	char path[256];
	int master, holder, evil, fd, fd2, type;
	pid_t pid;

	evil_need("_usmbd-lock");
	evil_setup();
	pid = evil_start("usmbd-lockd", &master);
	evil_check("lockd started and said hello", evil_hello(master));
	snprintf(path, sizeof(path), "%s/leased.dat", evil_dir);
	if ((fd = open(path, O_CREAT | O_RDWR, 0644)) == -1)
		evil_hard(path);
	snprintf(path, sizeof(path), "%s/own.dat", evil_dir);
	if ((fd2 = open(path, O_CREAT | O_RDWR, 0644)) == -1)
		evil_hard(path);

	holder = evil_new_peer(master, IPC_LOCKD_NEWPEER, 1, &uid, 4);
	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 2, &uid, 4);
	send_open(holder, 1, fd, BATCH);
	type = next_msg(holder, 5000, &reqid, &status, &hh, &level);
	evil_check("the holder is granted a Batch oplock",
	    type == IPC_LOCKD_REPLY && status == LOCKD_STATUS_OK &&
	    level == BATCH && hh != 0);

	/* A local break in the holder's name, and in nobody's. */
	send_local(evil, 2, hh);
	type = next_msg(evil, 5000, &reqid, &status, &h, &level);
	evil_check("a local break naming another worker's handle is refused",
	    type == IPC_LOCKD_REPLY && reqid == 2 &&
	    status == LOCKD_STATUS_INVALID_HANDLE);
	send_local(evil, 3, hh + 1000);
	type = next_msg(evil, 5000, &reqid, &status, &h, &level);
	evil_check("a local break naming an unknown handle is refused",
	    type == IPC_LOCKD_REPLY && reqid == 3 &&
	    status == LOCKD_STATUS_INVALID_HANDLE);

	/* Its own open of another file: that file only. */
	send_open(evil, 4, fd2, BATCH);
	type = next_msg(evil, 5000, &reqid, &status, &he, &level);
	evil_check("the evil worker opens a file of its own",
	    type == IPC_LOCKD_REPLY && reqid == 4 &&
	    status == LOCKD_STATUS_OK && he != 0);
	send_local(evil, 5, he);
	type = next_msg(evil, 5000, &reqid, &status, &h, &level);
	if (type == IPC_LOCKD_BREAK)
		type = next_msg(evil, 5000, &reqid, &status, &h, &level);
	evil_check("its local break of its own file is taken",
	    type == IPC_LOCKD_REPLY && reqid == 5 &&
	    status == LOCKD_STATUS_OK);
	evil_check("and the holder's oplock is not broken",
	    next_msg(holder, 500, &reqid, &status, &h, &level) == 0);

	/* The holder's own local break: its Batch breaks to none. */
	send_local(holder, 6, hh);
	type = next_msg(holder, 5000, &reqid, &status, &h, &level);
	evil_check("the holder's own local break breaks its oplock to none",
	    type == IPC_LOCKD_BREAK && h == hh && level == NONE);
	close(fd);
	close(fd2);
	close(evil);
	close(holder);
	evil_check("lockd is still running", evil_alive(pid));
	return evil_done(master, pid);
}
