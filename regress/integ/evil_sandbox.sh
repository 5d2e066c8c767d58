#!/bin/sh
# The evil-process suite, inside the real sandboxes: every kind of
# sandboxed child is started with an attack (the regress mode of
# shared/evil.h) that it runs right after its sandbox is in place, as a
# process whose parser was taken over would.  Each check passes only when
# the attack is stopped: the child says "stopped" (the kernel said no) or
# dies by SIGSYS (seccomp), and, seen from outside, the target file is
# unchanged and the target process alive.  This is the proof of the
# rights table in doc/rights.md.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
command -v setpriv >/dev/null || skip "setpriv not installed (util-linux)"
grep -q 'define USMBD_REGRESS_HOOKS 1' "$top_builddir/config.h" ||
    skip "regress hooks not compiled in (configure --enable-regress-hooks)"
integ_setup evil
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
mkdir -p "$T/ro" "$T/outside"
chmod 755 "$T/outside"
chown usmbdtest "$T/ro"
printf '\n[ro]\n\tpath = %s\n\tread only = yes\n' "$T/ro" >>"$CONF"
# A share that forces another user and group: its worker keeps those ids
# as its saved ones, and may switch to them and to no other.
getent passwd usmbdfu >/dev/null || useradd --no-create-home \
    --home-dir /nonexistent --shell /usr/sbin/nologin usmbdfu ||
    skip "cannot create the Unix user usmbdfu"
mkdir -p "$T/forced"
chown usmbdfu "$T/forced"
printf '\n[forced]\n\tpath = %s\n\tforce user = usmbdfu\n' "$T/forced" \
    >>"$CONF"
integ_client_conf

# The user's own file outside every share is the target of the file
# attacks: only the sandbox stands between the worker and it.
V=$T/outside/victim.txt
echo secret >"$V"
chown usmbdtest "$V"
chmod 600 "$V"
vstate() {
	stat -c '%a %U %Y %s' "$V"
	getfattr -d "$V" 2>/dev/null
	ls "$T/outside"
}
VSTATE=$(vstate)

# Victim processes: one of the user, one of the preauth user.
setpriv --reuid usmbdtest --regid "$(id -g usmbdtest)" --clear-groups \
    sleep 600 &
UPID=$!
setpriv --reuid _usmbd --regid "$(id -g _usmbd)" --clear-groups sleep 600 &
PPID_=$!
trap 'kill $UPID $PPID_ 2>/dev/null; integ_cleanup' EXIT

# attack PROG ATTACK[:ARG]: restart the server with every PROG starting
# with the attack, make one start, and check that it was stopped.
attack() {
	prog=$1 spec=$2
	integ_stop
	: >"$LOG"
	USMBD_REGRESS_ATTACK="$prog:$spec"
	export USMBD_REGRESS_ATTACK
	integ_start
	unset USMBD_REGRESS_ATTACK
	case $prog in
	preauth|session)
		timeout 20 smbclient -s "$T/client.conf" //127.0.0.1/share \
		    -p "$PORT" -U 'usmbdtest%Secret-123' -c ls \
		    >/dev/null 2>&1 ;;
	esac
	name=${spec%%:*}
	INTEG_CHECKS=$((INTEG_CHECKS + 1))
	if wait_for grep -qE "evil: $name .*: stopped|$prog( worker)? \(pid [0-9]*\) killed by signal 31" "$LOG" &&
	    ! grep -q "evil: $name .*: NOT STOPPED" "$LOG"; then
		how=$(grep -oE "evil: $name .*: stopped.*|killed by signal 31" "$LOG" | head -1)
		pass "$prog: $spec is stopped ($how)"
	else
		fail "$prog: $spec is NOT stopped"
		grep -E "evil|signal" "$LOG" | head -3
	fi
}

# The session worker: the user's files outside its shares, the read-only
# share, sockets, processes.
for a in open-read open-write chmod setxattr rename link unlink symlink \
    open-tree open-tree-clone stat listxattr utimensat inotify opath \
    dotdot; do
	attack session "$a:$V"
