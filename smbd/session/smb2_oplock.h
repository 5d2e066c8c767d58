/*
 * Oplocks in the session worker (smb2_oplock.c): the OPLOCK_BREAK
 * acknowledgment, lockd's break messages, and the writes reported to
 * lockd so that Level II oplocks break.
 */
#ifndef USMBD_SMB2_OPLOCK_H
#define USMBD_SMB2_OPLOCK_H

#include <stdint.h>

struct smb2_conn;
struct smb2_open;
struct smb2_req;

void		 smb2_oplock_init(void);
uint32_t	 smb2_cmd_oplock_break(struct smb2_conn *, struct smb2_req *);
/*
 * This open is about to write, set the end of file or the allocation:
 * tell lockd when someone may cache the file's reads.  Nothing waits.
 */
void		 smb2_oplock_wrote(struct smb2_open *);
/*
 * The state lockd says a lease of this connection's client now has, or
 * is breaking to, kept on every open of the lease for usmbd-ctl status.
 */
void		 smb2_lease_state_set(const uint8_t [16], uint32_t, int);

#endif /* USMBD_SMB2_OPLOCK_H */
