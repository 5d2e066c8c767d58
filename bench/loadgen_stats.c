/*
 * Latency histograms of usmbd-loadgen: log-linear buckets over
 * nanoseconds, 32 to each power of two, so that a percentile is within
 * about 3% of the true value while adding a sample costs a shift and an
 * increment (no sorting, no allocation, mergeable across threads).
 */
#include "config.h"

#include <string.h>

#include "loadgen.h"

#define SUB		(1U << LG_HIST_SUB)

static unsigned int
hist_bucket(uint64_t v)
{
	unsigned int e;

	if (v < SUB)
		return (unsigned int)v;
	e = 63 - (unsigned int)__builtin_clzll(v);	/* >= LG_HIST_SUB */
	if (e - LG_HIST_SUB + 1 >= LG_HIST_N / SUB)
		return LG_HIST_N - 1;
	return (e - LG_HIST_SUB + 1) * SUB +
	    (unsigned int)((v >> (e - LG_HIST_SUB)) - SUB);
}

/* The middle of a bucket's range. */
static uint64_t
hist_value(unsigned int i)
{
	unsigned int e;
	uint64_t lo;

	if (i < SUB)
		return i;
	e = i / SUB - 1 + LG_HIST_SUB;
	lo = (uint64_t)(SUB + i % SUB) << (e - LG_HIST_SUB);
	return lo + ((1ULL << (e - LG_HIST_SUB)) >> 1);
}

void
lg_hist_add(struct lg_hist *h, uint64_t v)
{
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	h->b[hist_bucket(v)]++;
}

void
lg_hist_merge(struct lg_hist *to, const struct lg_hist *from)
{
	unsigned int i;

	if (from->n == 0)
		return;
	to->n += from->n;
	to->sum += from->sum;
	if (from->max > to->max)
		to->max = from->max;
	for (i = 0; i < LG_HIST_N; i++)
		to->b[i] += from->b[i];
}

/* The value below which a fraction p of the samples lie, in ns. */
uint64_t
lg_hist_pct(const struct lg_hist *h, double p)
{
	uint64_t want, seen = 0;
	unsigned int i;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(p * (double)h->n + 0.5);
	if (want == 0)
		want = 1;
	for (i = 0; i < LG_HIST_N; i++) {
		seen += h->b[i];
		if (seen >= want)
			return hist_value(i) < h->max ? hist_value(i) : h->max;
	}
	return h->max;
}

void
lg_stats_merge(struct lg_stats *to, const struct lg_stats *from)
{
	int i;

	lg_hist_merge(&to->op, &from->op);
	for (i = 0; i < LG_NCMD; i++)
		lg_hist_merge(&to->cmd[i], &from->cmd[i]);
	to->ops += from->ops;
	to->errors += from->errors;
	to->reqs += from->reqs;
	if (from->t_last > to->t_last)
		to->t_last = from->t_last;
	if (from->last_status != 0) {
		to->last_status = from->last_status;
		to->last_cmd = from->last_cmd;
	}
}
