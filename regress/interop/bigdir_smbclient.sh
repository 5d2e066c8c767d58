#!/bin/sh
# A directory of 100 000 entries is listed completely through smbclient,
# and the session worker reads it in bounded memory: its peak resident
# size stays far below what holding every entry at once would need.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
integ_setup bigdir
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_client_conf
integ_start

N=${BIGDIR_N:-100000}
mkdir "$T/share/big"
$PY - "$T/share/big" "$N" <<'PYEOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    os.close(os.open("%s/entry-with-a-longish-name-%06d.txt" % (d, i),
                     os.O_CREAT | os.O_WRONLY, 0o644))
PYEOF
chown -R usmbdtest "$T/share/big"

# Sample the worker's peak resident size while the listing runs.
timeout 600 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
    -U 'usmbdtest%Secret-123' -c 'ls big\*' >"$T/out" 2>&1 &
CLIENT=$!
peak=0
while kill -0 "$CLIENT" 2>/dev/null; do
	for p in $(children_of "$MASTER_PID"); do
		{ tr '\0' ' ' < "/proc/$p/cmdline"; } 2>/dev/null |
		    grep -q "session" || continue
		hwm=$(status_field "$p" VmHWM 2>/dev/null | awk '{print $1}')
		[ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
	done
	sleep 0.2
done
wait "$CLIENT"
rc=$?
count=$(grep -c "entry-with-a-longish-name-[0-9]*\.txt *A" "$T/out")
echo "listed $count entries; worker peak resident size ${peak} KiB"
check "smbclient ls exits cleanly" [ "$rc" -eq 0 ]
check "all $N entries are listed" [ "$count" -eq "$N" ]
# The names alone are about 6 MB as UTF-16; a worker that held the whole
# directory would grow by far more than this bound.
bounded() {
	[ "$peak" -gt 0 ] && [ "$peak" -lt 65536 ]
}
if grep -q '^#define USMBD_SANITIZERS 1' "$top_builddir/config.h"; then
	# ASan keeps freed memory in quarantine and adds shadow memory, so
	# the resident size says nothing about the worker's own bound here.
	echo "not checked in a sanitizer build: the worker's resident size"
else
	check "the worker stays below 64 MiB resident" bounded
fi
integ_done
