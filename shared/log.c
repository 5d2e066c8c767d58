/*
 * Logging for every usmbd program.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int	 log_debug_mode = 1;
static int	 log_verbose;
static char	 log_name[64] = "usmbd";
static void	(*log_forward)(int, const char *);
static int	 log_in_forward;
static int	 log_fd = -1;		/* "log file", or stderr without syslog */

void
log_init(int debug, int facility)
{
	log_debug_mode = debug;
	tzset();
	if (debug || log_fd != -1)
		return;
	/*
	 * Without a syslog daemon the lines would be lost: they go to
	 * standard error instead, with a time (log_stderr() says so).
	 */
	if (access(_PATH_LOG, W_OK) == -1) {
		log_fd = STDERR_FILENO;
		return;
	}
	openlog(log_name, LOG_PID | LOG_NDELAY, facility);
}

int
log_stderr(void)
{
	return !log_debug_mode && log_fd == STDERR_FILENO;
}

int
log_open_file(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0640)) == -1)
		return -1;
	if (log_fd > STDERR_FILENO)
		close(log_fd);
	log_fd = fd;
	return 0;
}

/* One line with its time and level, in one write: O_APPEND keeps it whole. */
static void
log_write_line(int level, const char *line)
{
	char buf[1400], when[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(buf, sizeof(buf), "%s %s %s\n", when,
	    level == LOG_LEVEL_WARN ? "warning" :
	    level == LOG_LEVEL_INFO ? "info" : "debug", line);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	/* Nowhere to report a failed log write; the line is lost. */
	if (write(log_fd, buf, (size_t)n) != n)
		return;
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
log_procname(const char *name)
{
	snprintf(log_name, sizeof(log_name), "%s", name);
}

void
log_set_forward(void (*fn)(int, const char *))
{
	log_forward = fn;
}

void
log_emit(int level, const char *line)
{
	int pri;

	if (log_debug_mode) {
		fprintf(stderr, "%s\n", line);
		fflush(stderr);
		return;
	}
	if (log_fd != -1) {
		log_write_line(level, line);
		return;
	}
	switch (level) {
	case LOG_LEVEL_WARN:
		pri = LOG_WARNING;
		break;
	case LOG_LEVEL_INFO:
		pri = LOG_INFO;
		break;
	default:
		pri = LOG_DEBUG;
		break;
	}
	syslog(pri, "%s", line);
}

void
vlog(int level, const char *fmt, va_list ap)
{
	char msg[1024], line[1200];
	int saved = errno;

	if (level > LOG_LEVEL_INFO && log_verbose < 2)
		return;
	if (level == LOG_LEVEL_INFO && log_verbose < 1 && !log_debug_mode)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* The process name is part of the line so the master can relay it. */
	snprintf(line, sizeof(line), "%s[%ld]: %s", log_name, (long)getpid(),
	    msg);
	/* A failure while forwarding must not recurse into the forwarder. */
	if (log_forward != NULL && !log_in_forward) {
		log_in_forward = 1;
		log_forward(level, line);
		log_in_forward = 0;
	} else
		log_emit(level, line);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	errno = saved;
	log_warnx("%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("fatal: %s: %s", buf, strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("fatal: %s", buf);
	exit(1);
}
