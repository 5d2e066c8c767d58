/*
 * Logging.  One implementation for every program: to stderr in the
 * foreground (-d), to syslog otherwise, and, in sandboxed processes that can
 * reach neither, as IPC_LOG messages to the master (log_set_forward()).
 */
#ifndef USMBD_LOG_H
#define USMBD_LOG_H

#include <stdarg.h>

#define LOG_LEVEL_WARN	0
#define LOG_LEVEL_INFO	1
#define LOG_LEVEL_DEBUG	2

/*
 * debug != 0: log to stderr.  Otherwise to syslog(3) with the given
 * facility, opened with the program name set by log_procname().
 */
void	log_init(int debug, int facility);
/*
 * Log to this file instead of syslog ("log file"); called again it
 * reopens, after the file was rotated.  0, or -1 with errno.
 */
int	log_open_file(const char *);
/* Whether lines go to standard error because there is no syslog. */
int	log_stderr(void);
/* 0 = warnings only, 1 = info, 2 and up = debug detail. */
void	log_setverbose(int);
int	log_getverbose(void);
/* The name shown in front of every line, e.g. "preauth[1234]". */
void	log_procname(const char *);
/*
 * Hand every formatted line (level, text without newline) to this function
 * instead of writing it; used by sandboxed processes to log via the master.
 * NULL restores direct output.
 */
void	log_set_forward(void (*)(int, const char *));
/* Write a line that came from another process, as is. */
void	log_emit(int, const char *);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	vlog(int, const char *, va_list) __attribute__((format(printf, 2, 0)));
__attribute__((noreturn)) void	fatal(const char *, ...)
    __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void	fatalx(const char *, ...)
    __attribute__((format(printf, 1, 2)));

#endif /* USMBD_LOG_H */
