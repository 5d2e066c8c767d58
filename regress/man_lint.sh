#!/bin/sh
# Every man page is clean under mandoc's linter, and usmbd.8's SYNOPSIS
# matches usage() in smbd/master/master.c.
. "$top_srcdir/regress/integ/lib.sh"
command -v mandoc >/dev/null || skip "mandoc not installed (apt-get install mandoc)"
for m in "$top_builddir"/man/*.[58]; do
	out=$(mandoc -T lint -W warning "$m" 2>&1)
	check "$(basename "$m") is lint-clean${out:+: $out}" [ -z "$out" ]
done
u=$(sed -n 's/.*"usage: usmbd \(.*\)\\n".*/\1/p' "$top_srcdir/smbd/master/master.c")
s=$(mandoc -T ascii "$top_builddir/man/usmbd.8" | sed 's/.\x08//g' | sed -n '/^SYNOPSIS/{n;p;}' | sed 's/^ *usmbd //')
check "usmbd.8 SYNOPSIS ($s) matches usage() ($u)" [ -n "$u" -a "$u" = "$s" ]
u=$(sed -n 's/.*"usage: usmbd-passwd \(.*\)\\n");/\1/p' "$top_srcdir/tools/usmbd-passwd.c")
s=$(mandoc -T ascii "$top_builddir/man/usmbd-passwd.8" | sed 's/.\x08//g' | sed -n '/^SYNOPSIS/{n;p;}' | sed 's/^ *usmbd-passwd //')
check "usmbd-passwd.8 SYNOPSIS ($s) matches usage() ($u)" [ -n "$u" -a "$u" = "$s" ]
u=$(sed -n 's/.*"usage: usmbd-ctl \(.*\)\\n"$/\1/p' "$top_srcdir/tools/usmbd-ctl.c")
s=$(mandoc -T ascii "$top_builddir/man/usmbd-ctl.8" | sed 's/.\x08//g' | sed -n '/^SYNOPSIS/{n;p;}' | sed 's/^ *usmbd-ctl //')
check "usmbd-ctl.8 SYNOPSIS ($s) matches usage() ($u)" [ -n "$u" -a "$u" = "$s" ]
integ_done
