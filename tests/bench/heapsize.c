// SPDX-License-Identifier: GPL-2.0-only
/*
 * 7. Heap size: bpbuf loaded with a 64 MiB heap and with a 2 GiB one. The
 * load's time, split as the driver measured it (debugfs load_carve_us: the
 * carve from CMA; load_zero_us: zeroing it once), and alloc+close latency
 * in each, which should not depend on the heap's size. Leaves bpbuf
 * loaded with the large heap and peers[PEER_BPBUF] open on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "kmod.h"
#include "scale.h"
#include "stats.h"

#define KiB (1024UL)
#define MiB (1024UL * KiB)

static const struct {
	const char *params;
	size_t bytes;
} heaps[] = { { "heap_size=64M", 64 * MiB }, { SCALE_PARAMS, SCALE_HEAP_BYTES } };
#define NHEAPS (sizeof(heaps) / sizeof(heaps[0]))
static const size_t sizes[] = { 4 * KiB, 16 * MiB };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* Median and p99 us of alloc+close of untouched buffers of @size */
static void latency(size_t size, unsigned int reps, double *median, double *p99)
{
	double *t = calloc(reps, sizeof(*t));
	unsigned int n = 0;

	for (unsigned int i = 0; t && i < reps; i++) {
		uint64_t t0 = now_ns();
		int fd = peers[PEER_BPBUF].alloc(&peers[PEER_BPBUF], size);

		if (fd < 0)
			break;
		close(fd);
		t[n++] = (now_ns() - t0) / 1e3;
	}
	*median = quantile(t, n, 0.5);
	*p99 = quantile(t, n, 0.99);
	free(t);
}

int scenario_heap_size(const char *module)
{
	unsigned int loads = quick ? 1 : 3, reps = quick ? 100 : 400;
	double lat[NHEAPS][NSIZES][2];

	printf("\n7. Heap size: load time (where it goes, as bpbuf measured it) and alloc+close\n");
	printf("   %-8s %10s %10s %10s %10s %17s %17s\n", "heap", "load ms", "carve ms",
	       "zero ms", "rest ms", "4 KiB med/p99 us", "16 MiB med/p99 us");
	for (unsigned int h = 0; h < NHEAPS; h++) {
		double load[8], carve[8], zero[8], med_load, med_carve, med_zero;
		const char *params = heaps[h].params;

		for (unsigned int l = 0; l < loads; l++) {
			int ret = bpbuf_load(module, params, &load[l]);

			if (ret) {
				fprintf(stderr, "bpbuf-bench: insmod %s %s: %s\n", module, params,
					strerror(-ret));
				return -1;
			}
			carve[l] = bpbuf_heap_value("load_carve_us") / 1e3;
			zero[l] = bpbuf_heap_value("load_zero_us") / 1e3;
			/* the last load of the last heap stays, for what follows */
			if (l + 1 == loads)
				break;
			if (bpbuf_unload())
				return -1;
		}
		med_load = quantile(load, loads, 0.5);
		med_carve = quantile(carve, loads, 0.5);
		med_zero = quantile(zero, loads, 0.5);
		peers[PEER_BPBUF].dev = open("/dev/bpbuf", O_RDWR | O_CLOEXEC);
		if (peers[PEER_BPBUF].dev < 0) {
			perror("bpbuf-bench: /dev/bpbuf");
			return -1;
		}
		for (unsigned int s = 0; s < NSIZES; s++)
			latency(sizes[s], reps, &lat[h][s][0], &lat[h][s][1]);
		printf("   %-8s %10.1f %10.1f %10.1f %10.1f %8.1f/%8.1f %8.1f/%8.1f\n",
		       human(heaps[h].bytes),
		       med_load, med_carve, med_zero, med_load - med_carve - med_zero,
		       lat[h][0][0], lat[h][0][1], lat[h][1][0], lat[h][1][1]);
		csv("heap_size", "bpbuf", heaps[h].bytes, "load_ms", med_load);
		csv("heap_size", "bpbuf", heaps[h].bytes, "carve_ms", med_carve);
		csv("heap_size", "bpbuf", heaps[h].bytes, "zero_ms", med_zero);
		for (unsigned int s = 0; s < NSIZES; s++) {
			csv(h ? "alloc_big_heap" : "alloc_small_heap", "bpbuf", sizes[s],
			    "median_us", lat[h][s][0]);
			csv(h ? "alloc_big_heap" : "alloc_small_heap", "bpbuf", sizes[s],
			    "p99_us", lat[h][s][1]);
		}
		if (h + 1 < NHEAPS) {
			close(peers[PEER_BPBUF].dev);
			peers[PEER_BPBUF].dev = -1;
			if (bpbuf_unload())
				return -1;
		}
	}
	printf("   %s / 64 MiB, alloc+close median: 4 KiB %s, 16 MiB %s\n", human(SCALE_HEAP_BYTES),
	       ratio_text(lat[1][0][0] / lat[0][0][0]), ratio_text(lat[1][1][0] / lat[0][1][0]));
	return 0;
}
