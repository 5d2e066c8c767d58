/*
 * QUERY_INFO and SET_INFO.
 */
#ifndef USMBD_SMB2_INFO_H
#define USMBD_SMB2_INFO_H

#include <stdint.h>

struct smb2_conn;
struct smb2_open;
struct smb2_req;
struct wbuf;

uint32_t	smb2_cmd_query_info(struct smb2_conn *, struct smb2_req *);
uint32_t	smb2_cmd_set_info(struct smb2_conn *, struct smb2_req *);
/* Put the QUERY_INFO response body around w's data; frees w. */
void		smb2_query_info_reply(struct smb2_req *, struct wbuf *);
/* smb2_secdesc.c: the descriptor synthesized from owner, group, mode. */
uint32_t	smb2_security_descriptor(struct smb2_open *, uint32_t,
		    struct wbuf *);

#endif /* USMBD_SMB2_INFO_H */
