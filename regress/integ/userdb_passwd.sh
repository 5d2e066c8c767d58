#!/bin/sh
# usmbd-passwd as an administrator uses it: add, list, disable, enable,
# delete; refusals for users without a Unix account and bad arguments.
. "$top_srcdir/regress/integ/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root: the database belongs to the authd user"
getent passwd _usmbd-auth >/dev/null || skip "system user _usmbd-auth missing (regress/run-all.sh creates it)"
T=$(mktemp -d /tmp/usmbd-test-passwd.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat > "$T/smbd.conf" <<CEOF
[global]
	passdb file = $T/private/passdb
	state directory = $T
CEOF
P="$top_builddir/usmbd-passwd -f $T/smbd.conf"

check "add an existing Unix user, and say so" sh -c \
    "printf 'pw1\npw1\n' | $P -a -s nobody | grep -q '^nobody added'"
check "the database is owned by the authd user" [ "$(stat -c %U "$T/private/passdb")" = _usmbd-auth ]
check "the database is mode 0600" [ "$(stat -c %a "$T/private/passdb")" = 600 ]
check "its directory is mode 0700" [ "$(stat -c %a "$T/private")" = 700 ]
check "list shows the user enabled" sh -c "$P -l | grep -q '^nobody *enabled'"
check "list never shows a hash" sh -c "! $P -l | grep -qi '[0-9a-f]\{32\}'"
check "list one user" sh -c "$P -l nobody | grep -q '^nobody *enabled'"
check "list a user who is not there: an error" \
    sh -c "! $P -l no-such-user 2>/dev/null"
check "root is refused: it never logs on" sh -c \
    "! printf 'pw\npw\n' | $P -a -s root 2>$T/err && grep -q 'is root' $T/err"
check "and was not added" sh -c "! $P -l | grep -q '^root '"
check "disable, and say so" sh -c "$P -D nobody | grep -q '^nobody disabled'"
check "list shows it disabled" sh -c "$P -l | grep -q '^nobody *disabled'"
check "enable" $P -e nobody
check "change the password" sh -c "printf 'pw2\npw2\n' | $P -a -s nobody"
check "mismatched passwords are refused" sh -c "! printf 'a\nb\n' | $P -a -s nobody 2>/dev/null"
check "a user without a Unix account is refused" sh -c "! printf 'a\na\n' | $P -a -s no-such-unix-user-x 2>/dev/null"
check "delete" $P -x nobody
check "deleting again fails" sh -c "! $P -x nobody 2>/dev/null"
check "no option is a usage error" sh -c "$P 2>&1 | grep -q '^usage: usmbd-passwd'"
check "-h prints the usage, and succeeds" sh -c "$P -h | grep -q '^usage: usmbd-passwd'"
check "-V prints the version" sh -c "$P -V | grep -q '^usmbd-passwd [0-9]'"
check "usmbd -V prints the version" sh -c \
    "$top_builddir/usmbd -V | grep -q '^usmbd [0-9]'"
check "usmbd -h prints the usage, and succeeds" sh -c \
    "$top_builddir/usmbd -h | grep -q '^usage: usmbd '"
for p in usmbd-preauth usmbd-session usmbd-authd usmbd-lockd; do
	check "$p -V prints the version" sh -c \
	    "$top_builddir/$p -V | grep -q '^$p [0-9]'"
	check "$p -h says usmbd starts it" sh -c \
	    "$top_builddir/$p -h | grep -q 'started by usmbd(8)'"
done
check "two operations are a usage error" sh -c "! $P -a -x nobody 2>/dev/null"
check "no temporary files are left behind" sh -c "[ \$(ls $T/private | grep -v -c '^passdb\\(.lock\\)\\?\$') -eq 0 ]"
integ_done
