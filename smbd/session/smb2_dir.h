/*
 * QUERY_DIRECTORY.
 */
#ifndef USMBD_SMB2_DIR_H
#define USMBD_SMB2_DIR_H

#include <stdint.h>

#include "wildcard.h"

struct smb2_conn;
struct smb2_req;

uint32_t	smb2_cmd_query_directory(struct smb2_conn *, struct smb2_req *);
/* DOS wildcard match (MS-FSA 2.1.4.4), case-insensitive. */

#endif /* USMBD_SMB2_DIR_H */
