/* SPDX-License-Identifier: GPL-2.0-only */
/* Timing and order statistics for the benchmark. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

uint64_t now_ns(void);
long minor_faults(void);
/* The q-quantile (0..1) of @n samples; sorts them in place. */
double quantile(double *samples, size_t n, double q);

#endif
