/*
 * The SMB2 credit window (MS-SMB2 3.3.1.1, 3.3.5.2.3, 3.3.1.2): the set of
 * MessageIds a client may use next.  Every request consumes CreditCharge
 * consecutive ids that must all be in the window; every response adds as
 * many new ids at the top as it grants credits.  A replayed, never
 * granted or already used id is refused.
 */
#ifndef USMBD_SMB2_CREDITS_H
#define USMBD_SMB2_CREDITS_H

#include <stdint.h>

struct smb2_credits {
	uint64_t	 lo;		/* every id below lo is used */
	uint64_t	 hi;		/* ids in [lo, hi) are granted */
	uint64_t	*used;		/* ring bitmap over [lo, lo + cap) */
	uint32_t	 cap;		/* ring size in ids, a power of two */
	uint32_t	 max;		/* most credits a client may hold */
	uint32_t	 outstanding;	/* granted and not yet used */
};

/* A window holding only MessageId 0, as after accepting a connection. */
void	smb2_credits_init(struct smb2_credits *, uint32_t max);
void	smb2_credits_free(struct smb2_credits *);
/*
 * Consume [mid, mid + charge).  Returns 0 when every id was granted and
 * unused, -1 otherwise (the connection is then to be dropped, MS-SMB2
 * 3.3.5.2.3).
 */
int	smb2_credits_consume(struct smb2_credits *, uint64_t mid,
	    uint16_t charge);
/*
 * Grant credits for a response: at most what the client asked for (at
 * least one), never beyond max outstanding, and at least one whenever the
 * client would otherwise hold none.  Returns the number granted.
 */
uint16_t smb2_credits_grant(struct smb2_credits *, uint16_t requested);
/* Serialise into / restore from the state a preauth process hands over. */
struct wbuf;
struct rbuf;
int	smb2_credits_export(const struct smb2_credits *, struct wbuf *);
int	smb2_credits_import(struct smb2_credits *, struct rbuf *, uint32_t max);

#endif /* USMBD_SMB2_CREDITS_H */
