/*
 * usmbd-loadgen: an SMB2/3 client that keeps many requests outstanding on
 * many connections and measures requests per second and latency.  It
 * measures servers, so it is written to cost little per request: one
 * epoll loop per thread over its share of the connections, one read(2)
 * for many responses and one write(2) for many requests, no allocation
 * per request in steady state.
 *
 * The pieces:
 *	loadgen.c	options, the phases, the threads, the report
 *	loadgen_conn.c	a connection: framing, credits, signing,
 *			encryption, the table of requests in flight
 *	loadgen_auth.c	NEGOTIATE, NTLMv2 in SPNEGO, TREE_CONNECT
 *	loadgen_msg.c	the request bodies and the response fields read
 *	loadgen_work.c	the workloads and their setup
 *	loadgen_break.c	the oplock and lease break round trips
 *	loadgen_stats.c	latency histograms, percentiles, the output
 */
#ifndef USMBD_LOADGEN_H
#define USMBD_LOADGEN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "smb2.h"
#include "smb2_hdr.h"
#include "smb_frame.h"

/* Commands 0x00 (NEGOTIATE) to 0x12 (OPLOCK_BREAK). */
#define LG_NCMD		0x13
/* Requests in flight per connection at most: the size of its table. */
#define LG_PEND		4096
/* Elements in one compound at most. */
#define LG_MAXCHAIN	3
/* Latency histogram: 32 sub-buckets per power of two of nanoseconds. */
#define LG_HIST_SUB	5
#define LG_HIST_N	(40 << LG_HIST_SUB)

struct lg_hist {
	uint64_t	 n;
	uint64_t	 sum;		/* ns */
	uint64_t	 max;		/* ns */
	uint64_t	 b[LG_HIST_N];
};

/* What one thread counted; merged at the end. */
struct lg_stats {
	struct lg_hist	 op;		/* whole operations */
	struct lg_hist	 cmd[LG_NCMD];	/* single requests by command */
	uint64_t	 ops;
	uint64_t	 errors;
	uint64_t	 reqs;
	uint64_t	 t_last;	/* ns: the last counted completion */
	uint32_t	 last_status;	/* of the last failed request */
	uint16_t	 last_cmd;
};

/* The options that shape every connection. */
struct lg_opts {
	const char	*host;
	const char	*port;
	const char	*share;
	const char	*user;
	const char	*password;
	const char	*domain;
	uint16_t	 dialect;	/* SMB2_DIALECT_311, _302 or _210 */
	int		 sign;
	int		 encrypt;
	enum smb2_cipher cipher;	/* offered first (3.1.1) */
	int		 verbose;
};

/* One response element as a workload sees it. */
struct lg_resp {
	struct smb2_hdr	 hdr;
	struct rbuf	 msg;		/* the element, header included */
};

struct lg_conn;
struct lg_slot;
struct lg_phase;

/* Return values of a workload's resp(). */
#define LG_WAIT		0	/* more responses of this step to come */
#define LG_NEXT		1	/* send the next step */
#define LG_DONE		2	/* the operation is over */

/*
 * A workload: start() begins an operation on a slot (-1 when there is
 * nothing left to do), send() queues the requests of the slot's current
 * step and returns how many responses to wait for, resp() takes each
 * response.  prepare() runs before, untimed, on the connected
 * connections: it makes the files the workload needs.
 */
struct lg_work {
	const char	*name;
	const char	*what;
	int		(*prepare)(struct lg_phase *);
	int		(*start)(struct lg_slot *);
	int		(*send)(struct lg_slot *);
	int		(*resp)(struct lg_slot *, const struct lg_resp *);
	const void	*arg;		/* the workload's own description */
	int		 chain;		/* requests in one send: credits */
	/* An oplock or lease break from the server; NULL: ignored. */
	int		(*notify)(struct lg_conn *, const struct lg_resp *);
};

/* One operation in progress (one unit of queue depth). */
struct lg_slot {
	struct lg_conn	*conn;
	int		 busy;
	int		 step;
	int		 nwait;		/* responses of this step still due */
	int		 failed;
	uint64_t	 t0;		/* when the operation began, ns */
	uint64_t	 idx;		/* the operation's number (names) */
	uint64_t	 off;		/* READ/WRITE offset, file picked */
	uint64_t	 n;		/* directory entries seen */
	uint32_t	 aux;		/* rename: which name it has now */
	int		 gidx;		/* number among all slots */
	uint8_t		 fid[16];
	uint8_t		 fid2[16];	/* a second open (break) */
	struct lg_slot	*next;		/* waiting for credits */
};

