/*
 * Replays files (or every file in directories) given on the command line
 * through a libFuzzer target, so that each fuzz target's seed corpus runs
 * as a regression test in every build, with or without clang.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
run_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		perror(path);
		return 1;
	}
	if ((buf = malloc(st.st_size + 1)) == NULL) {
		perror("malloc");
		return 1;
	}
	n = read(fd, buf, st.st_size);
	close(fd);
	if (n != st.st_size) {
		fprintf(stderr, "%s: short read\n", path);
		free(buf);
		return 1;
	}
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct dirent *de;
	struct stat st;
	char path[4096];
	int i, ret = 0, count = 0;
	DIR *d;

	/* The empty input always runs: every target must survive it. */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
#ifdef FUZZ_CORPUS
	if (argc == 1) {
		static char *defargv[] = { NULL, FUZZ_CORPUS, NULL };

		defargv[0] = argv[0];
		argv = defargv;
		argc = 2;
	}
#endif
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			ret |= run_file(argv[i]);
			count++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL) {
			perror(argv[i]);
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    de->d_name);
			ret |= run_file(path);
			count++;
		}
		closedir(d);
	}
	printf("%d inputs replayed\n", count);
	return ret;
}
