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
/*
 * smb2_secdesc.c: security descriptors mapped onto owner, group, mode
 * and POSIX ACLs.  Query: the parts the SECINFO_* bits ask for.
 */
uint32_t	smb2_security_descriptor(struct smb2_open *, uint32_t,
		    struct wbuf *);
/* SET_INFO of SMB2_0_INFO_SECURITY; checks the open's access. */
struct rbuf;
uint32_t	smb2_secdesc_set(struct smb2_open *, uint32_t, struct rbuf *);
/* Is a SecD create context's descriptor well-formed? */
uint32_t	smb2_secdesc_check(const uint8_t *, size_t);
/* Apply a SecD descriptor to a file just created (fd, path for logs). */
uint32_t	smb2_secdesc_create(int, const char *, const uint8_t *,
		    size_t);

#endif /* USMBD_SMB2_INFO_H */
