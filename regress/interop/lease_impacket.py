#!/usr/bin/python3
"""Lease breaks on rename and delete, across session workers, through
impacket (an independent SMB2 client).  Connection a holds a Read-Handle
lease on a file that connection b has open too.  b renames the file,
sets its delete disposition, or closes an open with delete on close:
each time a gets a Lease Break Notification from RH to R that must be
acknowledged, and b's request waits (STATUS_PENDING) until a
acknowledges, then succeeds.
Prints one "ok NAME" line per check that held.
usage: lease_impacket.py PORT USER PASS"""
import struct
import sys
import threading
import time

from impacket import smb3structs as st
from impacket.smbconnection import SMBConnection

SHARE, OVERWRITE_IF, OPEN = 7, 5, 1
READ, DELETE = 0x00120089, 0x00010000
R, H = 1, 2
BREAK_MID = 0xFFFFFFFFFFFFFFFF
DELETE_ON_CLOSE = 0x1000
NOT_FOUND = 0xC0000034


class Conn:
    def __init__(self, port, user, pw):
        self.c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
        self.c.login(user, pw)
        self.s = self.c.getSMBServer()
        self.tid = self.c.connectTree("share")

    def create(self, name, access, disp=OPEN, key=None, state=0, opts=0x40):
        """(status, FileId, granted lease state or None)."""
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_CREATE
        p['TreeID'] = self.tid
        req = st.SMB2Create()
        req['RequestedOplockLevel'] = 0xFF if key is not None else 0
        req['ImpersonationLevel'] = 2
        req['DesiredAccess'] = access
        req['FileAttributes'] = 0x80
        req['ShareAccess'] = SHARE
        req['CreateDisposition'] = disp
        req['CreateOptions'] = opts
        name16 = name.encode('utf-16le')
        req['NameLength'] = len(name16)
        buf = name16
        if key is not None:
            # One RqLs context (MS-SMB2 2.2.13.2.8), 8-byte aligned.
            pad = b'\0' * ((8 - (120 + len(buf)) % 8) % 8)
            lease = key + struct.pack('<LLQ', state, 0, 0)
            ctx = struct.pack('<LHHHHL', 0, 16, 4, 0, 24, len(lease)) + \
                b'RqLs' + b'\0' * 4 + lease
            req['CreateContextsOffset'] = 120 + len(buf) + len(pad)
            req['CreateContextsLength'] = len(ctx)
            buf += pad + ctx
        else:
            req['CreateContextsOffset'] = 0
            req['CreateContextsLength'] = 0
        req['Buffer'] = buf
        p['Data'] = req
        ans = self.s.recvSMB(self.s.sendSMB(p))
        if ans['Status'] != 0:
            return ans['Status'], None, None
        r = st.SMB2Create_Response(ans['Data'])
        granted = None
        raw = ans.getData()
        off, ln = r['CreateContextsOffset'], r['CreateContextsLength']
        if key is not None and ln >= 24 + 32:
            c = raw[off:off + ln]
            doff = struct.unpack_from('<H', c, 10)[0]
            granted = struct.unpack_from('<L', c, doff + 16)[0]
        return 0, r['FileID'], granted

    def next_lease_break(self, timeout):
        """(current, new, flags, key) of the next lease break, or None."""
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
        n = st.SMB2LeaseBreakNotification(ans['Data'])
        if n['StructureSize'] != 44:
            return None
        return n['CurrentLeaseState'], n['NewLeaseState'], n['Flags'], \
            n['LeaseKey']

    def lease_ack(self, key, state):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_OPLOCK_BREAK
        p['TreeID'] = self.tid
        req = st.SMB2LeaseBreakAcknowledgement()
        req['LeaseKey'] = key
        req['LeaseState'] = state
        p['Data'] = req
        return self.s.recvSMB(self.s.sendSMB(p))['Status']

    def set_info(self, fid, cls, data):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_SET_INFO
        p['TreeID'] = self.tid
        req = st.SMB2SetInfo()
        req['InfoType'] = st.SMB2_0_INFO_FILE
        req['FileInfoClass'] = cls
        req['FileID'] = fid
        req['BufferLength'] = len(data)
        req['Buffer'] = data
        p['Data'] = req
        return self.s.recvSMB(self.s.sendSMB(p))['Status']

    def rename(self, fid, new):
        n = new.encode('utf-16le')
        data = struct.pack('<B7sQL', 1, b'\0' * 7, 0, len(n)) + n
        return self.set_info(fid, 10, data)

    def set_delete(self, fid):
        return self.set_info(fid, 13, b'\1')

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


class Later(threading.Thread):
    """b's request, which is expected to wait: it runs in a thread."""
    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn, self.result, self.done_at = fn, None, None

    def run(self):
        self.result = self.fn()
        self.done_at = time.monotonic()


def breaks_and_waits(tag, a, key, fn):
    """a holds RH with key; fn, b's request, must break it and wait."""
    t = Later(fn)
    t.start()
    brk = a.next_lease_break(10)
    if brk is not None and brk[0] == R | H and brk[1] == R and \
            brk[2] & 1 and brk[3] == key:
        ok(tag + "_breaks_rh_to_r")
    time.sleep(1)
    if t.done_at is None:
        ok(tag + "_waits")
    if a.lease_ack(key, R) == 0:
        ok(tag + "_ack")
    t.join(10)
    if t.result == 0:
        ok(tag + "_completes")


port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
a, b = Conn(port, user, pw), Conn(port, user, pw)

# 1. A rename by b breaks a's H and waits for the acknowledgment.
k1 = b'\x11' * 16
s0, fa, g = a.create("ren.bin", READ, OVERWRITE_IF, k1, R | H)
if s0 == 0 and g == R | H:
    ok("rename_lease_rh")
s1, fb, _ = b.create("ren.bin", READ | DELETE)
breaks_and_waits("rename", a, k1, lambda: b.rename(fb, "ren2.bin"))
if b.create("ren.bin", READ)[0] == NOT_FOUND and \
        b.create("ren2.bin", READ)[0] == 0:
    ok("rename_done")
b.close(fb)
a.close(fa)

# 2. FileDispositionInformation by b: the same.
k2 = b'\x22' * 16
s0, fa, g = a.create("del.bin", READ, OVERWRITE_IF, k2, R | H)
s1, fb, _ = b.create("del.bin", READ | DELETE)
breaks_and_waits("delete", a, k2, lambda: b.set_delete(fb))
b.close(fb)
a.close(fa)
if b.create("del.bin", READ)[0] == NOT_FOUND:
    ok("delete_done")

# 3. The CLOSE of b's open with delete on close: the same.
k3 = b'\x33' * 16
s0, fa, g = a.create("doc.bin", READ, OVERWRITE_IF, k3, R | H)
s1, fb, _ = b.create("doc.bin", DELETE, OPEN, opts=0x40 | DELETE_ON_CLOSE)
if s1 == 0:
    ok("doc_open")
breaks_and_waits("doc_close", a, k3, lambda: b.close(fb))
a.close(fa)
if b.create("doc.bin", READ)[0] == NOT_FOUND:
    ok("doc_done")
