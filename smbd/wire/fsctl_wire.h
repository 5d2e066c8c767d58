/*
 * File-system controls of SMB2 IOCTL (MS-SMB2 3.3.5.15, MS-FSCC 2.3,
 * MS-FSA 2.1.5.9): server-side copy, sparse files, allocated ranges,
 * zeroing, compression and reparse points.
 *
 * fsctl_wire.c holds the parsers and encoders of the wire structures
 * (pure functions, unit-tested and fuzzed); smb2_fsctl.c holds the
 * handlers of the session worker.
 */
#ifndef USMBD_FSCTL_WIRE_H
#define USMBD_FSCTL_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Control codes (MS-FSCC 2.3, MS-SMB2 2.2.31). */
#define FSCTL_SRV_ENUMERATE_SNAPSHOTS	0x00144064
#define FSCTL_SRV_REQUEST_RESUME_KEY	0x00140078
#define FSCTL_SRV_COPYCHUNK		0x001440f2
#define FSCTL_SRV_COPYCHUNK_WRITE	0x001480f2
#define FSCTL_SET_SPARSE		0x000900c4
#define FSCTL_QUERY_ALLOCATED_RANGES	0x000940cf
#define FSCTL_SET_ZERO_DATA		0x000980c8
#define FSCTL_FILE_LEVEL_TRIM		0x00098208
#define FSCTL_GET_COMPRESSION		0x0009003c
#define FSCTL_SET_COMPRESSION		0x0009c040
#define FSCTL_GET_REPARSE_POINT		0x000900a8
#define FSCTL_GET_OBJECT_ID		0x0009009c
#define FSCTL_CREATE_OR_GET_OBJECT_ID	0x000900c0
#define FSCTL_QUERY_NETWORK_INTERFACE_INFO 0x001401fc
#define FSCTL_LMR_REQUEST_RESILIENCY	0x001401d4

/* The server's copy limits (MS-SMB2 3.3.3). */
#define FSCTL_COPYCHUNK_MAX_CHUNKS	256
#define FSCTL_COPYCHUNK_MAX_CHUNK_SIZE	(1024 * 1024)
#define FSCTL_COPYCHUNK_MAX_DATA_SIZE	(16 * 1024 * 1024)

#define FSCTL_RESUME_KEY_LEN		24
/* SRV_REQUEST_RESUME_KEY response: key, ContextLength, 4 reserved. */
#define FSCTL_RESUME_KEY_RESP_LEN	32
#define FSCTL_COPYCHUNK_RESP_LEN	12
#define FSCTL_COPYCHUNK_HDR_LEN		32
#define FSCTL_COPYCHUNK_CHUNK_LEN	24
#define FSCTL_OBJECTID_LEN		64
/* FILE_ALLOCATED_RANGE_BUFFER and FILE_ZERO_DATA_INFORMATION. */
#define FSCTL_RANGE_LEN			16

/* COMPRESSION_FORMAT_* (MS-FSCC 2.3.67). */
#define COMPRESSION_FORMAT_NONE		0
#define COMPRESSION_FORMAT_DEFAULT	1
#define COMPRESSION_FORMAT_LZNT1	2

#define IO_REPARSE_TAG_SYMLINK		0xa000000cU
#define SYMLINK_FLAG_RELATIVE		0x00000001

/* SRV_COPYCHUNK_COPY (MS-SMB2 2.2.31.1); chunks stay in the input. */
struct fsctl_copychunk {
	uint8_t		 key[FSCTL_RESUME_KEY_LEN];
	uint32_t	 nchunks;
	struct rbuf	 chunks;	/* nchunks * 24 bytes */
};

/* One SRV_COPYCHUNK. */
struct fsctl_chunk {
	uint64_t	 src_off;
	uint64_t	 dst_off;
	uint32_t	 len;
};

