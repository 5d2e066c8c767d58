#!/bin/sh
# File operations through impacket on SMB 2.0.2, 2.1 and 3.0 (3.0 is
# encrypted, as impacket encrypts whenever the server can), and on 2.1 with
# signing required by the server.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
integ_setup impfiles
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"

run() {
	/usr/bin/python3 "$top_srcdir/regress/interop/files_impacket.py" \
	    "$PORT" usmbdtest 'Secret-123' "$1" > "$T/py.out" 2>&1
	rc=$?
	sed 's/^/    /' "$T/py.out"
	return $rc
}

integ_start
for d in 202 210 300; do
	check "impacket file operations on dialect $d" run $d
done
check "the 3.0 session was encrypted" grep -q "^encrypted True" "$T/py.out"
integ_stop

sed -i 's/^\(\[global\]\)$/\1\n\tserver signing = mandatory/' "$CONF"
integ_start
check "impacket file operations on 2.1 with signing mandatory" run 210
integ_done
