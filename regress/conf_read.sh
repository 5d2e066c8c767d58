#!/bin/sh
# Configuration that never lies: every smbd.conf parameter is either read
# by code outside the parser (shared/conf.c) or refused by it at any value
# but its default (conf_unsupported[] in shared/conf.c, or "yes is an
# error").  A parameter that is parsed and then ignored fails this test.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
prog="$top_builddir/regress/unit/conf_params"

if [ ! -x "$prog" ]; then
	echo "conf_read.sh: $prog not built" >&2
	exit 1
fi
rows=$("$prog" -f) || { echo "conf_read.sh: $prog -f failed" >&2; exit 1; }
# The C sources of the programs, without the parser and the tests.
srcs=$(cd "$top_srcdir" && find authd lockd shared smbd tools -name '*.[ch]' \
    ! -path shared/conf.c | sort)
[ -n "$srcs" ] || { echo "conf_read.sh: no sources" >&2; exit 1; }

bad=0
count=0
tab=$(printf '\t')
nl='
'
oldifs=$IFS
IFS=$nl
for row in $rows; do
	IFS=$tab
	set -- $row
	IFS=$nl
	name=$1 scope=$2 field=$3 state=$4
	count=$((count + 1))
	[ "$field" = "-" ] && continue		# include
	[ "$state" = refused ] && continue
	# Read as a member: "->field" or ".field" not followed by a name
	# character (max_connections must not match max_connections_x).
	if ! (cd "$top_srcdir" && IFS=' ' && grep -E -q \
	    "(->|\.)$field([^A-Za-z0-9_]|\$)" $(echo "$srcs" | tr '\n' ' '))
	then
		echo "parsed but never read, and not refused: $name ($scope," \
		    "member $field)"
		bad=$((bad + 1))
	fi
done
IFS=$oldifs

if [ "$bad" -ne 0 ]; then
	echo "conf_read.sh: $bad of $count parameters are ignored" >&2
	exit 1
fi
echo "conf_read.sh: each of $count parameters is read or refused"
