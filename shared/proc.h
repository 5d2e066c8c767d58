/*
 * What every child program does the same way at start: check the fixed fd
 * layout, read the configuration the master passed, and log through the
 * master.
 */
#ifndef USMBD_PROC_H
#define USMBD_PROC_H

#include "ipc_types.h"

struct conf;

struct proc_ctx {
	enum usmbd_prog	 prog;
	int		 debug;		/* -d: the master runs in the foreground */
	int		 verbose;
	struct conf	*conf;
};

/*
 * Parse the common command line ("-d", "-v" repeated), verify that fds
 * 0-4 are open as the master arranges them, load the configuration from
 * USMBD_FD_CONFIG and route log lines to the master over USMBD_FD_MASTER.
 * Any problem is fatal: a child started any other way must not run.
 */
void	proc_child_setup(struct proc_ctx *, enum usmbd_prog, int, char **);
/* Send IPC_HELLO on the master channel. */
void	proc_hello(enum usmbd_prog);
const char *proc_name(enum usmbd_prog);
/* Write the config text into a sealed memfd; returns the fd. */
int	proc_config_memfd(const struct conf *);

#endif /* USMBD_PROC_H */
