/*
 * usmbd-loadgen: keep N SMB2/3 requests outstanding on each of M
 * connections for a while or for a count, and report operations per
 * second, latency percentiles per operation and per command, errors, and
 * the generator's own CPU time, so that a reader sees whether the server
 * or the generator was the limit.  bench/README.md says how to run it and
 * bench/run.sh runs it against usmbd and Samba.
 *
 * Threads: each runs one epoll loop over its share of the connections;
 * a connection belongs to one thread for the whole of a phase and is
 * never touched by another, so nothing on the request path is locked.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <time.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "ntlm_crypto.h"
#include "ntstatus.h"
#include "smb2_crypto.h"
#include "smb2_negotiate.h"
#include "util.h"

#include "loadgen.h"

#define LG_MAX_CONNS		1024
#define LG_MAX_QD		1024
#define LG_MAX_THREADS		64
/* No response at all for this long ends the run. */
#define LG_STALL_NS		(60ULL * 1000000000ULL)

struct lg_thread {
	struct lg_phase	*ph;
	int		 tid;
	pthread_t	 t;
	struct lg_stats	*st;
};

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: usmbd-loadgen [-ESjlv] [-b iosize] "
	    "[-C connections] [-c cipher] [-d seconds] [-e entries]\n"
	    "\t[-F files] [-k pool] [-m dialect] [-n count] [-p port] "
	    "[-q depth] [-s size]\n"
	    "\t[-T threads] [-U user[%%password]] [-W domain] "
	    "[-w seconds] [-X server-pid]\n"
	    "\t//host/share workload\n");
	exit(2);
}

/* The connections of one thread: connection i goes to thread i % T. */
static int
thread_conns(struct lg_thread *th, int ep)
{
	struct lg_phase *ph = th->ph;
	struct epoll_event ev;
	struct lg_conn *c;
	int i, j, n = 0;

	for (i = th->tid; i < ph->nconns; i += ph->nthreads) {
		c = ph->conns[i];
		c->ph = ph;
		c->st = th->st;
		c->credit_goal = (uint32_t)ph->qd * LG_MAXCHAIN + 8;
		if (c->nslots != ph->qd) {
			free(c->slots);
			c->slots = xcalloc((size_t)ph->qd, sizeof(*c->slots));
			c->nslots = ph->qd;
		}
		memset(c->slots, 0, (size_t)ph->qd * sizeof(*c->slots));
		c->active = 0;
		c->waitq = c->waitq_tail = NULL;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1)
			fatal("epoll_ctl");
		for (j = 0; j < ph->qd; j++) {
			c->slots[j].conn = c;
			c->slots[j].gidx = c->id * ph->qd + j;
		}
		n++;
	}
	return n;
}

/* Write what every connection of the thread has queued. */
static int
thread_flush(struct lg_thread *th, int ep)
{
	struct lg_phase *ph = th->ph;
	struct epoll_event ev;
	struct lg_conn *c;
	int i, active = 0, want;

	for (i = th->tid; i < ph->nconns; i += ph->nthreads) {
		c = ph->conns[i];
		if (lg_flush(c) == -1)
			fatalx("connection %d lost", c->id);
		want = lg_out_pending(c);
		if (want != c->want_out) {
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
			ev.data.ptr = c;
			if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) == -1)
				fatal("epoll_ctl");
			c->want_out = want;
		}
		active += c->active;
	}
	return active;
}

static void *
thread_main(void *arg)
{
	struct lg_thread *th = arg;
	struct lg_phase *ph = th->ph;
	struct epoll_event evs[64];
	struct lg_conn *c;
	uint64_t last, now;
	int ep, i, j, n;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	thread_conns(th, ep);
	for (i = th->tid; i < ph->nconns; i += ph->nthreads)
		for (j = 0; j < ph->qd; j++)
			lg_slot_start(&ph->conns[i]->slots[j]);
	last = lg_now();
	while (thread_flush(th, ep) > 0) {
		n = epoll_wait(ep, evs, (int)nitems(evs), 100);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		now = lg_now();
		if (n > 0)
			last = now;
		else if (now - last > LG_STALL_NS)
			fatalx("no response for %llu s",
			    (unsigned long long)(LG_STALL_NS / 1000000000ULL));
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
			    lg_input(c) == -1)
				fatalx("connection %d lost", c->id);
		}
	}
	close(ep);
	return NULL;
}

