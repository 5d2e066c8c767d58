/*
 * libFuzzer target for stream names: the input is a CREATE name in
 * UTF-16LE, converted as smb2_cmd_create converts it and parsed by
 * vfs_name_parse, whose stream part goes through smb2_stream_name_parse;
 * the stream part after the first ':' is also parsed on its own.  What
 * is accepted must be storable as a Samba stream xattr name.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "buf.h"
#include "ntstatus.h"
#include "smb2_stream.h"
#include "unicode.h"
#include "vfs.h"


static void
check_stream(const char *name, int type)
{
	if (type < STREAM_TYPE_NONE || type > STREAM_TYPE_INDEX)
		abort();
	if (name == NULL)
		return;
	if (type == STREAM_TYPE_INDEX || *name == '\0' ||
	    strlen(name) > STREAM_MAX_NAME || strpbrk(name, ":/\\") != NULL)
		abort();
}

FUZZ_TARGET(stream_name, data, size)
{
	struct vfs_name vn;
	struct rbuf r;
	char *utf8, *colon, *sname;
	size_t len;
	int type;

	if (size % 2 != 0 || size > 2 * 4096)
		return 0;
	rbuf_init(&r, data, size);
	if (utf16le_to_utf8(&r, size, &utf8, &len) == -1)
		return 0;
	if (vfs_name_parse(utf8, &vn) == NT_STATUS_SUCCESS) {
		if (vn.path == NULL)
			abort();
		check_stream(vn.stream, vn.stream_type);
		(void)smb2_stream_check_type(vn.stream_type, 1, 0);
		vfs_name_free(&vn);
	} else if (vn.path != NULL || vn.stream != NULL)
		abort();
	if ((colon = strchr(utf8, ':')) != NULL) {
		sname = NULL;
		if (smb2_stream_name_parse(colon + 1, &sname, &type) ==
		    NT_STATUS_SUCCESS)
			check_stream(sname, type);
		else if (sname != NULL)
			abort();
		free(sname);
	}
	free(utf8);
	return 0;
}
