/*
 * The master's name service lookups, run by a small pool of threads
 * (shared/tpool.c).
 *
 * A thread makes the reentrant NSS calls (getpwnam_r, getgrouplist, ...)
 * of a job.  Everything else happens on the loop: the cache, the
 * deadlines, logging and the completion callbacks, so that the rest of
 * the master stays single-threaded.  A thread touches nothing but its
 * job.
 *
 * A directory that does not answer must not hold up the master: each job
 * has a deadline on the loop.  A job still queued at its deadline leaves
 * the queue; one that a thread is running is abandoned, its callback runs
 * at once with NSS_TIMEDOUT, and when the thread comes back the job is
 * freed unseen.  A stuck thread is not counted as idle, so new jobs get
 * new threads, up to NSS_MAX_THREADS.
 *
 * The threads block every signal (the loop handles them), and the master
 * forks children only to exec them at once, with async-signal-safe calls
 * in between, so that the threads do not get in the way of master_spawn().
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "log.h"
#include "master_nss.h"
#include "tpool.h"
#include "util.h"

/* Enough for a few slow directories at once, few enough to stay small. */
#define NSS_MAX_THREADS		8
#define NSS_CACHE_SIZE		64
/* The largest buffer a getpwnam_r() or getgrnam_r() entry may need. */
#define NSS_BUF_MAX		(1024 * 1024)

enum nss_kind {
	NSS_JOB_USER,
	NSS_JOB_NAMES,
};

struct nss_job {
	struct tpool_job	 tp;		/* the pool's part */
	enum nss_kind		 kind;
	/* Loop thread only. */
	int			 abandoned;	/* answered as timed out */
	int			 cached;	/* answered from the cache */
	int			 timeout;	/* seconds, for the log */
	char			 what[128];	/* printable, for the log */
	struct event		*ev_deadline;
	nss_user_cb		 user_cb;
	nss_names_cb		 names_cb;
	void			*arg;
	/* Input, set before the job is queued. */
	uint32_t		 delay_ms;	/* regress */
	const char		*gate;		/* regress */
	char			 name[AUTH_MAX_USER];
	/* Results, set by the thread; a names job answers in place. */
	struct names_msg	 names;
	enum nss_status		 status;
	struct nss_user		 user;
};

struct nss_cache_ent {
	char			 name[AUTH_MAX_USER];
	struct nss_user		 user;
	uint64_t		 stored_ms;
	int			 used;
};

#define NSS_JOB(tj)	((struct nss_job *)(void *)((char *)(tj) - \
			    offsetof(struct nss_job, tp)))

/* Loop thread only. */
static struct {
	struct tpool		*pool;
	struct event_base	*base;
	struct nss_cache_ent	 cache[NSS_CACHE_SIZE];	/* loop only */
	int			 timeout;	/* name service timeout */
	int			 cache_time;	/* name cache time */
#ifdef USMBD_REGRESS_HOOKS
	char			 delay_name[AUTH_MAX_USER];
	uint32_t		 delay_ms;
	char			 delay_gate[256];
#endif
} nss;

/*
 * A buffer for the reentrant calls, grown until the entry fits.  It is
 * malloc()ed, not xmalloc()ed: a thread reports ENOMEM instead of ending
 * the master.
 */
struct nss_buf {
	char			*p;
	size_t			 len;
};

static int
nss_buf_grow(struct nss_buf *b)
{
	size_t n = b->len == 0 ? 4096 : b->len * 2;
	char *p;

	if (n > NSS_BUF_MAX)
		return ERANGE;
	if ((p = realloc(b->p, n)) == NULL)
		return ENOMEM;
	b->p = p;
	b->len = n;
	return 0;
}

/*
 * getpwnam_r(3) lists the errors by which some sources say "no such
 * entry"; they are not failures of the name service.
 */
static int
nss_not_found(int r)
{
	return r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM;
}

/*
 * One passwd or group entry, by name or by id: 0 with *found set or
 * cleared, or an errno.  The passwd lookups fill pw, the group ones gr.
 */
