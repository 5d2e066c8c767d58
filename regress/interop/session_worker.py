#!/usr/bin/python3
"""Log on with impacket, connect a tree, say "ready", and hold the
connection until stdin closes.  usage: session_worker.py PORT USER PASS"""
import sys

from impacket.smbconnection import SMBConnection

c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login(sys.argv[2], sys.argv[3])
tid = c.connectTree("share")
print("ready", flush=True)
sys.stdin.read()
c.disconnectTree(tid)
c.logoff()
