#!/bin/sh
# Does the suite flake?  Run the integration and interop tests ROUNDS times
# in a row while other load keeps the machine busy, and name every test
# that failed even once.  Not part of run-all.sh (it takes ROUNDS times as
# long as those tests); run it before calling a change to timing,
# concurrency or process handling done.
#
#     sudo sh regress/stress.sh [-n ROUNDS] [-b BUILDDIR] [-L none|stress-ng|build] [TEST...]
#
# BUILDDIR is a configured and built tree (default: build-ci/normal, which
# regress/run-all.sh leaves, else the checkout itself).  TESTs are paths as
# make check knows them (regress/integ/limits.sh); by default every
# regress/integ and regress/interop script of the suite.  The load is
# stress-ng on every core (CPU, memory and disk IO) when it is installed,
# else a parallel build of usmbd in a scratch tree, over and over.
# The last line is "N passed, N failed" over all rounds; the exit status
# is 0 only when no test failed in any round.

set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
ROUNDS=3
BUILD=
LOAD=auto

usage() {
	echo "usage: sh regress/stress.sh [-n rounds] [-b builddir] [-L none|stress-ng|build] [test ...]" >&2
	exit 2
}

while getopts n:b:L: opt; do
	case $opt in
	n) ROUNDS=$OPTARG ;;
	b) BUILD=$OPTARG ;;
	L) LOAD=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
case $ROUNDS in
''|*[!0-9]*) usage ;;
esac
[ "$ROUNDS" -ge 1 ] || usage
case $LOAD in
auto|none|stress-ng|build) ;;
*) usage ;;
esac

if [ "$(id -u)" -ne 0 ]; then
	echo "stress.sh: run as root (the server under test starts as root)" >&2
	exit 1
fi
if [ -z "$BUILD" ]; then
	if [ -f "$TOP/build-ci/normal/Makefile" ]; then
		BUILD=$TOP/build-ci/normal
	else
		BUILD=$TOP
	fi
fi
[ -f "$BUILD/Makefile" ] || {
	echo "stress.sh: $BUILD is not a built tree (run regress/run-all.sh, or configure and make)" >&2
	exit 1
}
BUILD=$(cd "$BUILD" && pwd)

if [ $# -gt 0 ]; then
	TESTS="$*"
else
	# The suite's own list, from the Makefile that make check uses.
	TESTS=$(printf 'stress-print-tests:\n\t@echo $(TESTS)\n' |
	    make -s -C "$BUILD" -f Makefile -f - stress-print-tests |
	    tr ' ' '\n' | grep -E '^regress/.*\.sh$' | tr '\n' ' ')
fi
[ -n "$TESTS" ] || { echo "stress.sh: no tests to run" >&2; exit 1; }

OUT=$BUILD/stress
rm -rf "$OUT"
mkdir -p "$OUT"
LOADPID=

stop_load() {
	if [ -n "$LOADPID" ]; then
		kill -TERM -- "-$LOADPID" 2>/dev/null || kill -TERM "$LOADPID" 2>/dev/null
		wait "$LOADPID" 2>/dev/null
		LOADPID=
	fi
}
trap 'stop_load' EXIT
trap 'stop_load; exit 130' INT TERM

# start_load: keep every core busy for the whole run, in its own process
# group so that it stops whole.
start_load() {
	if [ "$LOAD" = auto ]; then
		if command -v stress-ng >/dev/null; then
			LOAD=stress-ng
		else
			LOAD=build
		fi
	fi
	case $LOAD in
	none)
		return ;;
	stress-ng)
		command -v stress-ng >/dev/null || {
			echo "stress.sh: stress-ng is not installed (apt-get install stress-ng)" >&2
			exit 1
		}
		setsid stress-ng --cpu "$(nproc)" --cpu-load 50 --vm 1 \
		    --vm-bytes 256M --hdd 1 --hdd-bytes 64M --timeout 0 \
		    >"$OUT/load.log" 2>&1 &
		;;
	build)
		rm -rf "$OUT/loadtree"
		mkdir -p "$OUT/loadtree"
		(cd "$OUT/loadtree" && "$TOP/configure" >/dev/null 2>&1) || {
			echo "stress.sh: cannot configure the load build" >&2
			exit 1
		}
		setsid sh -c "while :; do make -s -C '$OUT/loadtree' clean >/dev/null 2>&1; make -s -C '$OUT/loadtree' -j$(nproc) >/dev/null 2>&1; done" \
		    >"$OUT/load.log" 2>&1 &
		;;
	esac
	LOADPID=$!
	echo "==> load: $LOAD (pid $LOADPID)"
}

start_load
echo "==> $ROUNDS rounds of: $TESTS"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	echo "==> round $r of $ROUNDS"
	(cd "$BUILD" && make -j"$(nproc)" check TESTS="$TESTS" \
	    >"$OUT/round-$r.log" 2>&1)
	mkdir -p "$OUT/round-$r"
	for t in $TESTS; do
		# automake names a test's log and result without ".sh".
		b=${t%.sh}
		if [ -f "$BUILD/$b.log" ]; then
			cp "$BUILD/$b.log" "$OUT/round-$r/$(basename "$b").log"
		fi
		res=$(sed -n 's/^:test-result: //p' "$BUILD/$b.trs" 2>/dev/null | head -1)
		echo "${res:-ERROR} $t" >>"$OUT/results"
		echo "    ${res:-ERROR}: $t"
	done
	r=$((r + 1))
done
stop_load

PASS=$(grep -c '^PASS ' "$OUT/results")
FAIL=$(grep -c -E '^(FAIL|ERROR|XPASS) ' "$OUT/results")
SKIP=$(grep -c '^SKIP ' "$OUT/results")
echo "==> tests that failed at least once (logs in $OUT/round-N/):"
grep -E '^(FAIL|ERROR|XPASS) ' "$OUT/results" | awk '{ print $2 }' |
    sort | uniq -c | sed 's/^/    /'
[ "$FAIL" -eq 0 ] && echo "    none"
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
