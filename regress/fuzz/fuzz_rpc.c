/*
 * libFuzzer target for the DCE/RPC runtime and services, in NDR32 and
 * NDR64 (the seeds bind both): the first byte
 * picks the pipe (srvsvc, wkssvc, lsarpc, samr), the second the size of
 * the writes the rest is fed in (1 to 256); after every write the output
 * is drained with reads of varying size.  Every read must stay within its
 * buffer and the pipe must hold no more than it reports.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rpc.h"


static const struct rpc_share_info shares[] = {
	{ "share", RPC_STYPE_DISKTREE, "a share", "C:\\srv\\share", 1 },
	{ "hidden", RPC_STYPE_DISKTREE, NULL, "C:\\srv\\hidden", 0 },
	{ "IPC$", RPC_STYPE_IPC | RPC_STYPE_SPECIAL, "IPC Service",
	    "C:\\tmp", 1 },
};
static const uint32_t groups[] = { 100, 1000 };

/*
 * A name service that knows even ids and names starting with a vowel,
 * and answers some questions badly (an unterminated name, bytes that are
 * not UTF-8), so that the services' checks of its answers are fuzzed too.
 */
static int
fuzz_lookup(void *arg, struct rpc_name *q, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (q[i].kind) {
		case RPC_NAME_UID:
		case RPC_NAME_GID:
			q[i].found = q[i].id % 2 == 0;
			if (q[i].id % 6 == 0)
				memset(q[i].name, 'n', sizeof(q[i].name));
			else if (q[i].id % 10 == 4)
				memcpy(q[i].name, "\xc3\x28", 3);
			else
				memcpy(q[i].name, "name", 5);
			break;
		default:
			q[i].found = strchr("aeiouAEIOU", q[i].name[0]) != NULL &&
			    q[i].name[0] != '\0';
			q[i].id = (uint32_t)strlen(q[i].name);
			break;
		}
	}
	return 0;
}

static const struct rpc_ctx ctx = {
	.server_name = "SERVER", .domain = "WORKGROUP",
	.server_string = "usmbd", .shares = shares, .nshares = 3,
	.user = "alice", .uid = 1000, .gid = 1000, .groups = groups,
	.ngroups = 2, .domain_sub = { 1, 2, 3 }, .lookup = fuzz_lookup
};

FUZZ_TARGET(rpc, data, size)
{
	static const char *pipes[] = { "srvsvc", "wkssvc", "lsarpc", "samr" };
	static uint8_t out[8192];
	struct rpc_pipe *p;
	size_t chunk, off, n, want, got, rlen = 17;
	int more;

	if (size < 2)
		return 0;
	if ((p = rpc_pipe_open(pipes[data[0] % 4], &ctx)) == NULL)
		abort();
	chunk = (size_t)data[1] + 1;
	data += 2;
	size -= 2;
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		if (rpc_pipe_write(p, data + off, n) == -1)
			break;
		while ((want = rpc_pipe_pending(p)) > 0) {
			got = rpc_pipe_read(p, out, rlen, &more);
			if (got > rlen || got == 0 ||
			    (more && got != rlen) || (!more && got != want))
				abort();
			rlen = rlen * 7 % sizeof(out) + 1;
		}
	}
	rpc_pipe_close(p);
	return 0;
}
