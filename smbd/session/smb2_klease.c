/*
 * "kernel oplocks": Linux file leases under SMB oplocks and leases
 * (doc/oplocks.md §7).
 *
 * A worker that is about to ask lockd for caching of a file takes a file
 * lease on the open's descriptor (fcntl F_SETLEASE: F_WRLCK for write
 * caching, F_RDLCK for read caching) and asks lockd only for what the
 * kernel gave, so that no client caches what a local process could
 * change unseen.  When a local process opens or truncates the file, the
 * kernel holds it up and sends the lease signal (F_SETSIG), which the
 * worker reads from a signalfd on its event loop; it asks lockd to break
 * every oplock and lease of the file (LOCKD_OP_LOCAL_BREAK), and lets go
 * of the file lease (F_UNLCK) once its client acknowledged, or closed.
 * If the client never does, the kernel drops the lease itself after
 * /proc/sys/fs/lease-break-time.
 *
 * The kernel grants a lease only to the file's owner (or with CAP_LEASE,
 * which no worker has), a write lease only when nobody else has the file
 * open, and a read lease only when nobody has it open for writing.
 */
#include "config.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "log.h"
#include "oplock_wire.h"
#include "session.h"
#include "session_ident.h"
#include "smb2_file.h"
#include "smb2_klease.h"
#include "smb2_tree.h"
#include "util.h"

static void	 klease_arm(void);
static void	 klease_release(struct smb2_open *);

#define KL_NONE		0
#define KL_READ		1
#define KL_WRITE	2

static int	 klease_sfd = -1;
static int	 klease_sig;
static int	 klease_break_secs = 45;
static uint64_t	 klease_timeout_ms;	/* "oplock break timeout" */
static struct event *klease_timer;

int
klease_break_time(void)
{
	return klease_break_secs;
}

int
klease_share(const struct smb2_tree *t)
{
	return t != NULL && t->ss != NULL && t->ss->share->kernel_oplocks &&
	    klease_sfd != -1;
}

/*
 * F_SETLEASE asks that the caller's file system uid own the file: act as
 * the open's share does ("force user"), whatever tree the loop thread
 * last served when the grant, the break or the acknowledgment came.
 */
static int
klease_set(const struct smb2_open *o, int type)
{
	int saved = session_ident_current(), r, e;

	session_ident_tree(o->tree);
	r = fcntl(o->fd, F_SETLEASE, type);
	e = errno;
	session_ident_use(saved);
	errno = e;
	return r;
}

/* The file lease that this open's caching needs. */
static int
klease_needed(const struct smb2_open *o)
{
	if (o->oplock == SMB2_OPLOCK_LEVEL_LEASE) {
		if (o->lease.state & SMB2_LEASE_W)
			return KL_WRITE;
		return (o->lease.state & SMB2_LEASE_R) ? KL_READ : KL_NONE;
	}
	if (o->oplock == SMB2_OPLOCK_LEVEL_EXCLUSIVE ||
	    o->oplock == SMB2_OPLOCK_LEVEL_BATCH)
		return KL_WRITE;
	return o->oplock == SMB2_OPLOCK_LEVEL_II ? KL_READ : KL_NONE;
}

/*
 * Take a file lease of this kind, or the stronger one: a read lease is
 * refused on a descriptor open for writing, where a write lease, which
 * also protects reads, may still be had.  The kind held, or KL_NONE.
 */
static int
klease_take(struct smb2_open *o, int want)
{
	int acc = fcntl(o->fd, F_GETFL) & O_ACCMODE;

	if (want == KL_NONE)
		return KL_NONE;
	if (fcntl(o->fd, F_SETSIG, klease_sig) == -1)
		return KL_NONE;
	if (want == KL_READ && acc == O_RDONLY &&
	    klease_set(o, F_RDLCK) == 0)
		return KL_READ;
	if (klease_set(o, F_WRLCK) == 0)
		return KL_WRITE;
	/* Read caching beside another reader: a read lease will do. */
	if (want == KL_WRITE && acc == O_RDONLY &&
	    klease_set(o, F_RDLCK) == 0)
		return KL_READ;
	if (log_getverbose() >= 2)
		log_debug("kernel oplocks: no file lease on %s (%s): no "
		    "caching", o->path, errno == EACCES ?
		    "the user does not own it" : errno == EAGAIN ?
		    "open elsewhere" : strerror(errno));
	return KL_NONE;
}

