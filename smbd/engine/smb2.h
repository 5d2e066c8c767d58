/*
 * SMB2/3 protocol constants (MS-SMB2 2.2): commands, header flags,
 * NEGOTIATE security modes and capabilities, negotiate contexts.
 *
 * The dialect revisions (SMB2_DIALECT_202 ... SMB2_DIALECT_311 and
 * SMB2_DIALECT_WILDCARD) and the cipher and signing algorithm ids come from
 * smb2_crypto.h, included here so that one header gives all of them.
 *
 * Constants that only one command's code needs (share flags, session
 * flags, create options, ...) live beside that code.
 */
#ifndef USMBD_SMB2_H
#define USMBD_SMB2_H

#include "smb2_crypto.h"

/* ProtocolId of the SMB2 header, the TRANSFORM and the SMB1 header. */
#define SMB2_PROTOCOL_ID		0xfe534d42U	/* big-endian bytes */
#define SMB2_TRANSFORM_PROTOCOL_ID	0xfd534d42U
#define SMB2_COMPRESSION_PROTOCOL_ID	0xfc534d42U
#define SMB1_PROTOCOL_ID		0xff534d42U

/* Commands (MS-SMB2 2.2.1). */
#define SMB2_NEGOTIATE		0x0000
#define SMB2_SESSION_SETUP	0x0001
#define SMB2_LOGOFF		0x0002
#define SMB2_TREE_CONNECT	0x0003
#define SMB2_TREE_DISCONNECT	0x0004
#define SMB2_CREATE		0x0005
#define SMB2_CLOSE		0x0006
#define SMB2_FLUSH		0x0007
#define SMB2_READ		0x0008
#define SMB2_WRITE		0x0009
#define SMB2_LOCK		0x000a
#define SMB2_IOCTL		0x000b
#define SMB2_CANCEL		0x000c
#define SMB2_ECHO		0x000d
#define SMB2_QUERY_DIRECTORY	0x000e
#define SMB2_CHANGE_NOTIFY	0x000f
#define SMB2_QUERY_INFO		0x0010
#define SMB2_SET_INFO		0x0011
#define SMB2_OPLOCK_BREAK	0x0012
/* StructureSize of a Lease Break Acknowledgment (MS-SMB2 2.2.24.2). */
#define SMB2_LEASE_BREAK_ACK_SIZE	36

/* The SMB1 command a multi-protocol negotiate uses (MS-CIFS 2.2.4.52). */
#define SMB1_COM_NEGOTIATE	0x72

/* Header Flags (MS-SMB2 2.2.1.2). */
#define SMB2_FLAGS_SERVER_TO_REDIR	0x00000001
#define SMB2_FLAGS_ASYNC_COMMAND	0x00000002
#define SMB2_FLAGS_RELATED_OPERATIONS	0x00000004
#define SMB2_FLAGS_SIGNED		0x00000008
#define SMB2_FLAGS_PRIORITY_MASK	0x00000070
#define SMB2_FLAGS_DFS_OPERATIONS	0x10000000
#define SMB2_FLAGS_REPLAY_OPERATION	0x20000000

/* NEGOTIATE SecurityMode (MS-SMB2 2.2.3, 2.2.4). */
#define SMB2_NEGOTIATE_SIGNING_ENABLED	0x0001
#define SMB2_NEGOTIATE_SIGNING_REQUIRED	0x0002

/* Global capabilities (MS-SMB2 2.2.3, 2.2.4). */
#define SMB2_GLOBAL_CAP_DFS			0x00000001
#define SMB2_GLOBAL_CAP_LEASING			0x00000002
#define SMB2_GLOBAL_CAP_LARGE_MTU		0x00000004
#define SMB2_GLOBAL_CAP_MULTI_CHANNEL		0x00000008
#define SMB2_GLOBAL_CAP_PERSISTENT_HANDLES	0x00000010
#define SMB2_GLOBAL_CAP_DIRECTORY_LEASING	0x00000020
#define SMB2_GLOBAL_CAP_ENCRYPTION		0x00000040
#define SMB2_GLOBAL_CAP_NOTIFICATIONS		0x00000080

/* Negotiate context types (MS-SMB2 2.2.3.1). */
#define SMB2_PREAUTH_INTEGRITY_CAPABILITIES	0x0001
#define SMB2_ENCRYPTION_CAPABILITIES		0x0002
#define SMB2_COMPRESSION_CAPABILITIES		0x0003
#define SMB2_NETNAME_NEGOTIATE_CONTEXT_ID	0x0005
#define SMB2_TRANSPORT_CAPABILITIES		0x0006
#define SMB2_RDMA_TRANSFORM_CAPABILITIES	0x0007
#define SMB2_SIGNING_CAPABILITIES		0x0008
#define SMB2_CONTEXTTYPE_RESERVED		0x0100

/* Preauthentication integrity hash ids (MS-SMB2 2.2.3.1.1). */
#define SMB2_PREAUTH_INTEGRITY_SHA512		0x0001
/* Length of the salt the server sends in its preauth context. */
#define SMB2_PREAUTH_SALT_LEN			32

/* StructureSize of the fixed parts. */
#define SMB2_NEGOTIATE_REQ_SIZE		36
#define SMB2_NEGOTIATE_RESP_SIZE	65
#define SMB2_ERROR_RESP_SIZE		9

/* FSCTL that re-checks the NEGOTIATE of 3.0 and 3.0.2 (2.2.31.4). */
#define SMB2_FSCTL_VALIDATE_NEGOTIATE_INFO	0x00140204
#define SMB2_VALIDATE_NEGOTIATE_RESP_LEN	24

#endif /* USMBD_SMB2_H */
