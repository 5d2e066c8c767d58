/*
 * Placeholder until the DCE/RPC services land: no named pipe exists, so
 * a CREATE of one on IPC$ answers STATUS_OBJECT_NAME_NOT_FOUND, as a
 * server without those services does.
 */
#include "config.h"

#include <stddef.h>

#include "rpc/rpc.h"

struct rpc_pipe *
rpc_pipe_open(const char *name, const struct rpc_ctx *ctx)
{
	return NULL;
}

int
rpc_pipe_write(struct rpc_pipe *p, const uint8_t *data, size_t len)
{
	return -1;
}

size_t
rpc_pipe_pending(const struct rpc_pipe *p)
{
	return 0;
}

size_t
rpc_pipe_read(struct rpc_pipe *p, uint8_t *buf, size_t max, int *more)
{
	*more = 0;
	return 0;
}

void
rpc_pipe_close(struct rpc_pipe *p)
{
}