void
klease_before(struct smb2_open *o, uint8_t *oplock,
    struct smb2_lease_req *lease)
{
	int want, held;

	if (!klease_share(o->tree) || o->is_dir || o->stream != NULL ||
	    *oplock == SMB2_OPLOCK_LEVEL_NONE ||
	    (fcntl(o->fd, F_GETFL) & O_PATH))
		return;
	if (*oplock == SMB2_OPLOCK_LEVEL_LEASE)
		want = (lease->state & SMB2_LEASE_W) ? KL_WRITE :
		    (lease->state & SMB2_LEASE_R) ? KL_READ : KL_NONE;
	else
		want = *oplock == SMB2_OPLOCK_LEVEL_II ? KL_READ : KL_WRITE;
	held = klease_take(o, want);
	o->kl_held = (uint8_t)held;
	if (held == KL_WRITE)
		return;
	/* Ask lockd only for what the kernel protects. */
	if (*oplock == SMB2_OPLOCK_LEVEL_LEASE)
		lease->state &= held == KL_READ ?
		    ~(uint32_t)SMB2_LEASE_W : 0;
	else
		*oplock = held == KL_READ ? SMB2_OPLOCK_LEVEL_II :
		    SMB2_OPLOCK_LEVEL_NONE;
}

static void
klease_ignore_reply(uint32_t status, struct rbuf *r, void *arg)
{
}

/*
 * A break that the client never acknowledges ends at none in lockd after
 * "oplock break timeout", which the worker is not told: it lets go of
 * the file lease then too, so that the local opener does not wait for
 * the kernel's lease-break-time as well.
 */
static void
klease_expire_one(struct smb2_open *o, void *arg)
{
	int *left = arg;

	if (!o->kl_told || o->kl_held == KL_NONE)
		return;
	if (time_mono_ms() < o->kl_deadline) {
		*left = 1;
		return;
	}
	if (log_getverbose() >= 2)
		log_debug("kernel oplocks: the break of %s timed out; letting "
		    "go of its file lease", o->path);
	klease_release(o);
}

static void
klease_expire(evutil_socket_t fd, short what, void *arg)
{
	int left = 0;

	smb2_open_foreach(klease_expire_one, &left);
	if (left)
		klease_arm();
}

static void
klease_arm(void)
{
	struct timeval tv = { 1, 0 };

	if (klease_timer != NULL && !evtimer_pending(klease_timer, NULL))
		evtimer_add(klease_timer, &tv);
}

/* Ask lockd to break every oplock and lease of this open's file. */
static void
klease_tell(struct smb2_open *o)
{
	uint8_t body[8];
	int i;

	if (o->kl_told || o->lockd_handle == 0)
		return;
	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(o->lockd_handle >> (8 * i));
	if (lockd_client_request(LOCKD_OP_LOCAL_BREAK, body, sizeof(body),
	    klease_ignore_reply, NULL) == 0) {
		o->kl_told = 1;
		o->kl_deadline = time_mono_ms() + klease_timeout_ms;
		klease_arm();
	}
}

static void
klease_release(struct smb2_open *o)
{
	if (o->kl_held != KL_NONE && klease_set(o, F_UNLCK) == -1 &&
	    errno != EAGAIN)
		log_debug("kernel oplocks: F_UNLCK on %s: %s", o->path,
		    strerror(errno));
	o->kl_held = KL_NONE;
	o->kl_breaking = 0;
	o->kl_told = 0;
}

