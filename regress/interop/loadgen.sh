#!/bin/sh
# bench/usmbd-loadgen against usmbd, briefly: every workload once signed
# and once encrypted (SMB 3.1.1), and the older dialects once each, for a
# fixed small count.  Each run must finish with no error and a count
# above zero; how fast it went is bench/run.sh's business, not a test's.
. "$top_srcdir/regress/integ/lib.sh"
LG=$top_builddir/bench/usmbd-loadgen
[ -x "$LG" ] || skip "bench/usmbd-loadgen not built"
integ_setup loadgen
integ_user usmbdtest 'Secret-123' ||
    skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_start

# run NAME ARGS...: one run of the generator, its JSON line checked.
run() {
	name=$1
	shift
	timeout 120 "$LG" -j -p "$PORT" -U 'usmbdtest%Secret-123' -C 2 -q 4 \
	    -s 1M -F 50 -e 300 "$@" >"$T/out" 2>"$T/err"
	rc=$?
	ops=$(sed -n 's/.*"ops":\([0-9]*\),.*/\1/p' "$T/out")
	errs=$(sed -n 's/.*"errors":\([0-9]*\),.*/\1/p' "$T/out")
	check "$name: exits 0" [ "$rc" -eq 0 ]
	check "$name: no errors" [ "${errs:-x}" = 0 ]
	check "$name: operations counted" [ "${ops:-0}" -gt 0 ]
	if [ "$rc" -ne 0 ] || [ "${errs:-x}" != 0 ]; then
		cat "$T/out" "$T/err"
	fi
}

for w in echo read write open stat statc create rename unlink mkdir \
    rmdir readdir break lbreak; do
	case $w in
	readdir) n=10 ;;
	*) n=200 ;;
	esac
	run "$w signed" -S -n "$n" //127.0.0.1/share "$w"
	run "$w encrypted" -E -n "$n" //127.0.0.1/share "$w"
done
run "statc SMB 3.0.2, AES-128-CCM" -m SMB3_02 -E -n 200 \
    //127.0.0.1/share statc
run "write SMB 2.1, signed" -m SMB2_10 -S -n 200 //127.0.0.1/share write
run "read 3.1.1, AES-128-CCM, unsigned" -c ccm -n 200 //127.0.0.1/share read
# Breaks on many slots at once: each break goes to the right open.
run "lbreak 4 connections x 4" -C 4 -q 4 -n 400 //127.0.0.1/share lbreak
run "break 2 connections x 8" -C 2 -q 8 -n 400 //127.0.0.1/share break
# A duration rather than a count.
run "stat for one second" -E -d 1 //127.0.0.1/share stat
check "no bad signature in the server's log" \
    sh -c "! grep -qi 'bad signature' '$LOG'"
integ_done
