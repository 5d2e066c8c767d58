/*
 * State of the usmbd master process.
 */
#ifndef USMBD_MASTER_H
#define USMBD_MASTER_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdint.h>
#include <time.h>

#include "auth.h"
#include "ipc_payload.h"
#include "ipc_types.h"

struct event;
struct event_base;
struct ipc_chan;
struct conf;

#define MASTER_MAX_LISTENERS	32

enum conn_state {
	CONN_PREAUTH,
	CONN_SESSION,
};

struct child;
struct ctl_files;

/* One client connection, from accept to the end of its worker. */
struct conn {
	TAILQ_ENTRY(conn)	 entry;
	uint32_t		 id;
	struct sockaddr_storage	 addr;
	char			 addrstr[64];	/* host:port */
	char			 hoststr[64];	/* host alone */
	enum conn_state		 state;
	struct child		*child;	/* preauth, then session worker */
	struct event		*ev_timeout;
	int			 authed;
	struct auth_result	 auth;
	int			 sock;	/* client socket until the worker has it */
	uint8_t			*state_blob;	/* handoff waiting for authd */
	size_t			 state_len;
	uint64_t		 accepted_ms;	/* time_mono_ms() */
	time_t			 accepted;	/* wall clock, for usmbd-ctl */
	/* What its session worker last said of it (IPC_SESSION_INFO). */
	struct session_info	 info;
	int			 have_info;
	int			 info_bad;	/* logged once */
	/*
	 * usmbd-ctl's question to its worker (master_ctl.c): the one out,
	 * the last answer (its open files), and a close-file's outcome.
	 */
	uint32_t		 files_seq;	/* 0: none out */
	struct ctl_files	*files;
	uint32_t		 closed_seq;	/* the close question answered */
	uint32_t		 closed;	/* enum session_close */
	int			 files_bad;	/* logged once */
	/*
	 * A SESSION_SETUP's PreviousSessionId (IPC_SESSION_PREVIOUS): the
	 * asker counts the workers told to end it that have not answered;
	 * each of those names the asker's connection.
	 */
	int			 prev_out;	/* a question is out */
	uint32_t		 prev_wait;
	uint32_t		 end_for;	/* 0: not asked */
};

struct child {
	LIST_ENTRY(child)	 entry;
	pid_t			 pid;	/* -1 once reaped */
	pid_t			 started_pid;	/* for its log lines */
	enum usmbd_prog		 prog;
	struct ipc_chan		*chan;
	struct conn		*conn;
	uint64_t		 started_ms;
	/*
	 * Unique for the master's life, unlike the pid: what a name service
	 * job that completes later finds its child by, if it still exists.
	 */
	uint64_t		 serial;
	/* Name service requests of a session worker, per second. */
	uint64_t		 names_window_ms;
	unsigned int		 names_in_window;
	int			 names_unread;	/* logged once */
	int			 names_pending;	/* a lookup job is out */
	int			 names_early;	/* logged once */
	/* Its log lines: a token bucket, in thousandths of a line. */
	uint64_t		 log_ms;
	uint64_t		 log_milli;
	uint64_t		 log_dropped;
};

struct listener {
	int			 fd;
	struct event		*ev;
	struct sockaddr_storage	 addr;
};

struct master {
	struct conf		*conf;
#ifdef USMBD_REGRESS_HOOKS
	enum usmbd_prog		 evil_prog;	/* started with an attack */
	char			*evil_attack;
#endif
	const char		*conffile;
	int			 debug;
	int			 verbose;
	int			 config_fd;
	struct event_base	*base;
	struct listener		 listeners[MASTER_MAX_LISTENERS];
	size_t			 nlisteners;
	TAILQ_HEAD(, conn)	 conns;
	size_t			 nconns;
	uint32_t		 conn_seq;
	LIST_HEAD(, child)	 children;
	uint64_t		 child_seq;
	struct child		*authd;
	struct child		*lockd;
	struct event		*ev_restart_authd;
	struct event		*ev_restart_lockd;
	struct event		*ev_accept_pause;
	struct event		*ev_shutdown;
	int			 shutting_down;
	int			 daemons_stopped;	/* authd and lockd told to stop */
	uint64_t		 shutdown_deadline;
	unsigned long		 refused;
	uint64_t		 refuse_logged_ms;
};

extern struct master M;

/* master.c */
void	 master_accept_cb(int, short, void *);

/* master_setup.c */
int	 master_listen(struct conf *);
void	 master_check_users(struct conf *);
/* usmbd -t and start: what would fail at run time; returns the errors. */
int	 master_check_runtime(const struct conf *, int *);
void	 master_prepare_state(struct conf *);
void	 master_write_pidfile(struct conf *);
void	 master_fd_limit(const struct conf *);
void	 master_check_landlock(struct conf *);
void	 master_check_mount_namespace(struct conf *);
/* Say how many of a child's log lines the rate limit dropped. */
void	 master_log_dropped(struct child *);
#ifdef USMBD_REGRESS_HOOKS
void	 master_evil_setup(void);
#endif
void	 master_remove_pidfile(struct conf *);
/* SIGHUP and usmbd-ctl reload: 0, or -1 when the file does not load. */
int	 master_reload(void);
/* Create the directory a file goes in, if it is missing (mode 0755). */
void	 master_mkdir_parent(const char *);

/* master_ctl.c: the control socket of usmbd-ctl(8). */
int	 master_ctl_open(const struct conf *);
void	 master_ctl_close(void);
/* lockd's IPC_LOCKD_STATUS_REPLY, for the statuses waiting on it. */
void	 master_ctl_lockd_answer(const uint8_t *, size_t);
/* A session worker's IPC_SESSION_FILES_REPLY about its own connection. */
void	 master_ctl_files_answer(struct conn *, const uint8_t *, size_t);
/* A connection goes: what usmbd-ctl kept of it, before and after. */
void	 master_ctl_conn_free(struct conn *);
void	 master_ctl_check(void);
int	 sockaddr_same_host(const struct sockaddr_storage *,
	    const struct sockaddr_storage *);
void	 sockaddr_ntop(const struct sockaddr_storage *, char *, size_t);
void	 sockaddr_hoststr(const struct sockaddr_storage *, char *, size_t);

#endif /* USMBD_MASTER_H */
