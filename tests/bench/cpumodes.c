// SPDX-License-Identifier: GPL-2.0-only
/*
 * 12. CPU modes: streaming writes and reads through a buffer mapped cached,
 * write-combined and uncached, against the same loop on malloc'd memory,
 * and what a SYNC (begin + end) of 4 KiB and of the whole 64 MiB costs in
 * each mode: cache maintenance where the CPU caches the buffer and the
 * heap's device does not snoop, a barrier where nothing caches it. Under
 * TCG every memory type runs at one speed (QEMU models no caches), so the
 * ratios there say nothing of real hardware: the page-table checks of
 * tests/kselftest/cpu_mode.c are the proof that the modes are what they
 * say. On a real machine write-combined writes come close to cached ones
 * and uncached reads are an order of magnitude slower.
 */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "bpbuf.h"
#include "bpbuf_test.h"
#include "stats.h"

#define STREAM_SIZE	(16UL << 20)
#define SYNC_SIZE	(64UL << 20)

static const char *const mode_names[] = { "", "cached", "wc", "uncached" };

/* Median of begin+end SYNC over @length bytes of @fd, in us */
static double sync_us(int dev, int fd, uint64_t length)
{
	unsigned int i, n = quick ? 50 : 200;
	double t[200];

	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		bp_sync(dev, fd, BPBUF_SYNC_START | BPBUF_SYNC_RW, 0, length);
		bp_sync(dev, fd, BPBUF_SYNC_END | BPBUF_SYNC_RW, 0, length);
		t[i] = (now_ns() - t0) / 1e3;
	}
	return quantile(t, n, 0.5);
}

void scenario_cpu_modes(void)
{
	int dev = peers[PEER_BPBUF].dev;
	double mw, mr, w, r;
	uint64_t modes = 0;
	uint32_t mode;
	void *m;

	printf("\n12. CPU modes: streaming through the mapping (%s, best GB/s, ratio to malloc'd\n"
	       "    memory) and SYNC begin+end (median us); under TCG the memory types run alike\n",
	       human(STREAM_SIZE));
	if (bp_cap(dev, BPBUF_CAP_CPU_MODES, &modes)) {
		printf("   this driver maps every buffer cached: not measured\n");
		return;
	}
	m = touched_buffer(STREAM_SIZE);
	stream(m, STREAM_SIZE, &mw, &mr);
	free(m);
	printf("   %-10s %8s %8s %10s %10s %12s %12s\n", "mode", "write", "read",
	       "write/mal", "read/mal", "sync 4 KiB", "sync 64 MiB");
	printf("   %-10s %8.2f %8.2f\n", "malloc", mw, mr);
	for (mode = BPBUF_CPU_CACHED; mode <= BPBUF_CPU_UNCACHED; mode++) {
		int fd, big;
		void *p;

		if (!(modes & 1ULL << mode)) {
			printf("   %-10s not on this kernel\n", mode_names[mode]);
			continue;
		}
		bpbuf_settle();
		if (bp_alloc(dev, STREAM_SIZE, 0, mode << BPBUF_ALLOC_CPU_SHIFT, &fd)) {
			printf("   %-10s cannot allocate %s\n", mode_names[mode], human(STREAM_SIZE));
			continue;
		}
		p = mmap(NULL, STREAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			continue;
		}
		stream(p, STREAM_SIZE, &w, &r);
		munmap(p, STREAM_SIZE);
		close(fd);
		if (bp_alloc(dev, SYNC_SIZE, 0, mode << BPBUF_ALLOC_CPU_SHIFT, &big)) {
			printf("   %-10s cannot allocate %s\n", mode_names[mode], human(SYNC_SIZE));
			continue;
		}
		printf("   %-10s %8.2f %8.2f %10.3f %10.3f %12.2f %12.2f\n", mode_names[mode],
		       w, r, w / mw, r / mr, sync_us(dev, big, 4096), sync_us(dev, big, SYNC_SIZE));
		csv("cpu_mode", mode_names[mode], STREAM_SIZE, "write_gbs", w);
		csv("cpu_mode", mode_names[mode], STREAM_SIZE, "read_gbs", r);
		close(big);
	}
}
