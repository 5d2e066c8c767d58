/*
 * libFuzzer target for the lease parsers (smbd/wire/oplock_wire.c): the
 * first byte chooses, the rest is the input.  0 and 1: the data of an
 * RqLs create context, without and with v2 allowed; 2: the body of a
 * LEASE_BREAK acknowledgment.  What parses must encode back to the same
 * fields.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "buf.h"
#include "oplock_wire.h"

static void
fuzz_lease_ctx(const uint8_t *data, size_t size, int v2)
{
	struct smb2_lease_req l, m;
	struct rbuf r;
	struct wbuf w;

	rbuf_init(&r, data, size);
	if (smb2_lease_ctx_parse(&r, v2, &l) == -1)
		return;
	if ((size != SMB2_LEASE_V1_LEN && size != SMB2_LEASE_V2_LEN) ||
	    (l.version == 2 && (!v2 || size != SMB2_LEASE_V2_LEN)) ||
	    (l.state & ~SMB2_LEASE_STATES) != 0)
		abort();
	wbuf_init(&w, SMB2_LEASE_V2_LEN);
	smb2_lease_ctx_body(&w, &l);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	if (wbuf_error(&w) || smb2_lease_ctx_parse(&r, v2, &m) == -1 ||
	    l.version != m.version || l.state != m.state ||
	    l.flags != m.flags || l.epoch != m.epoch ||
	    memcmp(l.key, m.key, 16) != 0 ||
	    memcmp(l.parent, m.parent, 16) != 0)
		abort();
	wbuf_free(&w);
}

static void
fuzz_lease_ack(const uint8_t *data, size_t size)
{
	struct smb2_lease_ack a, b;
	struct rbuf r;
	struct wbuf w;

	rbuf_init(&r, data, size);
	if (smb2_lease_ack_parse(&r, &a) == -1)
		return;
	if (size < SMB2_LEASE_ACK_LEN || data[0] != 36 || data[1] != 0)
		abort();
	wbuf_init(&w, SMB2_LEASE_ACK_LEN);
	smb2_lease_ack_body(&w, a.key, a.state);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	if (wbuf_error(&w) || smb2_lease_ack_parse(&r, &b) == -1 ||
	    b.state != a.state || memcmp(a.key, b.key, 16) != 0)
		abort();
	wbuf_free(&w);
}

FUZZ_TARGET(smb2_lease, data, size)
{
	if (size == 0)
		return 0;
	if (data[0] < 2)
		fuzz_lease_ctx(data + 1, size - 1, data[0] == 1);
	else
		fuzz_lease_ack(data + 1, size - 1);
	return 0;
}
