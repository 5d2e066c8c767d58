/*
 * The smbd.conf parser.  The file uses the smb.conf syntax; every parameter
 * lives in one table in conf.c (name, synonyms, scope, type, default,
 * limits) and lands in a typed field named after it, with the spaces
 * replaced by underscores ("max connections" -> conf->g.max_connections).
 * man/smbd.conf.5 documents each parameter; regress/conf_doc.sh checks it.
 *
 * Strings are never NULL (an empty value is ""), lists are never NULL
 * (NULL-terminated arrays, possibly empty).
 */
#ifndef USMBD_CONF_H
#define USMBD_CONF_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

enum conf_protocol {
	PROTO_SMB2_02,
	PROTO_SMB2_10,
	PROTO_SMB3_00,
	PROTO_SMB3_02,
	PROTO_SMB3_11
};

enum conf_signing {
	SIGNING_AUTO,		/* sign when the client asks for it */
	SIGNING_MANDATORY,	/* refuse unsigned sessions */
	SIGNING_DISABLED	/* as auto: SMB2 cannot turn signing off */
};

/*
 * For the global parameter the level applies to every session, for a
 * share to its tree connects; the stricter of the two wins.
 */
enum conf_encrypt {
	ENCRYPT_OFF,		/* do not even offer encryption */
	ENCRYPT_IF_REQUIRED,	/* offer it; encrypt when the client asks */
	ENCRYPT_DESIRED,	/* encrypt whenever the client can */
	ENCRYPT_REQUIRED	/* refuse clients that cannot encrypt */
};

enum conf_map_to_guest {
	MAP_TO_GUEST_NEVER,
	MAP_TO_GUEST_BAD_USER,
	MAP_TO_GUEST_BAD_PASSWORD
};

enum conf_ntlm_auth {
	NTLM_AUTH_NTLMV2_ONLY,
	NTLM_AUTH_MSCHAPV2_AND_NTLMV2_ONLY,
	NTLM_AUTH_DISABLED
};

/* kerberos method: which keytab authd accepts Kerberos tickets with. */
enum conf_krb5_method {
	KRB5_METHOD_DEFAULT,	/* dedicated keytab file if set, else none */
	KRB5_METHOD_DEDICATED,
	KRB5_METHOD_SYSTEM
};

enum conf_case {
	CASE_SENSITIVE_AUTO,	/* treated as no */
	CASE_SENSITIVE_YES,
	CASE_SENSITIVE_NO
};

struct conf_share {
	char		 *name;
	char		 *path;
	char		 *comment;
	int		  read_only;
	int		  browseable;
	int		  available;
	int		  guest_ok;
	int		  guest_only;
	char		**valid_users;		/* names, "@group" or "+group" */
	char		**invalid_users;
	char		**read_list;
	char		**write_list;
	char		**admin_users;
	char		**hosts_allow;
	char		**hosts_deny;
	char		 *force_user;
	char		 *force_group;
	mode_t		  create_mask;
	mode_t		  directory_mask;
	mode_t		  force_create_mode;
	mode_t		  force_directory_mode;
	int		  inherit_permissions;
	int		  hide_dot_files;
	char		**hide_files;		/* patterns of "/a/b/" */
	char		**veto_files;
	int		  delete_veto_files;
	int		  oplocks;
	int		  level2_oplocks;
	int		  kernel_oplocks;
	int		  durable_handles;
	enum conf_case	  case_sensitive;
	int		  preserve_case;
	int		  store_dos_attributes;
	int		  ea_support;
	enum conf_encrypt smb_encrypt;
	int		  strict_sync;
	int		  sync_always;
	int		  change_notify;
	int		  max_connections;	/* 0: unlimited */
	int		  follow_symlinks;
	int		  wide_links;
	char		**vfs_objects;		/* acl_xattr, streams_xattr */
	size_t		  max_stream_size;	/* bytes of one named stream */
	int		  streams;		/* named streams supported */
	int		  printable;		/* always 0 */
};

