#!/bin/sh
# Benchmark usmbd against Samba's smbd on the same machine (doc/design.md §6):
# both servers on loopback ports, shares in the same filesystems, the same
# clients, the same files.  Two kinds of client:
#
#  - smbclient: large and small file transfers (put, get, mput, mget) on
#    the regular filesystem, each protection once;
#  - bench/usmbd-loadgen: requests per second and latency of single
#    operations (random 4 KiB READ and WRITE at queue depth 1 and 32,
#    open, stat, create, rename, unlink, mkdir, rmdir, a large
#    QUERY_DIRECTORY...) on a tmpfs share and on the regular filesystem,
#    usmbd and Samba alternately (A B A B ...), the median of each.
#
# Prints each result as it comes, and writes bench/RESULTS.md: the
# machine, the versions, the exact commands and one table of absolute
# numbers and usmbd/Samba ratios (above 1: usmbd is faster).
#
# usage: sh bench/run.sh [BUILDDIR]      (as root; BUILDDIR holds a built usmbd)
# environment (bench/README.md says more):
#   BENCH_SIZE_MB     size of the large file (1024)
#   BENCH_RUNS        runs of each large transfer (3); the median is reported
#   BENCH_SMALL_N     number of small files (2000)
#   BENCH_SMALL_KB    size of each small file in KiB (4)
#   BENCH_PROT        smbclient protections to measure ("off sign encrypt")
#   BENCH_PROTO       dialect (SMB3_11)
#   BENCH_SMBCLIENT   1 to run the smbclient transfers (1), 0 to skip them
#   BENCH_ROUNDS      rounds of each load generator row (3)
#   BENCH_LG_SECONDS  seconds of each timed load generator run (2)
#   BENCH_LG_COUNT    operations of each unlink and rmdir run (2000)
#   BENCH_LG_FILE     size of the random IO file (64M)
#   BENCH_LG_ROWS     load generator rows to run (all; names as printed)
#   BENCH_FS          filesystems of the load generator ("tmpfs disk")
#   BENCH_DIR         where the temporary shares go (a fresh dir in /var/tmp)
#   BENCH_RESULTS     the report to write ($TOP/bench/RESULTS.md; "" for none)
#   BENCH_USMBD_GLOBAL  extra [global] lines for usmbd (e.g. "aio threads = 0")
#   BENCH_STRACE      workloads whose system calls per operation are counted
#                     with strace -c -f on each server ("open stat statc";
#                     "" for none)
#   BENCH_STRACE_N    operations of each counted run (2000)
#   BENCH_MEM         1 to measure the memory of an idle connection (1)
#
# Timing lives only here, never in the pass/fail tests.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${top_builddir:-$TOP}}
BUILD=$(cd "$BUILD" && pwd)
SIZE_MB=${BENCH_SIZE_MB:-1024}
RUNS=${BENCH_RUNS:-3}
SMALL_N=${BENCH_SMALL_N:-2000}
SMALL_KB=${BENCH_SMALL_KB:-4}
PROTS=${BENCH_PROT:-off sign encrypt}
PROTO=${BENCH_PROTO:-SMB3_11}
SMBCLIENT_ON=${BENCH_SMBCLIENT:-1}
ROUNDS=${BENCH_ROUNDS:-3}
LG_SECS=${BENCH_LG_SECONDS:-2}
LG_COUNT=${BENCH_LG_COUNT:-2000}
LG_FILE=${BENCH_LG_FILE:-64M}
LG_ROWS=${BENCH_LG_ROWS:-all}
FSS=${BENCH_FS:-tmpfs disk}
RESULTS=${BENCH_RESULTS-$TOP/bench/RESULTS.md}
STRACE_WORK=${BENCH_STRACE-open stat statc}
STRACE_N=${BENCH_STRACE_N:-2000}
USER_NAME=usmbdbench
PASS='Bench-Pass-1'
LG=$BUILD/bench/usmbd-loadgen
START=$(date +%s)
LOAD0=$(cut -d ' ' -f 1-3 /proc/loadavg)
# The tree as it is when the run starts: what was built and runs.
DESCRIBE=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?')

