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
 *
 * Directories have no file leases: a directory leased to a client is
 * watched with inotify instead (kdir_*, below), and a change of one of
 * its entries breaks its leases through lockd after the fact.
 */
#include "config.h"

#include <sys/inotify.h>
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
static void	 kdir_before(struct smb2_open *, uint8_t *,
		    struct smb2_lease_req *);
static void	 kdir_sync(struct smb2_open *);

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

	if (o->is_dir) {
		kdir_before(o, oplock, lease);
		return;
	}
	if (!klease_share(o->tree) || o->stream != NULL ||
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

	if (o->is_dir) {
		kdir_sync(o);
		return;
	}
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

/*
 * Directories.  A directory leased to a client (R or RH; never W) caches
 * its entries: a local process that creates, deletes, renames or
 * changes one must break the lease.  The worker that holds the leased
 * open watches the directory with inotify, on a descriptor of its own
 * (CHANGE_NOTIFY's, in smb2_notify.c, keeps its watches to itself), and
 * on any event asks lockd to break every lease of the directory to
 * none (LOCKD_OP_LOCAL_BREAK naming its own open).  inotify reports
 * after the change and cannot tell a local process from this server,
 * so a client's own changes break its directory lease too on such a
 * share (doc/oplocks.md §7).  The watch is taken before lockd is asked,
 * so that nothing that happens between the grant and the watch is
 * missed, and it goes when the lease is broken to none or the open
 * closes.
 */
#define KDIR_EVENTS	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			    IN_MOVED_TO | IN_ATTRIB | IN_MODIFY | \
			    IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF | \
			    IN_ONLYDIR | IN_EXCL_UNLINK)
/* Directories one worker watches for its directory leases. */
#define KDIR_MAX_WATCHES	1024

static int	 kdir_fd = -1;
static size_t	 kdir_nwatches;
static int	 kdir_limited;		/* the limit was logged */

struct kdir_used {
	int	 wd;
	int	 used;
};

static void
kdir_used_one(struct smb2_open *o, void *arg)
{
	struct kdir_used *u = arg;

	if (o->kd_wd == u->wd)
		u->used = 1;
}

/* Does another open of this worker watch with wd? */
static int
kdir_wd_used(int wd)
{
	struct kdir_used u = { wd, 0 };

	smb2_open_foreach(kdir_used_one, &u);
	return u.used;
}

/*
 * Watch the open's directory.  inotify takes a path: "." after fchdir()
 * to the open's own descriptor names exactly that directory, with no
 * second walk that a rename could redirect.  The watch needs read
 * permission on the directory, checked as the open's share's user.
 */
static int
kdir_watch(struct smb2_open *o)
{
	int saved = session_ident_current(), wd, e;

	if (kdir_nwatches >= KDIR_MAX_WATCHES) {
		if (!kdir_limited)
			log_warnx("kernel oplocks: %d directories watched, "
			    "the limit; further directories get no lease",
			    KDIR_MAX_WATCHES);
		kdir_limited = 1;
		return -1;
	}
	session_ident_tree(o->tree);
	if (fchdir(o->fd) == -1) {
		e = errno;
		session_ident_use(saved);
		log_debug("kernel oplocks: fchdir %s: %s", o->path,
		    strerror(e));
		return -1;
	}
	wd = inotify_add_watch(kdir_fd, ".", KDIR_EVENTS);
	e = errno;
	if (chdir("/") == -1)
		fatal("kernel oplocks: chdir /");
	session_ident_use(saved);
	if (wd == -1) {
		if (e == ENOSPC && !kdir_limited) {
			log_warnx("kernel oplocks: %s: no inotify watch left "
			    "(fs.inotify.max_user_watches); directories get "
			    "no lease", o->path);
			kdir_limited = 1;
		} else if (log_getverbose() >= 2)
			log_debug("kernel oplocks: watch %s: %s", o->path,
			    strerror(e));
		return -1;
	}
	/* The same directory open twice has one watch. */
	if (!kdir_wd_used(wd))
		kdir_nwatches++;
	o->kd_wd = wd;
	o->kd_changed = 0;
	o->kd_told = 0;
	return 0;
}

static void
kdir_unwatch(struct smb2_open *o)
{
	int wd = o->kd_wd;

	if (wd <= 0)
		return;
	o->kd_wd = 0;
	if (kdir_wd_used(wd))
		return;
	(void)inotify_rm_watch(kdir_fd, wd);
	kdir_nwatches--;
}

/* The open closes (smb2_open_on_free). */
static void
kdir_close(struct smb2_open *o)
{
	kdir_unwatch(o);
}

