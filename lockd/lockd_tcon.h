/*
 * Tree connects counted for "max connections" in usmbd-lockd.  Pure
 * state, no IPC, so that it can be tested on its own.  Every function
 * that answers a request returns an NTSTATUS.
 */
#ifndef USMBD_LOCKD_TCON_H
#define USMBD_LOCKD_TCON_H

#include <stddef.h>
#include <stdint.h>

/*
 * peer, share name, the share's limit as the peer's configuration has
 * it: one more slot of the share for peer, or INSUFFICIENT_RESOURCES
 * when the share's slots, counted over every peer, reach the limit.
 */
uint32_t lockd_tcon_claim(uint32_t, const char *, uint32_t);
/* peer, share name: INVALID_PARAMETER unless peer holds a slot of it. */
uint32_t lockd_tcon_release(uint32_t, const char *);
/* Every slot of a peer that is gone; how many it held. */
size_t	 lockd_tcon_release_peer(uint32_t);
/* Slots of a share held by all peers together. */
size_t	 lockd_tcon_count(const char *);

#endif /* USMBD_LOCKD_TCON_H */
