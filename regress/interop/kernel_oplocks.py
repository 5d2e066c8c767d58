#!/usr/bin/python3
"""kernel oplocks through impacket and a local process.  On a share with
"kernel oplocks = yes", a Batch oplock is backed by a Linux file lease
(/proc/locks shows it); a local process that opens the file waits while
the client gets an OPLOCK_BREAK, writes what it cached and acknowledges,
and then reads what the client wrote; the same with an RWH lease.  Another connection's open of the
file waits for the same break (the CREATE is retried while the lease is
held), while a stat open does not wait.  A file the user does not own gets no file lease and so no
oplock.  A break never acknowledged ends at "oplock break timeout".
A share that forces a user takes and lets go of leases as that user.
On a share without kernel oplocks no file lease is taken, and a
local open neither waits nor breaks anything.
Prints one "ok NAME" line per check that held.
usage: kernel_oplocks.py PORT USER PASS SHAREDIR FORCEDDIR"""
import os
import struct
import sys
import threading
import time

from impacket import smb3structs as st
from impacket.smbconnection import SMBConnection

ALL, SHARE, OVERWRITE_IF, OPEN = 0x001F01FF, 7, 5, 1
READ_WRITE, READ_ATTRIBUTES = 0x0012019F, 0x80
NONE, LEVEL2, BATCH, LEASE = 0, 1, 9, 0xFF
RWH = 7
BREAK_MID = 0xFFFFFFFFFFFFFFFF


class Conn:
    def __init__(self, port, user, pw, share):
        self.c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
        self.c.login(user, pw)
        self.s = self.c.getSMBServer()
        self.tid = self.c.connectTree(share)

    def create(self, name, level, disp=OPEN, access=ALL):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_CREATE
        p['TreeID'] = self.tid
        req = st.SMB2Create()
        req['RequestedOplockLevel'] = level
        req['ImpersonationLevel'] = 2
        req['DesiredAccess'] = access
        req['FileAttributes'] = 0x80
        req['ShareAccess'] = SHARE
        req['CreateDisposition'] = disp
        req['CreateOptions'] = 0x40
        req['NameLength'] = len(name) * 2
        req['Buffer'] = name.encode('utf-16le')
        req['CreateContextsOffset'] = 0
        req['CreateContextsLength'] = 0
        p['Data'] = req
        ans = self.s.recvSMB(self.s.sendSMB(p))
        if ans['Status'] != 0:
            return ans['Status'], None, None
        r = st.SMB2Create_Response(ans['Data'])
        return 0, r['OplockLevel'], r['FileID']

    def create_lease(self, name, key, state, disp=OPEN):
        """A CREATE with a v1 lease context: (status, state, FileId)."""
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_CREATE
        p['TreeID'] = self.tid
        req = st.SMB2Create()
        req['RequestedOplockLevel'] = LEASE
        req['ImpersonationLevel'] = 2
        req['DesiredAccess'] = ALL
        req['FileAttributes'] = 0x80
        req['ShareAccess'] = SHARE
        req['CreateDisposition'] = disp
        req['CreateOptions'] = 0x40
        fname = name.encode('utf-16le')
        req['NameLength'] = len(fname)
        fname += b'\0' * ((8 - len(fname) % 8) % 8)
        # Next, NameOffset, NameLength, Reserved, DataOffset, DataLength.
        ctx = struct.pack('<IHHHHI', 0, 16, 4, 0, 24, 32) + b'RqLs' + \
            b'\0' * 4 + key + struct.pack('<IIQ', state, 0, 0)
        req['Buffer'] = fname + ctx
        req['CreateContextsOffset'] = 64 + 56 + len(fname)
        req['CreateContextsLength'] = len(ctx)
        p['Data'] = req
        ans = self.s.recvSMB(self.s.sendSMB(p))
        if ans['Status'] != 0:
            return ans['Status'], None, None
        r = st.SMB2Create_Response(ans['Data'])
        d, got = ans['Data'], 0
        off = r['CreateContextsOffset'] - 64
        if r['CreateContextsLength'] >= 56:
            doff = struct.unpack_from('<H', d, off + 10)[0]
            got = struct.unpack_from('<I', d, off + doff + 16)[0]
        return 0, got, r['FileID']

    def next_lease_break(self, timeout):
        """The next lease break: (current, new, flags) or None."""
        self.s._timeout = timeout
        try:
            ans = self.s.recvSMB(BREAK_MID)
        except Exception:
            return None
        finally:
            self.s._timeout = 60
        self.s._Connection['SequenceWindow'] += 1
        if ans['Command'] != st.SMB2_OPLOCK_BREAK:
            return None
        n = st.SMB2LeaseBreakNotification(ans['Data'])
        return n['CurrentLeaseState'], n['NewLeaseState'], n['Flags']

    def lease_ack(self, key, state):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_OPLOCK_BREAK
        p['TreeID'] = self.tid
        req = st.SMB2LeaseBreakAcknowledgement()
        req['LeaseKey'] = key
        req['LeaseState'] = state
        p['Data'] = req
        return self.s.recvSMB(self.s.sendSMB(p))['Status']

    def next_break(self, timeout):
        """The next OPLOCK_BREAK notification: (level, FileId) or None."""
        self.s._timeout = timeout
        try:
            ans = self.s.recvSMB(BREAK_MID)
        except Exception:
            return None
        finally:
            self.s._timeout = 60
        # impacket took the notification's CreditCharge (0) for a
        # response's and moved its MessageId window back: undo that.
        self.s._Connection['SequenceWindow'] += 1
        if ans['Command'] != st.SMB2_OPLOCK_BREAK:
            return None
        n = st.SMB2OplockBreakNotification(ans['Data'])
        return n['OplockLevel'], n['FileID'].getData()

    def ack(self, fid, level):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_OPLOCK_BREAK
        p['TreeID'] = self.tid
        req = st.SMB2OplockBreakAcknowledgment()
        req['OplockLevel'] = level
        req['FileID'] = fid
        p['Data'] = req
        ans = self.s.recvSMB(self.s.sendSMB(p))
        return ans['Status']

    def write(self, fid, data):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_WRITE
        p['TreeID'] = self.tid
        req = st.SMB2Write()
        req['Offset'] = 0
        req['FileID'] = fid
        req['Length'] = len(data)
        req['Buffer'] = data
        p['Data'] = req
        return self.s.recvSMB(self.s.sendSMB(p))['Status']

    def close(self, fid):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_CLOSE
        p['TreeID'] = self.tid
        req = st.SMB2Close()
        req['FileID'] = fid
        p['Data'] = req
        return self.s.recvSMB(self.s.sendSMB(p))['Status']


