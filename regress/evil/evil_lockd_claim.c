/*
 * Evil-process test: a compromised session worker names another user's
 * file to usmbd-lockd, or asks for a delete that another user's worker
 * would carry out.  Before, LOCKD_OP_OPEN carried a (device, inode)
 * that lockd believed: a worker that could stat a file could open it in
 * lockd, set delete-pending on it (another user's worker then unlinked
 * it at its last close) or deny it to everyone with share modes.  Now
 * lockd names a file only by a descriptor it fstat()s: an OPEN without
 * one ends the sender's channel, and nothing of the other file changes.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "ipc.h"
#include "ipc_types.h"
#include "lockd_proto.h"

#define GENERIC_ALL	0x10000000U
#define DELETE		0x00010000U

static uint8_t	buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];

/* An OPEN: op, request id, then what lockd_proto.h says. */
static size_t
open_req(uint8_t *p, uint64_t reqid, const void *claim, size_t claimlen,
    uint32_t access, uint32_t share, uint32_t flags)
{
	uint32_t op = LOCKD_OP_OPEN;
	uint16_t namelen = 0;
	size_t n = 0;

	memcpy(p + n, &op, 4), n += 4;
	memcpy(p + n, &reqid, 8), n += 8;
	if (claimlen > 0)
		memcpy(p + n, claim, claimlen), n += claimlen;
	memcpy(p + n, &access, 4), n += 4;
	memcpy(p + n, &share, 4), n += 4;
	memcpy(p + n, &flags, 4), n += 4;
	memcpy(p + n, &namelen, 2), n += 2;
	return n;
}

/* The reply's status, or -1 when none came (the channel closed). */
static int64_t
reply_status(int chan, uint64_t *handle)
{
	struct ipc_msg m;
	uint32_t status;

	if (!evil_recv(chan, &m, buf, 10000) || m.hdr.type != IPC_LOCKD_REPLY ||
	    m.hdr.len < 16)
		return -1;
	memcpy(&status, m.data + 12, 4);
	if (handle != NULL && m.hdr.len >= 24)
		memcpy(handle, m.data + 16, 8);
	return status;
}

/* CLOSE a handle; the reply's close flags, or -1 without a reply. */
static int64_t
close_flags(int chan, uint64_t reqid, uint64_t handle)
{
	uint8_t req[20];
	struct ipc_msg m;
	uint32_t op = LOCKD_OP_CLOSE, status, flags;

	memcpy(req, &op, 4);
	memcpy(req + 4, &reqid, 8);
	memcpy(req + 12, &handle, 8);
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, -1, req, sizeof(req)) == -1)
		evil_hard("send");
	if (!evil_recv(chan, &m, buf, 10000) || m.hdr.type != IPC_LOCKD_REPLY ||
	    m.hdr.len < 20)
		return -1;
	memcpy(&status, m.data + 12, 4);
	memcpy(&flags, m.data + 16, 4);
	return status != LOCKD_STATUS_OK ? -1 : (int64_t)flags;
}

/* OPEN the file of fd for a worker; the handle, or 0. */
static uint64_t
open_as(int chan, uint64_t reqid, int fd, uint32_t flags)
{
	uint8_t req[128];
	uint64_t handle = 0;
	size_t n;

	n = open_req(req, reqid, NULL, 0, 0x00120089U | DELETE, 7, flags);
	if (ipc_send(chan, IPC_LOCKD_REQUEST, 0, fd, req, n) == -1)
		evil_hard("send");
	if (reply_status(chan, &handle) != LOCKD_STATUS_OK)
		return 0;
	return handle;
}

/*
 * Both users can open a file of a shared tree.  The evil user's worker
 * opens it delete-on-close and closes; the owner's worker, closing last,
 * must not be told to remove it.  Between workers of one user the delete
 * is still carried out.
 */
