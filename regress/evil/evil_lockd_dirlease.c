/*
 * Evil-process test: a compromised session worker against the directory
 * leases of another user in the real usmbd-lockd (doc/oplocks.md §14).
 * The holder (uid 60001) holds an RH lease of a directory.  The evil
 * worker (uid 60002) reports a change of a child (LOCKD_OP_DIR_CHANGED)
 * without a descriptor, and with a descriptor of a file that is not a
 * directory: both are refused, its channel closes, and the holder is
 * sent no break.  A worker that can open the directory breaks the lease
 * (a loss of speed, as a client of its user could cause), also when it
 * names the holder's ClientGuid and LeaseKey as its parent: the key
 * spares only the lease of the same user.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "ipc.h"
#include "ipc_types.h"
#include "lockd_proto.h"

#define READ		0x00120089U
#define SHARE_ALL	7
#define LEASE		0xff
#define RH		3

static uint8_t	buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];

/* The holder's OPEN of the directory, with an RH lease. */
static void
send_open(int chan, uint64_t reqid, int fd)
{
	uint8_t req[128];
	uint32_t op = LOCKD_OP_OPEN, access = READ, share = SHARE_ALL;
	uint32_t flags = LOCKD_OPEN_DIRECTORY, disp = 1;
	uint16_t namelen = 0, epoch = 0;
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	memcpy(req + n, &access, 4), n += 4;
	memcpy(req + n, &share, 4), n += 4;
	memcpy(req + n, &flags, 4), n += 4;
	memcpy(req + n, &namelen, 2), n += 2;
	req[n++] = LEASE;
	req[n++] = LOCKD_OPLOCK_DIR_LEASE;
	memcpy(req + n, &disp, 4), n += 4;
	req[n++] = 2;		/* version */
	req[n++] = RH;
	req[n++] = 0;
	req[n++] = 0;
	memcpy(req + n, &epoch, 2), n += 2;
	memset(req + n, 0x5a, 16), n += 16;
	memset(req + n, 0xa5, 16), n += 16;
	memset(req + n, 0, 16), n += 16;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, fd, req, n) == -1)
		evil_hard("send");
}

/* DIR_CHANGED naming the holder's ClientGuid and LeaseKey as parent. */
static void
send_changed(int chan, uint64_t reqid, int fd)
{
	uint8_t req[64];
	uint32_t op = LOCKD_OP_DIR_CHANGED;
	size_t n = 0;

	memcpy(req + n, &op, 4), n += 4;
	memcpy(req + n, &reqid, 8), n += 8;
	req[n++] = 1;
	memset(req + n, 0x5a, 16), n += 16;
	memset(req + n, 0xa5, 16), n += 16;
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, fd, req, n) == -1)
		evil_hard("send");
}

/* The next message's type within ms (0: none); a break's new state. */
static int
next_msg(int chan, int ms, uint64_t *reqid, uint32_t *status,
    uint8_t *state)
{
	struct ipc_msg m;

	if (!evil_recv(chan, &m, buf, ms))
		return 0;
	if (m.hdr.type == IPC_LOCKD_REPLY && m.hdr.len >= 16) {
		memcpy(reqid, m.data + 4, 8);
		memcpy(status, m.data + 12, 4);
		if (m.hdr.len >= 30)
			*state = m.data[29];
	} else if (m.hdr.type == IPC_LOCKD_BREAK &&
	    m.hdr.len == LOCKD_BREAK_LEN) {
		if (m.data[8] != LOCKD_BREAK_LEASE)
			return next_msg(chan, ms, reqid, status, state);
		*state = m.data[9];
	}
	return (int)m.hdr.type;
}

int
main(void)
{
	uint32_t uid1 = 60001, uid2 = 60002, status = 0;
	uint64_t reqid = 0;
	uint8_t state = 0;
	char dir[256], file[256];
	int master, holder, evil, dfd = -1, ffd = -1, type;
	pid_t pid;

	evil_need("_usmbd-lock");
	evil_global = "\toplock break timeout = 30\n";
	evil_setup();
	pid = evil_start("usmbd-lockd", &master);
	evil_check("lockd started and said hello", evil_hello(master));
	snprintf(dir, sizeof(dir), "%s/leased.dir", evil_dir);
	snprintf(file, sizeof(file), "%s/leased.dir/child", evil_dir);
	if (mkdir(dir, 0755) == -1 ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1 ||
	    (ffd = open(file, O_CREAT | O_RDWR, 0644)) == -1)
		evil_hard(dir);

	holder = evil_new_peer(master, IPC_LOCKD_NEWPEER, 1, &uid1, 4);
	send_open(holder, 1, dfd);
	type = next_msg(holder, 5000, &reqid, &status, &state);
	evil_check("the holder is granted an RH lease of the directory",
	    type == IPC_LOCKD_REPLY && status == LOCKD_STATUS_OK &&
	    state == RH);

	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 2, &uid2, 4);
	send_changed(evil, 2, -1);
	evil_check("a DIR_CHANGED without a descriptor gets no answer",
	    next_msg(evil, 2000, &reqid, &status, &state) == 0);
	evil_check("and its channel is closed", read(evil, buf, 1) <= 0);
	close(evil);
	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 3, &uid2, 4);
	send_changed(evil, 3, ffd);
	evil_check("one with a descriptor of a file gets no answer",
	    next_msg(evil, 2000, &reqid, &status, &state) == 0);
	evil_check("and its channel is closed", read(evil, buf, 1) <= 0);
	close(evil);
	evil_check("the holder was sent no break",
	    next_msg(holder, 300, &reqid, &status, &state) == 0);

	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 4, &uid2, 4);
	send_changed(evil, 4, dfd);
	type = next_msg(evil, 5000, &reqid, &status, &state);
	evil_check("a DIR_CHANGED with the directory is answered",
	    type == IPC_LOCKD_REPLY && reqid == 4 &&
	    status == LOCKD_STATUS_OK);
	type = next_msg(holder, 5000, &reqid, &status, &state);
	evil_check("and breaks the other user's lease to none, its key "
	    "named or not", type == IPC_LOCKD_BREAK && state == 0);
	close(ffd);
	close(dfd);
	close(evil);
	close(holder);
	evil_check("lockd is still running", evil_alive(pid));
	return evil_done(master, pid);
}
