#!/usr/bin/python3
"""impacket's DCE/RPC over usmbd's named pipes: srvsvc share enumeration
(levels 1 and 2), share and server info, wkssvc, lsarpc lookups, samr
domains, dssetup, an unknown opnum and an unknown interface; all of it
twice, once bound with NDR32 and once with NDR64 alone.  Prints one line per
check and exits non-zero if any failed.

usage: rpc.py PORT USER PASSWORD UID
"""
import grp
import sys

from impacket.dcerpc.v5 import (dssp, lsad, lsat, rpcrt, samr, srvs,
                                 transport, wkst)
from impacket.dcerpc.v5.dtypes import MAXIMUM_ALLOWED, NULL
from impacket.uuid import uuidtup_to_bin

PORT = int(sys.argv[1])
USER = sys.argv[2]
PASSWORD = sys.argv[3]
UID = int(sys.argv[4])
failures = 0


def check(desc, ok, detail=""):
    global failures
    if syntax is not None:
        desc = "NDR64: " + desc
    print("%s: %s%s" % ("ok" if ok else "FAIL", desc,
                        (" (%s)" % detail) if detail and not ok else ""))
    if not ok:
        failures += 1


NDR64 = ("71710533-BEBA-4937-8319-B5DBEF9CCC36", "1.0")
# Set by ndr64_checks(): every connection then binds with NDR64 alone.
syntax = None


def connect(pipe, iface, dialect=None):
    t = transport.SMBTransport("127.0.0.1", PORT, pipe, username=USER,
                               password=PASSWORD)
    if dialect is not None:
        t.preferred_dialect(dialect)
    d = t.get_dce_rpc()
    d.connect()
    if syntax is None:
        d.bind(iface)
    else:
        d.bind(iface, transfer_syntax=syntax)
        check("%s: the bind accepts NDR64 alone" % pipe,
              d.transfer_syntax == uuidtup_to_bin(syntax))
    return d


