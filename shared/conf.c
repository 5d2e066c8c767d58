/*
 * The smbd.conf parser: smb.conf syntax into the typed struct conf.
 *
 * Every parameter is one row of conf_params[]: its canonical name, scope,
 * type, default (as text, parsed by the same code as the file), limits and
 * the offset of its field.  Loading, defaults, copying, comparing, freeing
 * and dumping are all driven by that table, so a new parameter is one row
 * plus one struct field plus one man page entry.
 */
#include "config.h"

#include <sys/stat.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "hostacl.h"
#include "log.h"
#include "util.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#ifndef RUNSTATEDIR
#define RUNSTATEDIR	"/run"
#endif
#ifndef LIBEXECDIR
#define LIBEXECDIR	"/usr/libexec/usmbd"
#endif
#ifndef PREAUTH_USER
#define PREAUTH_USER	"_usmbd"
#endif
#ifndef AUTHD_USER
#define AUTHD_USER	"_usmbd-auth"
#endif
#ifndef LOCKD_USER
#define LOCKD_USER	"_usmbd-lock"
#endif

#define CONF_MAX_DEPTH		16		/* include nesting */
#define CONF_MAX_FILES		256		/* files read by one load */
#define CONF_FILE_MAX		(4 * 1024 * 1024)
#define CONF_LINE_MAX		(64 * 1024)	/* after continuations */
#define CONF_SHARE_NAME_MAX	80
#define CONF_IO_HEADROOM	65536		/* max message size - max io */

enum conf_type {
	T_BOOL,		/* int */
	T_INT,		/* int, min..max */
	T_SIZE,		/* size_t, K/M/G suffixes, min..max */
	T_MODE,		/* mode_t, octal */
	T_STRING,	/* char *, max = length limit (0: none) */
	T_LIST,		/* char **, comma/space separated, "quoted items" */
	T_SLIST,	/* char **, written "/a/b/" */
	T_ENUM,		/* enum, names in vals */
	T_ENUMLIST,	/* char ** of canonical names from vals */
	T_PORTS,	/* int * and size_t count at off2 */
	T_INCLUDE	/* no field */
};

enum conf_scope {
	SC_GLOBAL,
	SC_SHARE,
	SC_ANY
};

#define F_UPPER		0x0001	/* stored in upper case */
#define F_ABSPATH	0x0002	/* absolute path or empty */
#define F_NONEMPTY	0x0004
#define F_IPADDR	0x0008	/* list items are numeric IP addresses */
#define F_VFS		0x0010	/* vfs objects filter */
#define F_MUSTBENO	0x0020	/* yes is an error */
#define F_PERCENT	0x0040	/* refuse %U-style substitutions */
#define F_HOSTNAME	0x0080	/* empty means the short host name */
#define F_HOSTS		0x0100	/* hosts allow/deny items (hostacl.c) */

/* An enum spelling; the first one of each value is the canonical name. */
struct conf_enumval {
	const char	*name;
	int		 value;	/* -1: rejected with msg */
	const char	*msg;	/* accepted with this warning, or the error */
};

struct conf_param {
	const char	*name;
	enum conf_scope	 scope;
	enum conf_type	 type;
	size_t		 off;
	size_t		 off2;
	const char	*def;
	long long	 min, max;
	int		 flags;
	const struct conf_enumval *vals;
	const char	*doc;
	const char	*field;		/* the struct member, for conf_params -f */
};

struct conf_alias {
	const char	*alias;
	const char	*name;
	int		 invert;
};

static const struct conf_enumval conf_bool_vals[] = {
	{ "yes", 1, NULL }, { "no", 0, NULL }, { "true", 1, NULL },
	{ "false", 0, NULL }, { "on", 1, NULL }, { "off", 0, NULL },
	{ "1", 1, NULL }, { "0", 0, NULL },
	{ NULL, 0, NULL }
};

#define SMB1_MSG	"SMB1 is not supported"
static const struct conf_enumval conf_minproto_vals[] = {
	{ "SMB2_02", PROTO_SMB2_02, NULL }, { "SMB2_10", PROTO_SMB2_10, NULL },
	{ "SMB3_00", PROTO_SMB3_00, NULL }, { "SMB3_02", PROTO_SMB3_02, NULL },
	{ "SMB3_11", PROTO_SMB3_11, NULL },
	{ "SMB2", PROTO_SMB2_02, NULL }, { "SMB3", PROTO_SMB3_00, NULL },
	{ "NT1", PROTO_SMB2_02, SMB1_MSG "; using SMB2_02" },
	{ "LANMAN1", PROTO_SMB2_02, SMB1_MSG "; using SMB2_02" },
	{ "LANMAN2", PROTO_SMB2_02, SMB1_MSG "; using SMB2_02" },
	{ "CORE", PROTO_SMB2_02, SMB1_MSG "; using SMB2_02" },
	{ "COREPLUS", PROTO_SMB2_02, SMB1_MSG "; using SMB2_02" },
	{ NULL, 0, NULL }
};

static const struct conf_enumval conf_maxproto_vals[] = {
	{ "SMB2_02", PROTO_SMB2_02, NULL }, { "SMB2_10", PROTO_SMB2_10, NULL },
	{ "SMB3_00", PROTO_SMB3_00, NULL }, { "SMB3_02", PROTO_SMB3_02, NULL },
	{ "SMB3_11", PROTO_SMB3_11, NULL },
	{ "SMB2", PROTO_SMB2_10, NULL }, { "SMB3", PROTO_SMB3_11, NULL },
	{ "NT1", -1, SMB1_MSG }, { "LANMAN1", -1, SMB1_MSG },
	{ "LANMAN2", -1, SMB1_MSG }, { "CORE", -1, SMB1_MSG },
	{ "COREPLUS", -1, SMB1_MSG },
	{ NULL, 0, NULL }
};

static const struct conf_enumval conf_signing_vals[] = {
	{ "auto", SIGNING_AUTO, NULL }, { "mandatory", SIGNING_MANDATORY, NULL },
	{ "disabled", SIGNING_DISABLED, NULL },
	{ "default", SIGNING_AUTO, NULL }, { "if_required", SIGNING_AUTO, NULL },
	{ "enabled", SIGNING_AUTO, NULL },
	{ "required", SIGNING_MANDATORY, NULL },
	{ "off", SIGNING_DISABLED, NULL }, { "no", SIGNING_DISABLED, NULL },
	{ "false", SIGNING_DISABLED, NULL },
	{ NULL, 0, NULL }
};

static const struct conf_enumval conf_encrypt_vals[] = {
	{ "off", ENCRYPT_OFF, NULL }, { "if_required", ENCRYPT_IF_REQUIRED, NULL },
	{ "desired", ENCRYPT_DESIRED, NULL },
	{ "required", ENCRYPT_REQUIRED, NULL },
	{ "no", ENCRYPT_OFF, NULL }, { "false", ENCRYPT_OFF, NULL },
	{ "disabled", ENCRYPT_OFF, NULL },
	{ "default", ENCRYPT_IF_REQUIRED, NULL },
	{ "auto", ENCRYPT_IF_REQUIRED, NULL },
	{ "enabled", ENCRYPT_IF_REQUIRED, NULL },
	{ "yes", ENCRYPT_DESIRED, NULL }, { "true", ENCRYPT_DESIRED, NULL },
	{ "on", ENCRYPT_DESIRED, NULL },
	{ "mandatory", ENCRYPT_REQUIRED, NULL },
	{ "force", ENCRYPT_REQUIRED, NULL },
	{ NULL, 0, NULL }
};

/*
 * Samba's values: 0 lets anonymous (null session) logons in, 2 refuses
 * them.  Samba's 1 only limits what they may list, which usmbd's pipes
 * already do for anonymous sessions; it is refused rather than taken to
 * mean either.
 */
static const struct conf_enumval conf_restrict_anon_vals[] = {
	{ "0", 0, NULL },
	{ "1", -1, "1 is not supported: use 0 (anonymous logons allowed) or "
	    "2 (refused)" },
	{ "2", 2, NULL },
	{ NULL, 0, NULL }
};

static const struct conf_enumval conf_guest_vals[] = {
	{ "Never", MAP_TO_GUEST_NEVER, NULL },
	{ "Bad User", MAP_TO_GUEST_BAD_USER, NULL },
	{ "Bad Password", MAP_TO_GUEST_BAD_PASSWORD, NULL },
	{ NULL, 0, NULL }
};

#define NO_NTLMV1	"NTLMv1 is not supported by this version (it needs " \
	"single DES); ntlmv2-only is the most it allows"
static const struct conf_enumval conf_ntlm_vals[] = {
	{ "ntlmv2-only", NTLM_AUTH_NTLMV2_ONLY, NULL },
	{ "mschapv2-and-ntlmv2-only", NTLM_AUTH_MSCHAPV2_AND_NTLMV2_ONLY,
	    NULL },
	{ "disabled", NTLM_AUTH_DISABLED, NULL },
	{ "no", NTLM_AUTH_NTLMV2_ONLY, NULL },
	{ "false", NTLM_AUTH_NTLMV2_ONLY, NULL },
	{ "off", NTLM_AUTH_NTLMV2_ONLY, NULL },
	{ "0", NTLM_AUTH_NTLMV2_ONLY, NULL },
	{ "ntlmv1-permitted", -1, NO_NTLMV1 },
	{ "yes", -1, NO_NTLMV1 },
	{ "true", -1, NO_NTLMV1 },
	{ "on", -1, NO_NTLMV1 },
	{ "1", -1, NO_NTLMV1 },
	{ NULL, 0, NULL }
};

