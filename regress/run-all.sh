#!/bin/sh
# Install what the test suite needs, build usmbd twice (normal and with
# ASan+UBSan), build the libFuzzer targets with clang, and run everything.
# The last line is "N passed, N failed, N skipped".
#
# Run as root on Debian 12 from the top of a checkout:
#     sudo sh regress/run-all.sh
# Environment: USMBD_NO_APT=1 skips apt-get; FUZZ_SECONDS (default 20) is
# how long each fuzz target runs; JOBS (default: number of cores).

set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
OUT=$TOP/build-ci
PASS=0
FAIL=0
SKIP=0

say() {
	printf '==> %s\n' "$*"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "run-all.sh: run as root (the server under test starts as root and drops privileges)" >&2
	exit 1
fi

if [ "${USMBD_NO_APT:-0}" != 1 ]; then
	say "installing packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null || { echo "apt-get update failed" >&2; exit 1; }
	apt-get install -y -q --no-install-recommends \
	    build-essential autoconf automake pkg-config ca-certificates \
	    libevent-dev libssl-dev libbsd-dev \
	    clang libclang-rt-14-dev mandoc procps psmisc iproute2 \
	    python3 python3-impacket smbclient samba-testsuite samba \
	    samba-vfs-modules attr strace debhelper lintian \
	    libkrb5-dev krb5-kdc krb5-admin-server krb5-user \
	    >/dev/null || { echo "apt-get install failed" >&2; exit 1; }
fi

say "creating the system users"
sh "$TOP/etc/create-users.sh" || exit 1

# record_suite DIR: add the counts of an automake test-suite.log.
record_suite() {
	log=$1/test-suite.log
	if [ ! -f "$log" ]; then
		echo "no $log" >&2
		FAIL=$((FAIL + 1))
		return
	fi
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
	x=$(sed -n 's/^# XPASS: *//p' "$log" | head -1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
	s=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
	PASS=$((PASS + ${p:-0}))
	FAIL=$((FAIL + ${f:-0} + ${x:-0} + ${e:-0}))
	SKIP=$((SKIP + ${s:-0}))
	grep -E '^(FAIL|ERROR|XPASS|SKIP):' "$1/test-suite.log" | sed 's/^/    /'
	# Skipped tests say why; show it.
	for t in $(sed -n 's/^SKIP: //p' "$log"); do
		[ -f "$1/$t.log" ] && grep -h '^SKIP' "$1/$t.log" | sed "s|^|    $t: |"
	done
}

say "autoreconf"
rm -rf "$OUT"
mkdir -p "$OUT"
autoreconf -fi >"$OUT/autoreconf.log" 2>&1 || { cat "$OUT/autoreconf.log"; echo "0 passed, 1 failed"; exit 1; }

# build NAME CONFIGURE-ARGS...: configure and build out of tree.
build() {
	name=$1
	shift
	mkdir -p "$OUT/$name"
	say "building ($name): $*"
	(cd "$OUT/$name" && "$TOP/configure" "$@" >configure.log 2>&1 &&
	    make -j"$JOBS" >make.log 2>&1 &&
	    make -j"$JOBS" check TESTS= >make-check-build.log 2>&1) || {
		echo "build $name failed:"
		tail -n 40 "$OUT/$name/configure.log" "$OUT/$name/make.log" \
		    "$OUT/$name/make-check-build.log" 2>/dev/null
		FAIL=$((FAIL + 1))
		return 1
	}
	return 0
}

if build normal --enable-regress-hooks; then
	say "make check (normal)"
	(cd "$OUT/normal" && make -j"$JOBS" check >check.log 2>&1)
	record_suite "$OUT/normal"
fi

# The Debian package: built from the tree, linted, installed, used and
# purged (regress/deb.sh), one test.
say "Debian package"
if sh "$TOP/regress/deb.sh" >"$OUT/deb.log" 2>&1; then
	echo "PASS: debian package"
	PASS=$((PASS + 1))
else
	rc=$?
	if [ "$rc" -eq 77 ]; then
		echo "SKIP: debian package: $(grep '^SKIP' "$OUT/deb.log")"
		SKIP=$((SKIP + 1))
	else
		echo "FAIL: debian package"
		grep -v '^ok' "$OUT/deb.log" | tail -n 30
		FAIL=$((FAIL + 1))
	fi
fi

if build asan --enable-regress-hooks --enable-sanitizers CFLAGS="-O1 -g"; then
	say "make check (ASan+UBSan)"
	# The 1 GiB transfers of every dialect ran in the normal build;
	# here smaller ones look for memory errors in the same paths.
	(cd "$OUT/asan" && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    USMBD_TEST_BIG_MB=64 make -j"$JOBS" check >check.log 2>&1)
	record_suite "$OUT/asan"
fi

if build fuzz --enable-fuzzing CC=clang CFLAGS="-O1 -g"; then
	say "fuzzing each target for ${FUZZ_SECONDS}s"
	# One program holds every target (regress/fuzz/fuzz.h); each seed
	# corpus directory names one.
	f=$OUT/fuzz/regress/fuzz/fuzz
	for d in "$TOP"/regress/fuzz/corpus/*/; do
		t=$(basename "$d")
		corpus=$OUT/fuzz/corpus-$t
		mkdir -p "$corpus"
		cp -r "$d." "$corpus/" 2>/dev/null
		if USMBD_FUZZ_TARGET=$t "$f" -max_total_time="$FUZZ_SECONDS" \
		    -rss_limit_mb=2048 -max_len=65536 \
		    -artifact_prefix="$OUT/fuzz/$t-" "$corpus" \
		    >"$OUT/fuzz/$t.log" 2>&1; then
			echo "PASS: fuzz $t"
			PASS=$((PASS + 1))
		else
			echo "FAIL: fuzz $t"
			tail -n 30 "$OUT/fuzz/$t.log"
			for a in "$OUT/fuzz/$t-"*; do
				[ -f "$a" ] && echo "reproduce:" \
				    "regress/fuzz/replay $t $a"
			done
			FAIL=$((FAIL + 1))
		fi
	done
fi

echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
