/*
 * Stream names (MS-FSCC 2.1.5.3; MS-FSA 2.1.5.1 for the types a CREATE
 * accepts).  Kept apart from smb2_stream.c so that vfs.c, its unit test
 * and the fuzz target link without the rest of the session worker.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ntstatus.h"
#include "stream_name.h"
#include "util.h"

/* CreateOptions FILE_DIRECTORY_FILE (MS-SMB2 2.2.13). */
#define STREAM_FILE_DIRECTORY_FILE	0x00000001

/*
 * A stream name may hold any character but NUL, the separators '\' and
 * '/', and ':' which ends it: unlike a file name it may hold control
 * characters and the wildcards * ? < > " | (Windows accepts them, and
 * smbtorture's smb2.streams.names2 checks every one).
 */
static int
stream_char_ok(unsigned char c)
{
	return c != '\0' && c != '\\' && c != '/' && c != ':';
}

uint32_t
smb2_stream_name_parse(const char *spec, char **name, int *type)
{
	const char *colon, *t;
	size_t nlen, i;

	*name = NULL;
	*type = STREAM_TYPE_NONE;
	colon = strchr(spec, ':');
	nlen = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (colon != NULL) {
		t = colon + 1;
		if (strcasecmp(t, "$DATA") == 0)
			*type = STREAM_TYPE_DATA;
		else if (strcasecmp(t, "$INDEX_ALLOCATION") == 0)
			*type = STREAM_TYPE_INDEX;
		else
			/* "s:", "s:$FOO", "s:$DATA:x" */
			return NT_STATUS_OBJECT_NAME_INVALID;
		/* Only a directory has an index, and only the unnamed one. */
		if (*type == STREAM_TYPE_INDEX && nlen != 0)
			return NT_STATUS_OBJECT_NAME_INVALID;
	} else if (nlen == 0)
		/* "file:" names no stream at all. */
		return NT_STATUS_OBJECT_NAME_INVALID;
	if (nlen > STREAM_MAX_NAME)
		return NT_STATUS_OBJECT_NAME_INVALID;
	for (i = 0; i < nlen; i++)
		if (!stream_char_ok((unsigned char)spec[i]))
			return NT_STATUS_OBJECT_NAME_INVALID;
	if (nlen > 0)
		*name = xstrndup(spec, nlen);
	return NT_STATUS_SUCCESS;
}

uint32_t
smb2_stream_check_type(int type, int isdir, uint32_t opts)
{
	if (type == STREAM_TYPE_DATA && isdir)
		return (opts & STREAM_FILE_DIRECTORY_FILE) ?
		    NT_STATUS_NOT_A_DIRECTORY : NT_STATUS_FILE_IS_A_DIRECTORY;
	if (type == STREAM_TYPE_INDEX && !isdir)
		return NT_STATUS_NOT_A_DIRECTORY;
	return NT_STATUS_SUCCESS;
}
