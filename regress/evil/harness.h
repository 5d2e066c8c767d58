/*
 * The evil-process suite's stand-in for the master: it starts a real
 * daemon (usmbd-authd, usmbd-lockd) with the fd layout of shared/usmbd.h,
 * so that the daemon enters its real sandbox and drops privileges, and
 * then plays a compromised peer against it.  Needs root.
 */
#ifndef USMBD_EVIL_HARNESS_H
#define USMBD_EVIL_HARNESS_H

#include <sys/types.h>

#include "ipc.h"

extern char	evil_dir[];

/* Count a check; print "ok: ..." or "FAIL: ...". */
void	evil_check(const char *, int);
/* Exit 99 with errno's text. */
void	evil_hard(const char *);
/* Skip (exit 77) unless root and the system user exists. */
void	evil_need(const char *);
/* Lines evil_setup() adds to [global] ("" by default). */
extern const char *evil_global;
/* A fresh private directory with a config; returns its path. */
void	evil_setup(void);
/* Start a program of top_builddir; *master gets the master's channel. */
pid_t	evil_start(const char *, int *);
/* Wait up to ms for a message; 1 with one, 0 on time out or end. */
int	evil_recv(int, struct ipc_msg *, uint8_t *, int);
/* Wait for the daemon's IPC_HELLO (it is in its sandbox then). */
int	evil_hello(int);
/*
 * A channel to the daemon, as the master makes one per connection, with
 * what the master sends along (authd: the address; lockd: the uid).
 */
int	evil_new_peer(int, uint32_t, uint32_t, const void *, size_t);
/* Is the daemon still running? */
int	evil_alive(pid_t);
/* Close the master channel, wait for the daemon, clean up; exit code. */
int	evil_done(int, pid_t);

#endif /* USMBD_EVIL_HARNESS_H */