static int
nss_getent(enum names_kind kind, const char *name, uint32_t id,
    struct passwd *pw, struct group *gr, struct nss_buf *b, int *found)
{
	struct passwd *pres = NULL;
	struct group *gres = NULL;
	int r;

	*found = 0;
	if (b->len == 0 && (r = nss_buf_grow(b)) != 0)
		return r;
	for (;;) {
		switch (kind) {
		case NAMES_UID:
			r = getpwuid_r((uid_t)id, pw, b->p, b->len, &pres);
			break;
		case NAMES_USER:
			r = getpwnam_r(name, pw, b->p, b->len, &pres);
			break;
		case NAMES_GID:
			r = getgrgid_r((gid_t)id, gr, b->p, b->len, &gres);
			break;
		case NAMES_GROUP:
			r = getgrnam_r(name, gr, b->p, b->len, &gres);
			break;
		default:
			return EINVAL;
		}
		if (r != ERANGE)
			break;
		if ((r = nss_buf_grow(b)) != 0)
			return r;
	}
	if (pres != NULL || gres != NULL) {
		*found = 1;
		return 0;
	}
	return nss_not_found(r) ? 0 : r;
}

/* A user and its groups, in a thread. */
static void
nss_run_user(struct nss_job *j)
{
	struct nss_user *u = &j->user;
	struct passwd pw;
	struct nss_buf b = { NULL, 0 };
	int found, n = AUTH_MAX_GROUPS, r;

	memset(u, 0, sizeof(*u));
	if ((r = nss_getent(NAMES_USER, j->name, 0, &pw, NULL, &b,
	    &found)) != 0) {
		u->error = r;
		j->status = NSS_ERROR;
	} else if (!found)
		j->status = NSS_NOTFOUND;
	else {
		u->uid = pw.pw_uid;
		u->gid = pw.pw_gid;
		/* Past its size, the array holds the first groups. */
		if (getgrouplist(pw.pw_name, pw.pw_gid, u->groups, &n) == -1) {
			u->truncated = 1;
			n = AUTH_MAX_GROUPS;
		}
		u->ngroups = n;
		j->status = NSS_OK;
	}
	free(b.p);
}

