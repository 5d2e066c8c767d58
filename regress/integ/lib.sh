# Shared helpers for the integration tests.  Each test sources this file,
# calls integ_setup, starts the real daemon as root with integ_start, and
# checks what a client or /proc shows.  Everything runs on loopback.
#
# Exit status follows the automake convention: 0 pass, 1 fail, 77 skip
# (with the reason printed), 99 hard error.

set -u

: "${top_builddir:?top_builddir must be set (make check sets it)}"
: "${top_srcdir:?top_srcdir must be set (make check sets it)}"

INTEG_FAILS=0
INTEG_CHECKS=0

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	INTEG_FAILS=$((INTEG_FAILS + 1))
}

pass() {
	echo "ok: $*"
}

# check DESCRIPTION COMMAND...: run COMMAND, count a failure if it fails.
check() {
	desc=$1
	shift
	INTEG_CHECKS=$((INTEG_CHECKS + 1))
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
	fi
}

integ_done() {
	echo "$INTEG_CHECKS checks, $INTEG_FAILS failed"
	if [ "$INTEG_CHECKS" -eq 0 ]; then
		echo "FAIL: the test asserted nothing"
		exit 1
	fi
	[ "$INTEG_FAILS" -eq 0 ] && exit 0
	exit 1
}

PY=/usr/bin/python3

# A port per test so that tests may run in parallel.
integ_port() {
	$PY - <<'PYEOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PYEOF
}

integ_need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root: the server drops privileges and sandboxes its processes"
	for u in _usmbd _usmbd-auth _usmbd-lock; do
		getent passwd "$u" >/dev/null || skip "system user $u missing (regress/run-all.sh creates it)"
	done
}

# integ_alone: from here to the end of the script, run apart from every
# other test that calls it (make check runs tests in parallel).  For the
# tests that load both cores for minutes and the one that cannot bear
# it: smbtorture's notify tests send a NOTIFY on one connection and at
# once change files through another, and a worker starved of CPU reads
# its NOTIFY after the change it was meant to see.
integ_alone() {
	exec 8>"$top_builddir/regress/.integ-alone.lock"
	flock 8
}

# integ_setup NAME: a private directory with a config, a share and a
# user database.
integ_setup() {
	integ_need_root
	T=$(mktemp -d "/tmp/usmbd-test-$1.XXXXXX")
	chmod 755 "$T"
	PORT=$(integ_port)
	mkdir -p "$T/state" "$T/share" "$T/private"
	chmod 755 "$T/state" "$T/share"
	chown _usmbd-auth "$T/private"
	chmod 700 "$T/private"
	CONF=$T/smbd.conf
	LOG=$T/log
	PIDFILE=$T/usmbd.pid
	cat > "$CONF" <<CONFEOF
[global]
	interfaces = 127.0.0.1
	smb ports = $PORT
	state directory = $T/state
	pid file = $T/usmbd.pid
	control socket = $T/ctl.sock
	passdb file = $T/private/passdb
	libexec directory = $top_builddir
	log level = ${INTEG_LOG_LEVEL:-2}
${INTEG_EXTRA_GLOBAL:-}

[share]
	path = $T/share
	read only = no
CONFEOF
	trap integ_cleanup EXIT
}

integ_start() {
	"$top_builddir/usmbd" -d -f "$CONF" >"$LOG" 2>&1 &
	MASTER_PID=$!
	for _ in $(seq 1 100); do
		if grep -q "started, pid" "$LOG" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$MASTER_PID" 2>/dev/null; then
			echo "usmbd exited at start:"
			cat "$LOG"
			exit 99
		fi
		sleep 0.1
	done
	echo "usmbd did not start:"
	cat "$LOG"
	exit 99
}

integ_stop() {
	if [ -n "${MASTER_PID:-}" ] && kill -0 "$MASTER_PID" 2>/dev/null; then
		kill -TERM "$MASTER_PID"
		for _ in $(seq 1 100); do
			kill -0 "$MASTER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$MASTER_PID" 2>/dev/null
		wait "$MASTER_PID" 2>/dev/null
	fi
	MASTER_PID=
}

