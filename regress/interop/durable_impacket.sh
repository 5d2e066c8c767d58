#!/bin/sh
# Durable handles outlive a session worker killed with SIGKILL
# (doc/durable.md): a client holds a durable open with a lease and a
# byte-range lock and one with a Batch oplock, both with acknowledged
# writes; its worker is killed; another user naming both opens with
# their FileIds, CreateGuids, the lease key and the same ClientGuid is
# refused; the client reconnects on a new connection, reclaims both
# with DH2C, reads back every acknowledged write, and its lock still
# holds against another client.  A third open, kept for the one second
# its client asked for, is closed by lockd after it.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
integ_setup durable
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
integ_user usmbdtest2 'Other-456' || skip "cannot create the Unix user usmbdtest2"
chown usmbdtest "$T/share"
integ_start
PYT="$top_srcdir/regress/interop/durable_impacket.py"

timeout 120 /usr/bin/python3 "$PYT" "$PORT" usmbdtest Secret-123 hold \
    "$T/durable.json" >"$T/hold.out" 2>&1 &
HOLD=$!
check "the client holds its durable opens" \
    wait_for grep -q ready "$T/hold.out"
cat "$T/hold.out"
check "a lease open with DH2Q is durable" \
    sh -c "grep -q '^lease open: 00000000' '$T/hold.out' &&
    [ \$(grep -c '^granted DH2Q: True' '$T/hold.out') -eq 2 ]"
check "with the RH lease asked for" grep -q "^lease state: 3" "$T/hold.out"
check "the lock is granted" grep -q "^lock: 00000000" "$T/hold.out"
check "the Batch open is granted Batch" \
    grep -q "^batch open: 00000000 9" "$T/hold.out"
check "a timeout asked for is granted" \
    grep -q "^short open: 00000000 1000" "$T/hold.out"
WORKER=$(child_named usmbd-session)
check "the session worker is found" [ -n "$WORKER" ]
kill -KILL "$WORKER"
check "lockd keeps the three opens" \
    log_has "ended with 3 durable opens; kept for their client to reclaim"
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null

timeout 60 /usr/bin/python3 "$PYT" "$PORT" usmbdtest2 Other-456 steal \
    "$T/durable.json" >"$T/steal.out" 2>&1
cat "$T/steal.out"
check "another user cannot reclaim the lease open" \
    grep -q "^steal lease reconnect: c0000034" "$T/steal.out"
check "nor the Batch open" \
    grep -q "^steal batch reconnect: c0000034" "$T/steal.out"

timeout 60 /usr/bin/python3 "$PYT" "$PORT" usmbdtest Secret-123 reclaim \
    "$T/durable.json" >"$T/reclaim.out" 2>&1
cat "$T/reclaim.out"
check "the client reclaims the lease open" \
    grep -q "^reclaim lease reconnect: 00000000" "$T/reclaim.out"
check "and the Batch open" \
    grep -q "^reclaim batch reconnect: 00000000" "$T/reclaim.out"
check "every acknowledged write is there" \
    grep -q "^read: b'acknowledged before the crash'" "$T/reclaim.out"
check "through the Batch open too" \
    grep -q "^batch read: b'batch data'" "$T/reclaim.out"
check "which holds Batch again" grep -q "^level: 9" "$T/reclaim.out"
check "the byte-range lock still holds against another client" \
    grep -q "^other lock: c0000055" "$T/reclaim.out"
check "beyond it, the other client may lock" \
    grep -q "^other lock beyond: 00000000" "$T/reclaim.out"
check "the reclaim is logged" log_has "durable open of d.bin reclaimed"
check "the open not reclaimed in its second is closed" \
    log_has "not reclaimed in 1000 ms; closed"
timeout 60 /usr/bin/python3 "$PYT" "$PORT" usmbdtest Secret-123 expired \
    "$T/durable.json" >"$T/expired.out" 2>&1
cat "$T/expired.out"
check "and cannot be reclaimed any more" \
    grep -q "^expired reconnect: c0000034" "$T/expired.out"
integ_done
