/* SPDX-License-Identifier: GPL-2.0-only */
/* What the benchmark's scenario files share. */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>

#include "peers.h"

extern struct peer peers[PEER_COUNT];
extern int quick;

/* One figure for the CSV file and the plot. */
void csv(const char *scenario, const char *who, size_t size, const char *metric, double value);
const char *human(size_t size);
const char *ratio_text(double r);	/* 0.123, or 1.23e-04 below 0.01 */
void print_ratio(double ours, double theirs);	/* ratio_text(), or - */
double floor_us(size_t size);		/* scenario 4's memset median, or 0 */
void bpbuf_settle(void);		/* bpbuf's zeroer done (debugfs) */
void *touched_buffer(size_t size);	/* malloc'd and written once */
void stream(void *p, size_t size, double *write_gbs, double *read_gbs);

void scenario_reuse(void);		/* 1b, reuse.c */
void scenario_sync(void);		/* 5, sync.c */
void print_sync_target(void);
void scenario_pressure(void);		/* 6, pressure.c */
void print_pressure_target(void);
void scenario_disk(void);		/* 11, disk.c */
void scenario_cpu_modes(void);		/* 12, cpumodes.c */

#endif
