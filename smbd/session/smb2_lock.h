/*
 * SMB2 LOCK (MS-SMB2 2.2.26, 2.2.27, 3.3.5.14) and the byte-range lock
 * checks of READ, WRITE and server-side copy.  The locks themselves
 * live in usmbd-lockd (lockd/lockd_brl.c).
 */
#ifndef USMBD_SMB2_LOCK_H
#define USMBD_SMB2_LOCK_H

#include <stddef.h>
#include <stdint.h>

#include "lock_wire.h"

struct smb2_conn;
struct smb2_open;
struct smb2_req;

/* smb2_lock.c */
uint32_t smb2_cmd_lock(struct smb2_conn *, struct smb2_req *);
void	 smb2_lock_init(void);

/* One range an IO reads or writes, on the open with this lockd handle. */
struct smb2_lock_range {
	uint64_t	 handle;
	uint64_t	 off;
	uint64_t	 len;
	int		 write;
};

/*
 * Ask lockd whether these ranges cross another open's lock.  Returns
 * SMB2_DEFER: the request waits, and when lockd has answered, the
 * request's handler runs again with req->brl_checked set; it must then
 * do its IO synchronously, or fail with req->brl_status
 * (FILE_LOCK_CONFLICT) if that is set, req->brl_index naming the first
 * range in conflict.
 */
uint32_t smb2_lock_check(struct smb2_conn *, struct smb2_req *,
	    const struct smb2_lock_range *, size_t);
/* The same for one READ (write 0) or WRITE (write 1) of an open. */
uint32_t smb2_lock_check_io(struct smb2_conn *, struct smb2_req *,
	    struct smb2_open *, uint64_t, uint64_t, int);

#endif /* USMBD_SMB2_LOCK_H */
