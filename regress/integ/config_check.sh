#!/bin/sh
# usmbd -t and -T: a good configuration passes, a bad one names the broken
# line, unknown parameters warn without failing.
. "$top_srcdir/regress/integ/lib.sh"

T=$(mktemp -d /tmp/usmbd-test-conf.XXXXXX)
trap 'rm -rf "$T"' EXIT
U=$top_builddir/usmbd

cat > "$T/good.conf" <<EOF2
[global]
	interfaces = 127.0.0.1
	smb ports = 4455
	state directory = $T

[data]
	path = $T
EOF2
check "good config: -t exits 0" "$U" -t -f "$T/good.conf"
out=$("$U" -t -f "$T/good.conf" 2>&1)
check "good config: -t says OK" sh -c "echo '$out' | grep -q 'configuration OK'"
out=$("$U" -T -f "$T/good.conf" 2>&1)
check "-T prints the effective port" sh -c "printf '%s\n' \"\$1\" | grep -q 'smb ports = 4455'" _ "$out"
check "-T prints defaults too" sh -c "printf '%s\n' \"\$1\" | grep -qi 'negotiate timeout = '" _ "$out"
check "-T prints the share" sh -c "printf '%s\n' \"\$1\" | grep -q '^\[data\]'" _ "$out"

cat > "$T/bad.conf" <<EOF2
[global]
	interfaces = 127.0.0.1
	smb ports = 4455

[data]
	path = $T
	read only = maybe
EOF2
"$U" -t -f "$T/bad.conf" >"$T/out" 2>&1
rc=$?
check "bad config: -t exits non-zero" [ "$rc" -ne 0 ]
check "bad config: names file and line 7" grep -q "bad.conf:7:" "$T/out"

cat > "$T/unknown.conf" <<EOF2
[global]
	no such parameter = 1
	smb ports = 4455
EOF2
"$U" -t -f "$T/unknown.conf" >"$T/out" 2>&1
rc=$?
check "unknown parameter: still valid" [ "$rc" -eq 0 ]
check "unknown parameter: warned with its line" grep -q "unknown.conf:2:" "$T/out"

"$U" -t -f "$T/missing.conf" >"$T/out" 2>&1
rc=$?
check "missing config: -t exits non-zero" [ "$rc" -ne 0 ]

# The three unprivileged processes need three users.
if [ "$(id -u)" -eq 0 ] && getent passwd _usmbd >/dev/null &&
    getent passwd _usmbd-auth >/dev/null; then
	cat > "$T/sameuser.conf" <<EOF2
[global]
	interfaces = 127.0.0.1
	smb ports = $(integ_port)
	state directory = $T
	lockd user = _usmbd

[data]
	path = $T
EOF2
	timeout 10 "$U" -D -f "$T/sameuser.conf" >"$T/out" 2>&1
	rc=$?
	check "lockd user = preauth user: refused at start" [ "$rc" -ne 0 ]
	check "and the log says which users are the same" \
	    grep -q 'preauth user "_usmbd" and lockd user "_usmbd" are the same user' "$T/out"
else
	echo "not root or no system users: the distinct-users check is not run"
fi

"$U" -x >"$T/out" 2>&1
rc=$?
check "bad option: usage and non-zero exit" sh -c "[ $rc -ne 0 ] && grep -q '^usage: usmbd' '$T/out'"
integ_done
