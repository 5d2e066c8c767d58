/*
 * The payloads of IPC messages that carry a logon, a name lookup or what
 * usmbd-ctl shows of a session, encoded field by field, little-endian,
 * through shared/buf.h: what a peer sends is parsed, never copied into a
 * struct.  Each encoding but the open-file list has a fixed length,
 * which the receiver's ipc_rule demands; that list is bounded by its
 * header's counts and by IPC_MAX_PAYLOAD.
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

/*
 * IPC_SESSION_FILES, the master's question to a session worker for
 * usmbd-ctl: its open files, at most max of them, after closing the open
 * whose persistent FileId is close_id (0: close nothing).
 */
#define SESSION_FILES_Q_LEN	16
#define SESSION_FILES_MAX	1000	/* entries one question may ask for */
struct session_files_q {
	uint32_t	seq;
	uint32_t	max;
	uint64_t	close_id;
};

/*
 * IPC_SESSION_FILES_REPLY: a header (the question's seq, what became of
 * the close, how many files the worker has open, how many entries
 * follow), then one entry per open: its id, access, share access, flags,
 * its oplock level and lease state (as the worker last heard them from
 * lockd; SESSION_FILE_BREAKING while a break awaits the client), the
 * share's name and the path below the share root.  Names are UTF-8
 * with no control character (C0, DEL, C1) and no bidirectional override,
 * or the answer does not parse: they end up on an administrator's
 * terminal.  A longer path is cut (SESSION_FILE_CUT) by the worker.
 */
#define SESSION_FILES_HDR_LEN	16
#define SESSION_FILE_FIXED_LEN	22
#define SESSION_FILE_PATH_MAX	1024	/* bytes of a path, without NUL */
#define SESSION_FILE_DIR	0x01
#define SESSION_FILE_CUT	0x02
#define SESSION_FILE_BREAKING	0x04
/* The oplock levels of MS-SMB2 2.2.13; 0xFF: a lease. */
#define SESSION_FILE_OPLOCK_LEASE	0xFF
/* Lease state bits (MS-SMB2 2.2.13.2.8): read, handle, write caching. */
#define SESSION_FILE_LEASE_STATES	0x07
enum session_close {
	SESSION_CLOSE_NONE = 0,		/* none was asked for */
	SESSION_CLOSE_DONE,
	SESSION_CLOSE_NOT_FOUND,
	SESSION_CLOSE_BUSY,		/* a request of it was in progress */
};
struct session_files_hdr {
	uint32_t	seq;
	uint32_t	closed;		/* enum session_close */
	uint32_t	total;
	uint32_t	n;
};
struct session_file {
	uint64_t	id;		/* persistent FileId */
	uint32_t	access;
	uint32_t	share_access;
	uint8_t		flags;
	uint8_t		oplock;		/* 0, 0x01, 0x08, 0x09 or 0xFF */
	uint8_t		lease;		/* with oplock 0xFF: R 1, H 2, W 4 */
	char		share[SESSION_INFO_SHARE_LEN];
	char		path[SESSION_FILE_PATH_MAX + 1];
};

void	ipc_put_files_q(struct wbuf *, const struct session_files_q *);
int	ipc_get_files_q(struct rbuf *, struct session_files_q *);
void	ipc_put_files_hdr(struct wbuf *, const struct session_files_hdr *);
/* The header alone: the entries follow in the same buffer. */
int	ipc_get_files_hdr(struct rbuf *, struct session_files_hdr *);
/* The bytes an entry takes on the wire. */
size_t	ipc_file_wire_len(const struct session_file *);
void	ipc_put_file(struct wbuf *, const struct session_file *);
/* -1 when short, or a name is empty, too long or not fit to show. */
int	ipc_get_file(struct rbuf *, struct session_file *);
/*
 * Copy src to dst (of len bytes) fit to show: every byte that is not
 * part of an allowed UTF-8 character becomes '?'; a string that does not
 * fit is cut at a character's boundary and 1 returned, else 0.
 */
int	ipc_text_clean(char *, size_t, const char *);

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