integ_cleanup() {
	[ -n "${KEEPLOG:-}" ] && cp "$LOG" "$KEEPLOG"
	integ_stop
	if [ "${INTEG_FAILS:-0}" -ne 0 ] && [ -f "${LOG:-/nonexistent}" ]; then
		echo "---- server log ----"
		tail -n 60 "$LOG"
	fi
	[ -n "${T:-}" ] && rm -rf "$T"
}

# children_of PID [NAME]: pids of the direct children of PID.
children_of() {
	ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '
}

# child_named NAME: pid of the master's child whose argv[0]/title
# starts with NAME.
child_named() {
	for p in $(children_of "$MASTER_PID"); do
		if tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q "^$1"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# wait_for COMMAND...: retry for up to 5 seconds.
wait_for() {
	for _ in $(seq 1 50); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status"
}

# wait_gone PID: the process ends within 5 seconds.
wait_gone() {
	for _ in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# log_has PATTERN: the server log shows PATTERN within 5 seconds.
log_has() {
	wait_for grep -q -- "$1" "$LOG"
}

# integ_user NAME PASSWORD: a Unix account and a usmbd user for the tests.
integ_user() {
	if ! getent passwd "$1" >/dev/null; then
		useradd --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin "$1" 2>/dev/null ||
		    getent passwd "$1" >/dev/null || return 1
	fi
	printf '%s\n%s\n' "$2" "$2" |
	    "$top_builddir/usmbd-passwd" -f "$CONF" -a -s "$1" >/dev/null
}

# A private smb.conf for the Samba client tools, so that the machine's
# /etc/samba/smb.conf never leaks into a test.
integ_client_conf() {
	cat > "$T/client.conf" <<CEOF
[global]
	client min protocol = SMB2_02
	client max protocol = SMB3_11
CEOF
}

# samba_start [GLOBAL-LINES]: a private instance of Samba's own smbd over
# the same $T/share, as share "share" on its own loopback port $SPORT, with
# the user usmbdtest (password Secret-123) and the extra [global] lines
# given.  Sets S (its directory) and SAMBA_PID; stops it at exit.  Skips
# the test when smbd is not installed or does not start.
samba_start() {
	SMBD=$(command -v smbd || echo /usr/sbin/smbd)
	[ -x "$SMBD" ] ||
	    skip "Samba's smbd not installed (apt-get install samba)"
	S=$T/samba
	SPORT=$(integ_port)
	mkdir -p "$S/private" "$S/lock" "$S/state" "$S/cache" "$S/pid" \
	    "$S/log"
	cat > "$S/smb.conf" <<SEOF
[global]
	private dir = $S/private
	lock directory = $S/lock
	state directory = $S/state
	cache directory = $S/cache
	pid directory = $S/pid
	log file = $S/log/log.%m
	smb ports = $SPORT
	interfaces = 127.0.0.1
	bind interfaces only = yes
	disable netbios = yes
	rpc_server:tcpip = no
	passdb backend = tdbsam
	map to guest = never
${1:-}
[share]
	path = $T/share
	read only = no
SEOF
	printf 'Secret-123\nSecret-123\n' |
	    smbpasswd -c "$S/smb.conf" -a -s usmbdtest >/dev/null 2>&1 ||
	    skip "cannot add the Samba user"
	# Its own session: smbd signals its whole process group when it
	# stops.
	setsid "$SMBD" --foreground --no-process-group -s "$S/smb.conf" \
	    >"$S/log/smbd.out" 2>&1 &
	SAMBA_PID=$!
	trap samba_stop EXIT
	wait_for sh -c "ss -ltn | grep -q ':$SPORT '" ||
	    skip "Samba's smbd did not start"
}

samba_stop() {
	kill "$SAMBA_PID" 2>/dev/null
	wait "$SAMBA_PID" 2>/dev/null
	# samba-dcerpcd outlives smbd; stop it by its pid file only.
	for f in "$S"/pid/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	integ_cleanup
}