#define NO_SECRETS	"there is no secrets.tdb (no domain membership): use " \
	"dedicated keytab or system keytab"
static const struct conf_enumval conf_krb5_method_vals[] = {
	{ "default", KRB5_METHOD_DEFAULT, NULL },
	{ "dedicated keytab", KRB5_METHOD_DEDICATED, NULL },
	{ "system keytab", KRB5_METHOD_SYSTEM, NULL },
	{ "secrets only", -1, NO_SECRETS },
	{ "secrets and keytab", -1, NO_SECRETS },
	{ NULL, 0, NULL }
};

static const struct conf_enumval conf_case_vals[] = {
	{ "auto", CASE_SENSITIVE_AUTO, NULL }, { "yes", CASE_SENSITIVE_YES, NULL },
	{ "no", CASE_SENSITIVE_NO, NULL },
	{ "default", CASE_SENSITIVE_AUTO, NULL },
	{ "true", CASE_SENSITIVE_YES, NULL }, { "on", CASE_SENSITIVE_YES, NULL },
	{ "1", CASE_SENSITIVE_YES, NULL },
	{ "false", CASE_SENSITIVE_NO, NULL }, { "off", CASE_SENSITIVE_NO, NULL },
	{ "0", CASE_SENSITIVE_NO, NULL },
	{ NULL, 0, NULL }
};

static const struct conf_enumval conf_facility_vals[] = {
	{ "daemon", LOG_DAEMON, NULL }, { "user", LOG_USER, NULL },
	{ "auth", LOG_AUTH, NULL }, { "authpriv", LOG_AUTHPRIV, NULL },
	{ "local0", LOG_LOCAL0, NULL }, { "local1", LOG_LOCAL1, NULL },
	{ "local2", LOG_LOCAL2, NULL }, { "local3", LOG_LOCAL3, NULL },
	{ "local4", LOG_LOCAL4, NULL }, { "local5", LOG_LOCAL5, NULL },
	{ "local6", LOG_LOCAL6, NULL }, { "local7", LOG_LOCAL7, NULL },
	{ NULL, 0, NULL }
};

static const struct conf_enumval conf_cipher_vals[] = {
	{ "AES-128-GCM", 1, NULL }, { "AES-128-CCM", 2, NULL },
	{ "AES-256-GCM", 3, NULL }, { "AES-256-CCM", 4, NULL },
	{ NULL, 0, NULL }
};

static const struct conf_enumval conf_sigalg_vals[] = {
	{ "AES-128-GMAC", 1, NULL }, { "AES-128-CMAC", 2, NULL },
	{ "HMAC-SHA256", 3, NULL },
	{ NULL, 0, NULL }
};

/*
 * The vfs objects whose behaviour usmbd always has.  (Not acl_xattr: NT
 * ACLs are kept as POSIX ACLs, as Samba does without that module.)
 */
static const char *const conf_vfs_known[] = { "streams_xattr" };

/*
 * Field offsets with a compile-time check of the field's type, so a row
 * cannot write an int into a char ** by mistake.
 */
#define CONF_CHECK(s, f, T)						\
	(0 * sizeof(char[__builtin_types_compatible_p(			\
	    __typeof__(((struct s *)0)->f), T) ? 1 : -1]))
#define CONF_CHECKSZ(s, f, T)						\
	(0 * sizeof(char[sizeof(((struct s *)0)->f) == sizeof(T) ? 1 : -1]))
#define OFF(s, f, T)	(offsetof(struct s, f) + CONF_CHECK(s, f, T))
#define OFFE(s, f)	(offsetof(struct s, f) + CONF_CHECKSZ(s, f, int))

