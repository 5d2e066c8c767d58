/*
 * READ, WRITE, FLUSH, and the named-pipe side of READ and WRITE.
 */
#ifndef USMBD_SMB2_RW_H
#define USMBD_SMB2_RW_H

#include <stdint.h>

struct rbuf;
struct wbuf;
struct smb2_conn;
struct smb2_open;
struct smb2_req;

uint32_t	smb2_cmd_read(struct smb2_conn *, struct smb2_req *);
uint32_t	smb2_cmd_write(struct smb2_conn *, struct smb2_req *);
uint32_t	smb2_cmd_flush(struct smb2_conn *, struct smb2_req *);

/*
 * smb2_rw_aio.c: the same, with the disk IO in the thread pool.  The
 * functions that start IO return -1 only when the open's descriptor
 * cannot be duplicated for the job.  A write with append goes to the
 * end of the file (or stream), wherever that is when it runs.
 */
int		smb2_rw_async_ok(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *);
int		smb2_read_async(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *, uint64_t, uint32_t, uint32_t);
int		smb2_write_async(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *, uint64_t, const struct rbuf *,
		    int datasync, int append);
int		smb2_flush_async(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *);
/*
 * In a compound chain or after a lock check: the frame is parked while
 * the IO runs (smb2_conn_park()); the handler returns SMB2_DEFER.
 */
int		smb2_rw_park_ok(struct smb2_conn *, struct smb2_open *);
int		smb2_read_park(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *, uint64_t, uint32_t, uint32_t);
int		smb2_write_park(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *, uint64_t, const struct rbuf *,
		    int datasync, int append);
int		smb2_flush_park(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *);

/* smb2_pipe.c */
uint32_t	smb2_pipe_read(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *, uint32_t);
uint32_t	smb2_pipe_write(struct smb2_conn *, struct smb2_req *,
		    struct smb2_open *, struct rbuf *);

#endif /* USMBD_SMB2_RW_H */
