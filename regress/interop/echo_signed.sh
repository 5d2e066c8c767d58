#!/bin/sh
# ECHO and signing (MS-SMB2 3.3.4.1.1): a signed ECHO on a signing
# session is answered signed, a bad signature is refused with
# ACCESS_DENIED, an ECHO without a session is answered unsigned
# (impacket).
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
INTEG_EXTRA_GLOBAL="	server signing = mandatory"
integ_setup echosign
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
integ_start

/usr/bin/python3 "$top_srcdir/regress/interop/echo_signed.py" "$PORT" \
    usmbdtest 'Secret-123' > "$T/py.out" 2>&1
sed 's/^/    /' "$T/py.out"
check "a signed ECHO succeeds" grep -q "^signed echo status 00000000" "$T/py.out"
check "and is answered signed" grep -q "^signed echo answered signed True" "$T/py.out"
check "with a signature that verifies" grep -q "^its signature verifies True" "$T/py.out"
check "a bad signature is refused (ACCESS_DENIED)" \
    grep -q "^bad signature status c0000022" "$T/py.out"
check "and logged" log_has "bad signature on ECHO"
check "an ECHO naming no session is answered, unsigned" \
    grep -q "^sessionless echo status 00000000 signed False" "$T/py.out"
check "the session goes on" grep -q "^session still works" "$T/py.out"
integ_done
