/*
 * Inside the DCE/RPC code: the NDR marshalling layer, policy handles and
 * the table of interfaces.
 */
#ifndef USMBD_RPC_INT_H
#define USMBD_RPC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "rpc.h"

struct rpc_pipe;

/* Faults raised by the runtime (C706 appendix E, MS-RPCE 2.2.2.11). */
#define RPC_NCA_OP_RNG_ERROR		0x1c010002
#define RPC_NCA_UNK_IF			0x1c010003
#define RPC_NCA_PROTO_ERROR		0x1c01000b
#define RPC_NCA_CONTEXT_MISMATCH	0x1c00001a
#define RPC_NCA_REMOTE_NO_MEMORY	0x1c00001b
#define RPC_X_BAD_STUB_DATA		0x000006f7

/* Win32 errors the services return (MS-ERREF 2.2). */
#define RPC_WERR_OK			0
#define RPC_WERR_ACCESS_DENIED		5
#define RPC_WERR_INVALID_PARAMETER	87
#define RPC_WERR_INVALID_LEVEL		124
#define RPC_WERR_NET_NAME_NOT_FOUND	2310
#define RPC_WERR_DEVICE_NOT_SHARED	2311

/* SID_NAME_USE (MS-LSAT 2.2.13, MS-SAMR 2.2.2.3). */
#define RPC_SID_USER		1
#define RPC_SID_DOM_GRP		2
#define RPC_SID_DOMAIN		3
#define RPC_SID_ALIAS		4
#define RPC_SID_WKN_GRP		5
#define RPC_SID_UNKNOWN		8

/* A SID in host form. */
#define RPC_SID_MAX_SUB		15
struct rpc_sid {
	uint8_t		 auth;		/* identifier authority */
	uint8_t		 nsub;
	uint32_t	 sub[RPC_SID_MAX_SUB];
};

/*
 * NDR readers and writers for both transfer syntaxes a presentation
 * context may negotiate: NDR32 (C706 chapter 14) and NDR64 (MS-RPCE
 * 2.2.5).  Each interface is written once; the ndr64 flag of the stream
 * switches what differs: pointers (referent ids) and array counts are 8
 * bytes aligned to 8 instead of 4, enums 4 bytes instead of 2, a structure
 * or union arm holding a pointer is aligned to 8, and a structure ends with
 * a trailing gap up to its alignment (MS-RPCE 2.2.5.3.4.1).  Alignment is
 * relative to the start of the stub data, the start of the buffer.
 * Referent ids of unique pointers the server writes come from a counter.
 */
struct ndr_in {
	struct rbuf	 r;
	int		 ndr64;
};

struct ndr_out {
	struct wbuf	*w;
	uint32_t	 ref;
	int		 ndr64;
};

void	ndr_in_init(struct ndr_in *, const uint8_t *, size_t, int);
int	ndr_get_u8(struct ndr_in *, uint8_t *);
int	ndr_get_u16(struct ndr_in *, uint16_t *);
int	ndr_get_u32(struct ndr_in *, uint32_t *);
/* An enum: 2 bytes in NDR32, 4 in NDR64 (values above 0xffff refused). */
int	ndr_get_enum(struct ndr_in *, uint16_t *);
/* A conformance, offset or count: 4 or 8 bytes (at most UINT32_MAX). */
int	ndr_get_count(struct ndr_in *, uint32_t *);
/* A unique or full pointer: nonzero when present, 0 for NULL. */
int	ndr_get_ptr(struct ndr_in *, uint32_t *);
/* The start of a structure or union arm that holds a pointer. */
int	ndr_get_struct(struct ndr_in *);
/* The end of such a structure: NDR64's trailing gap. */
int	ndr_get_trail(struct ndr_in *);
/*
 * Before the discriminant and before the arm of a union whose arms hold
 * pointers: NDR64 aligns both to the union's alignment, 8; NDR32 aligns
 * each to its own (MS-RPCE 2.2.5.3.4.3).
 */
int	ndr_get_union(struct ndr_in *);
/*
 * A conformant varying string of UTF-16 (offset 0, terminated or not) as
 * UTF-8, at most max characters.
 */