done
attack session "open-write:$T/ro/new.txt"
# A file lease (kernel oplocks) only on the user's own files: never on
# another owner's file of the share ([share] is /0 in its namespace),
# whose local opens it would hold up.
echo root >"$T/share/rootfile"
chmod 644 "$T/share/rootfile"
attack session "setlease:/0/rootfile"
attack session "open-read:/etc/shadow"
attack session "stat:/etc/shadow"
attack session "dotdot:/etc/shadow"
# What built the private root is not left to the worker.
attack session "chdir:$T/outside"
for a in remount-rw unshare; do
	attack session "$a"
done
attack session "open-read:$T/private/passdb"
for a in socket-inet socket-unix socket-netlink io-uring exec fork; do
	attack session "$a"
done
for a in kill ptrace prlimit proc; do
	attack session "$a:$UPID"
done
# Root, another user's ids (the preauth user's), group 0: none of them.
attack session "setuid:0"
attack session "setuid:$(id -u _usmbd)"
attack session "setgid:0"
attack session "setgid:$(id -g _usmbd)"
check "the user's file outside the shares is unchanged" \
    [ "$(vstate)" = "$VSTATE" ]
check "nothing was created in the read-only share" [ ! -e "$T/ro/new.txt" ]
check "the user's other process is alive" kill -0 "$UPID"

# preauth: no files at all, no sockets, not even another preauth's limits.
for a in open-read:/etc/passwd open-write:/tmp/evil-preauth socket-inet \
    socket-unix io-uring exec fork; do
	attack preauth "$a"
done
for a in kill ptrace prlimit proc; do
	attack preauth "$a:$PPID_"
done
check "the other _usmbd process is alive" kill -0 "$PPID_"
check "its CPU time limit is untouched" \
    grep -q "Max cpu time *unlimited" "/proc/$PPID_/limits"
check "preauth created nothing" [ ! -e /tmp/evil-preauth ]

# authd reads the user database and nothing else, and writes nothing.
for a in "open-write:$T/private/passdb" open-read:/etc/shadow \
    "open-read:$V" "unlink:$T/private/passdb" socket-inet io-uring exec \
    fork; do
	attack authd "$a"
done
# lockd: no file at all.
for a in open-read:/etc/passwd "open-read:$V" socket-inet io-uring exec \
    fork; do
	attack lockd "$a"
done
check "the user database is still there" [ -s "$T/private/passdb" ]

# Forged messages to the master.  Their effect is seen in the master's
# log; the process's own report may be lost with its channel.
# start_with PROG SPEC: restart with the attack, make one connection.
start_with() {
	integ_stop
	: >"$LOG"
	USMBD_REGRESS_ATTACK="$1:$2" integ_start
	timeout 20 smbclient -s "$T/client.conf" //127.0.0.1/share \
	    -p "$PORT" -U 'usmbdtest%Secret-123' -c ls >"$T/smb.out" 2>&1
}
honest_logon() {
	timeout 20 smbclient -s "$T/client.conf" //127.0.0.1/share \
	    -p "$PORT" -U 'usmbdtest%Secret-123' -c ls >/dev/null 2>&1
}
for prog in preauth session; do
	start_with $prog forge-auth
	check "$prog: authd's message from a $prog closes its channel" \
	    log_has "unexpected message type .* without fd.*closing channel"
	check "$prog: the master is alive" kill -0 "$MASTER_PID"
	check "$prog: nobody was logged on by it" \
	    sh -c "! grep -q 'authenticated as root' '$LOG'"

	start_with $prog forge-fd
	check "$prog: a descriptor on a log line closes its channel" \
	    log_has "unexpected message type .* with fd.*closing channel"
	check "$prog: the master is alive" kill -0 "$MASTER_PID"

	# The rules' phases (shared/ipc_rules.c): a handoff before the
	# hello, or from a session worker, is refused.
	start_with $prog early-handoff
	check "$prog: a handoff out of turn closes its channel" \
	    log_has "unexpected message type 9, .* in phase 0x[14];"
	check "$prog: the master is alive" kill -0 "$MASTER_PID"
	if [ $prog = preauth ]; then
		check "preauth: the connection got no share from it" \
		    sh -c "! grep -q 'blocks of size' '$T/smb.out'"
	fi
