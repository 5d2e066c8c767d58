/*
 * Share modes and delete-pending in usmbd-lockd.  Pure state, no IPC, so
 * that it can be tested on its own.  Every function returns an NTSTATUS.
 */
#ifndef USMBD_LOCKD_SHARE_H
#define USMBD_LOCKD_SHARE_H

#include <stddef.h>
#include <stdint.h>

void	 lockd_share_set_limit(size_t);
/* Opens one worker may have. */
void	 lockd_share_set_peer_limit(size_t);
/*
 * peer, the uid its worker runs as, dev, ino, stream, access, share,
 * flags.  The uid decides who carries out a delete-on-close: only a
 * worker of the user who set it (lockd_share.c).
 */
uint32_t lockd_share_open(uint32_t, uint32_t, uint64_t, uint64_t,
	    const char *, uint32_t, uint32_t, uint32_t, uint64_t *);
uint32_t lockd_share_close(uint32_t, uint64_t, uint32_t *);
uint32_t lockd_share_set_delete(uint32_t, uint64_t, int);
uint32_t lockd_share_rename_check(uint32_t, uint64_t);
uint32_t lockd_share_query(uint32_t, uint64_t, uint32_t *, uint32_t *);
size_t	 lockd_share_release_peer(uint32_t);
size_t	 lockd_share_count(void);
/* For usmbd-ctl status: files with opens, and one worker's opens. */
size_t	 lockd_share_nfiles(void);
size_t	 lockd_share_peer_opens(uint32_t);
/* For lockd_brl.c. */
struct lockd_brl_file;
struct lockd_brl_file **lockd_share_brl_slot(uint32_t, uint64_t, int *);
size_t	 lockd_share_file_opens(uint32_t, uint64_t, uint32_t *, uint64_t *,
	    size_t);

#endif /* USMBD_LOCKD_SHARE_H */
