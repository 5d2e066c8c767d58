/*
 * Small utilities every program uses.
 */
#ifndef USMBD_UTIL_H
#define USMBD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Allocation that cannot fail: on failure the process ends with fatal(). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Constant-time comparison of secrets: 0 when equal. */
int	 ct_memcmp(const void *, const void *, size_t);

/* fd helpers. */
int	 fd_set_nonblock(int);
int	 fd_set_cloexec(int, int);
/* Move fd to exactly the given number (dup2 then close the old one). */
int	 fd_move(int, int);
/* Close every fd >= lowfd. */
void	 fd_closefrom(int);

/* Monotonic clock in milliseconds. */
uint64_t	 time_mono_ms(void);
/* pread until len bytes or end of file: the count, or -1 with errno. */
ssize_t		 pread_full(int, void *, size_t, uint64_t);
/* pwrite all len bytes (ENOSPC if the file takes none): 0 or -1. */
int		 pwrite_full(int, const void *, size_t, uint64_t);

/* Parse a decimal in [min, max]; returns -1 and sets *errstr on error. */
long long	 parse_number(const char *, long long, long long,
		    const char **);

#endif /* USMBD_UTIL_H */
