/*
 * One SMB2 connection: framing, the credit window, signing and
 * encryption, compound chains and dispatch.  The same engine runs in
 * usmbd-preauth (NEGOTIATE and the first SESSION_SETUP) and in
 * usmbd-session (everything after); each gives it its own command table.
 */
#ifndef USMBD_SMB2_CONN_H
#define USMBD_SMB2_CONN_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "buf.h"
#include "smb2_credits.h"
#include "smb2_crypto.h"
#include "smb2_hdr.h"
#include "smb2_negotiate.h"
#include "smb_frame.h"

struct event;
struct event_base;
struct ipc_rules;
struct conf;
struct smb2_conn;
struct smb2_req;

/* Handler answers that are not an NTSTATUS. */
#define SMB2_DEFER		0xffffffffU	/* completes later */
#define SMB2_ASYNC		0xfffffffcU	/* went async: interim sent */
#define SMB2_NO_RESPONSE	0xfffffffdU	/* e.g. CANCEL */

#define SMB2_HDR_LEN		64
#define SMB2_SIG_OFFSET		48
#define SMB2_TRANSFORM_LEN	52

enum smb2_sess_state {
	SESS_IN_PROGRESS,
	SESS_VALID,
	SESS_EXPIRED,
};

struct smb2_tree;

struct smb2_session {
	TAILQ_ENTRY(smb2_session) entry;
	uint64_t		 id;
	enum smb2_sess_state	 state;
	uint32_t		 flags;		/* AUTH_FLAG_* */
	int			 signing_required;
	int			 encrypt_data;
	uint32_t		 uid;
	char			 user[AUTH_MAX_USER];
	uint8_t			 session_key[64];
	size_t			 session_key_len;
	uint8_t			 preauth_hash[64];
	struct smb2_keys	 keys;
	struct smb2_signer	*signer;
	struct smb2_cryptor	*enc;	/* server to client */
	struct smb2_cryptor	*dec;	/* client to server */
	uint64_t		 expires_ms;	/* 0: never */
	int			 reauth;	/* re-authentication running */
	int			 logged_off;	/* free after the response */
	uint64_t		 prev_id;	/* PreviousSessionId, 0: none */
	TAILQ_HEAD(, smb2_tree)	 trees;
	uint32_t		 next_tree_id;
	uint32_t		 ntrees;
};

/* One request of a (possibly compound) message, and its response. */
struct smb2_req {
	struct smb2_hdr		 hdr;
	struct rbuf		 msg;	/* this request, header included */
	struct rbuf		 body;	/* after the 64-byte header */
	struct smb2_session	*sess;
	struct smb2_tree	*tree;
	int			 was_signed;
	int			 was_encrypted;
	int			 related;
	struct wbuf		*out;	/* the response body goes here */
	uint32_t		 status;
	uint64_t		 resp_session_id;	/* 0: as in request */
	uint32_t		 resp_tree_id;
	int			 no_sign;	/* guest/anonymous setup */
	int			 sign_always;	/* 3.1.1 final setup */
	int			 drop;		/* end the connection after */
	int			 error_data;	/* out holds an error body */
	uint64_t		 async_id;	/* set when it went async */
	/* Byte-range lock check of its IO done (smb2_lock.c). */
	int			 brl_checked;
	uint32_t		 brl_status;	/* 0: clear; else the conflict */
	uint32_t		 brl_index;	/* of the first range in conflict */
};

typedef uint32_t (*smb2_handler)(struct smb2_conn *, struct smb2_req *);

/*
 * A request that went asynchronous (MS-SMB2 3.3.4.2): the client got an
 * interim STATUS_PENDING with the AsyncId and waits for the final answer,
 * or cancels.
 */
struct smb2_async;
typedef void	(*smb2_async_cancel)(struct smb2_conn *, struct smb2_async *);

struct smb2_async {
	TAILQ_ENTRY(smb2_async)	 entry;
	uint64_t		 async_id;
	uint64_t		 message_id;
	uint16_t		 command;
	uint16_t		 credit_charge;
	uint64_t		 session_id;
	struct smb2_session	*sess;
	int			 sign;
	int			 encrypt;
	smb2_async_cancel	 cancel;
	void			*arg;
	/*
	 * A quiet one got no interim response: its final answer is an
	 * ordinary response that grants credits (smb2_async_reply()).
	 */
	int			 quiet;
	uint16_t		 credits_req;
	uint32_t		 tree_id;
	uint32_t		 process_id;
};

#define SMB2_CMD_NEED_SESSION	0x01
#define SMB2_CMD_NEED_TREE	0x02

struct smb2_cmd {
	smb2_handler	 fn;
	uint16_t	 structure_size;	/* of the request body */
	int		 flags;
};

#define SMB2_NCOMMANDS	19

/*
 * A queued message: len bytes of data, then, for a zero-copy READ,
 * file_len bytes sent from file_fd (which the entry owns) at file_off.
 */
struct smb2_out {
	TAILQ_ENTRY(smb2_out)	 entry;
	size_t			 len;
	size_t			 off;
	int			 file_fd;	/* -1: none */
	uint64_t		 file_off;
	size_t			 file_len;	/* still to send */
	uint8_t			 data[];
};

