/*
 * Golden tests of the smbd.conf parser.  Every regress/conf/NAME.conf is
 * loaded; NAME.out (when present) holds the expected conf_dump(all = 0)
 * and says the load must succeed, NAME.err the expected log lines (none
 * when absent).  Every configuration that loads must also survive a round
 * trip through conf_dump(all = 1) and conf_load_text(), which is how the
 * master hands its configuration to the other processes.
 *
 * UPDATE_GOLDEN=1 rewrites the expected files from the current output.
 */
#include "config.h"

#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "util.h"
#include "unit.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR	"."
#endif

static char	*captured;
static size_t	 ncaptured;
static int	 update_golden;

/* Keep each log line without the "test_conf[pid]: " prefix. */
static void
capture(int level, const char *line)
{
	const char *msg;
	size_t n;

	(void)level;
	msg = strstr(line, "]: ");
	msg = msg != NULL ? msg + 3 : line;
	n = strlen(msg);
	captured = realloc(captured, ncaptured + n + 2);
	if (captured == NULL)
		abort();
	memcpy(captured + ncaptured, msg, n);
	ncaptured += n;
	captured[ncaptured++] = '\n';
	captured[ncaptured] = '\0';
}

static void
capture_reset(void)
{
	free(captured);
	captured = NULL;
	ncaptured = 0;
}

static const char *
capture_text(void)
{
	return captured != NULL ? captured : "";
}

/* The whole file, or NULL if it does not exist. */
static char *
read_text(const char *path)
{
	FILE *fp;
	char *buf;
	long n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1)
		abort();
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		abort();
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
write_text(const char *path, const char *text)
{
	FILE *fp;

	if (*text == '\0') {
		unlink(path);
		return;
	}
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
}

static char *
dump(const struct conf *c, int all)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	if ((fp = open_memstream(&text, &len)) == NULL)
		abort();
	CHECK(conf_dump(c, fp, all) == 0);
	fclose(fp);
	return text;
}

static void
check_text(const char *what, const char *got, const char *want)
{
	unit_checks++;
	if (strcmp(got, want) != 0) {
		unit_failures++;
		fprintf(stderr, "%s: mismatch\n--- want\n%s--- got\n%s---\n",
		    what, want, got);
	}
}

/* Dump, reload, dump again: both dumps must be identical and silent. */
static void
check_round_trip(const char *name, const struct conf *c)
{
	struct conf *c2;
	char *all1, *all2, *min1, *min2, what[300];

	all1 = dump(c, 1);
	min1 = dump(c, 0);
	capture_reset();
	c2 = conf_load_text("(dump)", all1, strlen(all1));
	snprintf(what, sizeof(what), "%s: round trip", name);
	CHECK(c2 != NULL);
	check_text(what, capture_text(), "");
	if (c2 != NULL) {
		all2 = dump(c2, 1);
		min2 = dump(c2, 0);
		check_text(what, all2, all1);
		check_text(what, min2, min1);
		CHECK(c2->nshares == c->nshares);
		free(all2);
		free(min2);
		conf_free(c2);
	}
	/* The short dump must load to the same configuration too. */
	capture_reset();
	c2 = conf_load_text("(dump)", min1, strlen(min1));
	CHECK(c2 != NULL);
	check_text(what, capture_text(), "");
	if (c2 != NULL) {
		all2 = dump(c2, 1);
		check_text(what, all2, all1);
		free(all2);
		conf_free(c2);
	}
	free(all1);
	free(min1);
}

