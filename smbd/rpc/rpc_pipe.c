/*
 * The connection-oriented DCE/RPC runtime (C706 chapter 12, MS-RPCE
 * 2.2.2 and 3.3) for one named pipe: presentation contexts negotiated by
 * bind and alter_context, requests reassembled from fragments into a
 * bounded buffer, responses split into fragments of the negotiated size
 * and queued as messages for the client's reads.
 *
 * Each presentation context gets the first transfer syntax of its list
 * that we speak, NDR32 or NDR64 (MS-RPCE 3.3.1.5.3); a request is decoded
 * and answered in the syntax of the context it names.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "rpc_int.h"
#include "util.h"

#define PTYPE_REQUEST		0
#define PTYPE_RESPONSE		2
#define PTYPE_FAULT		3
#define PTYPE_BIND		11
#define PTYPE_BIND_ACK		12
#define PTYPE_BIND_NAK		13
#define PTYPE_ALTER		14
#define PTYPE_ALTER_RESP	15
#define PTYPE_AUTH3		16
#define PTYPE_CO_CANCEL		18
#define PTYPE_ORPHANED		19

#define PFC_FIRST_FRAG		0x01
#define PFC_LAST_FRAG		0x02
#define PFC_DID_NOT_EXECUTE	0x20
#define PFC_OBJECT_UUID		0x80

#define RPC_HDR_LEN		16
#define RPC_REQ_HDR_LEN		24
/* C706 12.6.3.1: every implementation takes fragments of this size. */
#define RPC_MIN_FRAG		1432
/* What we offer: the fragment size Windows uses on named pipes. */
#define RPC_MAX_FRAG		4280
/* Bounds on what a client can make one pipe hold. */
#define RPC_MAX_REQUEST		(1024 * 1024)
#define RPC_MAX_RESPONSE	(4 * 1024 * 1024)
#define RPC_MAX_PENDING		(8 * 1024 * 1024)
#define RPC_MAX_CONTEXTS	16

/* p_cont_def_result_t and p_provider_reason_t (C706 12.6.3.1). */
#define RES_ACCEPT		0
#define RES_PROVIDER_REJECT	2
#define RES_NEGOTIATE_ACK	3	/* MS-RPCE 2.2.2.4 */
#define REASON_NONE		0
#define REASON_ABSTRACT		1
#define REASON_TRANSFER		2
#define REASON_LOCAL_LIMIT	3
/* bind_nak reasons (C706 12.6.3.9, MS-RPCE 2.2.2.5). */
#define NAK_NOT_SPECIFIED	0
#define NAK_VERSION		4
#define NAK_AUTH_TYPE		8

/* Keep connection on orphan (MS-RPCE 3.3.1.5.3): we ignore orphans. */
#define BTFN_KEEP_ON_ORPHAN	0x0002

static const uint8_t ndr32_uuid[16] = {
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
	0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60
};
/* 71710533-beba-4937-8319-b5dbef9ccc36 version 1 (MS-RPCE 2.2.5). */
static const uint8_t ndr64_uuid[16] = {
	0x33, 0x05, 0x71, 0x71, 0xba, 0xbe, 0x37, 0x49,
	0x83, 0x19, 0xb5, 0xdb, 0xef, 0x9c, 0xcc, 0x36
};
/* 6cb71c2c-9812-4540-xxxx-000000000000: bind time feature negotiation. */
static const uint8_t btfn_prefix[8] = {
	0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45
};

struct rpc_msg {
	struct rpc_msg	*next;
	size_t		 len;
	size_t		 off;
	uint8_t		 data[];
};

struct rpc_handle {
	enum rpc_htype	 type;
	int		 extra;
	uint8_t		 h[20];
};

struct rpc_pctx {
	uint16_t		 id;
	int			 ndr64;
	const struct rpc_iface	*iface;
};

struct rpc_pipe {
	const struct rpc_ctx	*ctx;
	char			 name[16];
	const struct rpc_iface	*ifaces[3];
	int			 broken;
	int			 bound;
	uint16_t		 max_xmit;	/* fragments we send */
	uint16_t		 max_recv;	/* fragments we accept */
	uint32_t		 assoc;
	struct rpc_pctx		 pctx[RPC_MAX_CONTEXTS];
	size_t			 npctx;