die() {
	echo "bench: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root (both servers start as root)"
[ -x "$BUILD/usmbd" ] || die "no usmbd in $BUILD: build first, or name the build dir"
[ -x "$LG" ] || die "no bench/usmbd-loadgen in $BUILD: run make"
command -v smbclient >/dev/null || die "smbclient missing (apt-get install smbclient)"
SMBD=$(command -v smbd || echo /usr/sbin/smbd)
[ -x "$SMBD" ] || die "Samba's smbd missing (apt-get install samba)"
for u in _usmbd _usmbd-auth _usmbd-lock; do
	getent passwd "$u" >/dev/null ||
	    die "system user $u missing (regress/run-all.sh creates them)"
done

T=$(mktemp -d "${BENCH_DIR:-/var/tmp}/usmbd-bench.XXXXXX") || die mktemp
chmod 755 "$T"
USMBD_PID=
SAMBA_PID=
TMPFS_MOUNTED=

cleanup() {
	[ -n "$USMBD_PID" ] && kill -TERM "$USMBD_PID" 2>/dev/null
	[ -n "$SAMBA_PID" ] && kill -TERM "$SAMBA_PID" 2>/dev/null
	# samba-dcerpcd outlives smbd: stop it by its pid file, never by name.
	for f in "$T"/samba/pid/*.pid; do
		[ -f "$f" ] && kill -TERM "$(cat "$f" 2>/dev/null)" 2>/dev/null
	done
	sleep 1
	[ -n "$TMPFS_MOUNTED" ] && umount "$T/tmpfs"
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# The tmpfs shares: a private mount, so that nothing else fills it.
mkdir -p "$T/tmpfs"
if mount -t tmpfs -o size=4g,mode=755 usmbd-bench "$T/tmpfs" 2>/dev/null; then
	TMPFS_MOUNTED=1
	TMPFS_WHAT="a private tmpfs mounted for the run (size=4g)"
else
	TMPFS_WHAT="$T/tmpfs, not a tmpfs: the mount failed"
	case $FSS in
	*tmpfs*) die "cannot mount a tmpfs (set BENCH_FS=disk to skip it)" ;;
	esac
fi
DISK_WHAT="$T on $(df -T "$T" | awk 'NR == 2 { print $2 " (" $1 ")" }')"

freeport() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
UPORT=$(freeport)
SPORT=$(freeport)
while [ "$SPORT" = "$UPORT" ]; do SPORT=$(freeport); done

getent passwd "$USER_NAME" >/dev/null ||
    useradd --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$USER_NAME" || die "useradd $USER_NAME"

# share_dir SERVER FS: the directory behind a server's share on FS.
share_dir() {
	case $2 in
	tmpfs) echo "$T/tmpfs/share-$1" ;;
	*) echo "$T/share-$1" ;;
	esac
}
# share_name FS: what the share on FS is called, on both servers.
share_name() {
	case $1 in
	tmpfs) echo tmpfs ;;
	*) echo share ;;
	esac
}
for s in usmbd samba; do
	for fs in tmpfs disk; do
		mkdir -p "$(share_dir $s $fs)"
		chown "$USER_NAME" "$(share_dir $s $fs)"
	done
done

# usmbd.
mkdir -p "$T/usmbd/state" "$T/usmbd/private"
chmod 755 "$T/usmbd" "$T/usmbd/state"
chown _usmbd-auth "$T/usmbd/private"
chmod 700 "$T/usmbd/private"
cat > "$T/usmbd/smbd.conf" <<CEOF
[global]
	interfaces = 127.0.0.1
	smb ports = $UPORT
	state directory = $T/usmbd/state
	pid file = $T/usmbd/usmbd.pid
	passdb file = $T/usmbd/private/passdb
	libexec directory = $BUILD
	log level = 1
${BENCH_USMBD_GLOBAL:-}

[share]
	path = $(share_dir usmbd disk)
	read only = no

[tmpfs]
	path = $(share_dir usmbd tmpfs)
	read only = no
CEOF
printf '%s\n%s\n' "$PASS" "$PASS" |
    "$BUILD/usmbd-passwd" -f "$T/usmbd/smbd.conf" -a -s "$USER_NAME" >/dev/null ||
    die "usmbd-passwd"
"$BUILD/usmbd" -d -f "$T/usmbd/smbd.conf" >"$T/usmbd/log" 2>&1 &
USMBD_PID=$!

# Samba, with the same kind of share: DOS attributes and streams in
# xattrs as usmbd keeps them, and its sendfile and async IO switched on.
S=$T/samba
mkdir -p "$S/private" "$S/lock" "$S/state" "$S/cache" "$S/pid" "$S/ncalrpc"
cat > "$S/smb.conf" <<CEOF
[global]
	server role = standalone server
	smb ports = $SPORT
	interfaces = 127.0.0.1
	bind interfaces only = yes
	disable netbios = yes
	rpc_server:tcpip = no
	private dir = $S/private
	lock directory = $S/lock
	state directory = $S/state
	cache directory = $S/cache
	pid directory = $S/pid
	ncalrpc dir = $S/ncalrpc
	passdb backend = tdbsam:$S/private/passdb.tdb
	log file = $S/log.%m
	log level = 0
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes
	server min protocol = SMB2_02
	use sendfile = yes
	store dos attributes = yes

[share]
	path = $(share_dir samba disk)
	read only = no
	vfs objects = acl_xattr streams_xattr

[tmpfs]
	path = $(share_dir samba tmpfs)
	read only = no
	vfs objects = acl_xattr streams_xattr
CEOF
printf '%s\n%s\n' "$PASS" "$PASS" |
    smbpasswd -c "$S/smb.conf" -a -s "$USER_NAME" >/dev/null || die "smbpasswd"
# In a session of its own: its shutdown signals its process group.
setsid "$SMBD" --foreground --no-process-group -s "$S/smb.conf" \
    >"$S/stdout" 2>&1 &
SAMBA_PID=$!

cat > "$T/client.conf" <<CEOF
[global]
	client min protocol = SMB2_02
	client max protocol = SMB3_11
CEOF

# Wait until both answer.
for port in $UPORT $SPORT; do
	ok=0
	for _ in $(seq 1 100); do
		if smbclient -s "$T/client.conf" //127.0.0.1/share -p "$port" \
		    -U "$USER_NAME%$PASS" -c "ls" >/dev/null 2>&1; then
			ok=1
			break
		fi
		sleep 0.2
	done
	[ "$ok" = 1 ] || { cat "$T/usmbd/log" "$S/stdout" 2>/dev/null | tail -20;
	    die "server on port $port does not answer"; }
done

now() {
	date +%s.%N
}

median() {
	tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# rate MB SECONDS -> MB/s with one decimal
rate() {
	awk "BEGIN { printf \"%.1f\", $1 / $2 }"
}

ratio() {
	awk "BEGIN { if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"
}

# Every result is also a line of $ROWS, tab-separated, for RESULTS.md:
# fs test protection usmbd samba ratio p50 p99 server-cpu loadgen-cpu
ROWS=$T/rows
: > "$ROWS"
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$ROWS"
}

printf '# usmbd %s vs Samba %s, %s, loopback, %s cores, %s\n' "$DESCRIBE" \
    "$("$SMBD" --version | sed 's/Version //')" "$PROTO" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"

# smbclient: large and small transfers on the regular filesystem.

# smbc PORT PROT COMMANDS: one smbclient session, prints its seconds.
smbc() {
	port=$1 prot=$2
	shift 2
	opt="--option=clientminprotocol=$PROTO --option=clientmaxprotocol=$PROTO"
	[ "$prot" != off ] && opt="$opt --client-protection=$prot"
	t0=$(now)
	# shellcheck disable=SC2086
	smbclient -s "$T/client.conf" //127.0.0.1/share -p "$port" \
	    -U "$USER_NAME%$PASS" $opt -c "$*" >"$T/client.out" 2>&1 ||
	    { cat "$T/client.out" >&2; die "smbclient failed on port $port"; }
	t1=$(now)
	awk "BEGIN { printf \"%.3f\", $t1 - $t0 }"
}

smbclient_tests() {
	head -c $((SIZE_MB * 1048576)) /dev/urandom > "$T/big.bin"
	mkdir -p "$T/small"
	i=0
	while [ $i -lt "$SMALL_N" ]; do
		head -c $((SMALL_KB * 1024)) /dev/urandom > "$T/small/f$i.bin"
		i=$((i + 1))
	done
	mkdir -p "$T/back"
	printf '# smbclient: large file %s MiB, %s runs (median); %s files of %s KiB\n' \
	    "$SIZE_MB" "$RUNS" "$SMALL_N" "$SMALL_KB"
	printf '%-8s %-22s %12s %12s %8s\n' prot test usmbd samba ratio
	for prot in $PROTS; do
		for test in put get smallput smallget; do
			smbclient_test "$prot" "$test"
		done
	done
	cmp -s "$T/big.bin" "$(share_dir usmbd disk)/big.bin" ||
	    echo "WARNING: usmbd copy differs"
	cmp -s "$T/big.bin" "$(share_dir samba disk)/big.bin" ||
	    echo "WARNING: samba copy differs"
	rm -rf "$T/big.bin" "$T/small" "$T/back" \
	    "$(share_dir usmbd disk)/big.bin" "$(share_dir samba disk)/big.bin"
}

smbclient_test() {
	prot=$1 test=$2
	res=
	for port in $UPORT $SPORT; do
		times=
		case $test in
		put|get) n=$RUNS ;;
		*) n=1 ;;
		esac
		r=0
		while [ $r -lt "$n" ]; do
			case $test in
			put)
				s=$(smbc "$port" "$prot" "put $T/big.bin big.bin") ;;
			get)
				s=$(smbc "$port" "$prot" "get big.bin /dev/null") ;;
			smallput)
				s=$(smbc "$port" "$prot" "mkdir s$prot; cd s$prot; lcd $T/small; prompt off; mput *") ;;
			smallget)
				rm -f "$T"/back/*
				s=$(smbc "$port" "$prot" "cd s$prot; lcd $T/back; prompt off; mget *") ;;
			esac
			times="$times $s"
			r=$((r + 1))
		done
		m=$(echo "$times" | median)
		case $test in
		put|get) v=$(rate "$SIZE_MB" "$m") ;;
		*) v=$(awk "BEGIN { printf \"%d\", $SMALL_N / $m }") ;;
		esac
		res="$res $v"
	done
	set -- $res
	case $test in
	put|get) unit="MB/s" ;;
	*) unit="files/s" ;;
	esac
	printf '%-8s %-22s %12s %12s %8s\n' "$prot" "$test ($unit)" "$1" "$2" \
	    "$(ratio "$1" "$2")"
	row disk "smbclient $test ($unit)" "$prot" "$1" "$2" "$(ratio "$1" "$2")" \
	    - - - -
}

# usmbd-loadgen: single operations, usmbd and Samba alternately.

# The rows: name, protection, generator arguments, workload.  A row whose
# arguments hold -n runs for a count; every other for $LG_SECS seconds.
lg_rows() {
	cat <<REOF
read-qd1	off	-C 1 -q 1 -s $LG_FILE	read
read-qd32	off	-C 1 -q 32 -s $LG_FILE	read
write-qd1	off	-C 1 -q 1 -s $LG_FILE	write
write-qd32	off	-C 1 -q 32 -s $LG_FILE	write
read-qd32	sign	-C 1 -q 32 -s $LG_FILE	read
read-qd32	encrypt	-C 1 -q 32 -s $LG_FILE	read
echo	off	-C 1 -q 1	echo
open	off	-C 1 -q 1	open
break	off	-C 1 -q 1	break
lbreak	off	-C 1 -q 1	lbreak
stat	off	-C 1 -q 1	stat
statc	off	-C 1 -q 1	statc
statc	encrypt	-C 1 -q 1	statc
create	off	-C 1 -q 1	create
rename	off	-C 1 -q 1	rename
unlink	off	-C 1 -q 1 -n $LG_COUNT	unlink
mkdir	off	-C 1 -q 1	mkdir
rmdir	off	-C 1 -q 1 -n $LG_COUNT	rmdir
readdir	off	-C 1 -q 1	readdir
stat-4x8	off	-C 4 -q 8	stat
create-4x8	off	-C 4 -q 8	create
REOF
}

# json FIELD [OBJECT]: a number from the generator's JSON line in $T/lg.out
# (within the object named, for the latency percentiles).
json() {
	if [ $# -eq 2 ]; then
		sed -n "s/.*\"$2\":{[^}]*\"$1\":\([0-9.]*\).*/\1/p" "$T/lg.out"
	else
		sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$T/lg.out"
	fi
}

# lg_once SERVER FS PROT ARGS WORKLOAD: one run; appends its numbers to
# the lists of that server ($T/lg.SERVER.*).
lg_once() {
	srv=$1 fs=$2 prot=$3 args=$4 work=$5
	case $srv in
	usmbd) port=$UPORT pid=$USMBD_PID ;;
	*) port=$SPORT pid=$SAMBA_PID ;;
	esac
	case $prot in
	sign) popt=-S ;;
	encrypt) popt=-E ;;
	*) popt= ;;
	esac
	case $args in
	*-n*) ;;
	*) args="$args -d $LG_SECS" ;;
	esac
	# What earlier runs made is removed, untimed; fixtures stay.
	rm -rf "$(share_dir "$srv" "$fs")"/loadgen-run-*
	# shellcheck disable=SC2086
	if ! "$LG" -j -p "$port" -U "$USER_NAME%$PASS" -X "$pid" $popt $args \
	    "//127.0.0.1/$(share_name "$fs")" "$work" >"$T/lg.out" \
	    2>"$T/lg.err" || [ "$(json errors)" != 0 ]; then
		echo "bench: $srv $fs $work $prot failed:" >&2
		cat "$T/lg.out" "$T/lg.err" >&2
		echo fail >> "$T/lg.$srv.fail"
		return
	fi
	echo "$(json ops_per_s)" >> "$T/lg.$srv.rate"
	echo "$(json p50 latency_us)" >> "$T/lg.$srv.p50"
	echo "$(json p99 latency_us)" >> "$T/lg.$srv.p99"
	echo "$(json server_us_per_op)" >> "$T/lg.$srv.srv"
	echo "$(json cpu_pct)" >> "$T/lg.$srv.own"
}

