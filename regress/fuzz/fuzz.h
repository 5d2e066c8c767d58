/*
 * A fuzz target: FUZZ_TARGET(name, data, len) { ... } defines the function
 * that takes one input and enters it, by name, in the list that
 * regress/fuzz/driver.c looks targets up in.  Every target is linked into
 * one program twice over: regress/fuzz/replay, which replays each
 * target's seed corpus regress/fuzz/corpus/<name>/ in every build, and,
 * with --enable-fuzzing, the libFuzzer program regress/fuzz/fuzz, which
 * fuzzes the target USMBD_FUZZ_TARGET names.
 */
#ifndef USMBD_FUZZ_H
#define USMBD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_target {
	const char		*name;
	int			(*fn)(const uint8_t *, size_t);
	struct fuzz_target	*next;
};

void	fuzz_register(struct fuzz_target *);

/*
 * A constructor enters the target: no linker section to walk, which a
 * sanitizer's padding of globals could break.
 */
#define FUZZ_TARGET(name, data, len)					\
	static int fuzz_##name(const uint8_t *, size_t);		\
	static struct fuzz_target fuzz_target_##name = {		\
		#name, fuzz_##name, NULL				\
	};								\
	static void __attribute__((constructor))			\
	fuzz_register_##name(void)					\
	{								\
		fuzz_register(&fuzz_target_##name);			\
	}								\
	static int							\
	fuzz_##name(const uint8_t *data, size_t len)

#endif /* USMBD_FUZZ_H */
