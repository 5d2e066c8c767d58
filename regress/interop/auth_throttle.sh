#!/bin/sh
# Password guessing is slowed down without giving the answer away: past
# "auth failure limit" failures from a source or for a user within a
# minute, every final answer, a success as much as a failure, waits
# "auth failure delay", and the slow-down is logged once when it starts.
# (The keys, prefixes and the minute are unit-tested in
# regress/unit/test_authd_throttle.)
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
INTEG_EXTRA_GLOBAL="	auth failure limit = 3
	auth failure delay = 3000
	auth failure ipv4 prefix = 24"
integ_setup throttle
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_client_conf
integ_start

# logon USER%PASS: the exit status of smbclient.
logon() {
	timeout 60 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
	    -U "$1" -c exit >"$T/out" 2>&1
}

held() {
	grep -c "held back for 3000 ms" "$LOG"
}

logon 'usmbdtest%Secret-123'
check "a logon before any failure succeeds" [ $? -eq 0 ]
check "and is not held back" sh -c "! grep -q 'held back' '$LOG'"
for i in 1 2 3; do
	logon 'usmbdtest%wrong'
	check "wrong password $i is refused" grep -q NT_STATUS_LOGON_FAILURE "$T/out"
done
check "the slow-down of the source (its /24) is logged" \
    log_has 'logons from 127.0.0.0/24 are slowed down'
check "and of the user" log_has 'logons for user "usmbdtest" are slowed down'
logon 'usmbdtest%Secret-123'
rc=$?
check "the right password still logs on" [ "$rc" -eq 0 ]
check "but authd held its answer back like a failure's" \
    log_has 'answer (0x00000000) held back for 3000 ms'
n=$(held)
logon 'nosuchuser%whatever'
check "another name from the same source is held back too" \
    [ "$(held)" -eq $((n + 1)) ]
check "each slow-down is logged once" sh -c \
    "[ \$(grep -c 'logons from 127.0.0.0/24 are slowed down' '$LOG') -eq 1 ]"
integ_done