# med SERVER WHAT: the median of a list, "-" for none.
med() {
	if [ -s "$T/lg.$1.$2" ]; then
		median < "$T/lg.$1.$2"
	else
		echo -
	fi
}

# num: a number as the tables show it, whole above 100, else one decimal.
num() {
	awk '$1 ~ /^[0-9.]+$/ { printf($1 >= 100 ? "%.0f\n" : "%.1f\n", $1); next }
	    { print }'
}

lg_row() {
	fs=$1 name=$2 prot=$3 args=$4 work=$5
	rm -f "$T"/lg.usmbd.* "$T"/lg.samba.*
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		lg_once usmbd "$fs" "$prot" "$args" "$work"
		lg_once samba "$fs" "$prot" "$args" "$work"
		r=$((r + 1))
	done
	u=$(med usmbd rate | num) s=$(med samba rate | num)
	[ -s "$T/lg.usmbd.fail" ] && u=fail
	[ -s "$T/lg.samba.fail" ] && s=fail
	rat=-
	[ "$u" != fail ] && [ "$s" != fail ] && rat=$(ratio "$u" "$s")
	p50="$(med usmbd p50 | num) / $(med samba p50 | num)"
	p99="$(med usmbd p99 | num) / $(med samba p99 | num)"
	printf '%-6s %-12s %-8s %12s %12s %8s  p50 %s us, p99 %s us\n' \
	    "$fs" "$name" "$prot" "$u" "$s" "$rat" "$p50" "$p99"
	row "$fs" "$name (ops/s)" "$prot" "$u" "$s" "$rat" "$p50" "$p99" \
	    "$(med usmbd srv | num) / $(med samba srv | num)" \
	    "$(med usmbd own | num) / $(med samba own | num)"
}