#define GB(n, f, d, doc) \
	{ n, SC_GLOBAL, T_BOOL, OFF(conf_global, f, int), 0, d, 0, 1, 0, \
	    NULL, doc, #f }
#define GI(n, f, d, lo, hi, doc) \
	{ n, SC_GLOBAL, T_INT, OFF(conf_global, f, int), 0, d, lo, hi, 0, \
	    NULL, doc, #f }
#define GZ(n, f, d, lo, hi, doc) \
	{ n, SC_GLOBAL, T_SIZE, OFF(conf_global, f, size_t), 0, d, lo, hi, 0, \
	    NULL, doc, #f }
#define GS(n, f, d, mx, fl, doc) \
	{ n, SC_GLOBAL, T_STRING, OFF(conf_global, f, char *), 0, d, 0, mx, \
	    fl, NULL, doc, #f }
#define GL(n, t, f, d, fl, v, doc) \
	{ n, SC_GLOBAL, t, OFF(conf_global, f, char **), 0, d, 0, 0, fl, v, \
	    doc, #f }
#define GE(n, f, d, v, doc) \
	{ n, SC_GLOBAL, T_ENUM, OFFE(conf_global, f), 0, d, 0, 0, 0, v, doc, #f }
#define SB(n, f, d, fl, doc) \
	{ n, SC_SHARE, T_BOOL, OFF(conf_share, f, int), 0, d, 0, 1, fl, \
	    NULL, doc, #f }
#define SI(n, f, d, lo, hi, doc) \
	{ n, SC_SHARE, T_INT, OFF(conf_share, f, int), 0, d, lo, hi, 0, \
	    NULL, doc, #f }
#define SZ(n, f, d, lo, hi, doc) \
	{ n, SC_SHARE, T_SIZE, OFF(conf_share, f, size_t), 0, d, lo, hi, 0, \
	    NULL, doc, #f }
#define SM(n, f, d, doc) \
	{ n, SC_SHARE, T_MODE, OFF(conf_share, f, mode_t), 0, d, 0, 07777, 0, \
	    NULL, doc, #f }
#define SS(n, f, d, fl, doc) \
	{ n, SC_SHARE, T_STRING, OFF(conf_share, f, char *), 0, d, 0, 0, fl, \
	    NULL, doc, #f }
#define SL(n, t, f, d, fl, doc) \
	{ n, SC_SHARE, t, OFF(conf_share, f, char **), 0, d, 0, 0, fl, NULL, \
	    doc, #f }
#define SE(n, f, d, v, doc) \
	{ n, SC_SHARE, T_ENUM, OFFE(conf_share, f), 0, d, 0, 0, 0, v, doc, #f }

#define M64K	65536LL
#define M16M	(16LL * 1024 * 1024)
#define M1M	(1024LL * 1024)
#define M4G	(4096LL * 1024 * 1024)

static const struct conf_param conf_params[] = {
	{ "include", SC_ANY, T_INCLUDE, 0, 0, NULL, 0, 0, 0, NULL,
	    "read another file here", NULL },

	/* Global: network and identity. */
	GL("interfaces", T_LIST, interfaces, "0.0.0.0 ::",
	    F_NONEMPTY | F_IPADDR, NULL, "addresses to listen on"),
	{ "smb ports", SC_GLOBAL, T_PORTS, OFF(conf_global, smb_ports, int *),
	    OFF(conf_global, nsmb_ports, size_t), "445", 1, 65535, F_NONEMPTY,
	    NULL, "TCP ports to listen on", "smb_ports" },
	GS("netbios name", netbios_name, "", 15, F_UPPER | F_HOSTNAME,
	    "the server's NetBIOS name"),
	GS("workgroup", workgroup, "WORKGROUP", 15, F_UPPER | F_NONEMPTY,
	    "the NetBIOS domain name"),
	GS("server string", server_string, "usmbd", 0, 0,
	    "the server description"),
	GS("realm", realm, "", 0, F_UPPER, "the Kerberos realm"),

	/* Global: protocol and security. */
	GE("server min protocol", server_min_protocol, "SMB2_02",
	    conf_minproto_vals, "the lowest dialect offered"),
	GE("server max protocol", server_max_protocol, "SMB3_11",
	    conf_maxproto_vals, "the highest dialect offered"),
	GE("server signing", server_signing, "auto", conf_signing_vals,
	    "whether signing is required"),
	GE("smb encrypt", smb_encrypt, "if_required", conf_encrypt_vals,
	    "encryption of every session"),
	GL("server smb3 encryption algorithms", T_ENUMLIST,
	    server_smb3_encryption_algorithms,
	    "AES-128-GCM, AES-128-CCM, AES-256-GCM, AES-256-CCM",
	    F_NONEMPTY, conf_cipher_vals, "ciphers offered, in order"),
	GL("server smb3 signing algorithms", T_ENUMLIST,
	    server_smb3_signing_algorithms,
	    "AES-128-GMAC, AES-128-CMAC, HMAC-SHA256",
	    F_NONEMPTY, conf_sigalg_vals, "signing algorithms offered"),
	GB("server multi channel support", server_multi_channel_support, "no",
	    "allow a session to bind several connections"),
	GB("smb2 leases", smb2_leases, "yes", "grant SMB2.1+ leases"),
	GB("require landlock", require_landlock, "yes",
	    "no session worker without a Landlock file system sandbox"),
	GB("require mount namespace", require_mount_namespace, "yes",
	    "no session worker that can name paths outside its shares"),
	GE("ntlm auth", ntlm_auth, "ntlmv2-only", conf_ntlm_vals,
	    "which NTLM responses are accepted"),
	GE("kerberos method", kerberos_method, "default",
	    conf_krb5_method_vals, "which keytab Kerberos tickets are checked "
	    "with"),
	GS("dedicated keytab file", dedicated_keytab_file, "", 0, F_ABSPATH,
	    "the keytab of kerberos method = dedicated keytab"),
	GI("kerberos clock skew", kerberos_clock_skew, "300", 0, 86400,
	    "seconds a Kerberos authenticator or ticket time may be off "
	    "(usmbd only)"),
	GS("guest account", guest_account, "nobody", 0, F_NONEMPTY,
	    "the Unix user of guest sessions"),
	GE("map to guest", map_to_guest, "Never", conf_guest_vals,
	    "when a failed logon becomes a guest session"),
	GE("restrict anonymous", restrict_anonymous, "2",
	    conf_restrict_anon_vals,
	    "0: anonymous logons allowed; 2: refused"),
	GI("log rate limit", log_rate_limit, "200", 0, 1000000,
	    "log lines a second one child may send; 0: no limit"),
	GI("auth failure delay", auth_failure_delay, "1000", 0, 60000,
	    "milliseconds before a failed logon is answered"),
	GI("auth failure limit", auth_failure_limit, "10", 0, 100000,
	    "failed logons per source or user and minute"),
	GI("auth failure ipv4 prefix", auth_failure_ipv4_prefix, "32", 8, 32,
	    "bits of an IPv4 address that make one source"),
	GI("auth failure ipv6 prefix", auth_failure_ipv6_prefix, "64", 16,
	    128, "bits of an IPv6 address that make one source"),

	/* Global: limits and timeouts. */
	GI("max connections", max_connections, "1024", 1, 65536,
	    "connections in total"),
	GI("max connections per client", max_connections_per_client, "0",
	    0, 65536, "connections from one client address"),
	GI("max async requests", max_async_requests, "512", 1, 65536,
	    "requests one connection may have waiting (notify, locks)"),
	GI("max open files", max_open_files, "16384", 16, 1048576,
	    "open files per session"),
	GI("max byte range locks", max_byte_range_locks, "100000", 16,
	    10000000, "byte-range locks one session may hold"),
	GI("aio threads", aio_threads, "4", 0, 64,
	    "disk IO threads per session worker; 0: IO on the event loop"),
	GZ("max output queue", max_output_queue, "128M", 32LL * M1M, M4G,
	    "responses waiting for one client; past it, it is dropped"),
	GZ("aio max memory", aio_max_memory, "64M", M1M, M4G,
	    "memory disk IO in flight may hold before a worker stops reading"),
	GZ("max message size", max_message_size, "8454144", M64K, M16M,
	    "largest SMB2 message accepted"),
	GZ("smb2 max read", smb2_max_read, "8M", M64K, M16M,
	    "largest READ offered"),
	GZ("smb2 max write", smb2_max_write, "8M", M64K, M16M,
	    "largest WRITE offered"),
	GZ("smb2 max trans", smb2_max_trans, "8M", M64K, M16M,
	    "largest IOCTL, QUERY_INFO or directory buffer offered"),
	GI("smb2 max credits", smb2_max_credits, "8192", 16, 65535,
	    "credits a client may hold"),
	GI("negotiate timeout", negotiate_timeout, "20", 1, 3600,
	    "seconds for NEGOTIATE after connecting"),
	GI("auth timeout", auth_timeout, "60", 1, 3600,
	    "seconds for authentication after connecting"),
	GI("oplock break timeout", oplock_break_timeout, "35", 1, 300,
	    "seconds a client has to acknowledge an oplock break"),
	GI("durable handle timeout", durable_handle_timeout, "300", 1, 3600,
	    "seconds a disconnected durable open is kept, at most"),
	GI("oplock break wait time", oplock_break_wait_time, "0", 0, 1000,
	    "milliseconds Samba waits before sending a break"),
	GI("deadtime", deadtime, "0", 0, 1000000,
	    "idle minutes before an unused connection is dropped"),
	GI("name service timeout", name_service_timeout, "10", 1, 300,
	    "seconds the master waits for the name service"),
	GI("name cache time", name_cache_time, "60", 0, 86400,
	    "seconds a resolved user is remembered; 0: never"),

	/* Global: files, processes, logging. */
	GS("passdb file", passdb_file, LOCALSTATEDIR "/lib/usmbd/passdb.db", 0,
	    F_ABSPATH | F_NONEMPTY, "the user database"),
	GS("state directory", state_directory, LOCALSTATEDIR "/lib/usmbd", 0,
	    F_ABSPATH | F_NONEMPTY, "persistent state"),
	GS("pid file", pid_file, RUNSTATEDIR "/usmbd.pid", 0, F_ABSPATH,
	    "pid of the master; empty for none"),
	GS("control socket", control_socket, RUNSTATEDIR "/usmbd.sock", 0,
	    F_ABSPATH, "usmbd-ctl socket; empty for none"),
	GS("libexec directory", libexec_directory, LIBEXECDIR, 0,
	    F_ABSPATH | F_NONEMPTY, "where the helper programs live"),
	GS("preauth user", preauth_user, PREAUTH_USER, 0, F_NONEMPTY,
	    "the user of usmbd-preauth"),
	GS("authd user", authd_user, AUTHD_USER, 0, F_NONEMPTY,
	    "the user of usmbd-authd"),
	GS("lockd user", lockd_user, LOCKD_USER, 0, F_NONEMPTY,
	    "the user of usmbd-lockd"),
	GI("log level", log_level, "0", 0, 10, "log verbosity"),
	GS("log file", log_file, "", 0, F_ABSPATH,
	    "write the log here instead of to syslog; empty: syslog"),
	GE("syslog facility", syslog_facility, "daemon", conf_facility_vals,
	    "syslog facility"),

	/* Shares. */
	SS("path", path, "", F_ABSPATH | F_PERCENT, "the shared directory"),
	SS("comment", comment, "", 0, "description shown to clients"),
	SB("read only", read_only, "yes", 0, "refuse writes"),
	SB("browseable", browseable, "yes", 0, "list the share"),
	SB("available", available, "yes", 0, "the share can be used"),
	SB("guest ok", guest_ok, "no", 0, "guests may connect"),
	SB("guest only", guest_only, "no", 0, "every user connects as guest"),
	SL("valid users", T_LIST, valid_users, "", 0,
	    "only these users may connect"),
	SL("invalid users", T_LIST, invalid_users, "", 0,
	    "these users may not connect"),
	SL("read list", T_LIST, read_list, "", 0, "these users get read only"),
	SL("write list", T_LIST, write_list, "", 0, "these users may write"),
	SL("admin users", T_LIST, admin_users, "", 0,
	    "these users act as root in the share"),
	SL("hosts allow", T_LIST, hosts_allow, "", F_HOSTS,
	    "only these clients may connect"),
	SL("hosts deny", T_LIST, hosts_deny, "", F_HOSTS,
	    "these clients may not connect"),
	SS("force user", force_user, "", 0, "act as this user"),
	SS("force group", force_group, "", 0, "act with this primary group"),
	SM("create mask", create_mask, "0744", "mode bits new files may have"),
	SM("directory mask", directory_mask, "0755",
	    "mode bits new directories may have"),
	SM("force create mode", force_create_mode, "0000",
	    "mode bits new files always have"),
	SM("force directory mode", force_directory_mode, "0000",
	    "mode bits new directories always have"),
	SB("inherit permissions", inherit_permissions, "no", 0,
	    "new entries take the parent directory's mode"),
	SB("hide dot files", hide_dot_files, "yes", 0,
	    "dot files get the hidden attribute"),
	SL("hide files", T_SLIST, hide_files, "", 0,
	    "patterns of names that get the hidden attribute"),
	SL("veto files", T_SLIST, veto_files, "", 0,
	    "patterns of names that are invisible"),
	SB("delete veto files", delete_veto_files, "no", 0,
	    "vetoed names do not keep a directory from being deleted"),
	SB("oplocks", oplocks, "yes", 0, "grant oplocks"),
	SB("level2 oplocks", level2_oplocks, "yes", 0,
	    "grant Level II oplocks (shared read caching)"),
	SB("kernel oplocks", kernel_oplocks, "no", 0,
	    "break oplocks and leases on local access (fcntl leases)"),
	SB("durable handles", durable_handles, "yes", 0,
	    "grant durable handles (v1 and v2, not persistent)"),
	SE("case sensitive", case_sensitive, "auto", conf_case_vals,
	    "case-sensitive name lookup"),
	SB("preserve case", preserve_case, "yes", 0,
	    "new names keep the client's case"),
	SB("store dos attributes", store_dos_attributes, "yes", 0,
	    "keep DOS attributes in user.DOSATTRIB"),
	SB("ea support", ea_support, "yes", 0, "extended attributes"),
	SE("smb encrypt", smb_encrypt, "if_required", conf_encrypt_vals,
	    "encryption of this share"),
	SB("strict sync", strict_sync, "yes", 0, "honour FLUSH requests"),
	SB("sync always", sync_always, "no", 0, "every write is synchronous"),
	SB("change notify", change_notify, "yes", 0,
	    "answer CHANGE_NOTIFY requests"),
	SI("max connections", max_connections, "0", 0, 65536,
	    "tree connects to the share; 0 unlimited"),
	SB("follow symlinks", follow_symlinks, "yes", 0,
	    "follow symbolic links inside the share"),
	SB("wide links", wide_links, "no", 0,
	    "follow links that leave the share"),
	SL("vfs objects", T_LIST, vfs_objects, "", F_VFS,
	    "Samba modules whose behaviour is built in"),
	SZ("max stream size", max_stream_size, "65535", 0, 65535,
	    "bytes one alternate data stream may hold"),
	SB("streams", streams, "yes", 0,
	    "names with a colon open alternate data streams"),
	SB("printable", printable, "no", F_MUSTBENO,
	    "printing is not supported"),
};

#define CONF_NPARAMS	nitems(conf_params)

static const struct conf_alias conf_aliases[] = {
	{ "writeable", "read only", 1 },
	{ "writable", "read only", 1 },
	{ "write ok", "read only", 1 },
	{ "browsable", "browseable", 0 },
	{ "public", "guest ok", 0 },
	{ "only guest", "guest only", 0 },
	{ "create mode", "create mask", 0 },
	{ "directory mode", "directory mask", 0 },
	{ "allow hosts", "hosts allow", 0 },
	{ "deny hosts", "hosts deny", 0 },
	{ "directory", "path", 0 },
	{ "group", "force group", 0 },
	{ "vfs object", "vfs objects", 0 },
	{ "case sig names", "case sensitive", 0 },
	{ "min protocol", "server min protocol", 0 },
	{ "max protocol", "server max protocol", 0 },
	{ "protocol", "server max protocol", 0 },
	{ "server smb encrypt", "smb encrypt", 0 },
	{ "debug level", "log level", 0 },
	{ "keytab file", "dedicated keytab file", 0 },
};

/*
 * What this version does not do.  Each of these parameters is accepted at
 * its default only, which is what the server does; another value is
 * refused where it is set: an error when it is about who may do what
 * (security), else a warning, and the parameter keeps its default, so
 * that usmbd -T shows what the server really does.
 */
struct conf_unsupported {
	const char	*name;
	enum conf_scope	 scope;
	int		 security;
	const char	*why;
};

static const struct conf_unsupported conf_unsupported[] = {
	{ "server multi channel support", SC_GLOBAL, 0,
	    "no session binds a second connection" },
	{ "oplock break wait time", SC_GLOBAL, 0,
	    "oplock breaks are sent at once" },
	{ "admin users", SC_SHARE, 1,
	    "no session worker acts as root, in any share" },
	{ "wide links", SC_SHARE, 1,
	    "links that leave the share are always refused" },
	{ "delete veto files", SC_SHARE, 0,
	    "vetoed names keep a directory from being deleted" },
	{ "preserve case", SC_SHARE, 0, "new names keep the client's case" },
	{ "store dos attributes", SC_SHARE, 0,
	    "DOS attributes are always kept in user.DOSATTRIB" },
	{ "ea support", SC_SHARE, 0, "extended attributes are always served" },
};

struct conf_loc {
	const char	*file;
	int		 line;
};

#define CONF_SET	1
#define CONF_FAILED	2

struct conf_smeta {
	unsigned char	 set[CONF_NPARAMS];	/* 0, CONF_SET, CONF_FAILED */
	struct conf_loc	 loc;
};

enum conf_section {
	SEC_GLOBAL,
	SEC_SHARE,
	SEC_IGNORE
};

struct conf_parse {
	struct conf		*conf;
	int			 errors;
	int			 warnings;
	struct conf_loc		 loc;	/* the line being parsed */
	enum conf_section	 sec;
	size_t			 cur;	/* share index in SEC_SHARE */
	struct conf_smeta	*meta;	/* parallel to conf->shares */
	int			 depth;
	int			 nfiles;
	dev_t			 dev[CONF_MAX_DEPTH];
	ino_t			 ino[CONF_MAX_DEPTH];
	char			**names;	/* file names for locations */
	size_t			 nnames;
	struct conf_loc		 gloc[CONF_NPARAMS];
};

static void	conf_parse_text(struct conf_parse *, const char *,
		    const char *, size_t);
static const struct conf *conf_builtin(void);
static void	conf_check_supported(struct conf_parse *,
		    const struct conf_param *, void *);

static void __attribute__((format(printf, 3, 4)))
conf_err_at(struct conf_parse *p, const struct conf_loc *loc,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->errors++;
	if (loc->file == NULL)
		log_warnx("%s: %s", p->conf->path, msg);
	else
		log_warnx("%s:%d: %s", loc->file, loc->line, msg);
}

#define conf_err(p, ...)	conf_err_at((p), &(p)->loc, __VA_ARGS__)

static void __attribute__((format(printf, 2, 3)))
conf_warn(struct conf_parse *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->warnings++;
	log_warnx("%s:%d: %s", p->loc.file, p->loc.line, msg);
}

/* ASCII only: the locale must not change how a file parses. */
static int
conf_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

static int
conf_tolower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
conf_toupper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Keys and enum values compare without case and without white space. */
static void
conf_normalize(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < outlen; s++)
		if (!conf_isspace((unsigned char)*s))
			out[n++] = (char)conf_tolower((unsigned char)*s);
	out[n] = '\0';
}

static char *
conf_trim(char *s)
{
	char *e;

	while (conf_isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && conf_isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void
conf_list_free(char **l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

static size_t
conf_list_len(char *const *l)
{
	size_t n = 0;

	while (l != NULL && l[n] != NULL)
		n++;
	return n;
}

static char **
conf_list_add(char **l, size_t *n, const char *item, size_t len)
{
	char *s;

	l = xreallocarray(l, *n + 2, sizeof(*l));
	s = xmalloc(len + 1);
	memcpy(s, item, len);
	s[len] = '\0';
	l[(*n)++] = s;
	l[*n] = NULL;
	return l;
}

/*
 * Split "a, b c" and "\"with space\", d" into items.  A double quote
 * toggles quoting anywhere in an item; empty items are dropped.
 */
static int
conf_split_list(const char *s, char ***out)
{
	char **l, *item;
	size_t n = 0, len = 0;
	int inq = 0;

	l = xcalloc(1, sizeof(*l));
	item = xmalloc(strlen(s) + 1);
	for (;; s++) {
		if (*s == '"') {
			inq = !inq;
			continue;
		}
		if (*s == '\0' || (!inq && (*s == ',' ||
		    conf_isspace((unsigned char)*s)))) {
			if (len > 0)
				l = conf_list_add(l, &n, item, len);
			len = 0;
			if (*s == '\0')
				break;
			continue;
		}
		item[len++] = *s;
	}
	free(item);
	if (inq) {
		conf_list_free(l);
		return -1;
	}
	*out = l;
	return 0;
}

/* "/a/b c/d/": items between slashes, as Samba writes veto files. */
static char **
conf_split_slashes(const char *s)
{
	char **l;
	const char *e;
	size_t n = 0;

	l = xcalloc(1, sizeof(*l));
	while (*s != '\0') {
		if ((e = strchr(s, '/')) == NULL)
			e = s + strlen(s);
		if (e > s)
			l = conf_list_add(l, &n, s, (size_t)(e - s));
		s = *e == '/' ? e + 1 : e;
	}
	return l;
}

static int
conf_enum_lookup(const struct conf_enumval *v, const char *s,
    const struct conf_enumval **found)
{
	char ns[128], nv[128];

	conf_normalize(s, ns, sizeof(ns));
	for (; v->name != NULL; v++) {
		conf_normalize(v->name, nv, sizeof(nv));
		if (strcmp(ns, nv) == 0) {
			*found = v;
			return 0;
		}
	}
	return -1;
}

static const char *
conf_enum_name(const struct conf_enumval *v, int value)
{
	for (; v->name != NULL; v++)
		if (v->value == value)
			return v->name;
	return "?";
}

/* "one of a, b, c" for error messages: the canonical names only. */
static void
conf_enum_choices(const struct conf_enumval *v, char *out, size_t outlen)
{
	const struct conf_enumval *w;
	int seen;

	out[0] = '\0';
	for (w = v; w->name != NULL; w++) {
		seen = w->value == -1 || strcmp(conf_enum_name(v, w->value),
		    w->name) != 0;
		if (seen)
			continue;
		if (out[0] != '\0')
			strlcat(out, ", ", outlen);
		strlcat(out, w->name, outlen);
	}
}

static int
conf_parse_size(const char *s, long long *out)
{
	const char *errstr;
	char num[32];
	size_t len = strlen(s);
	long long v, mult = 1;

	if (len > 0) {
		switch (conf_tolower((unsigned char)s[len - 1])) {
		case 'k':
			mult = 1024;
			break;
		case 'm':
			mult = 1024 * 1024;
			break;
		case 'g':
			mult = 1024 * 1024 * 1024;
			break;
		}
	}
	if (mult != 1)
		len--;
	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	if (num[0] < '0' || num[0] > '9')
		return -1;
	v = parse_number(num, 0, LLONG_MAX / mult, &errstr);
	if (errstr != NULL)
		return -1;
	*out = v * mult;
	return 0;
}

static int
conf_parse_mode(const char *s, mode_t *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (unsigned long)(*s - '0');
		if (v > 07777)
			return -1;
	}
	*out = (mode_t)v;
	return 0;
}

static int
conf_is_ipaddr(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int
conf_vfs_known_name(const char *s)
{
	size_t i;

	for (i = 0; i < nitems(conf_vfs_known); i++)
		if (strcmp(s, conf_vfs_known[i]) == 0)
			return 1;
	return 0;
}

/* Samba's %U, %S and friends; a lone '%' is just a character. */
static int
conf_has_macro(const char *s)
{
	for (; (s = strchr(s, '%')) != NULL; s++)
		if ((s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z'))
			return 1;
	return 0;
}

/* T_BOOL; invert for the parameters that mean the opposite. */
static int
conf_set_bool(struct conf_parse *p, const struct conf_param *P, char *fld,
    const char *value, int invert)
{
	const struct conf_enumval *ev;
	long long v;

	if (conf_enum_lookup(conf_bool_vals, value, &ev) == -1) {
		conf_err(p, "%s: \"%s\" is not a boolean (yes or no)",
		    P->name, value);
		return -1;
	}
	v = invert ? !ev->value : ev->value;
	if ((P->flags & F_MUSTBENO) && v) {
		conf_err(p, "%s: %s", P->name, P->doc);
		return -1;
	}
	*(int *)(void *)fld = (int)v;
	return 0;
}

/* T_STRING, with the checks and forms its flags ask for. */
static int
conf_set_string(struct conf_parse *p, const struct conf_param *P, char *fld,
    const char *value)
{
	char *s;
	size_t i, n;

	if ((P->flags & F_NONEMPTY) && *value == '\0') {
		conf_err(p, "%s: empty value", P->name);
		return -1;
	}
	if (P->max > 0 && strlen(value) > (size_t)P->max) {
		conf_err(p, "%s: \"%s\" is longer than %lld characters",
		    P->name, value, P->max);
		return -1;
	}
	if ((P->flags & F_ABSPATH) && *value != '\0' &&
	    *value != '/') {
		conf_err(p, "%s: \"%s\" is not an absolute path",
		    P->name, value);
		return -1;
	}
	if ((P->flags & F_PERCENT) && conf_has_macro(value)) {
		conf_err(p, "%s: \"%s\": %% substitutions are not "
		    "supported", P->name, value);
		return -1;
	}
	s = xstrdup(value);
	if (P->flags & F_UPPER)
		for (i = 0; s[i] != '\0'; i++)
			s[i] = (char)conf_toupper((unsigned char)s[i]);
	/* "/srv/x/" and "/srv/x" are the same directory. */
	if (P->flags & F_ABSPATH)
		for (n = strlen(s); n > 1 && s[n - 1] == '/'; n--)
			s[n - 1] = '\0';
	free(*(char **)(void *)fld);
	*(char **)(void *)fld = s;
	return 0;
}

/* T_LIST and T_ENUMLIST: split, check, drop duplicates. */
static int
conf_set_list(struct conf_parse *p, const struct conf_param *P, char *fld,
    const char *value)
{
	const struct conf_enumval *ev;
	char **l, **nl, choices[256];
	size_t i, j, n;

	if (conf_split_list(value, &l) == -1) {
		conf_err(p, "%s: unterminated quote", P->name);
		return -1;
	}
	n = conf_list_len(l);
	for (i = 0; l[i] != NULL; i++) {
		if ((P->flags & F_IPADDR) && !conf_is_ipaddr(l[i])) {
			conf_err(p, "%s: \"%s\" is not a numeric IP "
			    "address", P->name, l[i]);
			conf_list_free(l);
			return -1;
		}
		if (P->type != T_ENUMLIST)
			continue;
		if (conf_enum_lookup(P->vals, l[i], &ev) == -1) {
			conf_enum_choices(P->vals, choices,
			    sizeof(choices));
			conf_err(p, "%s: unknown \"%s\" (use %s)",
			    P->name, l[i], choices);
			conf_list_free(l);
			return -1;
		}
		free(l[i]);
		l[i] = xstrdup(ev->name);
	}
	/*
	 * Keep the first of duplicates (an address listed twice
	 * would be bound twice) and the known vfs objects.
	 */
	nl = xcalloc(n + 1, sizeof(*nl));
	for (i = 0, n = 0; l[i] != NULL; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(nl[j], l[i]) == 0)
				break;
		if (j < n) {
			free(l[i]);
			continue;
		}
		if ((P->flags & F_HOSTS) && !hostacl_item_valid(l[i])) {
			conf_err(p, "%s: \"%s\" is not an address or network "
			    "(host names, domains and netgroups are not "
			    "supported by this version)", P->name, l[i]);
			free(l[i]);
			continue;
		}
		if ((P->flags & F_VFS) && !conf_vfs_known_name(l[i])) {
			conf_err(p, "%s: \"%s\" is not supported by this "
			    "version (only streams_xattr, whose behaviour is "
			    "built in)", P->name, l[i]);
			free(l[i]);
			continue;
		}
		nl[n++] = l[i];
	}
	free(l);
	if ((P->flags & F_NONEMPTY) && n == 0) {
		conf_err(p, "%s: empty list", P->name);
		conf_list_free(nl);
		return -1;
	}
	conf_list_free(*(char ***)(void *)fld);
	*(char ***)(void *)fld = nl;
	return 0;
}

static int
conf_set_enum(struct conf_parse *p, const struct conf_param *P, char *fld,
    const char *value)
{
	const struct conf_enumval *ev;
	char choices[256];

	if (conf_enum_lookup(P->vals, value, &ev) == -1) {
		conf_enum_choices(P->vals, choices, sizeof(choices));
		conf_err(p, "%s: unknown value \"%s\" (use %s)",
		    P->name, value, choices);
		return -1;
	}
	if (ev->value == -1) {
		conf_err(p, "%s: %s: %s", P->name, value, ev->msg);
		return -1;
	}
	if (ev->msg != NULL)
		conf_warn(p, "%s: %s: %s", P->name, value, ev->msg);
	*(int *)(void *)fld = ev->value;
	return 0;
}

/* T_PORTS: a list of port numbers, and its length in the field at off2. */
static int
conf_set_ports(struct conf_parse *p, const struct conf_param *P, void *base,
    char *fld, const char *value)
{
	const char *errstr;
	char **l;
	long long v;
	size_t i, j, n;
	int *ports;

	if (conf_split_list(value, &l) == -1) {
		conf_err(p, "%s: unterminated quote", P->name);
		return -1;
	}
	if (l[0] == NULL) {
		conf_err(p, "%s: empty list", P->name);
		conf_list_free(l);
		return -1;
	}
	ports = xcalloc(conf_list_len(l), sizeof(*ports));
	for (i = 0, n = 0; l[i] != NULL; i++) {
		v = parse_number(l[i], P->min, P->max, &errstr);
		if (errstr != NULL) {
			conf_err(p, "%s: \"%s\" is %s (%lld to %lld)",
			    P->name, l[i], errstr, P->min, P->max);
			free(ports);
			conf_list_free(l);
			return -1;
		}
		for (j = 0; j < n; j++)
			if (ports[j] == (int)v)
				break;
		if (j == n)
			ports[n++] = (int)v;
	}
	conf_list_free(l);
	free(*(int **)(void *)fld);
	*(int **)(void *)fld = ports;
	*(size_t *)(void *)((char *)base + P->off2) = n;
	return 0;
}

/* Parse value into the field of P in base; 0, or -1 after logging. */
static int
conf_set(struct conf_parse *p, const struct conf_param *P, void *base,
    const char *value, int invert)
{
	const char *errstr;
	char *fld = (char *)base + P->off;
	long long v;
	mode_t m;

	switch (P->type) {
	case T_BOOL:
		return conf_set_bool(p, P, fld, value, invert);
	case T_INT:
		v = parse_number(value, P->min, P->max, &errstr);
		if (errstr != NULL) {
			conf_err(p, "%s: \"%s\" is %s (%lld to %lld)", P->name,
			    value, errstr, P->min, P->max);
			return -1;
		}
		*(int *)(void *)fld = (int)v;
		return 0;
	case T_SIZE:
		if (conf_parse_size(value, &v) == -1) {
			conf_err(p, "%s: \"%s\" is not a size", P->name, value);
			return -1;
		}
		if (v < P->min || v > P->max) {
			conf_err(p, "%s: %s is out of range (%lld to %lld)",
			    P->name, value, P->min, P->max);
			return -1;
		}
		*(size_t *)(void *)fld = (size_t)v;
		return 0;
	case T_MODE:
		if (conf_parse_mode(value, &m) == -1) {
			conf_err(p, "%s: \"%s\" is not an octal mode (0000 to "
			    "07777)", P->name, value);
			return -1;
		}
		*(mode_t *)(void *)fld = m;
		return 0;
	case T_STRING:
		return conf_set_string(p, P, fld, value);
	case T_LIST:
	case T_ENUMLIST:
		return conf_set_list(p, P, fld, value);
	case T_SLIST:
		conf_list_free(*(char ***)(void *)fld);
		*(char ***)(void *)fld = conf_split_slashes(value);
		return 0;
	case T_ENUM:
		return conf_set_enum(p, P, fld, value);
	case T_PORTS:
		return conf_set_ports(p, P, base, fld, value);
	case T_INCLUDE:
		break;
	}
	return -1;
}

static void
conf_free_field(const struct conf_param *P, void *base)
{
	char *fld = (char *)base + P->off;

	switch (P->type) {
	case T_STRING:
		free(*(char **)(void *)fld);
		*(char **)(void *)fld = NULL;
		break;
	case T_LIST:
	case T_SLIST:
	case T_ENUMLIST:
		conf_list_free(*(char ***)(void *)fld);
		*(char ***)(void *)fld = NULL;
		break;
	case T_PORTS:
		free(*(int **)(void *)fld);
		*(int **)(void *)fld = NULL;
		break;
	default:
		break;
	}
}

static void
conf_copy_field(const struct conf_param *P, void *dst, const void *src)
{
	char *d = (char *)dst + P->off, **l, **sl;
	const char *s = (const char *)src + P->off;
	size_t i, n;
	int *ports;

	conf_free_field(P, dst);
	switch (P->type) {
	case T_BOOL:
	case T_INT:
	case T_ENUM:
		*(int *)(void *)d = *(const int *)(const void *)s;
		break;
	case T_SIZE:
		*(size_t *)(void *)d = *(const size_t *)(const void *)s;
		break;
	case T_MODE:
		*(mode_t *)(void *)d = *(const mode_t *)(const void *)s;
		break;
	case T_STRING:
		*(char **)(void *)d = xstrdup(*(char *const *)(const void *)s);
		break;
	case T_LIST:
	case T_SLIST:
	case T_ENUMLIST:
		sl = *(char **const *)(const void *)s;
		n = conf_list_len(sl);
		l = xcalloc(n + 1, sizeof(*l));
		for (i = 0; i < n; i++)
			l[i] = xstrdup(sl[i]);
		*(char ***)(void *)d = l;
		break;
	case T_PORTS:
		n = *(const size_t *)(const void *)((const char *)src + P->off2);
		ports = xcalloc(n, sizeof(*ports));
		memcpy(ports, *(int *const *)(const void *)s,
		    n * sizeof(*ports));
		*(int **)(void *)d = ports;
		*(size_t *)(void *)((char *)dst + P->off2) = n;
		break;
	case T_INCLUDE:
		break;
	}
}

static int
conf_field_equal(const struct conf_param *P, const void *a, const void *b)
{
	const char *fa = (const char *)a + P->off;
	const char *fb = (const char *)b + P->off;
	char *const *la, *const *lb;
	size_t i, na, nb;

	switch (P->type) {
	case T_BOOL:
	case T_INT:
	case T_ENUM:
		return *(const int *)(const void *)fa ==
		    *(const int *)(const void *)fb;
	case T_SIZE:
		return *(const size_t *)(const void *)fa ==
		    *(const size_t *)(const void *)fb;
	case T_MODE:
		return *(const mode_t *)(const void *)fa ==
		    *(const mode_t *)(const void *)fb;
	case T_STRING:
		return strcmp(*(char *const *)(const void *)fa,
		    *(char *const *)(const void *)fb) == 0;
	case T_LIST:
	case T_SLIST:
	case T_ENUMLIST:
		la = *(char **const *)(const void *)fa;
		lb = *(char **const *)(const void *)fb;
		for (i = 0; la[i] != NULL && lb[i] != NULL; i++)
			if (strcmp(la[i], lb[i]) != 0)
				return 0;
		return la[i] == NULL && lb[i] == NULL;
	case T_PORTS:
		na = *(const size_t *)(const void *)((const char *)a + P->off2);
		nb = *(const size_t *)(const void *)((const char *)b + P->off2);
		return na == nb && memcmp(*(int *const *)(const void *)fa,
		    *(int *const *)(const void *)fb, na * sizeof(int)) == 0;
	case T_INCLUDE:
		break;
	}
	return 1;
}

static int
conf_item_needs_quotes(const char *s)
{
	for (; *s != '\0'; s++)
		if (conf_isspace((unsigned char)*s) || *s == ',' ||
		    *s == '\\')
			return 1;
	return 0;
}

static void	conf_dump_value(FILE *, const struct conf_param *,
		    const void *);

static int
conf_value_empty(const struct conf_param *P, const void *base)
{
	const char *fld = (const char *)base + P->off;

	switch (P->type) {
	case T_STRING:
		return (*(char *const *)(const void *)fld)[0] == '\0';
	case T_LIST:
	case T_SLIST:
	case T_ENUMLIST:
		return (*(char **const *)(const void *)fld)[0] == NULL;
	default:
		return 0;
	}
}

/* One "\tname = value" line; no trailing blank for an empty value. */
static void
conf_dump_param(FILE *fp, const struct conf_param *P, const void *base)
{
	fprintf(fp, "\t%s =", P->name);
	if (!conf_value_empty(P, base)) {
		fputc(' ', fp);
		conf_dump_value(fp, P, base);
	}
	fputc('\n', fp);
}

static void
conf_dump_value(FILE *fp, const struct conf_param *P, const void *base)
{
	const char *fld = (const char *)base + P->off;
	char *const *l;
	const int *ports;
	size_t i, n, v;
	mode_t m;

	switch (P->type) {
	case T_BOOL:
		fputs(*(const int *)(const void *)fld ? "yes" : "no", fp);
		break;
	case T_INT:
		fprintf(fp, "%d", *(const int *)(const void *)fld);
		break;
	case T_ENUM:
		fputs(conf_enum_name(P->vals, *(const int *)(const void *)fld),
		    fp);
		break;
	case T_SIZE:
		v = *(const size_t *)(const void *)fld;
		if (v != 0 && v % (1024 * 1024 * 1024) == 0)
			fprintf(fp, "%zuG", v / (1024 * 1024 * 1024));
		else if (v != 0 && v % (1024 * 1024) == 0)
			fprintf(fp, "%zuM", v / (1024 * 1024));
		else if (v != 0 && v % 1024 == 0)
			fprintf(fp, "%zuK", v / 1024);
		else
			fprintf(fp, "%zu", v);
		break;
	case T_MODE:
		m = *(const mode_t *)(const void *)fld;
		fprintf(fp, "%04o", (unsigned int)m);
		break;
	case T_STRING:
		fputs(*(char *const *)(const void *)fld, fp);
		break;
	case T_LIST:
	case T_ENUMLIST:
		l = *(char **const *)(const void *)fld;
		for (i = 0; l[i] != NULL; i++) {
			if (i > 0)
				fputs(", ", fp);
			if (conf_item_needs_quotes(l[i]))
				fprintf(fp, "\"%s\"", l[i]);
			else
				fputs(l[i], fp);
		}
		break;
	case T_SLIST:
		l = *(char **const *)(const void *)fld;
		for (i = 0; l[i] != NULL; i++)
			fprintf(fp, "/%s", l[i]);
		if (i > 0)
			fputc('/', fp);
		break;
	case T_PORTS:
		ports = *(int *const *)(const void *)fld;
		n = *(const size_t *)(const void *)((const char *)base +
		    P->off2);
		for (i = 0; i < n; i++)
			fprintf(fp, "%s%d", i > 0 ? ", " : "", ports[i]);
		break;
	case T_INCLUDE:
		break;
	}
}

/*
 * The parameter a key names in the given section, and whether a synonym
 * inverts it.  Where a global and a share parameter share a name, [global]
 * means the global one.
 */
static const struct conf_param *
conf_lookup(const char *key, int inglobal, int *invert)
{
	const struct conf_param *P, *found = NULL;
	char nk[128], nn[128];
	size_t i;

	conf_normalize(key, nk, sizeof(nk));
	*invert = 0;
	for (i = 0; i < nitems(conf_aliases); i++) {
		conf_normalize(conf_aliases[i].alias, nn, sizeof(nn));
		if (strcmp(nk, nn) == 0) {
			conf_normalize(conf_aliases[i].name, nk, sizeof(nk));
			*invert = conf_aliases[i].invert;
			break;
		}
	}
	for (i = 0; i < CONF_NPARAMS; i++) {
		P = &conf_params[i];
		conf_normalize(P->name, nn, sizeof(nn));
		if (strcmp(nk, nn) != 0)
			continue;
		if (found == NULL || P->scope == SC_ANY ||
		    (P->scope == SC_GLOBAL) == inglobal)
			found = P;
	}
	return found;
}

static int
conf_share_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CONF_SHARE_NAME_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f ||
		    strchr("\"/\\[]:|<>+=;,*?", *s) != NULL)
			return 0;
	return 1;
}

static void
conf_section(struct conf_parse *p, const char *name)
{
	struct conf *c = p->conf;
	size_t i;

	p->sec = SEC_IGNORE;
	if (*name == '\0') {
		conf_err(p, "empty section name");
		return;
	}
	if (strcasecmp(name, "global") == 0) {
		p->sec = SEC_GLOBAL;
		return;
	}
	if (strcasecmp(name, "homes") == 0 || strcasecmp(name, "printers") == 0) {
		conf_warn(p, "[%s] is not supported; section ignored", name);
		return;
	}
	if (strcasecmp(name, "IPC$") == 0) {
		conf_err(p, "[%s] is provided by the server and must not be "
		    "declared", name);
		return;
	}
	if (!conf_share_name_ok(name)) {
		conf_err(p, "invalid share name [%s]", name);
		return;
	}
	for (i = 0; i < c->nshares; i++)
		if (strcasecmp(c->shares[i].name, name) == 0) {
			conf_err(p, "duplicate share [%s] (first at %s:%d)",
			    name, p->meta[i].loc.file, p->meta[i].loc.line);
			return;
		}
	c->shares = xreallocarray(c->shares, c->nshares + 1,
	    sizeof(*c->shares));
	p->meta = xreallocarray(p->meta, c->nshares + 1, sizeof(*p->meta));
	memset(&c->shares[c->nshares], 0, sizeof(*c->shares));
	memset(&p->meta[c->nshares], 0, sizeof(*p->meta));
	c->shares[c->nshares].name = xstrdup(name);
	p->meta[c->nshares].loc = p->loc;
	p->cur = c->nshares++;
	p->sec = SEC_SHARE;
}

/* Read a whole regular file; -1 with errno set. */
static int
conf_read_file(const char *path, char **textp, size_t *lenp, struct stat *st)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, saved;

	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		errno = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= CONF_FILE_MAX) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap == 0 ? 8192 : cap * 2;
			text = xreallocarray(text, cap, 1);
		}
		n = read(fd, text + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*textp = text;
	*lenp = len;
	return 0;
fail:
	saved = errno;
	free(text);
	close(fd);
	errno = saved;
	return -1;
}

static const char *
conf_keep_name(struct conf_parse *p, const char *name)
{
	p->names = xreallocarray(p->names, p->nnames + 1, sizeof(*p->names));
	p->names[p->nnames] = xstrdup(name);
	return p->names[p->nnames++];
}

static void
conf_include(struct conf_parse *p, const char *value)
{
	struct conf_loc saved = p->loc;
	struct stat st;
	const char *slash;
	char *path, *text;
	size_t len;
	int i;

	if (*value == '\0') {
		conf_err(p, "include: empty file name");
		return;
	}
	if (p->depth >= CONF_MAX_DEPTH) {
		conf_err(p, "include \"%s\": nested deeper than %d files",
		    value, CONF_MAX_DEPTH);
		return;
	}
	if (p->nfiles >= CONF_MAX_FILES) {
		conf_err(p, "include \"%s\": more than %d files", value,
		    CONF_MAX_FILES);
		return;
	}
	/* Relative to the directory of the including file. */
	if (value[0] != '/' && (slash = strrchr(p->loc.file, '/')) != NULL)
		xasprintf(&path, "%.*s/%s", (int)(slash - p->loc.file),
		    p->loc.file, value);
	else
		path = xstrdup(value);
	if (conf_read_file(path, &text, &len, &st) == -1) {
		conf_err(p, "include \"%s\": %s", path, strerror(errno));
		free(path);
		return;
	}
	for (i = 0; i < p->depth; i++)
		if (p->dev[i] == st.st_dev && p->ino[i] == st.st_ino) {
			conf_err(p, "include \"%s\": include cycle", path);
			free(text);
			free(path);
			return;
		}
	p->dev[p->depth] = st.st_dev;
	p->ino[p->depth] = st.st_ino;
	p->depth++;
	p->nfiles++;
	conf_parse_text(p, conf_keep_name(p, path), text, len);
	p->depth--;
	p->loc = saved;
	free(text);
	free(path);
}

static void
conf_parse_param(struct conf_parse *p, char *s)
{
	const struct conf_param *P;
	struct conf *c = p->conf;
	char *eq, *key, *value;
	void *base;
	size_t idx;
	int invert;

	if ((eq = strchr(s, '=')) == NULL) {
		conf_err(p, "expected \"name = value\"");
		return;
	}
	*eq = '\0';
	key = conf_trim(s);
	value = conf_trim(eq + 1);
	if (*key == '\0') {
		conf_err(p, "missing parameter name before '='");
		return;
	}
	if (p->sec == SEC_IGNORE)
		return;
	if ((P = conf_lookup(key, p->sec == SEC_GLOBAL, &invert)) == NULL) {
		conf_warn(p, "unknown parameter \"%s\" ignored", key);
		return;
	}
	idx = (size_t)(P - conf_params);
	if (P->type == T_INCLUDE) {
		conf_include(p, value);
		return;
	}
	if (p->sec == SEC_GLOBAL) {
		if (P->scope == SC_GLOBAL) {
			base = &c->g;
			p->gloc[idx] = p->loc;
		} else
			base = &c->defaults;
	} else {
		if (P->scope == SC_GLOBAL) {
			conf_warn(p, "global parameter \"%s\" in share [%s] "
			    "ignored", P->name, c->shares[p->cur].name);
			return;
		}
		base = &c->shares[p->cur];
	}
	/*
	 * A failed value leaves the field unset, to be filled as usual, but
	 * remembered so that a bad path is not also reported as missing.
	 */
	if (conf_set(p, P, base, value, invert) == 0) {
		conf_check_supported(p, P, base);
		if (p->sec == SEC_SHARE)
			p->meta[p->cur].set[idx] = CONF_SET;
	} else if (p->sec == SEC_SHARE && !p->meta[p->cur].set[idx])
		p->meta[p->cur].set[idx] = CONF_FAILED;
}

/*
 * A parameter this version does not implement, set to another value than
 * its default (conf_unsupported[]): refused.
 */
static void
conf_check_supported(struct conf_parse *p, const struct conf_param *P,
    void *base)
{
	const struct conf_unsupported *u = NULL;
	const struct conf *b;
	const void *def;
	size_t i;

	for (i = 0; i < nitems(conf_unsupported); i++)
		if (conf_unsupported[i].scope == P->scope &&
		    strcmp(conf_unsupported[i].name, P->name) == 0)
			u = &conf_unsupported[i];
	if (u == NULL)
		return;
	b = conf_builtin();
	def = P->scope == SC_GLOBAL ? (const void *)&b->g :
	    (const void *)&b->defaults;
	if (conf_field_equal(P, base, def))
		return;
	if (u->security) {
		conf_err(p, "%s: not supported by this version (%s)",
		    P->name, u->why);
		return;
	}
	conf_warn(p, "%s: not supported by this version (%s); it keeps "
	    "its default", P->name, u->why);
	conf_free_field(P, base);
	conf_copy_field(P, base, def);
}

static void
conf_parse_line(struct conf_parse *p, char *s)
{
	char *end, *rest;

	s = conf_trim(s);
	if (*s == '\0' || *s == ';' || *s == '#')
		return;
	if (*s != '[') {
		conf_parse_param(p, s);
		return;
	}
	if ((end = strchr(s, ']')) == NULL) {
		conf_err(p, "unterminated section header");
		p->sec = SEC_IGNORE;
		return;
	}
	*end = '\0';
	rest = conf_trim(end + 1);
	if (*rest != '\0') {
		conf_err(p, "unexpected text after section header");
		p->sec = SEC_IGNORE;
		return;
	}
	conf_section(p, conf_trim(s + 1));
}

/*
 * Split the text into logical lines: a line whose last non-blank
 * character is a backslash continues on the next one.
 */
static void
conf_parse_text(struct conf_parse *p, const char *name, const char *text,
    size_t len)
{
	struct rbuf r;
	struct wbuf line;
	const uint8_t *cur, *lp, *nl;
	size_t n, k;
	int lineno = 0, start = 0, bad = 0;

	rbuf_init(&r, text, len);
	wbuf_init(&line, CONF_LINE_MAX);
	p->loc.file = name;
	while (rbuf_left(&r) > 0) {
		cur = rbuf_cur(&r);
		nl = memchr(cur, '\n', rbuf_left(&r));
		n = nl != NULL ? (size_t)(nl - cur) : rbuf_left(&r);
		rbuf_get_ptr(&r, &lp, n);
		if (nl != NULL)
			rbuf_skip(&r, 1);
		lineno++;
		if (start == 0)
			start = lineno;
		if (memchr(lp, '\0', n) != NULL)
			bad = 1;
		for (k = n; k > 0 && conf_isspace(lp[k - 1]); k--)
			;
		if (k > 0 && lp[k - 1] == '\\' && rbuf_left(&r) > 0) {
			wbuf_put_bytes(&line, lp, k - 1);
			continue;
		}
		if (k > 0 && lp[k - 1] == '\\') {
			/*
			 * A backslash on the last line continues nothing and
			 * is dropped.  Another one before it would end the
			 * value in a backslash, which no file can say (it
			 * would continue the line), so conf_dump() could not
			 * write it back: refuse it.
			 */
			for (n = k - 1; n > 0 && conf_isspace(lp[n - 1]); n--)
				;
			if (n > 0 && lp[n - 1] == '\\')
				bad = 2;
		}
		wbuf_put_bytes(&line, lp, n);
		wbuf_put_u8(&line, '\0');
		p->loc.line = start;
		if (bad == 2)
			conf_err(p, "value ends in a backslash");
		else if (bad)
			conf_err(p, "NUL byte in line");
		else if (wbuf_error(&line))
			conf_err(p, "line longer than %d bytes", CONF_LINE_MAX);
		else
			conf_parse_line(p, (char *)wbuf_data(&line));
		wbuf_reset(&line);
		start = 0;
		bad = 0;
	}
	wbuf_free(&line);
}

static void
conf_hostname(char *out, size_t outlen)
{
	char host[256], *dot;
	size_t i;

	if (gethostname(host, sizeof(host)) == -1)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if ((dot = strchr(host, '.')) != NULL)
		*dot = '\0';
	if (host[0] == '\0')
		strlcpy(host, "usmbd", sizeof(host));
	for (i = 0; host[i] != '\0' && i < 15 && i + 1 < outlen; i++)
		out[i] = (char)conf_toupper((unsigned char)host[i]);
	out[i] = '\0';
}

static struct conf *
conf_new(const char *path)
{
	struct conf_parse p;
	const struct conf_param *P;
	struct conf *c;
	size_t i;

	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	memset(&p, 0, sizeof(p));
	p.conf = c;
	p.loc.file = "(defaults)";
	for (i = 0; i < CONF_NPARAMS; i++) {
		P = &conf_params[i];
		if (P->type == T_INCLUDE)
			continue;
		if (conf_set(&p, P, P->scope == SC_GLOBAL ? (void *)&c->g :
		    (void *)&c->defaults, P->def, 0) == -1)
			fatalx("conf: bad built-in default of %s", P->name);
	}
	return c;
}

/* The defaults, for conf_dump(all = 0); built once. */
static const struct conf *
conf_builtin(void)
{
	static struct conf *builtin;
	char host[16];

	if (builtin == NULL) {
		builtin = conf_new("(defaults)");
		conf_hostname(host, sizeof(host));
		free(builtin->g.netbios_name);
		builtin->g.netbios_name = xstrdup(host);
	}
	return builtin;
}

static size_t
conf_param_index(const char *name, enum conf_scope scope)
{
	size_t i;

	for (i = 0; i < CONF_NPARAMS; i++)
		if (conf_params[i].scope == scope &&
		    strcmp(conf_params[i].name, name) == 0)
			return i;
	fatalx("conf: no parameter %s", name);
}

/* The line that set one of two global parameters, for a conflict. */
static const struct conf_loc *
conf_blame(struct conf_parse *p, const char *a, const char *b)
{
	static const struct conf_loc noloc;
	size_t ia = conf_param_index(a, SC_GLOBAL);
	size_t ib = conf_param_index(b, SC_GLOBAL);

	if (p->gloc[ia].file != NULL)
		return &p->gloc[ia];
	if (p->gloc[ib].file != NULL)
		return &p->gloc[ib];
	return &noloc;
}

static void
conf_check_io(struct conf_parse *p, const char *name, size_t v)
{
	struct conf *c = p->conf;

	if (v + CONF_IO_HEADROOM <= c->g.max_message_size)
		return;
	conf_err_at(p, conf_blame(p, name, "max message size"),
	    "%s %zu and 64K of headers do not fit in max message size %zu",
	    name, v, c->g.max_message_size);
}

int
conf_krb5_enabled(const struct conf_global *g)
{
	switch (g->kerberos_method) {
	case KRB5_METHOD_SYSTEM:
		return 1;
	case KRB5_METHOD_DEDICATED:
	case KRB5_METHOD_DEFAULT:
		return g->dedicated_keytab_file != NULL &&
		    g->dedicated_keytab_file[0] != '\0';
	}
	return 0;
}

/* Fill unset share fields from [global] and check the whole. */
static void
conf_finish(struct conf_parse *p)
{
	struct conf *c = p->conf;
	const struct conf_param *P;
	struct conf_share *sh;
	char host[16];
	size_t i, j;

	for (j = 0; j < c->nshares; j++) {
		sh = &c->shares[j];
		for (i = 0; i < CONF_NPARAMS; i++) {
			P = &conf_params[i];
			if (P->scope == SC_SHARE && p->meta[j].set[i] != CONF_SET)
				conf_copy_field(P, sh, &c->defaults);
		}
		if (sh->path[0] == '\0' && p->meta[j].set[conf_param_index("path",
		    SC_SHARE)] != CONF_FAILED)
			conf_err_at(p, &p->meta[j].loc, "share [%s] has no path",
			    sh->name);
	}
	if (c->g.netbios_name[0] == '\0') {
		conf_hostname(host, sizeof(host));
		free(c->g.netbios_name);
		c->g.netbios_name = xstrdup(host);
	}
	if (c->g.server_min_protocol > c->g.server_max_protocol)
		conf_err_at(p, conf_blame(p, "server min protocol",
		    "server max protocol"), "server min protocol %s is above "
		    "server max protocol %s",
		    conf_protocol_name(c->g.server_min_protocol),
		    conf_protocol_name(c->g.server_max_protocol));
	if (c->g.kerberos_method == KRB5_METHOD_DEDICATED &&
	    c->g.dedicated_keytab_file[0] == '\0')
		conf_err_at(p, conf_blame(p, "kerberos method",
		    "dedicated keytab file"), "kerberos method = dedicated "
		    "keytab needs a dedicated keytab file");
	conf_check_io(p, "smb2 max read", c->g.smb2_max_read);
	conf_check_io(p, "smb2 max write", c->g.smb2_max_write);
	conf_check_io(p, "smb2 max trans", c->g.smb2_max_trans);
}

static struct conf *
conf_parse_top(const char *name, const char *text, size_t len,
    const struct stat *st)
{
	struct conf_parse p;
	struct conf *c;
	size_t i;

	c = conf_new(name);
	memset(&p, 0, sizeof(p));
	p.conf = c;
	p.sec = SEC_GLOBAL;
	p.nfiles = 1;
	if (st != NULL) {
		p.dev[0] = st->st_dev;
		p.ino[0] = st->st_ino;
		p.depth = 1;
	}
	conf_parse_text(&p, c->path, text, len);
	conf_finish(&p);
	for (i = 0; i < p.nnames; i++)
		free(p.names[i]);
	free(p.names);
	free(p.meta);
	if (p.errors > 0) {
		conf_free(c);
		return NULL;
	}
	c->warnings = p.warnings;
	return c;
}

struct conf *
conf_load(const char *path)
{
	struct conf *c;
	struct stat st;
	char *text;
	size_t len;

	if (conf_read_file(path, &text, &len, &st) == -1) {
		log_warn("%s", path);
		return NULL;
	}
	c = conf_parse_top(path, text, len, &st);
	free(text);
	return c;
}

struct conf *
conf_load_text(const char *name, const char *text, size_t len)
{
	return conf_parse_top(name, text, len, NULL);
}

void
conf_free(struct conf *c)
{
	const struct conf_param *P;
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < CONF_NPARAMS; i++) {
		P = &conf_params[i];
		if (P->scope == SC_GLOBAL)
			conf_free_field(P, &c->g);
		else if (P->scope == SC_SHARE) {
			conf_free_field(P, &c->defaults);
			for (j = 0; j < c->nshares; j++)
				conf_free_field(P, &c->shares[j]);
		}
	}
	for (j = 0; j < c->nshares; j++)
		free(c->shares[j].name);
	free(c->shares);
	free(c->path);
	free(c);
}

/* A share parameter that [global] cannot set because a global one wins. */
static int
conf_shadowed(const struct conf_param *P)
{
	int inv;

	return P->scope == SC_SHARE && conf_lookup(P->name, 1, &inv) != P;
}

int
conf_dump(const struct conf *c, FILE *fp, int all)
{
	const struct conf *def = conf_builtin();
	const struct conf_param *P;
	const struct conf_share *sh;
	size_t i, j;

	fputs("[global]\n", fp);
	for (i = 0; i < CONF_NPARAMS; i++) {
		P = &conf_params[i];
		if (P->scope != SC_GLOBAL ||
		    (!all && conf_field_equal(P, &c->g, &def->g)))
			continue;
		conf_dump_param(fp, P, &c->g);
	}
	for (i = 0; i < CONF_NPARAMS; i++) {
		P = &conf_params[i];
		if (P->scope != SC_SHARE || conf_shadowed(P) ||
		    (!all && conf_field_equal(P, &c->defaults, &def->defaults)))
			continue;
		conf_dump_param(fp, P, &c->defaults);
	}
	for (j = 0; j < c->nshares; j++) {
		sh = &c->shares[j];
		fprintf(fp, "\n[%s]\n", sh->name);
		for (i = 0; i < CONF_NPARAMS; i++) {
			P = &conf_params[i];
			if (P->scope != SC_SHARE ||
			    (!all && conf_field_equal(P, sh, &c->defaults)))
				continue;
			conf_dump_param(fp, P, sh);
		}
	}
	return ferror(fp) ? -1 : 0;
}

const struct conf_share *
conf_share_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nshares; i++)
		if (strcasecmp(c->shares[i].name, name) == 0)
			return &c->shares[i];
	return NULL;
}

/* The i-th distinct name: "max connections" is one name in two scopes. */
static const struct conf_param *
conf_param_nth(size_t n)
{
	size_t i, j;

	for (i = 0; i < CONF_NPARAMS; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(conf_params[i].name, conf_params[j].name)
			    == 0)
				break;
		if (j < i)
			continue;
		if (n-- == 0)
			return &conf_params[i];
	}
	return NULL;
}

size_t
conf_param_count(void)
{
	size_t n = 0;

	while (conf_param_nth(n) != NULL)
		n++;
	return n;
}

const char *
conf_param_name(size_t i)
{
	const struct conf_param *P = conf_param_nth(i);

	return P != NULL ? P->name : NULL;
}

const char *
conf_param_doc(size_t i)
{
	const struct conf_param *P = conf_param_nth(i);

	return P != NULL ? P->doc : NULL;
}

size_t
conf_row_count(void)
{
	return CONF_NPARAMS;
}

int
conf_row(size_t i, const char **name, const char **scope, const char **field,
    int *refused)
{
	const struct conf_param *P;
	size_t j;

	if (i >= CONF_NPARAMS)
		return -1;
	P = &conf_params[i];
	*name = P->name;
	*scope = P->scope == SC_GLOBAL ? "global" : P->scope == SC_SHARE ?
	    "share" : "any";
	*field = P->field;
	/*
	 * vfs objects takes only modules whose behaviour is always there,
	 * so nothing need read it: every other value is refused.
	 */
	*refused = (P->flags & (F_MUSTBENO | F_VFS)) != 0;
	for (j = 0; j < nitems(conf_unsupported); j++)
		if (conf_unsupported[j].scope == P->scope &&
		    strcmp(conf_unsupported[j].name, P->name) == 0)
			*refused = 1;
	return 0;
}

const char *
conf_protocol_name(enum conf_protocol p)
{
	return conf_enum_name(conf_maxproto_vals, (int)p);
}
