// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "stats.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: with 20 samples p99 is the largest, which is what it is. */
double quantile(double *samples, size_t n, double q)
{
	size_t rank;

	if (!n)
		return 0;
	qsort(samples, n, sizeof(*samples), cmp_double);
	rank = (size_t)(q * n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return samples[rank - 1];
}
