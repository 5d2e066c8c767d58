/*
 * Create contexts of CREATE requests and responses (MS-SMB2 2.2.13.2,
 * 2.2.14.2).
 */
#ifndef USMBD_SMB2_CCTX_H
#define USMBD_SMB2_CCTX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SMB2_CCTX_MXAC		0x0001	/* query maximal access */
#define SMB2_CCTX_QFID		0x0002	/* query on-disk id */
#define SMB2_CCTX_ALSI		0x0004	/* allocation size */
#define SMB2_CCTX_TWRP		0x0008	/* timewarp: a previous version */
#define SMB2_CCTX_SECD		0x0010	/* security descriptor */
#define SMB2_CCTX_EXTA		0x0020	/* extended attributes */
#define SMB2_CCTX_DHNQ		0x0040	/* durable handle request */
#define SMB2_CCTX_DHNC		0x0080	/* durable handle reconnect */
#define SMB2_CCTX_DH2Q		0x0100	/* durable handle request v2 */
#define SMB2_CCTX_DH2C		0x0200	/* durable handle reconnect v2 */
#define SMB2_CCTX_RQLS		0x0400	/* lease request */
#define SMB2_CCTX_APPID		0x0800	/* AppInstanceId (2.2.13.2.13) */
#define SMB2_CCTX_APPVER	0x1000	/* AppInstanceVersion (.15) */

/* What a CREATE request's contexts ask for. */
struct smb2_cctx {
	uint32_t	 seen;		/* SMB2_CCTX_* */
	uint64_t	 mxac_time;	/* MxAc Timestamp; 0 when absent */
	uint64_t	 alloc_size;	/* AlSi */
	uint64_t	 twrp_time;	/* TWrp */
	struct rbuf	 secd;		/* SecD: the descriptor's bytes */
	struct rbuf	 exta;		/* ExtA: FILE_FULL_EA_INFORMATION list */
	struct rbuf	 rqls;		/* RqLs: the lease request */
	/* DH2Q: Timeout (ms, 0: the server's), Flags, CreateGuid. */
	uint32_t	 dh2q_timeout;
	uint32_t	 dh2q_flags;
	uint8_t		 dh2q_guid[16];
	/* DHnC or DH2C: the FileId to reconnect; DH2C's CreateGuid, Flags. */
	uint64_t	 dhc_persistent;
	uint64_t	 dhc_volatile;
	uint8_t		 dh2c_guid[16];
	uint32_t	 dh2c_flags;
	/* AppInstanceId; AppInstanceVersionHigh and Low. */
	uint8_t		 app_id[16];
	uint64_t	 app_ver_high;
	uint64_t	 app_ver_low;
};

/* SMB2_DHANDLE_FLAG_PERSISTENT (MS-SMB2 2.2.13.2.11). */
#define SMB2_DHANDLE_FLAG_PERSISTENT	0x00000002

/*
 * Parse the CreateContexts of a CREATE request: off and len as the
 * request gives them, relative to msg (the message from its SMB2
 * header).  Unknown contexts are skipped as Windows does; a context that
 * does not lie within the area, a name shorter than four bytes, or a
 * known context of the wrong size is INVALID_PARAMETER.  Returns an
 * NTSTATUS.
 */
uint32_t	smb2_cctx_parse(const struct rbuf *, uint32_t, uint32_t,
		    struct smb2_cctx *);

/*
 * Append one response context to w, which starts at an 8-byte aligned
 * offset of the message: 8-byte aligned, linked from the previous one
 * (*prev, (size_t)-1 for none).  Returns -1 when it does not fit.
 */
int		smb2_cctx_put(struct wbuf *, size_t *, const char *,
		    const void *, size_t);

#endif /* USMBD_SMB2_CCTX_H */
