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

#define SMB2_RESTART_SCANS			0x01
#define FILE_ALL_INFORMATION			18
#define FILE_ID_BOTH_DIRECTORY_INFORMATION	0x25

/* Take the slot's next operation number; -1 past the phase's limit. */
int
lg_work_next(struct lg_slot *s)
{
	struct lg_phase *ph = s->conn->ph;

	s->idx = atomic_fetch_add(&ph->next, 1);
	return ph->limit != 0 && s->idx >= ph->limit ? -1 : 0;
}

/* A response that must be a success, or the operation fails. */
int
lg_work_ok(struct lg_slot *s, const struct lg_resp *r)
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

/* Names: into a buffer the size of any path this program makes. */

/* The bytes every WRITE sends. */
static uint8_t		 work_data[65536];

static uint32_t
work_rand(struct lg_conn *c)
{
	/* xorshift64*: the offsets need spread, not secrecy. */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (uint32_t)((c->rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static int
work_start_seq(struct lg_slot *s)
{
	return lg_work_next(s);
}

/* An operation on one of the fixture's files, picked at random. */
static int
work_start_pick(struct lg_slot *s)
{
	if (lg_work_next(s) == -1)
		return -1;
	s->off = work_rand(s->conn) % s->conn->ph->nfiles;
	return 0;
}

/* echo: one ECHO per operation, the smallest request there is. */

static int
echo_send(struct lg_slot *s)
{
	struct lg_conn *c = s->conn;

	lg_put_echo(lg_req(c, SMB2_ECHO, 0));
	lg_send(c, s);
	return 1;
}

static int
single_resp(struct lg_slot *s, const struct lg_resp *r)
{
	lg_work_ok(s, r);
	return LG_DONE;
}

/* read, write: one READ or WRITE at a random aligned offset. */

static int
rw_start(struct lg_slot *s)
{
	struct lg_phase *ph = s->conn->ph;
	uint64_t blocks = ph->filesize / ph->iosize;

	if (lg_work_next(s) == -1)
		return -1;
	s->off = (work_rand(s->conn) % blocks) * ph->iosize;
	return 0;
}

static int
read_send(struct lg_slot *s)
{
	struct lg_conn *c = s->conn;

	lg_put_read(lg_req(c, SMB2_READ, 0), c->fid, s->off, c->ph->iosize);
	lg_send(c, s);
	return 1;
}

static int
write_send(struct lg_slot *s)
{
	struct lg_conn *c = s->conn;

	lg_put_write(lg_req(c, SMB2_WRITE, 0), c->fid, s->off, work_data,
	    c->ph->iosize);
	lg_send(c, s);
	return 1;
}

/*
 * The operations that open a file, maybe do something with the handle,
 * and close it: step 0 is the CREATE, step 1 the middle (which may run
 * more than once), step 2 the CLOSE.
 */
struct occ {
	uint32_t	 access;
	uint32_t	 disp;
	uint32_t	 opts;
	const char	*prefix;	/* of the names in the run directory */
	void		(*name)(struct lg_slot *, char *, size_t);
	void		(*mid_send)(struct lg_slot *);
	/* 1: the middle again, 0: on to CLOSE, -1: failed, on to CLOSE. */
	int		(*mid_resp)(struct lg_slot *, const struct lg_resp *);
	void		(*done)(struct lg_slot *);
};

static int
occ_send(struct lg_slot *s)
{
	const struct occ *o = s->conn->ph->work->arg;
	struct lg_conn *c = s->conn;
	char name[LG_NAME];

	switch (s->step) {
	case 0:
		o->name(s, name, sizeof(name));
		lg_put_create(lg_req(c, SMB2_CREATE, 0), name, o->access,
		    o->disp, o->opts, (o->opts & FILE_DIRECTORY_FILE) ?
		    FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_NORMAL);
		break;
	case 1:
		o->mid_send(s);
		break;
	default:
		lg_put_close(lg_req(c, SMB2_CLOSE, 0), s->fid);
		break;
	}
	lg_send(c, s);
	return 1;
}

static int
occ_resp(struct lg_slot *s, const struct lg_resp *r)
{
	const struct occ *o = s->conn->ph->work->arg;
	int rv;

	switch (s->step) {
	case 0:
		if (!lg_work_ok(s, r))
			return LG_DONE;
		if (lg_get_create(r, s->fid, NULL) == -1) {
			lg_count_error(s, r->hdr.command, NT_STATUS_SUCCESS);
			return LG_DONE;
		}
		s->step = o->mid_send != NULL ? 1 : 2;
		return LG_NEXT;
	case 1:
		if ((rv = o->mid_resp(s, r)) == -1)
			lg_count_error(s, r->hdr.command, r->hdr.status);
		if (rv != 1)
			s->step = 2;
		return LG_NEXT;
	default:
		if (lg_work_ok(s, r) && !s->failed && o->done != NULL)
			o->done(s);
		return LG_DONE;
	}
}

static int
mid_ok(struct lg_slot *s, const struct lg_resp *r)
{
	return r->hdr.status == NT_STATUS_SUCCESS ? 0 : -1;
}

/* open, stat: a file of the fixture. */
static void
name_fixture(struct lg_slot *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/f%llu", s->conn->ph->fixture,
	    (unsigned long long)s->off);
}

static void
stat_mid_send(struct lg_slot *s)
{
	lg_put_query_info(lg_req(s->conn, SMB2_QUERY_INFO, 0), s->fid,
	    FILE_ALL_INFORMATION, 4096);
}

/* create, mkdir, unlink, rmdir: <rundir>/<prefix><number>. */
static void
name_run(struct lg_slot *s, char *buf, size_t len)
{
	const struct occ *o = s->conn->ph->work->arg;

	snprintf(buf, len, "%s/%s%llu", s->conn->ph->rundir, o->prefix,
	    (unsigned long long)s->idx);
}

/* create: 4 KiB written to the new file. */
static void
create_mid_send(struct lg_slot *s)
{
	lg_put_write(lg_req(s->conn, SMB2_WRITE, 0), s->fid, 0, work_data,
	    s->conn->ph->iosize);
}

/* rename: each slot's own file, from n<slot> to m<slot> and back. */
static void
name_rename(struct lg_slot *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%c%d", s->conn->ph->rundir,
	    s->aux ? 'm' : 'n', s->gidx);
}

static void
rename_mid_send(struct lg_slot *s)
{
	char to[LG_NAME];

	snprintf(to, sizeof(to), "%s/%c%d", s->conn->ph->rundir,
	    s->aux ? 'n' : 'm', s->gidx);
	lg_put_rename(lg_req(s->conn, SMB2_SET_INFO, 0), s->fid, to);
}

static void
rename_done(struct lg_slot *s)
{
	s->aux = !s->aux;
}

/* readdir: the whole large directory, 64 KiB a QUERY_DIRECTORY. */
static int
readdir_start(struct lg_slot *s)
{
	s->n = 0;
	return lg_work_next(s);
}

static void
name_dir(struct lg_slot *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s->conn->ph->fixture);
}

