/*
 * Named pipes on IPC$: CREATE opens a DCE/RPC endpoint (smbd/rpc/), WRITE
 * feeds it request PDUs, READ returns the response in message mode, and
 * FSCTL_PIPE_TRANSCEIVE does both at once.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "conf.h"
#include "ipc.h"
#include "ipc_payload.h"
#include "log.h"
#include "names_proto.h"
#include "ntstatus.h"
#include "rpc.h"
#include "reply_wire.h"
#include "session.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_pipe.h"
#include "smb2_file.h"
#include "smb2_ioctl.h"
#include "smb2_rw.h"
#include "usmbd.h"
#include "util.h"

static struct rpc_ctx		 pipe_ctx;
static struct rpc_share_info	*pipe_shares;
static int			 pipe_ready;

_Static_assert(RPC_NAME_MAX == NAMES_MAX_NAME, "name lengths differ");

/* How long a name lookup may keep the worker waiting for the master. */
#define PIPE_NAMES_TIMEOUT_MS	10000

/*
 * Ask the master one batch of name service questions and wait for its
 * answer.  The worker serves one session; blocking it for the time NSS
 * takes is what a Samba smbd does in the same place.  The master sends
 * nothing else on this channel once the session runs but usmbd-ctl's
 * questions (session_files.c), so anything else than those and the
 * matching reply is a broken channel, and the names stay unmapped.
 */
static int
smb2_pipe_ask(struct names_msg *msg)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_MAX_PAYLOAD];
	static uint32_t seq;
	static int broken;
	struct ipc_peer master = { &ipc_rules_session, IPC_FROM(PROG_MASTER),
	    IPC_PH_ASKED };
	static struct names_msg rep;
	struct pollfd pfd;
	struct ipc_msg m;
	struct wbuf w;
	struct rbuf r;
	int rv;

	if (broken)
		return -1;
	msg->seq = ++seq;
	wbuf_init(&w, NAMES_MSG_WIRE_LEN);
	ipc_put_names_msg(&w, msg);
	if (wbuf_error(&w) || ipc_send(USMBD_FD_MASTER, IPC_NAME_REQUEST, 0,
	    -1, wbuf_data(&w), wbuf_len(&w)) == -1) {
		log_warn("name lookup: cannot ask the master");
		wbuf_free(&w);
		return -1;
	}
	wbuf_free(&w);
	pfd.fd = USMBD_FD_MASTER;
	pfd.events = POLLIN;
 again:
	while ((rv = poll(&pfd, 1, PIPE_NAMES_TIMEOUT_MS)) == -1 &&
	    errno == EINTR)
		;
	if (rv == 1 && ipc_recv(USMBD_FD_MASTER, &m, buf, sizeof(buf)) == 1 &&
	    m.hdr.type != IPC_NAME_REPLY && ipc_check(&master, &m) == 0) {
		/*
		 * usmbd-ctl asked meanwhile, or an old session is to end:
		 * answered from the event loop.
		 */
		session_master_msg(&m);
		goto again;
	}
	if (rv != 1 || m.hdr.type != IPC_NAME_REPLY ||
	    ipc_check(&master, &m) == -1) {
		log_warnx("name lookup: no answer from the master; names of "
		    "other users stay unmapped for this session");
		broken = 1;
		return -1;
	}
	rbuf_init(&r, m.data, m.hdr.len);
	if (ipc_get_names_msg(&r, &rep) == -1 || rep.seq != msg->seq ||
	    rep.count != msg->count) {
		log_warnx("name lookup: the master answered another question");
		broken = 1;
		return -1;
	}
	*msg = rep;
	return 0;
}

/* rpc_ctx.lookup: the questions of one RPC call, in batches. */
static int
smb2_pipe_lookup(void *arg, struct rpc_name *q, size_t n)
{
	struct names_msg msg;
	size_t off, i, k;

	for (off = 0; off < n; off += k) {
		k = n - off < NAMES_MAX_ENTRIES ? n - off : NAMES_MAX_ENTRIES;
		memset(&msg, 0, sizeof(msg));
		msg.count = (uint32_t)k;
		for (i = 0; i < k; i++) {
			msg.ent[i].kind = (uint32_t)q[off + i].kind;
			msg.ent[i].id = q[off + i].id;
			strlcpy(msg.ent[i].name, q[off + i].name,
			    sizeof(msg.ent[i].name));
		}
		if (smb2_pipe_ask(&msg) == -1)
			return -1;
		for (i = 0; i < k; i++) {
			struct rpc_name *e = &q[off + i];

			e->found = msg.ent[i].found == 1;
			if (!e->found)
				continue;
			e->id = msg.ent[i].id;
			memcpy(e->name, msg.ent[i].name, sizeof(e->name));
			e->name[sizeof(e->name) - 1] = '\0';
		}
	}
	return 0;
}

