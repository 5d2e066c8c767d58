/*
 * The disk IO thread pool of the session worker.
 *
 * A few threads (shared/tpool.c) make the system calls of a job; the loop
 * thread runs the done callbacks, so that the protocol engine, libevent,
 * signing and encryption stay single-threaded.  A job owns its descriptor
 * (a dup of the open's) and its buffer, so that a CLOSE or LOGOFF while
 * it runs frees nothing the thread still uses.
 *
 * Threads are created on first use: by then the worker is inside its
 * sandbox, and seccomp filters and Landlock rules apply only to threads
 * created after they were installed.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "aio.h"
#include "log.h"
#include "tpool.h"
#include "util.h"

/* Loop thread only. */
static struct {
	struct tpool		*pool;
	/* Serial jobs waiting for the one in the pool. */
	TAILQ_HEAD(, aio_job)	 serialq;
	int			 serial_busy;
	int			 max;		/* threads allowed */
	uint32_t		 delay_ms;	/* regress */
} aio;

#define AIO_JOB(tj)	((struct aio_job *)(void *)((char *)(tj) - \
			    offsetof(struct aio_job, tp)))

int
aio_threads(void)
{
	return aio.max;
}

/* Read ahead without the readahead(2) wrapper's sign conversions. */
static void
aio_readahead(int fd, uint64_t off, size_t len)
{
	(void)posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_WILLNEED);
	(void)readahead(fd, (off64_t)off, len);
}

void
aio_run(struct aio_job *j)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;

	if (j->delay_ms > 0) {
		struct timespec ts;

		ts.tv_sec = j->delay_ms / 1000;
		ts.tv_nsec = (long)(j->delay_ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	j->result = -1;
	j->error = 0;
	switch (j->op) {
	case AIO_PREAD:
		/* Read until len or end of file, so a short result means EOF. */
		if ((n = pread_full(j->fd, j->buf, j->len, j->off)) == -1) {
			j->error = errno;
			return;
		}
		j->result = n;
		break;
	case AIO_PWRITE:
		/*
		 * Write everything or fail: nothing is reported as written
		 * that did not reach the file.
		 */
		if (pwrite_full(j->fd, j->buf, j->len, j->off) == -1) {
			j->error = errno;
			return;
		}
		done = j->len;
		if (j->datasync && fdatasync(j->fd) == -1) {
			j->error = errno;
			return;
		}
		j->result = (ssize_t)done;
		break;
	case AIO_PAPPEND:
		/*
		 * The end of the file is where it is now: serial jobs keep
		 * two appends from both finding the same end.
		 */
		if (fstat(j->fd, &st) == -1) {
			j->error = errno;
			return;
		}
		j->off = (uint64_t)st.st_size;
		if (pwrite_full(j->fd, j->buf, j->len, j->off) == -1) {
			j->error = errno;
			return;
		}
		if (j->datasync && fdatasync(j->fd) == -1) {
			j->error = errno;
			return;
		}
		j->result = (ssize_t)j->len;
		break;
	case AIO_CALL:
		j->call(j);
		break;
	case AIO_FSYNC:
		if (fsync(j->fd) == -1) {
			j->error = errno;
			return;
		}
		j->result = 0;
		break;
	case AIO_PREPARE:
		/*
		 * How much is there to send, and bring it into the page
		 * cache, so that sendfile() on the loop thread finds it there.
		 */
		if (fstat(j->fd, &st) == -1) {
			j->error = errno;
			return;
		}
		if ((uint64_t)st.st_size <= j->off)
			j->result = 0;
		else if ((uint64_t)st.st_size - j->off < j->len)
			j->result = (ssize_t)((uint64_t)st.st_size - j->off);
		else
			j->result = (ssize_t)j->len;
		if (j->result > 0)
			aio_readahead(j->fd, j->off, (size_t)j->result);
		break;
	}
}

int	(*aio_ident_get)(void);
void	(*aio_ident_set)(int);

static void	aio_submit_job(struct aio_job *);

/* In a pool thread: the job's system calls, as whom it acts. */
static void
aio_pool_run(struct tpool_job *tj)
{
	if (aio_ident_set != NULL)
		aio_ident_set(AIO_JOB(tj)->ident);
	aio_run(AIO_JOB(tj));
}

/* A serial job completed: the next one may start. */
static void
aio_serial_next(void)
{
	struct aio_job *j;

	aio.serial_busy = 0;
	if ((j = TAILQ_FIRST(&aio.serialq)) != NULL) {
		TAILQ_REMOVE(&aio.serialq, j, entry);
		aio_submit_job(j);
	}
}

/* On the loop thread: the next serial job, then the done callback. */
static void
aio_pool_done(struct tpool_job *tj)
{
	struct aio_job *j = AIO_JOB(tj);

	if (j->serial)
		aio_serial_next();
	if (aio_ident_set != NULL)
		aio_ident_set(j->ident);
	j->done(j);
}

void
aio_init(struct event_base *base, int nthreads)
{
	TAILQ_INIT(&aio.serialq);
	aio.max = nthreads;
	/*
	 * READ buffers and WRITE frames of up to 8 MiB now live until their
	 * IO completes, several at a time.  Served from mmap() each would
	 * be faulted in afresh and unmapped with a TLB shootdown across the
	 * threads every time; from the heap they are reused.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
	if (nthreads == 0)
		return;
	aio.pool = tpool_new(base, "aio", nthreads, 256 * 1024, aio_pool_run,
	    aio_pool_done);
}

void
aio_submit(struct aio_job *j)
{
	j->ident = aio_ident_get != NULL ? aio_ident_get() : 0;
	aio_submit_job(j);
}

static void
aio_submit_job(struct aio_job *j)
{
	if (j->serial) {
		if (aio.serial_busy) {
			TAILQ_INSERT_TAIL(&aio.serialq, j, entry);
			return;
		}
		aio.serial_busy = 1;
	}
#ifdef USMBD_REGRESS_HOOKS
	if (aio.delay_ms > 0 && (j->op == AIO_PREAD || j->op == AIO_PREPARE ||
	    j->op == AIO_CALL)) {
		j->delay_ms = aio.delay_ms;
		aio.delay_ms = 0;
	}
#endif
	tpool_submit(aio.pool, &j->tp);
}

#ifdef USMBD_REGRESS_HOOKS
void
aio_regress_delay(uint32_t ms)
{
	aio.delay_ms = ms;
}

int
aio_regress_delay_armed(void)
{
	return aio.delay_ms > 0;
}
#endif