static void
run_golden(const char *name)
{
	struct conf *c;
	char path[300], *out, *err, *got;
	size_t n = strlen(name) - strlen(".conf");

	capture_reset();
	c = conf_load(name);
	snprintf(path, sizeof(path), "%.*s.out", (int)n, name);
	out = read_text(path);
	got = c != NULL ? dump(c, 0) : NULL;
	if (update_golden) {
		write_text(path, got != NULL ? got : "");
		free(out);
		out = got != NULL ? xstrdup(got) : NULL;
	}
	if (out != NULL) {
		if (c == NULL) {
			unit_checks++;
			unit_failures++;
			fprintf(stderr, "%s: did not load:\n%s", name,
			    capture_text());
		} else
			check_text(name, got, out);
	} else if (c != NULL) {
		unit_checks++;
		unit_failures++;
		fprintf(stderr, "%s: loaded but should not have\n", name);
	}
	snprintf(path, sizeof(path), "%.*s.err", (int)n, name);
	if (update_golden)
		write_text(path, capture_text());
	err = read_text(path);
	check_text(path, capture_text(), err != NULL ? err : "");
	if (c != NULL)
		check_round_trip(name, c);
	conf_free(c);
	free(out);
	free(err);
	free(got);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_golden(void)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i, len;
	DIR *d;

	if ((d = opendir(".")) == NULL) {
		perror("regress/conf");
		exit(2);
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	CHECK(n >= 20);
	for (i = 0; i < n; i++) {
		run_golden(names[i]);
		free(names[i]);
	}
	free(names);
}

/* Typed fields, spot-checked against the golden files' intent. */
static void
test_fields(void)
{
	const struct conf_share *s;
	struct conf *c;

	capture_reset();
	c = conf_load("synonyms.conf");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK((s = conf_share_find(c, "ONE")) != NULL);
	CHECK(conf_share_find(c, "one") == s);
	CHECK(conf_share_find(c, "nosuch") == NULL);
	CHECK(conf_share_find(c, "IPC$") == NULL);
	if (s != NULL) {
		CHECK(s->read_only == 0);
		CHECK(s->browseable == 0);
		CHECK(s->guest_ok == 1);
		CHECK(s->create_mask == 0700);
		CHECK(s->directory_mask == 0750);
		CHECK_STR(s->path, "/srv/one");
	}
	if ((s = conf_share_find(c, "two")) != NULL) {
		CHECK(s->read_only == 1);
		CHECK(s->guest_ok == 0);
	}
	CHECK(c->g.log_level == 3);
	CHECK(c->g.server_max_protocol == PROTO_SMB3_00);
	CHECK(c->g.server_signing == SIGNING_MANDATORY);
	conf_free(c);

	capture_reset();
	c = conf_load("all.conf");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(c->g.nsmb_ports == 2 && c->g.smb_ports[0] == 4445 &&
	    c->g.smb_ports[1] == 10445);
	CHECK_STR(c->g.interfaces[0], "127.0.0.1");
	CHECK_STR(c->g.interfaces[1], "::1");
	CHECK(c->g.interfaces[2] == NULL);
	CHECK(c->g.max_message_size == 4 * 1024 * 1024 + 65536);
	CHECK(c->g.smb2_max_read == 1024 * 1024);
	CHECK(c->g.map_to_guest == MAP_TO_GUEST_BAD_USER);
	CHECK(c->g.ntlm_auth == NTLM_AUTH_DISABLED);
	CHECK(c->g.smb_encrypt == ENCRYPT_DESIRED);
	CHECK(c->g.syslog_facility == LOG_LOCAL3);
	CHECK(c->nshares == 1);
	s = &c->shares[0];
	CHECK(s->case_sensitive == CASE_SENSITIVE_YES);
	CHECK(s->smb_encrypt == ENCRYPT_REQUIRED);
	CHECK(s->create_mask == 0600);
	CHECK_STR(s->valid_users[0], "alice");
	CHECK_STR(s->valid_users[1], "@staff");
	CHECK_STR(s->valid_users[2], "Domain Users");
	CHECK(s->valid_users[3] == NULL);
	CHECK_STR(s->veto_files[0], "*.tmp");
	CHECK_STR(s->veto_files[1], ".DS_Store");
	CHECK(s->veto_files[2] == NULL);
	CHECK(s->kernel_oplocks == 1);
	/* A share's "max connections" is its own, not the global one. */
	CHECK(s->max_connections == 3);
	CHECK(c->g.max_connections == 100);
	conf_free(c);

	/* What this version does not do keeps its default, with a warning. */
	capture_reset();
	c = conf_load("unsupported_warn.conf");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(strstr(capture_text(), "not supported by this version") != NULL);
	CHECK(c->g.server_multi_channel_support == 0);
	/* Leases are served, and granted by default as in Samba. */
	CHECK(c->g.smb2_leases == 1);
	CHECK(c->g.max_connections == 50);
	s = &c->shares[0];
	/* Durable handles are served; the file turns them off. */
	CHECK(s->kernel_oplocks == 0 && s->durable_handles == 0);
	/* Oplocks are served, and granted by default as in Samba. */
	CHECK(s->oplocks == 1 && s->level2_oplocks == 1);
	CHECK(c->g.oplock_break_timeout == 35 &&
	    c->g.oplock_break_wait_time == 0);
	CHECK(s->preserve_case == 1 && s->store_dos_attributes == 1 &&
	    s->ea_support == 1);
	conf_free(c);
}

/* Share parameters set in [global] reach shares declared before it, too. */
static void
test_defaults(void)
{
	static const char text[] =
	    "[early]\npath = /a\n"
	    "[global]\nread only = no\nmax connections = 5\n"
	    "smb encrypt = required\n"
	    "[late]\npath = /b\nread only = yes\n";
	struct conf *c;

	capture_reset();
	/* Not NUL-terminated: the length bounds the text. */
	c = conf_load_text("mem", text, sizeof(text) - 1);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(c->nshares == 2);
	CHECK(c->shares[0].read_only == 0);
	CHECK(c->shares[1].read_only == 1);
	CHECK(c->g.max_connections == 5);
	CHECK(c->shares[0].max_connections == 0);
	CHECK(c->g.smb_encrypt == ENCRYPT_REQUIRED);
	CHECK(c->shares[0].smb_encrypt == ENCRYPT_IF_REQUIRED);
	CHECK(c->defaults.read_only == 0);
	/* Strings and lists are never NULL. */
	CHECK(c->shares[0].comment != NULL && c->shares[0].comment[0] == '\0');
	CHECK(c->shares[0].valid_users != NULL &&
	    c->shares[0].valid_users[0] == NULL);
	CHECK(c->g.realm != NULL);
	CHECK(c->g.netbios_name[0] != '\0' && strlen(c->g.netbios_name) <= 15);
	conf_free(c);
}

static void
test_params(void)
{
	size_t i, j, n = conf_param_count();

	CHECK(n > 70);
	CHECK(conf_param_name(n) == NULL);
	for (i = 0; i < n; i++) {
		CHECK(conf_param_name(i) != NULL);
		CHECK(conf_param_doc(i) != NULL && conf_param_doc(i)[0] != '\0');
		for (j = 0; j < i; j++)
			CHECK(strcmp(conf_param_name(i), conf_param_name(j))
			    != 0);
	}
	CHECK_STR(conf_protocol_name(PROTO_SMB3_11), "SMB3_11");
	CHECK_STR(conf_protocol_name(PROTO_SMB2_02), "SMB2_02");
}

/* A chain of includes deeper than the limit, built in a temporary dir. */
static void
test_include_depth(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[300], *top;
	struct conf *c;
	FILE *fp;
	int i, n = 20;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%d.conf", dir, i);
		if ((fp = fopen(path, "w")) == NULL)
			abort();
		if (i + 1 < n)
			fprintf(fp, "include = f%d.conf\n", i + 1);
		fclose(fp);
	}
	xasprintf(&top, "%s/f0.conf", dir);
	capture_reset();
	c = conf_load(top);
	CHECK(c == NULL);
	CHECK(strstr(capture_text(), "nested deeper than 16 files") != NULL);
	CHECK(strncmp(capture_text(), dir, strlen(dir)) == 0);
	/* A chain within the limit loads. */
	free(top);
	xasprintf(&top, "%s/f%d.conf", dir, n - 15);
	capture_reset();
	c = conf_load(top);
	CHECK(c != NULL);
	check_text("depth 15", capture_text(), "");
	conf_free(c);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%d.conf", dir, i);
		unlink(path);
	}
	rmdir(dir);
	free(top);
}

