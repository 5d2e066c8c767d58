/*
 * Inside the DCE/RPC code: the NDR32 marshalling layer, policy handles and
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
 * NDR32 readers and writers.  Alignment is relative to the start of the
 * stub data, which is the start of the buffer.  Referent ids of unique
 * pointers the server writes come from a counter in the writer context.
 */
struct ndr_out {
	struct wbuf	*w;
	uint32_t	 ref;
};

int	ndr_get_u16(struct rbuf *, uint16_t *);
int	ndr_get_u32(struct rbuf *, uint32_t *);
/* A unique or full pointer: its referent id (0 for NULL). */
int	ndr_get_ptr(struct rbuf *, uint32_t *);
/*
 * A conformant varying string of UTF-16 (offset 0, terminated or not) as
 * UTF-8, at most max characters.
 */
int	ndr_get_wstr(struct rbuf *, size_t, char **);
/* A unique [string] wchar_t * (a NULL pointer gives NULL). */
int	ndr_get_wstr_ptr(struct rbuf *, size_t, char **);
/* The header of RPC_UNICODE_STRING: lengths and the buffer's referent. */
int	ndr_get_ustr_hdr(struct rbuf *, uint16_t *, uint16_t *, uint32_t *);
/* The deferred buffer of an RPC_UNICODE_STRING of len bytes. */
int	ndr_get_ustr_body(struct rbuf *, uint16_t, uint16_t, char **);
int	ndr_get_sid(struct rbuf *, struct rpc_sid *);
int	ndr_get_handle(struct rbuf *, uint8_t [20]);

void	ndr_out_init(struct ndr_out *, struct wbuf *);
int	ndr_put_u8(struct ndr_out *, uint8_t);
int	ndr_put_u16(struct ndr_out *, uint16_t);
int	ndr_put_u32(struct ndr_out *, uint32_t);
/* A unique pointer: a fresh referent id when present, else 0. */
int	ndr_put_ptr(struct ndr_out *, int);
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
typedef uint32_t (*rpc_op_fn)(struct rpc_pipe *, struct rbuf *,
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
