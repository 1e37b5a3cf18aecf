// SPDX-License-Identifier: GPL-2.0-only
/*
 * 5. Cache sync with an importer attached: a 4 KiB range (BPBUF_IOCTL_SYNC)
 * against the whole buffer (DMA_BUF_IOCTL_SYNC). vgem imports the buffer,
 * which attaches and maps it for vgem's device, so a sync has work to do.
 */
#include <linux/dma-buf.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"
#include "bpbuf.h"
#include "stats.h"
#include "vgem.h"

#define SYNC_SIZE (64UL << 20)

static double whole_us, range_us;

static double time_whole(int buf)
{
	double t[200];
	unsigned int n = quick ? 50 : 200;

	for (unsigned int i = 0; i < n; i++) {
		struct dma_buf_sync s = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
		uint64_t t0 = now_ns();

		ioctl(buf, DMA_BUF_IOCTL_SYNC, &s);
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		ioctl(buf, DMA_BUF_IOCTL_SYNC, &s);
		t[i] = (now_ns() - t0) / 1e3;
	}
	return quantile(t, n, 0.5);
}

static double time_range(int dev, int buf)
{
	double t[200];
	unsigned int n = quick ? 50 : 200;

	for (unsigned int i = 0; i < n; i++) {
		struct bpbuf_sync s = { .fd = buf, .flags = BPBUF_SYNC_RW, .length = 4096 };
		uint64_t t0 = now_ns();

		ioctl(dev, BPBUF_IOCTL_SYNC, &s);
		s.flags = BPBUF_SYNC_RW | BPBUF_SYNC_END;
		ioctl(dev, BPBUF_IOCTL_SYNC, &s);
		t[i] = (now_ns() - t0) / 1e3;
	}
	return quantile(t, n, 0.5);
}

void scenario_sync(void)
{
	struct drm_prime_handle_min h = { 0 };
	int vgem = open_vgem();
	int buf;

	bpbuf_settle();
	buf = peers[PEER_BPBUF].alloc(&peers[PEER_BPBUF], SYNC_SIZE);

	printf("\n5. Cache sync of a %lu MiB buffer, begin+end, median us\n", SYNC_SIZE >> 20);
	if (buf < 0) {
		printf("   cannot allocate %lu MiB from bpbuf\n", SYNC_SIZE >> 20);
		return;
	}
	h.fd = buf;
	if (vgem < 0 || ioctl(vgem, DRM_FD_TO_HANDLE_IOCTL, &h)) {
		printf("   no importer (vgem) could attach: not measured\n");
		goto out;
	}
	whole_us = time_whole(buf);
	range_us = time_range(peers[PEER_BPBUF].dev, buf);
	printf("   bpbuf, vgem attached: whole buffer %.2f, 4 KiB range %.2f, range is %.1fx cheaper\n",
	       whole_us, range_us, whole_us / range_us);
	csv("sync", "bpbuf", SYNC_SIZE, "whole_us", whole_us);
	csv("sync", "bpbuf", SYNC_SIZE, "range4k_us", range_us);
	ioctl(vgem, DRM_GEM_CLOSE_IOCTL, &(struct drm_gem_close_min){ .handle = h.handle });
out:
	if (vgem >= 0)
		close(vgem);
	close(buf);
}

void print_sync_target(void)
{
	double ratio = range_us > 0 ? whole_us / range_us : 0;

	printf("   %-48s %12s   %-22s %s\n", "4 KiB range sync vs whole, vgem attached (x)",
	       ratio_text(ratio), ">= 100", ratio <= 0 ? "NOT MEASURED" : ratio >= 100 ? "met" : "MISSED");
}
