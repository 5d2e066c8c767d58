/*
 * A small pool of threads that run blocking calls for an event loop: the
 * session worker's disk IO (smbd/engine/aio.c) and the master's name service
 * lookups (smbd/master/master_nss.c).
 *
 * Jobs wait in one queue guarded by a mutex; a thread takes one, runs the
 * pool's run callback and puts it on a done list, then wakes the loop
 * through an eventfd.  The pool's done callback runs on the loop thread,
 * so that everything but the blocking call stays single-threaded.
 * Threads are created on demand, never more than the pool's maximum:
 * whenever the jobs not yet taken outnumber the idle threads (a thread
 * stuck in a slow call is not idle, so it never holds up a new job while
 * the pool may still grow).  They block every signal.
 */
#ifndef USMBD_TPOOL_H
#define USMBD_TPOOL_H

#include <sys/queue.h>

#include <stddef.h>

struct event_base;

enum tpool_state {
	TPOOL_NEW,		/* not submitted, or taken back */
	TPOOL_QUEUED,		/* waiting for a thread */
	TPOOL_RUNNING,		/* a thread runs it */
	TPOOL_DONE,		/* run; its done callback is due on the loop */
};

/* Embedded in the caller's job; the pool reads and writes nothing else. */
struct tpool_job {
	TAILQ_ENTRY(tpool_job)	 tp_entry;
	enum tpool_state	 tp_state;	/* under the pool's mutex */
};

struct tpool;
/* In a pool thread (or, without one, on the loop): the blocking call. */
typedef void	(*tpool_run_cb)(struct tpool_job *);
/* On the loop thread, once per job that was run. */
typedef void	(*tpool_done_cb)(struct tpool_job *);

/*
 * A pool of at most max threads (0: every job runs in tpool_submit's
 * caller and completes later all the same) with stacks of stacksize
 * bytes (0: the default).  Fatal when the eventfd or its event cannot be
 * set up.
 */
struct tpool	*tpool_new(struct event_base *, const char *, int, size_t,
		    tpool_run_cb, tpool_done_cb);
/* Queue a job; its done callback always runs later, on the loop. */
void		 tpool_submit(struct tpool *, struct tpool_job *);
/*
 * Complete a job on the loop without running it (an answer the caller
 * already has, such as a cache hit): its done callback runs later.
 */
void		 tpool_complete(struct tpool *, struct tpool_job *);
/*
 * A job's state, read under the pool's mutex; a job still queued is taken
 * out of the queue (its state becomes TPOOL_NEW and it will not run), and
 * TPOOL_QUEUED is returned.  A running job cannot be taken back: its done
 * callback still comes.
 */
enum tpool_state tpool_withdraw(struct tpool *, struct tpool_job *);
/* The most threads the pool may start. */
int		 tpool_max(const struct tpool *);

#endif /* USMBD_TPOOL_H */
