#!/bin/sh
# The limits of one connection and one session, each with a client that
# goes past it (regress/interop/limits_client.py, impacket): past "max
# open files" a CREATE fails with STATUS_TOO_MANY_OPENED_FILES, past "max
# async requests" a CHANGE_NOTIFY fails with STATUS_INSUFFICIENT_RESOURCES,
# a client that does not read its answers is dropped at "max output
# queue", and one that sends past its credits is dropped.  Each time an honest client (smbclient) is still served.  The
# connection limits are in regress/integ/limits.sh, the log rate limit in
# regress/integ/evil_sandbox.sh.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
grep -q 'define USMBD_REGRESS_HOOKS 1' "$top_builddir/config.h" ||
    skip "built without --enable-regress-hooks: no way to hold a READ"
INTEG_EXTRA_GLOBAL="	max open files = 16
	max async requests = 8
	max output queue = 32M
	log level = 1"
integ_setup limits_session
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
head -c 4194304 /dev/urandom >"$T/share/big.dat"
chown usmbdtest "$T/share/big.dat"
integ_client_conf
integ_start
LC="/usr/bin/python3 $top_srcdir/regress/interop/limits_client.py $PORT usmbdtest Secret-123"
honest() {
	timeout 20 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
	    -U 'usmbdtest%Secret-123' -c 'get big.dat /dev/null' >/dev/null 2>&1
}

out=$($LC opens 20 2>&1)
check "max open files = 16: the 17th open is refused ($out)" \
    [ "$out" = "opened 16 first error STATUS_TOO_MANY_OPENED_FILES" ]
check "an honest client is served" honest

out=$($LC notify 12 2>&1)
check "max async requests = 8: 8 notifies wait, 4 are refused ($out)" \
    [ "$out" = "pending 8 refused 4" ]
check "the refusal is logged" log_has "8 requests waiting, the limit (max async requests)"
check "an honest client is served" honest

# Reading stops at a quarter of the queue; what the IO threads still
# have in flight then is what goes past it.  With one IO thread held 3 s
# by a regress hook on the first READ, all the others are in flight when
# the answers come.  Every READ in flight holds a descriptor, so this part
# runs with the default open files.
integ_stop
sed -i 's/max open files = 16/aio threads = 1/' "$CONF"
integ_start
out=$($LC noread big.dat 1000 2>&1)
check "a client that reads none of 1000 answers is dropped ($out)" \
    sh -c "echo '$out' | grep -q '^cut'"
check "the drop is logged" log_has "bytes of responses not read by the client (max output queue)"
check "an honest client is served" honest

out=$($LC noread big.dat 1000 cold 2>&1)
check "smb2 max credits: a client that goes past its credits is dropped ($out)" \
    sh -c "echo '$out' | grep -q '^cut'"
check "the violation is logged" log_has "is not in the credit window"
check "an honest client is served" honest
integ_done
