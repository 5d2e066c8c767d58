/*
 * Child process start-up shared by usmbd-preauth, usmbd-session,
 * usmbd-authd and usmbd-lockd.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

extern char **environ;

#include "conf.h"
#include "ipc.h"
#include "log.h"
#include "evil.h"
#include "proc.h"
#include "usmbd.h"
#include "util.h"

#define PROC_CONFIG_MAX	(4 * 1024 * 1024)

static const char *const proc_names[PROG_MAX] = {
	[PROG_MASTER] = "master",
	[PROG_PREAUTH] = "preauth",
	[PROG_SESSION] = "session",
	[PROG_AUTHD] = "authd",
	[PROG_LOCKD] = "lockd",
};

static unsigned long proc_log_dropped;

const char *
proc_name(enum usmbd_prog prog)
{
	if ((int)prog < 0 || prog >= PROG_MAX || proc_names[prog] == NULL)
		return "unknown";
	return proc_names[prog];
}

/*
 * Log lines travel to the master as IPC_LOG.  The send never blocks: a
 * child that logs faster than the master reads loses lines (counted and
 * reported with the next line that gets through) rather than stalling.
 */
static void
proc_log_forward(int level, const char *line)
{
	uint8_t buf[4 + 1200];
	size_t n = strlen(line);
	uint32_t lv = (uint32_t)level;
	char note[1300];

	if (proc_log_dropped > 0) {
		snprintf(note, sizeof(note), "%s (%lu earlier log lines lost)",
		    line, proc_log_dropped);
		line = note;
		n = strlen(line);
	}
	if (n > sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	memcpy(buf, &lv, 4);
	memcpy(buf + 4, line, n);
	if (ipc_send_nowait(USMBD_FD_MASTER, IPC_LOG, 0, buf, 4 + n) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			proc_log_dropped++;
		else
			log_emit(level, line);
		return;
	}
	proc_log_dropped = 0;
}

static struct conf *
proc_read_config(void)
{
	struct stat st;
	struct conf *conf;
	char *text;
	ssize_t n;
	size_t off = 0;

	if (fstat(USMBD_FD_CONFIG, &st) == -1)
		fatal("config fd");
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > PROC_CONFIG_MAX)
		fatalx("config fd: not a sane configuration image");
	text = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		n = pread(USMBD_FD_CONFIG, text + off, (size_t)st.st_size - off,
		    (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			fatal("config fd: read");
		off += (size_t)n;
	}
	text[off] = '\0';
	if ((conf = conf_load_text("(master)", text, off)) == NULL)
		fatalx("configuration passed by the master does not load");
	free(text);
	close(USMBD_FD_CONFIG);
	return conf;
}

void
proc_child_setup(struct proc_ctx *ctx, enum usmbd_prog prog, int argc,
    char **argv)
{
	int ch, fd;

	memset(ctx, 0, sizeof(*ctx));
	ctx->prog = prog;
	setproctitle_init(argc, argv, environ);
	log_procname(proc_name(prog));
	log_init(1, LOG_DAEMON);
	opterr = 0;
#ifdef USMBD_REGRESS_HOOKS
#define PROC_OPTS	"dhvVA:"
#else
#define PROC_OPTS	"dhvV"
#endif
	while ((ch = getopt(argc, argv, PROC_OPTS)) != -1) {
		switch (ch) {
		case 'd':
			ctx->debug = 1;
			break;
		case 'v':
			ctx->verbose++;
			break;
		case 'A':
			/* The evil-process test mode (shared/evil.h). */
			evil_set(optarg);
			break;
		case 'h':
			printf("%s is started by usmbd(8), not by hand\n",
			    program_invocation_short_name);
			exit(0);
		case 'V':
			printf("%s %s\n", program_invocation_short_name,
			    PACKAGE_VERSION);
			exit(0);
		default:
			fatalx("%s is started by usmbd(8), not by hand",
			    argv[0]);
		}
	}
	log_setverbose(ctx->verbose);
	for (fd = 0; fd <= USMBD_FD_CONFIG; fd++)
		if (fcntl(fd, F_GETFD) == -1)
			fatalx("%s is started by usmbd(8), not by hand "
			    "(fd %d is not open)", argv[0], fd);
	log_set_forward(proc_log_forward);
	ctx->conf = proc_read_config();
}

void
proc_hello(enum usmbd_prog prog)
{
	uint32_t p = (uint32_t)prog;

	if (ipc_send(USMBD_FD_MASTER, IPC_HELLO, 0, -1, &p, sizeof(p)) == -1)
		fatal("hello to master");
}

int
proc_config_memfd(const struct conf *conf)
{
	FILE *fp;
	int fd;

	if ((fd = memfd_create("usmbd-config", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) == -1)
		return -1;
	if ((fp = fdopen(dup(fd), "w")) == NULL) {
		close(fd);
		return -1;
	}
	if (conf_dump(conf, fp, 1) == -1 || fclose(fp) == EOF) {
		close(fd);
		return -1;
	}
	/* Children get a read-only view that nobody can change. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}
