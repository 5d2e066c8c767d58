/*
 * Named pipes on IPC$: the DCE/RPC connection-oriented protocol (C706,
 * MS-RPCE) over a byte stream, and the services behind it (srvsvc,
 * wkssvc, lsarpc, samr).  The session worker opens a pipe by name, writes
 * the client's PDUs into it and reads the server's PDUs back, one message
 * per read.
 */
#ifndef USMBD_RPC_H
#define USMBD_RPC_H

#include <stddef.h>
#include <stdint.h>

/* srvsvc share types (MS-SRVS 2.2.2.4). */
#define RPC_STYPE_DISKTREE	0x00000000
#define RPC_STYPE_IPC		0x00000003
#define RPC_STYPE_SPECIAL	0x80000000

struct rpc_share_info {
	const char	*name;
	uint32_t	 type;		/* RPC_STYPE_* */
	const char	*comment;
	const char	*path;		/* Windows form, C:\... */
	int		 browseable;	/* listed by NetShareEnum */
};

/*
 * A question for the system's name service, which the session worker
 * cannot ask itself: the name of a uid or gid, or the id and canonical
 * name of a user or group name.
 */
#define RPC_NAME_MAX		64	/* with the terminating NUL */
enum rpc_name_kind {
	RPC_NAME_UID = 1,
	RPC_NAME_GID,
	RPC_NAME_USER,
	RPC_NAME_GROUP,
};

struct rpc_name {
	int		 kind;		/* enum rpc_name_kind */
	uint32_t	 id;
	int		 found;		/* set by the lookup */
	char		 name[RPC_NAME_MAX];
};

struct rpc_ctx {
	const char	*server_name;	/* NetBIOS name */
	const char	*domain;	/* workgroup */
	const char	*server_string;
	const struct rpc_share_info *shares;
	size_t		 nshares;
	const char	*user;		/* the session's user */
	int		 anonymous;	/* anonymous or guest */
	uint32_t	 uid;
	uint32_t	 gid;
	const uint32_t	*groups;	/* supplementary gids */
	size_t		 ngroups;
	/*
	 * The sub-authorities of the server's domain SID
	 * S-1-5-21-a-b-c, stable across restarts.
	 */
	uint32_t	 domain_sub[3];
	/*
	 * Answers n questions in place; -1 when the name service cannot be
	 * asked.  NULL for a session that may not translate names (guest,
	 * anonymous): it sees only the well-known names and its own.
	 */
	int		(*lookup)(void *, struct rpc_name *, size_t);
	void		*lookup_arg;
};

struct rpc_pipe;

/* NULL when no service answers on that pipe name (without \PIPE\). */
struct rpc_pipe	*rpc_pipe_open(const char *, const struct rpc_ctx *);
/* Feed bytes from the client; -1 when the pipe is broken. */
int		 rpc_pipe_write(struct rpc_pipe *, const uint8_t *, size_t);
/* Bytes of the next message waiting to be read (0 when none). */
size_t		 rpc_pipe_pending(const struct rpc_pipe *);
/*
 * Copy up to max bytes of the next message; *more is set when the rest of
 * that message waits for the next read.
 */
size_t		 rpc_pipe_read(struct rpc_pipe *, uint8_t *, size_t,
		    int *);
void		 rpc_pipe_close(struct rpc_pipe *);

#endif /* USMBD_RPC_H */
