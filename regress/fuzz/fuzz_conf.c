/*
 * libFuzzer target for the smbd.conf parser.  Besides not crashing, every
 * input that loads must survive the round trip the master relies on:
 * conf_dump(all = 1), conf_load_text() of that text, conf_dump() again
 * gives the same text.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "conf.h"
#include "log.h"


static void
fuzz_conf_quiet(int level, const char *line)
{
	(void)level;
	(void)line;
}

static char *
fuzz_conf_dump(const struct conf *c, size_t *len)
{
	char *text = NULL;
	FILE *fp;

	if ((fp = open_memstream(&text, len)) == NULL)
		abort();
	if (conf_dump(c, fp, 1) == -1)
		abort();
	fclose(fp);
	return text;
}

FUZZ_TARGET(conf, data, size)
{
	struct conf *c, *c2;
	char *t1, *t2;
	size_t l1, l2;

	log_set_forward(fuzz_conf_quiet);
	if ((c = conf_load_text("fuzz", (const char *)data, size)) == NULL)
		return 0;
	t1 = fuzz_conf_dump(c, &l1);
	if ((c2 = conf_load_text("dump", t1, l1)) == NULL) {
		fprintf(stderr, "dump does not load:\n%s", t1);
		abort();
	}
	t2 = fuzz_conf_dump(c2, &l2);
	if (l1 != l2 || memcmp(t1, t2, l1) != 0) {
		fprintf(stderr, "round trip differs:\n%s---\n%s", t1, t2);
		abort();
	}
	free(t1);
	free(t2);
	conf_free(c);
	conf_free(c2);
	return 0;
}
