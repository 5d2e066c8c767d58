#!/usr/bin/python3
"""Byte-range locks across session workers through impacket, an
independent SMB2 client.  Three connections (three usmbd-session
processes) share one file: a lock taken by one must stop the others'
READ and WRITE (FILE_LOCK_CONFLICT, MS-FSA 2.1.4.10), whether their open
existed before the lock (lockd's notice) or came after it (the OPEN
reply); a waiting lock is granted by the unlock; a close and the end of
a connection drop their locks.
Prints one "ok NAME" line per check that held.
usage: lock_impacket.py PORT USER PASS"""
import struct
import sys
import threading
import time

from impacket import smb3structs as st
from impacket.smb3 import SessionError
from impacket.smbconnection import SMBConnection

ALL, SHARE, OVERWRITE_IF, OPEN = 0x001F01FF, 7, 5, 1
SHARED, EXCL, UNLOCK, FAIL = 1, 2, 4, 0x10
CONFLICT, NOT_GRANTED = 0xC0000054, 0xC0000055
NAME = "brl.bin"


class Conn:
    def __init__(self, port, user, pw):
        self.c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
        self.c.login(user, pw)
        self.s = self.c.getSMBServer()
        self.tid = self.c.connectTree("share")

    def open(self, disp=OPEN):
        return self.s.create(self.tid, NAME, ALL, SHARE, 0x40, disp, 0)

    def lock(self, fid, off, length, flags):
        # impacket's own lock() cannot encode its elements: build it here.
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_LOCK
        p['TreeID'] = self.tid
        req = st.SMB2Lock()
        req['FileID'] = fid
        req['LockCount'] = 1
        req['Locks'] = struct.pack("<QQII", off, length, flags, 0)
        p['Data'] = req
        ans = self.s.recvSMB(self.s.sendSMB(p))
        return ans['Status']

    def read(self, fid, off, n):
        return status(lambda: self.s.read(self.tid, fid, off, n))

    def write(self, fid, off, n):
        return status(lambda: self.s.write(self.tid, fid, b"w" * n, off, n))


def status(fn):
    try:
        fn()
    except SessionError as e:
        return e.get_error_code()
    return 0


def ok(name):
    print("ok", name, flush=True)


port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
a, b = Conn(port, user, pw), Conn(port, user, pw)
fa = a.open(OVERWRITE_IF)
a.s.write(a.tid, fa, b"x" * 4096, 0, 4096)
# b's open exists before the lock: lockd must tell b's worker.
fb = b.open()

if a.lock(fa, 0, 100, EXCL | FAIL) == 0:
    ok("lock")
if b.read(fb, 0, 10) == CONFLICT and b.write(fb, 50, 10) == CONFLICT:
    ok("other_worker_conflicts")
if b.read(fb, 200, 10) == 0 and b.write(fb, 200, 10) == 0:
    ok("outside_range")
if a.read(fa, 0, 10) == 0 and a.write(fa, 0, 10) == 0:
    ok("owner_io")
# c opens after the lock: the OPEN reply says the file has locks.
c = Conn(port, user, pw)
fc = c.open()
if c.read(fc, 90, 20) == CONFLICT:
    ok("later_open_conflicts")
if b.lock(fb, 0, 10, EXCL | FAIL) == NOT_GRANTED:
    ok("not_granted")

# A lock that waits (no FAIL_IMMEDIATELY) is granted by the unlock.
res = []
t = threading.Thread(target=lambda: res.append(b.lock(fb, 0, 10, EXCL)))
t.start()
time.sleep(0.5)
ua = a.lock(fa, 0, 100, UNLOCK)
t.join(60)
if ua == 0 and res == [0]:
    ok("waiting_lock_granted")
if c.read(fc, 0, 10) == CONFLICT and a.read(fa, 0, 10) == CONFLICT:
    ok("granted_lock_holds")
if b.lock(fb, 0, 10, UNLOCK) == 0 and c.read(fc, 0, 10) == 0 and \
        c.write(fc, 0, 10) == 0:
    ok("unlocked_io")

# A shared lock stops writes, its owner's too, but not reads.
if a.lock(fa, 0, 100, SHARED | FAIL) == 0 and \
        a.write(fa, 0, 10) == CONFLICT and b.write(fb, 0, 10) == CONFLICT \
        and b.read(fb, 0, 10) == 0 and a.read(fa, 0, 10) == 0:
    ok("shared_lock")
# Closing the open drops its locks.
a.s.close(a.tid, fa)
if b.write(fb, 0, 10) == 0:
    ok("close_unlocks")

# The end of a connection drops its locks too (lockd learns it when
# the worker exits, so b asks again for a while).
fa = a.open()
if a.lock(fa, 0, 100, EXCL | FAIL) == 0 and b.write(fb, 0, 10) == CONFLICT:
    a.s.get_socket().close()
    for i in range(100):
        if b.write(fb, 0, 10) == 0:
            ok("disconnect_unlocks")
            break
        time.sleep(0.1)
