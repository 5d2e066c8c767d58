/*
 * TREE_CONNECT and TREE_DISCONNECT (MS-SMB2 2.2.9-2.2.12, 3.3.5.7,
 * 3.3.5.8): disk shares and IPC$.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "lockd_client.h"
#include "lockd_proto.h"
#include "log.h"
#include "ntstatus.h"
#include "session.h"
#include "smb2.h"
#include "fscc.h"
#include "smb2_conn.h"
#include "smb2_tree.h"
#include "smb2_treecon.h"
#include "unicode.h"
#include "util.h"

#define SMB2_SHARE_TYPE_DISK		0x01
#define SMB2_SHARE_TYPE_PIPE		0x02
#define SMB2_SHAREFLAG_NO_CACHING	0x00000030
#define SMB2_SHAREFLAG_ENCRYPT_DATA	0x00008000

#define FILE_GENERIC_READ_EXECUTE	0x001200a9

/* Trees one session may have connected at once. */
#define SMB2_MAX_TREES			1024
#define SMB2_MAX_SHARE_NAME		80

/*
 * The share name of "\\server\share": what follows the server part.
 * Returns NULL for a path of any other shape.
 */
static const char *
smb2_tree_share_name(const char *path)
{
	const char *p;

	if (path[0] != '\\' || path[1] != '\\')
		return NULL;
	if ((p = strchr(path + 2, '\\')) == NULL || p == path + 2)
		return NULL;
	p++;
	if (*p == '\0' || strchr(p, '\\') != NULL ||
	    strlen(p) > SMB2_MAX_SHARE_NAME)
		return NULL;
	return p;
}

/*
 * The tree itself, once every check passed (and lockd counted it, for a
 * share with "max connections"), and the response.
 */
static struct smb2_tree *
tree_make(struct smb2_conn *c, struct smb2_req *req, struct session_share *ss,
    int encrypt)
{
	struct smb2_session *s = req->sess;
	struct smb2_tree *t;
	int ipc = ss == NULL;

	t = xcalloc(1, sizeof(*t));
	do {
		t->id = s->next_tree_id++;
	} while (t->id == 0 || t->id == UINT32_MAX ||
	    smb2_tree_find(s, t->id) != NULL);
	t->ipc = ipc;
	t->ss = ss;
	t->encrypt = encrypt;
	t->writeable = ipc || ss->writeable;
	t->maximal_access = t->writeable ? FILE_ALL_ACCESS :
	    FILE_GENERIC_READ_EXECUTE;
	TAILQ_INIT(&t->files);
	TAILQ_INSERT_TAIL(&s->trees, t, entry);
	s->ntrees++;
	req->resp_tree_id = t->id;
	req->tree = t;
	log_info("%s: user %s connected to %s (tree %u)", c->peer,
	    S.auth.user, ipc ? "IPC$" : ss->share->name, t->id);

	wbuf_reset(req->out);
	wbuf_put_u16le(req->out, 16);
	wbuf_put_u8(req->out, ipc ? SMB2_SHARE_TYPE_PIPE :
	    SMB2_SHARE_TYPE_DISK);
	wbuf_put_u8(req->out, 0);
	wbuf_put_u32le(req->out, (ipc ? SMB2_SHAREFLAG_NO_CACHING : 0) |
	    (encrypt ? SMB2_SHAREFLAG_ENCRYPT_DATA : 0));
	wbuf_put_u32le(req->out, 0);	/* Capabilities: no DFS, no CA */
	wbuf_put_u32le(req->out, t->maximal_access);
	session_report();
	return t;
}

/* A TREE_CONNECT that waits for lockd to count it. */
struct tree_wait {
	struct smb2_conn	*c;
	struct session_share	*ss;
	int			 encrypt;
};

