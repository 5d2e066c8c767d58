#!/bin/sh
# impacket drives create contexts and SET_INFO classes of the file
# service and checks the results on disk (fileinfo_impacket.py).
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
integ_setup impfiles
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_start
/usr/bin/python3 "$top_srcdir/regress/interop/fileinfo_impacket.py" "$PORT" \
    usmbdtest 'Secret-123' "$T/share" > "$T/py.out" 2>&1
rc=$?
cat "$T/py.out"
n=$(grep -c '^ok:' "$T/py.out")
check "impacket file checks all passed ($n ok)" [ "$rc" -eq 0 ]
check "impacket ran its checks" [ "$n" -ge 30 ]
integ_done