	uint8_t			*in;		/* one partial PDU */
	size_t			 inlen;
	size_t			 incap;

	int			 call_active;
	int			 call_refused;	/* drop the rest */
	uint32_t		 call_id;
	uint16_t		 call_ctx;
	uint16_t		 call_opnum;
	struct wbuf		 call;		/* reassembled stub */

	struct rpc_msg		*out_head, *out_tail;
	size_t			 out_bytes;

	struct rpc_handle	 handles[RPC_MAX_HANDLES];
};

struct rpc_hdr {
	uint8_t		 vers, minor, ptype, flags;
	uint8_t		 drep[4];
	uint16_t	 frag_len, auth_len;
	uint32_t	 call_id;
};

const struct rpc_ctx *
rpc_pipe_ctx(const struct rpc_pipe *p)
{
	return p->ctx;
}

struct rpc_pipe *
rpc_pipe_open(const char *name, const struct rpc_ctx *ctx)
{
	struct rpc_pipe *p;
	const char *canon;

	p = xcalloc(1, sizeof(*p));
	if (strcasecmp(name, "srvsvc") == 0) {
		canon = "srvsvc";
		p->ifaces[0] = &rpc_srvsvc;
	} else if (strcasecmp(name, "wkssvc") == 0) {
		canon = "wkssvc";
		p->ifaces[0] = &rpc_wkssvc;
	} else if (strcasecmp(name, "lsarpc") == 0 ||
	    strcasecmp(name, "lsass") == 0 || strcasecmp(name, "samr") == 0) {
		/* One endpoint in Windows' lsass serves these interfaces. */
		canon = tolower((unsigned char)name[0]) == 's' ? "samr" :
		    "lsass";
		p->ifaces[0] = &rpc_lsarpc;
		p->ifaces[1] = &rpc_samr;
		p->ifaces[2] = &rpc_dssetup;
	} else {
		free(p);
		return NULL;
	}
	strlcpy(p->name, canon, sizeof(p->name));
	p->ctx = ctx;
	/* Room for a header; a fragment's length decides the rest. */
	p->incap = RPC_MAX_FRAG;
	p->in = xmalloc(p->incap);
	wbuf_init(&p->call, RPC_MAX_REQUEST);
	return p;
}

void
rpc_pipe_close(struct rpc_pipe *p)
{
	struct rpc_msg *m;

	if (p == NULL)
		return;
	while ((m = p->out_head) != NULL) {
		p->out_head = m->next;
		free(m);
	}
	wbuf_free(&p->call);
	free(p->in);
	explicit_bzero(p->handles, sizeof(p->handles));
	free(p);
}

size_t
rpc_pipe_pending(const struct rpc_pipe *p)
{
	if (p == NULL || p->out_head == NULL)
		return 0;
	return p->out_head->len - p->out_head->off;
}

size_t
rpc_pipe_read(struct rpc_pipe *p, uint8_t *buf, size_t max, int *more)
{
	struct rpc_msg *m;
	size_t n;

	*more = 0;
	if (p == NULL || (m = p->out_head) == NULL)
		return 0;
	n = m->len - m->off;
	if (n > max) {
		n = max;
		*more = 1;
	}
	memcpy(buf, m->data + m->off, n);
	m->off += n;
	p->out_bytes -= n;
	if (m->off == m->len) {
		p->out_head = m->next;
		if (p->out_head == NULL)
			p->out_tail = NULL;
		free(m);
	}
	return n;
}

/* Queue one PDU (a message of the pipe). */
static void
rpc_queue(struct rpc_pipe *p, const struct wbuf *w)
{
	struct rpc_msg *m;
	size_t len = wbuf_len(w);

	if (wbuf_error(w) || p->out_bytes + len > RPC_MAX_PENDING) {
		/* A client that never reads loses the pipe. */
		log_warnx("rpc %s: output not read, pipe broken", p->name);
		p->broken = 1;
		return;
	}
	m = xmalloc(sizeof(*m) + len);
	m->next = NULL;
	m->len = len;
	m->off = 0;
	memcpy(m->data, wbuf_data(w), len);
	if (p->out_tail != NULL)
		p->out_tail->next = m;
	else
		p->out_head = m;
	p->out_tail = m;
	p->out_bytes += len;
}

