#!/bin/sh
# The Debian package, as an administrator meets it: built from the tree
# with dpkg-buildpackage, clean under lintian, installed (the system users
# made, the files where the man pages say), a server started from the
# installed programs that serves smbclient and answers usmbd-ctl on the
# default socket, and a purge that leaves nothing behind.  Run as root by
# regress/run-all.sh (not by make check: it installs into the system).
# It packages the committed tree (git archive HEAD) when there is one.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/regress/integ/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root: it installs the package"
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
    skip "dpkg-dev and debhelper not installed"
command -v lintian >/dev/null || skip "lintian not installed"
command -v smbclient >/dev/null || skip "smbclient not installed"
dpkg -s usmbd >/dev/null 2>&1 && skip "a usmbd package is installed already"
TOP=$(cd "$(dirname "$0")/.." && pwd)
D=$(mktemp -d /tmp/usmbd-test-deb.XXXXXX)
PORT=${DEB_PORT:-4460}
cleanup() {
	[ -f "$D/run/usmbd.pid" ] && kill "$(cat "$D/run/usmbd.pid")" \
	    2>/dev/null
	dpkg --purge usmbd >/dev/null 2>&1
	rm -rf "$D"
}
trap cleanup EXIT

mkdir -p "$D/src"
if [ -d "$TOP/.git" ]; then
	git -C "$TOP" archive HEAD | tar -x -C "$D/src"
else
	tar -C "$TOP" --exclude=./build-ci --exclude=./build-demo -cf - . |
	    tar -x -C "$D/src"
fi
(cd "$D/src" && dpkg-buildpackage -us -uc -b) >"$D/build.log" 2>&1
rc=$?
check "dpkg-buildpackage -us -uc -b builds the package" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || { tail -30 "$D/build.log"; integ_done; }
deb=$(ls "$D"/usmbd_*.deb)
lintian --allow-root "$D"/usmbd_*.changes >"$D/lintian.log" 2>&1
check "lintian finds no error" sh -c "! grep -q '^E:' '$D/lintian.log'"
grep '^[EW]:' "$D/lintian.log"
dpkg-deb -x "$deb" "$D/x"
for p in usr/sbin/usmbd usr/libexec/usmbd/usmbd-preauth \
    usr/libexec/usmbd/usmbd-session; do
	check "$p is hardened (PIE, full RELRO, stack protector, fortify)" \
	    sh -c "readelf -h '$D/x/$p' | grep -q 'Type: *DYN' &&
	    readelf -l '$D/x/$p' | grep -q GNU_RELRO &&
	    readelf -d '$D/x/$p' | grep -q BIND_NOW &&
	    nm -D '$D/x/$p' | grep -q __stack_chk_fail &&
	    nm -D '$D/x/$p' | grep -q '__memcpy_chk'"
done

check "it installs" sh -c "dpkg -i '$deb' >'$D/install.log' 2>&1"
check "with its three system users" sh -c \
    "getent passwd _usmbd && getent passwd _usmbd-auth &&
    getent passwd _usmbd-lock" >/dev/null
check "the configuration is a conffile in /etc/usmbd" sh -c \
    "dpkg-query -W -f='\${Conffiles}' usmbd | grep -q /etc/usmbd/smbd.conf"
for f in /usr/sbin/usmbd /usr/sbin/usmbd-passwd /usr/sbin/usmbd-ctl \
    /usr/libexec/usmbd/usmbd-session /lib/systemd/system/usmbd.service \
    /usr/share/man/man5/smbd.conf.5.gz; do
	check "$f is installed" [ -e "$f" ]
done
check "the unit runs the installed program" \
    grep -q "^ExecStart=/usr/sbin/usmbd -D -f /etc/usmbd/smbd.conf" \
    /lib/systemd/system/usmbd.service
check "smbd.conf(5) names the installed paths" sh -c \
    "zcat /usr/share/man/man5/smbd.conf.5.gz | grep -q /etc/usmbd/smbd.conf &&
    zcat /usr/share/man/man5/smbd.conf.5.gz | grep -q /usr/libexec/usmbd"

# A server from the installed programs, its defaults but for the port,
# the pid file and the files of this test.
id usmbddeb >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin usmbddeb
mkdir -p "$D/share" "$D/run" "$D/private"
chmod 755 "$D" "$D/run"
chown usmbddeb "$D/share"
chown _usmbd-auth "$D/private"
chmod 700 "$D/private"
cat >"$D/smbd.conf" <<CONF
[global]
	interfaces = 127.0.0.1
	smb ports = $PORT
	pid file = $D/run/usmbd.pid
	passdb file = $D/private/passdb
	state directory = $D/state
[data]
	path = $D/share
	read only = no
CONF
printf 'Deb-123\nDeb-123\n' | usmbd-passwd -f "$D/smbd.conf" -a -s usmbddeb \
    >/dev/null
check "usmbd -t accepts it" usmbd -t -f "$D/smbd.conf"
usmbd -f "$D/smbd.conf" >"$D/start.log" 2>&1
for _ in $(seq 1 50); do
	[ -s "$D/run/usmbd.pid" ] && break
	sleep 0.1
done
echo hello >"$D/hello.txt"
timeout 30 smbclient //127.0.0.1/data -p "$PORT" -U 'usmbddeb%Deb-123' \
    -c "put $D/hello.txt h.txt; ls" >"$D/smb.out" 2>&1
check "smbclient reaches the installed server" cmp -s "$D/hello.txt" \
    "$D/share/h.txt"
check "usmbd-ctl status answers on the default socket /run/usmbd.sock" \
    sh -c "[ -S /run/usmbd.sock ] && usmbd-ctl status | grep -q '^usmbd '"
pid=$(cat "$D/run/usmbd.pid")
kill "$pid"
for _ in $(seq 1 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
check "the server stops on SIGTERM" sh -c "[ -n '$pid' ] && ! kill -0 '$pid' 2>/dev/null"
check "and removes its control socket" [ ! -e /run/usmbd.sock ]

check "it purges" sh -c "dpkg --purge usmbd >'$D/purge.log' 2>&1"
check "leaving no file of it" sh -c \
    "[ ! -e /usr/sbin/usmbd ] && [ ! -e /etc/usmbd ] &&
    [ ! -e /var/lib/usmbd ] && [ ! -e /usr/libexec/usmbd ] &&
    [ ! -e /lib/systemd/system/usmbd.service ]"
userdel usmbddeb 2>/dev/null
integ_done
