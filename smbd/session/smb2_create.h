/*
 * CREATE (smb2_create.c).
 */
#ifndef USMBD_SMB2_CREATE_H
#define USMBD_SMB2_CREATE_H

#include <stdint.h>

struct smb2_conn;
struct smb2_open;
struct smb2_req;

uint32_t	 smb2_cmd_create(struct smb2_conn *, struct smb2_req *);
/* The open goes away while its CREATE waits for oplock breaks. */
void		 smb2_create_abandon(struct smb2_open *);
struct wbuf;
struct smb2_cctx;
struct smb2_lease_req;
/* The CREATE response body of an open (cctx: SMB2_CCTX_* to answer). */
void		 smb2_create_response(struct wbuf *, struct smb2_open *,
		    uint32_t, uint32_t, uint32_t);
/* smb2_durable.c: a CREATE with DHnC or DH2C (doc/durable.md). */
uint32_t	 smb2_durable_reconnect(struct smb2_conn *, struct smb2_req *,
		    const struct smb2_cctx *, const struct smb2_lease_req *,
		    const char *);
/* Its session logged off: lockd keeps it, and the open here goes. */
int		 smb2_durable_detach(struct smb2_open *);
/*
 * lockd's LOCKD_BREAK_CLOSE: an open of another client with the same
 * AppInstanceId replaces the open of this lockd handle.
 */
void		 smb2_durable_app_close(uint64_t);
/* A v2 durable open was granted: what a replay of its CREATE answers. */
void		 smb2_durable_granted(struct smb2_open *, const uint8_t *,
		    uint32_t, uint32_t, uint32_t);
/*
 * A CREATE with SMB2_FLAGS_REPLAY_OPERATION and DH2Q naming the
 * CreateGuid of an open of its session: answered again (1), or 0.
 */
int		 smb2_durable_replay(struct smb2_conn *, struct smb2_req *,
		    const struct smb2_cctx *);
/*
 * The client set the position of a durable open: lockd keeps it for a
 * reconnect, and the SET_INFO is answered once it has.
 */
uint32_t	 smb2_durable_position(struct smb2_conn *, struct smb2_open *);

#endif /* USMBD_SMB2_CREATE_H */
