#!/bin/sh
# Many clients logging on at the same moment (a busy office at 9 a.m., or
# every client reconnecting after a restart): STORM_CLIENTS smbclient
# processes (default 100) start together, all from 127.0.0.1 under the
# default connection limits, two users among them; each logs on, writes a
# file of its own and reads it back.  Repeated STORM_ROUNDS times (default
# 3) plain, signed and encrypted.  Every logon must succeed, every byte
# must match, and the server's log must explain every process that ended.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
CLIENTS=${STORM_CLIENTS:-100}
ROUNDS=${STORM_ROUNDS:-3}
integ_setup storm
integ_user stormalice 'Storm-Alice-1' || skip "cannot create the Unix user stormalice"
integ_user stormbob 'Storm-Bob-2' || skip "cannot create the Unix user stormbob"
# Both users write their own files in the one share.
chmod 1777 "$T/share"
integ_client_conf
# This test keeps both cores busy; tests that cannot bear that wait.
integ_alone
integ_start

check "no per-address connection limit by default" \
    sh -c "'$top_builddir/usmbd' -T -f '$CONF' | grep -q 'max connections per client = 0'"

mkdir -p "$T/data"
i=1
while [ "$i" -le "$CLIENTS" ]; do
	head -c 65536 /dev/urandom >"$T/data/src.$i"
	i=$((i + 1))
done

# client MODE ROUND I: one logon with a put and a get of its own file.
client() {
	if [ $(($3 % 4)) -eq 0 ]; then
		cred='stormbob%Storm-Bob-2'
	else
		cred='stormalice%Storm-Alice-1'
	fi
	case $1 in
	plain) prot= ;;
	sign) prot=--client-protection=sign ;;
	encrypt) prot=--client-protection=encrypt ;;
	esac
	out=$T/data/out.$1.$2.$3
	rm -f "$T/data/dst.$3"
	if timeout 120 smbclient -s "$T/client.conf" //127.0.0.1/share \
	    -p "$PORT" -U "$cred" -m SMB3_11 $prot \
	    -c "put $T/data/src.$3 f.$1.$2.$3; get f.$1.$2.$3 $T/data/dst.$3" \
	    >"$out" 2>&1 && cmp -s "$T/data/src.$3" "$T/data/dst.$3"; then
		rm -f "$out"
	else
		echo "exit or compare failed" >>"$out"
	fi
}

for mode in plain sign encrypt; do
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		pids=
		i=1
		while [ "$i" -le "$CLIENTS" ]; do
			client "$mode" "$r" "$i" &
			pids="$pids $!"
			i=$((i + 1))
		done
		for p in $pids; do
			wait "$p"
		done
		nfail=$(ls "$T/data" | grep -c "^out\.$mode\.$r\.")
		check "$mode, round $r: $CLIENTS logons at once, each file read back whole ($nfail failed)" \
		    [ "$nfail" -eq 0 ]
		for f in $(ls "$T/data" | grep "^out\.$mode\.$r\." | head -3); do
			sed "s|^|    $f: |" "$T/data/$f"
		done
		r=$((r + 1))
	done
done

total=$((CLIENTS * ROUNDS * 3))
accepted=$(grep -c "^usmbd.*: connection [0-9]* from [^ ]* ([0-9]* from this address)" "$LOG")
workers=$(grep -c "^usmbd.*: connection [0-9]* from [^ ]*: session worker pid" "$LOG")
check "the master accepted $total connections ($accepted)" [ "$accepted" -eq "$total" ]
check "every connection got a session worker ($workers)" [ "$workers" -eq "$total" ]
check "stormbob's sessions ran as stormbob" log_has "session worker pid [0-9]* as user stormbob"
check "stormalice's sessions ran as stormalice" log_has "session worker pid [0-9]* as user stormalice"
# Every process that ended says why; none ended before its session was
# set up, by a signal, with an error or on a failed handoff.
if grep -E "killed by signal|exited with status [1-9]|before a session was set up|fatal|refusing connection|cannot start" "$LOG" >"$T/bad"; then
	head -5 "$T/bad"
	fail "the log shows an unexplained end of a process"
else
	pass "the log shows no unexplained end of a process"
fi
integ_done
