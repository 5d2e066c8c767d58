/*
 * The disk IO thread pool of the session worker.
 *
 * Jobs wait in one queue guarded by a mutex; a few threads take them,
 * make the system calls and put them on a done list, then wake the event
 * loop through an eventfd.  The loop thread runs the done callbacks, so
 * that the protocol engine, libevent, signing and encryption stay
 * single-threaded.  A job owns its descriptor (a dup of the open's) and
 * its buffer, so that a CLOSE or LOGOFF while it runs frees nothing the
 * thread still uses.
 *
 * Threads are created on first use: by then the worker is inside its
 * sandbox, and seccomp filters and Landlock rules apply only to threads
 * created after they were installed.
 */
#include "config.h"

#include <sys/eventfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "aio.h"
#include "log.h"
#include "util.h"

static struct {
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;
	TAILQ_HEAD(, aio_job)	 queue;
	TAILQ_HEAD(, aio_job)	 done;
	/* Serial jobs waiting for the one in the pool (loop thread only). */
	TAILQ_HEAD(, aio_job)	 serialq;
	int			 serial_busy;
	int			 max;		/* threads allowed */
	int			 running;	/* threads started */
	int			 idle;		/* threads waiting for a job */
	int			 queued;	/* jobs no thread has taken yet */
	int			 efd;
	struct event		*ev;
	uint32_t		 delay_ms;	/* regress */
} aio = {
	.mtx = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.efd = -1,
};

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

static void *
aio_thread(void *arg)
{
	struct aio_job *j;
	uint64_t one = 1;

	(void)arg;
	pthread_mutex_lock(&aio.mtx);
	for (;;) {
		while ((j = TAILQ_FIRST(&aio.queue)) == NULL) {
			aio.idle++;
			pthread_cond_wait(&aio.cond, &aio.mtx);
			aio.idle--;
		}
		TAILQ_REMOVE(&aio.queue, j, entry);
		aio.queued--;
		pthread_mutex_unlock(&aio.mtx);
		aio_run(j);
		pthread_mutex_lock(&aio.mtx);
		TAILQ_INSERT_TAIL(&aio.done, j, entry);
		/* A full eventfd counter still wakes the loop: ignore it. */
		if (write(aio.efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
			log_warn("aio: eventfd");
	}
	return NULL;
}

/* A serial job completed: the next one may start. */
static void
aio_serial_next(void)
{
	struct aio_job *j;

	aio.serial_busy = 0;
	if ((j = TAILQ_FIRST(&aio.serialq)) != NULL) {
		TAILQ_REMOVE(&aio.serialq, j, entry);
		aio_submit(j);
	}
}

/* Completions: run the done callbacks on the loop thread. */
static void
aio_donecb(evutil_socket_t fd, short what, void *arg)
{
	TAILQ_HEAD(, aio_job) list;
	struct aio_job *j;
	uint64_t cnt;

	(void)what;
	(void)arg;
	if (read(fd, &cnt, sizeof(cnt)) == -1 && errno != EAGAIN)
		log_warn("aio: eventfd");
	TAILQ_INIT(&list);
	pthread_mutex_lock(&aio.mtx);
	TAILQ_CONCAT(&list, &aio.done, entry);
	pthread_mutex_unlock(&aio.mtx);
	while ((j = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, j, entry);
		if (j->serial)
			aio_serial_next();
		j->done(j);
	}
}

void
aio_init(struct event_base *base, int nthreads)
{
	TAILQ_INIT(&aio.queue);
	TAILQ_INIT(&aio.done);
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
	if ((aio.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		fatal("aio: eventfd");
	aio.ev = event_new(base, aio.efd, EV_READ | EV_PERSIST, aio_donecb,
	    NULL);
	if (aio.ev == NULL || event_add(aio.ev, NULL) == -1)
		fatalx("aio: event");
}

/* One more thread; the caller holds the mutex. */
static int
aio_spawn(void)
{
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	int r;

	/* Signals are the loop thread's business: threads block them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	r = pthread_create(&t, &attr, aio_thread, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		errno = r;
		log_warn("aio: cannot start a thread");
		return -1;
	}
	aio.running++;
	return 0;
}

void
aio_submit(struct aio_job *j)
{
	uint64_t one = 1;

	if (j->serial) {
		if (aio.serial_busy) {
			TAILQ_INSERT_TAIL(&aio.serialq, j, entry);
			return;
		}
		aio.serial_busy = 1;
	}
	pthread_mutex_lock(&aio.mtx);
#ifdef USMBD_REGRESS_HOOKS
	if (aio.delay_ms > 0 && (j->op == AIO_PREAD || j->op == AIO_PREPARE ||
	    j->op == AIO_CALL)) {
		j->delay_ms = aio.delay_ms;
		aio.delay_ms = 0;
	}
#endif
	/*
	 * One more thread when the jobs not yet taken outnumber the idle
	 * threads: an idle thread that was signalled but has not woken yet
	 * still counts as idle, and a burst of jobs must not all fall to it.
	 */
	if (aio.queued + 1 > aio.idle && aio.running < aio.max)
		(void)aio_spawn();
	if (aio.running == 0) {
		/* No thread at all: do it here, complete it later. */
		pthread_mutex_unlock(&aio.mtx);
		aio_run(j);
		pthread_mutex_lock(&aio.mtx);
		TAILQ_INSERT_TAIL(&aio.done, j, entry);
		if (write(aio.efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
			log_warn("aio: eventfd");
		pthread_mutex_unlock(&aio.mtx);
		return;
	}
	TAILQ_INSERT_TAIL(&aio.queue, j, entry);
	aio.queued++;
	pthread_cond_signal(&aio.cond);
	pthread_mutex_unlock(&aio.mtx);
}

#ifdef USMBD_REGRESS_HOOKS
void
aio_regress_delay(uint32_t ms)
{
	pthread_mutex_lock(&aio.mtx);
	aio.delay_ms = ms;
	pthread_mutex_unlock(&aio.mtx);
}
#endif
