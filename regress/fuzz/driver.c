/*
 * The one program every fuzz target is linked into (regress/fuzz/fuzz.h).
 *
 * Without FUZZ_LIBFUZZER it is regress/fuzz/replay: with no argument it
 * replays every target's seed corpus (FUZZ_CORPUS_DIR/<name>/, which must
 * exist for each target, and no corpus without a target), as a test of
 * every build, with or without clang; "replay NAME FILE|DIR..." replays
 * the given inputs through one target, to reproduce a crash.
 *
 * With FUZZ_LIBFUZZER it is the libFuzzer program regress/fuzz/fuzz, and
 * fuzzes the target named by the environment variable USMBD_FUZZ_TARGET.
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

#include "fuzz.h"

static struct fuzz_target	*fuzz_targets;

void
fuzz_register(struct fuzz_target *t)
{
	t->next = fuzz_targets;
	fuzz_targets = t;
}

static struct fuzz_target *
fuzz_find(const char *name)
{
	struct fuzz_target *t;

	for (t = fuzz_targets; t != NULL; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static void
fuzz_list(FILE *fp)
{
	struct fuzz_target *t;

	for (t = fuzz_targets; t != NULL; t = t->next)
		fprintf(fp, " %s", t->name);
	fprintf(fp, "\n");
}

#ifdef FUZZ_LIBFUZZER

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct fuzz_target	*fuzz_chosen;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *name = getenv("USMBD_FUZZ_TARGET");

	if (name == NULL || (fuzz_chosen = fuzz_find(name)) == NULL) {
		fprintf(stderr, "set USMBD_FUZZ_TARGET to one of:");
		fuzz_list(stderr);
		exit(2);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return fuzz_chosen->fn(data, len);
}

#else /* !FUZZ_LIBFUZZER */

static int
run_file(struct fuzz_target *t, const char *path)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		perror(path);
		if (fd != -1)
			close(fd);
		return 1;
	}
	if ((buf = malloc(st.st_size + 1)) == NULL) {
		perror("malloc");
		close(fd);
		return 1;
	}
	n = read(fd, buf, st.st_size);
	close(fd);
	if (n != st.st_size) {
		fprintf(stderr, "%s: short read\n", path);
		free(buf);
		return 1;
	}
	t->fn(buf, (size_t)n);
	free(buf);
	return 0;
}

/* Replay a file, or every file of a directory; count what ran. */
static int
run_path(struct fuzz_target *t, const char *path, int *count)
{
	struct dirent *de;
	struct stat st;
	char sub[4096];
	int ret = 0;
	DIR *d;

	if (stat(path, &st) == -1) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(t, path);
	}
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		ret |= run_file(t, sub);
		(*count)++;
	}
	closedir(d);
	return ret;
}

/* Every target over its own corpus; a corpus must have a target. */
static int
run_all(void)
{
	struct fuzz_target *t;
	struct dirent *de;
	char path[4096];
	int ret = 0, count;
	DIR *d;

	for (t = fuzz_targets; t != NULL; t = t->next) {
		count = 0;
		/* The empty input always runs: every target must survive it. */
		t->fn((const uint8_t *)"", 0);
		snprintf(path, sizeof(path), "%s/%s", FUZZ_CORPUS_DIR, t->name);
		ret |= run_path(t, path, &count);
		printf("%s: %d inputs replayed\n", t->name, count);
		if (count == 0) {
			printf("%s: no seed inputs\n", t->name);
			ret = 1;
		}
	}
	if ((d = opendir(FUZZ_CORPUS_DIR)) == NULL) {
		perror(FUZZ_CORPUS_DIR);
		return 1;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && fuzz_find(de->d_name) == NULL) {
			printf("corpus %s has no fuzz target\n", de->d_name);
			ret = 1;
		}
	closedir(d);
	return ret;
}

int
main(int argc, char **argv)
{
	struct fuzz_target *t;
	int i, ret = 0, count = 0;

	if (argc == 1)
		return run_all();
	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		fuzz_list(stdout);
		return 0;
	}
	if ((t = fuzz_find(argv[1])) == NULL) {
		fprintf(stderr, "usage: replay [-l | TARGET FILE|DIR...]; "
		    "targets:");
		fuzz_list(stderr);
		return 2;
	}
	t->fn((const uint8_t *)"", 0);
	for (i = 2; i < argc; i++)
		ret |= run_path(t, argv[i], &count);
	printf("%s: %d inputs replayed\n", t->name, count);
	return ret;
}

#endif /* FUZZ_LIBFUZZER */