/* The 16-byte common header; frag_length is set by rpc_finish(). */
static void
rpc_put_hdr(struct wbuf *w, uint8_t ptype, uint8_t flags, uint32_t call_id)
{
	wbuf_put_u8(w, 5);
	wbuf_put_u8(w, 0);
	wbuf_put_u8(w, ptype);
	wbuf_put_u8(w, flags);
	/* Little-endian integers, ASCII, IEEE floating point. */
	wbuf_put_u8(w, 0x10);
	wbuf_put_zero(w, 3);
	wbuf_put_u16le(w, 0);
	wbuf_put_u16le(w, 0);
	wbuf_put_u32le(w, call_id);
}

static void
rpc_finish(struct rpc_pipe *p, struct wbuf *w)
{
	wbuf_set_u16le(w, 8, (uint16_t)wbuf_len(w));
	rpc_queue(p, w);
	wbuf_free(w);
}

static void
rpc_send_fault(struct rpc_pipe *p, uint32_t call_id, uint16_t ctx_id,
    uint32_t status)
{
	struct wbuf w;

	log_debug("rpc %s: call %u fault 0x%08x", p->name, call_id, status);
	wbuf_init(&w, 64);
	rpc_put_hdr(&w, PTYPE_FAULT, PFC_FIRST_FRAG | PFC_LAST_FRAG |
	    PFC_DID_NOT_EXECUTE, call_id);
	wbuf_put_u32le(&w, 0);		/* alloc_hint */
	wbuf_put_u16le(&w, ctx_id);
	wbuf_put_u8(&w, 0);		/* cancel_count */
	wbuf_put_u8(&w, 0);
	wbuf_put_u32le(&w, status);
	wbuf_put_u32le(&w, 0);
	rpc_finish(p, &w);
}

static void
rpc_send_nak(struct rpc_pipe *p, uint32_t call_id, uint16_t reason)
{
	struct wbuf w;

	log_debug("rpc %s: bind_nak reason %u", p->name, reason);
	wbuf_init(&w, 64);
	rpc_put_hdr(&w, PTYPE_BIND_NAK, PFC_FIRST_FRAG | PFC_LAST_FRAG,
	    call_id);
	wbuf_put_u16le(&w, reason);
	/* p_rt_versions_supported: 5.0 */
	wbuf_put_u8(&w, 1);
	wbuf_put_u8(&w, 5);
	wbuf_put_u8(&w, 0);
	wbuf_align(&w, 4);
	rpc_finish(p, &w);
}

static const struct rpc_iface *
rpc_find_iface(struct rpc_pipe *p, const uint8_t *uuid, uint32_t vers)
{
	size_t i;

	for (i = 0; i < nitems(p->ifaces) && p->ifaces[i] != NULL; i++) {
		const struct rpc_iface *f = p->ifaces[i];

		if (memcmp(f->uuid, uuid, 16) == 0 &&
		    (vers & 0xffff) == f->vers_major &&
		    (vers >> 16) <= f->vers_minor)
			return f;
	}
	return NULL;
}

/*
 * The presentation context list of bind and alter_context, answered
 * result by result into w (C706 12.6.3.1, MS-RPCE 3.3.1.5.3).
 */