/* One question of a session worker, answered in place, in a thread. */
static void
nss_run_name(struct names_entry *e, struct nss_buf *b)
{
	struct passwd pw;
	struct group gr;
	char name[NAMES_MAX_NAME], lower[NAMES_MAX_NAME];
	const char *found = NULL;
	size_t i;
	int hit = 0;

	memcpy(name, e->name, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	memset(e->name, 0, sizeof(e->name));
	e->found = 0;
	e->reserved = 0;
	/* Windows names are case-insensitive, Unix ones mostly lower case. */
	for (i = 0; name[i] != '\0'; i++)
		lower[i] = (name[i] >= 'A' && name[i] <= 'Z') ?
		    (char)(name[i] - 'A' + 'a') : name[i];
	lower[i] = '\0';
	switch (e->kind) {
	case NAMES_UID:
	case NAMES_USER:
		if (nss_getent(e->kind, name, e->id, &pw, NULL, b, &hit) == 0 &&
		    !hit && e->kind == NAMES_USER && strcmp(name, lower) != 0)
			(void)nss_getent(e->kind, lower, 0, &pw, NULL, b, &hit);
		if (hit) {
			e->id = (uint32_t)pw.pw_uid;
			found = pw.pw_name;
		}
		break;
	case NAMES_GID:
	case NAMES_GROUP:
		if (nss_getent(e->kind, name, e->id, NULL, &gr, b, &hit) == 0 &&
		    !hit && e->kind == NAMES_GROUP && strcmp(name, lower) != 0)
			(void)nss_getent(e->kind, lower, 0, NULL, &gr, b, &hit);
		if (hit) {
			e->id = (uint32_t)gr.gr_gid;
			found = gr.gr_name;
		}
		break;
	default:
		return;
	}
	/* A name too long for the reply is not a name we can give. */
	if (found == NULL || strlen(found) >= sizeof(e->name))
		return;
	memcpy(e->name, found, strlen(found) + 1);
	e->found = 1;
}

static void
nss_run(struct nss_job *j)
{
	struct nss_buf b = { NULL, 0 };
	uint32_t i;

	if (j->delay_ms > 0) {
		struct timespec ts;

		ts.tv_sec = j->delay_ms / 1000;
		ts.tv_nsec = (long)(j->delay_ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	/* A gate: no answer until the test creates the file (or 120 s). */
	for (i = 0; j->gate != NULL && i < 2400 &&
	    access(j->gate, F_OK) == -1; i++) {
		struct timespec ts = { 0, 50000000L };

		nanosleep(&ts, NULL);
	}
	if (j->kind == NSS_JOB_USER) {
		nss_run_user(j);
		return;
	}
	for (i = 0; i < j->names.count && i < NAMES_MAX_ENTRIES; i++)
		if (j->names.ent[i].kind != 0)
			nss_run_name(&j->names.ent[i], &b);
	free(b.p);
	j->status = NSS_OK;
}

/* In a pool thread. */
static void
nss_pool_run(struct tpool_job *tj)
{
	nss_run(NSS_JOB(tj));
}

static void
nss_job_free(struct nss_job *j)
{
	if (j->ev_deadline != NULL)
		event_free(j->ev_deadline);
	free(j);
}

/* Run a job's callback on the loop; the result is NULL when timed out. */
static void
nss_job_complete(struct nss_job *j, enum nss_status st)
{
	if (j->kind == NSS_JOB_USER)
		j->user_cb(st, st == NSS_TIMEDOUT ? NULL : &j->user, j->arg);
	else
		j->names_cb(st, st == NSS_TIMEDOUT ? NULL : &j->names, j->arg);
}

static struct nss_cache_ent *
nss_cache_find(const char *name)
{
	uint64_t life = (uint64_t)nss.cache_time * 1000;
	uint64_t now = time_mono_ms();
	struct nss_cache_ent *ce;
	size_t i;

	for (i = 0; i < NSS_CACHE_SIZE; i++) {
		ce = &nss.cache[i];
		if (!ce->used || strcmp(ce->name, name) != 0)
			continue;
		/*
		 * The lifetime is the one configured now, so that a reload
		 * that shortens it (or sets 0) applies to what is stored.
		 */
		if (now - ce->stored_ms < life)
			return ce;
		ce->used = 0;
		return NULL;
	}
	return NULL;
}

/* Remember a user that was found, in place of itself or the oldest. */
static void
nss_cache_store(const char *name, const struct nss_user *u)
{
	struct nss_cache_ent *ce, *slot = NULL;
	size_t i;

	if (nss.cache_time == 0)
		return;
	for (i = 0; i < NSS_CACHE_SIZE; i++) {
		ce = &nss.cache[i];
		if (ce->used && strcmp(ce->name, name) == 0) {
			slot = ce;
			break;
		}
		if (slot == NULL || (slot->used && (!ce->used ||
		    ce->stored_ms < slot->stored_ms)))
			slot = ce;
	}
	memset(slot, 0, sizeof(*slot));
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	slot->user = *u;
	slot->stored_ms = time_mono_ms();
	slot->used = 1;
}

/* A job was run (or answered from the cache): on the loop thread. */
static void
nss_pool_done(struct tpool_job *tj)
{
	struct nss_job *j = NSS_JOB(tj);

	if (j->abandoned) {
		log_debug("name service: the late answer for %s is discarded",
		    j->what);
		nss_job_free(j);
		return;
	}
	if (j->kind == NSS_JOB_USER && j->status == NSS_OK && !j->cached)
		nss_cache_store(j->name, &j->user);
	nss_job_complete(j, j->status);
	nss_job_free(j);
}

/*
 * A job's deadline.  A job that a thread finished but the loop has not
 * collected yet is answered with its result all the same.
 */
static void
nss_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct nss_job *j = arg;
	enum tpool_state state;

	(void)fd;
	(void)what;
	if ((state = tpool_withdraw(nss.pool, &j->tp)) == TPOOL_DONE)
		return;
	log_warnx("name service: no answer for %s within %d second%s; "
	    "giving up on it", j->what, j->timeout, j->timeout == 1 ? "" : "s");
	nss_job_complete(j, NSS_TIMEDOUT);
	if (state == TPOOL_QUEUED)
		nss_job_free(j);
	else
		j->abandoned = 1;	/* the thread still has it */
}

static void
nss_submit(struct nss_job *j)
{
	struct timeval tv;

	j->timeout = nss.timeout;
	if ((j->ev_deadline = evtimer_new(nss.base, nss_deadline, j)) == NULL)
		fatalx("name service: timer");
	tv.tv_sec = j->timeout;
	tv.tv_usec = 0;
	evtimer_add(j->ev_deadline, &tv);
#ifdef USMBD_REGRESS_HOOKS
	if (j->delay_ms > 0)
		log_info("regress: delayed name service lookup of %s by %u ms",
		    nss.delay_name, j->delay_ms);
	if (j->gate != NULL)
		log_info("regress: delayed name service lookup of %s until %s "
		    "exists", nss.delay_name, j->gate);
#endif
	/*
	 * Threads stuck in a slow lookup are not idle, so they never keep
	 * a new job waiting while the pool may still grow; without a single
	 * thread the pool asks here, rather than not at all.
	 */
	tpool_submit(nss.pool, &j->tp);
}

/* A name made printable for the log: it may have come from a client. */
static void
nss_printable(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
	}
	dst[i] = '\0';
}

#ifdef USMBD_REGRESS_HOOKS
/* Tests: does this name get the delay of USMBD_REGRESS_NSS_DELAY? */
static void
nss_regress_delay(struct nss_job *j, const char *name)
{
	if (nss.delay_name[0] == '\0' || strcmp(name, nss.delay_name) != 0)
		return;
	j->delay_ms = nss.delay_ms;
	if (nss.delay_gate[0] != '\0')
		j->gate = nss.delay_gate;
}

/*
 * USMBD_REGRESS_NSS_DELAY=name:milliseconds makes every lookup of that
 * name sleep in its thread first, as a slow directory would;
 * name:/path makes it wait until the file path exists, so that a test
 * decides when the directory answers instead of racing a clock.
 */
static void
nss_regress_setup(void)
{
	const char *env, *colon, *errstr;
	long long ms;
	size_t n;

	if ((env = getenv("USMBD_REGRESS_NSS_DELAY")) == NULL ||
	    (colon = strrchr(env, ':')) == NULL)
		return;
	n = (size_t)(colon - env);
	if (colon[1] == '/') {
		if (n == 0 || n >= sizeof(nss.delay_name) ||
		    strlen(colon + 1) >= sizeof(nss.delay_gate)) {
			log_warnx("regress: USMBD_REGRESS_NSS_DELAY is not "
			    "name:/path; ignored");
			return;
		}
		memcpy(nss.delay_name, env, n);
		nss.delay_name[n] = '\0';
		snprintf(nss.delay_gate, sizeof(nss.delay_gate), "%s",
		    colon + 1);
		log_info("regress: name service lookups of %s wait for %s",
		    nss.delay_name, nss.delay_gate);
		return;
	}
	ms = parse_number(colon + 1, 0, 600000, &errstr);
	if (n == 0 || n >= sizeof(nss.delay_name) || ms == -1) {
		log_warnx("regress: USMBD_REGRESS_NSS_DELAY is not name:ms; "
		    "ignored");
		return;
	}
	memcpy(nss.delay_name, env, n);
	nss.delay_name[n] = '\0';
	nss.delay_ms = (uint32_t)ms;
	log_info("regress: name service lookups of %s are delayed by %u ms",
	    nss.delay_name, nss.delay_ms);
}
#endif

void
nss_configure(int timeout, int cache_time)
{
	nss.timeout = timeout;
	nss.cache_time = cache_time;
}

void
nss_init(struct event_base *base)
{
	nss.base = base;
	nss.pool = tpool_new(base, "name service", NSS_MAX_THREADS, 0,
	    nss_pool_run, nss_pool_done);
#ifdef USMBD_REGRESS_HOOKS
	nss_regress_setup();
#endif
}

void
nss_resolve_user(const char *name, nss_user_cb cb, void *arg)
{
	struct nss_cache_ent *ce;
	struct nss_job *j;
	char pname[64];

	j = xcalloc(1, sizeof(*j));
	j->kind = NSS_JOB_USER;
	j->user_cb = cb;
	j->arg = arg;
	snprintf(j->name, sizeof(j->name), "%s", name);
	nss_printable(pname, sizeof(pname), name);
	snprintf(j->what, sizeof(j->what), "user \"%s\"", pname);
	if ((ce = nss_cache_find(j->name)) != NULL) {
		j->cached = 1;
		j->status = NSS_OK;
		j->user = ce->user;
		log_debug("name service: %s from the cache", j->what);
		tpool_complete(nss.pool, &j->tp);
		return;
	}
#ifdef USMBD_REGRESS_HOOKS
	nss_regress_delay(j, j->name);
#endif
	nss_submit(j);
}

/* "uid 1000", "group \"staff\"": the first question, for the log. */
static void
nss_describe_names(struct nss_job *j)
{
	const struct names_entry *e = NULL;
	char pname[NAMES_MAX_NAME];
	uint32_t i, n = 0;
	int len = 0;

	for (i = 0; i < j->names.count && i < NAMES_MAX_ENTRIES; i++) {
		if (j->names.ent[i].kind == 0)
			continue;
		if (e == NULL)
			e = &j->names.ent[i];
		n++;
	}
	if (e == NULL) {
		snprintf(j->what, sizeof(j->what), "no names");
		return;
	}
	nss_printable(pname, sizeof(pname), e->name);
	switch (e->kind) {
	case NAMES_UID:
		len = snprintf(j->what, sizeof(j->what), "uid %u", e->id);
		break;
	case NAMES_GID:
		len = snprintf(j->what, sizeof(j->what), "gid %u", e->id);
		break;
	case NAMES_USER:
		len = snprintf(j->what, sizeof(j->what), "user \"%s\"", pname);
		break;
	default:
		len = snprintf(j->what, sizeof(j->what), "group \"%s\"",
		    pname);
		break;
	}
	if (n > 1 && len > 0 && (size_t)len < sizeof(j->what))
		snprintf(j->what + len, sizeof(j->what) - (size_t)len,
		    " and %u more names", n - 1);
}

void
nss_lookup_names(const struct names_msg *req, nss_names_cb cb, void *arg)
{
	struct nss_job *j;
#ifdef USMBD_REGRESS_HOOKS
	const struct names_entry *e;
	uint32_t i;
#endif

	j = xcalloc(1, sizeof(*j));
	j->kind = NSS_JOB_NAMES;
	j->names_cb = cb;
	j->arg = arg;
	memcpy(&j->names, req, sizeof(j->names));
	if (j->names.count > NAMES_MAX_ENTRIES)
		j->names.count = NAMES_MAX_ENTRIES;
	nss_describe_names(j);
#ifdef USMBD_REGRESS_HOOKS
	for (i = 0; i < j->names.count && j->delay_ms == 0 &&
	    j->gate == NULL; i++) {
		e = &j->names.ent[i];
		if ((e->kind == NAMES_USER || e->kind == NAMES_GROUP) &&
		    memchr(e->name, '\0', sizeof(e->name)) != NULL)
			nss_regress_delay(j, e->name);
	}
#endif
	nss_submit(j);
}