/* Room before a response body: the frame length and the SMB2 header. */
#define SMB2_OUT_HEADROOM	(4 + 64)

/* A frame being worked through, kept while a handler waits. */
struct smb2_work {
	uint8_t		*frame;		/* the plaintext message(s) */
	size_t		 framelen;
	size_t		 off;		/* start of the current request */
	int		 encrypted;
	struct smb2_session *enc_sess;	/* session that decrypted it */
	struct wbuf	 resp;		/* compound response so far */
	size_t		 last_resp_off;	/* start of the last response */
	int		 have_last;
	struct smb2_session *last_sign;	/* signs the last element */
	struct smb2_req	 req;		/* the request in progress */
	struct wbuf	 body;
	/* Carried along a related chain (MS-SMB2 3.3.5.2.7.2). */
	uint64_t	 prev_session_id;
	uint32_t	 prev_tree_id;
	uint8_t		 prev_file_id[16];
	uint32_t	 prev_status;
	int		 prev_noids;	/* its session or tree was unknown */
	/*
	 * Parked: a handler waits for disk IO (smb2_rw_aio.c) and the
	 * connection serves other frames meanwhile (smb2_conn_park()).
	 */
	TAILQ_ENTRY(smb2_work) park_entry;
	int		 park;		/* detach on SMB2_DEFER */
	int		 parked;	/* on c->parked */
	int		 ready;		/* its handler finished */
	void		(*park_drop)(void *);	/* the chain is thrown away */
	void		*park_arg;
};

struct smb2_conn {
	int			 fd;
	struct event_base	*base;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_timer;
	const struct conf	*conf;
	const struct smb2_cmd	*cmds;
	int			 preauth;	/* in usmbd-preauth */
	int			 exact_reads;	/* never read past a frame */
	char			 peer[64];

	struct smb_frame_rx	 rx;
	TAILQ_HEAD(, smb2_out)	 outq;
	size_t			 outq_bytes;
	int			 reading_paused;
	int			 io_paused;	/* too much disk IO in flight */
	TAILQ_ENTRY(smb2_conn)	 io_entry;	/* while io_paused */
	int			 closing;

	/* Negotiated state. */
	int			 negotiated;
	struct smb2_negotiate_cfg ncfg;
	struct smb2_negotiate_result nres;
	uint8_t			 preauth_hash[64];	/* connection's */
	uint32_t		 max_read, max_write, max_trans;

	struct smb2_credits	 credits;
	TAILQ_HEAD(, smb2_session) sessions;
	uint64_t		 next_session_id;

	struct smb2_work	*work;		/* current frame */
	TAILQ_HEAD(, smb2_work)	 parked;	/* frames waiting for disk IO */
	int			 running_parked;
	TAILQ_HEAD(, smb2_async) asyncs;
	size_t			 nasync;	/* with an interim response */
	int			 async_warned;
	int			 opens_warned;
	uint64_t		 next_async_id;
	uint32_t		 cancel_status;	/* why asyncs are cancelled */
	int			 waiting;	/* a handler deferred */
	uint64_t		 frames_in;	/* received, for idleness */
	uint64_t		 bytes_in;	/* frames' bytes received */
	uint64_t		 bytes_out;	/* bytes sent */
	int			 handoff;	/* preauth: session is valid */

	/* Called when the connection ends (after the socket is closed). */
	void			(*on_close)(struct smb2_conn *, const char *);
	/* Preauth: called after a session became valid. */
	void			(*on_session)(struct smb2_conn *,
				    struct smb2_session *);
	void			*arg;
};

/* smb2_conn.c */
struct smb2_conn *smb2_conn_new(struct event_base *, int, const struct conf *,
		    const struct smb2_cmd *, int);
void		 smb2_conn_start(struct smb2_conn *);
/* "address:port" of the peer of a socket, for logs. */
void		 smb2_peer_name(int, char *, size_t);
/* Stop reading; finish writing what is queued; then close. */
void		 smb2_conn_close(struct smb2_conn *, const char *);
void		 smb2_conn_free(struct smb2_conn *);
/*
 * Disk IO in flight holds too much memory: read no new request from the
 * client until smb2_conn_io_resume(), which wakes every connection paused
 * so.  Requests already read go on.
 */
void		 smb2_conn_io_pause(struct smb2_conn *);
void		 smb2_conn_io_resume(void);
/* A deferred handler finished; req->status and req->out are set. */
void		 smb2_conn_resume(struct smb2_conn *);
/*
 * The current request will return SMB2_DEFER to wait for disk IO, and
 * its wait need not hold up the connection: the frame is set aside and
 * other frames are served until smb2_conn_unpark().  If the frame is
 * thrown away first (its session ends, the connection closes), drop(arg)
 * is called and the IO must no longer touch the frame.  Returns the
 * frame, for smb2_conn_unpark().
 */
struct smb2_work *smb2_conn_park(struct smb2_conn *, void (*)(void *),
		    void *);