static void
tree_claim_reply(uint32_t status, struct rbuf *r, void *arg)
{
	struct tree_wait *tw = arg;
	struct smb2_conn *c = tw->c;
	struct smb2_req *req = &c->work->req;
	const struct conf_share *sh = tw->ss->share;
	struct smb2_tree *t;

	if (status == NT_STATUS_SUCCESS) {
		t = tree_make(c, req, tw->ss, tw->encrypt);
		t->counted = 1;
		req->status = NT_STATUS_SUCCESS;
	} else if (!lockd_client_available()) {
		/* lockd went away while it was asked: nobody counts. */
		log_warnx("%s: user %s refused share \"%s\": lockd, which "
		    "counts its max connections, is gone", c->peer,
		    S.auth.user, sh->name);
		req->status = NT_STATUS_INSUFFICIENT_RESOURCES;
	} else {
		log_info("%s: user %s refused share \"%s\": max connections "
		    "(%d) reached", c->peer, S.auth.user, sh->name,
		    sh->max_connections);
		req->status = NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	free(tw);
	smb2_conn_resume(c);
}

/*
 * "max connections" counts the tree connects of a share over every
 * worker, so lockd keeps the count (lockd/lockd_tcon.c): ask it for a
 * slot and answer when it does.  The limit is this worker's, as every
 * parameter of its share is.  A share without a limit costs no question.
 */
static uint32_t
tree_claim(struct smb2_conn *c, struct session_share *ss, int encrypt)
{
	const struct conf_share *sh = ss->share;
	struct tree_wait *tw;
	uint8_t mem[8 + LOCKD_MAX_SHARE_NAME];
	struct wbuf w;
	size_t len = strlen(sh->name);

	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u32le(&w, (uint32_t)sh->max_connections);
	wbuf_put_u16le(&w, (uint16_t)len);
	wbuf_put_bytes(&w, sh->name, len);
	if (wbuf_error(&w))
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	tw = xcalloc(1, sizeof(*tw));
	tw->c = c;
	tw->ss = ss;
	tw->encrypt = encrypt;
	if (lockd_client_request(LOCKD_OP_TCON_CLAIM, wbuf_data(&w),
	    wbuf_len(&w), tree_claim_reply, tw) == -1) {
		free(tw);
		log_warnx("%s: lockd unreachable; refusing a tree connect to "
		    "\"%s\", whose max connections it counts", c->peer,
		    sh->name);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	c->waiting = 1;
	return SMB2_DEFER;
}

static void
tree_release_reply(uint32_t status, struct rbuf *r, void *arg)
{
	if (status != NT_STATUS_SUCCESS)
		log_debug("lockd did not release a tree connect slot "
		    "(0x%08x)", status);
}

void
smb2_tree_release_slot(struct smb2_tree *t)
{
	const struct conf_share *sh;
	uint8_t mem[4 + LOCKD_MAX_SHARE_NAME];
	struct wbuf w;
	size_t len;

	if (!t->counted)
		return;
	t->counted = 0;
	sh = t->ss->share;
	len = strlen(sh->name);
	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u16le(&w, (uint16_t)len);
	wbuf_put_bytes(&w, sh->name, len);
	/*
	 * Without lockd there is nothing to release: a lockd that went
	 * away took every count with it.
	 */
	if (!wbuf_error(&w))
		(void)lockd_client_request(LOCKD_OP_TCON_RELEASE,
		    wbuf_data(&w), wbuf_len(&w), tree_release_reply, NULL);
}

uint32_t
smb2_cmd_tree_connect(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_session *s = req->sess;
	struct session_share *ss = NULL;
	struct rbuf r = req->body, pathbuf;
	uint16_t ssize, flags, poff, plen;
	const char *name;
	char *path = NULL;
	size_t pathlen;
	int encrypt = 0;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u16le(&r, &flags);
	rbuf_get_u16le(&r, &poff);
	rbuf_get_u16le(&r, &plen);
	if (rbuf_error(&r) || plen == 0 ||
	    rbuf_sub(&req->msg, poff, plen, &pathbuf) == -1 ||
	    utf16le_to_utf8(&pathbuf, plen, &path, &pathlen) == -1)
		return NT_STATUS_INVALID_PARAMETER;
	if ((name = smb2_tree_share_name(path)) == NULL) {
		free(path);
		return NT_STATUS_BAD_NETWORK_NAME;
	}
	if (strcasecmp(name, "IPC$") != 0 &&
	    (ss = session_share_find(name)) == NULL) {
		log_info("%s: tree connect to unknown share \"%s\"", c->peer,
		    name);
		free(path);
		return NT_STATUS_BAD_NETWORK_NAME;
	} else if (ss != NULL && !ss->allowed) {
		log_info("%s: user %s refused share \"%s\": %s", c->peer,
		    S.auth.user, name, ss->why);
		free(path);
		return NT_STATUS_ACCESS_DENIED;
	}
	free(path);
	if (s->ntrees >= SMB2_MAX_TREES)
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	if (ss != NULL && ss->share->smb_encrypt == ENCRYPT_REQUIRED) {
		if (s->enc == NULL) {
			log_info("%s: share \"%s\" requires encryption, which "
			    "this session cannot do", c->peer,
			    ss->share->name);
			return NT_STATUS_ACCESS_DENIED;
		}
		encrypt = 1;
	}
	if (ss != NULL && ss->share->smb_encrypt == ENCRYPT_DESIRED &&
	    s->enc != NULL)
		encrypt = 1;
	if (ss != NULL && ss->share->max_connections > 0)
		return tree_claim(c, ss, encrypt);
	(void)tree_make(c, req, ss, encrypt);
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_cmd_tree_disconnect(struct smb2_conn *c, struct smb2_req *req)
{
	smb2_tree_free_one(req->sess, req->tree);
	req->tree = NULL;
	wbuf_reset(req->out);
	wbuf_put_u16le(req->out, 4);
	wbuf_put_u16le(req->out, 0);
	return NT_STATUS_SUCCESS;
}