/* A request in flight. */
struct lg_pend {
	struct lg_slot	*slot;		/* NULL: free */
	uint64_t	 t;		/* sent, ns */
	uint16_t	 cmd;
	uint16_t	 extra;		/* credits asked beyond its own */
};

/* A synchronous exchange's answer (setup, not timed). */
struct lg_sync {
	int		 done;
	struct smb2_hdr	 hdr;
	uint8_t		*msg;
	size_t		 len;
};

struct lg_conn {
	int		 id;
	int		 fd;
	const struct lg_opts *o;
	struct lg_phase	*ph;
	struct smb_frame_rx rx;
	struct wbuf	 out;		/* framed, ready to write */
	size_t		 out_off;	/* written so far */
	struct wbuf	 chain;		/* the compound being built */
	size_t		 elem[LG_MAXCHAIN];
	uint16_t	 elem_extra[LG_MAXCHAIN];
	int		 nelem;
	uint8_t		*plain;		/* decrypted responses */
	size_t		 plain_cap;
	uint8_t		*ctbuf;		/* ciphertext of one request */
	size_t		 ctbuf_cap;
	/* Negotiated. */
	uint16_t	 dialect;
	uint16_t	 server_secmode;
	uint32_t	 server_caps;
	uint32_t	 max_read, max_write, max_trans;
	enum smb2_cipher cipher;
	enum smb2_signalg signalg;
	uint8_t		 preauth[SMB2_PREAUTH_HASH_LEN];
	/* The session and tree. */
	uint64_t	 session_id;
	uint32_t	 tree_id;
	int		 signing;	/* sign requests, check responses */
	int		 sign_next;	/* sign the next request anyway */
	int		 encrypting;
	struct smb2_signer *signer;
	struct smb2_cryptor *tx;	/* client to server */
	struct smb2_cryptor *rx_c;	/* server to client */
	/* Credits and message ids. */
	uint64_t	 next_mid;
	uint32_t	 credits;	/* granted, unused */
	uint32_t	 inflight;
	uint32_t	 extra_asked;	/* by requests in flight */
	uint32_t	 credit_goal;
	struct lg_pend	 pend[LG_PEND];
	struct lg_slot	*waitq, *waitq_tail;
	/* The operations. */
	struct lg_slot	*slots;
	int		 nslots;
	int		 active;	/* slots busy */
	int		 want_out;	/* EPOLLOUT asked for */
	struct lg_sync	*sync;
	struct lg_stats	*st;		/* of the thread that runs it */
	/* Per-connection state of a workload (the open data file). */
	uint8_t		 fid[16];
	int		 have_fid;
	uint64_t	 rng;
};

/* A phase: one workload run on every connection, timed or not. */
struct lg_phase {
	const struct lg_work *work;
	struct lg_conn	**conns;
	int		 nconns;
	int		 qd;
	int		 nthreads;
	int		 timed;
	uint64_t	 t_start;	/* ns: counting starts */
	uint64_t	 t_end;		/* ns: no new operation after, 0: none */
	atomic_uint_fast64_t next;	/* the next operation number */
	uint64_t	 limit;		/* operation numbers below this */
	atomic_int	 stop;
	/* What the workload was told. */
	char		 rundir[64];	/* this run's directory */
	char		 fixture[64];	/* the files it reuses */
	char		 mkprefix[96];	/* setup: names are prefix + number */
	int		 mkdir;		/* setup: make directories */
	uint64_t	 filesize;
	uint32_t	 iosize;
	uint32_t	 nfiles;	/* files in the stat/open fixture */
	uint32_t	 dirents;	/* entries of the QUERY_DIRECTORY one */
	uint64_t	 pool;		/* files made for unlink, rmdir */
	struct lg_stats	*result;	/* what every thread counted */
};

