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
struct wbuf;

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

/* lockd says whether directory leases exist (LOCKD_OPENED_DIRLEASES). */
void		 smb2_oplock_dirleases(int);
/*
 * A child (path, below the share root rootfd) was created, renamed,
 * deleted or changed: break its directory's leases, but the one named
 * by parent_key (NULL: none).  Nothing is sent while no directory lease
 * exists.
 */
void		 smb2_oplock_dir_changed(int, const char *, const uint8_t *);
const uint8_t	*smb2_oplock_parent_key(const struct smb2_open *);

/*
 * lockd's final answer to a request that may have waited for other
 * clients to give up caching: out is where the response body goes, or
 * NULL when the client no longer waits (the callback then only cleans
 * up).  Returns the status of the response; SMB2_DEFER when it sent the
 * current request on to wait for something else (only with the request
 * still current, never after it went async).
 */
typedef uint32_t (*smb2_oplock_done)(uint32_t, void *, struct wbuf *);
/*
 * Send op (LOCKD_OP_RENAME_CHECK, LOCKD_OP_SET_DELETE) for the current
 * request of c, which waits for it (c->waiting).  Should lockd answer
 * that it waits for breaks, the request goes async with an interim
 * STATUS_PENDING, as a CREATE does, and a CANCEL reaches lockd.  -1:
 * nothing was sent, and done will not be called.
 */
int		 smb2_oplock_request(struct smb2_conn *, uint32_t,
		    const void *, size_t, smb2_oplock_done, void *);

#endif /* USMBD_SMB2_OPLOCK_H */
