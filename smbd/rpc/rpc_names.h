/*
 * The accounts and domains that lsarpc and samr both name (rpc_names.c),
 * for rpc_lsa.c and rpc_samr.c only.
 */
#ifndef USMBD_RPC_NAMES_H
#define USMBD_RPC_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "rpc_int.h"

#define ST_OK			0x00000000
#define ST_SOME_NOT_MAPPED	0x00000107
#define ST_INVALID_HANDLE	0xc0000008
#define ST_INVALID_PARAMETER	0xc000000d
#define ST_NONE_MAPPED		0xc0000073
#define ST_NO_SUCH_DOMAIN	0xc00000df
#define ST_INSUFF_RESOURCES	0xc000009a
#define ST_NO_MORE_ENTRIES	0x8000001a
#define ST_NO_SUCH_USER		0xc0000064
#define ST_INVALID_INFO_CLASS	0xc0000003

/* MS-LSAT 3.1.4.5: at most this many names or SIDs per lookup. */
#define LSA_MAX_LOOKUP		20480
#define SAMR_MAX_LOOKUP		1000
#define MAX_NAME		1024
/*
 * At most this many questions to the name service per call: a client
 * that sends thousands of SIDs gets the rest unmapped rather than holding
 * the worker (and the master) in lookups.
 */
#define LSA_MAX_ASK		1024
/* The well-known accounts every session can name (rpc_names.c). */
#define LSA_NWELLKNOWN		12

/*
 * A handle the pipe never gave out is refused by the RPC runtime itself
 * with a fault (MS-RPCE 3.1.1.5.3.2.1); one of the wrong kind by the
 * service with STATUS_INVALID_HANDLE.
 */
static inline int
lsa_is_fault(uint32_t st)
{
	return st == RPC_X_BAD_STUB_DATA || st == RPC_NCA_CONTEXT_MISMATCH;
}

enum {
	D_WORLD, D_CREATOR, D_NT, D_BUILTIN, D_ACCOUNT, D_UNIX_USER,
	D_UNIX_GROUP, D_COUNT
};

struct lsa_dom {
	const char	*name;
	struct rpc_sid	 sid;
};

struct lsa_acct {
	const char	*name;
	int		 dom;
	uint32_t	 rid;
	uint16_t	 use;
};

/* The domains and accounts this session can name. */
struct lsa_names {
	struct lsa_dom	 dom[D_COUNT];
	struct lsa_acct	 acct[LSA_NWELLKNOWN + 2];
	size_t		 nacct;
};

/* A resolved name or SID: *dom is -1 when unmapped. */
struct lsa_res {
	int		 dom;
	uint16_t	 use;
	const char	*name;
	struct rpc_sid	 sid;
	char		 sidstr[192];	/* names an unmapped SID */
};

/*
 * The referenced domain list of a lookup: each domain a result names,
 * once, in order of first use; map[] turns our domain numbers into
 * indexes of that list.
 */
struct lsa_refs {
	int	 map[D_COUNT];
	int	 order[D_COUNT];
	int	 n;
};

void	lsa_names_init(const struct rpc_ctx *ctx, struct lsa_names *n);
void	lsa_by_sid(const struct lsa_names *n, const struct rpc_sid *sid,
	    struct lsa_res *res);
void	lsa_by_name(const struct lsa_names *n, const char *full,
	    struct lsa_res *res);
void	lsa_resolve_sids(const struct rpc_ctx *ctx, const struct lsa_names *n,
	    struct lsa_res *res, size_t count);
void	lsa_resolve_names(const struct rpc_ctx *ctx, const struct lsa_names *n,
	    char **in, struct lsa_res *res, size_t count);
void	lsa_refs_init(struct lsa_refs *rf);
int32_t	lsa_refs_add(struct lsa_refs *rf, int dom);
void	lsa_put_refs(struct ndr_out *o, const struct lsa_names *n,
	    const struct lsa_refs *rf);
uint32_t	lsa_status(size_t mapped, size_t count);
int	lsa_get_empty_list(struct ndr_in *r);
uint32_t	rpc_handle_check(struct rpc_pipe *p, const uint8_t h[20],
	    enum rpc_htype type, int *extra);
uint32_t	lsa_check_policy(struct rpc_pipe *p, struct ndr_in *r);
uint32_t	lsa_close(struct rpc_pipe *p, struct ndr_in *r,
	    struct ndr_out *o);
uint32_t	lsa_open_common(struct rpc_pipe *p, struct ndr_in *r,
	    struct ndr_out *o);
int	lsa_get_wchar_ptr(struct ndr_in *r);
int	lsa_get_ustr_array(struct ndr_in *r, uint32_t count, char **names);
void	lsa_free_names(char **names, size_t n);

#endif /* USMBD_RPC_NAMES_H */
