#!/bin/sh
# usmbd -t and -T: a good configuration passes, a bad one names the broken
# line, unknown parameters warn without failing.
. "$top_srcdir/regress/integ/lib.sh"

T=$(mktemp -d /tmp/usmbd-test-conf.XXXXXX)
trap 'rm -rf "$T"' EXIT
U=$top_builddir/usmbd

# A user database as usmbd-passwd leaves it: authd's user's, mode 600.
: >"$T/passdb"
chmod 600 "$T/passdb"
chown _usmbd-auth "$T/passdb" 2>/dev/null
cat > "$T/good.conf" <<EOF2
[global]
	interfaces = 127.0.0.1
	smb ports = 4455
	state directory = $T
	passdb file = $T/passdb
	libexec directory = $top_builddir

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
	passdb file = $T/passdb
	libexec directory = $top_builddir
EOF2
"$U" -t -f "$T/unknown.conf" >"$T/out" 2>&1
rc=$?
check "unknown parameter: -t fails, since it would have no effect" \
    [ "$rc" -eq 1 ]
check "unknown parameter: warned with its line" grep -q "unknown.conf:2:" "$T/out"
check "unknown parameter: -t counts the warning" \
    grep -q "loads, but with 1 warning" "$T/out"

# What this version does not do: an error where it is about who may do
# what, else a warning; either way -t fails and -T shows the default.
cat > "$T/unsupported.conf" <<EOF2
[global]
	smb ports = 4455
[data]
	path = $T
	oplocks = yes
	delete veto files = yes
EOF2
"$U" -t -f "$T/unsupported.conf" >"$T/out" 2>&1
rc=$?
check "unsupported share parameter: -t fails" [ "$rc" -eq 1 ]
check "unsupported share parameter: the line says so" \
    grep -q "unsupported.conf:6: delete veto files: not supported by this version" \
    "$T/out"
out=$("$U" -T -f "$T/unsupported.conf" 2>/dev/null)
check "unsupported share parameter: -T shows what the server does" sh -c \
    "printf '%s\n' \"\$1\" | grep -q 'delete veto files = no' &&
    printf '%s\n' \"\$1\" | grep -q 'oplocks = yes'" _ "$out"
cat > "$T/adminusers.conf" <<EOF2
[global]
	smb ports = 4455
[data]
	path = $T
	admin users = nobody
EOF2
"$U" -t -f "$T/adminusers.conf" >"$T/out" 2>&1
rc=$?
check "admin users: an error" [ "$rc" -eq 1 ]
check "admin users: not valid, with its line" sh -c \
    "grep -q 'adminusers.conf:5: admin users: not supported by this version' \
    '$T/out' && grep -q 'configuration not valid' '$T/out'"

# What would fail only at run time: usmbd -t says so, with what to fix.
# checkrt NAME TEXT: a config like good.conf plus TEXT in its share (or
# its [global] when TEXT starts with "global:"); -t output in $T/out.
checkrt() {
	g="" s=""
	case $2 in
	global:*) g=${2#global:} ;;
	*) s=$2 ;;
	esac
	cat > "$T/$1.conf" <<EOF2
[global]
	smb ports = 4455
	state directory = $T
	passdb file = $T/passdb
	libexec directory = $top_builddir
$g
[data]
	path = $T
$s
EOF2
	"$U" -t -f "$T/$1.conf" >"$T/out" 2>&1
}
checkrt nopath "[other]
	path = $T/nosuch"
rc=$?
check "a share path that does not exist: -t fails" [ "$rc" -eq 1 ]
check "and names the share and the path" grep -q \
    "share \[other\]: path $T/nosuch: No such file or directory" "$T/out"
checkrt filepath "[other]
	path = $T/passdb"
check "a share path that is a file: named" grep -q \
    "share \[other\]: path $T/passdb is not a directory" "$T/out"
checkrt nouser "	valid users = nosuchuser, @nosuchgroup, root"
rc=$?
check "valid users naming no user or group: -t fails" [ "$rc" -eq 1 ]
check "and names each" sh -c "grep -q 'valid users: no user \"nosuchuser\"' \
    '$T/out' && grep -q 'valid users: no group \"nosuchgroup\"' '$T/out' &&
    ! grep -q '\"root\"' '$T/out'"
checkrt libexec "global:	libexec directory = $T"
rc=$?
check "a libexec directory without the helpers: -t fails" [ "$rc" -eq 1 ]
check "and names the missing program" \
    grep -q "libexec directory: $T/usmbd-authd: No such file" "$T/out"
if [ "$(id -u)" -eq 0 ]; then
	"$U" -D -f "$T/libexec.conf" >"$T/out" 2>&1 &
	pid=$!
	sleep 2
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		started=yes
	else
		started=no
	fi
	check "and usmbd refuses to start, naming it" sh -c \
	    "[ $started = no ] && grep -q 'usmbd-preauth' '$T/out'"
fi
chmod 644 "$T/passdb"
checkrt passdb ""
rc=$?
check "a passdb file others can read: -t fails" [ "$rc" -eq 1 ]
check "and says why" grep -q "has mode 0644: others could read" "$T/out"
chmod 600 "$T/passdb"
checkrt nopassdb "global:	passdb file = $T/none"
check "no passdb file yet: a warning that says how to add users" \
    grep -q "does not exist: nobody can log on but guests" "$T/out"

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
