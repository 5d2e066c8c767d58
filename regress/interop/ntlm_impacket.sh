#!/bin/sh
#
# Interop test of the NTLMSSP server against an independent client:
# impacket's ntlm module (Debian's python3-impacket) plays the client
# against regress/unit/ntlmssp_tool.  Checks a right password (with and
# without key exchange, with a MIC), a wrong one, a corrupted MIC and an
# anonymous logon.  Exits 77 (skipped) when impacket is not available.

PYTHON=/usr/bin/python3
TOOL=${top_builddir:-.}/regress/unit/ntlmssp_tool

if [ ! -x "$PYTHON" ] || ! "$PYTHON" -c 'from impacket import ntlm' \
    >/dev/null 2>&1; then
	echo "SKIP: $PYTHON cannot import impacket (install python3-impacket)"
	exit 77
fi
if [ ! -x "$TOOL" ]; then
	echo "FAIL: $TOOL not built"
	exit 1
fi

exec "$PYTHON" - "$TOOL" <<'EOF'
import hmac, hashlib, struct, subprocess, sys
from impacket import ntlm

tool = sys.argv[1]
PASSWORD = 'S3cret-pw'


def run(user, password, domain, signing, mic, corrupt=False, anon=False):
    args = [tool, '-p', PASSWORD] + (['-a'] if anon else [])
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    type1 = ntlm.getNTLMSSPType1('CLIENTPC', '', signing)
    if mic:
        # A Version field in AUTHENTICATE, and so room for the MIC.
        type1['flags'] |= ntlm.NTLMSSP_NEGOTIATE_VERSION
        type1['os_version'] = b'\x0a\x00\x63\x45\x00\x00\x00\x0f'
    neg = type1.getData()
    p.stdin.write(neg.hex() + '\n')
    p.stdin.flush()
    line = p.stdout.readline().split()
    if len(line) != 2 or line[0] != 'CHALLENGE':
        return ('no challenge', line)
    chal = bytes.fromhex(line[1])

    orig = ntlm.AV_PAIRS
    if mic:
        # Announce the MIC in the client's AV pairs (MsvAvFlags bit 2).
        class AvWithMic(orig):
            def __init__(self, data=None):
                orig.__init__(self, data)
                if data is not None:
                    self[ntlm.NTLMSSP_AV_FLAGS] = struct.pack('<I', 2)
        ntlm.AV_PAIRS = AvWithMic
    try:
        type3, key = ntlm.getNTLMSSPType3(type1, chal, user, password,
                                          domain)
    finally:
        ntlm.AV_PAIRS = orig
    if mic:
        type3['Version'] = b'\x0a\x00\x63\x45\x00\x00\x00\x0f'
        type3['MIC'] = b'\x00' * 16
        m = hmac.new(key, neg + chal + type3.getData(),
                     hashlib.md5).digest()
        if corrupt:
            m = bytes([m[0] ^ 1]) + m[1:]
        type3['MIC'] = m
    p.stdin.write(type3.getData().hex() + '\n')
    p.stdin.flush()
    out = p.stdout.read().split('\n')
    p.wait()
    return (out, key)


failures = 0


def expect(name, ok, detail):
    global failures
    print(('ok   ' if ok else 'FAIL ') + name)
    if not ok:
        print('     ', detail)
        failures += 1


for signing in (False, True):
    for mic in (False, True):
        name = 'signing=%s mic=%s' % (signing, mic)
        out, key = run('alice', PASSWORD, 'WORKGROUP', signing, mic)
        expect('right password ' + name,
               ('OK ' + key.hex()) in out and 'USER alice' in out, out)
        out, key = run('alice', 'wrong', 'WORKGROUP', signing, mic)
        expect('wrong password ' + name, 'FAIL' in out, out)
out, key = run('Alice', PASSWORD, '', True, True)
expect('empty domain, other case', ('OK ' + key.hex()) in out, out)
out, key = run('alice', PASSWORD, 'WORKGROUP', True, True, corrupt=True)
expect('corrupted MIC', 'FAIL' in out, out)
out, key = run('', '', '', True, False, anon=True)
expect('anonymous allowed', ('OK-ANONYMOUS ' + key.hex()) in out, out)
out, key = run('', '', '', True, False, anon=False)
expect('anonymous refused', 'FAIL' in out, out)
sys.exit(1 if failures else 0)
EOF
