#!/bin/sh
# Connection limits, timeouts and the message size limit, and that a
# flood from one address does not lock out another client.
. "$top_srcdir/regress/integ/lib.sh"
INTEG_EXTRA_GLOBAL="	max connections = 8
	max connections per client = 6
	negotiate timeout = 2
	auth timeout = 4
	max message size = 1048576
	smb2 max read = 65536
	smb2 max write = 65536
	smb2 max trans = 65536"
integ_setup limits
integ_start
RAW="$PY $top_srcdir/regress/integ/smbclient_raw.py $PORT"

n=$($RAW count-accept 8)
check "per-address limit: 6 of 8 connections kept ($n)" [ "$n" = 6 ]
check "refusals are logged" log_has "too many connections from this address"

t=$($RAW idle)
check "an idle connection is dropped after the negotiate timeout ($t s)" \
    sh -c "awk 'BEGIN { exit !($t >= 1.5 && $t < 6) }'"
check "the timeout is logged" log_has "no NEGOTIATE within 2 seconds"

out=$($RAW bigframe 16000000)
check "a frame above max message size ends the connection" [ "$out" = closed ]
out=$($RAW frame 85000000)
check "a NetBIOS keepalive is ignored, connection stays" [ "$out" = open ]
out=$($RAW frame 07000004deadbeef)
check "an unknown NetBIOS packet type ends the connection" [ "$out" = closed ]

# Six idle connections from 127.0.0.1 and two more from 127.0.0.3 fill
# the server; a client from 127.0.0.2 still gets in: one of the flood's
# unauthenticated connections is evicted for it.
mkfifo "$T/hold1" "$T/hold2"
$RAW hold 6 127.0.0.1 < "$T/hold1" > "$T/h1" &
exec 8>"$T/hold1"
$RAW hold 2 127.0.0.3 < "$T/hold2" > "$T/h2" &
exec 9>"$T/hold2"
wait_for grep -q "open 6" "$T/h1"
wait_for grep -q "open 2" "$T/h2"
out=$($RAW negotiate 127.0.0.2)
check "an honest client negotiates despite the flood ($out)" sh -c "echo '$out' | grep -q 'status=00000000'"
check "the eviction is logged" log_has "connection limit reached: dropping unauthenticated connection"
exec 8>&- 9>&-
integ_done