def ok(name):
    print("ok", name, flush=True)


def leased(path):
    """Does /proc/locks show a file lease on this file?"""
    ino = os.stat(path).st_ino
    with open("/proc/locks") as f:
        for line in f:
            w = line.split()
            if len(w) > 5 and "LEASE" in w[1] and \
                    w[5].split(":")[-1] == str(ino):
                return True
    return False


class Local(threading.Thread):
    """A local process's open and read, which may wait in the kernel."""
    def __init__(self, path, flags=os.O_RDONLY):
        super().__init__(daemon=True)
        self.path, self.flags = path, flags
        self.data, self.done = None, False

    def run(self):
        fd = os.open(self.path, self.flags)
        self.data = os.pread(fd, 100, 0)
        os.close(fd)
        self.done = True


class Opener(threading.Thread):
    """Another connection's CREATE, which is expected to wait."""
    def __init__(self, conn, name):
        super().__init__(daemon=True)
        self.conn, self.name, self.result = conn, name, None

    def run(self):
        self.result = self.conn.create(self.name, NONE)


port, user, pw, sdir, fdir = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
    sys.argv[4], sys.argv[5]
a = Conn(port, user, pw, "kernel")
b = Conn(port, user, pw, "kernel")

# 1. Batch on a kernel oplocks share takes a file lease.
st0, lvl, fa = a.create("k.bin", BATCH, OVERWRITE_IF)
path = os.path.join(sdir, "k.bin")
if st0 == 0 and lvl == BATCH:
    ok("batch_granted")
if st0 == 0 and leased(path):
    ok("file_lease_taken")
a.write(fa, b"before")

# 2. A local open waits for the break; the client flushes, then acks.
loc = Local(path)
loc.start()
brk = a.next_break(10)
if brk is not None and brk[0] == NONE and brk[1] == fa.getData():
    ok("local_open_breaks")
time.sleep(0.5)
if not loc.done:
    ok("local_open_waits")
# What the client had cached goes to the server before the ack.
a.write(fa, b"flushed-by-client")
if a.ack(fa, NONE) == 0:
    ok("ack")
loc.join(60)
if loc.done and loc.data == b"flushed-by-client":
    ok("local_reads_flushed_data")
