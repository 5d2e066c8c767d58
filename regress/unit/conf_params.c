/*
 * Prints the canonical name of every smbd.conf parameter, one a line, for
 * regress/conf_doc.sh, which checks that smbd.conf.5 documents each one;
 * with -f, every row of the table as "name<TAB>scope<TAB>member<TAB>
 * refused|supported" for regress/conf_read.sh.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"

int
main(int argc, char **argv)
{
	const char *name, *scope, *field;
	size_t i, n = conf_param_count();
	int refused;

	if (argc == 2 && strcmp(argv[1], "-f") == 0) {
		for (i = 0; conf_row(i, &name, &scope, &field, &refused) == 0;
		    i++)
			printf("%s\t%s\t%s\t%s\n", name, scope,
			    field != NULL ? field : "-",
			    refused ? "refused" : "supported");
		return fflush(stdout) == 0 ? 0 : 1;
	}
	for (i = 0; i < n; i++)
		printf("%s\n", conf_param_name(i));
	return fflush(stdout) == 0 ? 0 : 1;
}
