/*
 * Evil-process test: a compromised session worker against another
 * user's durable open in the real usmbd-lockd (doc/durable.md).  The
 * holder (uid 60001) opens a file with a Batch oplock and a durable
 * part.  The evil worker (uid 60002) cannot detach it (it is not its
 * open), and cannot find or reclaim it, neither while the holder is
 * connected nor after the holder's worker is gone, even naming its
 * handle, CreateGuid and ClientGuid and passing a descriptor of the
 * file: lockd looks durable opens up by the uid the master gave with the
 * channel.  A worker of the holder's user then reclaims it, but only
 * with a descriptor of the open's own file.
 *
 * AppInstanceId: the holder's open has one.  The evil worker's open of
 * the file with the same AppInstanceId (and another ClientGuid) does not
 * make lockd tell the holder's worker to close it (LOCKD_BREAK_CLOSE);
 * an open of the holder's own user with it does.
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
#define BATCH		0x09
#define NOT_FOUND	0xC0000034U

static uint8_t	buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
static uint8_t	cguid[16], createguid[16], appid[16];

/*
 * An OPEN for a Batch oplock with the durable part (lockd_proto.h), the
 * AppInstanceId appid, from a client of ClientGuid cg.
 */
static void
send_open_as(int chan, uint64_t reqid, int fd, const uint8_t *cg)
{
	uint8_t req[256];
	uint32_t op = LOCKD_OP_OPEN, access = READ_WRITE, share = SHARE_ALL;
	uint32_t flags = 0, disp = 1, timeout = 60000, opts = 0;
	uint16_t namelen = 0, slen = 5, plen = 10;
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	memcpy(req + n, &access, 4), n += 4;
	memcpy(req + n, &share, 4), n += 4;
	memcpy(req + n, &flags, 4), n += 4;
	memcpy(req + n, &namelen, 2), n += 2;
	req[n++] = BATCH;
	req[n++] = LOCKD_OPLOCK_DURABLE;
	memcpy(req + n, &disp, 4), n += 4;
	req[n++] = 2;			/* version */
	req[n++] = 0;
	req[n++] = 0;
	req[n++] = 0;
	memcpy(req + n, &timeout, 4), n += 4;
	memcpy(req + n, createguid, 16), n += 16;
	memcpy(req + n, cg, 16), n += 16;
	memcpy(req + n, &opts, 4), n += 4;
	memset(req + n, 0, 8), n += 8;	/* no allocation reserved */
	memcpy(req + n, &slen, 2), n += 2;
	memcpy(req + n, "share", 5), n += 5;
	memcpy(req + n, &plen, 2), n += 2;
	memcpy(req + n, "victim.dat", 10), n += 10;
	memcpy(req + n, appid, 16), n += 16;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, fd, req, n) == -1)
		evil_hard("send");
}

static void
send_open(int chan, uint64_t reqid, int fd)
{
	send_open_as(chan, reqid, fd, cguid);
}

/* Did lockd tell this worker, within ms, to close open handle? */
static int
told_close(int chan, int ms, uint64_t handle)
{
	struct ipc_msg m;
	uint64_t h;

	while (evil_recv(chan, &m, buf, ms)) {
		if (m.hdr.type != IPC_LOCKD_BREAK || m.hdr.len < 9)
			continue;
		memcpy(&h, m.data, 8);
		if (h == handle && m.data[8] == LOCKD_BREAK_CLOSE)
			return 1;
	}
	return 0;
}

/* FIND or RECLAIM (with fd) of a handle, with the holder's keys. */
static void
send_key(int chan, uint32_t op, uint64_t reqid, uint64_t handle, int fd)
{
	uint8_t req[128];
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	memcpy(req + n, &handle, 8), n += 8;
	req[n++] = 2;			/* a v2 reconnect */
	req[n++] = 0;			/* no lease */
	req[n++] = 0;
	req[n++] = 0;
	memcpy(req + n, createguid, 16), n += 16;
	memcpy(req + n, cguid, 16), n += 16;
	memset(req + n, 0, 16), n += 16;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, fd, req, n) == -1)
		evil_hard("send");
}

static void
send_detach(int chan, uint64_t reqid, uint64_t handle)
{
	uint8_t req[32];
	uint32_t op = LOCKD_OP_DURABLE_DETACH;
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	memcpy(req + n, &handle, 8), n += 8;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, -1, req, n) == -1)
		evil_hard("send");
}

/*
 * The next reply within ms: its request id, status, and the first
 * bytes of its body (the handle and flags of an OPEN's).  0: none came.
 */
static int
next_reply(int chan, int ms, uint64_t *reqid, uint32_t *status,
    uint64_t *handle, uint32_t *oflags)
{
	struct ipc_msg m;

	for (;;) {
		if (!evil_recv(chan, &m, buf, ms))
			return 0;
		if (m.hdr.type != IPC_LOCKD_REPLY || m.hdr.len < 16)
			continue;
		memcpy(reqid, m.data + 4, 8);
		memcpy(status, m.data + 12, 4);
		*handle = 0;
		*oflags = 0;
		if (m.hdr.len >= 28) {
			memcpy(handle, m.data + 16, 8);
			memcpy(oflags, m.data + 24, 4);
		}
		return 1;
	}
}

