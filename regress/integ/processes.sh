#!/bin/sh
# The process tree and each process's credentials and sandbox, read from
# /proc (doc/design.md §1, invariants 2, 4 and 5).
. "$top_srcdir/regress/integ/lib.sh"
integ_setup processes
integ_start

uid_of() { id -u "$1"; }

# check_sandboxed PID USER ROOTDIR: the usual checks of a child.
check_sandboxed() {
	pid=$1 user=$2 want_root=$3 name=$4
	u=$(uid_of "$user")
	check "$name runs as $user (real, effective, saved, fs)" \
	    [ "$(status_field "$pid" Uid)" = "$u $u $u $u" ]
	groups=$(status_field "$pid" Groups | tr -d ' ')
	check "$name has no supplementary groups beyond its own ($groups)" \
	    [ -z "$groups" -o "$groups" = "$(id -g "$user")" ]
	check "$name has no effective capabilities" [ "$(status_field "$pid" CapEff)" = 0000000000000000 ]
	check "$name has no permitted capabilities" [ "$(status_field "$pid" CapPrm)" = 0000000000000000 ]
	check "$name has NoNewPrivs" [ "$(status_field "$pid" NoNewPrivs)" = 1 ]
	check "$name is under a seccomp filter" [ "$(status_field "$pid" Seccomp)" = 2 ]
	if [ -n "$want_root" ]; then
		check "$name is chrooted to $want_root" [ "$(readlink /proc/$pid/root)" = "$want_root" ]
	fi
}

check "master runs as root" [ "$(status_field "$MASTER_PID" Uid | awk '{print $1}')" = 0 ]
check "authd is a child of the master" wait_for child_named usmbd-authd
check "lockd is a child of the master" wait_for child_named usmbd-lockd
AUTHD=$(child_named usmbd-authd)
LOCKD=$(child_named usmbd-lockd)
check_sandboxed "$AUTHD" _usmbd-auth "" authd
check_sandboxed "$LOCKD" _usmbd-lock "$T/state/empty" lockd
check "the process title of lockd says lockd" sh -c "tr '\0' ' ' < /proc/$LOCKD/cmdline | grep -q lockd"

# A connection gets its own preauth process.
mkfifo "$T/hold"
$PY "$top_srcdir/regress/integ/smbclient_raw.py" "$PORT" hold 1 < "$T/hold" > "$T/holdout" &
HOLDER=$!
exec 9>"$T/hold"
check "a connection starts a preauth process" wait_for child_named usmbd-preauth
PRE=$(child_named usmbd-preauth)
check_sandboxed "$PRE" _usmbd "$T/state/empty" preauth
check "preauth's title names the client" sh -c "tr '\0' ' ' < /proc/$PRE/cmdline | grep -q 'preauth 127.0.0.1:'"
# Besides stdio (stderr is the test's log), only sockets and the event
# loop's anonymous fds: no file of any file system stays open.
FILES=$(for f in /proc/$PRE/fd/*; do n=${f##*/}; [ "$n" -le 2 ] && continue; readlink "$f"; done | grep '^/' | tr '\n' ' ')
check "preauth holds no file open beyond stdio (${FILES:-none})" [ -z "$FILES" ]
check "preauth's fd 3, 5 and 6 are its master, client and authd sockets" \
    sh -c "for n in 3 5 6; do readlink /proc/$PRE/fd/\$n | grep -q '^socket:' || exit 1; done"
check "the user database is not readable by preauth's user" \
    sh -c "! su -s /bin/sh _usmbd -c 'cat $T/private/passdb' 2>/dev/null"
exec 9>&-
wait "$HOLDER"
check "preauth exits when the client goes" wait_gone "$PRE"
integ_done