static void
readdir_mid_send(struct lg_slot *s)
{
	lg_put_query_dir(lg_req(s->conn, SMB2_QUERY_DIRECTORY, 0), s->fid,
	    FILE_ID_BOTH_DIRECTORY_INFORMATION,
	    s->n == 0 ? SMB2_RESTART_SCANS : 0, "*", 65536);
}

/* Count the entries of a QUERY_DIRECTORY response (2.2.34). */
static int
readdir_mid_resp(struct lg_slot *s, const struct lg_resp *r)
{
	struct rbuf b = r->msg, out;
	uint32_t next, len;
	uint16_t off;

	if (r->hdr.status == NT_STATUS_NO_MORE_FILES)
		return s->n >= s->conn->ph->dirents ? 0 : -1;
	if (r->hdr.status != NT_STATUS_SUCCESS)
		return -1;
	rbuf_seek(&b, SMB2_HEADER_SIZE + 2);
	rbuf_get_u16le(&b, &off);
	rbuf_get_u32le(&b, &len);
	if (rbuf_error(&b) || rbuf_sub(&b, off, len, &out) == -1)
		return -1;
	do {
		if (rbuf_peek_u32le(&out, 0, &next) == -1)
			return -1;
		s->n++;
	} while (next != 0 && rbuf_skip(&out, next) == 0);
	return 1;
}

#define RD	(FILE_READ_ATTRIBUTES | SYNCHRONIZE)

