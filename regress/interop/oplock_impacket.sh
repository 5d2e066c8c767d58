#!/bin/sh
# Oplocks across session workers through impacket (an independent
# client): a Batch oplock broken by another connection's open, which
# waits for the acknowledgment; Level II broken by a write; a break never
# acknowledged, bounded by "oplock break timeout".
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
TIMEOUT=3
INTEG_EXTRA_GLOBAL="	oplock break timeout = $TIMEOUT"
integ_setup oplock
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_start

timeout 300 /usr/bin/python3 "$top_srcdir/regress/interop/oplock_impacket.py" \
    "$PORT" usmbdtest 'Secret-123' "$TIMEOUT" > "$T/py.out" 2>&1
# Whatever the script said besides its checks (a traceback) helps.
grep -v "^ok " "$T/py.out" | tail -15
for t in batch_granted break_to_level2 open_waits other_connection_cannot_ack \
    still_waits ack open_completes_level2 write_breaks_level2 \
    level2_ack_refused timeout_break_sent timeout_open_completes \
    late_ack_refused; do
	check "impacket: $t" grep -qx "ok $t" "$T/py.out"
done
integ_done