static int
rpc_contexts(struct rpc_pipe *p, struct rbuf *r, struct wbuf *w)
{
	uint8_t n, nts, pad, abs[16];
	uint16_t pad16, id;
	uint32_t avers, tvers;
	uint16_t features;
	const struct rpc_iface *f;
	const uint8_t *ts;
	size_t i, j, k;

	if (rbuf_get_u8(r, &n) == -1 || rbuf_get_u8(r, &pad) == -1 ||
	    rbuf_get_u16le(r, &pad16) == -1 || n == 0)
		return -1;
	wbuf_put_u8(w, n);
	wbuf_put_u8(w, 0);
	wbuf_put_u16le(w, 0);
	for (i = 0; i < n; i++) {
		uint16_t result = RES_PROVIDER_REJECT, reason = REASON_TRANSFER;
		int accepted = 0, ndr64 = 0;

		if (rbuf_get_u16le(r, &id) == -1 ||
		    rbuf_get_u8(r, &nts) == -1 || rbuf_get_u8(r, &pad) == -1 ||
		    rbuf_get_bytes(r, abs, 16) == -1 ||
		    rbuf_get_u32le(r, &avers) == -1)
			return -1;
		f = rpc_find_iface(p, abs, avers);
		for (j = 0; j < nts; j++) {
			if (rbuf_peek_u32le(r, 16, &tvers) == -1 ||
			    rbuf_peek_u16le(r, 8, &features) == -1 ||
			    rbuf_get_ptr(r, &ts, 20) == -1)
				return -1;
			if (memcmp(ts, btfn_prefix, 8) == 0 &&
			    ts[10] == 0 && ts[11] == 0 && ts[12] == 0 &&
			    ts[13] == 0 && ts[14] == 0 && ts[15] == 0 &&
			    tvers == 1) {
				/* The features are a bitmask in bytes 8-9. */
				result = RES_NEGOTIATE_ACK;
				reason = features & BTFN_KEEP_ON_ORPHAN;
				break;
			}
			/* The client lists its syntaxes by preference. */
			if (f != NULL && !accepted &&
			    memcmp(ts, ndr32_uuid, 16) == 0 && tvers == 2)
				accepted = 1;
			else if (f != NULL && !accepted &&
			    memcmp(ts, ndr64_uuid, 16) == 0 && tvers == 1)
				accepted = ndr64 = 1;
		}
		/* Skip transfer syntaxes after a feature negotiation one. */
		for (j++; j < nts; j++)
			if (rbuf_skip(r, 20) == -1)
				return -1;
		if (result != RES_NEGOTIATE_ACK) {
			if (f == NULL) {
				result = RES_PROVIDER_REJECT;
				reason = REASON_ABSTRACT;
			} else if (accepted) {
				result = RES_ACCEPT;
				reason = REASON_NONE;
			}
		}
		if (result == RES_ACCEPT) {
			for (k = 0; k < p->npctx; k++)
				if (p->pctx[k].id == id)
					break;
			if (k < p->npctx && p->pctx[k].iface != f) {
				/* A context keeps its abstract syntax. */
				result = RES_PROVIDER_REJECT;
				reason = REASON_ABSTRACT;
			} else if (k == p->npctx &&
			    p->npctx == RPC_MAX_CONTEXTS) {
				result = RES_PROVIDER_REJECT;
				reason = REASON_LOCAL_LIMIT;
			} else {
				if (k == p->npctx)
					p->npctx++;
				p->pctx[k].id = id;
				p->pctx[k].iface = f;
				p->pctx[k].ndr64 = ndr64;
			}
		}
		log_debug("rpc %s: context %u %s: result %u reason %u%s",
		    p->name, id, f != NULL ? f->name : "(unknown)", result,
		    reason, result == RES_ACCEPT ? ndr64 ? " NDR64" : " NDR32" :
		    "");
		wbuf_put_u16le(w, result);
		wbuf_put_u16le(w, reason);
		if (result == RES_ACCEPT) {
			wbuf_put_bytes(w, ndr64 ? ndr64_uuid : ndr32_uuid, 16);
			wbuf_put_u32le(w, ndr64 ? 1 : 2);
		} else
			wbuf_put_zero(w, 20);
	}
	return 0;
}

static uint16_t
rpc_clamp_frag(uint16_t v)
{
	if (v < RPC_MIN_FRAG)
		return RPC_MIN_FRAG;
	if (v > RPC_MAX_FRAG)
		return RPC_MAX_FRAG;
	return v;
}