/*
 * Before lockd's OPEN of a directory with a lease context: watch it
 * first.  A directory that cannot be watched gets no lease, since no
 * local change of it would be seen.
 */
static void
kdir_before(struct smb2_open *o, uint8_t *oplock,
    struct smb2_lease_req *lease)
{
	if (!klease_share(o->tree) || kdir_fd == -1 || o->stream != NULL ||
	    o->fd == -1 || *oplock != SMB2_OPLOCK_LEVEL_LEASE ||
	    !(lease->state & SMB2_LEASE_R))
		return;
	if (kdir_watch(o) == -1)
		lease->state = 0;
}

/* Ask lockd to break every lease of this open's directory. */
static void
kdir_tell(struct smb2_open *o)
{
	uint8_t body[8];
	int i;

	if (o->kd_told || o->lockd_handle == 0)
		return;
	for (i = 0; i < 8; i++)
		body[i] = (uint8_t)(o->lockd_handle >> (8 * i));
	if (lockd_client_request(LOCKD_OP_LOCAL_BREAK, body, sizeof(body),
	    klease_ignore_reply, NULL) == 0)
		o->kd_told = 1;
}

/* The directory lease of this open was granted, or changed. */
static void
kdir_sync(struct smb2_open *o)
{
	int held = o->oplock == SMB2_OPLOCK_LEVEL_LEASE &&
	    (o->lease.state & SMB2_LEASE_R);

	if (!held) {
		kdir_unwatch(o);
		return;
	}
	if (o->kd_wd <= 0) {
		/*
		 * Another open of the lease had the watch and closed, or
		 * none could be had: a lease nothing watches is broken.
		 */
		if (!klease_share(o->tree) || kdir_fd == -1)
			return;
		if (kdir_watch(o) == -1)
			o->kd_changed = 1;
	}
	if (o->kd_changed)
		kdir_tell(o);
}

/* An event on watch wd (-1: on every watch). */
static void
kdir_event_one(struct smb2_open *o, void *arg)
{
	int wd = *(int *)arg;

	if (o->kd_wd <= 0 || (wd != -1 && o->kd_wd != wd))
		return;
	if (o->kd_told)
		return;
	if (log_getverbose() >= 2)
		log_debug("kernel oplocks: %s changed on the server; breaking "
		    "its directory leases", *o->path != '\0' ? o->path : ".");
	o->kd_changed = 1;
	/* While its CREATE waits for lockd, the grant tells (kdir_sync). */
	kdir_tell(o);
}

/* The kernel dropped a watch (the directory is gone): forget it. */
static void
kdir_ignored_one(struct smb2_open *o, void *arg)
{
	struct kdir_used *u = arg;

	if (o->kd_wd == u->wd) {
		o->kd_wd = 0;
		u->used = 1;
	}
}

static void
kdir_read(evutil_socket_t fd, short what, void *arg)
{
	char buf[4096] __attribute__((aligned(8)));
	const struct inotify_event *ie;
	struct kdir_used u;
	ssize_t n;
	char *p;
	int wd;

	for (;;) {
		n = read(kdir_fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (p = buf; p + sizeof(*ie) <= buf + n;
		    p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)(const void *)p;
			if (p + sizeof(*ie) + ie->len > buf + n)
				break;
			/*
			 * The directory's own attributes are not its
			 * entries (and a CREATE that made it sets them after
			 * the watch was taken): only its removal or rename.
			 */
			if (ie->len == 0 && !(ie->mask & (IN_DELETE_SELF |
			    IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW)))
				continue;
			/* Events were lost: any directory may have changed. */
			wd = (ie->mask & IN_Q_OVERFLOW) ? -1 : ie->wd;
			smb2_open_foreach(kdir_event_one, &wd);
			/* Also after inotify_rm_watch(), when none has it. */
			if (ie->mask & IN_IGNORED) {
				u.wd = wd;
				u.used = 0;
				smb2_open_foreach(kdir_ignored_one, &u);
				if (u.used)
					kdir_nwatches--;
			}
		}
	}
}

/* inotify for directory leases, if a share has kernel oplocks. */
static void
kdir_init(struct event_base *base)
{
	struct event *ev;

	if ((kdir_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_warn("kernel oplocks: inotify_init1; directories get no "
		    "lease");
		return;
	}
	ev = event_new(base, kdir_fd, EV_READ | EV_PERSIST, kdir_read, NULL);
	if (ev == NULL || event_add(ev, NULL) == -1)
		fatalx("kernel oplocks: inotify event");
	smb2_open_on_free(kdir_close);
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
	kdir_init(base);
}
