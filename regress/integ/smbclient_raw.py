#!/usr/bin/python3
"""A tiny raw SMB2 client for the integration tests: opens connections,
sends frames and a minimal NEGOTIATE, and reports what came back.  Only
loopback addresses are ever used.

usage: smbclient_raw.py PORT COMMAND [ARGS]
  hold N [SRC]          open N connections (from SRC) and keep them open
                        until stdin closes; prints "open N" when done
  negotiate [SRC]       send an SMB2 NEGOTIATE, print the dialect
  negotiate311 IDS      send a 3.1.1 NEGOTIATE whose SIGNING_CAPABILITIES
                        context offers IDS (comma-separated numbers), print
                        the dialect and the signing algorithm the
                        response names ("sign=none" without the context)
  idle                  connect and wait; print how long until the
                        server closed the connection
  frame HEXBYTES        send raw bytes, print "closed" or "open"
  bigframe LEN          send a frame header announcing LEN bytes
  regress WORD          send a regress hook frame ("violate", "open")
  count-accept N [SRC]  open N connections, print how many the server
                        kept open after a second
"""
import socket
import struct
import sys
import time
import uuid

HOST = "127.0.0.1"


def connect(port, src=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if src:
        s.bind((src, 0))
    s.settimeout(10)
    s.connect((HOST, port))
    return s


def send_frame(s, payload):
    s.sendall(struct.pack(">I", len(payload)) + payload)


def recv_frame(s):
    hdr = b""
    while len(hdr) < 4:
        chunk = s.recv(4 - len(hdr))
        if not chunk:
            return None
        hdr += chunk
    n = struct.unpack(">I", hdr)[0] & 0xFFFFFF
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def negotiate_request(dialects=(0x0202, 0x0210, 0x0300, 0x0302)):
    hdr = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ16s", 64, 0, 0, 0, 1, 0, 0,
                                   0, 0xFEFF, 0, 0, b"\0" * 16)
    body = struct.pack("<HHHHI16sQ", 36, len(dialects), 1, 0, 0,
                       uuid.uuid4().bytes, 0)
    body += b"".join(struct.pack("<H", d) for d in dialects)
    return hdr + body


def negotiate311_request(sign_ids):
    """3.1.1 only, with a SHA-512 preauth context and a SIGNING one."""
    hdr = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ16s", 64, 0, 0, 0, 1, 0, 0,
                                   0, 0xFEFF, 0, 0, b"\0" * 16)
    # Header, fixed body and one dialect end at 102; contexts start at 104.
    body = struct.pack("<HHHHI16sIHH", 36, 1, 1, 0, 0, uuid.uuid4().bytes,
                       104, 2, 0)
    body += struct.pack("<H", 0x0311) + b"\0" * 2
    preauth = struct.pack("<HHH", 1, 32, 1) + bytes(range(32))
    ctx = struct.pack("<HHI", 1, len(preauth), 0) + preauth
    ctx += b"\0" * (-len(ctx) % 8)
    sign = struct.pack("<H", len(sign_ids))
    sign += b"".join(struct.pack("<H", i) for i in sign_ids)
    ctx += struct.pack("<HHI", 8, len(sign), 0) + sign
    return hdr + body + ctx


def response_contexts(r):
    """The (type, data) pairs of a NEGOTIATE response's context list."""
    count = struct.unpack_from("<H", r, 64 + 6)[0]
    off = struct.unpack_from("<I", r, 64 + 60)[0]
    out = []
    for _ in range(count):
        off += -off % 8
        ctype, clen = struct.unpack_from("<HH", r, off)
        out.append((ctype, r[off + 8:off + 8 + clen]))
        off += 8 + clen
    return out


def closed_within(s, seconds):
    s.settimeout(seconds)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def main():
    port = int(sys.argv[1])
    cmd = sys.argv[2]
    args = sys.argv[3:]
    if cmd == "hold":
        n = int(args[0])
        src = args[1] if len(args) > 1 else None
        conns = [connect(port, src) for _ in range(n)]
        print("open %d" % len(conns), flush=True)
        sys.stdin.read()
    elif cmd == "negotiate":
        s = connect(port, args[0] if args else None)
        send_frame(s, negotiate_request())
        r = recv_frame(s)
        if r is None or len(r) < 64 + 6 or r[:4] != b"\xfeSMB":
            print("no-response")
            return 1
        status = struct.unpack_from("<I", r, 8)[0]
        dialect = struct.unpack_from("<H", r, 64 + 4)[0]
        print("status=%08x dialect=%04x" % (status, dialect))
    elif cmd == "negotiate311":
        ids = [int(x, 0) for x in args[0].split(",")]
        s = connect(port)
        send_frame(s, negotiate311_request(ids))
        r = recv_frame(s)
        if r is None or len(r) < 64 + 64 or r[:4] != b"\xfeSMB":
            print("no-response")
            return 1
        status = struct.unpack_from("<I", r, 8)[0]
        dialect = struct.unpack_from("<H", r, 64 + 4)[0]
        sign = "none"
        for ctype, data in response_contexts(r):
            if ctype == 8:
                n = struct.unpack_from("<H", data, 0)[0]
                got = struct.unpack_from("<%dH" % n, data, 2)
                sign = ",".join(str(i) for i in got)
        print("status=%08x dialect=%04x sign=%s" % (status, dialect, sign))
    elif cmd == "idle":
        s = connect(port)
        t0 = time.monotonic()
        s.settimeout(120)
        try:
            s.recv(1)
        except OSError:
            pass
        print("%.1f" % (time.monotonic() - t0))
    elif cmd == "frame":
        s = connect(port)
        s.sendall(bytes.fromhex(args[0]))
        # Well within any negotiate timeout the tests configure.
        print("closed" if closed_within(s, 1) else "open")
    elif cmd == "bigframe":
        s = connect(port)
        s.sendall(struct.pack(">I", int(args[0])) + b"\xfeSMB" + b"\0" * 60)
        print("closed" if closed_within(s, 3) else "open")
    elif cmd == "regress":
        s = connect(port)
        send_frame(s, b"REGRESS!" + args[0].encode())
        print("closed" if closed_within(s, 5) else "open")
    elif cmd == "count-accept":
        n = int(args[0])
        src = args[1] if len(args) > 1 else None
        conns = [connect(port, src) for _ in range(n)]
        time.sleep(0.7)
        alive = sum(0 if closed_within(c, 0.05) else 1 for c in conns)
        print(alive)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
