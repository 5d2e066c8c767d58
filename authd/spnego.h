/*
 * SPNEGO (RFC 4178, MS-SPNG) tokens around NTLMSSP and Kerberos: parse
 * what a client sends in SESSION_SETUP, build what the server answers.
 *
 * The mechListMIC of RFC 4178 §5 is computed by the mechanism (NTLMSSP
 * signatures over mechlist_der), so this layer only carries its bytes.
 */
#ifndef USMBD_SPNEGO_H
#define USMBD_SPNEGO_H

#include <stddef.h>
#include <stdint.h>

struct wbuf;

enum spnego_mech {
	SPNEGO_MECH_NONE = 0,
	SPNEGO_MECH_NTLMSSP,
	SPNEGO_MECH_KRB5,
	SPNEGO_MECH_MSKRB5,
	SPNEGO_MECH_NEGOEX,
	SPNEGO_MECH_OTHER,
};

/* negState values (RFC 4178 §4.2.2). */
#define SPNEGO_ACCEPT_COMPLETED		0
#define SPNEGO_ACCEPT_INCOMPLETE	1
#define SPNEGO_REJECT			2
#define SPNEGO_REQUEST_MIC		3

enum spnego_kind {
	SPNEGO_INIT,		/* NegTokenInit in a GSS-API token */
	SPNEGO_RESP,		/* NegTokenResp */
	SPNEGO_RAW_NTLMSSP,	/* no SPNEGO at all */
};

#define SPNEGO_MAX_MECHS	8

struct spnego_token {
	enum spnego_kind	 kind;
	enum spnego_mech	 mechs[SPNEGO_MAX_MECHS];
	size_t			 nmechs;
	const uint8_t		*mechlist_der;	/* the whole MechTypeList */
	size_t			 mechlist_len;
	const uint8_t		*mech_token;	/* NULL if absent */
	size_t			 mech_token_len;
	int			 neg_state;	/* -1 if absent */
	enum spnego_mech	 supported_mech;
	const uint8_t		*mic;		/* NULL if absent */
	size_t			 mic_len;
};

/* Pointers in the result borrow from the input.  0, or -1 if malformed. */
int	spnego_parse(const uint8_t *, size_t, struct spnego_token *);
/* The server's NegTokenInit2 for the NEGOTIATE response. */
int	spnego_build_init2(struct wbuf *, const enum spnego_mech *, size_t);
/* A NegTokenResp; neg_state -1 and mech NONE omit those fields. */
int	spnego_build_resp(struct wbuf *, int, enum spnego_mech,
	    const uint8_t *, size_t, const uint8_t *, size_t);


/* Kerberos GSS-API token ids (RFC 4121 §4.1). */
#define KRB5_TOK_AP_REQ		0x0100
#define KRB5_TOK_AP_REP		0x0200
#define KRB5_TOK_ERROR		0x0300

/*
 * The Kerberos message inside a krb5 mechanism token with the given
 * TOK_ID; *mech tells which of the two Kerberos OIDs framed it.  The
 * message borrows from the input.  0, or -1 if malformed.
 */
int	spnego_krb5_unwrap(const uint8_t *, size_t, uint16_t,
	    enum spnego_mech *, const uint8_t **, size_t *);
/* The DER Ticket inside an AP-REQ, borrowed.  0, or -1 if malformed. */
int	spnego_krb5_ap_req_ticket(const uint8_t *, size_t, const uint8_t **,
	    size_t *);
/* A krb5 mechanism token around a Kerberos message. */
int	spnego_krb5_wrap(struct wbuf *, uint16_t, const uint8_t *, size_t);

#endif /* USMBD_SPNEGO_H */
