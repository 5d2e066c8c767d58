/*
 * Logging for every usmbd program.
 */
#include "config.h"

#include <errno.h>
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

void
log_init(int debug, int facility)
{
	log_debug_mode = debug;
	if (!debug)
		openlog(log_name, LOG_PID | LOG_NDELAY, facility);
	tzset();
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