if not leased(path):
    ok("file_lease_released")
a.close(fa)

# 2b. The same with an RWH lease.
key = b'K' * 16
stl, state, fl = a.create_lease("l.bin", key, RWH, OVERWRITE_IF)
lpath = os.path.join(sdir, "l.bin")
if stl == 0 and state == RWH and leased(lpath):
    ok("lease_granted_with_file_lease")
if stl == 0:
    a.write(fl, b"before")
    loc = Local(lpath)
    loc.start()
    lb = a.next_lease_break(10)
    if lb is not None and lb[0] == RWH and lb[1] == 0 and lb[2] & 1:
        ok("local_open_breaks_lease")
    a.write(fl, b"lease-flushed")
    a.lease_ack(key, 0)
    loc.join(60)
    if loc.done and loc.data == b"lease-flushed":
        ok("local_reads_lease_flushed_data")
    a.close(fl)

# 3. Another connection's open waits for the same break.
st1, lvl1, fa = a.create("k.bin", BATCH)
t = Opener(b, "k.bin")
t.start()
brk = a.next_break(10)
if st1 == 0 and lvl1 == BATCH and brk is not None:
    ok("smb_open_breaks")
time.sleep(0.5)
if t.result is None:
    ok("smb_open_waits")
a.ack(fa, NONE)
t.join(60)
if t.result is not None and t.result[0] == 0:
    ok("smb_open_completes")
    b.close(t.result[2])
a.close(fa)

# 3b. A stat open does not wait for the holder (it takes a path
# descriptor), though reading the file's attributes breaks its write
# caching (doc/oplocks.md section 7).
st1, lvl1, fa = a.create("k.bin", BATCH)
sts, _, fs = b.create("k.bin", NONE, access=READ_ATTRIBUTES)
if st1 == 0 and lvl1 == BATCH and sts == 0:
    ok("stat_open_does_not_wait")
    b.close(fs)
if a.next_break(5) is not None:
    a.ack(fa, NONE)
a.close(fa)

# 4. A file of another owner: no file lease, so no oplock.
rpath = os.path.join(sdir, "root.bin")
with open(rpath, "wb") as f:
    f.write(b"root's")
os.chmod(rpath, 0o666)
st2, lvl2, fr = a.create("root.bin", BATCH, access=READ_WRITE)
if st2 == 0 and lvl2 == NONE:
    ok("not_owner_no_oplock")
if st2 == 0:
    a.close(fr)

# 4b. A break never acknowledged: the worker lets go of the file lease
# at "oplock break timeout" (3 s here), well before the kernel's
# lease-break-time (45 s by default).
st4, lvl4, ft = a.create("t.bin", BATCH, OVERWRITE_IF)
start = time.monotonic()
loc = Local(os.path.join(sdir, "t.bin"))
loc.start()
brk = a.next_break(10)
loc.join(60)
if st4 == 0 and lvl4 == BATCH and brk is not None and loc.done and \
        time.monotonic() - start < 30:
    ok("unacked_break_ends_at_timeout")
if st4 == 0:
    a.close(ft)

# 4c. A share that forces another user: the lease is that user's, and
# let go as that user once the client acknowledged.
f = Conn(port, user, pw, "kforced")
st5, lvl5, ff = f.create("f.bin", BATCH, OVERWRITE_IF)
fpath = os.path.join(fdir, "f.bin")
if st5 == 0 and lvl5 == BATCH and leased(fpath):
    ok("forced_batch_granted")
if st5 == 0:
    loc = Local(fpath)
    loc.start()
    f.next_break(10)
    f.write(ff, b"forced-flushed")
    f.ack(ff, NONE)
    loc.join(60)
    if loc.done and loc.data == b"forced-flushed":
        ok("forced_local_reads_flushed_data")
    if not leased(fpath):
        ok("forced_file_lease_released")
    f.close(ff)

# 5. Without kernel oplocks: no file lease, a local open goes on at once.
n = Conn(port, user, pw, "share")
st3, lvl3, fn = n.create("n.bin", BATCH, OVERWRITE_IF)
npath = os.path.join(sdir, "n.bin")
if st3 == 0 and lvl3 == BATCH and not leased(npath):
    ok("plain_share_no_file_lease")
loc = Local(npath)
loc.start()
loc.join(10)
if loc.done and n.next_break(1) is None:
    ok("plain_share_local_open_unseen")
n.close(fn)