static void
rpc_bind(struct rpc_pipe *p, const struct rpc_hdr *h, struct rbuf *r)
{
	uint16_t max_xmit, max_recv;
	uint32_t assoc;
	struct wbuf w;
	char addr[32];
	int alter = h->ptype == PTYPE_ALTER;

	if (h->auth_len != 0) {
		/* No authentication is offered on pipes over SMB. */
		rpc_send_nak(p, h->call_id, NAK_AUTH_TYPE);
		return;
	}
	if (!alter && p->bound) {
		/* C706 12.6.3.1: one bind per association. */
		rpc_send_nak(p, h->call_id, NAK_NOT_SPECIFIED);
		return;
	}
	if (alter && !p->bound) {
		rpc_send_fault(p, h->call_id, 0, RPC_NCA_PROTO_ERROR);
		return;
	}
	if (rbuf_get_u16le(r, &max_xmit) == -1 ||
	    rbuf_get_u16le(r, &max_recv) == -1 ||
	    rbuf_get_u32le(r, &assoc) == -1) {
		rpc_send_nak(p, h->call_id, NAK_NOT_SPECIFIED);
		return;
	}
	if (!alter) {
		p->max_xmit = rpc_clamp_frag(max_recv);
		p->max_recv = rpc_clamp_frag(max_xmit);
		if (assoc == 0)
			while ((assoc = arc4random() & 0x00ffffff) == 0)
				;
		p->assoc = assoc;
	}
	wbuf_init(&w, RPC_MAX_FRAG);
	rpc_put_hdr(&w, alter ? PTYPE_ALTER_RESP : PTYPE_BIND_ACK,
	    PFC_FIRST_FRAG | PFC_LAST_FRAG, h->call_id);
	wbuf_put_u16le(&w, p->max_xmit);
	wbuf_put_u16le(&w, p->max_recv);
	wbuf_put_u32le(&w, p->assoc);
	if (alter)
		wbuf_put_u16le(&w, 0);
	else {
		/* The secondary address: the pipe's local name. */
		snprintf(addr, sizeof(addr), "\\PIPE\\%s", p->name);
		wbuf_put_u16le(&w, (uint16_t)strlen(addr) + 1);
		wbuf_put_bytes(&w, addr, strlen(addr) + 1);
	}
	wbuf_align(&w, 4);
	if (rpc_contexts(p, r, &w) == -1) {
		wbuf_free(&w);
		if (alter)
			rpc_send_fault(p, h->call_id, 0, RPC_NCA_PROTO_ERROR);
		else
			rpc_send_nak(p, h->call_id, NAK_NOT_SPECIFIED);
		return;
	}
	p->bound = 1;
	rpc_finish(p, &w);
}

/* The fragment length of the header collected in p->in (MS-RPCE 2.2.6.1). */
static uint16_t
rpc_frag_len(const struct rpc_pipe *p)
{
	struct rbuf r;
	uint16_t frag;

	rbuf_init(&r, p->in, p->inlen);
	if (rbuf_peek_u16le(&r, 8, &frag) == -1)
		return 0;
	return frag;
}

/* Split the response stub into fragments of at most max_xmit bytes. */
static void
rpc_respond(struct rpc_pipe *p, const struct wbuf *stub)
{
	size_t total = wbuf_len(stub), off = 0, chunk, n;
	struct wbuf w;
	uint8_t flags;

	/* Stub fragments other than the last are multiples of 8. */
	chunk = (size_t)(p->max_xmit - RPC_REQ_HDR_LEN) & ~(size_t)7;
	do {
		n = total - off < chunk ? total - off : chunk;
		flags = 0;
		if (off == 0)
			flags |= PFC_FIRST_FRAG;
		if (off + n == total)
			flags |= PFC_LAST_FRAG;
		wbuf_init(&w, RPC_MAX_FRAG);
		rpc_put_hdr(&w, PTYPE_RESPONSE, flags, p->call_id);
		/* alloc_hint: what is left of the stub */
		wbuf_put_u32le(&w, (uint32_t)(total - off));
		wbuf_put_u16le(&w, p->call_ctx);
		wbuf_put_u8(&w, 0);
		wbuf_put_u8(&w, 0);
		wbuf_put_bytes(&w, wbuf_data(stub) + off, n);
		rpc_finish(p, &w);
		off += n;
	} while (off < total && !p->broken);
}