/* What the RPC services may tell a client: the shares it can see. */
static void
smb2_pipe_setup(void)
{
	static uint32_t groups[AUTH_MAX_GROUPS];
	size_t i, n = 0;
	char *p;

	pipe_shares = xcalloc(S.nshares + 1, sizeof(*pipe_shares));
	for (i = 0; i < S.nshares; i++) {
		const struct conf_share *sh = S.shares[i].share;

		if (!sh->available)
			continue;
		pipe_shares[n].name = sh->name;
		pipe_shares[n].type = RPC_STYPE_DISKTREE;
		pipe_shares[n].comment = sh->comment;
		pipe_shares[n].browseable = sh->browseable;
		xasprintf(&p, "C:%s", sh->path);
		for (char *q = p; *q != '\0'; q++)
			if (*q == '/')
				*q = '\\';
		pipe_shares[n].path = p;
		n++;
	}
	pipe_shares[n].name = "IPC$";
	pipe_shares[n].type = RPC_STYPE_IPC | RPC_STYPE_SPECIAL;
	pipe_shares[n].comment = "IPC Service";
	pipe_shares[n].path = "C:\\tmp";
	pipe_shares[n].browseable = 1;
	n++;
	pipe_ctx.server_name = S.conf->g.netbios_name;
	pipe_ctx.domain = S.conf->g.workgroup;
	pipe_ctx.server_string = S.conf->g.server_string;
	pipe_ctx.shares = pipe_shares;
	pipe_ctx.nshares = n;
	pipe_ctx.user = S.auth.user;
	pipe_ctx.anonymous = (S.auth.flags &
	    (AUTH_FLAG_ANONYMOUS | AUTH_FLAG_GUEST)) != 0;
	/* Guests and anonymous users may not translate names (Windows). */
	if (!pipe_ctx.anonymous)
		pipe_ctx.lookup = smb2_pipe_lookup;
	pipe_ctx.uid = S.auth.uid;
	pipe_ctx.gid = S.auth.gid;
	for (i = 0; i < S.auth.ngroups && i < AUTH_MAX_GROUPS; i++)
		groups[i] = S.auth.groups[i];
	pipe_ctx.groups = groups;
	pipe_ctx.ngroups = i;
	session_domain_sid(pipe_ctx.domain_sub);
	pipe_ready = 1;
}

struct rpc_pipe *
smb2_pipe_open(const char *name)
{
	if (!pipe_ready)
		smb2_pipe_setup();
	while (*name == '\\')
		name++;
	if (strncasecmp(name, "PIPE\\", 5) == 0)
		name += 5;
	return rpc_pipe_open(name, &pipe_ctx);
}

void
smb2_pipe_close(struct rpc_pipe *p)
{
	rpc_pipe_close(p);
}

uint32_t
smb2_pipe_write(struct smb2_conn *c, struct smb2_req *req,
    struct smb2_open *o, struct rbuf *data)
{
	if (rpc_pipe_write(o->pipe, rbuf_cur(data), rbuf_left(data)) == -1)
		return NT_STATUS_PIPE_BROKEN;
	wbuf_reset(req->out);
	smb2_write_reply(req->out, (uint32_t)rbuf_left(data));
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_pipe_read(struct smb2_conn *c, struct smb2_req *req, struct smb2_open *o,
    uint32_t len)
{
	size_t hdroff, n;
	int more = 0;

	if (rpc_pipe_pending(o->pipe) == 0)
		return NT_STATUS_PIPE_EMPTY;
	wbuf_reset(req->out);
	smb2_read_reply(req->out, 0);
	hdroff = wbuf_len(req->out);
	if (wbuf_put_zero(req->out, len) == -1)
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	n = rpc_pipe_read(o->pipe, wbuf_data(req->out) + hdroff, len, &more);
	req->out->len = hdroff + n;
	wbuf_set_u32le(req->out, 4, (uint32_t)n);
	/* The rest of the message waits for the next read. */
	return more ? NT_STATUS_BUFFER_OVERFLOW : NT_STATUS_SUCCESS;
}

/* FSCTL_PIPE_TRANSCEIVE: write the input, return the response. */
uint32_t
smb2_pipe_transceive(struct smb2_open *o, struct rbuf *in, uint32_t maxout,
    struct wbuf *out)
{
	size_t off = wbuf_len(out), n;
	int more = 0;

	if (o->pipe == NULL)
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	if (rpc_pipe_write(o->pipe, rbuf_cur(in), rbuf_left(in)) == -1)
		return NT_STATUS_PIPE_BROKEN;
	if (wbuf_put_zero(out, maxout) == -1)
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	n = rpc_pipe_read(o->pipe, wbuf_data(out) + off, maxout, &more);
	out->len = off + n;
	return more ? NT_STATUS_BUFFER_OVERFLOW : NT_STATUS_SUCCESS;
}