/* loadgen_conn.c */
uint64_t lg_now(void);
struct lg_conn *lg_conn_open(const struct lg_opts *, int);
void	 lg_conn_free(struct lg_conn *);
/* Begin a request element of the compound being built (related: FFs). */
struct wbuf *lg_req(struct lg_conn *, uint16_t, int);
/* Close the compound and queue it; the slot gets the responses. */
int	 lg_send(struct lg_conn *, struct lg_slot *);
/* Send the compound and wait for its one answer (setup only). */
int	 lg_transact(struct lg_conn *, struct lg_sync *);
void	 lg_sync_free(struct lg_sync *);
/* Write what is queued; -1 on a dead connection. */
int	 lg_flush(struct lg_conn *);
/* Read and dispatch every complete response; -1 on a dead connection. */
int	 lg_input(struct lg_conn *);
int	 lg_out_pending(const struct lg_conn *);
/* Whether a slot may send a compound of n now; else it waits. */
int	 lg_can_send(struct lg_conn *, int);
/* The engine: begin an operation, send its step, finish it. */
void	 lg_slot_start(struct lg_slot *);
void	 lg_slot_kick(struct lg_slot *);
void	 lg_slot_done(struct lg_slot *, uint64_t);
/* Let slots that waited for credits send. */
void	 lg_conn_unblock(struct lg_conn *);
void	 lg_count_error(struct lg_slot *, uint16_t, uint32_t);
/* Fill a response reader over what lg_transact() got. */
void	 lg_sync_resp(const struct lg_sync *, struct lg_resp *);

/* loadgen_auth.c */
int	 lg_negotiate(struct lg_conn *);
int	 lg_session_setup(struct lg_conn *);
int	 lg_tree_connect(struct lg_conn *);

/* loadgen_msg.c: request bodies, appended after lg_req(). */
int	 lg_put_create(struct wbuf *, const char *, uint32_t access,
	    uint32_t disposition, uint32_t options, uint32_t attrs);
/*
 * The same asking for an oplock level, and with a lease key for a lease
 * (an RqLs context of version 1) of the given state.
 */
int	 lg_put_create_cache(struct wbuf *, const char *, uint32_t access,
	    uint32_t disposition, uint32_t options, uint32_t attrs,
	    uint8_t oplock, const uint8_t *lease_key, uint32_t lease_state);
int	 lg_put_close(struct wbuf *, const uint8_t *);
/* Acknowledgments of an oplock break and of a lease break (2.2.24). */
int	 lg_put_oplock_ack(struct wbuf *, const uint8_t *, uint8_t);
int	 lg_put_lease_ack(struct wbuf *, const uint8_t *, uint32_t);
int	 lg_put_read(struct wbuf *, const uint8_t *, uint64_t, uint32_t);
int	 lg_put_write(struct wbuf *, const uint8_t *, uint64_t,
	    const uint8_t *, uint32_t);
int	 lg_put_query_info(struct wbuf *, const uint8_t *, uint8_t,
	    uint32_t);
int	 lg_put_query_dir(struct wbuf *, const uint8_t *, uint8_t, uint8_t,
	    const char *, uint32_t);
int	 lg_put_rename(struct wbuf *, const uint8_t *, const char *);
int	 lg_put_echo(struct wbuf *);
/* The FileId and EndOfFile of a CREATE response. */
int	 lg_get_create(const struct lg_resp *, uint8_t [16], uint64_t *);
/* The FileId every related request after a CREATE names. */
extern const uint8_t lg_related_fid[16];
/* Put a UTF-8 name as UTF-16LE, '/' as '\'. */
int	 lg_put_name(struct wbuf *, const char *);

/* loadgen_work.c */
const struct lg_work *lg_work_find(const char *);
void	 lg_work_list(void);
/* For the workloads of other files: see loadgen_work.c. */
int	 lg_work_next(struct lg_slot *);
int	 lg_work_ok(struct lg_slot *, const struct lg_resp *);
/* A run directory with a file <prefix><slot> for every slot. */
int	 lg_prep_slot_files(struct lg_phase *, const char *);
#define LG_NAME		192

/* loadgen_break.c */
extern const struct lg_work lg_work_breaks[];
extern const size_t lg_work_nbreaks;
/* Synchronous helpers for prepare(). */
int	 lg_mkdir_sync(struct lg_conn *, const char *, int);
int	 lg_exists_sync(struct lg_conn *, const char *);
int	 lg_touch_sync(struct lg_conn *, const char *);
/* Run a phase on every connection (loadgen.c). */
int	 lg_phase_run(struct lg_phase *);

/* loadgen_proc.c: CPU seconds of a process tree, -1 without /proc. */
double	 lg_proc_cpu(long);

/* loadgen_stats.c */
void	 lg_hist_add(struct lg_hist *, uint64_t);
void	 lg_hist_merge(struct lg_hist *, const struct lg_hist *);
uint64_t lg_hist_pct(const struct lg_hist *, double);
void	 lg_stats_merge(struct lg_stats *, const struct lg_stats *);

#endif /* USMBD_LOADGEN_H */