int
lg_phase_run(struct lg_phase *ph)
{
	struct lg_thread th[LG_MAX_THREADS];
	int i, nt;

	nt = ph->nthreads < ph->nconns ? ph->nthreads : ph->nconns;
	ph->nthreads = nt;
	atomic_store(&ph->stop, 0);
	if (ph->result == NULL)
		ph->result = xcalloc(1, sizeof(*ph->result));
	for (i = 0; i < nt; i++) {
		th[i].ph = ph;
		th[i].tid = i;
		th[i].st = xcalloc(1, sizeof(*th[i].st));
		if ((errno = pthread_create(&th[i].t, NULL, thread_main,
		    &th[i])) != 0)
			fatal("pthread_create");
	}
	for (i = 0; i < nt; i++) {
		if ((errno = pthread_join(th[i].t, NULL)) != 0)
			fatal("pthread_join");
		lg_stats_merge(ph->result, th[i].st);
		free(th[i].st);
	}
	for (i = 0; i < ph->nconns; i++) {
		ph->conns[i]->st = NULL;
		ph->conns[i]->ph = NULL;
		ph->conns[i]->want_out = 0;
		/* A later phase adds the descriptors to its own epoll. */
	}
	return ph->result->errors == 0 ? 0 : -1;
}

static uint16_t
parse_dialect(const char *s)
{
	if (strcmp(s, "SMB3_11") == 0 || strcmp(s, "3.1.1") == 0)
		return SMB2_DIALECT_311;
	if (strcmp(s, "SMB3_02") == 0 || strcmp(s, "3.0.2") == 0)
		return SMB2_DIALECT_302;
	if (strcmp(s, "SMB3_00") == 0 || strcmp(s, "SMB3") == 0 ||
	    strcmp(s, "3.0") == 0)
		return SMB2_DIALECT_300;
	if (strcmp(s, "SMB2_10") == 0 || strcmp(s, "2.1") == 0)
		return SMB2_DIALECT_210;
	fprintf(stderr, "usmbd-loadgen: unknown dialect %s\n", s);
	usage();
}

/* A size with an optional K, M or G suffix (powers of 1024). */
static uint64_t
parse_size(const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K':
		mul = 1024, end++;
		break;
	case 'm': case 'M':
		mul = 1024 * 1024, end++;
		break;
	case 'g': case 'G':
		mul = 1024 * 1024 * 1024, end++;
		break;
	}
	if (errno != 0 || end == s || *end != '\0' || v > max / mul ||
	    v * mul < min) {
		fprintf(stderr, "usmbd-loadgen: bad size %s\n", s);
		usage();
	}
	return v * mul;
}

static long long
parse_num(const char *s, long long min, long long max)
{
	const char *err;
	long long v;

	v = parse_number(s, min, max, &err);
	if (err != NULL) {
		fprintf(stderr, "usmbd-loadgen: %s: %s\n", s, err);
		usage();
	}
	return v;
}

/* //host/share, or \\host\share. */
static void
parse_unc(struct lg_opts *o, const char *unc)
{
	char *s, *p;

	s = xstrdup(unc);
	for (p = s; *p != '\0'; p++)
		if (*p == '\\')
			*p = '/';
	if (strncmp(s, "//", 2) != 0 || (p = strchr(s + 2, '/')) == NULL ||
	    p == s + 2 || p[1] == '\0' || strchr(p + 1, '/') != NULL) {
		fprintf(stderr, "usmbd-loadgen: not //host/share: %s\n", unc);
		usage();
	}
	*p = '\0';
	o->host = s + 2;
	o->share = p + 1;
}

