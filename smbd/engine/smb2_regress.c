/*
 * Test-only hooks of the engine (regress builds).
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

#ifdef USMBD_REGRESS_HOOKS
/*
 * Test-only hooks, compiled in with --enable-regress-hooks and never in a
 * normal build: make the sandboxed process do what it must not, so that
 * the tests see the sandbox stop it.
 */
void
smb2_regress_hook(struct smb2_conn *c, const uint8_t *arg, size_t len)
{
	static const char *const paths[] = { "/etc/passwd", "/etc/hostname",
	    "/", "/tmp", "." };
	size_t i;
	int fd;

	if (len == 7 && memcmp(arg, "violate", 7) == 0) {
		log_warnx("regress: making a forbidden system call");
		sandbox_regress_violate();
		log_warnx("regress: still alive after a forbidden call");
		return;
	}
	if (len == 4 && memcmp(arg, "open", 4) == 0) {
		for (i = 0; i < nitems(paths); i++) {
			fd = open(paths[i], O_RDONLY | O_CLOEXEC);
			if (fd == -1)
				log_warnx("regress: open %s: %s", paths[i],
				    strerror(errno));
			else {
				log_warnx("regress: open %s: succeeded",
				    paths[i]);
				close(fd);
			}
		}
		return;
	}
	if (len == 4 && memcmp(arg, "fork", 4) == 0) {
		pid_t pid;

		/* Threads are allowed; a new process must not be. */
		log_warnx("regress: forking");
		if ((pid = fork()) == 0)
			_exit(0);
		log_warnx("regress: still alive after fork (%d)", (int)pid);
		return;
	}
	if (len > 9 && memcmp(arg, "aiodelay ", 9) == 0) {
		char num[16];

		/* The next read in the thread pool sleeps first. */
		snprintf(num, sizeof(num), "%.*s", (int)(len - 9), arg + 9);
		aio_regress_delay((uint32_t)strtoul(num, NULL, 10));
		log_warnx("regress: next read is delayed %s ms", num);
		return;
	}
	log_warnx("regress: unknown hook");
}
#endif
