/*
 * Opens of a session worker: what a FileId names, and the helpers every
 * file command shares.
 */
#ifndef USMBD_SMB2_FILE_H
#define USMBD_SMB2_FILE_H

#include <sys/queue.h>
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>

#include "fscc.h"
#include "oplock_wire.h"

struct event;
struct rbuf;
struct notify_state;
struct rpc_pipe;
struct smb2_conn;
struct smb2_req;
struct smb2_session;
struct smb2_tree;

/* One open: a file, a directory, a stream or a named pipe. */
struct smb2_open {
	TAILQ_ENTRY(smb2_open)	 tree_entry;	/* in tree->files */
	TAILQ_ENTRY(smb2_open)	 conn_entry;	/* in the worker's table */
	uint64_t		 persistent_id;
	uint64_t		 volatile_id;
	struct smb2_tree	*tree;
	struct smb2_session	*sess;
	int			 fd;		/* -1 for pipes */
	int			 is_dir;
	char			*path;		/* below the share root, '/'-
						   separated, "" for the root */
	char			*stream;	/* NULL: the data stream */
	struct stat		 st;		/* at open time */
	uint32_t		 access;	/* granted */
	uint32_t		 share_access;
	uint32_t		 create_options;
	uint32_t		 file_attributes;
	int			 delete_on_close;
	uint64_t		 lockd_handle;	/* 0: none */
	int			 brl;		/* the file may have byte-range
						   locks: IO asks lockd first
						   (smb2_lock.c) */
	/* Oplocks (smb2_oplock.c). */
	uint8_t			 oplock;	/* the level the client holds */
	/*
	 * With oplock 0xFF, its lease as last answered (version 0: none);
	 * lockd alone knows the lease's state for sure.
	 */
	struct smb2_lease_req	 lease;
	int			 opl_breaking;	/* a break awaits the client's
						   acknowledgment */
	int			 opl_report;	/* writes are reported to lockd */
	/* A durable open (doc/durable.md): its version (0: none). */
	int			 durable;
	uint32_t		 durable_timeout;	/* ms, v2's answer */
	/*
	 * A v2 durable open's CreateGuid, and what its CREATE answered,
	 * for a replay of that CREATE (MS-SMB2 3.3.5.9.10).
	 */
	uint8_t			 create_guid[16];
	uint32_t		 create_action;
	uint32_t		 create_cctx;
	uint32_t		 create_maximal;
	int			 opl_reporting;	/* a report is on its way */
	/* "kernel oplocks" (smb2_klease.c). */
	uint8_t			 kl_held;	/* file lease: KL_NONE, ... */
	uint8_t			 kl_breaking;	/* the kernel broke it */
	uint8_t			 kl_told;	/* lockd was told */
	uint64_t		 kl_deadline;	/* ms: lockd's break ends */
	int			 kd_wd;		/* a leased directory's inotify
						   watch (0: none) */
	uint8_t			 kd_changed;	/* changed before the grant */
	uint8_t			 kd_told;	/* lockd was told */
	int			 changed;	/* written: its directory's
						   leases break at the close */
	void			*create_wait;	/* its CREATE waits for lockd */
	uint64_t		 position;	/* FilePositionInformation */
	int			 no_nowait;	/* RWF_NOWAIT refused (smb2_rw.c) */
	uint32_t		 ea_next;	/* FileFullEaInformation cursor */
	int			 sparse;	/* FSCTL_SET_SPARSE (smb2_fsctl.c) */
	uint64_t		 alloc_reserved; /* allocation set beyond
						   the end of file, 0: none */
	/* LastWriteTime updates (smb2_wtime.c). */
	struct event		*wt_ev;		/* the delayed update */
	int			 wt_state;
	int			 wt_dirty;	/* written since the update */
	int			 wt_sticky;	/* set or frozen by the client */
	int			 wt_override;	/* report wt_shown */
	struct timespec		 wt_shown;
	/* QUERY_DIRECTORY state. */
	DIR			*dir;
	char			*dir_pattern;
	int			 dir_done;
	/* CHANGE_NOTIFY (smb2_notify.c). */
	struct notify_state	*notify;
	/* IPC$. */
	struct rpc_pipe		*pipe;
	char			*pipe_name;
};

/* smb2_file.c */
/* Look up the open named by a request's 16-byte FileId. */
struct smb2_open *smb2_open_lookup(struct smb2_conn *, struct smb2_req *,
		    const uint8_t [16]);
struct smb2_open *smb2_open_new(struct smb2_conn *, struct smb2_req *);
void		 smb2_open_free(struct smb2_conn *, struct smb2_open *);
/*
 * Register what must let go of an open before it is freed (its notify
 * state, a write time still owed), so that the open table depends on
 * none of them; the worker's setup does it once.
 */
void		 smb2_open_on_free(void (*)(struct smb2_open *));
/* Has this worker an open below the directory of this open? */
int		 smb2_open_busy_below(const struct smb2_open *);
/* Has this worker an open of the file with this device and inode? */
int		 smb2_open_busy_inode(dev_t, ino_t);
void		 smb2_open_fileid(const struct smb2_open *, uint8_t [16]);
/* The open with these ids, if it still exists (IO completions). */
struct smb2_open *smb2_open_find(uint64_t, uint64_t);
/* The open with this persistent id (usmbd-ctl close-file names it). */
struct smb2_open *smb2_open_find_persistent(uint64_t);
size_t		 smb2_open_count(void);
/* Call fn for every open of this worker. */
void		 smb2_open_foreach(void (*)(struct smb2_open *, void *),
		    void *);
/* The open lockd knows by this handle. */
struct smb2_open *smb2_open_find_lockd(uint64_t);
/* lockd says whether the file of this open has byte-range locks. */
void		 smb2_open_brl_set(uint64_t, int);

/* FILETIME (100 ns units since 1601) to and from struct timespec. */
uint64_t	 smb2_filetime(const struct timespec *);
void		 smb2_timespec(uint64_t, struct timespec *);

#endif /* USMBD_SMB2_FILE_H */
