#!/bin/sh
# Disk IO runs off the session worker's event loop: a READ (of a file or
# a stream), a server-side copy or a zeroing held in the IO thread pool
# does not hold up other requests on its connection, and CANCEL, CLOSE
# and LOGOFF while it is in flight are safe (aio_slow.py).
# Needs --enable-regress-hooks for the delay.
. "$top_srcdir/regress/integ/lib.sh"
grep -q 'define USMBD_REGRESS_HOOKS 1' "$top_builddir/config.h" ||
    skip "built without --enable-regress-hooks: no way to delay a read"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
INTEG_LOG_LEVEL=3
integ_setup aioslow
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_start
timeout 120 /usr/bin/python3 "$top_srcdir/regress/interop/aio_slow.py" \
    "$PORT" usmbdtest 'Secret-123' > "$T/py.out" 2>&1
rc=$?
cat "$T/py.out"
check "the client script ran to its end" grep -q '^done' "$T/py.out"
check "every client check passed (exit $rc)" [ "$rc" -eq 0 ]
check "no worker died" sh -c "! grep -q 'killed by signal' '$LOG'"
check "the delay hook ran" log_has "regress: next read is delayed"
check "a chain was dropped when its connection or session ended" \
    log_has "waited for disk IO; the chain is not answered"
check "a WRITE on a write-through open was synced" log_has "WRITE of 100000 bytes at 0 is on stable storage"

# The worker, which has IO threads now, still cannot fork.
cat > "$T/fork.py" <<PYEOF
from impacket.smbconnection import SMBConnection
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=$PORT)
c.login("usmbdtest", "Secret-123")
t = c.connectTree("share")
c.getSMBServer().read(t, c.openFile(t, "slow.bin"), 0, 4096)
c.getSMBServer()._NetBIOSSession.send_packet(b"REGRESS!fork")
try:
    c.getSMBServer().echo()
    print("alive")
except Exception:
    print("dropped")
PYEOF
out=$(timeout 60 /usr/bin/python3 "$T/fork.py" 2>&1)
check "a worker that forks loses its connection ($out)" [ "$out" = dropped ]
check "the worker was killed by SIGSYS" log_has "session worker (pid [0-9]*) killed by signal 31"
check "no fork survived" sh -c "! grep -q 'still alive after fork' '$LOG'"

# Restart with more [global] lines and run aio_slow.py in a mode: its
# script must run to its end with every check passed.
run_mode() {
	mode=$1
	shift
	integ_stop
	for line in "$@"; do
		sed -i "s/^\[global\]\$/[global]\n\t$line/" "$CONF"
	done
	integ_start
	timeout 60 /usr/bin/python3 "$top_srcdir/regress/interop/aio_slow.py" \
	    "$PORT" usmbdtest 'Secret-123' "$mode" > "$T/$mode.out" 2>&1
	rc=$?
	cat "$T/$mode.out"
	check "the $mode script ran to its end" grep -q '^done' "$T/$mode.out"
	check "every $mode check passed (exit $rc)" [ "$rc" -eq 0 ]
}

# LOGOFF while a chain waits for its IO, on a session that signs and
# does not encrypt: the chain is still answered.
run_mode logoff 'smb encrypt = off' 'server signing = mandatory'
check "no worker died after the LOGOFF" \
    sh -c "! grep -q 'killed by signal' '$LOG'"

# Past aio max memory the connection reads no new request until IO
# completes.
run_mode bound 'aio max memory = 1M'
check "the worker said it stopped reading" \
    log_has "disk IO in flight is at its bound"

# With no IO threads the same IO runs on the loop.
run_mode sync 'aio threads = 0'
integ_done
