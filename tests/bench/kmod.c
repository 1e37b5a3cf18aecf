// SPDX-License-Identifier: GPL-2.0-only
/* bpbuf's module, debugfs figures and aligned mappings, for the scale part. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpbuf.h>

#include "bpbuf_test.h"
#include "kmod.h"
#include "stats.h"

int bpbuf_load(const char *module, const char *params, double *ms)
{
	uint64_t t0;
	int fd = open(module, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	t0 = now_ns();
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	*ms = (now_ns() - t0) / 1e6;
	close(fd);
	return ret;
}

int bpbuf_unload(void)
{
	/* closed buffers go when their last reference does: 10 s at most */
	return bp_unload(1000);
}

long long bpbuf_heap_value(const char *key)
{
	return bp_file_value("/sys/kernel/debug/bpbuf/heap", key);
}

long page_tables_kib(void)
{
	return (long)bp_file_value("/proc/meminfo", "PageTables");
}

char *map_aligned(int fd, size_t len, size_t align, size_t skew)
{
	return bp_map_at(fd, len, 0, align, skew);
}

size_t bpbuf_map_align(int dev, size_t size)
{
	struct bpbuf_get_cap cap = { .capability = BPBUF_CAP_MAP_SIZES };
	size_t best = 4096;

	if (dev < 0 || ioctl(dev, BPBUF_IOCTL_GET_CAP, &cap))
		return best;
	for (uint64_t s = cap.value; s; s &= s - 1) {
		uint64_t one = s & -s;

		if (one <= size)
			best = one;
	}
	return best;
}
