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

uint32_t
smb2_cmd_tree_connect(struct smb2_conn *c, struct smb2_req *req)
{
	struct smb2_session *s = req->sess;
	struct session_share *ss = NULL;
	struct smb2_tree *t;
	struct rbuf r = req->body, pathbuf;
	uint16_t ssize, flags, poff, plen;
	const char *name;
	char *path = NULL;
	size_t pathlen;
	int ipc = 0, encrypt = 0;

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
	if (strcasecmp(name, "IPC$") == 0)
		ipc = 1;
	else if ((ss = session_share_find(name)) == NULL) {
		log_info("%s: tree connect to unknown share \"%s\"", c->peer,
		    name);
		free(path);
		return NT_STATUS_BAD_NETWORK_NAME;
	} else if (!ss->allowed) {
		log_info("%s: user %s refused share \"%s\": %s", c->peer,
		    S.auth.user, name, ss->why);
		free(path);
		return NT_STATUS_ACCESS_DENIED;
	}
	if (s->ntrees >= SMB2_MAX_TREES) {
		free(path);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (ss != NULL && ss->share->smb_encrypt == ENCRYPT_REQUIRED) {
		if (s->enc == NULL) {
			log_info("%s: share \"%s\" requires encryption, which "
			    "this session cannot do", c->peer, name);
			free(path);
			return NT_STATUS_ACCESS_DENIED;
		}
		encrypt = 1;
	}
	if (ss != NULL && ss->share->smb_encrypt == ENCRYPT_DESIRED &&
	    s->enc != NULL)
		encrypt = 1;

	t = xcalloc(1, sizeof(*t));
	do {
		t->id = s->next_tree_id++;
	} while (t->id == 0 || t->id == UINT32_MAX ||
	    smb2_tree_find(s, t->id) != NULL);
	t->ipc = ipc;
	t->ss = ss;
	t->encrypt = encrypt;
	t->writeable = ipc || (ss != NULL && ss->writeable);
	t->maximal_access = t->writeable ? FILE_ALL_ACCESS :
	    FILE_GENERIC_READ_EXECUTE;
	TAILQ_INIT(&t->files);
	TAILQ_INSERT_TAIL(&s->trees, t, entry);
	s->ntrees++;
	req->resp_tree_id = t->id;
	req->tree = t;
	log_info("%s: user %s connected to %s (tree %u)", c->peer,
	    S.auth.user, ipc ? "IPC$" : ss->share->name, t->id);
	free(path);

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
