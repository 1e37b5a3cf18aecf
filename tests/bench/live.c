// SPDX-License-Identifier: GPL-2.0-only
/*
 * 9. alloc+close latency with 1, 100, 1,000 and 10,000 live buffers of 4
 * to 64 KiB in the heap, fragmented: twice as many are allocated and every
 * other one is closed, so the heap has a hole beside each live buffer.
 * Sizes 4 KiB (which fits in any hole) and 1 MiB (which fits in none).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"
#include "kmod.h"
#include "scale.h"
#include "stats.h"

#define KiB (1024UL)
#define MiB (1024UL * KiB)

static const unsigned int counts[] = { 1, 100, 1000, 10000 };
#define NCOUNTS (sizeof(counts) / sizeof(counts[0]))
static const size_t sizes[] = { 4 * KiB, 1 * MiB };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static double median[NCOUNTS][NSIZES];

/* Fills fds[0, 2n) and closes the odd ones; 0, or -1 if the heap ran out */
static int fragment(int *fds, unsigned int n)
{
	struct peer *p = &peers[PEER_BPBUF];

	for (unsigned int i = 0; i < 2 * n; i++) {
		/* 4 KiB to 64 KiB, mixed so that no two holes in a row match */
		fds[i] = p->alloc(p, 4 * KiB * (1 + (i * 7) % 16));
		if (fds[i] < 0) {
			while (i--)
				close(fds[i]);
			return -1;
		}
	}
	for (unsigned int i = 1; i < 2 * n; i += 2)
		close(fds[i]);
	return 0;
}

void scenario_live_buffers(void)
{
	unsigned int reps = quick ? 200 : 1000, max = counts[NCOUNTS - 1];
	struct rlimit rl = { 2 * max + 256, 2 * max + 256 };
	int *fds = calloc(2 * max, sizeof(*fds));
	double *t = calloc(reps, sizeof(*t));

	printf("\n9. alloc+close with live buffers of 4-64 KiB in the heap, every other one freed:\n");
	printf("   median / p99 us (ratio of the median to the one with 1 live buffer)\n");
	printf("   %-8s %10s", "live", "extents");
	for (unsigned int s = 0; s < NSIZES; s++)
		printf(" %19s %8s", human(sizes[s]), "x1");
	printf("\n");
	if (!fds || !t || setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("bpbuf-bench: live buffers");
		free(fds);
		free(t);
		return;
	}
	for (unsigned int c = 0; c < NCOUNTS; c++) {
		unsigned int n = counts[c];

		bpbuf_settle();
		if (fragment(fds, n)) {
			printf("   %-8u the heap has no room for them\n", n);
			continue;
		}
		printf("   %-8u %10lld", n, bpbuf_heap_value("free_extents"));
		for (unsigned int s = 0; s < NSIZES; s++) {
			unsigned int ok = 0;
			char metric[32];
			double p99;

			for (unsigned int i = 0; i < reps; i++) {
				uint64_t t0 = now_ns();
				int fd = peers[PEER_BPBUF].alloc(&peers[PEER_BPBUF], sizes[s]);

				if (fd < 0)
					break;
				close(fd);
				t[ok++] = (now_ns() - t0) / 1e3;
			}
			median[c][s] = quantile(t, ok, 0.5);
			p99 = quantile(t, ok, 0.99);
			printf(" %9.1f/%9.1f %8s", median[c][s], p99,
			       ratio_text(median[c][s] / median[0][s]));
			snprintf(metric, sizeof(metric), "median_us_live%u", n);
			csv("live_buffers", "bpbuf", sizes[s], metric, median[c][s]);
			snprintf(metric, sizeof(metric), "p99_us_live%u", n);
			csv("live_buffers", "bpbuf", sizes[s], metric, p99);
		}
		printf("\n");
		for (unsigned int i = 0; i < 2 * n; i += 2)
			close(fds[i]);
	}
	free(fds);
	free(t);
}

void print_live_targets(void)
{
	for (unsigned int s = 0; s < NSIZES; s++) {
		double r = median[0][s] > 0 ? median[NCOUNTS - 1][s] / median[0][s] : 0;
		char what[64];

		snprintf(what, sizeof(what), "alloc+close %s, 10,000 live / 1 live", human(sizes[s]));
		printf("   %-48s %12s   %-22s %s\n", what, ratio_text(r), "<= 1.5",
		       r <= 0 ? "NOT MEASURED" : r <= 1.5 ? "met" : "MISSED");
	}
}
