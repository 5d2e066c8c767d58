/*
 * libFuzzer target: the user database parser, through a temporary file
 * (the database is only ever read from a file).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "userdb.h"

FUZZ_TARGET(userdb, data, len)
{
	static char path[64];
	struct userdb *db;
	FILE *fp;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/usmbd-fuzz-userdb.%ld",
		    (long)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, len, fp);
	fclose(fp);
	if (userdb_load(path, &db) == 0) {
		/* Whatever loads must find its own users. */
		for (size_t i = 0; i < db->nusers; i++)
			if (userdb_find(db, db->users[i].name) == NULL)
				abort();
		userdb_free(db);
	}
	unlink(path);
	return 0;
}
