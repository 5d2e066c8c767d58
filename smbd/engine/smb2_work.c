/*
 * One frame's requests, worked through in order: checks, dispatch,
 * compound chains, signing and sending the answers, and frames parked
 * while their disk IO runs.
 */
#include "config.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "aio.h"
#include "conf.h"
#include "log.h"
#include "ntstatus.h"
#include "sandbox.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_conn_int.h"
#include "lock_wire.h"
#include "smb2_tree.h"
#include "util.h"

static int	smb2_resp_signs(struct smb2_conn *, struct smb2_work *,
		    struct smb2_req *);
static void	smb2_conn_reap_sessions(struct smb2_conn *);
static void	smb2_conn_run_parked(struct smb2_conn *);

void
smb2_error_body(struct wbuf *w)
{
	wbuf_reset(w);
	wbuf_put_u16le(w, 9);
	wbuf_put_u8(w, 0);	/* ErrorContextCount */
	wbuf_put_u8(w, 0);
	wbuf_put_u32le(w, 0);	/* ByteCount */
	wbuf_put_u8(w, 0);
}

/*
 * Is this status one whose response carries a normal body rather than
 * the ERROR structure?  (MS-SMB2 3.3.4.4 and the commands' sections.)
 */
int
smb2_status_has_body(uint16_t cmd, uint32_t status)
{
	if (status == NT_STATUS_SUCCESS)
		return 1;
	if (status == NT_STATUS_MORE_PROCESSING_REQUIRED &&
	    cmd == SMB2_SESSION_SETUP)
		return 1;
	if (status == NT_STATUS_BUFFER_OVERFLOW &&
	    (cmd == SMB2_QUERY_INFO || cmd == SMB2_READ ||
	    cmd == SMB2_IOCTL || cmd == SMB2_QUERY_DIRECTORY))
		return 1;
	return 0;
}

/* Sign the element at [off, end). */
static void
smb2_work_sign(struct smb2_conn *c, struct smb2_work *w, size_t off,
    size_t end, struct smb2_session *s)
{
	uint8_t *p;
	uint32_t flags;

	if (wbuf_error(&w->resp))
		return;
	wbuf_peek_u32le(&w->resp, off + 16, &flags);
	wbuf_set_u32le(&w->resp, off + 16, flags | SMB2_FLAGS_SIGNED);
	p = wbuf_data(&w->resp) + off;
	memset(p + SMB2_SIG_OFFSET, 0, 16);
	if (smb2_sign(s->signer, p, end - off) == -1)
		log_warnx("%s: cannot sign a response", c->peer);
}

/*
 * Append one response: link and pad the previous element of the chain,
 * sign that one (its signature covers its padding, MS-SMB2 3.3.4.1.1),
 * then add this header and body.  The last element is signed by the
 * caller once the chain is complete.
 */
static void
smb2_work_emit(struct smb2_conn *c, struct smb2_work *w)
{
	struct smb2_req *req = &w->req;
	struct smb2_hdr h;
	size_t start;
	uint16_t grant;

	if (!smb2_status_has_body(req->hdr.command, req->status) &&
	    !req->error_data)
		smb2_error_body(req->out);

	if (w->have_last) {
		wbuf_align(&w->resp, 8);
		wbuf_set_u32le(&w->resp, w->last_resp_off + 20,
		    (uint32_t)(wbuf_len(&w->resp) - w->last_resp_off));
		if (w->last_sign != NULL)
			smb2_work_sign(c, w, w->last_resp_off,
			    wbuf_len(&w->resp), w->last_sign);
	}
	start = wbuf_len(&w->resp);

	if (log_getverbose() >= 3)
		log_debug("%s: %s mid %llu -> %s", c->peer,
		    smb2_command_name(req->hdr.command),
		    (unsigned long long)req->hdr.message_id,
		    ntstatus_name(req->status));
	grant = req->hdr.command == SMB2_CANCEL ? 0 :
	    smb2_credits_grant(&c->credits, req->hdr.credits);
	memset(&h, 0, sizeof(h));
	h.credit_charge = req->hdr.credit_charge;
	h.status = req->status;
	h.command = req->hdr.command;
	h.credits = grant;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR |
	    (req->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS);
	if (req->async_id != 0) {
		/* The interim answer of a request that went async. */
		h.flags |= SMB2_FLAGS_ASYNC_COMMAND;
		h.async_id = req->async_id;
	}
	h.message_id = req->hdr.message_id;
	h.process_id = req->hdr.process_id;
	h.tree_id = req->resp_tree_id != 0 ? req->resp_tree_id :
	    req->hdr.tree_id;
	h.session_id = req->resp_session_id != 0 ? req->resp_session_id :
	    req->hdr.session_id;
	smb2_hdr_build(&w->resp, &h);
	wbuf_put_bytes(&w->resp, wbuf_data(req->out), wbuf_len(req->out));
	w->last_resp_off = start;
	w->have_last = 1;
	w->last_sign = smb2_resp_signs(c, w, req) ? req->sess : NULL;
}

