#!/usr/bin/python3
"""Durable handles across a killed session worker (doc/durable.md).

Phase "hold": opens d.bin with a v2 lease (RH) and a DH2Q context, writes,
takes a byte-range lock, opens b.bin with a Batch oplock and DH2Q, writes
what the reconnect needs to STATE, prints "ready" and waits to be killed
(the shell kills the session worker with SIGKILL first).
Phase "steal": another user, with the same ClientGuid, names both opens
with their FileIds, CreateGuids and the lease key: refused.
Phase "reclaim": the same user on a new connection with the same
ClientGuid reclaims both with DH2C, reads back what was written, and a
second client of the user finds the byte-range lock still held.
Phase "expired": a third open, kept for the one second its client asked
for, is gone once lockd logged so.
usage: durable_impacket.py PORT USER PASS hold|steal|reclaim|expired STATE"""
import json
import os
import random
import struct
import sys
import time

from impacket import smb3structs as st
from impacket.smbconnection import SMBConnection

RW, OVERWRITE_IF, OPEN = 0x0012019F, 5, 1
SHARE_ALL = 7
EXCL, FAIL = 2, 0x10
BATCH, LEASE = 0x09, 0xFF
LEASE_R, LEASE_H = 1, 2
NOT_FOUND, NOT_GRANTED = 0xC0000034, 0xC0000055
# The ClientGuid every connection of this test negotiates: impacket draws
# it from the random module when it connects.
GUID_SEED = 4711


class Conn:
    def __init__(self, port, user, pw, seed=None):
        if seed is not None:
            random.seed(seed)
        self.c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
        self.c.login(user, pw)
        self.s = self.c.getSMBServer()
        self.tid = self.c.connectTree("share")

    def create(self, name, access, share, disp, level, ctxs):
        """A CREATE with these (tag, data) contexts: status, response
        fields, {tag: data} of the response's contexts."""
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_CREATE
        p['TreeID'] = self.tid
        req = st.SMB2Create()
        req['RequestedOplockLevel'] = level
        req['ImpersonationLevel'] = 2
        req['DesiredAccess'] = access
        req['FileAttributes'] = 0x80
        req['ShareAccess'] = share
        req['CreateDisposition'] = disp
        req['CreateOptions'] = 0x40
        req['NameLength'] = len(name) * 2
        req['Buffer'] = name.encode('utf-16le')
        off = len(st.SMB2Packet()) + st.SMB2Create.SIZE + len(req['Buffer'])
        if off % 8:
            req['Buffer'] += b'\0' * (8 - off % 8)
            off += 8 - off % 8
        blob = b''
        for i, (tag, data) in enumerate(ctxs):
            one = struct.pack('<IHHHHI', 0, 16, 4, 0, 24, len(data)) + \
                tag + b'\0' * 4 + data
            if i + 1 < len(ctxs):
                one += b'\0' * (-len(one) % 8)
                one = struct.pack('<I', len(one)) + one[4:]
            blob += one
        req['CreateContextsOffset'] = off
        req['CreateContextsLength'] = len(blob)
        req['Buffer'] += blob
        p['Data'] = req
        ans = self.s.recvSMB(self.s.sendSMB(p))
        if ans['Status'] != 0:
            return ans['Status'], None, {}
        r = st.SMB2Create_Response(ans['Data'])
        # impacket reads and writes only opens it knows.
        self.s._Session['OpenTable'][r['FileID'].getData()] = {}
        raw = ans['Data']
        out, at = {}, r['CreateContextsOffset'] - 64
        while r['CreateContextsLength'] and at < len(raw):
            nxt, noff, nlen, _, doff, dlen = struct.unpack_from('<IHHHHI',
                                                                raw, at)
            out[raw[at + noff:at + noff + nlen]] = \
                raw[at + doff:at + doff + dlen]
            if nxt == 0:
                break
            at += nxt
        return 0, r, out

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


def lease_ctx(key, state):
    # SMB2_CREATE_REQUEST_LEASE_V2 (MS-SMB2 2.2.13.2.10)
    return (b'RqLs', key + struct.pack('<IIQ', state, 0, 0) + b'\0' * 16 +
            struct.pack('<HH', 0, 0))


def dh2q(guid, timeout=60000):
    return (b'DH2Q', struct.pack('<II', timeout, 0) + b'\0' * 8 + guid)


