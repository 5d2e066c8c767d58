/*
 * Unit tests for client name checking, path resolution below a share
 * root, and DOS wildcards.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "mangle.h"
#include "ntstatus.h"
#include "smb2_dir.h"
#include "unit.h"
#include "vfs.h"

static void
test_names(void)
{
	struct vfs_name n;

	CHECK(vfs_name_parse("dir\\file.txt", &n) == NT_STATUS_SUCCESS);
	CHECK_STR(n.path, "dir/file.txt");
	CHECK(n.stream == NULL);
	vfs_name_free(&n);
	CHECK(vfs_name_parse("", &n) == NT_STATUS_SUCCESS);
	CHECK_STR(n.path, "");
	vfs_name_free(&n);
	CHECK(vfs_name_parse("a\\b\\", &n) == NT_STATUS_SUCCESS &&
	    n.trailing_sep);
	vfs_name_free(&n);
	CHECK(vfs_name_parse("file:stream:$DATA", &n) == NT_STATUS_SUCCESS);
	CHECK_STR(n.path, "file");
	CHECK_STR(n.stream, "stream");
	vfs_name_free(&n);
	CHECK(vfs_name_parse("file::$DATA", &n) == NT_STATUS_SUCCESS &&
	    n.stream == NULL);
	vfs_name_free(&n);
	CHECK(vfs_name_parse("file:s:$BOGUS", &n) ==
	    NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(vfs_name_parse("a\\..\\b", &n) ==
	    NT_STATUS_OBJECT_PATH_SYNTAX_BAD);
	CHECK(vfs_name_parse("a\\.\\b", &n) ==
	    NT_STATUS_OBJECT_PATH_SYNTAX_BAD);
	CHECK(vfs_name_parse("a\\\\b", &n) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(vfs_name_parse("a*b", &n) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(vfs_name_parse("a?b", &n) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(vfs_name_parse("a|b", &n) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(vfs_name_parse("dir:x\\file", &n) ==
	    NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(vfs_name_parse("a\001b", &n) == NT_STATUS_OBJECT_NAME_INVALID);
}

static void
test_resolve(void)
{
	char tmpl[] = "/tmp/usmbd-vfs.XXXXXX", *real, path[512];
	struct conf_share cfg;
	struct vfs_share sh;
	int found, fd;

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/Dir", tmpl);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/Dir/File.TXT", tmpl);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	snprintf(path, sizeof(path), "%s/Dir/out", tmpl);
	CHECK(symlink("/etc", path) == 0);
	snprintf(path, sizeof(path), "%s/Dir/in", tmpl);
	CHECK(symlink("File.TXT", path) == 0);

	memset(&cfg, 0, sizeof(cfg));
	cfg.follow_symlinks = 1;
	sh.rootfd = open(tmpl, O_RDONLY | O_DIRECTORY);
	sh.cfg = &cfg;
	sh.case_sensitive = 0;

	CHECK(vfs_resolve(&sh, "dir/file.txt", &real, &found) ==
	    NT_STATUS_SUCCESS && found);
	CHECK_STR(real, "Dir/File.TXT");
	free(real);
	CHECK(vfs_resolve(&sh, "DIR/new.txt", &real, &found) ==
	    NT_STATUS_SUCCESS && !found);
	CHECK_STR(real, "Dir/new.txt");
	free(real);
	CHECK(vfs_resolve(&sh, "nodir/x", &real, &found) ==
	    NT_STATUS_OBJECT_PATH_NOT_FOUND);
	sh.case_sensitive = 1;
	CHECK(vfs_resolve(&sh, "dir/file.txt", &real, &found) ==
	    NT_STATUS_OBJECT_PATH_NOT_FOUND);
	sh.case_sensitive = 0;
	/* A symlink inside the share works; one that leaves it does not. */
	CHECK((fd = vfs_open(&sh, "Dir/in", O_RDONLY, 0)) != -1);
	close(fd);
	CHECK(vfs_open(&sh, "Dir/out/passwd", O_RDONLY, 0) == -1);
	CHECK(vfs_open(&sh, "../../etc/passwd", O_RDONLY, 0) == -1);
	close(sh.rootfd);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmpl);
	CHECK(system(path) == 0);
}

