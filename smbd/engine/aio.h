/*
 * A small pool of threads for disk IO, so that a slow disk does not stall
 * the session worker's event loop (doc/design.md §6).  Threads only run the
 * system calls of a job; everything else, including the completion
 * callback, runs on the loop thread.
 */
#ifndef USMBD_AIO_H
#define USMBD_AIO_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "tpool.h"

struct event_base;

enum aio_op {
	AIO_PREAD,	/* read up to len bytes into buf */
	AIO_PWRITE,	/* write all len bytes of buf, then sync if asked */
	AIO_FSYNC,	/* fsync */
	AIO_PREPARE,	/* stat and read ahead, for a zero-copy send */
	AIO_PAPPEND,	/* PWRITE at the end of the file; off is set */
	AIO_CALL,	/* run call(job): IO that is not one system call */
};

struct aio_job {
	struct tpool_job	 tp;	/* the pool's part */
	TAILQ_ENTRY(aio_job)	 entry;	/* among waiting serial jobs */
	enum aio_op		 op;
	int			 fd;	/* the job's own descriptor */
	uint64_t		 off;
	size_t			 len;
	uint8_t			*buf;
	int			 datasync;	/* PWRITE: fdatasync after */
	uint32_t		 delay_ms;	/* regress: sleep first */
	/*
	 * A serial job starts only when every serial job submitted before
	 * it has completed (its done callback is about to run), so that
	 * read-modify-write IO, like an append or a stream kept in an
	 * xattr, never races another.
	 */
	int			 serial;
	void			(*call)(struct aio_job *);	/* AIO_CALL */
	/* Results, set by the thread. */
	ssize_t			 result;	/* bytes, or -1 */
	int			 error;		/* errno when result is -1 */
	/* Called on the loop thread once the job is done. */
	void			(*done)(struct aio_job *);
	void			*arg;
	int			 ident;	/* whom it acts as: aio_ident_get */
};

/*
 * Whom a job acts as, when the program switches identities (a session
 * worker in a "force user" share, smbd/session/session_ident.c): taken
 * when the job is submitted, and put in effect in the thread before its
 * system calls and on the loop thread before its done callback.  NULL in
 * programs that never switch.
 */
extern int	(*aio_ident_get)(void);
extern void	(*aio_ident_set)(int);

/*
 * Start the pool (threads are created on first use, after the sandbox is
 * in place, so that they inherit it).  With 0 threads every job runs at
 * once on the calling thread.
 */
void	aio_init(struct event_base *, int);
/* Queue a job; its done callback always runs later on the loop thread. */
void	aio_submit(struct aio_job *);
/* Run a job's system calls here and now (the synchronous fallback). */
void	aio_run(struct aio_job *);
/* How many threads the pool may use; 0 when IO is synchronous. */
int	aio_threads(void);

#ifdef USMBD_REGRESS_HOOKS
/* Tests: the next read (or AIO_CALL) sleeps this long before it runs. */
void	aio_regress_delay(uint32_t);
/* Is a delay armed?  Then the next READ must go to the pool to meet it. */
int	aio_regress_delay_armed(void);
#endif

#endif /* USMBD_AIO_H */