lg_tests() {
	printf '# usmbd-loadgen: %s rounds of usmbd then Samba, medians; %s s a run, %s operations for unlink and rmdir\n' \
	    "$ROUNDS" "$LG_SECS" "$LG_COUNT"
	printf '%-6s %-12s %-8s %12s %12s %8s  latency usmbd/Samba\n' \
	    fs test prot "usmbd op/s" "samba op/s" ratio
	for fs in $FSS; do
		lg_rows | while IFS='	' read -r name prot args work; do
			case " $LG_ROWS " in
			" all "|*" $name "*) lg_row "$fs" "$name" "$prot" "$args" "$work" ;;
			esac
		done
	done
}

# Where the time goes, counted rather than timed: the system calls of a
# server's whole process tree per operation, under strace -c -f (which
# slows the servers down, so nothing here is a rate).  Counts include the
# generator's one logon, spread over STRACE_N operations.

# tree_pids PID: PID and its descendants, as strace options.
tree_pids() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
	    { parent[$1] = $2 }
	    END {
		for (p in parent) {
			for (q = p; q != "" && q > 1; q = parent[q])
				if (q == root) { printf "-p %s ", p; break }
		}
	    }'
}

# strace_once SERVER WORKLOAD: one counted run on the tmpfs share; prints
# "syscalls-per-op<TAB>top calls per op".
strace_once() {
	srv=$1 work=$2
	case $srv in
	usmbd) port=$UPORT pid=$USMBD_PID ;;
	*) port=$SPORT pid=$SAMBA_PID ;;
	esac
	rm -rf "$(share_dir "$srv" tmpfs)"/loadgen-run-*
	rm -f "$T/strace.out"
	# Fixtures are made first, uncounted.
	"$LG" -p "$port" -U "$USER_NAME%$PASS" -n 1 "//127.0.0.1/tmpfs" \
	    "$work" >/dev/null 2>&1
	# shellcheck disable=SC2046
	strace -f -c -o "$T/strace.out" $(tree_pids "$pid") 2>"$T/strace.err" &
	spid=$!
	# strace says nothing when attached: give it a moment.
	sleep 1
	if ! "$LG" -j -p "$port" -U "$USER_NAME%$PASS" -C 1 -q 1 \
	    -n "$STRACE_N" "//127.0.0.1/tmpfs" "$work" >"$T/lg.out" \
	    2>"$T/lg.err" || [ "$(json errors)" != 0 ]; then
		kill -INT "$spid" 2>/dev/null
		wait "$spid"
		printf 'fail\t-\n'
		return
	fi
	kill -INT "$spid"
	wait "$spid"
	[ -n "${BENCH_STRACE_KEEP:-}" ] &&
	    cp "$T/strace.out" "$BENCH_STRACE_KEEP.$srv.$work"
	# strace -c: "% time, seconds, usecs/call, calls, [errors,] syscall".
	awk -v n="$STRACE_N" '
	    $NF == "total" { total = $4; next }
	    $1 ~ /^[0-9.]+$/ && NF >= 5 { calls[$NF] = $4 }
	    END {
		printf "%.1f\t", total / n
		k = 0
		while (k < 6) {
			best = ""
			for (c in calls)
				if (best == "" || calls[c] > calls[best])
					best = c
			if (best == "" || calls[best] / n < 0.05)
				break
			printf "%s%s %.1f", k ? ", " : "", best, calls[best] / n
			delete calls[best]
			k++
		}
		printf "\n"
	    }' "$T/strace.out"
}

