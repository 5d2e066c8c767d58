#!/bin/sh
# make install puts every program, page and file where the man pages say:
# into a DESTDIR, then each path the generated pages name is looked for.
. "$top_srcdir/regress/integ/lib.sh"
D=$(mktemp -d /tmp/usmbd-test-install.XXXXXX)
trap 'rm -rf "$D"' EXIT
make -C "$top_builddir" install DESTDIR="$D" >"$D.log" 2>&1
rc=$?
check "make install succeeds" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -20 "$D.log"
rm -f "$D.log"
# The paths the pages were made with (man/Makefile.inc).
page() {
	sed -n "s/^\\.It Pa \\(.*\\)$/\\1/p; s/^\\.Pa \\(\\/[^ ]*\\) [.,]$/\\1/p" \
	    "$top_builddir/man/$1"
}
conf=$(page usmbd.8 | grep '/smbd.conf$' | head -1)
libexec=$(page usmbd.8 | grep libexec | head -1)
libexec=${libexec%/}
check "the configuration file is where usmbd(8) says ($conf)" \
    [ -n "$conf" -a -f "$D$conf" ]
for p in usmbd-preauth usmbd-session usmbd-authd usmbd-lockd; do
	check "$p is in the libexec directory usmbd(8) names" \
	    [ -n "$libexec" -a -x "$D$libexec/$p" ]
done
sbin=$(dirname "$(dirname "$libexec")")/sbin
for p in usmbd usmbd-passwd usmbd-ctl; do
	check "$p is installed" [ -x "$D$sbin/$p" ]
done
for m in man5/smbd.conf.5 man8/usmbd.8 man8/usmbd-authd.8 \
    man8/usmbd-passwd.8 man8/usmbd-ctl.8; do
	check "$m is installed, with the configured paths" sh -c \
	    "f=\$(find '$D' -path '*/man/$m'); [ -n \"\$f\" ] &&
	    ! grep -q '@[a-z]*dir@' \"\$f\""
done
check "the installed usmbd -T names the installed libexec directory" sh -c \
    "printf '[global]\n' >'$D/empty.conf' &&
    '$D$sbin/usmbd' -T -f '$D/empty.conf' | grep -q 'libexec directory = $libexec\$'"
integ_done
