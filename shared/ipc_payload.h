/*
 * The payloads of IPC messages that carry a logon or a name lookup,
 * encoded field by field, little-endian, through shared/buf.h: what a
 * peer sends is parsed, never copied into a struct.  Each encoding has a
 * fixed length, which the receiver's ipc_rule demands.
 */
#ifndef USMBD_IPC_PAYLOAD_H
#define USMBD_IPC_PAYLOAD_H

#include "auth.h"
#include "authd_proto.h"
#include "names_proto.h"

struct rbuf;
struct wbuf;

/* IPC_SESSION_START: the user a worker becomes. */
#define AUTH_RESULT_WIRE_LEN	(8 + 4 * 4 + 4 * AUTH_MAX_GROUPS + \
				    AUTH_MAX_USER)
/* IPC_AUTH_RESULT: which account authd vouches for. */
#define AUTH_CLAIM_WIRE_LEN	(8 + 4 + 4 + AUTH_MAX_USER)
/* IPC_AUTH_CONFIRM: the master's answer to it. */
#define AUTH_CONFIRM_WIRE_LEN	(8 + 4 + 4 + AUTH_RESULT_WIRE_LEN)
/* IPC_NAME_REQUEST and IPC_NAME_REPLY. */
#define NAMES_ENTRY_WIRE_LEN	(4 * 4 + NAMES_MAX_NAME)
#define NAMES_MSG_WIRE_LEN	(4 + 4 + NAMES_MAX_ENTRIES * \
				    NAMES_ENTRY_WIRE_LEN)

/*
 * IPC_SESSION_INFO.  Share names are printable ASCII or UTF-8 (no
 * control characters), or the message does not parse: they end up on an
 * administrator's terminal.
 */
#define SESSION_INFO_MAX_SHARES	16
#define SESSION_INFO_SHARE_LEN	81	/* 80 characters and a NUL */
struct session_info {
	uint16_t	dialect;
	uint8_t		signing_required;
	uint8_t		encrypt_required;
	uint8_t		cipher;		/* enum smb2_cipher */
	uint8_t		nshares;
	char		shares[SESSION_INFO_MAX_SHARES][SESSION_INFO_SHARE_LEN];
};
#define SESSION_INFO_WIRE_LEN	(8 + SESSION_INFO_MAX_SHARES * \
				    SESSION_INFO_SHARE_LEN)

void	ipc_put_session_info(struct wbuf *, const struct session_info *);
int	ipc_get_session_info(struct rbuf *, struct session_info *);

void	ipc_put_auth_result(struct wbuf *, const struct auth_result *);
void	ipc_put_auth_claim(struct wbuf *, const struct auth_claim *);
void	ipc_put_auth_confirm(struct wbuf *, const struct auth_confirm *);
void	ipc_put_names_msg(struct wbuf *, const struct names_msg *);

/*
 * 0, or -1 when the bytes are short, too many, or say what cannot be
 * (more groups or entries than the arrays hold).  Strings come back
 * NUL-terminated whatever was sent.
 */
int	ipc_get_auth_result(struct rbuf *, struct auth_result *);
int	ipc_get_auth_claim(struct rbuf *, struct auth_claim *);
int	ipc_get_auth_confirm(struct rbuf *, struct auth_confirm *);
int	ipc_get_names_msg(struct rbuf *, struct names_msg *);

#endif /* USMBD_IPC_PAYLOAD_H */
