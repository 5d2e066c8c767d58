/*
 * Requests that went asynchronous (MS-SMB2 3.3.4.2): interim answers,
 * the final answer, CANCEL, and the limit on how many may wait.
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
#include "util.h"

struct smb2_async *
smb2_async_new(struct smb2_conn *c, struct smb2_req *req,
    smb2_async_cancel cancel, void *arg)
{
	struct smb2_async *a;

	a = xcalloc(1, sizeof(*a));
	a->async_id = c->next_async_id++;
	a->message_id = req->hdr.message_id;
	a->command = req->hdr.command;
	a->credit_charge = req->hdr.credit_charge;
	a->session_id = req->hdr.session_id;
	a->sess = req->sess;
	a->sign = req->sess != NULL && req->sess->signer != NULL &&
	    !(req->sess->flags & (AUTH_FLAG_GUEST | AUTH_FLAG_ANONYMOUS)) &&
	    (req->was_signed || req->sess->signing_required);
	a->encrypt = req->sess != NULL && req->sess->enc != NULL &&
	    (req->was_encrypted || req->sess->encrypt_data ||
	    (req->tree != NULL && smb2_tree_encrypted(req->tree)));
	a->cancel = cancel;
	a->arg = arg;
	req->async_id = a->async_id;
	TAILQ_INSERT_TAIL(&c->asyncs, a, entry);
	c->nasync++;
	return a;
}

/*
 * An interim response grants credits, so credits do not bound the
 * requests that went asynchronous (CHANGE_NOTIFY, a LOCK that waits):
 * "max async requests" does.  1 when this connection has as many as it
 * may, said once per connection.
 */
int
smb2_async_full(struct smb2_conn *c)
{
	if (c->nasync < (size_t)c->conf->g.max_async_requests)
		return 0;
	if (!c->async_warned)
		log_warnx("%s: %zu requests waiting, the limit (max async "
		    "requests); refusing more with "
		    "STATUS_INSUFFICIENT_RESOURCES", c->peer, c->nasync);
	c->async_warned = 1;
	return 1;
}

struct smb2_async *
smb2_async_quiet(struct smb2_conn *c, struct smb2_req *req,
    smb2_async_cancel cancel, void *arg)
{
	struct smb2_async *a;

	a = smb2_async_new(c, req, cancel, arg);
	/* No interim answer: the request keeps its synchronous header. */
	req->async_id = 0;
	a->quiet = 1;
	/* Its credits bound it: it does not count as waiting. */
	c->nasync--;
	a->credits_req = req->hdr.credits;
	a->tree_id = req->hdr.tree_id;
	a->process_id = req->hdr.process_id;
	/* An encrypted answer is not signed: the transform protects it. */
	if (a->encrypt)
		a->sign = 0;
	return a;
}

int
smb2_async_protected(const struct smb2_async *a)
{
	return a->sign || a->encrypt;
}