/* Should this response be signed?  (MS-SMB2 3.3.4.1.1) */
static int
smb2_resp_signs(struct smb2_conn *c, struct smb2_work *w,
    struct smb2_req *req)
{
	struct smb2_session *s = req->sess;

	if (s == NULL || s->signer == NULL || req->no_sign)
		return 0;
	if (w->encrypted)
		return 0;	/* the transform protects it */
	if (s->flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS))
		return 0;
	if (req->sign_always)
		return 1;
	if (req->hdr.command == SMB2_SESSION_SETUP &&
	    req->status != NT_STATUS_SUCCESS)
		return 0;
	return req->was_signed || s->signing_required;
}

/*
 * Send the finished compound response, encrypted when the request was or
 * the session or share demands it.
 */
static void
smb2_work_send(struct smb2_conn *c, struct smb2_work *w,
    struct smb2_session *encsess)
{
	uint8_t th[SMB2_TRANSFORM_LEN];
	uint8_t *out;
	size_t len = wbuf_len(&w->resp);
	struct iovec iov;

	if (wbuf_error(&w->resp)) {
		smb2_conn_close(c, "response too large");
		return;
	}
	if (encsess == NULL || encsess->enc == NULL) {
		smb2_conn_send(c, wbuf_data(&w->resp), len);
		return;
	}
	out = xmalloc(SMB2_TRANSFORM_LEN + len);
	iov.iov_base = wbuf_data(&w->resp);
	iov.iov_len = len;
	if (smb2_encrypt(encsess->enc, encsess->id, &iov, 1, th,
	    out + SMB2_TRANSFORM_LEN) == -1) {
		free(out);
		smb2_conn_close(c, "encryption failed");
		return;
	}
	memcpy(out, th, SMB2_TRANSFORM_LEN);
	smb2_conn_send(c, out, SMB2_TRANSFORM_LEN + len);
	free(out);
}

static void
smb2_work_free(struct smb2_conn *c)
{
	struct smb2_work *w = c->work;

	if (w == NULL)
		return;
	wbuf_free(&w->resp);
	wbuf_free(&w->body);
	free(w->frame);
	free(w);
	c->work = NULL;
}

/* Where the FileId sits in each request body that has one. */
static size_t
smb2_fileid_offset(uint16_t cmd)
{
	switch (cmd) {
	case SMB2_CLOSE:
	case SMB2_FLUSH:
	case SMB2_LOCK:
	case SMB2_IOCTL:
	case SMB2_QUERY_DIRECTORY:
	case SMB2_CHANGE_NOTIFY:
		return 8;
	case SMB2_READ:
	case SMB2_WRITE:
	case SMB2_SET_INFO:
		return 16;
	case SMB2_QUERY_INFO:
		return 24;
	default:
		return 0;
	}
}

/*
 * In a related chain, a FileId of all ones means "the file the previous
 * request opened" (MS-SMB2 3.3.5.2.7.2).  The frame is our own copy, so
 * the id is filled in where it stands.
 */
