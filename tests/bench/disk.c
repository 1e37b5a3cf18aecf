// SPDX-License-Identifier: GPL-2.0-only
/*
 * 11. Device to disk: a buffer that a device has filled goes to an NVMe
 * disk with O_DIRECT. From a bpbuf page map the disk's DMA reads the
 * buffer itself; every other way needs the CPU to copy it into ordinary
 * memory first (the dma-buf mappings of bpbuf and the kernel's heaps are
 * VM_PFNMAP, which O_DIRECT refuses with EFAULT: shown per allocator).
 * Throughput, and CPU time per GiB: the writing process's own
 * (CLOCK_PROCESS_CPUTIME_ID) and all CPUs' (/proc/stat, in 10 ms ticks, so
 * the interrupt and block-layer work counts too), against the copy path
 * (memcpy into malloc'd memory, then the same write) and the disk's limit
 * (writes of malloc'd memory with no copy at all).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bpbuf.h"
#include "stats.h"
#include "zc_io.h"

#define DISK_CHUNK	(16UL << 20)

/* CPU time spent by all CPUs, in ms, from /proc/stat's first line */
static double cpu_busy_ms(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "re");
	long hz = sysconf(_SC_CLK_TCK);

	if (!f)
		return 0;
	/* user nice system idle iowait irq softirq steal */
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		v[0] = v[1] = v[2] = v[5] = v[6] = 0;
	fclose(f);
	return (v[0] + v[1] + v[2] + v[5] + v[6]) * 1e3 / hz;
}

static double process_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct disk_run {
	double gbs;		/* GB/s */
	double cpu_ms_gib;	/* all CPUs' ms per GiB written */
	double proc_ms_gib;	/* the process's CPU ms per GiB written */
};

/*
 * Write @rounds chunks to @disk from @src, through @bounce (memcpy first)
 * if not NULL: 0, or -errno of the first failed write
 */
static int write_rounds(int disk, char *src, char *bounce, unsigned int rounds,
			struct disk_run *r)
{
	double c0 = cpu_busy_ms(), p0 = process_cpu_ms();
	uint64_t t0 = now_ns();
	unsigned int i;
	int ret;

	for (i = 0; i < rounds; i++) {
		if (bounce)
			memcpy(bounce, src, DISK_CHUNK);
		ret = zc_rw_all(1, disk, bounce ? bounce : src, DISK_CHUNK,
				(off_t)(i % 4) * DISK_CHUNK);
		if (ret)
			return ret;
	}
	r->gbs = (double)rounds * DISK_CHUNK / (now_ns() - t0);
	r->cpu_ms_gib = (cpu_busy_ms() - c0) * (1UL << 30) / ((double)rounds * DISK_CHUNK);
	r->proc_ms_gib = (process_cpu_ms() - p0) * (1UL << 30) / ((double)rounds * DISK_CHUNK);
	return 0;
}

static void print_run(const char *what, const char *who, const struct disk_run *r)
{
	printf("   %-44s %8.3f %10.1f %10.1f\n", what, r->gbs, r->proc_ms_gib, r->cpu_ms_gib);
	csv("disk", who, DISK_CHUNK, "write_gbs", r->gbs);
	csv("disk", who, DISK_CHUNK, "proc_ms_per_gib", r->proc_ms_gib);
	csv("disk", who, DISK_CHUNK, "cpu_ms_per_gib", r->cpu_ms_gib);
}