/* A range of FILE_ALLOCATED_RANGE_BUFFER or FILE_ZERO_DATA_INFORMATION. */
struct fsctl_range {
	uint64_t	 off;
	uint64_t	 len;		/* zero data: BeyondFinalZero - off */
};

/* FILE_LEVEL_TRIM (MS-FSCC 2.3.73); ranges stay in the input. */
struct fsctl_trim {
	uint32_t	 key;
	uint32_t	 nranges;
	struct rbuf	 ranges;	/* nranges * 16 bytes */
};

/* fsctl_wire.c */
/*
 * Parse a SRV_COPYCHUNK_COPY.  -1 when the input is shorter than its
 * header or than the chunk array its ChunkCount announces.
 */
int		 fsctl_copychunk_parse(const struct rbuf *,
		    struct fsctl_copychunk *);
/* Chunk i (below nchunks) of a parsed request. */
int		 fsctl_copychunk_get(const struct fsctl_copychunk *, uint32_t,
		    struct fsctl_chunk *);
/*
 * Whether a parsed request stays within the limits of MS-SMB2 3.3.3
 * (chunk count, each length nonzero and at most the chunk size, the
 * total at most the data size): 0 if so, -1 if not.
 */
int		 fsctl_copychunk_check(const struct fsctl_copychunk *);
/* SRV_COPYCHUNK_RESPONSE. */
void		 fsctl_copychunk_resp(struct wbuf *, uint32_t, uint32_t,
		    uint32_t);
/* SRV_REQUEST_RESUME_KEY response. */
void		 fsctl_resume_key_resp(struct wbuf *,
		    const uint8_t [FSCTL_RESUME_KEY_LEN]);

/*
 * FILE_ALLOCATED_RANGE_BUFFER of FSCTL_QUERY_ALLOCATED_RANGES: -1 when
 * shorter than 16 bytes or when FileOffset, Length or their sum leave
 * the signed 64-bit range (MS-FSA 2.1.5.9.22).  Longer input is allowed.
 */
int		 fsctl_qar_parse(const struct rbuf *, struct fsctl_range *);
void		 fsctl_range_put(struct wbuf *, uint64_t, uint64_t);

/*
 * FILE_ZERO_DATA_INFORMATION of FSCTL_SET_ZERO_DATA: -1 when shorter
 * than 16 bytes, when an offset is negative or when FileOffset lies
 * beyond BeyondFinalZero (MS-FSA 2.1.5.9.27).
 */
int		 fsctl_zero_data_parse(const struct rbuf *,
		    struct fsctl_range *);

/*
 * FILE_SET_SPARSE_BUFFER: no input means "set" (MS-FSCC 2.3.64); with
 * input its first byte decides.  Returns 1 to set, 0 to clear.
 */
int		 fsctl_set_sparse_parse(const struct rbuf *);

/* FSCTL_SET_COMPRESSION input: -1 when shorter than 2 bytes. */
int		 fsctl_compression_parse(const struct rbuf *, uint16_t *);

/* FILE_LEVEL_TRIM: -1 when short or when the ranges do not fit. */
int		 fsctl_trim_parse(const struct rbuf *, struct fsctl_trim *);
int		 fsctl_trim_get(const struct fsctl_trim *, uint32_t,
		    struct fsctl_range *);

/*
 * REPARSE_DATA_BUFFER for a symbolic link whose target (UTF-8, '/'
 * separated) is given: -1 on invalid UTF-8 or a target too long for
 * the 16-bit lengths.
 */
int		 fsctl_symlink_reparse(struct wbuf *, const char *);

/*
 * FILE_OBJECTID_BUFFER (MS-FSCC 2.1.3.1) of a file that has no stored
 * object id: one derived from its inode and device numbers, stable
 * for the life of the file, with the volume from the device number.
 */
void		 fsctl_objectid_put(struct wbuf *, uint64_t, uint64_t);

#endif /* USMBD_FSCTL_WIRE_H */
