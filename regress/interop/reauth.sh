#!/bin/sh
# Re-authentication of a session keeps it and its tree connects; a failed
# one ends it; a session of a different user on the same connection is
# refused with ACCESS_DENIED and a log line (impacket).
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
INTEG_EXTRA_GLOBAL="	auth failure limit = 0"
integ_setup reauth
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
integ_user usmbdtest2 'Other-456' || skip "cannot create the Unix user usmbdtest2"
chmod 777 "$T/share"
integ_start

/usr/bin/python3 "$top_srcdir/regress/interop/reauth.py" "$PORT" \
    usmbdtest 'Secret-123' usmbdtest2 'Other-456' > "$T/py.out" 2>&1
sed 's/^/    /' "$T/py.out"
check "the session lists the share" grep -q "^listed [1-9]" "$T/py.out"
check "re-authentication keeps the SessionId" grep -q "^reauth same session True" "$T/py.out"
check "the tree connect survives re-authentication" grep -q "^tree after reauth True" "$T/py.out"
check "the re-authenticated session works" grep -q "^listed again [1-9]" "$T/py.out"
check "another user on the connection is refused (ACCESS_DENIED)" \
    grep -q "^other user c0000022" "$T/py.out"
check "the master logs why" log_has "sessions of different users on one connection are not supported yet"
check "a second session of the same user is accepted" grep -q "^same user second session 0" "$T/py.out"
check "the first session still works" grep -q "^still listed [1-9]" "$T/py.out"
check "a bad re-authentication fails (LOGON_FAILURE)" grep -q "^bad reauth c000006d" "$T/py.out"
check "and ends the session (USER_SESSION_DELETED)" grep -q "^after bad reauth c0000203" "$T/py.out"
check "the worker logs it" log_has "re-authentication of session"
integ_done
