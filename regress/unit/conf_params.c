/*
 * Prints the canonical name of every smbd.conf parameter, one a line, for
 * regress/conf_doc.sh, which checks that smbd.conf.5 documents each one.
 */
#include "config.h"

#include <stdio.h>

#include "conf.h"

int
main(void)
{
	size_t i, n = conf_param_count();

	for (i = 0; i < n; i++)
		printf("%s\n", conf_param_name(i));
	return fflush(stdout) == 0 ? 0 : 1;
}
