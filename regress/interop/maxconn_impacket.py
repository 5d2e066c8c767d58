# "max connections" of a share, counted over every client (impacket).
# The server has [lim] with max connections = 2 and [share] without a
# limit.  Each client is its own connection, so its own session worker;
# a slot held must come back on TREE_DISCONNECT, LOGOFF, a dropped TCP
# connection and a killed worker alike (lockd/lockd_tcon.c).
# Usage: maxconn_impacket.py PORT USER PASSWORD MASTER_PID
# Prints one line per step; regress/interop/maxconn_impacket.sh checks them.
import os
import signal
import sys
import time
from impacket.smbconnection import SMBConnection, SessionError

port, user, pw, master = sys.argv[1:5]


def say(*a):
    print(*a, flush=True)


def workers():
    # The session workers: the master's children named usmbd-session.
    pids = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        ppid = st.rsplit(")", 1)[1].split()[1]
        if ppid == master and b"session" in cmd:
            pids.add(int(d))
    return pids


def client():
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(port))
    c.login(user, pw)
    return c


def tcon(c, share="lim"):
    # The tree id, or the NTSTATUS of the refusal as hex.
    try:
        return True, c.connectTree(share)
    except SessionError as e:
        return False, "%x" % e.getErrorCode()


def until_granted(share="lim"):
    # lockd drops a gone worker's slots when it sees its channel close,
    # which happens as the worker ends; allow that a moment.
    for _ in range(50):
        c = client()
        ok, v = tcon(c, share)
        if ok:
            return c, v, "0"
        c.close()
        time.sleep(0.1)
    return None, None, v


a = client()
ok, ta = tcon(a)
say("first", "0" if ok else ta)
before = workers()
b = client()
ok, tb = tcon(b)
# The worker is there once it has answered; a's was there before.
b_worker = workers() - before
say("second", "0" if ok else tb)

c = client()
ok, v = tcon(c)
say("third", v if not ok else "0")
# impacket answers a second connect to a name from its own table; another
# spelling of the name goes to the server (which counts it all the same).
ok, v = tcon(a, "LIM")
say("second tree of a session", v if not ok else "0")
ok, v = tcon(c, "share")
say("unlimited share", "0" if ok else v)

# TREE_DISCONNECT gives the slot back.
a.disconnectTree(ta)
ok, tc = tcon(c)
say("after tree disconnect", "0" if ok else tc)
ok, v = tcon(a)
say("full again", v if not ok else "0")

# Holders: b and c.  b's worker killed: its slot comes back.
say("b's worker", len(b_worker))
for p in b_worker:
    os.kill(p, signal.SIGKILL)
d, td, v = until_granted()
say("after kill", v)

# Holders: c and d.  c's TCP connection dropped without a word.
c.getSMBServer().close_session()
e, te, v = until_granted()
say("after drop", v)

# Holders: d and e.  d logs off without a TREE_DISCONNECT.
if d is None:
    say("no holder d: the steps below mean nothing")
    sys.exit(1)
d.logoff()
f, tf, v = until_granted()
say("after logoff", v)
ok, v = tcon(a)
say("full at the end", v if not ok else "0")
