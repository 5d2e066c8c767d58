#!/usr/bin/python3
"""Oplocks across session workers through impacket, an independent SMB2
client.  Connection a holds a Batch oplock; connection b opens the same
file: a gets an OPLOCK_BREAK notification to Level II, b's CREATE waits
(STATUS_PENDING) until a acknowledges, then completes.  A write by b
breaks a's Level II to none, without an acknowledgment.  With a short
"oplock break timeout", a break that is never acknowledged lets the
waiting open go on after the timeout, and a late acknowledgment is
refused.  Another connection cannot acknowledge a's break.
Prints one "ok NAME" line per check that held.
usage: oplock_impacket.py PORT USER PASS TIMEOUT"""
import struct
import sys
import threading
import time

from impacket import smb3structs as st
from impacket.smbconnection import SMBConnection

ALL, SHARE, OVERWRITE_IF, OPEN = 0x001F01FF, 7, 5, 1
READ_WRITE = 0x00120089 | 0x00120116
NONE, LEVEL2, BATCH = 0, 1, 9
BREAK_MID = 0xFFFFFFFFFFFFFFFF
INVALID_OPLOCK_PROTOCOL, FILE_CLOSED = 0xC00000E3, 0xC0000128


class Conn:
    def __init__(self, port, user, pw):
        self.c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
        self.c.login(user, pw)
        self.s = self.c.getSMBServer()
        self.tid = self.c.connectTree("share")

    def create_send(self, name, level, disp=OPEN, access=ALL):
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
        return self.s.sendSMB(p)

    def create_recv(self, mid):
        ans = self.s.recvSMB(mid)
        if ans['Status'] != 0:
            return ans['Status'], None, None
        r = st.SMB2Create_Response(ans['Data'])
        return 0, r['OplockLevel'], r['FileID']

    def create(self, name, level, disp=OPEN):
        return self.create_recv(self.create_send(name, level, disp))

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

    def ack(self, fid, level, tid=None):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_OPLOCK_BREAK
        p['TreeID'] = self.tid if tid is None else tid
        req = st.SMB2OplockBreakAcknowledgment()
        req['OplockLevel'] = level
        req['FileID'] = fid
        p['Data'] = req
        ans = self.s.recvSMB(self.s.sendSMB(p))
        if ans['Status'] != 0:
            return ans['Status'], None
        return 0, st.SMB2OplockBreakResponse(ans['Data'])['OplockLevel']

    def write(self, fid, data):
        # impacket's write() knows only opens its own create() made.
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


def fid_bytes(fid):
    return fid.getData() if hasattr(fid, "getData") else bytes(fid)


class Opener(threading.Thread):
    """b's CREATE, which is expected to wait: it runs in a thread."""
    def __init__(self, conn, name, level):
        super().__init__(daemon=True)
        self.conn, self.name, self.level = conn, name, level
        self.result, self.done_at = None, None

    def run(self):
        self.result = self.conn.create(self.name, self.level)
        self.done_at = time.monotonic()


port, user, pw, tmo = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
    int(sys.argv[4])
a, b, x = Conn(port, user, pw), Conn(port, user, pw), Conn(port, user, pw)

# 1. Batch, a break to Level II, the opener waits for the acknowledgment.
st0, lvl, fa = a.create("opl.bin", BATCH, OVERWRITE_IF)
if st0 == 0 and lvl == BATCH:
    ok("batch_granted")
a.write(fa, b"a" * 100)
t = Opener(b, "opl.bin", BATCH)
t.start()
brk = a.next_break(10)
if brk is not None and brk[0] == LEVEL2 and brk[1] == fid_bytes(fa):
    ok("break_to_level2")
time.sleep(1)
if t.done_at is None:
    ok("open_waits")
# Another connection of the same user cannot acknowledge a's break.
if x.ack(fa, LEVEL2)[0] == FILE_CLOSED:
    ok("other_connection_cannot_ack")
if t.done_at is None:
    ok("still_waits")
st1, lvl1 = a.ack(fa, LEVEL2)
if st1 == 0 and lvl1 == LEVEL2:
    ok("ack")
t.join(10)
if t.result is not None and t.result[0] == 0 and t.result[1] == LEVEL2:
    ok("open_completes_level2")
fb = t.result[2] if t.result is not None else None

# 2. A write by b breaks a's Level II (and b's own) to none, unasked.
if fb is not None:
    b.write(fb, b"b" * 10)
    brk = a.next_break(10)
    if brk is not None and brk[0] == NONE and brk[1] == fid_bytes(fa):
        ok("write_breaks_level2")
    # Level II to none is not acknowledged: an acknowledgment is refused.
    if a.ack(fa, NONE)[0] == INVALID_OPLOCK_PROTOCOL:
        ok("level2_ack_refused")
    b.close(fb)
a.close(fa)

# 3. Nobody acknowledges: the opener goes on after "oplock break timeout".
st2, lvl2, fa2 = a.create("tmo.bin", BATCH, OVERWRITE_IF)
start = time.monotonic()
t = Opener(b, "tmo.bin", NONE)
t.start()
brk = a.next_break(10)
if st2 == 0 and lvl2 == BATCH and brk is not None and brk[0] == LEVEL2:
    ok("timeout_break_sent")
t.join(tmo + 30)
if t.result is not None and t.result[0] == 0 and \
        tmo - 1 <= t.done_at - start <= tmo + 10:
    ok("timeout_open_completes")
# The break ended at none: a late acknowledgment finds none out.
if a.ack(fa2, LEVEL2)[0] == INVALID_OPLOCK_PROTOCOL:
    ok("late_ack_refused")