void
smb2_async_reply(struct smb2_conn *c, struct smb2_async *a, uint32_t status,
    struct smb2_out *o, size_t bodylen, int file_fd, uint64_t file_off,
    size_t file_len)
{
	struct smb2_hdr h;
	struct wbuf w;
	uint8_t th[SMB2_TRANSFORM_LEN], *out;
	struct iovec iov;
	size_t msglen;

	TAILQ_REMOVE(&c->asyncs, a, entry);
	if (!a->quiet)
		c->nasync--;
	if (!smb2_status_has_body(a->command, status) || o == NULL) {
		/* An error: the ERROR structure, and no file data. */
		smb2_out_free(o);
		o = smb2_out_new(16);
		wbuf_init_fixed(&w, o->data + SMB2_OUT_HEADROOM, 16);
		smb2_error_body(&w);
		bodylen = wbuf_len(&w);
		if (file_fd != -1)
			close(file_fd);
		file_fd = -1;
		file_len = 0;
	}
	o->len = SMB2_OUT_HEADROOM + bodylen;
	msglen = SMB2_HDR_LEN + bodylen;
	memset(&h, 0, sizeof(h));
	h.credit_charge = a->credit_charge;
	h.status = status;
	h.command = a->command;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.message_id = a->message_id;
	h.session_id = a->session_id;
	if (a->quiet) {
		/* An ordinary answer: it grants credits (3.3.1.2). */
		h.credits = smb2_credits_grant(&c->credits, a->credits_req);
		h.process_id = a->process_id;
		h.tree_id = a->tree_id;
	} else {
		h.flags |= SMB2_FLAGS_ASYNC_COMMAND;
		h.async_id = a->async_id;
	}
	if (log_getverbose() >= 3)
		log_debug("%s: %s mid %llu -> %s (completed%s)", c->peer,
		    smb2_command_name(a->command),
		    (unsigned long long)a->message_id, ntstatus_name(status),
		    file_fd != -1 ? ", zero-copy" : "");
	wbuf_init_fixed(&w, o->data + 4, SMB2_HDR_LEN);
	smb2_hdr_build(&w, &h);
	if (file_fd != -1 && (a->sign || a->encrypt))
		fatalx("zero-copy send of a protected response");
	if (a->sign && a->sess->signer != NULL) {
		wbuf_set_u32le(&w, 16, h.flags | SMB2_FLAGS_SIGNED);
		if (smb2_sign(a->sess->signer, o->data + 4, msglen) == -1)
			log_warnx("%s: cannot sign a response", c->peer);
	}
	if (a->encrypt && a->sess->enc != NULL) {
		struct smb2_out *eo;
		size_t elen = SMB2_TRANSFORM_LEN + msglen;

		/* Encrypt straight into the queue entry that goes out. */
		eo = smb2_out_new(elen);
		out = eo->data + 4;
		iov.iov_base = o->data + 4;
		iov.iov_len = msglen;
		if (elen > 0xffffff || smb2_encrypt(a->sess->enc, a->sess->id,
		    &iov, 1, th, out + SMB2_TRANSFORM_LEN) == -1) {
			smb2_out_free(eo);
			smb2_conn_close(c, "encryption failed");
		} else {
			memcpy(out, th, SMB2_TRANSFORM_LEN);
			eo->data[0] = 0;
			eo->data[1] = (uint8_t)(elen >> 16);
			eo->data[2] = (uint8_t)(elen >> 8);
			eo->data[3] = (uint8_t)elen;
			eo->len = 4 + elen;
			smb2_conn_queue(c, eo);
		}
		smb2_out_free(o);
	} else {
		msglen += file_len;
		if (msglen > 0xffffff) {
			log_warnx("%s: response of %zu bytes does not fit a "
			    "frame", c->peer, msglen);
			smb2_out_free(o);
			if (file_fd != -1)
				close(file_fd);
			smb2_conn_close(c, "response too large");
			free(a);
			return;
		}
		o->data[0] = 0;
		o->data[1] = (uint8_t)(msglen >> 16);
		o->data[2] = (uint8_t)(msglen >> 8);
		o->data[3] = (uint8_t)msglen;
		o->file_fd = file_fd;
		o->file_off = file_off;
		o->file_len = file_len;
		smb2_conn_queue(c, o);
	}
	free(a);
}

/* The final answer of an async request: one message of its own. */
void
smb2_async_complete(struct smb2_conn *c, struct smb2_async *a,
    uint32_t status, const void *body, size_t len)
{
	struct smb2_hdr h;
	struct wbuf w, eb;
	uint8_t th[SMB2_TRANSFORM_LEN], *out;
	struct iovec iov;

	TAILQ_REMOVE(&c->asyncs, a, entry);
	if (!a->quiet)
		c->nasync--;
	wbuf_init(&w, SMB2_HDR_LEN + len + 64);
	memset(&h, 0, sizeof(h));
	h.credit_charge = a->credit_charge;
	h.status = status;
	h.command = a->command;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND;
	h.message_id = a->message_id;
	h.async_id = a->async_id;
	h.session_id = a->session_id;
	smb2_hdr_build(&w, &h);
	if (body != NULL && len > 0)
		wbuf_put_bytes(&w, body, len);
	else {
		wbuf_init(&eb, 16);
		smb2_error_body(&eb);
		wbuf_put_bytes(&w, wbuf_data(&eb), wbuf_len(&eb));
		wbuf_free(&eb);
	}
	if (a->sign && a->sess->signer != NULL) {
		wbuf_set_u32le(&w, 16, h.flags | SMB2_FLAGS_SIGNED);
		smb2_sign(a->sess->signer, wbuf_data(&w), wbuf_len(&w));
	}
	if (!wbuf_error(&w) && c->fd != -1) {
		if (a->encrypt && a->sess->enc != NULL) {
			out = xmalloc(SMB2_TRANSFORM_LEN + wbuf_len(&w));
			iov.iov_base = wbuf_data(&w);
			iov.iov_len = wbuf_len(&w);
			if (smb2_encrypt(a->sess->enc, a->sess->id, &iov, 1, th,
			    out + SMB2_TRANSFORM_LEN) == 0) {
				memcpy(out, th, SMB2_TRANSFORM_LEN);
				smb2_conn_send(c, out,
				    SMB2_TRANSFORM_LEN + wbuf_len(&w));
			}
			free(out);
		} else
			smb2_conn_send(c, wbuf_data(&w), wbuf_len(&w));
	}
	wbuf_free(&w);
	free(a);
}

