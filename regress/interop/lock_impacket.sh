#!/bin/sh
# Byte-range locks across session workers through impacket (an
# independent client): lockd's lock table, its notice to workers that
# already had the file open, and the READ/WRITE checks that follow.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
integ_setup lock
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_start

timeout 300 /usr/bin/python3 "$top_srcdir/regress/interop/lock_impacket.py" \
    "$PORT" usmbdtest 'Secret-123' > "$T/py.out" 2>&1
# Whatever the script said besides its checks (a traceback) helps.
grep -v "^ok " "$T/py.out" | tail -15
for t in lock other_worker_conflicts outside_range owner_io \
    later_open_conflicts not_granted waiting_lock_granted granted_lock_holds \
    unlocked_io shared_lock close_unlocks disconnect_unlocks; do
	check "impacket: $t" grep -qx "ok $t" "$T/py.out"
done
integ_done
