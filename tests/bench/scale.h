/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The scale part of the benchmark (bpbuf-bench --scale MODULE): how the
 * figures hold with big heaps, big buffers, many buffers and two
 * processes. It loads bpbuf itself, so it runs in a VM of its own
 * (scripts/bench.sh), with more memory and CMA than the main part.
 */
#ifndef BENCH_SCALE_H
#define BENCH_SCALE_H

/*
 * The module's parameters for scenarios 8 to 10: a 2 GiB heap, and PUD
 * entries, which are opt-in (bpbuf(4), pud_mappings)
 */
#define SCALE_HEAP	"2G"
#define SCALE_PARAMS	"heap_size=" SCALE_HEAP " pud_mappings=1"
#define SCALE_HEAP_BYTES (2048UL << 20)

int scale_main(const char *module);

/* The scenarios, each in its own file; 0 when it ran */
int scenario_heap_size(const char *module);	/* 7, heapsize.c */
int scenario_big_map(const char *module);	/* 8, bigmap.c */
void scenario_live_buffers(void);		/* 9, live.c */
void scenario_two_processes(void);		/* 10, concurrent.c */
void print_big_map_targets(void);
void print_live_targets(void);
void print_two_process_targets(void);

#endif