struct lg_run {
	struct lg_opts	 o;
	const struct lg_work *work;
	int		 nconns, qd, nthreads, json;
	double		 duration, warmup;
	uint64_t	 count;
	struct lg_phase	 ph;
	struct rusage	 ru0, ru1;
	uint64_t	 t0, t1;
	const char	*unc;
	long		 server_pid;	/* -X: its CPU time is reported */
	double		 srv0, srv1;	/* its CPU seconds at both ends */
};

static void
main_opts(struct lg_run *run, int argc, char **argv)
{
	struct lg_opts *o = &run->o;
	struct lg_phase *ph = &run->ph;
	char *p;
	int ch;

	while ((ch = getopt(argc, argv, "b:C:c:d:Ee:F:jk:lm:n:p:q:Ss:T:U:vW:w:X:"))
	    != -1) {
		switch (ch) {
		case 'b':
			ph->iosize = (uint32_t)parse_size(optarg, 1, 65536);
			break;
		case 'C':
			run->nconns = (int)parse_num(optarg, 1, LG_MAX_CONNS);
			break;
		case 'c':
			if (strcasecmp(optarg, "gcm") == 0)
				o->cipher = SMB2_CIPHER_AES128_GCM;
			else if (strcasecmp(optarg, "ccm") == 0)
				o->cipher = SMB2_CIPHER_AES128_CCM;
			else
				usage();
			break;
		case 'd':
			run->duration = (double)parse_num(optarg, 1, 86400);
			break;
		case 'E':
			o->encrypt = 1;
			break;
		case 'e':
			ph->dirents = (uint32_t)parse_num(optarg, 1, 10000000);
			break;
		case 'F':
			ph->nfiles = (uint32_t)parse_num(optarg, 1, 10000000);
			break;
		case 'j':
			run->json = 1;
			break;
		case 'k':
			ph->pool = (uint64_t)parse_num(optarg, 1, 100000000);
			break;
		case 'l':
			lg_work_list();
			exit(0);
		case 'm':
			o->dialect = parse_dialect(optarg);
			break;
		case 'n':
			run->count = (uint64_t)parse_num(optarg, 1,
			    1000000000000LL);
			break;
		case 'p':
			o->port = optarg;
			break;
		case 'q':
			run->qd = (int)parse_num(optarg, 1, LG_MAX_QD);
			break;
		case 'S':
			o->sign = 1;
			break;
		case 's':
			ph->filesize = parse_size(optarg, 65536, 1ULL << 40);
			break;
		case 'T':
			run->nthreads = (int)parse_num(optarg, 1,
			    LG_MAX_THREADS);
			break;
		case 'U':
			o->user = xstrdup(optarg);
			if ((p = strchr(o->user, '%')) != NULL) {
				*p = '\0';
				o->password = p + 1;
			}
			break;
		case 'v':
			o->verbose++;
			break;
		case 'W':
			o->domain = optarg;
			break;
		case 'w':
			run->warmup = (double)parse_num(optarg, 0, 3600);
			break;
		case 'X':
			run->server_pid = (long)parse_num(optarg, 1, INT32_MAX);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	run->unc = argv[optind];
	parse_unc(o, argv[optind]);
	if ((run->work = lg_work_find(argv[optind + 1])) == NULL) {
		fprintf(stderr, "usmbd-loadgen: no workload %s (-l lists "
		    "them)\n", argv[optind + 1]);
		usage();
	}
}

/* What was not given: the defaults, and the password from $PASSWD. */
static void
main_defaults(struct lg_run *run)
{
	struct lg_opts *o = &run->o;
	struct lg_phase *ph = &run->ph;
	long n;

	if (o->user == NULL || o->password == NULL) {
		if (o->user == NULL)
			o->user = getenv("USER") != NULL ? getenv("USER") :
			    "guest";
		if ((o->password = getenv("PASSWD")) == NULL) {
			fprintf(stderr, "usmbd-loadgen: no password (-U "
			    "user%%password or $PASSWD)\n");
			exit(2);
		}
	}
	if (o->port == NULL)
		o->port = "445";
	if (o->domain == NULL)
		o->domain = "";
	if (o->dialect == 0)
		o->dialect = SMB2_DIALECT_311;
	if (o->cipher == SMB2_CIPHER_NONE)
		o->cipher = SMB2_CIPHER_AES128_GCM;
	if (o->encrypt && o->dialect < SMB2_DIALECT_300) {
		fprintf(stderr, "usmbd-loadgen: -E needs SMB 3\n");
		exit(2);
	}
	if (run->nconns == 0)
		run->nconns = 1;
	if (run->qd == 0)
		run->qd = 1;
	if (run->nthreads == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		run->nthreads = n < 1 ? 1 : n > LG_MAX_THREADS ?
		    LG_MAX_THREADS : (int)n;
	}
	if (run->duration == 0 && run->count == 0)
		run->duration = 10;
	if (ph->iosize == 0)
		ph->iosize = 4096;
	if (ph->filesize == 0)
		ph->filesize = 64ULL << 20;
	if (ph->nfiles == 0)
		ph->nfiles = 1000;
	if (ph->dirents == 0)
		ph->dirents = 10000;
	if (ph->pool == 0)
		ph->pool = run->count != 0 ? run->count : 20000;
}

static struct lg_conn *
main_connect(struct lg_run *run, int i)
{
	struct lg_conn *c;

	if ((c = lg_conn_open(&run->o, i)) == NULL)
		return NULL;
	if (lg_negotiate(c) == -1 || lg_session_setup(c) == -1 ||
	    lg_tree_connect(c) == -1) {
		lg_conn_free(c);
		return NULL;
	}
	return c;
}

static double
us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static double
tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* What the report says, worked out once for both forms. */
struct lg_report {
	double		 secs;		/* the window */
	double		 rate;		/* operations a second */
	double		 cpu_u, cpu_s;	/* the generator's */
	double		 srv;		/* the server's, -1: not measured */
	char		 prot[64];
};

/* What protected the requests: "encrypt AES-128-GCM", "sign ...", "off". */
static void
main_protection(const struct lg_conn *c, char *buf, size_t len)
{
	if (c->encrypting)
		snprintf(buf, len, "encrypt %s", smb2_cipher_name(c->cipher));
	else if (c->signing)
		snprintf(buf, len, "sign %s", smb2_signalg_name(c->signalg));
	else
		snprintf(buf, len, "off");
}

/* CPU seconds as a share of one CPU over the window, and per operation. */
static double
cpu_pct(const struct lg_report *r, double cpu)
{
	return r->secs > 0 ? 100.0 * cpu / r->secs : 0.0;
}

static double
cpu_us_op(const struct lg_run *run, double cpu)
{
	return run->ph.result->ops ? cpu * 1e6 /
	    (double)run->ph.result->ops : 0.0;
}

static void
report_text(const struct lg_run *run, const struct lg_report *r)
{
	const struct lg_stats *st = run->ph.result;
	const struct lg_hist *h;
	double own = r->cpu_u + r->cpu_s;
	int i;

	printf("usmbd-loadgen %s: %s port %s, %s, %s, %d connection%s x %d "
	    "deep, %d thread%s\n", run->work->name, run->unc, run->o.port,
	    smb2_dialect_name(run->ph.conns[0]->dialect), r->prot,
	    run->nconns, run->nconns == 1 ? "" : "s", run->qd,
	    run->ph.nthreads, run->ph.nthreads == 1 ? "" : "s");
	printf("  %-10s %.1f/s (%llu in %.2f s), %llu error%s\n",
	    "operations", r->rate, (unsigned long long)st->ops, r->secs,
	    (unsigned long long)st->errors, st->errors == 1 ? "" : "s");
	if (st->errors != 0)
		printf("  %-10s %s: %s\n", "last error",
		    smb2_command_name(st->last_cmd),
		    ntstatus_name(st->last_status));
	h = &st->op;
	printf("  %-10s p50 %.1f us, p90 %.1f us, p99 %.1f us, mean %.1f us, "
	    "max %.1f us\n", "latency", us(lg_hist_pct(h, 0.5)),
	    us(lg_hist_pct(h, 0.9)), us(lg_hist_pct(h, 0.99)),
	    h->n ? us(h->sum / h->n) : 0.0, us(h->max));
	for (i = 0; i < LG_NCMD; i++) {
		h = &st->cmd[i];
		if (h->n == 0)
			continue;
		printf("  %-10s p50 %.1f us, p90 %.1f us, p99 %.1f us "
		    "(%llu requests)\n", smb2_command_name((uint16_t)i),
		    us(lg_hist_pct(h, 0.5)), us(lg_hist_pct(h, 0.9)),
		    us(lg_hist_pct(h, 0.99)), (unsigned long long)h->n);
	}
	printf("  %-10s user %.2f s, system %.2f s: %.0f%% of one CPU, "
	    "%.1f us per operation\n", "own cpu", r->cpu_u, r->cpu_s,
	    cpu_pct(r, own), cpu_us_op(run, own));
	if (r->srv >= 0)
		printf("  %-10s %.2f s: %.0f%% of one CPU, %.1f us per "
		    "operation\n", "server cpu", r->srv, cpu_pct(r, r->srv),
		    cpu_us_op(run, r->srv));
}

static void
json_hist(const char *name, const struct lg_hist *h)
{
	printf("\"%s\":{\"n\":%llu,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,"
	    "\"mean\":%.1f,\"max\":%.1f}", name, (unsigned long long)h->n,
	    us(lg_hist_pct(h, 0.5)), us(lg_hist_pct(h, 0.9)),
	    us(lg_hist_pct(h, 0.99)), h->n ? us(h->sum / h->n) : 0.0,
	    us(h->max));
}

/* One line of JSON; latencies in microseconds. */
static void
report_json(const struct lg_run *run, const struct lg_report *r)
{
	const struct lg_stats *st = run->ph.result;
	double own = r->cpu_u + r->cpu_s;
	int i, first = 1;

	printf("{\"workload\":\"%s\",\"port\":\"%s\",\"dialect\":\"%s\","
	    "\"protection\":\"%s\",\"conns\":%d,\"depth\":%d,\"threads\":%d,"
	    "\"seconds\":%.3f,\"ops\":%llu,\"ops_per_s\":%.1f,"
	    "\"errors\":%llu,\"requests\":%llu,", run->work->name,
	    run->o.port, smb2_dialect_name(run->ph.conns[0]->dialect),
	    r->prot, run->nconns, run->qd, run->ph.nthreads, r->secs,
	    (unsigned long long)st->ops, r->rate,
	    (unsigned long long)st->errors, (unsigned long long)st->reqs);
	json_hist("latency_us", &st->op);
	printf(",\"commands\":{");
	for (i = 0; i < LG_NCMD; i++) {
		if (st->cmd[i].n == 0)
			continue;
		if (!first)
			printf(",");
		first = 0;
		json_hist(smb2_command_name((uint16_t)i), &st->cmd[i]);
	}
	printf("},\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,\"cpu_pct\":%.1f,"
	    "\"cpu_us_per_op\":%.2f", r->cpu_u, r->cpu_s, cpu_pct(r, own),
	    cpu_us_op(run, own));
	if (r->srv >= 0)
		printf(",\"server_cpu_s\":%.3f,\"server_cpu_pct\":%.1f,"
		    "\"server_us_per_op\":%.2f", r->srv, cpu_pct(r, r->srv),
		    cpu_us_op(run, r->srv));
	printf("}\n");
}

/* Sleep until a CLOCK_MONOTONIC time in ns. */
static void
sleep_until(uint64_t t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(t / 1000000000ULL);
	ts.tv_nsec = (long)(t % 1000000000ULL);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

/* Sample the server's CPU time as the timed window opens and closes. */
static void *
main_sampler(void *arg)
{
	struct lg_run *run = arg;

	sleep_until(run->ph.t_start);
	run->srv0 = lg_proc_cpu(run->server_pid);
	if (run->ph.t_end != 0) {
		sleep_until(run->ph.t_end);
		run->srv1 = lg_proc_cpu(run->server_pid);
	}
	return NULL;
}

/* The timed phase, with the CPU time of both sides around it. */
static void
main_timed(struct lg_run *run)
{
	struct lg_phase *ph = &run->ph;
	pthread_t sampler;
	uint64_t now;

	ph->work = run->work;
	ph->timed = 1;
	atomic_store(&ph->next, 0);
	if (getrusage(RUSAGE_SELF, &run->ru0) == -1)
		fatal("getrusage");
	now = lg_now();
	ph->t_start = now + (uint64_t)(run->warmup * 1e9);
	ph->t_end = run->count != 0 ? 0 :
	    ph->t_start + (uint64_t)(run->duration * 1e9);
	if (run->server_pid != 0 && (errno = pthread_create(&sampler, NULL,
	    main_sampler, run)) != 0)
		fatal("pthread_create");
	lg_phase_run(ph);
	run->t1 = lg_now();
	if (getrusage(RUSAGE_SELF, &run->ru1) == -1)
		fatal("getrusage");
	if (run->server_pid != 0) {
		if ((errno = pthread_join(sampler, NULL)) != 0)
			fatal("pthread_join");
		/* A count ends when the last operation does. */
		if (ph->t_end == 0)
			run->srv1 = lg_proc_cpu(run->server_pid);
	}
}

int
main(int argc, char **argv)
{
	struct lg_run run;
	struct lg_phase *ph = &run.ph;
	struct lg_report rep;
	struct timeval du, ds;
	int i;

	memset(&run, 0, sizeof(run));
	log_init(1, 0);
	log_procname("usmbd-loadgen");
	main_opts(&run, argc, argv);
	main_defaults(&run);
	smb2_crypto_init();
	if (ntlm_crypto_init() == -1)
		fatalx("cannot load the NTLM algorithms");

	ph->conns = xcalloc((size_t)run.nconns, sizeof(*ph->conns));
	ph->nconns = run.nconns;
	ph->qd = run.qd;
	ph->nthreads = run.nthreads;
	for (i = 0; i < run.nconns; i++)
		if ((ph->conns[i] = main_connect(&run, i)) == NULL)
			fatalx("connection %d: logon to %s failed", i, run.unc);
	ph->limit = run.count;
	if (run.work->prepare != NULL && run.work->prepare(ph) == -1)
		fatalx("%s: setup failed", run.work->name);
	ph->nthreads = run.nthreads;
	main_timed(&run);

	timersub(&run.ru1.ru_utime, &run.ru0.ru_utime, &du);
	timersub(&run.ru1.ru_stime, &run.ru0.ru_stime, &ds);
	memset(&rep, 0, sizeof(rep));
	/* A count, or a pool that ran dry, ends at the last completion. */
	if (run.count != 0 || (ph->limit != 0 &&
	    atomic_load(&ph->next) >= ph->limit))
		rep.secs = ph->result->t_last > ph->t_start ?
		    (double)(ph->result->t_last - ph->t_start) / 1e9 : 0.0;
	else
		rep.secs = (double)(ph->t_end - ph->t_start) / 1e9;
	rep.rate = rep.secs > 0 ? (double)ph->result->ops / rep.secs : 0.0;
	rep.cpu_u = tv_s(&du);
	rep.cpu_s = tv_s(&ds);
	rep.srv = run.server_pid != 0 && run.srv0 >= 0 && run.srv1 >= 0 ?
	    run.srv1 - run.srv0 : -1;
	main_protection(ph->conns[0], rep.prot, sizeof(rep.prot));
	if (run.json)
		report_json(&run, &rep);
	else
		report_text(&run, &rep);
	fflush(stdout);
	for (i = 0; i < run.nconns; i++)
		lg_conn_free(ph->conns[i]);
	return ph->result->errors == 0 && ph->result->ops > 0 ? 0 : 1;
}
