#!/bin/sh
# lockd is killed while two clients hold an open without sharing and a
# byte-range lock (doc/design.md §1 invariant 6).  The lockd the master
# starts next knows none of their state, so both connections end, each
# with a log line saying why, instead of serving on unseen by others;
# the restarted lockd then enforces share modes and locks for new
# connections.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
integ_setup lockdkill
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_start
PYT="$top_srcdir/regress/interop/lockd_kill.py"

timeout 120 /usr/bin/python3 "$PYT" "$PORT" usmbdtest Secret-123 hold \
    "$T/go" >"$T/hold.out" 2>&1 &
HOLD=$!
check "the two clients hold an open and a lock" \
    wait_for grep -q ready "$T/hold.out"
check "the lock was granted" grep -q "^lock 00000000" "$T/hold.out"
OLD=$(child_named usmbd-lockd)
kill -KILL "$OLD"
check "lockd is restarted" wait_for sh -c "p=\$(ps -o pid=,args= --ppid $MASTER_PID | awk '/usmbd-lockd/ {print \$1}'); [ -n \"\$p\" ] && [ \"\$p\" != $OLD ]"
touch "$T/go"
wait "$HOLD"
cat "$T/hold.out"
check "the client holding the open loses its connection" \
    sh -c "grep '^a read:' '$T/hold.out' | grep -qv ': ok'"
check "the client holding the lock loses its connection" \
    sh -c "grep '^b read:' '$T/hold.out' | grep -qv ': ok'"
check "each worker says why" \
    [ "$(grep -c 'lockd is gone; the connection ends' "$LOG")" -eq 2 ]
check "the master's log names the end" \
    log_has "lockd is gone (sharing state lost)"
timeout 60 /usr/bin/python3 "$PYT" "$PORT" usmbdtest Secret-123 after \
    >"$T/after.out" 2>&1
cat "$T/after.out"
check "after the restart, share modes hold again" \
    grep -q "^share mode: c0000043" "$T/after.out"
check "and byte-range locks too" grep -q "^lock: c0000055" "$T/after.out"
integ_done
