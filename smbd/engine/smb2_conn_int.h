/*
 * What the parts of the connection engine share among themselves and no
 * one else: smb2_conn.c (the connection and its reading), smb2_outq.c
 * (the write queue), smb2_sessions.c, smb2_work.c (dispatch and answers),
 * smb2_async.c and smb2_regress.c.
 */
#ifndef USMBD_SMB2_CONN_INT_H
#define USMBD_SMB2_CONN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

struct smb2_conn;
struct smb2_out;
struct smb2_session;
struct smb2_work;

/* smb2_conn.c */
void	smb2_conn_finish(struct smb2_conn *, const char *);
void	smb2_conn_read_again(struct smb2_conn *);

/* smb2_outq.c */
int	smb2_conn_queue(struct smb2_conn *, struct smb2_out *);
int	smb2_conn_trywrite(struct smb2_conn *);
void	smb2_conn_writecb(evutil_socket_t, short, void *);

/* smb2_work.c */
int	smb2_status_has_body(uint16_t, uint32_t);
void	smb2_work_run(struct smb2_conn *);
void	smb2_work_drop(struct smb2_conn *, struct smb2_work *);
void	smb2_work_session_ends(struct smb2_conn *, struct smb2_work *,
	    struct smb2_session *);

/* smb2_regress.c: test-only hooks of regress builds. */
void	smb2_regress_hook(struct smb2_conn *, const uint8_t *, size_t);

#endif /* USMBD_SMB2_CONN_INT_H */
