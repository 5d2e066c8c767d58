/*
 * Unit tests for stream names: smb2_stream_name_parse on its own and
 * through vfs_name_parse, with the statuses Windows gives (smbtorture's
 * smb2.streams.names, names2 and dir checked the same against usmbd).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntstatus.h"
#include "smb2_stream.h"
#include "unit.h"
#include "vfs.h"

static uint32_t
parse(const char *spec, char **name, int *type)
{
	free(*name);
	*name = NULL;
	return smb2_stream_name_parse(spec, name, type);
}

static void
test_parse(void)
{
	char *name = NULL, buf[512];
	int type, c;

	CHECK(parse("s1", &name, &type) == NT_STATUS_SUCCESS);
	CHECK_STR(name, "s1");
	CHECK(type == STREAM_TYPE_NONE);
	CHECK(parse("Second Stream:$DaTa", &name, &type) ==
	    NT_STATUS_SUCCESS);
	CHECK_STR(name, "Second Stream");
	CHECK(type == STREAM_TYPE_DATA);
	/* "file::$DATA": the unnamed stream, the file itself. */
	CHECK(parse(":$DATA", &name, &type) == NT_STATUS_SUCCESS);
	CHECK(name == NULL && type == STREAM_TYPE_DATA);
	CHECK(parse(":$INDEX_ALLOCATION", &name, &type) ==
	    NT_STATUS_SUCCESS);
	CHECK(name == NULL && type == STREAM_TYPE_INDEX);
	/* A name that only looks like a type is a name. */
	CHECK(parse("$DATA", &name, &type) == NT_STATUS_SUCCESS);
	CHECK_STR(name, "$DATA");

	/* "file:", "file:s:", "file:s:$FOO", "file:s:?D*a", "file::" */
	CHECK(parse("", &name, &type) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(parse("s:", &name, &type) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(parse("s:$FOO", &name, &type) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(parse("s:?D*a", &name, &type) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(parse(":", &name, &type) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(parse("s:$DATA:x", &name, &type) ==
	    NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(parse("s:$DATA:", &name, &type) ==
	    NT_STATUS_OBJECT_NAME_INVALID);
	/* Only a directory's unnamed stream is an index. */
	CHECK(parse("s:$INDEX_ALLOCATION", &name, &type) ==
	    NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(name == NULL);

	/*
	 * Every ASCII character but '/', '\' and ':' may be in a stream
	 * name, control characters and wildcards included.
	 */
	for (c = 1; c < 0x7f; c++) {
		snprintf(buf, sizeof(buf), "Stream%c0x%02X:$DATA", c, c);
		if (c == '/' || c == '\\' || c == ':')
			CHECK(parse(buf, &name, &type) ==
			    NT_STATUS_OBJECT_NAME_INVALID);
		else
			CHECK(parse(buf, &name, &type) == NT_STATUS_SUCCESS &&
			    name != NULL && strlen(name) == 11);
	}
	CHECK(parse("\x05Stream\n One", &name, &type) == NT_STATUS_SUCCESS);
	CHECK_STR(name, "\x05Stream\n One");
	CHECK(parse("?Stream*", &name, &type) == NT_STATUS_SUCCESS);

	/* The whole xattr name must fit in 255 bytes. */
	memset(buf, 'a', STREAM_MAX_NAME);
	buf[STREAM_MAX_NAME] = '\0';
	CHECK(parse(buf, &name, &type) == NT_STATUS_SUCCESS);
	CHECK(strlen("user.DosStream.") + strlen(name) + strlen(":$DATA") ==
	    255);
	buf[STREAM_MAX_NAME] = 'a';
	buf[STREAM_MAX_NAME + 1] = '\0';
	CHECK(parse(buf, &name, &type) == NT_STATUS_OBJECT_NAME_INVALID);
	free(name);
}

static void
test_vfs_names(void)
{
	struct vfs_name n;

	CHECK(vfs_name_parse("dir\\f.txt:s1", &n) == NT_STATUS_SUCCESS);
	CHECK_STR(n.path, "dir/f.txt");
	CHECK_STR(n.stream, "s1");
	CHECK(n.stream_type == STREAM_TYPE_NONE);
	vfs_name_free(&n);
	CHECK(vfs_name_parse("dir\\f.txt::$DATA", &n) == NT_STATUS_SUCCESS);
	CHECK(n.stream == NULL && n.stream_type == STREAM_TYPE_DATA);
	vfs_name_free(&n);
	CHECK(vfs_name_parse("dir::$INDEX_ALLOCATION", &n) ==
	    NT_STATUS_SUCCESS);
	CHECK(n.stream == NULL && n.stream_type == STREAM_TYPE_INDEX);
	vfs_name_free(&n);
	CHECK(vfs_name_parse("f.txt", &n) == NT_STATUS_SUCCESS);
	CHECK(n.stream == NULL && n.stream_type == STREAM_TYPE_NONE);
	vfs_name_free(&n);
	/* A stream on the share root. */
	CHECK(vfs_name_parse(":s", &n) == NT_STATUS_SUCCESS);
	CHECK_STR(n.path, "");
	CHECK_STR(n.stream, "s");
	vfs_name_free(&n);
	/* Wildcards in the file part stay invalid (names: snamew2). */
	CHECK(vfs_name_parse("dir\\stream*:?Stream*:$DATA", &n) ==
	    NT_STATUS_OBJECT_NAME_INVALID);
	/* A '\' after the colon makes "f:s" a directory name. */
	CHECK(vfs_name_parse("f:s\\x", &n) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(vfs_name_parse("f:s/x:$DATA", &n) ==
	    NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(vfs_name_parse("f:s:$FOO", &n) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(vfs_name_parse("f:", &n) == NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(n.path == NULL && n.stream == NULL);
}

static void
test_check_type(void)
{
	/* "dir::$DATA" (smb2.streams.dir) */
	CHECK(smb2_stream_check_type(STREAM_TYPE_DATA, 1, 0) ==
	    NT_STATUS_FILE_IS_A_DIRECTORY);
	CHECK(smb2_stream_check_type(STREAM_TYPE_DATA, 1, 1) ==
	    NT_STATUS_NOT_A_DIRECTORY);
	CHECK(smb2_stream_check_type(STREAM_TYPE_DATA, 0, 0) ==
	    NT_STATUS_SUCCESS);
	CHECK(smb2_stream_check_type(STREAM_TYPE_INDEX, 0, 0) ==
	    NT_STATUS_NOT_A_DIRECTORY);
	CHECK(smb2_stream_check_type(STREAM_TYPE_INDEX, 1, 0) ==
	    NT_STATUS_SUCCESS);
	CHECK(smb2_stream_check_type(STREAM_TYPE_NONE, 1, 0) ==
	    NT_STATUS_SUCCESS);
}

int
main(void)
{
	test_parse();
	test_vfs_names();
	test_check_type();
	return unit_done();
}