struct conf_global {
	char		**interfaces;		/* numeric IPv4/IPv6 addresses */
	int		 *smb_ports;
	size_t		  nsmb_ports;
	char		 *netbios_name;		/* upper case, <= 15 chars */
	char		 *workgroup;		/* upper case, <= 15 chars */
	char		 *server_string;
	char		 *realm;
	enum conf_protocol server_min_protocol;
	enum conf_protocol server_max_protocol;
	enum conf_signing server_signing;
	enum conf_encrypt smb_encrypt;
	char		**server_smb3_encryption_algorithms; /* canonical names */
	char		**server_smb3_signing_algorithms;
	int		  server_multi_channel_support;
	int		  smb2_leases;
	int		  max_connections;
	int		  max_connections_per_client;	/* 0: unlimited */
	int		  max_open_files;		/* per session */
	int		  max_byte_range_locks;	/* per session */
	int		  aio_threads;		/* disk IO threads per worker */
	size_t		  aio_max_memory;	/* IO in flight, per worker */
	size_t		  max_output_queue;	/* unread responses */
	size_t		  max_message_size;
	size_t		  smb2_max_read;
	size_t		  smb2_max_write;
	size_t		  smb2_max_trans;
	int		  smb2_max_credits;
	int		  negotiate_timeout;	/* seconds */
	int		  auth_timeout;		/* seconds */
	int		  oplock_break_timeout;	/* seconds */
	int		  durable_handle_timeout;	/* seconds */
	int		  oplock_break_wait_time;	/* always 0 */
	int		  deadtime;		/* minutes, 0: never */
	int		  name_service_timeout;	/* seconds */
	int		  name_cache_time;	/* seconds, 0: no cache */
	char		 *guest_account;
	enum conf_map_to_guest map_to_guest;
	int		  restrict_anonymous;	/* 0 or 2, as in Samba */
	int		  require_landlock;
	int		  require_mount_namespace;
	int		  log_rate_limit;
	int		  max_async_requests;	/* per connection */
	enum conf_ntlm_auth ntlm_auth;
	int		  auth_failure_delay;	/* milliseconds */
	int		  auth_failure_limit;	/* per source or user and minute */
	int		  auth_failure_ipv4_prefix;	/* bits of a source */
	int		  auth_failure_ipv6_prefix;
	char		 *dedicated_keytab_file;
	enum conf_krb5_method kerberos_method;
	int		  kerberos_clock_skew;	/* seconds */
	char		 *passdb_file;
	char		 *state_directory;
	char		 *pid_file;		/* "": none */
	char		 *control_socket;	/* "": none */
	char		 *libexec_directory;
	char		 *preauth_user;
	char		 *authd_user;
	char		 *lockd_user;
	int		  log_level;
	char		 *log_file;
	int		  syslog_facility;	/* LOG_DAEMON etc. */
};

struct conf {
	struct conf_global	 g;
	struct conf_share	*shares;
	size_t			 nshares;
	char			*path;
	/*
	 * Share parameters as set in [global]: the default of every share
	 * that does not set them itself, and each share already holds its
	 * effective values.  The master applies hosts allow and hosts deny
	 * from here to every connection.
	 */
	struct conf_share	 defaults;
	/* Problems reported that did not stop the load (usmbd -t fails). */
	int			 warnings;
};

/* NULL on error; every problem is logged as "file:line: reason". */
struct conf	*conf_load(const char *);
/* The same from memory; name is used in messages and for relative includes. */
struct conf	*conf_load_text(const char *, const char *, size_t);
void		 conf_free(struct conf *);
/*
 * Write the configuration in smbd.conf syntax: all = 1 every parameter,
 * all = 0 only those differing from the defaults.  The text loads again to
 * an identical configuration.  Returns 0, or -1 on a write error.
 */
int		 conf_dump(const struct conf *, FILE *, int);
/* Case-insensitive; NULL if there is no such share.  IPC$ is not listed. */
const struct conf_share *conf_share_find(const struct conf *, const char *);

/* The canonical parameter names, each once (for the man page test). */
size_t		 conf_param_count(void);
const char	*conf_param_name(size_t);
/* Its one-line description. */
const char	*conf_param_doc(size_t);
/*
 * Every row of the parameter table (a name may have a global and a share
 * row), for regress/conf_read.sh: its name, "global", "share" or "any",
 * the member of struct conf_global or conf_share it sets (NULL: none),
 * and whether this version refuses every value but its default.
 */
size_t		 conf_row_count(void);
int		 conf_row(size_t, const char **, const char **, const char **,
		    int *);

/* Printable names of enum values ("SMB3_11", "mandatory", ...). */
const char	*conf_protocol_name(enum conf_protocol);
/* Whether Kerberos logons are on: a keytab is configured. */
int		 conf_krb5_enabled(const struct conf_global *);

#endif /* USMBD_CONF_H */
