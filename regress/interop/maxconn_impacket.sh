#!/bin/sh
# A share's "max connections" (smbd.conf(5)): with max connections = 2,
# two clients hold tree connects, a third is refused with
# STATUS_INSUFFICIENT_RESOURCES (as Samba answers) and a log line naming
# the share, the user and the client; a slot comes back on TREE_DISCONNECT,
# LOGOFF, a dropped TCP connection and a killed session worker
# (regress/interop/maxconn_impacket.py, impacket).  A share without a
# limit is not counted.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
INTEG_LOG_LEVEL=1
integ_setup maxconn
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
mkdir "$T/lim"
chown usmbdtest "$T/lim"
printf '\n[lim]\n\tpath = %s\n\tmax connections = 2\n' "$T/lim" >>"$CONF"
integ_start

timeout 120 /usr/bin/python3 "$top_srcdir/regress/interop/maxconn_impacket.py" \
    "$PORT" usmbdtest 'Secret-123' "$MASTER_PID" >"$T/py.out" 2>&1
sed 's/^/    /' "$T/py.out"
line() {
	grep -q "^$1\$" "$T/py.out"
}
check "two clients connect to [lim]" sh -c \
    "grep -q '^first 0\$' '$T/py.out' && grep -q '^second 0\$' '$T/py.out'"
check "a third client is refused (INSUFFICIENT_RESOURCES)" line "third c000009a"
check "so is a second tree connect of a session that holds one" \
    line "second tree of a session c000009a"
check "a share without a limit is not counted" line "unlimited share 0"
check "TREE_DISCONNECT gives the slot back" line "after tree disconnect 0"
check "and the share is full again" line "full again c000009a"
check "the holder's worker was found" line "b's worker 1"
check "a killed worker's slot comes back" line "after kill 0"
check "a dropped TCP connection's slot comes back" line "after drop 0"
check "LOGOFF gives the session's slot back" line "after logoff 0"
check "and the share is full at the end" line "full at the end c000009a"
check "the refusal is logged with share, user and client" log_has \
    '127\.0\.0\.1:[0-9]*: user usmbdtest refused share "lim": max connections (2) reached'
check "the master is alive" kill -0 "$MASTER_PID"
integ_done
