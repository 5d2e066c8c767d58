#!/bin/sh
# deadtime: a connection that sends nothing for that many minutes and
# holds no open file is closed by its session worker, with a log line; one
# with an open file is kept.  (A regress hook makes a minute 2 seconds.)
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "impacket not installed (apt-get install python3-impacket)"
INTEG_EXTRA_GLOBAL="	deadtime = 2"
integ_setup deadtime
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
echo hello >"$T/share/f.txt"
chmod 644 "$T/share/f.txt"
export USMBD_REGRESS_MINUTE=2
integ_start

# idle [open]: log on, (open a file,) say nothing for 9 s, then read.
idle() {
	/usr/bin/python3 - "$PORT" "$1" >"$T/out" 2>&1 <<'PY'
import sys, time
from impacket.smbconnection import SMBConnection
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("usmbdtest", "Secret-123")
tid = c.connectTree("share")
READ = 0x00120089	# FILE_GENERIC_READ
fid = c.openFile(tid, "f.txt", desiredAccess=READ) \
    if sys.argv[2] == "open" else None
time.sleep(9)
try:
    if fid is None:
        fid = c.openFile(tid, "f.txt", desiredAccess=READ)
    print("read:", c.readFile(tid, fid, 0, 5))
except Exception as e:
    print("failed:", e)
PY
}

idle closed
check "an idle connection with no open file is closed" \
    sh -c "! grep -q 'read: ' '$T/out' && ! grep -q ACCESS_DENIED '$T/out'"
check "the worker says why" \
    log_has "idle for 2 minutes with no open file (deadtime)"
n=$(grep -c "idle for .* (deadtime)" "$LOG")
idle open
check "an idle connection holding an open file is kept" \
    grep -q "read: b'hello'" "$T/out"
check "and nothing more was closed for deadtime" \
    [ "$(grep -c 'idle for .* (deadtime)' "$LOG")" -eq "$n" ]
integ_done