/* 8.3 short names and the way back to the long name (mangle.c). */
static void
test_mangle(void)
{
	char tmpl[] = "/tmp/usmbd-mangle.XXXXXX", *real, path[600];
	char sn[13], dsn[13], want[600];
	const char *longname = "A long directory name.with.dots";
	const char *longfile = "Another long file name.txt";
	struct conf_share cfg;
	struct vfs_share sh;
	int found;

	CHECK(smb2_short_name("FILE.TXT", sn) == 1);
	CHECK_STR(sn, "FILE.TXT");
	CHECK(smb2_short_name("abc", sn) == 1);
	CHECK_STR(sn, "ABC");
	/* A trailing dot, a leading dot or a long part is not 8.3. */
	CHECK(smb2_short_name("abc.", sn) == 0);
	CHECK(mangle_is_mangled(sn));
	CHECK(smb2_short_name(".profile", sn) == 0);
	CHECK(mangle_is_mangled(sn));
	CHECK(smb2_short_name("a+b;c=d[e]", sn) == 0);
	CHECK(strchr(sn, '+') == NULL && strchr(sn, '[') == NULL);
	CHECK(smb2_short_name("Long file name.html", sn) == 0);
	CHECK(strlen(sn) == 12 && strncmp(sn, "LONGF~", 6) == 0 &&
	    strcmp(sn + 8, ".HTM") == 0);
	CHECK(mangle_is_mangled(sn));
	CHECK(!mangle_is_mangled("FILE.TXT"));
	CHECK(!mangle_is_mangled("AB~C.TXT"));
	CHECK(!mangle_is_mangled("ABCDEFGHI~12"));
	CHECK(!mangle_is_mangled("~1"));

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/%s", tmpl, longname);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", tmpl, longname, longfile);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	memset(&cfg, 0, sizeof(cfg));
	sh.rootfd = open(tmpl, O_RDONLY | O_DIRECTORY);
	sh.cfg = &cfg;
	sh.case_sensitive = 0;

	/* Both components by their short names, in any case. */
	smb2_short_name(longname, dsn);
	smb2_short_name(longfile, sn);
	snprintf(path, sizeof(path), "%s/%s", dsn, sn);
	snprintf(want, sizeof(want), "%s/%s", longname, longfile);
	CHECK(vfs_resolve(&sh, path, &real, &found) == NT_STATUS_SUCCESS &&
	    found);
	CHECK_STR(real, want);
	free(real);
	path[0] = (char)tolower((unsigned char)path[0]);
	CHECK(vfs_resolve(&sh, path, &real, &found) == NT_STATUS_SUCCESS &&
	    found);
	CHECK_STR(real, want);
	free(real);
	/* Gone: the short name still names the long one, to create it. */
	snprintf(path, sizeof(path), "%s/%s/%s", tmpl, longname, longfile);
	CHECK(unlink(path) == 0);
	snprintf(path, sizeof(path), "%s/%s", dsn, sn);
	CHECK(vfs_resolve(&sh, path, &real, &found) == NT_STATUS_SUCCESS &&
	    !found);
	CHECK_STR(real, want);
	free(real);
	/* A vetoed long name is not reached by its short name. */
	{
		char *veto[] = { "*.txt", NULL };

		snprintf(path, sizeof(path), "%s/%s/%s", tmpl, longname,
		    longfile);
		close(open(path, O_CREAT | O_WRONLY, 0644));
		cfg.veto_files = veto;
		snprintf(path, sizeof(path), "%s/%s", dsn, sn);
		snprintf(want, sizeof(want), "%s/%s", longname, sn);
		CHECK(vfs_resolve(&sh, path, &real, &found) ==
		    NT_STATUS_SUCCESS && !found);
		CHECK_STR(real, want);
		free(real);
		cfg.veto_files = NULL;
	}
	/* A short name never handed out stays as it is. */
	snprintf(path, sizeof(path), "%s/NEVER~ZZ.TXT", dsn);
	snprintf(want, sizeof(want), "%s/NEVER~ZZ.TXT", longname);
	CHECK(vfs_resolve(&sh, path, &real, &found) == NT_STATUS_SUCCESS &&
	    !found);
	CHECK_STR(real, want);
	free(real);
	close(sh.rootfd);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmpl);
	CHECK(system(path) == 0);
}

static void
test_wildcards(void)
{
	CHECK(smb2_wildcard_match("*", "anything"));
	CHECK(smb2_wildcard_match("*", ""));
	CHECK(smb2_wildcard_match("*.txt", "README.TXT"));
	CHECK(!smb2_wildcard_match("*.txt", "README.md"));
	CHECK(smb2_wildcard_match("a?c", "abc"));
	CHECK(!smb2_wildcard_match("a?c", "ac"));
	CHECK(smb2_wildcard_match("FILE", "file"));
	/* DOS_STAR '<' stops at the last dot; DOS_QM and DOS_DOT. */
	CHECK(smb2_wildcard_match("<.txt", "a.b.txt"));
	CHECK(smb2_wildcard_match("<", "name"));
	CHECK(smb2_wildcard_match("ab>>", "ab"));
	CHECK(smb2_wildcard_match("ab>>.c", "abx.c"));
	CHECK(smb2_wildcard_match("abc\"*", "abc.txt"));
	CHECK(smb2_wildcard_match("abc\"", "abc"));
	CHECK(!smb2_wildcard_match("abc", "abcd"));
	CHECK(!smb2_wildcard_match("*.c", "a.cpp"));
	CHECK(smb2_wildcard_match("*a*b", "xxaxxb"));
	/* Non-ASCII letters fold too, and '?' takes a whole character. */
	CHECK(smb2_wildcard_match("\xc3\x84*", "\xc3\xa4rger.txt"));
	CHECK(smb2_wildcard_match("?rger.txt", "\xc3\xa4rger.txt"));
	CHECK(smb2_wildcard_match("\xc3\x84RGER.TXT", "\xc3\xa4rger.txt"));
	/*
	 * Many stars against a long name that does not match: must finish
	 * at once rather than backtrack exponentially.
	 */
	{
		char name[256], pat[80];

		memset(name, 'a', 255);
		name[255] = '\0';
		strcpy(pat, "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
		CHECK(!smb2_wildcard_match(pat, name));
		pat[strlen(pat) - 1] = 'a';
		CHECK(smb2_wildcard_match(pat, name));
	}
}

int
main(void)
{
	test_names();
	test_resolve();
	test_mangle();
	test_wildcards();
	return unit_done();
}
