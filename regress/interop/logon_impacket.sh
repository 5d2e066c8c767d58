#!/bin/sh
# impacket (an independent SMB implementation) logs on to usmbd.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
INTEG_EXTRA_GLOBAL="	auth failure limit = 0"
integ_setup impauth
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_start
/usr/bin/python3 "$top_srcdir/regress/interop/logon_impacket.py" "$PORT" \
    usmbdtest 'Secret-123' > "$T/py.out" 2>&1
rc=$?
cat "$T/py.out"
n=$(grep -c '^ok:' "$T/py.out")
check "impacket checks all passed ($n ok)" [ "$rc" -eq 0 ]
check "impacket ran its checks" [ "$n" -ge 10 ]
integ_done