int	ndr_get_wstr(struct ndr_in *, size_t, char **);
/* A unique [string] wchar_t * (a NULL pointer gives NULL). */
int	ndr_get_wstr_ptr(struct ndr_in *, size_t, char **);
/* The header of RPC_UNICODE_STRING: lengths and the buffer's referent. */
int	ndr_get_ustr_hdr(struct ndr_in *, uint16_t *, uint16_t *, uint32_t *);
/* The deferred buffer of an RPC_UNICODE_STRING of len bytes. */
int	ndr_get_ustr_body(struct ndr_in *, uint16_t, uint16_t, char **);
int	ndr_get_sid(struct ndr_in *, struct rpc_sid *);
int	ndr_get_handle(struct ndr_in *, uint8_t [20]);

void	ndr_out_init(struct ndr_out *, struct wbuf *, int);
int	ndr_put_u8(struct ndr_out *, uint8_t);
int	ndr_put_u16(struct ndr_out *, uint16_t);
int	ndr_put_u32(struct ndr_out *, uint32_t);
int	ndr_put_enum(struct ndr_out *, uint16_t);
int	ndr_put_count(struct ndr_out *, uint32_t);
int	ndr_put_zero(struct ndr_out *, size_t);
/* A unique pointer: a fresh referent id when present, else 0. */
int	ndr_put_ptr(struct ndr_out *, int);
int	ndr_put_struct(struct ndr_out *);
int	ndr_put_trail(struct ndr_out *);
int	ndr_put_union(struct ndr_out *);
/* The deferred part of a [string] wchar_t *: NUL-terminated UTF-16. */
int	ndr_put_wstr(struct ndr_out *, const char *);
/* The inline part of RPC_UNICODE_STRING (without a terminating NUL). */
int	ndr_put_ustr_hdr(struct ndr_out *, const char *);
/* Its deferred buffer (nothing for a NULL string). */
int	ndr_put_ustr_body(struct ndr_out *, const char *);
/* An RPC_SID (conformant: the count comes first). */
int	ndr_put_sid(struct ndr_out *, const struct rpc_sid *);
int	ndr_put_handle(struct ndr_out *, const uint8_t [20]);

/* SIDs. */
int	rpc_sid_eq(const struct rpc_sid *, const struct rpc_sid *);
/* Is sid the domain dom followed by exactly one RID, and which. */
int	rpc_sid_in(const struct rpc_sid *, const struct rpc_sid *,
	    uint32_t *);
void	rpc_sid_make(struct rpc_sid *, uint8_t, int, ...);
void	rpc_sid_domain(const struct rpc_ctx *, struct rpc_sid *);
void	rpc_sid_str(const struct rpc_sid *, char *, size_t);

/* Policy handles, tracked per pipe. */
enum rpc_htype {
	RPC_H_FREE = 0,
	RPC_H_LSA_POLICY,
	RPC_H_SAMR_SERVER,
	RPC_H_SAMR_DOMAIN,
	RPC_H_SAMR_USER,
};
#define RPC_MAX_HANDLES	64

/* NULL when the table is full. */
uint8_t	*rpc_handle_new(struct rpc_pipe *, enum rpc_htype, int);
/*
 * 0 and the handle's extra value when h is a live handle of that type,
 * -2 when it is of another type, -1 when there is no such handle.
 */
int	 rpc_handle_get(struct rpc_pipe *, const uint8_t [20],
	    enum rpc_htype, int *);
int	 rpc_handle_close(struct rpc_pipe *, const uint8_t [20]);

const struct rpc_ctx *rpc_pipe_ctx(const struct rpc_pipe *);

/*
 * An operation: decode the request stub from in, encode the response stub
 * into out.  Returns 0, or a fault status that the runtime sends instead
 * (RPC_NCA_* or RPC_X_BAD_STUB_DATA).
 */
typedef uint32_t (*rpc_op_fn)(struct rpc_pipe *, struct ndr_in *,
    struct ndr_out *);

struct rpc_iface {
	const char	*name;
	uint8_t		 uuid[16];	/* wire order */
	uint16_t	 vers_major;
	uint16_t	 vers_minor;
	const rpc_op_fn	*ops;
	size_t		 nops;
};

extern const struct rpc_iface rpc_srvsvc, rpc_wkssvc, rpc_lsarpc, rpc_samr,
    rpc_dssetup;

#endif /* USMBD_RPC_INT_H */
