#!/bin/sh
# Session workers see only their shares, in a private mount namespace.
# Where the kernel refuses one (a container without CAP_SYS_ADMIN,
# simulated by a regress hook), usmbd does not start and says why and what
# to set; with "require mount namespace = no" it starts and warns.
. "$top_srcdir/regress/integ/lib.sh"
grep -q 'define USMBD_REGRESS_HOOKS 1' "$top_builddir/config.h" ||
    skip "regress hooks not compiled in (configure --enable-regress-hooks)"
integ_setup mountns

USMBD_REGRESS_NO_MOUNT_NS=1 timeout 20 "$top_builddir/usmbd" -d -f "$CONF" \
    >"$T/out" 2>&1
rc=$?
check "no mount namespace: usmbd refuses to start (status $rc)" [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
check "and says why and what would allow it" \
    grep -q 'cannot create a mount namespace.*refusing to start (set "require mount namespace = no"' "$T/out"

echo "	require mount namespace = no" >"$T/extra"
sed -i "/^\[global\]$/r $T/extra" "$CONF"
USMBD_REGRESS_NO_MOUNT_NS=1 integ_start
check "require mount namespace = no: usmbd starts" kill -0 "$MASTER_PID"
check "and warns that workers can name every path of their user" \
    log_has "session workers can stat and name every path their user can"
check "usmbd -T shows the setting" sh -c \
    "'$top_builddir/usmbd' -T -f '$CONF' 2>/dev/null | grep -q 'require mount namespace = no'"
integ_done
