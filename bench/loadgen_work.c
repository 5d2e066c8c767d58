/*
 * The workloads of usmbd-loadgen.  Each is a small state machine over a
 * slot (one unit of queue depth): start() picks what the next operation
 * works on, send() queues the requests of its current step, resp() reads
 * each response and says whether the operation goes on or is over.  An
 * operation that meets an error still closes what it opened, then counts
 * as one error instead of one operation.
 *
 * What a workload works on is made before it is timed, by prepare():
 * fixtures that later runs reuse (the data file, the files to stat, the
 * large directory) are named after their size and marked complete with a
 * file of their own; what a run consumes or litters (new files, the
 * files to unlink) lives in a directory of its own.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fscc.h"
#include "log.h"
#include "ntstatus.h"
#include "smb2.h"
#include "util.h"

#include "loadgen.h"

/* Take the slot's next operation number; -1 past the phase's limit. */
static int
work_next(struct lg_slot *s)
{
	struct lg_phase *ph = s->conn->ph;

	s->idx = atomic_fetch_add(&ph->next, 1);
	return ph->limit != 0 && s->idx >= ph->limit ? -1 : 0;
}

/* A response that must be a success, or the operation fails. */
static int
work_ok(struct lg_slot *s, const struct lg_resp *r)
{
	if (r->hdr.status == NT_STATUS_SUCCESS)
		return 1;
	lg_count_error(s, r->hdr.command, r->hdr.status);
	return 0;
}

/* Synchronous helpers for the setup, on one connection. */

static int
sync_create(struct lg_conn *c, const char *name, uint32_t access,
    uint32_t disp, uint32_t opts, uint8_t fid[16], uint64_t *eof,
    uint32_t *status)
{
	struct lg_sync y;
	struct lg_resp r;
	struct wbuf *w;
	int rv = 0;

	w = lg_req(c, SMB2_CREATE, 0);
	if (lg_put_create(w, name, access, disp, opts,
	    (opts & FILE_DIRECTORY_FILE) ? FILE_ATTRIBUTE_DIRECTORY :
	    FILE_ATTRIBUTE_NORMAL) == -1 || lg_transact(c, &y) == -1)
		return -1;
	lg_sync_resp(&y, &r);
	*status = r.hdr.status;
	if (r.hdr.status == NT_STATUS_SUCCESS)
		rv = lg_get_create(&r, fid, eof);
	lg_sync_free(&y);
	return rv;
}

static int
sync_close(struct lg_conn *c, const uint8_t fid[16])
{
	struct lg_sync y;
	struct wbuf *w;
	int rv;

	w = lg_req(c, SMB2_CLOSE, 0);
	if (lg_put_close(w, fid) == -1 || lg_transact(c, &y) == -1)
		return -1;
	rv = y.hdr.status == NT_STATUS_SUCCESS ? 0 : -1;
	lg_sync_free(&y);
	return rv;
}

/* Open or create, then close: a directory when dir is set. */
static int
sync_make(struct lg_conn *c, const char *name, int dir, uint32_t disp)
{
	uint8_t fid[16];
	uint32_t st;

	if (sync_create(c, name, FILE_READ_ATTRIBUTES | SYNCHRONIZE, disp,
	    dir ? FILE_DIRECTORY_FILE : FILE_NON_DIRECTORY_FILE, fid, NULL,
	    &st) == -1)
		return -1;
	if (st != NT_STATUS_SUCCESS) {
		log_warnx("create %s: %s", name, ntstatus_name(st));
		return -1;
	}
	return sync_close(c, fid);
}

int
lg_mkdir_sync(struct lg_conn *c, const char *name, int open_if)
{
	return sync_make(c, name, 1, open_if ? FILE_OPEN_IF : FILE_CREATE);
}

int
lg_touch_sync(struct lg_conn *c, const char *name)
{
	return sync_make(c, name, 0, FILE_OPEN_IF);
}

/* 1 when name exists, 0 when it does not, -1 on another error. */
int
lg_exists_sync(struct lg_conn *c, const char *name)
{
	uint8_t fid[16];
	uint32_t st;

	if (sync_create(c, name, FILE_READ_ATTRIBUTES | SYNCHRONIZE,
	    FILE_OPEN, 0, fid, NULL, &st) == -1)
		return -1;
	if (st == NT_STATUS_OBJECT_NAME_NOT_FOUND ||
	    st == NT_STATUS_OBJECT_PATH_NOT_FOUND)
		return 0;
	if (st != NT_STATUS_SUCCESS) {
		log_warnx("open %s: %s", name, ntstatus_name(st));
		return -1;
	}
	return sync_close(c, fid) == 0 ? 1 : -1;
}

/* echo: one ECHO per operation, the smallest request there is. */

static int
echo_start(struct lg_slot *s)
{
	return work_next(s);
}

static int
echo_send(struct lg_slot *s)
{
	struct lg_conn *c = s->conn;

	lg_put_echo(lg_req(c, SMB2_ECHO, 0));
	lg_send(c, s);
	return 1;
}

static int
echo_resp(struct lg_slot *s, const struct lg_resp *r)
{
	work_ok(s, r);
	return LG_DONE;
}

static const struct lg_work works[] = {
	{ "echo", "ECHO", NULL, echo_start, echo_send, echo_resp },
};

const struct lg_work *
lg_work_find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(works); i++)
		if (strcmp(works[i].name, name) == 0)
			return &works[i];
	return NULL;
}

void
lg_work_list(void)
{
	size_t i;

	for (i = 0; i < nitems(works); i++)
		printf("%-8s %s\n", works[i].name, works[i].what);
}