static const struct occ occ_open = { FILE_READ_DATA | RD, FILE_OPEN,
	FILE_NON_DIRECTORY_FILE, NULL, name_fixture, NULL, NULL, NULL };
static const struct occ occ_stat = { RD, FILE_OPEN, 0, NULL, name_fixture,
	stat_mid_send, mid_ok, NULL };
static const struct occ occ_create = { FILE_READ_DATA | FILE_WRITE_DATA |
	RD, FILE_CREATE, FILE_NON_DIRECTORY_FILE, "c", name_run,
	create_mid_send, mid_ok, NULL };
static const struct occ occ_mkdir = { RD, FILE_CREATE, FILE_DIRECTORY_FILE,
	"d", name_run, NULL, NULL, NULL };
static const struct occ occ_unlink = { DELETE | RD, FILE_OPEN,
	FILE_NON_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, "u", name_run, NULL,
	NULL, NULL };
static const struct occ occ_rmdir = { DELETE | RD, FILE_OPEN,
	FILE_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, "r", name_run, NULL,
	NULL, NULL };
static const struct occ occ_rename = { DELETE | RD, FILE_OPEN,
	FILE_NON_DIRECTORY_FILE, NULL, name_rename, rename_mid_send, mid_ok,
	rename_done };
static const struct occ occ_readdir = { FILE_LIST_DIRECTORY | RD,
	FILE_OPEN, FILE_DIRECTORY_FILE, NULL, name_dir, readdir_mid_send,
	readdir_mid_resp, NULL };

/*
 * statc: CREATE, QUERY_INFO and CLOSE in one related compound, as Windows
 * and the Linux client ask for a file's attributes: one round trip.
 */
static int
statc_send(struct lg_slot *s)
{
	struct lg_conn *c = s->conn;
	char name[LG_NAME];

	name_fixture(s, name, sizeof(name));
	lg_put_create(lg_req(c, SMB2_CREATE, 0), name, RD, FILE_OPEN, 0,
	    FILE_ATTRIBUTE_NORMAL);
	lg_put_query_info(lg_req(c, SMB2_QUERY_INFO, 1), lg_related_fid,
	    FILE_ALL_INFORMATION, 4096);
	lg_put_close(lg_req(c, SMB2_CLOSE, 1), lg_related_fid);
	lg_send(c, s);
	return 3;
}

static int
statc_resp(struct lg_slot *s, const struct lg_resp *r)
{
	if (!s->failed)
		lg_work_ok(s, r);
	return s->nwait > 0 ? LG_WAIT : LG_DONE;
}

/* The setup's own operations. */

/* Make <mkprefix><number>, a file or a directory. */
static void
name_mk(struct lg_slot *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s%llu", s->conn->ph->mkprefix,
	    (unsigned long long)s->idx);
}

static const struct occ occ_mkfile = { RD, FILE_OPEN_IF,
	FILE_NON_DIRECTORY_FILE, NULL, name_mk, NULL, NULL, NULL };
static const struct occ occ_mkdirs = { RD, FILE_OPEN_IF,
	FILE_DIRECTORY_FILE, NULL, name_mk, NULL, NULL, NULL };

static const struct lg_work work_mkfile = { .name = "mkfile",
	.start = work_start_seq, .send = occ_send, .resp = occ_resp,
	.arg = &occ_mkfile, .chain = 1 };
static const struct lg_work work_mkdirs = { .name = "mkdirs",
	.start = work_start_seq, .send = occ_send, .resp = occ_resp,
	.arg = &occ_mkdirs, .chain = 1 };

/* Fill the data file 64 KiB a WRITE, each connection on its handle. */
static int
fill_send(struct lg_slot *s)
{
	struct lg_conn *c = s->conn;

	lg_put_write(lg_req(c, SMB2_WRITE, 0), c->fid, s->idx * 65536,
	    work_data, 65536);
	lg_send(c, s);
	return 1;
}

static const struct lg_work work_fill = { .name = "fill",
	.start = work_start_seq, .send = fill_send, .resp = single_resp,
	.chain = 1 };

/* Preparation, before the clock starts. */