void scenario_disk(void)
{
	unsigned int rounds = quick ? 8 : 64, k;
	struct disk_run zc = { 0 }, copy = { 0 }, limit = { 0 };
	struct bpbuf_page_map pm = { .flags = BPBUF_PAGE_MAP_CLOEXEC };
	int disk, fd = -1, ret;
	char path[64], *pages = MAP_FAILED, *pfn = MAP_FAILED, *bounce = NULL;

	printf("\n11. Device to disk: %s from a filled buffer to NVMe with O_DIRECT, %u times\n",
	       human(DISK_CHUNK), rounds);
	ret = zc_disk("raw-nvme", path, sizeof(path));
	if (ret) {
		printf("   not measured: %s\n", ret == -ENOENT ? "no disks in this VM" :
		       "the NVMe disk never appeared");
		return;
	}
	disk = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (disk < 0 || posix_memalign((void **)&bounce, 4096, DISK_CHUNK)) {
		printf("   not measured: %s: %s\n", path, strerror(errno));
		return;
	}

	/* whose mappings the disk's DMA can take at all */
	printf("   O_DIRECT write from each allocator's own dma-buf mmap():");
	for (k = 0; k < PEER_COUNT; k++) {
		int pfd = peers[k].dev < 0 ? -1 : peers[k].alloc(&peers[k], DISK_CHUNK);
		char *p;

		if (pfd < 0) {
			printf(" %s -", peers[k].name);
			continue;
		}
		p = mmap(NULL, DISK_CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED, pfd, 0);
		ret = p == MAP_FAILED ? -errno : zc_rw_all(1, disk, p, DISK_CHUNK, 0);
		printf(" %s %s", peers[k].name, ret ? strerror(-ret) : "ok");
		if (p != MAP_FAILED)
			munmap(p, DISK_CHUNK);
		close(pfd);
	}
	printf("\n");

	fd = peers[PEER_BPBUF].alloc(&peers[PEER_BPBUF], DISK_CHUNK);
	pm.fd = (uint32_t)fd;
	if (fd < 0 || ioctl(peers[PEER_BPBUF].dev, BPBUF_IOCTL_PAGE_MAP, &pm)) {
		printf("   not measured: no page map: %s\n", strerror(errno));
		goto out;
	}
	pages = mmap(NULL, DISK_CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED, (int)pm.map_fd, 0);
	pfn = mmap(NULL, DISK_CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close((int)pm.map_fd);
	if (pages == MAP_FAILED || pfn == MAP_FAILED) {
		printf("   not measured: mmap: %s\n", strerror(errno));
		goto out;
	}
	/* the "device's" data, and the disk's own memory touched once */
	zc_fill(pages, DISK_CHUNK, 0xd15c);
	memset(bounce, 1, DISK_CHUNK);

	printf("   %-44s %8s %10s %10s\n", "", "GB/s", "proc ms/GiB", "all ms/GiB");
	/* the first writes to the disk's image cost more: not measured */
	if (write_rounds(disk, bounce, NULL, 4, &limit) ||
	    write_rounds(disk, bounce, NULL, rounds, &limit) ||
	    write_rounds(disk, pages, NULL, rounds, &zc) ||
	    write_rounds(disk, pfn, bounce, rounds, &copy)) {
		printf("   not measured: a write failed: %s\n", strerror(errno));
		goto out;
	}
	print_run("bpbuf page map, no copy", "bpbuf-page-map", &zc);
	print_run("bpbuf mmap, memcpy to malloc, then write", "bpbuf-copy", &copy);
	print_run("malloc'd memory, no copy (the disk's limit)", "malloc-limit", &limit);
	printf("   %-44s %8s %10s %10s\n", "no copy / copy", ratio_text(zc.gbs / copy.gbs),
	       ratio_text(zc.proc_ms_gib / copy.proc_ms_gib),
	       ratio_text(zc.cpu_ms_gib / copy.cpu_ms_gib));
	printf("   %-44s %8s %10s %10s\n", "no copy / the disk's limit", ratio_text(zc.gbs / limit.gbs),
	       ratio_text(zc.proc_ms_gib / limit.proc_ms_gib), "-");
out:
	if (pages != MAP_FAILED)
		munmap(pages, DISK_CHUNK);
	if (pfn != MAP_FAILED)
		munmap(pfn, DISK_CHUNK);
	if (fd >= 0)
		close(fd);
	free(bounce);
	close(disk);
}