static void
cross_user_delete(int master, int fd)
{
	uint32_t evil_uid = 60001, owner_uid = 60002;
	uint64_t he, ho;
	int evil, owner, again;

	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 3, &evil_uid, 4);
	owner = evil_new_peer(master, IPC_LOCKD_NEWPEER, 4, &owner_uid, 4);
	ho = open_as(owner, 10, fd, 0);
	he = open_as(evil, 11, fd, LOCKD_OPEN_DELETE_ON_CLOSE);
	evil_check("both users' opens are granted", ho != 0 && he != 0);
	evil_check("the evil user's close does not delete (the file is open)",
	    close_flags(evil, 12, he) == 0);
	evil_check("the owner's last close is not told to delete what "
	    "another user asked for", close_flags(owner, 13, ho) == 0);

	/* The same, with both workers of the owner. */
	again = evil_new_peer(master, IPC_LOCKD_NEWPEER, 5, &owner_uid, 4);
	ho = open_as(owner, 14, fd, 0);
	he = open_as(again, 15, fd, LOCKD_OPEN_DELETE_ON_CLOSE);
	(void)close_flags(again, 16, he);
	evil_check("a delete set by the closer's own user is carried out",
	    close_flags(owner, 17, ho) == LOCKD_CLOSE_DELETE);
	close(again);
	close(evil);
	close(owner);
}

int
main(void)
{
	uint32_t uid = 60001;
	uint8_t req[128];
	uint64_t claim[2], handle = 0;
	struct stat st;
	char victim[256];
	size_t n;
	int master, evil, honest, fd;
	int64_t st1;
	pid_t pid;

	evil_need("_usmbd-lock");
	evil_setup();
	pid = evil_start("usmbd-lockd", &master);
	evil_check("lockd started and said hello", evil_hello(master));

	/* Another user's file: the evil worker can stat it, not open it. */
	snprintf(victim, sizeof(victim), "%s/victim", evil_dir);
	if ((fd = open(victim, O_CREAT | O_RDWR, 0600)) == -1 ||
	    fstat(fd, &st) == -1)
		evil_hard(victim);
	claim[0] = (uint64_t)st.st_dev;
	claim[1] = (uint64_t)st.st_ino;

	/* Old wire form: (dev, ino) in the body, no descriptor. */
	evil = evil_new_peer(master, IPC_LOCKD_NEWPEER, 1, &uid, 4);
	n = open_req(req, 1, claim, sizeof(claim), GENERIC_ALL | DELETE, 0,
	    LOCKD_OPEN_DELETE_ON_CLOSE);
	if (ipc_send(evil, IPC_LOCKD_REQUEST, 0, -1, req, n) == -1)
		evil_hard("send");
	evil_check("an OPEN that claims a file without its descriptor gets no "
	    "answer", reply_status(evil, NULL) == -1);
	/* New wire form without the descriptor. */
	n = open_req(req, 2, NULL, 0, GENERIC_ALL | DELETE, 0,
	    LOCKD_OPEN_DELETE_ON_CLOSE);
	(void)ipc_send(evil, IPC_LOCKD_REQUEST, 0, -1, req, n);
	evil_check("and the claimer's channel is closed",
	    reply_status(evil, NULL) == -1 && read(evil, buf, 1) <= 0);
	close(evil);
	evil_check("lockd is still running", evil_alive(pid));

	/*
	 * The file's owner opens it sharing nothing; had the claim been
	 * believed (access, no sharing, delete on close), this would be a
	 * sharing violation or a pending delete.
	 */
	honest = evil_new_peer(master, IPC_LOCKD_NEWPEER, 2, &uid, 4);
	n = open_req(req, 3, NULL, 0, 0x00120089U, 0, 0);
	if (ipc_send(honest, IPC_LOCKD_REQUEST, 0, fd, req, n) == -1)
		evil_hard("send");
	st1 = reply_status(honest, &handle);
	evil_check("the owner's open with its descriptor is granted",
	    st1 == LOCKD_STATUS_OK);
	evil_check("and closed", close_flags(honest, 4, handle) == 0);
	cross_user_delete(master, fd);
	close(fd);
	evil_check("the file is still there", access(victim, F_OK) == 0);
	close(honest);
	return evil_done(master, pid);
}
