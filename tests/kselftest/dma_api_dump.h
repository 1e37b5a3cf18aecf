/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An importer's DMA mappings as the DMA-API debug table
 * (/sys/kernel/debug/dma-api/dump, CONFIG_DMA_API_DEBUG) lists them: for
 * the tests that check what an importer was really handed. The device is
 * either of the first two words and the fields are read by name, for their
 * order and set moved between kernels:
 *   6.1:  "vgem platform sg idx 0 P=1234000 N=1234 D=1234000 L=10000 ..."
 *   6.12: "platform vgem sg idx 0 P=0x0000000001234000 D=1234000 L=10000 cln=..."
 * (device name and driver, then driver and device name).
 */
#ifndef BPBUF_DMA_API_DUMP_H
#define BPBUF_DMA_API_DUMP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpbuf_test.h"

#define DMA_API_DUMP	"/sys/kernel/debug/dma-api/dump"

/* One mapping: physical address, bus address, length */
struct seg {
	unsigned long long p, d, l;
};

static inline int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->d < y->d ? -1 : x->d > y->d;
}

/* The hex number after " NAME=" in line (0x or not), or -1 without one */
static inline int dump_field(const char *line, const char *name,
			     unsigned long long *value)
{
	char key[8], *end;
	const char *at;

	snprintf(key, sizeof(key), " %s=", name);
	at = strstr(line, key);
	if (!at)
		return -1;
	at += strlen(key);
	*value = strtoull(at, &end, 16);
	return end == at ? -1 : 0;
}

/* Whether the line is a mapping of the device named dev */
static inline int dump_is_device(const char *line, const char *dev)
{
	char first[64], second[64];

	return sscanf(line, "%63s %63s", first, second) == 2 &&
	       (!strcmp(first, dev) || !strcmp(second, dev));
}

/*
 * The mappings of the device named dev (vgem, the test importer) that
 * overlap [addr, addr + size) in bus addresses, sorted: their number, -1
 * without the table, -2 with more than max.
 */
static inline int device_segments(const char *dev, uint64_t addr, uint64_t size,
				  struct seg *segs, int max)
{
	char *text = read_text(DMA_API_DUMP), *line, *save;
	int n = 0;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct seg s;

		if (!dump_is_device(line, dev) || dump_field(line, "P", &s.p) ||
		    dump_field(line, "D", &s.d) || dump_field(line, "L", &s.l))
			continue;
		if (s.d + s.l <= addr || s.d >= addr + size)
			continue;
		if (n == max) {
			n = -2;
			break;
		}
		segs[n++] = s;
	}
	free(text);
	if (n > 0)
		qsort(segs, n, sizeof(segs[0]), seg_cmp);
	return n;
}

#endif /* BPBUF_DMA_API_DUMP_H */
