/*
 * The sessions of a connection and their keys.
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

struct smb2_session *
smb2_session_find(struct smb2_conn *c, uint64_t id)
{
	struct smb2_session *s;

	TAILQ_FOREACH(s, &c->sessions, entry)
		if (s->id == id)
			return s;
	return NULL;
}

struct smb2_session *
smb2_session_new(struct smb2_conn *c)
{
	struct smb2_session *s;
	uint64_t id;

	/*
	 * Session ids are unpredictable and never 0, so that a client
	 * cannot guess another connection's sessions (binding one needs its
	 * key besides).  They fit in 32 bits as Samba's do: clients that
	 * keep a session id in 32 bits exist (smb2.session-id does).
	 */
	do {
		id = arc4random();
	} while (id == 0 || smb2_session_find(c, id));
	s = xcalloc(1, sizeof(*s));
	s->id = id;
	s->state = SESS_IN_PROGRESS;
	TAILQ_INIT(&s->trees);
	s->next_tree_id = 1;
	memcpy(s->preauth_hash, c->preauth_hash, sizeof(s->preauth_hash));
	TAILQ_INSERT_TAIL(&c->sessions, s, entry);
	return s;
}

void
smb2_session_free(struct smb2_conn *c, struct smb2_session *s)
{
	struct smb2_work *w, *next;

	smb2_async_cancel_session(c, s);
	for (w = TAILQ_FIRST(&c->parked); w != NULL; w = next) {
		next = TAILQ_NEXT(w, park_entry);
		smb2_work_session_ends(c, w, s);
	}
	TAILQ_REMOVE(&c->sessions, s, entry);
	smb2_tree_free_all(s);
	smb2_signer_free(s->signer);
	smb2_cryptor_free(s->enc);
	smb2_cryptor_free(s->dec);
	explicit_bzero(s, sizeof(*s));
	free(s);
}

int
smb2_session_setup_keys(struct smb2_conn *c, struct smb2_session *s)
{
	enum smb2_cipher cipher = c->nres.cipher;
	enum smb2_signalg alg;
	uint16_t d = c->nres.dialect;

	if (d < SMB2_DIALECT_300 && cipher == SMB2_CIPHER_NONE)
		cipher = SMB2_CIPHER_NONE;
	else if (d >= SMB2_DIALECT_300 && d < SMB2_DIALECT_311 &&
	    (c->nres.client_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION))
		cipher = SMB2_CIPHER_AES128_CCM;
	if (smb2_derive_keys(d, cipher, s->session_key, s->session_key_len,
	    s->preauth_hash, &s->keys) == -1)
		return -1;
	if (d >= SMB2_DIALECT_311 && c->nres.signalg_negotiated)
		alg = c->nres.signalg;
	else if (d >= SMB2_DIALECT_300)
		alg = SMB2_SIGN_AES_CMAC;
	else
		alg = SMB2_SIGN_HMAC_SHA256;
	smb2_signer_free(s->signer);
	s->signer = smb2_signer_new(d, alg, s->keys.signing,
	    s->keys.signing_len);
	if (s->signer == NULL)
		return -1;
	if (cipher != SMB2_CIPHER_NONE) {
		smb2_cryptor_free(s->enc);
		smb2_cryptor_free(s->dec);
		s->enc = smb2_cryptor_new(cipher, s->keys.encrypt,
		    s->keys.cipher_key_len);
		s->dec = smb2_cryptor_new(cipher, s->keys.decrypt,
		    s->keys.cipher_key_len);
		if (s->enc == NULL || s->dec == NULL)
			return -1;
	}
	return 0;
}
