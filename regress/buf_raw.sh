#!/bin/sh
# Bytes from a client, a peer process or a file are decoded only through
# shared/buf.h (struct rbuf; doc/design.md §7.6).  This finds the usual
# ways around it in the C sources: a byte of an array shifted into a wider
# integer, a const-cast of a received buffer to write into it, and an IPC
# message's payload copied or cast into a struct.  Code
# that has such a line for a reason (a hash over its own block) names the
# reason with the comment "raw: why".
cd "${top_srcdir:-.}" || exit 99
hits=$(grep -nE '\[[^]]*\] *<< *(8|16|24|32|40|48|56)\b|\(uintptr_t\) *rbuf_cur|memcpy\(&[][a-z_.>-]+, *m(->|\.)data|\(const struct [a-z_]+ \*\) *m(->|\.)data' \
    smbd/*/*.c smbd/rpc/*.c authd/*.c lockd/*.c shared/*.c tools/*.c |
    grep -v '^shared/buf\.c:' | grep -v 'raw: ')
if [ -n "$hits" ]; then
	echo "raw decodes outside shared/buf.c:"
	echo "$hits"
	echo "FAIL: use rbuf_get_*/rbuf_peek_* (or say why with 'raw: ')"
	exit 1
fi
echo "ok: no raw decode outside shared/buf.c"