static void
rpc_dispatch(struct rpc_pipe *p)
{
	const struct rpc_iface *f = NULL;
	struct ndr_out o;
	struct ndr_in in;
	struct wbuf w;
	uint32_t st;
	size_t i;
	int ndr64 = 0;

	p->call_active = 0;
	for (i = 0; i < p->npctx; i++)
		if (p->pctx[i].id == p->call_ctx) {
			f = p->pctx[i].iface;
			ndr64 = p->pctx[i].ndr64;
		}
	if (f == NULL) {
		rpc_send_fault(p, p->call_id, p->call_ctx, RPC_NCA_UNK_IF);
		return;
	}
	if (p->call_opnum >= f->nops || f->ops[p->call_opnum] == NULL) {
		log_debug("rpc %s: %s opnum %u not implemented", p->name,
		    f->name, p->call_opnum);
		rpc_send_fault(p, p->call_id, p->call_ctx,
		    RPC_NCA_OP_RNG_ERROR);
		return;
	}
	log_debug("rpc %s: %s opnum %u, %zu bytes%s", p->name, f->name,
	    p->call_opnum, wbuf_len(&p->call), ndr64 ? " (NDR64)" : "");
	ndr_in_init(&in, wbuf_data(&p->call), wbuf_len(&p->call), ndr64);
	wbuf_init(&w, RPC_MAX_RESPONSE);
	ndr_out_init(&o, &w, ndr64);
	st = f->ops[p->call_opnum](p, &in, &o);
	if (st == 0 && wbuf_error(&w))
		st = RPC_NCA_REMOTE_NO_MEMORY;
	if (st != 0)
		rpc_send_fault(p, p->call_id, p->call_ctx, st);
	else
		rpc_respond(p, &w);
	wbuf_free(&w);
	wbuf_free(&p->call);
	wbuf_init(&p->call, RPC_MAX_REQUEST);
}

static void
rpc_request(struct rpc_pipe *p, const struct rpc_hdr *h, struct rbuf *r)
{
	uint32_t alloc_hint;
	uint16_t ctx_id = 0, opnum = 0;

	if (rbuf_get_u32le(r, &alloc_hint) == -1 ||
	    rbuf_get_u16le(r, &ctx_id) == -1 ||
	    rbuf_get_u16le(r, &opnum) == -1 ||
	    ((h->flags & PFC_OBJECT_UUID) && rbuf_skip(r, 16) == -1) ||
	    !p->bound || h->auth_len != 0 || h->frag_len > p->max_recv) {
		p->call_active = 0;
		rpc_send_fault(p, h->call_id, ctx_id, RPC_NCA_PROTO_ERROR);
		return;
	}
	if (h->flags & PFC_FIRST_FRAG) {
		p->call_active = 1;
		p->call_refused = 0;
		p->call_id = h->call_id;
		p->call_ctx = ctx_id;
		p->call_opnum = opnum;
		wbuf_free(&p->call);
		wbuf_init(&p->call, RPC_MAX_REQUEST);
	} else if (p->call_refused && h->call_id == p->call_id) {
		/* The rest of a call already answered with a fault. */
		if (h->flags & PFC_LAST_FRAG)
			p->call_refused = 0;
		return;
	} else if (!p->call_active || h->call_id != p->call_id ||
	    ctx_id != p->call_ctx || opnum != p->call_opnum) {
		/* A middle fragment of no call in progress. */
		p->call_active = 0;
		rpc_send_fault(p, h->call_id, ctx_id, RPC_NCA_PROTO_ERROR);
		return;
	}
	if (wbuf_put_bytes(&p->call, rbuf_cur(r), rbuf_left(r)) == -1) {
		/* Larger than RPC_MAX_REQUEST: refuse it. */
		p->call_active = 0;
		p->call_refused = !(h->flags & PFC_LAST_FRAG);
		wbuf_free(&p->call);
		wbuf_init(&p->call, RPC_MAX_REQUEST);
		rpc_send_fault(p, h->call_id, ctx_id,
		    RPC_NCA_REMOTE_NO_MEMORY);
		return;
	}
	if (h->flags & PFC_LAST_FRAG)
		rpc_dispatch(p);
}