void
klease_sync(struct smb2_open *o)
{
	int need;

	/*
	 * While a flush is awaited, the caching shown is the one offered,
	 * not yet given up: the lease stays until the acknowledgment.
	 */
	if (o->fd == -1 || !klease_share(o->tree) || o->stream != NULL ||
	    o->is_dir || o->opl_breaking)
		return;
	need = klease_needed(o);
	if (need == KL_NONE) {
		klease_release(o);
		return;
	}
	if (o->kl_breaking) {
		/*
		 * The kernel broke the lease before lockd answered: the
		 * caching granted breaks now, and the lease goes once it
		 * ends.
		 */
		klease_tell(o);
		return;
	}
	/* A write lease also covers read caching: keep it. */
	if (o->kl_held >= need)
		return;
	o->kl_held = (uint8_t)klease_take(o, need);
	if (o->kl_held < need) {
		/* Caching no file lease protects is not kept. */
		o->kl_breaking = 1;
		klease_tell(o);
	}
}

/* The kernel signalled a lease break on this descriptor. */
static void
klease_broken_fd(struct smb2_open *o, void *arg)
{
	int fd = *(int *)arg, now;

	if (o->fd != fd || o->kl_held == KL_NONE || o->kl_breaking)
		return;
	/*
	 * A signal for an earlier descriptor of the same number is old
	 * news: the lease of this one is not breaking.
	 */
	now = fcntl(o->fd, F_GETLEASE);
	if ((now == F_WRLCK && o->kl_held == KL_WRITE) ||
	    (now == F_RDLCK && o->kl_held == KL_READ))
		return;
	if (log_getverbose() >= 2)
		log_debug("kernel oplocks: a local process opens %s; breaking "
		    "its oplocks and leases", o->path);
	o->kl_breaking = 1;
	/* While its CREATE waits for lockd, the grant tells (klease_sync). */
	if (o->lockd_handle == 0)
		return;
	if (klease_needed(o) == KL_NONE && !o->opl_breaking) {
		klease_release(o);
		return;
	}
	klease_tell(o);
}

/* Every open: the queue overflowed, and SIGIO came instead. */
static void
klease_check_all(struct smb2_open *o, void *arg)
{
	int fd = o->fd;

	if (o->kl_held != KL_NONE)
		klease_broken_fd(o, &fd);
}

static void
klease_signal(evutil_socket_t sfd, short what, void *arg)
{
	struct signalfd_siginfo si;
	ssize_t n;
	int fd;

	for (;;) {
		n = read(klease_sfd, &si, sizeof(si));
		if (n != (ssize_t)sizeof(si))
			break;
		if ((int)si.ssi_signo == klease_sig) {
			fd = si.ssi_fd;
			smb2_open_foreach(klease_broken_fd, &fd);
		} else
			smb2_open_foreach(klease_check_all, NULL);
	}
}

void
klease_init(struct event_base *base, const struct conf *conf)
{
	struct event *ev;
	sigset_t set;
	size_t i;
	FILE *f;
	int any = 0, secs;

	for (i = 0; i < conf->nshares; i++)
		any |= conf->shares[i].kernel_oplocks;
	if (!any)
		return;
	/* The kernel's grace for a lease holder, read while /proc is there. */
	if ((f = fopen("/proc/sys/fs/lease-break-time", "r")) != NULL) {
		if (fscanf(f, "%d", &secs) == 1 && secs > 0)
			klease_break_secs = secs;
		fclose(f);
	}
	/*
	 * Blocked in every thread (the IO threads start later and inherit
	 * the mask), so that the signals wait in the signalfd.
	 */
	klease_sig = SIGRTMIN + 1;
	sigemptyset(&set);
	sigaddset(&set, klease_sig);
	sigaddset(&set, SIGIO);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	if ((klease_sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	    -1)
		fatal("signalfd");
	ev = event_new(base, klease_sfd, EV_READ | EV_PERSIST, klease_signal,
	    NULL);
	if (ev == NULL || event_add(ev, NULL) == -1)
		fatalx("lease signal event");
	if ((klease_timer = evtimer_new(base, klease_expire, NULL)) == NULL)
		fatalx("lease timer");
	klease_timeout_ms = 1000 * (uint64_t)conf->g.oplock_break_timeout;
}
