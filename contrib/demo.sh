#!/bin/sh
# Install what usmbd needs, build it, and start it on loopback with a demo
# share and a demo user.  Run as root on Debian 12 from a checkout:
#     sudo sh contrib/demo.sh
# Everything it creates lives in ./demo (config, share, user database,
# log); the demo user is the Unix account "usmbd-demo".

set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
DEMO=$TOP/demo
PORT=${PORT:-445}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root: usmbd starts as root and drops privileges" >&2
	exit 1
fi

echo "==> installing packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends \
    build-essential autoconf automake pkg-config \
    libevent-dev libssl-dev libbsd-dev \
    smbclient >/dev/null

echo "==> building"
autoreconf -fi >/dev/null 2>&1
mkdir -p "$TOP/build-demo"
(cd "$TOP/build-demo" && "$TOP/configure" >/dev/null && make -j"$(nproc)" >/dev/null)
B=$TOP/build-demo

echo "==> setting up $DEMO"
sh "$TOP/etc/create-users.sh"
if ! getent passwd usmbd-demo >/dev/null; then
	useradd --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin usmbd-demo
fi
mkdir -p "$DEMO/share" "$DEMO/state" "$DEMO/private"
# The session worker runs as usmbd-demo: it must reach the share.
chmod 755 "$DEMO" "$DEMO/state"
d=$TOP
while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
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
	libexec directory = $B

[demo]
	comment = usmbd demo share
	path = $DEMO/share
	read only = no
	valid users = usmbd-demo
CONF
printf 'demo\ndemo\n' | "$B/usmbd-passwd" -f "$DEMO/smbd.conf" -a -s usmbd-demo

if [ -f "$DEMO/usmbd.pid" ] && kill -0 "$(cat "$DEMO/usmbd.pid")" 2>/dev/null; then
	kill "$(cat "$DEMO/usmbd.pid")"
	sleep 1
fi
"$B/usmbd" -t -f "$DEMO/smbd.conf"
nohup "$B/usmbd" -d -f "$DEMO/smbd.conf" >"$DEMO/usmbd.log" 2>&1 &
sleep 1
if ! kill -0 $! 2>/dev/null; then
	echo "usmbd did not start; see $DEMO/usmbd.log:" >&2
	tail -n 20 "$DEMO/usmbd.log" >&2
	exit 1
fi

cat <<MSG

usmbd is running (pid $!) on 127.0.0.1 port $PORT, log in $DEMO/usmbd.log.

Connect with:
    smbclient //127.0.0.1/demo -p $PORT -U usmbd-demo%demo -c ls
    smbclient //127.0.0.1/demo -p $PORT -U usmbd-demo%demo   (interactive)

Stop it with:
    sudo kill \$(cat $DEMO/usmbd.pid)
MSG
