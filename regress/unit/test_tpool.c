/*
 * Unit test of shared/tpool.c: jobs run in pool threads and complete on
 * the loop; a queued job can be taken back and never runs; a running one
 * cannot, and still completes; a pool of no threads runs a job in the
 * caller and completes it later all the same; tpool_complete() completes
 * a job without running it.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "tpool.h"
#include "unit.h"

struct job {
	struct tpool_job	 tp;	/* first: the pool's part */
	int			 ran;
	int			 done;
	int			 block;	/* wait for the gate first */
	pthread_t		 thread;
};

static int		gate[2];
static pthread_t	loop_thread;

static void
run(struct tpool_job *tj)
{
	struct job *j = (struct job *)tj;
	char c;

	if (j->block && read(gate[0], &c, 1) != 1)
		return;
	j->thread = pthread_self();
	j->ran++;
}

static void
done(struct tpool_job *tj)
{
	struct job *j = (struct job *)tj;

	/* Completions run on the loop thread only. */
	if (pthread_equal(pthread_self(), loop_thread))
		j->done++;
	else
		j->done = -100;
}

/* Run the loop until cond holds (at most about 5 s). */
#define LOOP_UNTIL(base, cond) do {					\
	for (int n_ = 0; n_ < 500 && !(cond); n_++) {			\
		event_base_loop(base, EVLOOP_NONBLOCK);			\
		usleep(10000);						\
	}								\
} while (0)

int
main(void)
{
	struct event_base *base;
	struct tpool *tp, *tp0;
	struct job a, b, c, d, e;

	loop_thread = pthread_self();
	CHECK((base = event_base_new()) != NULL);
	CHECK(pipe(gate) == 0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	memset(&e, 0, sizeof(e));

	/* One thread: a blocks it, b waits in the queue. */
	tp = tpool_new(base, "test", 1, 0, run, done);
	CHECK(tpool_max(tp) == 1);
	a.block = 1;
	tpool_submit(tp, &a.tp);
	tpool_submit(tp, &b.tp);
	LOOP_UNTIL(base, a.tp.tp_state == TPOOL_RUNNING);
	CHECK(tpool_withdraw(tp, &b.tp) == TPOOL_QUEUED);
	CHECK(b.tp.tp_state == TPOOL_NEW);
	CHECK(tpool_withdraw(tp, &a.tp) == TPOOL_RUNNING);
	CHECK(write(gate[1], "x", 1) == 1);
	LOOP_UNTIL(base, a.done != 0);
	CHECK(a.ran == 1 && a.done == 1);
	CHECK(!pthread_equal(a.thread, loop_thread));
	CHECK(b.ran == 0 && b.done == 0);

	/* Completed without running. */
	tpool_complete(tp, &c.tp);
	LOOP_UNTIL(base, c.done != 0);
	CHECK(c.ran == 0 && c.done == 1);

	/* No threads: run by the caller, completed later on the loop. */
	tp0 = tpool_new(base, "test0", 0, 0, run, done);
	tpool_submit(tp0, &d.tp);
	CHECK(d.ran == 1 && d.done == 0);
	CHECK(pthread_equal(d.thread, loop_thread));
	LOOP_UNTIL(base, d.done != 0);
	CHECK(d.done == 1);

	/* A job after all that still runs in the pool. */
	tpool_submit(tp, &e.tp);
	LOOP_UNTIL(base, e.done != 0);
	CHECK(e.ran == 1 && e.done == 1);
	return unit_done();
}
