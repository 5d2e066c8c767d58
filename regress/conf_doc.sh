#!/bin/sh
# Every parameter the smbd.conf parser knows must be documented in
# man/smbd.conf.5 as an ".It Cm name" entry.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
prog="$top_builddir/regress/unit/conf_params"
page="$top_srcdir/man/smbd.conf.5"

if [ ! -x "$prog" ]; then
	echo "conf_doc.sh: $prog not built" >&2
	exit 1
fi
names=$("$prog") || { echo "conf_doc.sh: $prog failed" >&2; exit 1; }
if [ -z "$names" ]; then
	echo "conf_doc.sh: no parameter names" >&2
	exit 1
fi

missing=0
count=0
nl='
'
oldifs=$IFS
IFS=$nl
for name in $names; do
	count=$((count + 1))
	# ".It Cm name" alone or followed by " = Ar ...".
	if ! grep -q -F -x ".It Cm $name" "$page" &&
	    ! grep -q -F ".It Cm $name = " "$page"; then
		echo "not documented in smbd.conf.5: $name"
		missing=$((missing + 1))
	fi
done
IFS=$oldifs

if [ "$missing" -ne 0 ]; then
	echo "conf_doc.sh: $missing of $count parameters undocumented" >&2
	exit 1
fi
echo "conf_doc.sh: all $count parameters documented"
exit 0
