/*
 * MD4 (RFC 1320) and the NT hash built on it.  OpenSSL 3 keeps MD4 in its
 * legacy provider, so usmbd carries its own.
 */
#ifndef USMBD_MD4_H
#define USMBD_MD4_H

#include <stddef.h>
#include <stdint.h>

void	md4(const void *, size_t, uint8_t [16]);
/* MD4 of the UTF-16LE password; -1 if the password is not valid UTF-8. */
int	nt_hash(const char *, uint8_t [16]);

#endif /* USMBD_MD4_H */