/* After a handler that parked returned SMB2_DEFER outside the engine. */
void		 smb2_conn_detach(struct smb2_conn *);
/* The parked handler finished; w->req.status and w->req.out are set. */
void		 smb2_conn_unpark(struct smb2_conn *, struct smb2_work *);
/*
 * Make the current request asynchronous; the handler then returns
 * SMB2_ASYNC and later calls smb2_async_complete() exactly once (also
 * from its cancel function).
 */
/* At "max async requests": refuse what would wait. */
int		 smb2_async_full(struct smb2_conn *);
struct smb2_async *smb2_async_new(struct smb2_conn *, struct smb2_req *,
		    smb2_async_cancel, void *);
void		 smb2_async_complete(struct smb2_conn *, struct smb2_async *,
		    uint32_t, const void *, size_t);
/*
 * Like smb2_async_new(), but no interim response is sent: the handler
 * returns SMB2_NO_RESPONSE and the engine goes on with other requests;
 * the answer comes later through smb2_async_reply().  For a lone request
 * whose work runs elsewhere (disk IO in the thread pool).
 */
struct smb2_async *smb2_async_quiet(struct smb2_conn *, struct smb2_req *,
		    smb2_async_cancel, void *);
/* A queue entry with SMB2_OUT_HEADROOM + bodylen bytes of data. */
struct smb2_out	*smb2_out_new(size_t bodylen);
void		 smb2_out_free(struct smb2_out *);
/*
 * The answer of a quiet (or async) request: the body is at
 * o->data + SMB2_OUT_HEADROOM (o may be NULL for an error), followed on
 * the wire by file_len bytes of file_fd when file_fd is not -1 (only
 * when the response is neither signed nor encrypted).  Takes o and
 * file_fd.
 */
void		 smb2_async_reply(struct smb2_conn *, struct smb2_async *,
		    uint32_t, struct smb2_out *, size_t, int, uint64_t,
		    size_t);
/* Is the answer of this async request signed or encrypted? */
int		 smb2_async_protected(const struct smb2_async *);
/* Cancel every async request of a session, or all with NULL. */
void		 smb2_async_cancel_session(struct smb2_conn *,
		    struct smb2_session *);
uint32_t	 smb2_cmd_cancel_async(struct smb2_conn *, struct smb2_req *);
/*
 * Send a message unasked (an oplock break notification), encrypted for
 * the session where it or the tree must be.
 */
void		 smb2_conn_notify(struct smb2_conn *, struct smb2_session *,
		    const struct smb2_tree *, uint16_t, const void *, size_t);
/* Work through one frame as if it had come from the socket. */
void		 smb2_conn_input(struct smb2_conn *, uint8_t *, size_t);
/* Write everything queued, blocking (before a handoff). */
int		 smb2_conn_flush(struct smb2_conn *);
/* Queue raw bytes (with the 4-byte framing header added). */
int		 smb2_conn_send(struct smb2_conn *, const uint8_t *, size_t);
struct smb2_session *smb2_session_find(struct smb2_conn *, uint64_t);
struct smb2_session *smb2_session_new(struct smb2_conn *);
void		 smb2_session_free(struct smb2_conn *, struct smb2_session *);
/* Derive keys and set up signing and encryption for a session. */
int		 smb2_session_setup_keys(struct smb2_conn *,
		    struct smb2_session *);
/* Build an ERROR response body (MS-SMB2 2.2.2). */
void		 smb2_error_body(struct wbuf *);
/*
 * Called with each response as it was added to the chain (header and
 * body, before signing): keeps the 3.1.1 pre-authentication hashes.
 */
void		 smb2_req_after_emit(struct smb2_conn *, struct smb2_req *,
		    const uint8_t *, size_t);

/* smb2_tree.c */
struct smb2_tree *smb2_tree_find(struct smb2_session *, uint32_t);
int		 smb2_tree_encrypted(const struct smb2_tree *);
void		 smb2_tree_free_all(struct smb2_session *);

/* smb2_negprot.c (preauth) */
void		 smb2_smb1_negotiate(struct smb2_conn *, const uint8_t *,
		    size_t);

/* smb2_sesssetup.c */
/* authd's channel; rules: the table of the program that runs the engine. */
/*
 * A session worker's hook: a new session named a PreviousSessionId
 * (smbd/session/smb2_durable.c asks the master to end it).
 */
extern void	(*smb2_sesssetup_previous)(struct smb2_conn *,
		    struct smb2_session *);
void		 smb2_sesssetup_init(struct event_base *, int,
		    struct smb2_conn *, const struct ipc_rules *);
uint32_t	 smb2_cmd_session_setup(struct smb2_conn *, struct smb2_req *);
uint32_t	 smb2_cmd_logoff(struct smb2_conn *, struct smb2_req *);
uint32_t	 smb2_cmd_echo(struct smb2_conn *, struct smb2_req *);

/* smb2_state.c: what usmbd-preauth hands to usmbd-session. */
int		 smb2_state_export(struct smb2_conn *, struct wbuf *);
int		 smb2_state_import(struct smb2_conn *, const uint8_t *, size_t);

#endif /* USMBD_SMB2_CONN_H */