done
# A preauth process that says it is authd is stopped; a session worker
# may not say hello at all.
start_with preauth forge-hello
check "preauth: a hello naming authd stops it" \
    log_has "says it is program 3; stopping it"
start_with session forge-hello
check "session: a hello from a session worker closes its channel" \
    log_has "unexpected message type 2, .* in phase 0x4;"
check "after both, logons still work" honest_logon

# A worker's report for usmbd-ctl status that would write on the
# administrator's terminal is refused; the honest one that follows shows.
start_with session forge-info
check "session: a report with control characters is refused" \
    log_has "a session report that does not parse; ignoring it"
( (echo ls; sleep 3) | timeout 20 smbclient -s "$T/client.conf" \
    //127.0.0.1/share -p "$PORT" -U 'usmbdtest%Secret-123' >/dev/null 2>&1 &)
sleep 1.5
"$top_builddir/usmbd-ctl" -s "$T/ctl.sock" status >"$T/status" 2>&1
check "usmbd-ctl status shows no made-up line" sh -c \
    "! grep -q 'connection 99' '$T/status' && ! grep -q 'user root' \
    '$T/status' && ! grep -q \"\$(printf '\\033')\" '$T/status'"
check "and shows the worker's honest report" \
    grep -q "^	shares .*share" "$T/status"

# Every session worker of this server forges; the logons still work.
check "session: logons still work" honest_logon

# A worker's list of open files for usmbd-ctl, sent unasked, closes its
# channel: the master takes one answer per question it asked.
start_with session forge-files
check "session: an unasked list of open files closes its channel" \
    log_has "unexpected message type [0-9]*, length [0-9]*, .* in phase 0x4;"
check "session: the master is alive" kill -0 "$MASTER_PID"
"$top_builddir/usmbd-ctl" -s "$T/ctl.sock" status >"$T/status" 2>&1
check "usmbd-ctl status shows no forged file" sh -c \
    "! grep -q forged.txt '$T/status'"

# Asked, a worker's list whose names would write on the administrator's
# terminal (an escape sequence, made-up lines, an 8-bit CSI, a length
# beyond the message) is refused whole, and the status says so.
integ_stop
: >"$LOG"
USMBD_REGRESS_ATTACK=session:lie-files integ_start
( (echo ls; sleep 4) | timeout 30 smbclient -s "$T/client.conf" \
    //127.0.0.1/share -p "$PORT" -U 'usmbdtest%Secret-123' >/dev/null 2>&1 &)
wait_for grep -q "started session" "$LOG"
sleep 0.5
"$top_builddir/usmbd-ctl" -s "$T/ctl.sock" status >"$T/status" 2>&1
check "session: a list of open files with names for a terminal is refused" \
    log_has "its worker's list of open files does not parse; ignoring it"
check "usmbd-ctl status shows none of it, and says it was refused" sh -c \
    "! grep -q 'connection 99' '$T/status' && ! grep -q 'user root' \
    '$T/status' && ! grep -q fake.txt '$T/status' &&
    ! grep -q \"\$(printf '\\033')\" '$T/status' &&
    grep -q \"^	open file names: the worker's answer was refused\" '$T/status'"
"$top_builddir/usmbd-ctl" -s "$T/ctl.sock" -j status >"$T/json" 2>&1
check "the worker's next, honest list is taken" /usr/bin/python3 -c "
import json
c = [x for x in json.load(open('$T/json'))['connections'] if 'pid' in x]
assert c and c[0]['files'] == [] and c[0]['files_total'] == 0, c
"
check "session: the master is alive" kill -0 "$MASTER_PID"

# A worker names a PreviousSessionId: the master tells only the workers
# of its own uid, from its own table, to end it; another user's session
# lives on.  An answer to an end the master never asked for is dropped.
integ_user usmbdevil Evil-Secret-123
integ_stop
: >"$LOG"
USMBD_REGRESS_ATTACK="session:previous:$(id -u usmbdevil)" integ_start
( (echo ls; sleep 3; echo ls) | timeout 30 smbclient -s "$T/client.conf" \
    //127.0.0.1/share -p "$PORT" -U 'usmbdtest%Secret-123' \
    >"$T/other.out" 2>&1 &)
wait_for grep -q "started session" "$LOG"
timeout 20 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
    -U 'usmbdevil%Evil-Secret-123' -c ls >"$T/smb.out" 2>&1
check "session: a previous session is asked of no worker of another user" \
    log_has "names previous session 0x1: asked 0 other workers of uid $(id -u usmbdevil)"
sleep 3.5
check "the other user's session still serves its client" sh -c \
    "[ \$(grep -c 'blocks of size' '$T/other.out') -eq 2 ]"
check "session: the master is alive" kill -0 "$MASTER_PID"

start_with session log-forge
check "a line in authd's name from a worker is marked as not its own" \
    log_has "session\[[0-9]*\]: (not its own name) authd\[1\]: user"
check "no line starts as authd's" sh -c "! grep -q '^authd\[1\]' '$LOG'"

# lockd's numbers for usmbd-ctl, sent unasked, close its channel: the
# master takes one answer per question it asked (shared/ipc_rules.c).
start_with lockd forge-status
check "lockd: an unasked status answer closes its channel" \
    log_has "unexpected message type [0-9]*, length 32, .* in phase 0x[14];"
check "lockd: the master is alive" kill -0 "$MASTER_PID"

# A worker gives back the slots of a share's "max connections" that
# another worker holds, to get its own client past the limit: lockd takes
# back only the sender's own slots (lockd/lockd_tcon.c).  Every worker of
# this server tries it as it starts, the holder's too.
mkdir -p "$T/lim"
chown usmbdtest "$T/lim"
printf '\n[lim]\n\tpath = %s\n\tmax connections = 1\n' "$T/lim" >>"$CONF"
integ_stop
: >"$LOG"
USMBD_REGRESS_ATTACK="session:tcon-release:lim" integ_start
(echo ls; sleep 6) | timeout 20 smbclient -s "$T/client.conf" \
    //127.0.0.1/lim -p "$PORT" -U 'usmbdtest%Secret-123' >/dev/null 2>&1 &
HOLDER=$!
check "session: a worker holds the one slot of [lim]" \
    log_has "connected to lim (tree"
timeout 20 smbclient -s "$T/client.conf" //127.0.0.1/lim -p "$PORT" \
    -U 'usmbdtest%Secret-123' -c ls >"$T/smb.out" 2>&1
check "session: releasing another worker's slot is stopped" sh -c \
    "[ \$(grep -c 'evil: tcon-release lim: stopped' '$LOG') -ge 2 ] &&
    ! grep -q 'evil: tcon-release lim: NOT STOPPED' '$LOG'"
check "and its client is still refused (INSUFFICIENT_RESOURCES)" \
    grep -q NT_STATUS_INSUFFICIENT_RESOURCES "$T/smb.out"
check "the refusal is logged" \
    log_has 'refused share "lim": max connections (1) reached'
lim_ls() {
	timeout 20 smbclient -s "$T/client.conf" //127.0.0.1/lim -p "$PORT" \
	    -U 'usmbdtest%Secret-123' -c ls >/dev/null 2>&1
}
wait "$HOLDER"
check "once the holder is gone, the slot is free" wait_for lim_ls

# A flood of log lines at log level 1: at most ten seconds' worth at the
# rate limit get through, the rest are counted, and the worker still
# serves its client.
sed -i 's/^\tlog level = .*/\tlog level = 1\n\tlog rate limit = 50/' "$CONF"
start_with session log-flood:20000
check "the flooding worker still served its client" grep -q "blocks of size" "$T/smb.out"
check "the master says it drops the worker's lines" \
    log_has "session (pid [0-9]*) sends more than 50 log lines a second"
check "the master is alive" kill -0 "$MASTER_PID"
check "an honest logon still works" honest_logon
integ_stop
n=$(grep -c "evil flood" "$LOG")
d=$(sed -n 's/.*session (pid [0-9]*): \([0-9]*\) log lines dropped.*/\1/p' "$LOG" |
    awk '{ s += $1 } END { print s + 0 }')
check "most of the flood was dropped ($n of 20000 lines logged)" [ "$n" -lt 10000 ]
check "and every line dropped is counted ($d dropped)" [ $((n + d)) -ge 20000 ]
integ_done