static void
smb2_related_fileid(struct smb2_work *w, struct smb2_req *req)
{
	static const uint8_t unset[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t off = smb2_fileid_offset(req->hdr.command), pos;

	if (off == 0 || rbuf_left(&req->body) < off + 16)
		return;
	/*
	 * The request is read from w->frame, the worker's own copy of the
	 * message: the FileId is replaced there, by its position.
	 */
	pos = (size_t)(rbuf_cur(&req->body) - w->frame) + off;
	if (pos > w->framelen || w->framelen - pos < 16 ||
	    memcmp(w->frame + pos, unset, 16) != 0)
		return;
	memcpy(w->frame + pos, w->prev_file_id, 16);
}

/* Remember the FileId a request used, for a related one after it. */
static void
smb2_used_fileid(struct smb2_work *w, struct smb2_req *req)
{
	size_t off = smb2_fileid_offset(req->hdr.command);

	if (off == 0 || rbuf_left(&req->body) < off + 16)
		return;
	memcpy(w->prev_file_id, rbuf_cur(&req->body) + off, 16);
}


/*
 * What a session whose Kerberos ticket ended may still do (MS-SMB2
 * 3.3.5.2.9, and smb2.session.expire2): re-authenticate, log off, close,
 * and unlock, a LOCK whose first element unlocks.  ECHO and CANCEL never
 * get this far.
 */
static int
smb2_expired_allowed(struct smb2_req *req)
{
	uint32_t flags;

	switch (req->hdr.command) {
	case SMB2_SESSION_SETUP:
	case SMB2_LOGOFF:
	case SMB2_CLOSE:
		return 1;
	case SMB2_LOCK:
		/* Locks[0].Flags: after the fixed part, Offset and Length. */
		return rbuf_peek_u32le(&req->body, 24 + 16, &flags) == 0 &&
		    flags == SMB2_LOCKFLAG_UNLOCK;
	default:
		return 0;
	}
}

/*
 * Check one request before its handler runs.  Returns an NTSTATUS for the
 * client, or SMB2_DEFER... never; and -1 (as 0xfffffffe) to drop.
 */
#define SMB2_DROP	0xfffffffeU

/*
 * ECHO needs no session, but a signed one names a session of its
 * connection: its signature is checked and the response signed as any
 * other (MS-SMB2 3.3.4.1.1), so that a client that signs everything
 * can trust its keep-alives, also in a session whose Kerberos ticket
 * ended (smb2.session.expire2s checks that signature).  An ECHO naming
 * no session, or one not (or not yet) valid, is answered unsigned as
 * before.
 */
static uint32_t
smb2_echo_session(struct smb2_conn *c, struct smb2_work *w,
    struct smb2_req *req)
{
	struct smb2_session *s;

	if (w->encrypted || !(req->hdr.flags & SMB2_FLAGS_SIGNED) ||
	    req->hdr.session_id == 0 ||
	    (s = smb2_session_find(c, req->hdr.session_id)) == NULL ||
	    (s->state != SESS_VALID && s->state != SESS_EXPIRED) ||
	    s->signer == NULL)
		return NT_STATUS_SUCCESS;
	if (smb2_verify(s->signer, rbuf_cur(&req->msg),
	    rbuf_left(&req->msg)) == -1) {
		log_warnx("%s: bad signature on ECHO (session %llx)", c->peer,
		    (unsigned long long)s->id);
		return NT_STATUS_ACCESS_DENIED;
	}
	req->sess = s;
	req->was_signed = 1;
	return NT_STATUS_SUCCESS;
}

static uint32_t
smb2_req_check(struct smb2_conn *c, struct smb2_work *w, struct smb2_req *req)
{
	const struct smb2_cmd *cmd;
	uint16_t ssize;
	int noids;

	/* Whether the previous request's ids were unknown, for this one. */
	noids = w->prev_noids;
	w->prev_noids = 0;
	if (req->hdr.command >= SMB2_NCOMMANDS)
		return NT_STATUS_INVALID_PARAMETER;
	cmd = &c->cmds[req->hdr.command];
	if (req->hdr.flags & SMB2_FLAGS_SERVER_TO_REDIR)
		return SMB2_DROP;

	/* Credits first: a request outside the window ends the connection. */
	if (req->hdr.command != SMB2_CANCEL) {
		uint16_t charge = req->hdr.credit_charge;

		if (c->nres.dialect == SMB2_DIALECT_202 || !c->negotiated)
			charge = 1;
		if (smb2_credits_consume(&c->credits, req->hdr.message_id,
		    charge) == -1) {
			log_warnx("%s: MessageId %llu (charge %u) is not in the "
			    "credit window", c->peer,
			    (unsigned long long)req->hdr.message_id, charge);
			return SMB2_DROP;
		}
	}
	if (!c->negotiated && req->hdr.command != SMB2_NEGOTIATE)
		return SMB2_DROP;

	/* Related chains inherit ids from the previous element. */
	if (req->related) {
		/*
		 * MS-SMB2 3.3.5.2.7.2: after a request whose session or tree
		 * could not be found, the related ones fail with
		 * INVALID_PARAMETER (smb2.compound.invalid2).
		 */
		if (noids) {
			w->prev_noids = 1;
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (req->hdr.session_id == UINT64_MAX)
			req->hdr.session_id = w->prev_session_id;
		if (req->hdr.tree_id == UINT32_MAX)
			req->hdr.tree_id = w->prev_tree_id;
		if (w->prev_status != NT_STATUS_SUCCESS)
			return w->prev_status;
	}

	if (rbuf_peek_u16le(&req->body, 0, &ssize) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if (cmd->fn == NULL)
		return NT_STATUS_NOT_SUPPORTED;
	/* OPLOCK_BREAK has a second size: a lease's (MS-SMB2 2.2.24.2). */
	if (ssize != cmd->structure_size &&
	    !(req->hdr.command == SMB2_OPLOCK_BREAK &&
	    ssize == SMB2_LEASE_BREAK_ACK_SIZE))
		return NT_STATUS_INVALID_PARAMETER;

	if (req->hdr.command == SMB2_ECHO)
		return smb2_echo_session(c, w, req);
	if (req->hdr.command == SMB2_NEGOTIATE ||
	    req->hdr.command == SMB2_CANCEL)
		return NT_STATUS_SUCCESS;
	if (req->hdr.command == SMB2_SESSION_SETUP &&
	    req->hdr.session_id == 0)
		return NT_STATUS_SUCCESS;

	req->sess = smb2_session_find(c, req->hdr.session_id);
	if (req->sess == NULL) {
		w->prev_noids = 1;
		return NT_STATUS_USER_SESSION_DELETED;
	}
	/*
	 * A session whose Kerberos ticket ended answers only its
	 * re-authentication and LOGOFF (MS-SMB2 3.3.5.2.9).
	 */
	if (req->sess->state == SESS_VALID && req->sess->expires_ms != 0 &&
	    !req->sess->reauth && time_mono_ms() >= req->sess->expires_ms)
		req->sess->state = SESS_EXPIRED;
	if (req->sess->state == SESS_EXPIRED && !smb2_expired_allowed(req))
		return NT_STATUS_NETWORK_SESSION_EXPIRED;
	if (req->sess->state == SESS_IN_PROGRESS &&
	    req->hdr.command != SMB2_SESSION_SETUP)
		return NT_STATUS_USER_SESSION_DELETED;

	/* Signature (MS-SMB2 3.3.5.2.4). */
	if (!w->encrypted && req->sess->signer != NULL) {
		if (req->hdr.flags & SMB2_FLAGS_SIGNED) {
			if (smb2_verify(req->sess->signer,
			    rbuf_cur(&req->msg), rbuf_left(&req->msg)) == -1) {
				log_warnx("%s: bad signature on %s (session "
				    "%llx)", c->peer,
				    smb2_command_name(req->hdr.command),
				    (unsigned long long)req->sess->id);
				return NT_STATUS_ACCESS_DENIED;
			}
			req->was_signed = 1;
		} else if (req->sess->signing_required &&
		    req->sess->state == SESS_VALID &&
		    req->hdr.command != SMB2_SESSION_SETUP) {
			log_warnx("%s: unsigned %s on a session that must "
			    "sign", c->peer,
			    smb2_command_name(req->hdr.command));
			return NT_STATUS_ACCESS_DENIED;
		}
	}
	/* Encryption required but the request came in the clear. */
	if (!w->encrypted && req->sess->encrypt_data &&
	    req->sess->state == SESS_VALID &&
	    req->hdr.command != SMB2_SESSION_SETUP)
		return NT_STATUS_ACCESS_DENIED;

	if (cmd->flags & SMB2_CMD_NEED_TREE) {
		req->tree = smb2_tree_find(req->sess, req->hdr.tree_id);
		if (req->tree == NULL) {
			w->prev_noids = 1;
			return NT_STATUS_NETWORK_NAME_DELETED;
		}
		if (!w->encrypted && smb2_tree_encrypted(req->tree))
			return NT_STATUS_ACCESS_DENIED;
	}
	if (smb2_tree_enter_hook != NULL)
		smb2_tree_enter_hook(req->tree);
	/* Only now: the signature covers the FileId as the client sent it. */
	if (req->related)
		smb2_related_fileid(w, req);
	return NT_STATUS_SUCCESS;
}

/*
 * Work through the current frame from where it stopped.
 */
void
smb2_work_run(struct smb2_conn *c)
{
	struct smb2_work *w = c->work;
	struct smb2_req *req = &w->req;
	struct smb2_session *encsess = NULL;
	size_t remain, len;
	uint32_t st;
	struct rbuf r;
	int first;

	for (;;) {
		if (c->waiting) {
			/* A deferred handler finished: emit its response. */
			c->waiting = 0;
			goto emit;
		}
		if (w->off >= w->framelen)
			break;
		first = w->off == 0;
		remain = w->framelen - w->off;
		memset(req, 0, sizeof(*req));
		rbuf_init(&r, w->frame + w->off, remain);
		if (smb2_hdr_parse(&r, &req->hdr) == -1) {
			smb2_conn_close(c, "malformed SMB2 header");
			goto done;
		}
		len = remain;
		if (req->hdr.next_command != 0) {
			if (req->hdr.next_command < SMB2_HDR_LEN ||
			    req->hdr.next_command > remain ||
			    (req->hdr.next_command & 7) != 0) {
				smb2_conn_close(c, "bad NextCommand");
				goto done;
			}
			len = req->hdr.next_command;
		}
		rbuf_init(&req->msg, w->frame + w->off, len);
		rbuf_init(&req->body, w->frame + w->off + SMB2_HDR_LEN,
		    len - SMB2_HDR_LEN);
		req->related = !first &&
		    (req->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS);
		req->was_encrypted = w->encrypted;
		wbuf_reset(&w->body);
		req->out = &w->body;
		w->off = req->hdr.next_command != 0 ? w->off + len :
		    w->framelen;

		st = smb2_req_check(c, w, req);
		/*
		 * The first request of a chain cannot be related to
		 * anything (MS-SMB2 3.3.5.2.7.2).
		 */
		if (st == NT_STATUS_SUCCESS && first &&
		    (req->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS))
			st = NT_STATUS_INVALID_PARAMETER;
		if (st == SMB2_DROP) {
			smb2_conn_close(c, "protocol violation");
			goto done;
		}
		if (st != NT_STATUS_SUCCESS) {
			req->status = st;
			goto emit;
		}
		st = c->cmds[req->hdr.command].fn(c, req);
		if (st == SMB2_DEFER) {
			/* Resumed by smb2_conn_resume() or _unpark(). */
			smb2_conn_detach(c);
			return;
		}
		if (st == SMB2_NO_RESPONSE)
			continue;
		if (st == SMB2_ASYNC) {
			/* Interim STATUS_PENDING, never signed (3.3.4.1.1). */
			st = NT_STATUS_PENDING;
			req->no_sign = 1;
			smb2_error_body(req->out);
			req->error_data = 1;
		}
		req->status = st;
 emit:
		if (req->drop) {
			smb2_conn_close(c, "handler ended the connection");
			goto done;
		}
		smb2_work_emit(c, w);
		if (req->sess != NULL && (w->encrypted ||
		    req->sess->encrypt_data ||
		    (req->tree != NULL && smb2_tree_encrypted(req->tree))))
			encsess = req->sess->enc != NULL ? req->sess : encsess;
		if (w->encrypted && w->enc_sess != NULL)
			encsess = w->enc_sess;
		w->prev_session_id = req->resp_session_id != 0 ?
		    req->resp_session_id : req->hdr.session_id;
		w->prev_tree_id = req->resp_tree_id != 0 ?
		    req->resp_tree_id : req->hdr.tree_id;
		/*
		 * An error carries down a related chain from the request
		 * that made the ids the chain uses (a CREATE, a session or a
		 * tree); a later request that fails alone, like a WRITE on a
		 * read-only open, does not fail the ones after it
		 * (smb2.compound.related6, as Windows does).
		 */
		if (!req->related || req->hdr.command == SMB2_CREATE ||
		    req->hdr.command == SMB2_SESSION_SETUP ||
		    req->hdr.command == SMB2_TREE_CONNECT)
			w->prev_status = req->status;
		/*
		 * A successful CREATE names the file for what follows; any
		 * other request the file it used (MS-SMB2 3.3.5.2.7.2:
		 * FLUSH then a related CLOSE, smb2.compound_async).
		 */
		if (req->hdr.command == SMB2_CREATE &&
		    req->status == NT_STATUS_SUCCESS &&
		    wbuf_len(req->out) >= 80)
			memcpy(w->prev_file_id, wbuf_data(req->out) + 64, 16);
		else if (req->hdr.command != SMB2_CREATE)
			smb2_used_fileid(w, req);
		smb2_req_after_emit(c, req, wbuf_data(&w->resp) +
		    w->last_resp_off, wbuf_len(&w->resp) - w->last_resp_off);
		if (c->closing)
			goto done;
	}
	/*
	 * In a chain of several responses the last one is padded to 8 bytes
	 * too, as Windows does (smb2.compound.compound-padding).
	 */
	if (w->have_last && w->last_resp_off > 0)
		wbuf_align(&w->resp, 8);
	if (w->have_last && w->last_sign != NULL)
		smb2_work_sign(c, w, w->last_resp_off, wbuf_len(&w->resp),
		    w->last_sign);
	if (w->have_last)
		smb2_work_send(c, w, encsess);
 done:
	smb2_work_free(c);
	smb2_conn_reap_sessions(c);
	if (c->handoff && !c->closing) {
		/* usmbd-preauth: the connection moves to a session worker. */
		c->handoff = 0;
		if (c->on_session != NULL)
			c->on_session(c, NULL);
		return;
	}
	if (!c->closing && !c->reading_paused)
		smb2_conn_read_again(c);
	smb2_conn_run_parked(c);
}

/* Sessions logged off in the chain just sent go away now. */
static void
smb2_conn_reap_sessions(struct smb2_conn *c)
{
	struct smb2_session *s, *next;

	for (s = TAILQ_FIRST(&c->sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->logged_off)
			smb2_session_free(c, s);
	}
}

void
smb2_conn_resume(struct smb2_conn *c)
{
	if (c->work == NULL || !c->waiting)
		return;
	smb2_work_run(c);
}

struct smb2_work *
smb2_conn_park(struct smb2_conn *c, void (*drop)(void *), void *arg)
{
	struct smb2_work *w = c->work;

	w->park = 1;
	w->park_drop = drop;
	w->park_arg = arg;
	c->waiting = 1;
	return w;
}

/*
 * A handler parked its frame and returned SMB2_DEFER: set the frame
 * aside and read the next one.  Its responses, already built and those
 * still to come, go out together when it is finished.
 */
void
smb2_conn_detach(struct smb2_conn *c)
{
	struct smb2_work *w = c->work;

	if (w == NULL || !w->park)
		return;
	w->park = 0;
	w->parked = 1;
	TAILQ_INSERT_TAIL(&c->parked, w, park_entry);
	c->work = NULL;
	c->waiting = 0;
	if (!c->closing && !c->reading_paused)
		smb2_conn_read_again(c);
}

void
smb2_conn_unpark(struct smb2_conn *c, struct smb2_work *w)
{
	if (!w->parked) {
		/* Finished before it was set aside: go straight on. */
		w->park = 0;
		w->park_drop = NULL;
		smb2_conn_resume(c);
		return;
	}
	w->ready = 1;
	w->park_drop = NULL;
	smb2_conn_run_parked(c);
}

/*
 * Go on with parked frames whose IO is done, one at a time, whenever no
 * other frame is in progress (one may wait for lockd).
 */
static void
smb2_conn_run_parked(struct smb2_conn *c)
{
	struct smb2_work *w;

	if (c->running_parked)
		return;
	c->running_parked = 1;
	while (c->work == NULL && !c->closing) {
		TAILQ_FOREACH(w, &c->parked, park_entry)
			if (w->ready)
				break;
		if (w == NULL)
			break;
		TAILQ_REMOVE(&c->parked, w, park_entry);
		w->parked = 0;
		w->ready = 0;
		/* A TREE_DISCONNECT meanwhile took its tree away. */
		if (w->req.sess != NULL && w->req.tree != NULL)
			w->req.tree = smb2_tree_find(w->req.sess,
			    w->req.hdr.tree_id);
		c->work = w;
		c->waiting = 1;
		event_del(c->ev_read);
		smb2_work_run(c);
	}
	c->running_parked = 0;
}

/*
 * The session s ends while the frame w is parked.  The request waiting
 * for its IO is answered STATUS_CANCELLED, as a lone one is, and the
 * rest of the chain then fails for want of the session; the response
 * before it, still to be signed with s, is signed now.  An encrypted
 * frame whose keys go away cannot be answered at all.
 */
void
smb2_work_session_ends(struct smb2_conn *c, struct smb2_work *w,
    struct smb2_session *s)
{
	if (w->enc_sess == s) {
		smb2_work_drop(c, w);
		return;
	}
	if (w->last_sign == s && w->have_last) {
		/* What smb2_work_emit() would do before the next element. */
		wbuf_align(&w->resp, 8);
		wbuf_set_u32le(&w->resp, w->last_resp_off + 20,
		    (uint32_t)(wbuf_len(&w->resp) - w->last_resp_off));
		smb2_work_sign(c, w, w->last_resp_off, wbuf_len(&w->resp), s);
		w->last_sign = NULL;
	}
	if (w->req.sess != s)
		return;
	if (w->park_drop != NULL)
		w->park_drop(w->park_arg);
	w->park_drop = NULL;
	w->req.sess = NULL;
	w->req.tree = NULL;
	w->req.status = NT_STATUS_CANCELLED;
	w->ready = 1;
}

/* Throw a parked frame away, unanswered. */
void
smb2_work_drop(struct smb2_conn *c, struct smb2_work *w)
{
	TAILQ_REMOVE(&c->parked, w, park_entry);
	log_info("%s: %s mid %llu: its session or connection ended while "
	    "it waited for disk IO; the chain is not answered", c->peer,
	    smb2_command_name(w->req.hdr.command),
	    (unsigned long long)w->req.hdr.message_id);
	if (w->park_drop != NULL)
		w->park_drop(w->park_arg);
	wbuf_free(&w->resp);
	wbuf_free(&w->body);
	free(w->frame);
	free(w);
}
