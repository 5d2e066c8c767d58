#!/bin/sh
# Benchmark usmbd against Samba's smbd on the same machine (doc/design.md §6):
# both servers on loopback ports, shares in the same filesystem, the same
# client (smbclient), the same files.  Prints throughput per test and the
# usmbd/Samba ratio (above 1: usmbd is faster).
#
# usage: sh bench/run.sh [BUILDDIR]      (as root; BUILDDIR holds a built usmbd)
# environment:
#   BENCH_SIZE_MB     size of the large file (1024)
#   BENCH_RUNS        runs of each large transfer (3); the median is reported
#   BENCH_SMALL_N     number of small files (2000)
#   BENCH_SMALL_KB    size of each small file in KiB (4)
#   BENCH_PROT        client protections to measure ("off sign encrypt")
#   BENCH_PROTO       dialect (SMB3_11)
#   BENCH_DIR         where the temporary shares go (a fresh dir in /var/tmp)
#   BENCH_USMBD_GLOBAL  extra [global] lines for usmbd (e.g. "aio threads = 0")
#
# Timing lives only here, never in the pass/fail tests.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${top_builddir:-$TOP}}
SIZE_MB=${BENCH_SIZE_MB:-1024}
RUNS=${BENCH_RUNS:-3}
SMALL_N=${BENCH_SMALL_N:-2000}
SMALL_KB=${BENCH_SMALL_KB:-4}
PROTS=${BENCH_PROT:-off sign encrypt}
PROTO=${BENCH_PROTO:-SMB3_11}
USER_NAME=usmbdbench
PASS='Bench-Pass-1'

die() {
	echo "bench: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root (both servers start as root)"
[ -x "$BUILD/usmbd" ] || die "no usmbd in $BUILD: build first, or name the build dir"
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

cleanup() {
	[ -n "$USMBD_PID" ] && kill -TERM "$USMBD_PID" 2>/dev/null
	[ -n "$SAMBA_PID" ] && kill -TERM "$SAMBA_PID" 2>/dev/null
	# samba-dcerpcd outlives smbd: stop it by its pid file, never by name.
	for f in "$T"/samba/pid/*.pid; do
		[ -f "$f" ] && kill -TERM "$(cat "$f" 2>/dev/null)" 2>/dev/null
	done
	sleep 1
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

freeport() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
UPORT=$(freeport)
SPORT=$(freeport)
while [ "$SPORT" = "$UPORT" ]; do SPORT=$(freeport); done

getent passwd "$USER_NAME" >/dev/null ||
    useradd --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$USER_NAME" || die "useradd $USER_NAME"

# usmbd.
mkdir -p "$T/usmbd/state" "$T/usmbd/private" "$T/share-usmbd"
chmod 755 "$T/usmbd" "$T/usmbd/state"
chown _usmbd-auth "$T/usmbd/private"
chmod 700 "$T/usmbd/private"
chown "$USER_NAME" "$T/share-usmbd"
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
	path = $T/share-usmbd
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
mkdir -p "$S/private" "$S/lock" "$S/state" "$S/cache" "$S/pid" \
    "$S/ncalrpc" "$T/share-samba"
chown "$USER_NAME" "$T/share-samba"
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
	path = $T/share-samba
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

# The files.
head -c $((SIZE_MB * 1048576)) /dev/urandom > "$T/big.bin"
mkdir -p "$T/small"
i=0
while [ $i -lt "$SMALL_N" ]; do
	head -c $((SMALL_KB * 1024)) /dev/urandom > "$T/small/f$i.bin"
	i=$((i + 1))
done
mkdir -p "$T/back"

now() {
	date +%s.%N
}

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

median() {
	tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# rate MB SECONDS -> MB/s with one decimal
rate() {
	awk "BEGIN { printf \"%.1f\", $1 / $2 }"
}

ratio() {
	awk "BEGIN { printf \"%.2f\", $1 / $2 }"
}

printf '# usmbd %s vs Samba %s, %s, loopback, %s cores, %s\n' \
    "$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?')" \
    "$("$SMBD" --version | sed 's/Version //')" "$PROTO" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '# large file %s MiB, %s runs (median); %s files of %s KiB\n' \
    "$SIZE_MB" "$RUNS" "$SMALL_N" "$SMALL_KB"
printf '%-8s %-22s %12s %12s %8s\n' prot test usmbd samba ratio

for prot in $PROTS; do
	for test in put get smallput smallget; do
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
	done
done
cmp -s "$T/big.bin" "$T/share-usmbd/big.bin" || echo "WARNING: usmbd copy differs"
cmp -s "$T/big.bin" "$T/share-samba/big.bin" || echo "WARNING: samba copy differs"
