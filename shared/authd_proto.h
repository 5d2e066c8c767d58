/*
 * The protocol between an SMB worker (usmbd-preauth or usmbd-session) and
 * usmbd-authd, and between authd and the master.
 *
 * worker -> authd, IPC_AUTH_REQUEST:
 *	u64 SessionId	the session being set up
 *	u32 flags	AUTH_REQ_*
 *	u32 reserved
 *	...		the SESSION_SETUP security buffer
 *
 * authd -> worker, IPC_AUTH_RESPONSE:
 *	u64 SessionId
 *	u32 NTSTATUS	SUCCESS, MORE_PROCESSING_REQUIRED or a failure
 *	u32 flags	AUTH_FLAG_GUEST / AUTH_FLAG_ANONYMOUS (shared/auth.h)
 *	u16 key length	session key bytes that follow (0 or 16..64)
 *	u16 reserved
 *	u32 uid		the Unix user the master confirmed (0 until then)
 *	u32 lifetime	seconds the logon is good for (the Kerberos ticket's
 *			end; 0: no end), after which the session expires
 *	u32 reserved
 *	...		session key, then the security buffer to return
 *
 * authd -> master, IPC_AUTH_RESULT: struct auth_claim (fixed size);
 * master -> authd, IPC_AUTH_CONFIRM: struct auth_confirm.  The master
 * resolves the Unix account itself (NSS needs files and sockets that
 * authd's sandbox does not allow) and is the one that decides which uid a
 * worker gets.  authd answers the worker only after the master confirmed.
 */
#ifndef USMBD_AUTHD_PROTO_H
#define USMBD_AUTHD_PROTO_H

#include <stdint.h>

#include "auth.h"

#define AUTH_REQ_NEW		0x0001	/* first leg of a new exchange */
#define AUTH_REQ_BINDING	0x0002	/* SESSION_SETUP with BINDING */

#define AUTH_REQ_HDR_LEN	16
#define AUTH_RESP_HDR_LEN	32
#define AUTH_MAX_SESSION_KEY	64

struct auth_claim {
	uint64_t	session_id;
	uint32_t	flags;		/* AUTH_FLAG_* */
	uint32_t	reserved;
	char		user[AUTH_MAX_USER];	/* the SMB account name */
};

struct auth_confirm {
	uint64_t	session_id;
	uint32_t	status;		/* NTSTATUS for the client */
	uint32_t	reserved;
	struct auth_result result;
};

#endif /* USMBD_AUTHD_PROTO_H */
