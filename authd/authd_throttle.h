/*
 * Slowing down password guessing (usmbd-authd).
 *
 * Failed logons are counted over a minute per source (the client's
 * address cut to a prefix: by default one IPv4 address, one IPv6 /64,
 * since a host gets a whole /64 and can pick any address in it) and per
 * user name (a guesser spread over many sources still hits one account).
 * While a source or a user has reached the limit, every final answer to
 * a logon from that source or for that user, success and failure alike,
 * is held back by the same delay: a quick answer would otherwise tell a
 * guesser that a password was right without the wait.
 *
 * The functions take the time, so that the unit test needs no clock.
 */
#ifndef USMBD_AUTHD_THROTTLE_H
#define USMBD_AUTHD_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#define THROTTLE_WINDOW_MS	60000
#define THROTTLE_MAX_KEYS	1024
#define THROTTLE_KEY_LEN	80

struct throttle_cfg {
	unsigned	limit;		/* failures per window; 0: never */
	int		v4prefix;	/* bits of an IPv4 address that count */
	int		v6prefix;	/* bits of an IPv6 address that count */
};

/*
 * The source key of a printable address ("192.0.2.7", "2001:db8::1"):
 * "192.0.2.7/32", "2001:db8::/64".  An IPv4-mapped IPv6 address counts as
 * IPv4.  Returns -1 for what is not an address (then the text is the key).
 */
int	throttle_source_key(const struct throttle_cfg *, const char *, char *,
	    size_t);
/* Count a failed logon from addr for user (NULL or "": no user). */
void	throttle_failed(const struct throttle_cfg *, const char *,
	    const char *, uint64_t);
/*
 * Is an answer to a logon from addr for user to be held back?  The first
 * time a source or a user reaches the limit in a window, one line is
 * logged.
 */
int	throttle_penalized(const struct throttle_cfg *, const char *,
	    const char *, uint64_t);

#endif /* USMBD_AUTHD_THROTTLE_H */
