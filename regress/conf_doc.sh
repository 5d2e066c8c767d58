#!/bin/sh
# Every parameter the smbd.conf parser knows must be documented in
# man/smbd.conf.5 (made from smbd.conf.5.in) as an ".It Cm name" entry.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
prog="$top_builddir/regress/unit/conf_params"
page="$top_builddir/man/smbd.conf.5"

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
# And back: every parameter the page describes is one the parser knows.
extra=0
for name in $(sed -n '/^\.Sh GLOBAL PARAMETERS/,/^\.Sh FILES/s/^\.It Cm \([a-z0-9 ]*[a-z0-9]\)\( = .*\)*$/\1/p' \
    "$page" | tr ' ' '_'); do
	name=$(echo "$name" | tr '_' ' ')
	if ! printf '%s\n' "$names" | grep -q -x -F "$name"; then
		echo "described in smbd.conf.5 but unknown to the parser: $name"
		extra=$((extra + 1))
	fi
done
[ "$extra" -eq 0 ] || exit 1

# The default paths the page names are the ones the program uses (the
# page is made with configure's paths): what usmbd -T prints for an empty
# configuration is in the page.
usmbd="$top_builddir/usmbd"
if [ -x "$usmbd" ]; then
	empty=$(mktemp)
	trap 'rm -f "$empty"' EXIT
	for p in "passdb file" "state directory" "pid file" \
	    "libexec directory"; do
		v=$("$usmbd" -T -f "$empty" 2>/dev/null |
		    sed -n "s/^	$p = //p")
		if [ -z "$v" ] || ! grep -q -F "$v" "$page"; then
			echo "the default of $p ($v) is not what smbd.conf.5 says"
			exit 1
		fi
	done
fi
echo "conf_doc.sh: all $count parameters documented, and only they"
exit 0