# Memory an idle connection costs: the proportional set size (PSS) of
# the processes a logged-on client with one tree connect adds to the
# server's tree (usmbd: its session worker; Samba: its smbd child).

# tree_pid_list PID: PID and its descendants, one a line.
tree_pid_list() {
	tree_pids "$1" | tr ' ' '\n' | sed -n 's/^\([0-9][0-9]*\)$/\1/p'
}

mem_once() {
	srv=$1
	case $srv in
	usmbd) port=$UPORT pid=$USMBD_PID ;;
	*) port=$SPORT pid=$SAMBA_PID ;;
	esac
	tree_pid_list "$pid" | sort > "$T/pids.before"
	rm -f "$T/idle.ready"
	/usr/bin/python3 - "$port" "$USER_NAME" "$PASS" "$T/idle.ready" \
	    >"$T/idle.out" 2>&1 <<'PY' &
import sys, time
from impacket.smbconnection import SMBConnection
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login(sys.argv[2], sys.argv[3])
c.connectTree("share")
open(sys.argv[4], "w").close()
time.sleep(30)
PY
	ipid=$!
	for _ in $(seq 1 100); do
		[ -e "$T/idle.ready" ] && break
		sleep 0.1
	done
	sleep 1
	kb=0
	for p in $(tree_pid_list "$pid" | sort | comm -13 "$T/pids.before" -); do
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		kb=$((kb + ${v:-0}))
	done
	kill "$ipid" 2>/dev/null
	wait "$ipid" 2>/dev/null
	[ -e "$T/idle.ready" ] || kb=fail
	echo "$kb"
}

