/*
 * The thread pool of shared/tpool.h.
 */
#include "config.h"

#include <sys/eventfd.h>
#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "tpool.h"
#include "util.h"

struct tpool {
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;
	TAILQ_HEAD(, tpool_job)	 queue;
	TAILQ_HEAD(, tpool_job)	 done;
	int			 max;		/* threads allowed */
	int			 running;	/* threads started */
	int			 idle;		/* threads waiting for a job */
	int			 queued;	/* jobs no thread has taken yet */
	size_t			 stacksize;
	int			 efd;
	struct event		*ev;
	tpool_run_cb		 run;
	tpool_done_cb		 donecb;
	char			*name;
};

/* Put a job on the done list and wake the loop; the mutex is held. */
static void
tpool_put_done(struct tpool *tp, struct tpool_job *j)
{
	uint64_t one = 1;
	ssize_t n;

	j->tp_state = TPOOL_DONE;
	TAILQ_INSERT_TAIL(&tp->done, j, tp_entry);
	/*
	 * A full eventfd counter still wakes the loop.  Nothing is logged
	 * here: this may be a pool thread, and the log is the loop's.
	 */
	n = write(tp->efd, &one, sizeof(one));
	(void)n;
}

static void *
tpool_thread(void *arg)
{
	struct tpool *tp = arg;
	struct tpool_job *j;

	pthread_mutex_lock(&tp->mtx);
	for (;;) {
		while ((j = TAILQ_FIRST(&tp->queue)) == NULL) {
			tp->idle++;
			pthread_cond_wait(&tp->cond, &tp->mtx);
			tp->idle--;
		}
		TAILQ_REMOVE(&tp->queue, j, tp_entry);
		tp->queued--;
		j->tp_state = TPOOL_RUNNING;
		pthread_mutex_unlock(&tp->mtx);
		tp->run(j);
		pthread_mutex_lock(&tp->mtx);
		tpool_put_done(tp, j);
	}
	return NULL;
}

/* Completions: the done callbacks, on the loop thread. */
static void
tpool_donecb(evutil_socket_t fd, short what, void *arg)
{
	struct tpool *tp = arg;
	TAILQ_HEAD(, tpool_job) list;
	struct tpool_job *j;
	uint64_t cnt;

	if (read(fd, &cnt, sizeof(cnt)) == -1 && errno != EAGAIN)
		log_warn("%s: eventfd", tp->name);
	TAILQ_INIT(&list);
	pthread_mutex_lock(&tp->mtx);
	TAILQ_CONCAT(&list, &tp->done, tp_entry);
	pthread_mutex_unlock(&tp->mtx);
	while ((j = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, j, tp_entry);
		tp->donecb(j);
	}
}

struct tpool *
tpool_new(struct event_base *base, const char *name, int max,
    size_t stacksize, tpool_run_cb run, tpool_done_cb donecb)
{
	struct tpool *tp;

	tp = xcalloc(1, sizeof(*tp));
	if (pthread_mutex_init(&tp->mtx, NULL) != 0 ||
	    pthread_cond_init(&tp->cond, NULL) != 0)
		fatalx("%s: mutex", name);
	TAILQ_INIT(&tp->queue);
	TAILQ_INIT(&tp->done);
	tp->max = max;
	tp->stacksize = stacksize;
	tp->run = run;
	tp->donecb = donecb;
	tp->name = xstrdup(name);
	if ((tp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		fatal("%s: eventfd", name);
	tp->ev = event_new(base, tp->efd, EV_READ | EV_PERSIST, tpool_donecb,
	    tp);
	if (tp->ev == NULL || event_add(tp->ev, NULL) == -1)
		fatalx("%s: event", name);
	return tp;
}

/* One more thread; the caller holds the mutex. */
static int
tpool_spawn(struct tpool *tp)
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
	if (tp->stacksize > 0)
		pthread_attr_setstacksize(&attr, tp->stacksize);
	r = pthread_create(&t, &attr, tpool_thread, tp);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		errno = r;
		log_warn("%s: cannot start a thread", tp->name);
		return -1;
	}
	tp->running++;
	return 0;
}

void
tpool_submit(struct tpool *tp, struct tpool_job *j)
{
	pthread_mutex_lock(&tp->mtx);
	/*
	 * One more thread when the jobs not yet taken outnumber the idle
	 * threads: an idle thread that was signalled but has not woken yet
	 * still counts as idle, and a burst of jobs must not all fall to it.
	 */
	if (tp->queued + 1 > tp->idle && tp->running < tp->max)
		(void)tpool_spawn(tp);
	if (tp->running == 0) {
		/* No thread at all: do it here, complete it later. */
		j->tp_state = TPOOL_RUNNING;
		pthread_mutex_unlock(&tp->mtx);
		tp->run(j);
		pthread_mutex_lock(&tp->mtx);
		tpool_put_done(tp, j);
		pthread_mutex_unlock(&tp->mtx);
		return;
	}
	j->tp_state = TPOOL_QUEUED;
	TAILQ_INSERT_TAIL(&tp->queue, j, tp_entry);
	tp->queued++;
	pthread_cond_signal(&tp->cond);
	pthread_mutex_unlock(&tp->mtx);
}

void
tpool_complete(struct tpool *tp, struct tpool_job *j)
{
	pthread_mutex_lock(&tp->mtx);
	tpool_put_done(tp, j);
	pthread_mutex_unlock(&tp->mtx);
}

enum tpool_state
tpool_withdraw(struct tpool *tp, struct tpool_job *j)
{
	enum tpool_state st;

	pthread_mutex_lock(&tp->mtx);
	st = j->tp_state;
	if (st == TPOOL_QUEUED) {
		TAILQ_REMOVE(&tp->queue, j, tp_entry);
		tp->queued--;
		j->tp_state = TPOOL_NEW;
	}
	pthread_mutex_unlock(&tp->mtx);
	return st;
}

int
tpool_max(const struct tpool *tp)
{
	return tp->max;
}
