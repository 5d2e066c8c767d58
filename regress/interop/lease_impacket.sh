#!/bin/sh
# Lease breaks on rename and delete through impacket (an independent
# client): another connection's rename, delete disposition or close with
# delete on close breaks a Read-Handle lease to Read and waits for the
# acknowledgment.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
integ_setup lease
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_start

timeout 300 /usr/bin/python3 "$top_srcdir/regress/interop/lease_impacket.py" \
    "$PORT" usmbdtest 'Secret-123' > "$T/py.out" 2>&1
# Whatever the script said besides its checks (a traceback) helps.
grep -v "^ok " "$T/py.out" | tail -15
for t in rename_lease_rh rename_breaks_rh_to_r rename_waits rename_ack \
    rename_completes rename_done delete_breaks_rh_to_r delete_waits \
    delete_ack delete_completes delete_done doc_open \
    doc_close_breaks_rh_to_r doc_close_waits doc_close_ack \
    doc_close_completes doc_done; do
	check "impacket: $t" grep -qx "ok $t" "$T/py.out"
done
integ_done