/* Run a setup phase of limit operations, at depth 16 or more. */
static int
prep_run(struct lg_phase *ph, const struct lg_work *w, uint64_t limit)
{
	struct lg_phase sp;
	int rv;

	memset(&sp, 0, sizeof(sp));
	sp.work = w;
	sp.conns = ph->conns;
	sp.nconns = ph->nconns;
	sp.qd = ph->qd < 16 ? 16 : ph->qd;
	sp.nthreads = ph->nthreads;
	sp.limit = limit;
	atomic_init(&sp.next, 0);
	atomic_init(&sp.stop, 0);
	memcpy(sp.mkprefix, ph->mkprefix, sizeof(sp.mkprefix));
	sp.iosize = ph->iosize;
	if ((rv = lg_phase_run(&sp)) == -1)
		log_warnx("setup: %llu errors, the last %s: %s",
		    (unsigned long long)sp.result->errors,
		    smb2_command_name(sp.result->last_cmd),
		    ntstatus_name(sp.result->last_status));
	free(sp.result);
	return rv;
}

/* Make the files or directories <dir>/<prefix><n> for n < count. */
static int
prep_many(struct lg_phase *ph, const char *dir, const char *prefix,
    uint64_t count, int dirs)
{
	snprintf(ph->mkprefix, sizeof(ph->mkprefix), "%s/%s", dir, prefix);
	return prep_run(ph, dirs ? &work_mkdirs : &work_mkfile, count);
}

/*
 * A fixture that later runs reuse: made once, then marked done by a file
 * beside it, so that a run cut short makes it again.
 */
static int
prep_fixture(struct lg_phase *ph, const char *prefix, uint64_t count)
{
	struct lg_conn *c = ph->conns[0];
	char done[sizeof(ph->fixture) + 8];
	int rv;

	snprintf(done, sizeof(done), "%s.done", ph->fixture);
	if ((rv = lg_exists_sync(c, done)) != 0)
		return rv == 1 ? 0 : -1;
	if (lg_mkdir_sync(c, ph->fixture, 1) == -1 ||
	    prep_many(ph, ph->fixture, prefix, count, 0) == -1)
		return -1;
	return lg_touch_sync(c, done);
}

/* The run's own directory, for what it makes or removes. */
static int
prep_rundir(struct lg_phase *ph)
{
	snprintf(ph->rundir, sizeof(ph->rundir), "loadgen-run-%ld-%08x",
	    (long)getpid(), arc4random());
	return lg_mkdir_sync(ph->conns[0], ph->rundir, 0);
}

/* read, write: every connection opens the data file; fill it once. */
static int
prep_rw(struct lg_phase *ph)
{
	char done[sizeof(ph->fixture) + 8];
	uint32_t st;
	int i, rv;

	if (ph->filesize % 65536 != 0 || ph->filesize < ph->iosize) {
		log_warnx("the file size must be a multiple of 64 KiB");
		return -1;
	}
	arc4random_buf(work_data, sizeof(work_data));
	snprintf(ph->fixture, sizeof(ph->fixture), "loadgen-%llu.dat",
	    (unsigned long long)ph->filesize);
	for (i = 0; i < ph->nconns; i++) {
		if (sync_create(ph->conns[i], ph->fixture, FILE_READ_DATA |
		    FILE_WRITE_DATA | RD, FILE_OPEN_IF,
		    FILE_NON_DIRECTORY_FILE, ph->conns[i]->fid, NULL, &st) ==
		    -1 || st != NT_STATUS_SUCCESS) {
			log_warnx("open %s: %s", ph->fixture,
			    ntstatus_name(st));
			return -1;
		}
		ph->conns[i]->have_fid = 1;
	}
	snprintf(done, sizeof(done), "%s.done", ph->fixture);
	if ((rv = lg_exists_sync(ph->conns[0], done)) != 0)
		return rv == 1 ? 0 : -1;
	if (prep_run(ph, &work_fill, ph->filesize / 65536) == -1)
		return -1;
	return lg_touch_sync(ph->conns[0], done);
}

/* open, stat, statc: the files to open, picked at random. */
static int
prep_files(struct lg_phase *ph)
{
	snprintf(ph->fixture, sizeof(ph->fixture), "loadgen-files-%u",
	    ph->nfiles);
	return prep_fixture(ph, "f", ph->nfiles);
}

static int
prep_readdir(struct lg_phase *ph)
{
	snprintf(ph->fixture, sizeof(ph->fixture), "loadgen-dir-%u",
	    ph->dirents);
	return prep_fixture(ph, "entry-", ph->dirents);
}