/*
 * A message the server sends unasked (MS-SMB2 3.3.4.6, an oplock
 * break): MessageId all ones, no credits, never signed.  It is
 * encrypted with its session's keys where that session or its tree
 * must be, and then names the session (the client decrypts by it).
 */
void
smb2_conn_notify(struct smb2_conn *c, struct smb2_session *s,
    const struct smb2_tree *t, uint16_t command, const void *body,
    size_t len)
{
	struct smb2_hdr h;
	struct wbuf w;
	uint8_t th[SMB2_TRANSFORM_LEN], *out;
	struct iovec iov;
	int encrypt;

	if (c->fd == -1 || c->closing)
		return;
	encrypt = s != NULL && s->enc != NULL && (s->encrypt_data ||
	    (t != NULL && smb2_tree_encrypted(t)));
	wbuf_init(&w, SMB2_HDR_LEN + len);
	memset(&h, 0, sizeof(h));
	h.command = command;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.message_id = UINT64_MAX;
	h.session_id = encrypt ? s->id : 0;
	smb2_hdr_build(&w, &h);
	wbuf_put_bytes(&w, body, len);
	if (log_getverbose() >= 3)
		log_debug("%s: %s notification%s", c->peer,
		    smb2_command_name(command), encrypt ? " (encrypted)" : "");
	if (wbuf_error(&w)) {
		wbuf_free(&w);
		return;
	}
	if (!encrypt) {
		smb2_conn_send(c, wbuf_data(&w), wbuf_len(&w));
		wbuf_free(&w);
		return;
	}
	out = xmalloc(SMB2_TRANSFORM_LEN + wbuf_len(&w));
	iov.iov_base = wbuf_data(&w);
	iov.iov_len = wbuf_len(&w);
	if (smb2_encrypt(s->enc, s->id, &iov, 1, th,
	    out + SMB2_TRANSFORM_LEN) == 0) {
		memcpy(out, th, SMB2_TRANSFORM_LEN);
		smb2_conn_send(c, out, SMB2_TRANSFORM_LEN + wbuf_len(&w));
	} else
		smb2_conn_close(c, "encryption failed");
	free(out);
	wbuf_free(&w);
}

void
smb2_async_cancel_session(struct smb2_conn *c, struct smb2_session *s)
{
	struct smb2_async *a, *next;

	c->cancel_status = NT_STATUS_NOTIFY_CLEANUP;
	for (a = TAILQ_FIRST(&c->asyncs); a != NULL; a = next) {
		next = TAILQ_NEXT(a, entry);
		if (s == NULL || a->sess == s)
			a->cancel(c, a);
	}
	c->cancel_status = 0;
}

/*
 * CANCEL (MS-SMB2 3.3.5.16): find the request by AsyncId, or by
 * MessageId for one that has not gone async, and cancel it.  CANCEL
 * itself is never answered.
 */
uint32_t
smb2_cmd_cancel_async(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_async *a;

	TAILQ_FOREACH(a, &c->asyncs, entry) {
		if (req->hdr.flags & SMB2_FLAGS_ASYNC_COMMAND) {
			if (a->async_id == req->hdr.async_id)
				break;
		} else if (a->message_id == req->hdr.message_id)
			break;
	}
	if (a != NULL && (a->sess == NULL ||
	    a->session_id == req->hdr.session_id))
		a->cancel(c, a);
	return SMB2_NO_RESPONSE;
}
