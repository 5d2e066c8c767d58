/*
 * The disk IO thread pool: every kind of job completes on the loop
 * thread with the right result, errors come back as errno values, many
 * jobs at once all complete, a PREPARE clamps its length at the end of
 * the file, an append lands at the end, and serial jobs run one at a
 * time in the order they were submitted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "aio.h"
#include "unit.h"

static struct event_base *base;
static int pending;

static void
done(struct aio_job *j)
{
	*(int *)j->arg = 1;
	pending--;
	if (pending == 0)
		event_base_loopbreak(base);
}

static void
run(struct aio_job *j, int *flag)
{
	*flag = 0;
	j->done = done;
	j->arg = flag;
	pending++;
	aio_submit(j);
}

static void
wait_all(void)
{
	if (pending > 0)
		event_base_dispatch(base);
}

/* Serial AIO_CALL jobs: how many run at once, and in what order. */
static atomic_int calls_running, calls_overlap, calls_next;
static int call_order[16];

static void
serial_call(struct aio_job *j)
{
	struct timespec ts = { 0, 2000000 };

	if (atomic_fetch_add(&calls_running, 1) != 0)
		atomic_store(&calls_overlap, 1);
	call_order[atomic_fetch_add(&calls_next, 1)] = (int)j->off;
	nanosleep(&ts, NULL);
	atomic_fetch_sub(&calls_running, 1);
	j->result = 0;
}

int
main(void)
{
	char path[] = "/tmp/test_aio.XXXXXX";
	uint8_t data[100000], back[100000];
	struct aio_job w, r, p, p2, s, bad, many[32];
	uint8_t bufs[32][512];
	int fd, fw, fr, fp, fp2, fs, fbad, fm[32], i, ok;

	base = event_base_new();
	CHECK(base != NULL);
	aio_init(base, 3);
	CHECK(aio_threads() == 3);
	fd = mkstemp(path);
	CHECK(fd != -1);
	unlink(path);
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);

	memset(&w, 0, sizeof(w));
	w.op = AIO_PWRITE;
	w.fd = fd;
	w.buf = data;
	w.len = sizeof(data);
	w.datasync = 1;
	run(&w, &fw);
	wait_all();
	CHECK(fw == 1);
	CHECK(w.result == (ssize_t)sizeof(data));

	/* A read across the end of the file is short, not an error. */
	memset(&r, 0, sizeof(r));
	r.op = AIO_PREAD;
	r.fd = fd;
	r.buf = back;
	r.off = 1000;
	r.len = sizeof(back);
	run(&r, &fr);
	memset(&p, 0, sizeof(p));
	p.op = AIO_PREPARE;
	p.fd = fd;
	p.off = 99000;
	p.len = 65536;
	run(&p, &fp);
	memset(&p2, 0, sizeof(p2));
	p2.op = AIO_PREPARE;
	p2.fd = fd;
	p2.off = 200000;
	p2.len = 10;
	run(&p2, &fp2);
	memset(&s, 0, sizeof(s));
	s.op = AIO_FSYNC;
	s.fd = fd;
	run(&s, &fs);
	memset(&bad, 0, sizeof(bad));
	bad.op = AIO_PREAD;
	bad.fd = -1;
	bad.buf = back;
	bad.len = 10;
	run(&bad, &fbad);
	wait_all();
	CHECK(fr == 1 && fp == 1 && fp2 == 1 && fs == 1 && fbad == 1);
	CHECK(r.result == (ssize_t)(sizeof(data) - 1000));
	CHECK_MEM(back, data + 1000, sizeof(data) - 1000);
	CHECK(p.result == 1000);
	CHECK(p2.result == 0);
	CHECK(s.result == 0);
	CHECK(bad.result == -1 && bad.error == EBADF);

	/* More jobs than threads: every one completes, each with its data. */
	for (i = 0; i < 32; i++) {
		memset(&many[i], 0, sizeof(many[i]));
		many[i].op = AIO_PREAD;
		many[i].fd = fd;
		many[i].off = (uint64_t)i * 512;
		many[i].len = 512;
		many[i].buf = bufs[i];
		run(&many[i], &fm[i]);
	}
	wait_all();
	ok = 1;
	for (i = 0; i < 32; i++)
		if (fm[i] != 1 || many[i].result != 512 ||
		    memcmp(bufs[i], data + i * 512, 512) != 0)
			ok = 0;
	CHECK(ok);

	/*
	 * Serial calls, with ordinary reads among them: never two calls at
	 * once, and in the order of submission.
	 */
	{
		struct aio_job calls[16], reads[16];
		int fc[16], fr2[16];

		for (i = 0; i < 16; i++) {
			memset(&calls[i], 0, sizeof(calls[i]));
			calls[i].op = AIO_CALL;
			calls[i].call = serial_call;
			calls[i].serial = 1;
			calls[i].off = (uint64_t)i;
			run(&calls[i], &fc[i]);
			memset(&reads[i], 0, sizeof(reads[i]));
			reads[i].op = AIO_PREAD;
			reads[i].fd = fd;
			reads[i].len = 512;
			reads[i].buf = bufs[i];
			run(&reads[i], &fr2[i]);
		}
		wait_all();
		ok = atomic_load(&calls_next) == 16;
		for (i = 0; i < 16; i++)
			if (fc[i] != 1 || fr2[i] != 1 || call_order[i] != i ||
			    reads[i].result != 512)
				ok = 0;
		CHECK(ok);
		CHECK(atomic_load(&calls_overlap) == 0);
	}

	/* Serial appends: each lands whole at the end, in order. */
	{
		struct aio_job app[16];
		uint8_t chunk[16][100], all[1600];
		struct stat st;
		int fa[16];

		for (i = 0; i < 16; i++) {
			memset(chunk[i], 'a' + i, sizeof(chunk[i]));
			memset(&app[i], 0, sizeof(app[i]));
			app[i].op = AIO_PAPPEND;
			app[i].serial = 1;
			app[i].fd = fd;
			app[i].buf = chunk[i];
			app[i].len = sizeof(chunk[i]);
			run(&app[i], &fa[i]);
		}
		wait_all();
		ok = 1;
		for (i = 0; i < 16; i++)
			if (fa[i] != 1 || app[i].result != 100 ||
			    app[i].off != sizeof(data) + (uint64_t)i * 100)
				ok = 0;
		CHECK(ok);
		CHECK(fstat(fd, &st) == 0 &&
		    st.st_size == (off_t)(sizeof(data) + sizeof(all)));
		CHECK(pread(fd, all, sizeof(all), sizeof(data)) ==
		    (ssize_t)sizeof(all));
		CHECK_MEM(all, chunk, sizeof(all));
	}
	close(fd);
	return unit_done();
}