static int
prep_create(struct lg_phase *ph)
{
	arc4random_buf(work_data, sizeof(work_data));
	return prep_rundir(ph);
}

/* unlink, rmdir: a pool to remove; the run ends when it is empty. */
static int
prep_pool(struct lg_phase *ph, const char *prefix, int dirs)
{
	if (prep_rundir(ph) == -1 ||
	    prep_many(ph, ph->rundir, prefix, ph->pool, dirs) == -1)
		return -1;
	if (ph->limit == 0 || ph->limit > ph->pool)
		ph->limit = ph->pool;
	return 0;
}

static int
prep_unlink(struct lg_phase *ph)
{
	return prep_pool(ph, "u", 0);
}

static int
prep_rmdir(struct lg_phase *ph)
{
	return prep_pool(ph, "r", 1);
}

int
lg_prep_slot_files(struct lg_phase *ph, const char *prefix)
{
	if (prep_rundir(ph) == -1)
		return -1;
	return prep_many(ph, ph->rundir, prefix,
	    (uint64_t)ph->nconns * (uint64_t)ph->qd, 0);
}

/* rename: one file per slot of the timed phase. */
static int
prep_rename(struct lg_phase *ph)
{
	return lg_prep_slot_files(ph, "n");
}

#define WORK(n, w, p, st, se, r, a, ch)	{ .name = (n), .what = (w),	\
	.prepare = (p), .start = (st), .send = (se), .resp = (r),	\
	.arg = (a), .chain = (ch) }

static const struct lg_work works[] = {
	WORK("echo", "ECHO", NULL, work_start_seq, echo_send, single_resp,
	    NULL, 1),
	WORK("read", "READ of 4 KiB (-b) at random in a file of -s bytes",
	    prep_rw, rw_start, read_send, single_resp, NULL, 1),
	WORK("write", "WRITE of 4 KiB (-b) at random in a file of -s bytes",
	    prep_rw, rw_start, write_send, single_resp, NULL, 1),
	WORK("open", "CREATE, CLOSE of one of -F files",
	    prep_files, work_start_pick, occ_send, occ_resp, &occ_open, 1),
	WORK("stat", "CREATE, QUERY_INFO (FileAllInformation), CLOSE",
	    prep_files, work_start_pick, occ_send, occ_resp, &occ_stat, 1),
	WORK("statc", "the same as one related compound",
	    prep_files, work_start_pick, statc_send, statc_resp, NULL, 3),
	WORK("create", "CREATE a new file, WRITE 4 KiB (-b), CLOSE",
	    prep_create, work_start_seq, occ_send, occ_resp, &occ_create, 1),
	WORK("rename", "CREATE, SET_INFO (FileRenameInformation), CLOSE",
	    prep_rename, work_start_seq, occ_send, occ_resp, &occ_rename, 1),
	WORK("unlink", "CREATE with delete on close, CLOSE (-k files)",
	    prep_unlink, work_start_seq, occ_send, occ_resp, &occ_unlink, 1),
	WORK("mkdir", "CREATE a new directory, CLOSE",
	    prep_create, work_start_seq, occ_send, occ_resp, &occ_mkdir, 1),
	WORK("rmdir", "CREATE with delete on close, CLOSE (-k directories)",
	    prep_rmdir, work_start_seq, occ_send, occ_resp, &occ_rmdir, 1),
	WORK("readdir", "CREATE, QUERY_DIRECTORY until the end of -e "
	    "entries, CLOSE", prep_readdir, readdir_start, occ_send,
	    occ_resp, &occ_readdir, 1),
};

const struct lg_work *
lg_work_find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(works); i++)
		if (strcmp(works[i].name, name) == 0)
			return &works[i];
	for (i = 0; i < lg_work_nbreaks; i++)
		if (strcmp(lg_work_breaks[i].name, name) == 0)
			return &lg_work_breaks[i];
	return NULL;
}

void
lg_work_list(void)
{
	size_t i;

	for (i = 0; i < nitems(works); i++)
		printf("%-8s %s\n", works[i].name, works[i].what);
	for (i = 0; i < lg_work_nbreaks; i++)
		printf("%-8s %s\n", lg_work_breaks[i].name,
		    lg_work_breaks[i].what);
}