static void
rpc_pdu(struct rpc_pipe *p, const uint8_t *pdu, size_t len)
{
	struct rpc_hdr h;
	struct rbuf r;

	rbuf_init(&r, pdu, len);
	rbuf_get_u8(&r, &h.vers);
	rbuf_get_u8(&r, &h.minor);
	rbuf_get_u8(&r, &h.ptype);
	rbuf_get_u8(&r, &h.flags);
	rbuf_get_bytes(&r, h.drep, 4);
	rbuf_get_u16le(&r, &h.frag_len);
	rbuf_get_u16le(&r, &h.auth_len);
	rbuf_get_u32le(&r, &h.call_id);
	if (h.vers != 5 || h.minor > 1) {
		rpc_send_nak(p, h.call_id, NAK_VERSION);
		return;
	}
	if ((h.drep[0] & 0xf0) != 0x10 || h.drep[1] != 0) {
		/* We speak little-endian, ASCII, IEEE only. */
		if (h.ptype == PTYPE_BIND)
			rpc_send_nak(p, h.call_id, NAK_NOT_SPECIFIED);
		else
			rpc_send_fault(p, h.call_id, 0, RPC_NCA_PROTO_ERROR);
		return;
	}
	if ((size_t)h.auth_len + 8 > len - RPC_HDR_LEN && h.auth_len != 0) {
		rpc_send_fault(p, h.call_id, 0, RPC_NCA_PROTO_ERROR);
		return;
	}
	switch (h.ptype) {
	case PTYPE_BIND:
	case PTYPE_ALTER:
		rpc_bind(p, &h, &r);
		break;
	case PTYPE_REQUEST:
		rpc_request(p, &h, &r);
		break;
	case PTYPE_ORPHANED:
	case PTYPE_CO_CANCEL:
		/* The call is dropped; nothing is sent back. */
		if (p->call_active && h.call_id == p->call_id)
			p->call_active = 0;
		break;
	case PTYPE_AUTH3:
		break;
	default:
		rpc_send_fault(p, h.call_id, 0, RPC_NCA_PROTO_ERROR);
		break;
	}
}

int
rpc_pipe_write(struct rpc_pipe *p, const uint8_t *data, size_t len)
{
	size_t n;
	uint16_t frag;

	if (p == NULL || p->broken)
		return -1;
	while (len > 0 && !p->broken) {
		/* Collect the header, then the rest of the fragment. */
		if (p->inlen < RPC_HDR_LEN)
			n = RPC_HDR_LEN - p->inlen;
		else {
			frag = rpc_frag_len(p);
			if (frag > p->incap) {
				p->in = xreallocarray(p->in, 1, frag);
				p->incap = frag;
			}
			n = frag - p->inlen;
		}
		if (n > len)
			n = len;
		memcpy(p->in + p->inlen, data, n);
		p->inlen += n;
		data += n;
		len -= n;
		if (p->inlen < RPC_HDR_LEN)
			break;
		frag = rpc_frag_len(p);
		if (frag < RPC_HDR_LEN) {
			log_warnx("rpc %s: fragment length %u, pipe broken",
			    p->name, frag);
			p->broken = 1;
			break;
		}
		if (p->inlen == frag) {
			rpc_pdu(p, p->in, frag);
			p->inlen = 0;
		}
	}
	return p->broken ? -1 : 0;
}

uint8_t *
rpc_handle_new(struct rpc_pipe *p, enum rpc_htype type, int extra)
{
	size_t i;

	for (i = 0; i < RPC_MAX_HANDLES; i++)
		if (p->handles[i].type == RPC_H_FREE)
			break;
	if (i == RPC_MAX_HANDLES)
		return NULL;
	p->handles[i].type = type;
	p->handles[i].extra = extra;
	/* Attributes 0, then a random GUID (MS-DTYP 2.2.51). */
	memset(p->handles[i].h, 0, 4);
	arc4random_buf(p->handles[i].h + 4, 16);
	return p->handles[i].h;
}

static struct rpc_handle *
rpc_handle_find(struct rpc_pipe *p, const uint8_t h[20])
{
	size_t i;

	for (i = 0; i < RPC_MAX_HANDLES; i++)
		if (p->handles[i].type != RPC_H_FREE &&
		    memcmp(p->handles[i].h, h, 20) == 0)
			return &p->handles[i];
	return NULL;
}

int
rpc_handle_get(struct rpc_pipe *p, const uint8_t h[20], enum rpc_htype type,
    int *extra)
{
	struct rpc_handle *e;

	if ((e = rpc_handle_find(p, h)) == NULL)
		return -1;
	if (e->type != type)
		return -2;
	if (extra != NULL)
		*extra = e->extra;
	return 0;
}

int
rpc_handle_close(struct rpc_pipe *p, const uint8_t h[20])
{
	struct rpc_handle *e;

	if ((e = rpc_handle_find(p, h)) == NULL)
		return -1;
	memset(e, 0, sizeof(*e));
	return 0;
}
