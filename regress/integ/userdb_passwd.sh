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

check "add an existing Unix user" sh -c "printf 'pw1\npw1\n' | $P -a -s nobody"
check "the database is owned by the authd user" [ "$(stat -c %U "$T/private/passdb")" = _usmbd-auth ]
check "the database is mode 0600" [ "$(stat -c %a "$T/private/passdb")" = 600 ]
check "its directory is mode 0700" [ "$(stat -c %a "$T/private")" = 700 ]
check "list shows the user enabled" sh -c "$P -l | grep -q '^nobody *enabled'"
check "list never shows a hash" sh -c "! $P -l | grep -qi '[0-9a-f]\{32\}'"
check "disable" $P -D nobody
check "list shows it disabled" sh -c "$P -l | grep -q '^nobody *disabled'"
check "enable" $P -e nobody
check "change the password" sh -c "printf 'pw2\npw2\n' | $P -a -s nobody"
check "mismatched passwords are refused" sh -c "! printf 'a\nb\n' | $P -a -s nobody 2>/dev/null"
check "a user without a Unix account is refused" sh -c "! printf 'a\na\n' | $P -a -s no-such-unix-user-x 2>/dev/null"
check "delete" $P -x nobody
check "deleting again fails" sh -c "! $P -x nobody 2>/dev/null"
check "no option is a usage error" sh -c "$P 2>&1 | grep -q '^usage: usmbd-passwd'"
check "two operations are a usage error" sh -c "! $P -a -x nobody 2>/dev/null"
check "no temporary files are left behind" sh -c "[ \$(ls $T/private | grep -v -c '^passdb\\(.lock\\)\\?\$') -eq 0 ]"
integ_done