int
main(void)
{
	uint32_t uid1 = 60001, uid2 = 60002, status = 0, oflags = 0;
	uint64_t reqid = 0, hh = 0, h = 0;
	char path[256], other[256];
	int master, holder, evil, heir, friend, fd, ofd;
	pid_t pid;

	evil_need("_usmbd-lock");
	evil_setup();
	pid = evil_start("usmbd-lockd", &master);
	evil_check("lockd started and said hello", evil_hello(master));
	snprintf(path, sizeof(path), "%s/victim.dat", evil_dir);
	snprintf(other, sizeof(other), "%s/other.dat", evil_dir);
	if ((fd = open(path, O_CREAT | O_RDWR, 0644)) == -1 ||
	    (ofd = open(other, O_CREAT | O_RDWR, 0644)) == -1)
		evil_hard(path);
	memset(cguid, 0x5a, sizeof(cguid));
	memset(createguid, 0xc3, sizeof(createguid));
	memset(appid, 0xa1, sizeof(appid));

	holder = evil_new_peer(master, IPC_LOCKD_NEWPEER, 1, &uid1, 4);
	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 2, &uid2, 4);
	send_open(holder, 1, fd);
	evil_check("the holder's Batch open is durable",
	    next_reply(holder, 5000, &reqid, &status, &hh, &oflags) &&
	    reqid == 1 && status == LOCKD_STATUS_OK && hh != 0 &&
	    (oflags & LOCKD_OPENED_DURABLE));

	send_detach(evil, 2, hh);
	evil_check("another worker cannot detach (mark disconnected) it",
	    next_reply(evil, 5000, &reqid, &status, &h, &oflags) &&
	    reqid == 2 && status == LOCKD_STATUS_INVALID_HANDLE);
	send_key(evil, LOCKD_OP_DURABLE_FIND, 3, hh, -1);
	evil_check("nor find it while its worker serves it",
	    next_reply(evil, 5000, &reqid, &status, &h, &oflags) &&
	    reqid == 3 && status == NOT_FOUND);

	/* The holder's worker dies: lockd keeps the open. */
	close(holder);
	usleep(300 * 1000);
	send_key(evil, LOCKD_OP_DURABLE_FIND, 4, hh, -1);
	evil_check("another user's worker does not find the kept open",
	    next_reply(evil, 5000, &reqid, &status, &h, &oflags) &&
	    reqid == 4 && status == NOT_FOUND);
	send_key(evil, LOCKD_OP_DURABLE_RECLAIM, 5, hh, fd);
	evil_check("nor reclaim it with a descriptor of the file",
	    next_reply(evil, 5000, &reqid, &status, &h, &oflags) &&
	    reqid == 5 && status == NOT_FOUND && h == 0);

	heir = evil_new_peer(master, IPC_LOCKD_NEWPEER, 3, &uid1, 4);
	send_key(heir, LOCKD_OP_DURABLE_FIND, 6, hh, -1);
	evil_check("a worker of the holder's user finds it",
	    next_reply(heir, 5000, &reqid, &status, &h, &oflags) &&
	    reqid == 6 && status == LOCKD_STATUS_OK);
	send_key(heir, LOCKD_OP_DURABLE_RECLAIM, 7, hh, ofd);
	evil_check("but reclaims it with no other file's descriptor",
	    next_reply(heir, 5000, &reqid, &status, &h, &oflags) &&
	    reqid == 7 && status == NOT_FOUND);
	send_key(heir, LOCKD_OP_DURABLE_RECLAIM, 8, hh, fd);
	evil_check("and with the file's own, it is its open again",
	    next_reply(heir, 5000, &reqid, &status, &h, &oflags) &&
	    reqid == 8 && status == LOCKD_STATUS_OK && h == hh &&
	    (oflags & LOCKD_OPENED_DURABLE));
	send_key(evil, LOCKD_OP_DURABLE_FIND, 9, hh, -1);
	evil_check("then nobody finds it as disconnected",
	    next_reply(evil, 5000, &reqid, &status, &h, &oflags) &&
	    reqid == 9 && status == NOT_FOUND);

	/* AppInstanceId: only the holder's user's open replaces it. */
	memset(other, 0x77, 16);
	send_open_as(evil, 10, fd, (uint8_t *)other);
	evil_check("another user's open with its AppInstanceId does not "
	    "close it", !told_close(heir, 1000, hh));
	friend = evil_new_peer(master, IPC_LOCKD_NEWPEER, 4, &uid1, 4);
	send_open_as(friend, 11, fd, (uint8_t *)other);
	evil_check("its own user's, from another client, does",
	    told_close(heir, 5000, hh));
	close(fd);
	close(ofd);
	close(evil);
	close(heir);
	close(friend);
	evil_check("lockd is still running", evil_alive(pid));
	return evil_done(master, pid);
}
