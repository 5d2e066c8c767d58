#!/bin/sh
# Without Landlock in the kernel (simulated by a regress hook) usmbd does
# not start, and says why and what to set; with "require landlock = no"
# it starts, warns, and still serves.
. "$top_srcdir/regress/integ/lib.sh"
grep -q 'define USMBD_REGRESS_HOOKS 1' "$top_builddir/config.h" ||
    skip "regress hooks not compiled in (configure --enable-regress-hooks)"
integ_setup landlock

USMBD_REGRESS_NO_LANDLOCK=1 timeout 20 "$top_builddir/usmbd" -d -f "$CONF" \
    >"$T/out" 2>&1
rc=$?
check "no Landlock: usmbd refuses to start (status $rc)" [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
check "and says why and what would allow it" \
    grep -q 'Landlock is not available.*refusing to start (set "require landlock = no"' "$T/out"

echo "	require landlock = no" >"$T/extra"
sed -i "/^\[global\]$/r $T/extra" "$CONF"
USMBD_REGRESS_NO_LANDLOCK=1 integ_start
check "require landlock = no: usmbd starts" kill -0 "$MASTER_PID"
check "and warns that workers run without a file system sandbox" \
    log_has "session workers run without a file system sandbox"
integ_done
