/* Temporary API header (the DCE/RPC helper provides the real one). */
#ifndef USMBD_RPC_H
#define USMBD_RPC_H
#include <stddef.h>
#include <stdint.h>
struct rpc_share_info { const char *name; uint32_t type; const char *comment; const char *path; };
struct rpc_ctx { const char *server_name; const char *domain; const char *server_string; const struct rpc_share_info *shares; size_t nshares; const char *user; uint32_t uid; uint32_t gid; const uint8_t *domain_sid; };
struct rpc_pipe;
struct rpc_pipe *rpc_pipe_open(const char *, const struct rpc_ctx *);
int rpc_pipe_write(struct rpc_pipe *, const uint8_t *, size_t);
size_t rpc_pipe_pending(const struct rpc_pipe *);
size_t rpc_pipe_read(struct rpc_pipe *, uint8_t *, size_t, int *);
void rpc_pipe_close(struct rpc_pipe *);
#endif
