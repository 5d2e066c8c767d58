/*
 * A minimal unit test harness: CHECK() records a failure and goes on, so
 * one run reports every broken expectation.  main() returns unit_done().
 */
#ifndef USMBD_UNIT_H
#define USMBD_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_checks, unit_failures;

#define CHECK(cond) do {						\
	unit_checks++;							\
	if (!(cond)) {							\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
		    __FILE__, __LINE__, #cond);				\
	}								\
} while (0)

#define CHECK_MEM(a, b, n) do {						\
	unit_checks++;							\
	if (memcmp((a), (b), (n)) != 0) {				\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: CHECK_MEM(%s, %s) failed\n",	\
		    __FILE__, __LINE__, #a, #b);			\
		unit_hexdump("got", (const void *)(a), (n));		\
		unit_hexdump("want", (const void *)(b), (n));		\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *unit_a = (a), *unit_b = (b);			\
	unit_checks++;							\
	if (unit_a == NULL || unit_b == NULL ||				\
	    strcmp(unit_a, unit_b) != 0) {				\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: CHECK_STR: \"%s\" != \"%s\"\n",	\
		    __FILE__, __LINE__, unit_a ? unit_a : "(null)",	\
		    unit_b ? unit_b : "(null)");			\
	}								\
} while (0)

static inline void
unit_hexdump(const char *label, const unsigned char *p, size_t n)
{
	size_t i;

	fprintf(stderr, "  %s:", label);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n    ", p[i]);
	fprintf(stderr, "\n");
}

/* Decode a hex string (spaces allowed) into out; returns the byte count. */
static inline size_t
unit_unhex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *hex != '\0'; hex++) {
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else
			continue;
		if (hi == -1)
			hi = v;
		else {
			if (n == max) {
				fprintf(stderr, "unit_unhex: overflow\n");
				exit(2);
			}
			out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

static inline int
unit_done(void)
{
	printf("%d checks, %d failed\n", unit_checks, unit_failures);
	return unit_failures == 0 ? 0 : 1;
}

#endif /* USMBD_UNIT_H */
