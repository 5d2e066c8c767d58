/*
 * "kernel oplocks" (smb2_klease.c): the worker that holds an oplock or a
 * lease of a file takes a Linux file lease on its descriptor, so that a
 * local process that opens or truncates the file breaks the SMB caching
 * first (doc/oplocks.md §7).  A directory leased to a client is watched
 * with inotify instead, and a change of its entries breaks its leases.
 */
#ifndef USMBD_SMB2_KLEASE_H
#define USMBD_SMB2_KLEASE_H

#include <stdint.h>

struct conf;
struct event_base;
struct smb2_lease_req;
struct smb2_open;
struct smb2_tree;

/*
 * Before the sandbox and before any thread: block the lease signal and
 * make the signalfd that receives it, if a share has kernel oplocks.
 */
void	 klease_init(struct event_base *, const struct conf *);
/* Does this tree's share have "kernel oplocks = yes"? */
int	 klease_share(const struct smb2_tree *);
/*
 * Before lockd's OPEN: take the file lease that the caching asked for
 * needs, and lower what is asked to what the kernel gave; for a
 * directory, watch it, or ask for no lease.
 */
void	 klease_before(struct smb2_open *, uint8_t *oplock,
	    struct smb2_lease_req *);
/*
 * The open's caching changed (granted, broken without an acknowledgment,
 * acknowledged): keep the file lease to match.  Caching that no file
 * lease can protect is broken through lockd.
 */
void	 klease_sync(struct smb2_open *);
/* Seconds the kernel lets a lease holder take (lease-break-time). */
int	 klease_break_time(void);

#endif /* USMBD_SMB2_KLEASE_H */
