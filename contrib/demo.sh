#!/bin/sh
# Install what usmbd needs, build it, install it under the checkout and
# start it on loopback with a demo share and a demo user.  Run as root on
# Debian 12 from a checkout:
#     sudo sh contrib/demo.sh [port]         (default 445; or PORT=...)
# The programs and man pages are installed in ./demo-prefix (nothing
# outside the checkout and /srv/usmbd-demo is written, except the system
# users _usmbd, _usmbd-auth, _usmbd-lock and usmbd-demo and the packages).
# The share, configuration, user database and log live in /srv/usmbd-demo:
# the unprivileged processes must reach them, and /srv needs no change of
# permissions, where the parents of a checkout in a home directory would.

set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
PORT=${1:-${PORT:-445}}
DEMO=/srv/usmbd-demo
PREFIX=$TOP/demo-prefix

case $PORT in
''|*[!0-9]*) echo "demo.sh: the port must be a number, not \"$PORT\"" >&2
	exit 1 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root: usmbd starts as root and drops privileges" >&2
	exit 1
fi
echo "==> the demo server will listen on 127.0.0.1 port $PORT" \
    "(sh contrib/demo.sh PORT for another)"

# Another package manager (an automatic update) may hold dpkg's lock: say
# so, and wait for it rather than fail.
if command -v flock >/dev/null && [ -e /var/lib/dpkg/lock-frontend ] &&
    ! flock -n /var/lib/dpkg/lock-frontend true 2>/dev/null; then
	echo "==> another package manager holds the dpkg lock (an automatic" \
	    "update?); waiting for it, up to 10 minutes"
fi
echo "==> installing packages"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
    build-essential autoconf automake pkg-config \
    libevent-dev libssl-dev libbsd-dev \
    smbclient >/dev/null

echo "==> building and installing into $PREFIX"
autoreconf -fi >/dev/null 2>&1
mkdir -p "$TOP/build-demo"
(cd "$TOP/build-demo" && "$TOP/configure" --prefix="$PREFIX" >/dev/null &&
    make -j"$(nproc)" >/dev/null && make install >/dev/null)
SBIN=$PREFIX/sbin

echo "==> setting up $DEMO"
sh "$TOP/etc/create-users.sh"
if ! getent passwd usmbd-demo >/dev/null; then
	useradd --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin usmbd-demo
fi
mkdir -p "$DEMO/share" "$DEMO/state" "$DEMO/private"
chmod 755 "$DEMO" "$DEMO/state"
chown usmbd-demo: "$DEMO/share"
chown _usmbd-auth: "$DEMO/private"
chmod 700 "$DEMO/private"
echo "Hello from usmbd." > "$DEMO/share/README.txt"
chown usmbd-demo: "$DEMO/share/README.txt"
cat > "$DEMO/smbd.conf" <<CONF
# usmbd demo configuration (see smbd.conf(5)).
[global]
	interfaces = 127.0.0.1
	smb ports = $PORT
	netbios name = USMBD-DEMO
	server string = usmbd demo
	state directory = $DEMO/state
	passdb file = $DEMO/private/passdb
	pid file = $DEMO/usmbd.pid
	log file = $DEMO/usmbd.log
	log level = 1

[demo]
	comment = usmbd demo share
	path = $DEMO/share
	read only = no
	valid users = usmbd-demo
CONF
printf 'demo\ndemo\n' | "$SBIN/usmbd-passwd" -f "$DEMO/smbd.conf" -a -s \
    usmbd-demo >/dev/null

if [ -f "$DEMO/usmbd.pid" ] && kill -0 "$(cat "$DEMO/usmbd.pid")" 2>/dev/null; then
	kill "$(cat "$DEMO/usmbd.pid")"
	sleep 1
fi
"$SBIN/usmbd" -t -f "$DEMO/smbd.conf"
"$SBIN/usmbd" -f "$DEMO/smbd.conf"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ -s "$DEMO/usmbd.pid" ] && break
	sleep 0.5
done
if ! [ -s "$DEMO/usmbd.pid" ] || ! kill -0 "$(cat "$DEMO/usmbd.pid")" 2>/dev/null; then
	echo "usmbd did not start; see $DEMO/usmbd.log:" >&2
	tail -n 20 "$DEMO/usmbd.log" >&2
	exit 1
fi

cat <<MSG

usmbd is running (pid $(cat "$DEMO/usmbd.pid")) on 127.0.0.1 port $PORT;
its log is $DEMO/usmbd.log.

Connect with:
    smbclient //127.0.0.1/demo -p $PORT -U usmbd-demo%demo -c ls
    smbclient //127.0.0.1/demo -p $PORT -U usmbd-demo%demo   (interactive)

The programs and their man pages are in $PREFIX:
    export PATH=$PREFIX/sbin:\$PATH MANPATH=$PREFIX/share/man:
    man smbd.conf; usmbd -t -f $DEMO/smbd.conf

Stop it with:
    sudo kill \$(cat $DEMO/usmbd.pid)
MSG
