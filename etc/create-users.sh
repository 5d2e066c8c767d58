#!/bin/sh
# Create the unprivileged system users usmbd runs its processes as, when
# they are missing (systemd machines may use etc/usmbd.sysusers instead).
set -eu
for u in _usmbd _usmbd-auth _usmbd-lock; do
	if ! getent passwd "$u" >/dev/null; then
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin --user-group "$u"
	fi
done
