/*
 * usmbd-authd: Kerberos AP-REQs checked against a keytab with libkrb5.
 */
#ifndef USMBD_AUTHD_KRB5_H
#define USMBD_AUTHD_KRB5_H

#include <stddef.h>
#include <stdint.h>

#include "authd_proto.h"

struct conf_global;
struct wbuf;

struct authd_krb5_result {
	uint32_t	 status;	/* NTSTATUS when refused */
	const char	*why;		/* for the log, when refused */
	char		 client[256];	/* principal, "" if not known */
	char		 user[256];	/* account name the master resolves */
	uint8_t		 key[AUTH_MAX_SESSION_KEY];
	size_t		 keylen;
	int64_t		 endtime;	/* the ticket's end, Unix time */
	int		 mutual;	/* the client asked for an AP-REP */
};

/*
 * Set up the Kerberos context and resolve the keytab, before the sandbox.
 * Returns 0 with Kerberos off (no keytab configured), 1 with it on, -1
 * on error.  *ktpath gets the keytab file (for the Landlock rule).
 */
int	authd_krb5_init(const struct conf_global *, char **ktpath);
/*
 * Check the AP-REQ of a krb5 mechanism token; on success the AP-REP
 * mechanism token (if the client asked for mutual authentication) is
 * appended to the wbuf.  0, or -1 with res->status and res->why set.
 */
int	authd_krb5_accept(const uint8_t *, size_t, struct authd_krb5_result *,
	    struct wbuf *);

#ifdef FUZZING_KRB5
/* regress/fuzz/fuzz_krb5.c: Kerberos with a keytab of its own. */
int	authd_krb5_init_keytab(const char *);
#endif

#endif /* USMBD_AUTHD_KRB5_H */