mem_tests() {
	[ "${BENCH_MEM:-1}" = 1 ] || return 0
	/usr/bin/python3 -c 'import impacket' 2>/dev/null || {
		echo "# python3-impacket missing: no memory figure"
		return 0
	}
	u=$(mem_once usmbd) s=$(mem_once samba)
	printf '# memory of one idle connection (PSS): usmbd %s KiB, Samba %s KiB\n' \
	    "$u" "$s"
	printf '%s\t%s\n' "$u" "$s" > "$MEMF"
}

strace_tests() {
	[ -n "$STRACE_WORK" ] || return 0
	if ! command -v strace >/dev/null; then
		echo "# strace missing (apt-get install strace): no system call counts"
		return 0
	fi
	printf '# system calls per operation (strace -c -f, %s operations on tmpfs)\n' \
	    "$STRACE_N"
	for work in $STRACE_WORK; do
		for srv in usmbd samba; do
			line=$(strace_once "$srv" "$work")
			printf '%-6s %-6s %s\n' "$work" "$srv" "$line"
			printf '%s\t%s\t%s\n' "$work" "$srv" "$line" >> "$SYSC"
		done
	done
}

# RESULTS.md: written from what this run measured, never by hand.

results_md() {
	cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	cat <<MEOF
# usmbd against Samba: results

Written by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') in $ELAPSED s;
not edited by hand.  Run it again with \`sudo sh bench/run.sh BUILDDIR\`
(\`bench/README.md\` says how and what the numbers mean).

## Machine and versions

| | |
|---|---|
| CPU | $cpu, $(nproc) cores |
| memory | $mem |
| kernel | $(uname -srm) |
| usmbd | $DESCRIBE, built with $(sed -n 's/^CC = //p' "$BUILD/Makefile") $(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile") |
| Samba | $("$SMBD" --version | sed 's/Version //'), smbclient $(smbclient --version | sed 's/Version //') |
| OpenSSL | $(openssl version 2>/dev/null || echo '?') |
| load average (1, 5, 15 min) | $LOAD0 at the start, $(cut -d ' ' -f 1-3 /proc/loadavg) at the end |
| share \`share\` (disk) | $DISK_WHAT |
| share \`tmpfs\` | $TMPFS_WHAT |

Both servers listen on 127.0.0.1 and serve the same two shares from the
same filesystems, one directory each; the client runs on the same
machine.  Samba runs with \`use sendfile = yes\`, \`store dos attributes =
yes\` and \`vfs objects = acl_xattr streams_xattr\`; usmbd with its
defaults${BENCH_USMBD_GLOBAL:+ and \`$BENCH_USMBD_GLOBAL\`}.

## Commands

Knobs: BENCH_SIZE_MB=$SIZE_MB BENCH_RUNS=$RUNS BENCH_SMALL_N=$SMALL_N
BENCH_SMALL_KB=$SMALL_KB BENCH_PROT="$PROTS" BENCH_PROTO=$PROTO
BENCH_SMBCLIENT=$SMBCLIENT_ON BENCH_ROUNDS=$ROUNDS BENCH_LG_SECONDS=$LG_SECS
BENCH_LG_COUNT=$LG_COUNT BENCH_LG_FILE=$LG_FILE BENCH_FS="$FSS".

smbclient (PORT is the server's, PROT the protection, \`off\` leaving the
option out; its wall-clock time, logon included, is measured):

    smbclient -s client.conf //127.0.0.1/share -p PORT -U $USER_NAME%PASSWORD \\
        --option=clientminprotocol=$PROTO --option=clientmaxprotocol=$PROTO \\
        --client-protection=PROT -c COMMANDS

with COMMANDS \`put big.bin big.bin\` (put), \`get big.bin /dev/null\` (get),
\`mkdir sPROT; cd sPROT; lcd small; prompt off; mput *\` (smallput) and
\`cd sPROT; lcd back; prompt off; mget *\` (smallget).

usmbd-loadgen (PID is the server's master, whose process tree's CPU time
it reads from /proc; SHARE is \`share\` or \`tmpfs\`; -S signs, -E
encrypts; SMB 3.1.1, NTLMv2):

    bench/usmbd-loadgen -j -p PORT -U $USER_NAME%PASSWORD -X PID [-S|-E] ARGS \\
        //127.0.0.1/SHARE WORKLOAD

| row | ARGS | WORKLOAD |
|---|---|---|
MEOF
	lg_rows | while IFS='	' read -r name prot args work; do
		case " $LG_ROWS " in
		" all "|*" $name "*) ;;
		*) continue ;;
		esac
		case $args in
		*-n*) ;;
		*) args="$args -d $LG_SECS" ;;
		esac
		case $prot in
		sign) args="-S $args" ;;
		encrypt) args="-E $args" ;;
		esac
		printf '| %s %s | `%s` | %s |\n' "$name" "$prot" "$args" "$work"
	done
	cat <<MEOF

Each row of the generator ran $ROUNDS rounds of usmbd then Samba
(A B A B ...), fixtures made once per server and filesystem before the
first, what a run makes removed between runs; the median of each side
counts.

## Results

usmbd/Samba is the ratio of operations (or MB, or files) per second:
above 1, usmbd is faster.  p50 and p99 are the latency of one operation
in microseconds, usmbd / Samba.  Server CPU is the CPU time of the
server's whole process tree per operation, in microseconds, usmbd /
Samba; generator CPU is usmbd-loadgen's own user and system time as a
share of one CPU during the usmbd / Samba runs: with $(nproc) CPUs shared
by client and server, a generator well under 100% was not the limit.

| fs | test | protection | usmbd | Samba | usmbd/Samba | p50 µs | p99 µs | server CPU µs/op | generator CPU % |
|---|---|---|---:|---:|---:|---:|---:|---:|---:|
MEOF
	awk -F '\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", \
	    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' "$ROWS"
	if [ -s "$MEMF" ]; then
		cat <<MEOF

## Memory of an idle connection

The proportional set size (PSS, from /proc/PID/smaps_rollup) of the
processes one idle client adds to each server's process tree once it has
logged on (NTLMv2, impacket) and connected to the share: usmbd's session
worker, Samba's smbd child.  Shared pages count in proportion to the
processes that share them.

| usmbd KiB | Samba KiB | usmbd/Samba |
|---:|---:|---:|
MEOF
		awk -F '\t' '{
		    r = "-"
		    if ($1 ~ /^[0-9]+$/ && $2 > 0)
			r = sprintf("%.2f", $1 / $2)
		    printf "| %s | %s | %s |\n", $1, $2, r }' "$MEMF"
	fi
	[ -s "$SYSC" ] || return 0
	cat <<MEOF

## System calls per operation

Counted, not timed: \`strace -c -f\` attached to each server's whole
process tree (usmbd: the master, lockd, authd and the session worker the
generator's connection gets; Samba: smbd and its children) while the
generator ran $STRACE_N operations of one workload on the tmpfs share at
queue depth 1, plain SMB 3.1.1.  The generator's logon is in the counts,
spread over the operations.  For usmbd, sendmsg and recvmsg include the
IPC with usmbd-lockd as well as the client's traffic; epoll_wait counts
wake-ups.

| workload | server | system calls per operation | most frequent, per operation |
|---|---|---:|---|
MEOF
	awk -F '\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' \
	    "$SYSC"
}

SYSC=$T/syscalls
MEMF=$T/memory
: > "$SYSC"
: > "$MEMF"
[ "$SMBCLIENT_ON" = 1 ] && smbclient_tests
lg_tests
mem_tests
strace_tests
ELAPSED=$(( $(date +%s) - START ))
if [ -n "$RESULTS" ]; then
	results_md > "$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS" &&
	    echo "# wrote $RESULTS"
fi
echo "# done in $ELAPSED s"