def attempt(desc, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - report any failure
        check(desc, False, repr(e))


def srvsvc_checks():
    d = connect(r"\srvsvc", srvs.MSRPC_UUID_SRVS)
    r = srvs.hNetrShareEnum(d, 1)
    names = [e["shi1_netname"][:-1] for e in
             r["InfoStruct"]["ShareInfo"]["Level1"]["Buffer"]]
    check("NetrShareEnum level 1 lists share and IPC$",
          "share" in names and "IPC$" in names, names)
    check("NetrShareEnum level 1 lists the 40 bulk shares",
          len([n for n in names if n.startswith("bulk")]) == 40, len(names))
    types = {e["shi1_netname"][:-1]: e["shi1_type"] for e in
             r["InfoStruct"]["ShareInfo"]["Level1"]["Buffer"]}
    check("IPC$ is STYPE_IPC|STYPE_SPECIAL",
          types.get("IPC$") == 0x80000003, types)
    r = srvs.hNetrShareEnum(d, 2)
    paths = {e["shi2_netname"][:-1]: e["shi2_path"][:-1] for e in
             r["InfoStruct"]["ShareInfo"]["Level2"]["Buffer"]}
    check("NetrShareEnum level 2 gives a Windows path",
          paths.get("share", "").startswith("C:\\")
          and "/" not in paths.get("share", "/"), paths)
    r = srvs.hNetrShareGetInfo(d, "share\x00", 1)
    check("NetrShareGetInfo level 1",
          r["InfoStruct"]["ShareInfo1"]["shi1_netname"][:-1] == "share")
    try:
        srvs.hNetrShareGetInfo(d, "nosuchshare\x00", 1)
        check("NetrShareGetInfo of a missing share fails", False)
    except srvs.DCERPCSessionError as e:
        check("NetrShareGetInfo of a missing share fails",
              e.get_error_code() == 2310, hex(e.get_error_code()))
    for desc, fn in (("NetrSessionEnum", lambda: srvs.hNetrSessionEnum(
            d, NULL, NULL, 10)),
            ("NetrConnectionEnum", lambda: srvs.hNetrConnectionEnum(
                d, "IPC$\x00", 1)),
            ("NetrFileEnum", lambda: srvs.hNetrFileEnum(d, NULL, NULL, 3))):
        try:
            fn()
            check(desc + " is refused", False)
        except rpcrt.DCERPCException as e:
            check(desc + " is refused: ERROR_ACCESS_DENIED",
                  e.get_error_code() == 5, hex(e.get_error_code()))
    r = srvs.hNetrServerGetInfo(d, 101)
    check("NetrServerGetInfo level 101",
          r["InfoStruct"]["ServerInfo101"]["sv101_platform_id"] == 500)
    # An opnum srvsvc does not implement: a fault, and the pipe lives on.
    try:
        d.call(99, b"")
        d.recv()
        check("an unknown opnum faults", False)
    except rpcrt.DCERPCException as e:
        check("an unknown opnum faults with nca_s_op_rng_error",
              "nca_s_op_rng_error" in str(e), str(e))
    r = srvs.hNetrShareEnum(d, 0)
    check("the pipe still works after a fault",
          r["InfoStruct"]["ShareInfo"]["Level0"]["EntriesRead"] >= 2)
    d.disconnect()


def wkssvc_checks():
    d = connect(r"\wkssvc", wkst.MSRPC_UUID_WKST)
    for level in (100, 101, 102):
        r = wkst.hNetrWkstaGetInfo(d, level)
        info = r["WkstaInfo"]["WkstaInfo%d" % level]
        check("NetrWkstaGetInfo level %d" % level,
              info["wki%d_platform_id" % level] == 500)
    d.disconnect()


def lsa_checks():
    d = connect(r"\lsarpc", lsat.MSRPC_UUID_LSAT)
    pol = lsad.hLsarOpenPolicy2(d, MAXIMUM_ALLOWED)["PolicyHandle"]
    r = lsad.hLsarQueryInformationPolicy2(
        d, pol, lsad.POLICY_INFORMATION_CLASS.PolicyAccountDomainInformation)
    sid = r["PolicyInformation"]["PolicyAccountDomainInfo"]["DomainSid"]
    dom = sid.formatCanonical()
    check("account domain SID is S-1-5-21-a-b-c",
          dom.startswith("S-1-5-21-") and len(dom.split("-")) == 7, dom)
    sids = ["S-1-1-0", "S-1-5-32-544", "S-1-22-1-%d" % UID]
    r = lsat.hLsarLookupSids2(d, pol, sids)
    names = [n["Name"] for n in r["TranslatedNames"]["Names"]]
    check("LookupSids2 names Everyone, Administrators and the user",
          names == ["Everyone", "Administrators", USER], names)
    try:
        lsat.hLsarLookupSids2(d, pol, ["S-1-5-21-1-2-3-4"])
        check("LookupSids2 of an unknown SID fails", False)
    except lsat.DCERPCSessionError as e:
        check("LookupSids2 of an unknown SID: STATUS_NONE_MAPPED",
              e.get_error_code() == 0xc0000073, hex(e.get_error_code()))
    try:
        r = lsat.hLsarLookupSids2(d, pol, ["S-1-1-0", "S-1-5-21-1-2-3-4"])
        check("LookupSids2 partly mapped", False, "no error")
    except lsat.DCERPCSessionError as e:
        check("LookupSids2 partly mapped: STATUS_SOME_NOT_MAPPED",
              e.get_error_code() == 0x00000107, hex(e.get_error_code()))
    r = lsat.hLsarLookupNames3(d, pol, [USER, "BUILTIN\\Users"])
    got = [s["Sid"].formatCanonical() for s in r["TranslatedSids"]["Sids"]]
    check("LookupNames3 resolves the user and BUILTIN\\Users",
          got == ["S-1-22-1-%d" % UID, "S-1-5-32-545"], got)
    other_user_checks(d, pol, dom)
    lsad.hLsarClose(d, pol)
    try:
        lsad.hLsarQueryInformationPolicy2(
            d, pol, lsad.POLICY_INFORMATION_CLASS.PolicyPrimaryDomainInformation)
        check("a closed handle is refused", False)
    except rpcrt.DCERPCException as e:
        check("a closed handle is refused with a context mismatch fault",
              "context_mismatch" in str(e), str(e))
    d.disconnect()


def other_user_checks(d, pol, dom):
    """Users and groups other than the session's: the master's name
    service names them."""
    adm = grp.getgrnam("adm").gr_gid
    unknown = 3999999
    sids = ["S-1-22-1-0", "S-1-22-2-0", "S-1-22-2-%d" % adm,
            "%s-1000" % dom, "%s-%d" % (dom, 1001 + 2 * adm),
            "%s-513" % dom]
    r = lsat.hLsarLookupSids2(d, pol, sids)
    doms = [e["Name"] for e in r["ReferencedDomains"]["Domains"]]
    got = [(doms[n["DomainIndex"]], n["Name"], n["Use"])
           for n in r["TranslatedNames"]["Names"]]
    check("LookupSids2 of root's uid and gid, a group and account RIDs",
          got == [("Unix User", "root", 1), ("Unix Group", "root", 2),
                  ("Unix Group", "adm", 2), ("USMBDRPC", "root", 1),
                  ("USMBDRPC", "adm", 2), ("USMBDRPC", "None", 2)], got)
    try:
        lsat.hLsarLookupSids2(d, pol, ["S-1-22-1-0",
                                       "S-1-22-1-%d" % unknown])
        check("LookupSids2 of an unknown uid", False, "no error")
    except lsat.DCERPCSessionError as e:
        names = [(n["Name"], n["Use"], n["DomainIndex"]) for n in
                 e.get_packet()["TranslatedNames"]["Names"]]
        check("LookupSids2 of an unknown uid: STATUS_SOME_NOT_MAPPED, "
              "SidTypeUnknown",
              e.get_error_code() == 0x107 and names ==
              [("root", 1, 0), ("S-1-22-1-%d" % unknown, 8, -1)],
              "%x %r" % (e.get_error_code(), names))
    try:
        lsat.hLsarLookupSids2(d, pol, ["S-1-22-2-%d" % unknown])
        check("LookupSids2 of an unknown gid", False, "no error")
    except lsat.DCERPCSessionError as e:
        check("LookupSids2 of an unknown gid: STATUS_NONE_MAPPED",
              e.get_error_code() == 0xc0000073, hex(e.get_error_code()))
    r = lsat.hLsarLookupNames3(d, pol, ["root", "adm", "Unix Group\\root",
                                        "USMBDRPC\\root"])
    got = [(s["Sid"].formatCanonical(), s["Use"])
           for s in r["TranslatedSids"]["Sids"]]
    check("LookupNames3 of other users and groups",
          got == [("S-1-22-1-0", 1), ("S-1-22-2-%d" % adm, 2),
                  ("S-1-22-2-0", 2), ("%s-1000" % dom, 1)], got)
    try:
        lsat.hLsarLookupNames3(d, pol, ["nosuchuser0815"])
        check("LookupNames3 of an unknown name", False, "no error")
    except lsat.DCERPCSessionError as e:
        check("LookupNames3 of an unknown name: STATUS_NONE_MAPPED",
              e.get_error_code() == 0xc0000073, hex(e.get_error_code()))


def anonymous_checks():
    """An anonymous session translates only the well-known names: other
    users' names are not given away."""
    t = transport.SMBTransport("127.0.0.1", PORT, r"\lsarpc", username="",
                               password="")
    d = t.get_dce_rpc()
    d.connect()
    if syntax is None:
        d.bind(lsat.MSRPC_UUID_LSAT)
    else:
        d.bind(lsat.MSRPC_UUID_LSAT, transfer_syntax=syntax)
    pol = lsad.hLsarOpenPolicy2(d, MAXIMUM_ALLOWED)["PolicyHandle"]
    try:
        lsat.hLsarLookupSids2(d, pol, ["S-1-1-0", "S-1-22-1-0"])
        check("anonymous LookupSids2 of root", False, "no error")
    except lsat.DCERPCSessionError as e:
        names = [(n["Name"], n["Use"]) for n in
                 e.get_packet()["TranslatedNames"]["Names"]]
        check("anonymous LookupSids2: Everyone mapped, root not",
              e.get_error_code() == 0x107 and
              names == [("Everyone", 5), ("S-1-22-1-0", 8)],
              "%x %r" % (e.get_error_code(), names))
    d.disconnect()


def samr_checks():
    d = connect(r"\samr", samr.MSRPC_UUID_SAMR)
    h = samr.hSamrConnect(d)["ServerHandle"]
    r = samr.hSamrEnumerateDomainsInSamServer(d, h)
    doms = [e["Name"] for e in r["Buffer"]["Buffer"]]
    check("SamrEnumerateDomainsInSamServer", "Builtin" in doms, doms)
    sid = samr.hSamrLookupDomainInSamServer(d, h, "Builtin")["DomainId"]
    check("SamrLookupDomainInSamServer Builtin",
          sid.formatCanonical() == "S-1-5-32", sid.formatCanonical())
    dh = samr.hSamrOpenDomain(d, h, domainId=sid)["DomainHandle"]
    r = samr.hSamrLookupIdsInDomain(d, dh, [544])
    check("SamrLookupIdsInDomain 544",
          r["Names"]["Element"][0]["Data"] == "Administrators")
    samr.hSamrCloseHandle(d, dh)
    acct = [x for x in doms if x != "Builtin"][0]
    sid = samr.hSamrLookupDomainInSamServer(d, h, acct)["DomainId"]
    dh = samr.hSamrOpenDomain(d, h, domainId=sid)["DomainHandle"]
    r = samr.hSamrEnumerateUsersInDomain(d, dh)
    users = [e["Name"] for e in r["Buffer"]["Buffer"]]
    check("SamrEnumerateUsersInDomain lists the user", users == [USER], users)
    adm = grp.getgrnam("adm").gr_gid
    r = samr.hSamrLookupIdsInDomain(d, dh, [1000, 1001 + 2 * adm])
    got = [(e["Data"], u["Data"]) for e, u in
           zip(r["Names"]["Element"], r["Use"]["Element"])]
    check("SamrLookupIdsInDomain of root and adm",
          got == [("root", 1), ("adm", 2)], got)
    r = samr.hSamrLookupNamesInDomain(d, dh, ("root", "adm"))
    got = [e["Data"] for e in r["RelativeIds"]["Element"]]
    check("SamrLookupNamesInDomain of root and adm",
          got == [1000, 1001 + 2 * adm], got)
    rid = samr.hSamrLookupNamesInDomain(d, dh, (USER,))[
        "RelativeIds"]["Element"][0]["Data"]
    check("SamrLookupNamesInDomain gives the user's RID",
          rid == 1000 + 2 * UID, rid)
    uh = samr.hSamrOpenUser(d, dh, userId=rid)["UserHandle"]
    r = samr.hSamrQueryInformationUser2(
        d, uh, samr.USER_INFORMATION_CLASS.UserAllInformation)
    info = r["Buffer"]["All"]
    check("SamrQueryInformationUser2 level 21",
          info["UserName"] == USER and info["UserId"] == rid,
          info["UserName"])
    samr.hSamrCloseHandle(d, uh)
    samr.hSamrCloseHandle(d, dh)
    samr.hSamrCloseHandle(d, h)
    d.disconnect()


def bind_checks():
    t = transport.SMBTransport("127.0.0.1", PORT, r"\srvsvc", username=USER,
                               password=PASSWORD)
    d = t.get_dce_rpc()
    d.connect()
    try:
        d.bind(uuidtup_to_bin(("12345678-1234-abcd-ef00-0123456789ab",
                               "1.0")))
        check("binding an unknown interface fails", False)
    except rpcrt.DCERPCException as e:
        check("binding an unknown interface: abstract syntax not supported",
              "abstract_syntax_not_supported" in str(e), str(e))
    d.disconnect()


def dssetup_checks():
    d = connect(r"\lsarpc", dssp.MSRPC_UUID_DSSP)
    r = dssp.hDsRolerGetPrimaryDomainInformation(d, 1)
    info = r["DomainInfo"]["DomainInfoBasic"]
    check("DsRolerGetPrimaryDomainInformation level 1: a stand-alone server",
          info["MachineRole"] == dssp.DSROLE_MACHINE_ROLE.DsRole_RoleStandaloneServer
          and info["DomainNameFlat"][:-1] == "RPCGROUP",
          "%s %r" % (info["MachineRole"], info["DomainNameFlat"]))
    d.disconnect()


def level_checks():
    """Every level and variant served, so that each structure's layout is
    exercised in both transfer syntaxes."""
    d = connect(r"\srvsvc", srvs.MSRPC_UUID_SRVS)
    for level in (0, 1, 2, 501, 502):
        r = srvs.hNetrShareEnum(d, level)
        buf = r["InfoStruct"]["ShareInfo"]["Level%d" % level]["Buffer"]
        names = [e["shi%d_netname" % level][:-1] for e in buf]
        check("NetrShareEnum level %d" % level,
              "share" in names and "IPC$" in names and len(names) == 43,
              names)
        if level in (2, 502):
            paths = [e["shi%d_path" % level] for e in buf]
            check("NetrShareEnum level %d: Windows paths" % level,
                  all(p[:2] == "C:" for p in paths), paths)
    for level in (0, 1, 2, 501, 502, 1005):
        r = srvs.hNetrShareGetInfo(d, "share\x00", level)
        info = r["InfoStruct"]["ShareInfo%d" % level]
        check("NetrShareGetInfo level %d" % level, level == 1005 or
              info["shi%d_netname" % level][:-1] == "share")
    r = srvs.hNetrShareEnumSticky(d, 1)
    check("NetrShareEnumSticky level 1",
          r["InfoStruct"]["ShareInfo"]["Level1"]["EntriesRead"] == 43)
    for level in (100, 102):
        r = srvs.hNetrServerGetInfo(d, level)
        info = r["InfoStruct"]["ServerInfo%d" % level]
        check("NetrServerGetInfo level %d" % level,
              info["sv%d_name" % level][:-1] == "USMBDRPC")
    r = srvs.hNetrRemoteTOD(d)
    check("NetrRemoteTOD", r["BufferPtr"]["tod_year"] >= 2024)
    d.disconnect()

    d = connect(r"\lsarpc", lsat.MSRPC_UUID_LSAT)
    pol = lsad.hLsarOpenPolicy(d)["PolicyHandle"]
    r = lsad.hLsarQueryInformationPolicy2(
        d, pol, lsad.POLICY_INFORMATION_CLASS.PolicyPrimaryDomainInformation)
    check("QueryInformationPolicy2 primary domain",
          r["PolicyInformation"]["PolicyPrimaryDomainInfo"]["Name"]
          == "RPCGROUP")
    r = lsad.hLsarQueryInformationPolicy2(
        d, pol, lsad.POLICY_INFORMATION_CLASS.PolicyDnsDomainInformation)
    check("QueryInformationPolicy2 DNS domain",
          r["PolicyInformation"]["PolicyDnsDomainInfo"]["Name"]
          == "RPCGROUP")
    r = lsat.hLsarLookupSids(d, pol, ["S-1-5-32-544", "S-1-1-0"])
    names = [n["Name"] for n in r["TranslatedNames"]["Names"]]
    check("LookupSids", names == ["Administrators", "Everyone"], names)
    for fn in (lsat.hLsarLookupNames, lsat.hLsarLookupNames2):
        r = fn(d, pol, ["Everyone", "BUILTIN\\Guests"])
        rids = [s["RelativeId"] for s in r["TranslatedSids"]["Sids"]]
        check(fn.__name__, rids == [0, 546], rids)
    r = lsat.hLsarLookupNames4(d, ["Everyone"])
    got = [s["Sid"].formatCanonical() for s in r["TranslatedSids"]["Sids"]]
    check("LookupNames4", got == ["S-1-1-0"], got)
    r = lsat.hLsarGetUserName(d)
    check("GetUserName", r["UserName"] == USER, r["UserName"])
    lsad.hLsarClose(d, pol)
    d.disconnect()

    d = connect(r"\samr", samr.MSRPC_UUID_SAMR)
    r = samr.hSamrConnect5(d)
    check("SamrConnect5 revision 3", r["OutVersion"] == 1 and
          r["OutRevisionInfo"]["V1"]["Revision"] == 3)
    samr.hSamrCloseHandle(d, r["ServerHandle"])
    d.disconnect()


for syntax in (None, NDR64):
    attempt("srvsvc", srvsvc_checks)
    attempt("wkssvc", wkssvc_checks)
    attempt("lsarpc", lsa_checks)
    attempt("samr", samr_checks)
    attempt("dssetup", dssetup_checks)
    attempt("levels", level_checks)
    attempt("anonymous", anonymous_checks)
syntax = None
attempt("bind", bind_checks)
sys.exit(1 if failures else 0)
