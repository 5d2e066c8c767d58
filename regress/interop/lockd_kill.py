#!/usr/bin/python3
"""lockd dies while two clients hold opens and a byte-range lock: neither
connection may go on serving without sharing state, and once lockd is
back, share modes and locks hold again for new connections.
Phase "hold": a holds f.bin without sharing, b holds a lock on g.bin;
prints "ready", waits until the file named by GO exists, then tries a
read on each and prints what each saw.  Phase "after": new connections
see share modes and locks enforced.
usage: lockd_kill.py PORT USER PASS hold GO | after"""
import os
import struct
import sys
import time

from impacket import smb3structs as st
from impacket.smbconnection import SMBConnection

ALL, OVERWRITE_IF, OPEN = 0x001F01FF, 5, 1
EXCL, FAIL = 2, 0x10
SHARING_VIOLATION, NOT_GRANTED = 0xC0000043, 0xC0000055


class Conn:
    def __init__(self, port, user, pw):
        self.c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
        self.c.login(user, pw)
        self.s = self.c.getSMBServer()
        self.tid = self.c.connectTree("share")

    def open(self, name, share, disp=OPEN):
        return self.s.create(self.tid, name, ALL, share, 0x40, disp, 0)

    def lock(self, fid, off, length, flags):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_LOCK
        p['TreeID'] = self.tid
        req = st.SMB2Lock()
        req['FileID'] = fid
        req['LockCount'] = 1
        req['Locks'] = struct.pack("<QQII", off, length, flags, 0)
        p['Data'] = req
        return self.s.recvSMB(self.s.sendSMB(p))['Status']


def code(fn):
    try:
        fn()
    except Exception as e:
        try:
            return "%08x" % e.get_error_code()
        except Exception:
            return type(e).__name__
    return "ok"


port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
if sys.argv[4] == "hold":
    a, b = Conn(port, user, pw), Conn(port, user, pw)
    fa = a.open("f.bin", 0, OVERWRITE_IF)
    a.s.write(a.tid, fa, b"a" * 100, 0, 100)
    fb = b.open("g.bin", 7, OVERWRITE_IF)
    b.s.write(b.tid, fb, b"b" * 100, 0, 100)
    print("lock", "%08x" % b.lock(fb, 0, 10, EXCL | FAIL), flush=True)
    print("ready", flush=True)
    while not os.path.exists(sys.argv[5]):
        time.sleep(0.1)
    time.sleep(1)
    print("a read:", code(lambda: a.s.read(a.tid, fa, 0, 10)), flush=True)
    print("b read:", code(lambda: b.s.read(b.tid, fb, 0, 10)), flush=True)
else:
    c, d = Conn(port, user, pw), Conn(port, user, pw)
    fc = c.open("f.bin", 0)
    print("share mode:", code(lambda: d.open("f.bin", 7)), flush=True)
    gc = c.open("g.bin", 7)
    gd = d.open("g.bin", 7)
    c.lock(gc, 0, 10, EXCL | FAIL)
    print("lock:", "%08x" % d.lock(gd, 0, 10, EXCL | FAIL), flush=True)