def dh2c(fid, guid):
    return (b'DH2C', struct.pack('<QQ', fid[0], fid[1]) + guid +
            struct.pack('<I', 0))


def fileid(r):
    return (r['FileID']['Persistent'], r['FileID']['Volatile'])


def hold(port, user, pw, state):
    a = Conn(port, user, pw, GUID_SEED)
    key, g1, g2 = os.urandom(16), os.urandom(16), os.urandom(16)
    s, r, ctx = a.create("d.bin", RW, SHARE_ALL, OVERWRITE_IF, LEASE,
                         [lease_ctx(key, LEASE_R | LEASE_H), dh2q(g1)])
    print("lease open: %08x" % s, flush=True)
    print("granted DH2Q:", b'DH2Q' in ctx, flush=True)
    print("lease state: %d" % struct.unpack_from('<I', ctx[b'RqLs'], 16)[0],
          flush=True)
    f1 = fileid(r)
    wire = r['FileID'].getData()
    a.s.write(a.tid, wire, b"acknowledged before the crash", 0, 29)
    print("lock: %08x" % a.lock(wire, 0, 10, EXCL | FAIL), flush=True)
    s, r, ctx = a.create("b.bin", RW, SHARE_ALL, OVERWRITE_IF, BATCH,
                         [dh2q(g2)])
    print("batch open: %08x %d" % (s, r['OplockLevel']), flush=True)
    print("granted DH2Q:", b'DH2Q' in ctx, flush=True)
    f2 = fileid(r)
    a.s.write(a.tid, r['FileID'].getData(), b"batch data", 0, 10)
    # One the client asks to be kept for one second only.
    g3 = os.urandom(16)
    s, r, ctx = a.create("e.bin", RW, SHARE_ALL, OVERWRITE_IF, BATCH,
                         [dh2q(g3, 1000)])
    print("short open: %08x %d" % (s, struct.unpack_from('<I',
          ctx[b'DH2Q'])[0]), flush=True)
    with open(state, "w") as f:
        json.dump({"f1": f1, "f2": f2, "f3": fileid(r), "key": key.hex(),
                   "g1": g1.hex(), "g2": g2.hex(), "g3": g3.hex()}, f)
    print("ready", flush=True)
    while True:
        time.sleep(1)


def reconnect(c, d, which):
    key = bytes.fromhex(d["key"])
    if which == 1:
        return c.create("d.bin", 0, 0, OPEN, LEASE,
                        [lease_ctx(key, LEASE_R | LEASE_H),
                         dh2c(d["f1"], bytes.fromhex(d["g1"]))])
    return c.create("b.bin", 0, 0, OPEN, BATCH,
                    [dh2c(d["f2"], bytes.fromhex(d["g2"]))])


def main():
    port, user, pw, phase, state = (int(sys.argv[1]), sys.argv[2],
                                    sys.argv[3], sys.argv[4], sys.argv[5])
    if phase == "hold":
        hold(port, user, pw, state)
        return
    with open(state) as f:
        d = json.load(f)
    c = Conn(port, user, pw, GUID_SEED)
    if phase == "expired":
        s, _, _ = c.create("e.bin", 0, 0, OPEN, BATCH,
                           [dh2c(d["f3"], bytes.fromhex(d["g3"]))])
        print("expired reconnect: %08x" % s, flush=True)
        return
    s1, r1, _ = reconnect(c, d, 1)
    s2, r2, _ = reconnect(c, d, 2)
    print("%s lease reconnect: %08x" % (phase, s1), flush=True)
    print("%s batch reconnect: %08x" % (phase, s2), flush=True)
    if phase != "reclaim" or s1 != 0 or s2 != 0:
        return
    print("read: %s" % c.s.read(c.tid, r1['FileID'].getData(), 0, 29),
          flush=True)
    print("batch read: %s" % c.s.read(c.tid, r2['FileID'].getData(), 0,
                                       10), flush=True)
    print("level: %d" % r2['OplockLevel'], flush=True)
    # Another client of the user: the lock is still held.
    e = Conn(port, user, pw)
    fe = e.s.create(e.tid, "d.bin", 0x3, SHARE_ALL, 0x40, OPEN, 0)
    print("other lock: %08x" % e.lock(fe, 0, 10, EXCL | FAIL), flush=True)
    print("other lock beyond: %08x" % e.lock(fe, 20, 5, EXCL | FAIL),
          flush=True)


main()