/* Every prefix of a valid file: may fail, must not crash or leak. */
static void
test_truncated(void)
{
	struct conf *c;
	char *text;
	size_t i, len, ok = 0;

	if ((text = read_text("all.conf")) == NULL) {
		CHECK(0);
		return;
	}
	len = strlen(text);
	for (i = 0; i <= len; i++) {
		capture_reset();
		c = conf_load_text("all.conf", text, i);
		if (c != NULL)
			ok++;
		conf_free(c);
	}
	CHECK(ok > 0);
	free(text);

	capture_reset();
	CHECK(conf_load("does-not-exist.conf") == NULL);
	CHECK(strstr(capture_text(), "does-not-exist.conf") != NULL);
	capture_reset();
	CHECK(conf_load(".") == NULL);
	capture_reset();
	c = conf_load_text("nul", "[a]\npath = /x\0y\n", 15);
	CHECK(c == NULL);
	check_text("nul", capture_text(), "nul:2: NUL byte in line\n"
	    "nul:1: share [a] has no path\n");

	/*
	 * Found by fuzz_conf: two backslashes on the last line used to end
	 * the value in one, which conf_dump() wrote as a continuation.
	 */
	capture_reset();
	c = conf_load_text("tail", "[a]\npath = /x\ncomment = a \\\\", 28);
	CHECK(c == NULL);
	check_text("tail", capture_text(),
	    "tail:3: value ends in a backslash\n");
	capture_reset();
	c = conf_load_text("mid", "[a]\npath = /x\ncomment = a \\\n b\n", 31);
	CHECK(c != NULL);
	conf_free(c);
}

int
main(void)
{
	const char *top;
	char dir[4096];

	log_procname("test_conf");
	log_set_forward(capture);
	update_golden = getenv("UPDATE_GOLDEN") != NULL;
	if ((top = getenv("top_srcdir")) == NULL)
		top = TOP_SRCDIR;
	snprintf(dir, sizeof(dir), "%s/regress/conf", top);
	if (chdir(dir) == -1) {
		perror(dir);
		return 2;
	}
	test_golden();
	test_fields();
	test_defaults();
	test_params();
	test_include_depth();
	test_truncated();
	capture_reset();
	return unit_done();
}
