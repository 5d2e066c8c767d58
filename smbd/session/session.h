/*
 * usmbd-session internals.
 */
#ifndef USMBD_SESSION_H
#define USMBD_SESSION_H

#include <sys/types.h>

#include <stdint.h>

#include "auth.h"

struct conf;
struct conf_share;
struct event_base;
struct sandbox_user;
struct smb2_conn;

/* What the worker decided about each share before entering its sandbox. */
struct session_share {
	const struct conf_share	*share;
	int			 allowed;
	int			 writeable;
	int			 rootfd;	/* -1 when not reachable */
	int			 ident;		/* IDENT_* of session_ident.h */
	const char		*why;		/* why not allowed */
};

struct session {
	struct conf		*conf;
	int			 debug;
	struct event_base	*base;
	struct auth_result	 auth;
	struct session_share	*shares;
	size_t			 nshares;
	struct smb2_conn	*conn;
	char			 peer[64];
};

extern struct session S;

/* session_share.c */
struct sandbox_path *session_share_paths(const struct sandbox_user *);
/* The sub-authorities a, b, c of this server's domain SID S-1-5-21-a-b-c. */
void	 session_domain_sid(uint32_t [3]);
struct session_share *session_share_find(const char *);

/* session_files.c: usmbd-ctl's questions (open files, close-file). */
struct ipc_msg;
void		 session_files_init(void);
/* A question read elsewhere (while a name lookup waits for its answer). */
void		 session_files_question(const struct ipc_msg *);
/* Any message of the master once the worker runs, read anywhere. */
void		 session_master_msg(const struct ipc_msg *);

/*
 * smb2_durable.c: a SESSION_SETUP's PreviousSessionId
 * (IPC_SESSION_PREVIOUS), and the master's IPC_SESSION_END.
 */
struct smb2_conn;
void		 smb2_durable_previous_init(struct smb2_conn *);
void		 smb2_durable_end_question(const struct ipc_msg *);

/* session_main.c */
struct smb2_cmd;
const struct smb2_cmd *session_commands(void);
int		 session_init(const uint8_t *, size_t);
/*
 * Tell the master what usmbd-ctl status shows of this connection (its
 * dialect, signing, encryption and shares) when it changed.
 */
void		 session_report(void);
void		 session_shutdown(void);

#endif /* USMBD_SESSION_H */
