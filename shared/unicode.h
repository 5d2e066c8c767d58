/*
 * UTF-8 <-> UTF-16LE, and the case folding Windows names need.  The
 * result never depends on the process's locale.
 */
#ifndef USMBD_UNICODE_H
#define USMBD_UNICODE_H

#include <stddef.h>

struct rbuf;
struct wbuf;

/*
 * Append the UTF-16LE form of s[0..len) to out.  -1 on invalid UTF-8
 * (overlong forms, encoded surrogates, values above U+10FFFF, truncated
 * sequences) or when out is full.
 */
int	utf8_to_utf16le(const char *, size_t, struct wbuf *);
/*
 * Read nbytes of UTF-16LE from in and return them as a NUL-terminated
 * UTF-8 string (allocated).  -1 on an odd length, an unpaired surrogate
 * or an embedded NUL.
 */
int	utf16le_to_utf8(struct rbuf *, size_t, char **, size_t *);
/* Upper-case a UTF-8 string (allocated); -1 on invalid UTF-8. */
int	utf8_upper(const char *, char **);
/* Compare two UTF-8 strings ignoring case: 0 when equal. */
int	utf8_casecmp(const char *, const char *);

#endif /* USMBD_UNICODE_H */
