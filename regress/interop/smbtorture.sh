#!/bin/sh
# smbtorture (package samba-testsuite), Samba's SMB2 conformance suite,
# against usmbd: every test in smbtorture-pass.txt passed before and must
# still pass.  The list only grows.  Set TORTURE_ALL to a regular
# expression (say 'lease|oplock') to also run the rest of the suites it
# matches and print which now pass (to extend the list).  Set TORTURE_ONLY
# to a list of test names to run those alone instead of the pass list
# (while working on them; the test then checks only those).
. "$top_srcdir/regress/integ/lib.sh"
command -v smbtorture >/dev/null ||
    skip "smbtorture not installed (apt-get install samba-testsuite)"
integ_alone
INTEG_EXTRA_GLOBAL="	max connections per client = 0
	auth failure limit = 0"
integ_setup torture
# The shares Samba's selftest runs smb2.dosmode on (names hidden by the
# share's configuration), smb2.create_no_streams on (no streams_xattr) and
# smb2.change_notify_disabled on (change notify = no), and
# smb2.kernel-oplocks on (kernel oplocks = yes; kernel_oplocks8 takes a
# file lease itself in a local process, in the directory localdir names).
cat >> "$CONF" <<EOF
[dosmode]
	path = $T/share
	read only = no
	hide files = /hidefile/
	hide dot files = yes
[nostreams]
	path = $T/share
	read only = no
	streams = no
[nonotify]
	path = $T/share
	read only = no
	change notify = no
[kernel]
	path = $T/share
	read only = no
	kernel oplocks = yes
EOF
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_client_conf
integ_start

run1() {
	share=share
	case $1 in
	smb2.dosmode)
		share=dosmode
		;;
	smb2.create_no_streams.*)
		share=nostreams
		;;
	smb2.change_notify_disabled.*)
		share=nonotify
		;;
	smb2.kernel-oplocks.*)
		share=kernel
		set -- "$1" --option=torture:localdir="$T/share"
		;;
	smb2.set-sparse-ioctl|smb2.zero-data-ioctl)
		# Manual tests: they act on the file their options name.
		head -c 8192 /dev/urandom > "$T/share/fsctl_manual.dat"
		chown usmbdtest "$T/share/fsctl_manual.dat"
		set -- "$1" --option=torture:filename=fsctl_manual.dat \
		    --option=torture:offset=1024 \
		    --option=torture:beyond_final_zero=4096
		;;
	esac
	# A guard against hangs, not a measure: smb2.maxfid opens 16 000
	# files and takes a minute on a loaded 2-core machine.
	timeout 300 smbtorture --configfile="$T/client.conf" --target=samba3 \
	    -p "$PORT" "//127.0.0.1/$share" -U 'usmbdtest%Secret-123' "$@" \
	    > "$T/torture.out" 2>&1
	grep -q "^success: " "$T/torture.out"
}

list_tests() {
	if [ -n "${TORTURE_ONLY:-}" ]; then
		printf '%s\n' $TORTURE_ONLY
	else
		cat "$top_srcdir/regress/interop/smbtorture-pass.txt"
	fi
}

# A file, not a pipe: the loop must run in this shell to count checks.
list_tests > "$T/torture.list"
while IFS= read -r t; do
	case $t in ''|'#'*) continue ;; esac
	if ! check "$t" run1 "$t"; then
		grep -E "^(failure|error):" "$T/torture.out" | head -3
	fi
done < "$T/torture.list"

if [ -n "${TORTURE_ALL:-}" ]; then
	smbtorture --list 2>/dev/null | sed 's/\.[^.]*$//' | sort -u |
	    grep -E "^smb2\.($TORTURE_ALL)" | while IFS= read -r t; do
		grep -qxF "$t" "$top_srcdir/regress/interop/smbtorture-pass.txt" &&
		    continue
		run1 "$t" && echo "NOW PASSES: $t"
	done
fi
integ_done
