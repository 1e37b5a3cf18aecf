// SPDX-License-Identifier: GPL-2.0-only
/*
 * 1b. alloc+close of memory that earlier buffers wrote. Scenario 1 frees
 * every buffer untouched, which bpbuf gets back clean; real buffers are
 * written. Here each buffer is mapped and written (one byte per 4 KiB)
 * before it is closed, and only the allocation and the close are timed:
 * back to back, where bpbuf's zeroer has the time of that write to keep
 * up, and with the zeroer idle before each allocation (a program that
 * allocates now and then).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "stats.h"

#define MiB (1024UL * 1024)

static const size_t reuse_sizes[] = { 1 * MiB, 16 * MiB, 64 * MiB };
#define NREUSE (sizeof(reuse_sizes) / sizeof(reuse_sizes[0]))

/*
 * Median us of alloc+close over reps buffers, each written before close;
 * the medians of alloc and of close alone go to the CSV file as who's.
 */
static double reuse_median(struct peer *p, const char *who, size_t size,
			   unsigned int reps, int settle_first)
{
	double *t = calloc(3 * (size_t)reps, sizeof(*t)), median = 0;
	double *t_alloc = t + reps, *t_close = t + 2 * reps;
	unsigned int i, ok = 0;

	for (i = 0; t && i < reps; i++) {
		uint64_t t0, alloc_ns;
		char *m;
		int fd;

		if (settle_first)
			bpbuf_settle();
		t0 = now_ns();
		fd = p->alloc(p, size);
		alloc_ns = now_ns() - t0;
		if (fd < 0)
			break;
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED) {
			for (size_t off = 0; off < size; off += 4096)
				m[off] = 1;
			munmap(m, size);
		}
		t0 = now_ns();
		close(fd);
		t_alloc[ok] = alloc_ns / 1e3;
		t_close[ok] = (now_ns() - t0) / 1e3;
		t[ok] = t_alloc[ok] + t_close[ok];
		ok++;
	}
	if (ok) {
		median = quantile(t, ok, 0.5);
		csv("reuse", who, size, "median_us", median);
		csv("reuse", who, size, "alloc_median_us", quantile(t_alloc, ok, 0.5));
		csv("reuse", who, size, "close_median_us", quantile(t_close, ok, 0.5));
	}
	free(t);
	bpbuf_settle();
	return median;
}

static void print_us(double us)
{
	if (us > 0)
		printf(" %14.1f", us);
	else
		printf(" %14s", "-");
}

void scenario_reuse(void)
{
	struct peer *bp = &peers[PEER_BPBUF], *cma = &peers[PEER_CMA_HEAP];
	unsigned int s;

	printf("\n1b. alloc+close of memory earlier buffers wrote (each buffer written before close;\n"
	       "    alloc and close timed), median us (ratio: to the CMA heap, to the memset floor)\n");
	printf("   %-8s %14s %14s %14s %10s %10s %10s %10s\n", "size", "bpbuf b2b", "bpbuf idle",
	       "cma-heap", "b2b/cma", "idle/cma", "b2b/flr", "idle/flr");
	for (s = 0; s < NREUSE; s++) {
		size_t size = reuse_sizes[s];
		unsigned int reps = (quick ? 64 : 256) * MiB / size;
		double b2b, idle, heap = 0;

		if (reps > (quick ? 16U : 64U))
			reps = quick ? 16 : 64;
		if (reps < 5)
			reps = 5;
		bpbuf_settle();
		b2b = reuse_median(bp, "bpbuf-b2b", size, reps, 0);
		idle = reuse_median(bp, "bpbuf-idle", size, reps, 1);
		if (cma->dev >= 0)
			heap = reuse_median(cma, cma->name, size, reps, 0);
		printf("   %-8s", human(size));
		print_us(b2b);
		print_us(idle);
		print_us(heap);
		print_ratio(b2b, heap);
		print_ratio(idle, heap);
		print_ratio(b2b, floor_us(size));
		print_ratio(idle, floor_us(size));
		printf("\n");
	}
}
