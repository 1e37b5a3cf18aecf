// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf info [--json]: the heaps' figures from the device (and their bus
 * ranges from debugfs, for root), and the live buffers from the driver's
 * debugfs list when it can be read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libbpbuf.h>

#include "bpbuf-tool.h"
#include "cmd-common.h"
#include "size.h"
#include "tools-common.h"

static const char info_usage[] =
	"Usage: bpbuf info [--json]\n"
	"\n"
	"Show the default heap (size, free bytes, largest free extent, DMA mask\n"
	"width), every heap (name, source, state, reach, bus range), and the\n"
	"live buffers. Bus ranges and the buffer list come from debugfs and need\n"
	"root; without it only the heaps' figures are shown.\n"
	"\n"
	"  -j, --json   print one JSON object\n"
	"  -h, --help   show this help\n";

/*
 * One line of <debugfs>/bpbuf/buffers: columns named by the header line
 * (size, bus_addr, pid, comm, attachments, mapped, mmaps, vmaps, name), so
 * a column the driver adds or moves does not break the tool; lines that
 * start with a tab describe the previous buffer's importers.
 */
#define MAX_COLUMNS	16

struct live_buffer {
	char *line;
	char *field[MAX_COLUMNS];
	char **importers;
	int nimporters;
};

struct live_list {
	char *header;
	char *column[MAX_COLUMNS];
	int ncolumns;
	struct live_buffer *buffers;
	int nbuffers;
	char path[300];
	char error[400];	/* why there is no list */
};

static int split_tabs(char *line, char **fields, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		char *tab;

		fields[n++] = line;
		/* the last column takes the rest, tabs and all */
		if (n == max)
			break;
		tab = strchr(line, '\t');
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

static const char *live_field(const struct live_list *l,
			      const struct live_buffer *b, const char *name)
{
	int i;

	for (i = 0; i < l->ncolumns; i++)
		if (!strcmp(l->column[i], name))
			return b->field[i] ? b->field[i] : "";
	return NULL;
}

static bool debugfs_dir(char *dir, size_t len)
{
	char line[512], mnt[256], type[64];
	bool found = false;
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %255s %63s", mnt, type) == 2 &&
		    !strcmp(type, "debugfs")) {
			snprintf(dir, len, "%s", mnt);
			found = true;
		}
	fclose(f);
	return found;
}

static void read_live_buffers(struct live_list *l)
{
	char dir[256], *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (!debugfs_dir(dir, sizeof(dir))) {
		snprintf(l->error, sizeof(l->error),
			 "debugfs is not mounted (mount -t debugfs none /sys/kernel/debug)");
		return;
	}
	snprintf(l->path, sizeof(l->path), "%s/bpbuf/buffers", dir);
	f = fopen(l->path, "re");
	if (!f) {
		snprintf(l->error, sizeof(l->error), "cannot read %s: %s%s",
			 l->path, strerror(errno),
			 errno == EACCES ? " (root only)" : "");
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		if (!l->header) {
			l->header = line;
			l->ncolumns = split_tabs(line, l->column, MAX_COLUMNS);
		} else if (line[0] == '\t' && l->nbuffers) {
			struct live_buffer *b = &l->buffers[l->nbuffers - 1];
			char **imp = realloc(b->importers,
					     (size_t)(b->nimporters + 1) * sizeof(*imp));

			if (!imp)
				die_errno(ENOMEM, "cannot read %s", l->path);
			line[strcspn(line, "\n")] = '\0';
			imp[b->nimporters++] = line + 1;
			b->importers = imp;
		} else {
			struct live_buffer *bs = realloc(l->buffers,
							 (size_t)(l->nbuffers + 1) * sizeof(*bs));

			if (!bs)
				die_errno(ENOMEM, "cannot read %s", l->path);
			l->buffers = bs;
			memset(&bs[l->nbuffers], 0, sizeof(*bs));
			bs[l->nbuffers].line = line;
			split_tabs(line, bs[l->nbuffers].field,
				   l->ncolumns ? l->ncolumns : 1);
			l->nbuffers++;
		}
		line = NULL;
		cap = 0;
	}
	free(line);
	if (ferror(f))
		snprintf(l->error, sizeof(l->error), "cannot read %s: %s",
			 l->path, strerror(errno));
	fclose(f);
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* One heap: its figures, and its bus range when debugfs says it */
struct heap_entry {
	struct bpbuf_heap_info info;
	char bus_range[48];	/* "0x...-0x...", or "" when not readable */
};

/* Every heap, in id order; the default heap is the first */
struct heap_list {
	struct heap_entry *heap;
	unsigned int n;
};

static const char *source_name(uint32_t source)
{
	switch (source) {
	case BPBUF_HEAP_SOURCE_CMA:
		return "cma";
	case BPBUF_HEAP_SOURCE_MOVABLE:
		return "movable";
	case BPBUF_HEAP_SOURCE_REGION:
		return "region";
	case BPBUF_HEAP_SOURCE_RESERVED:
		return "reserved";
	}
	return "?";
}

/* Heap @name's bus range, from debugfs at @dir (root only), or "" */
static void heap_bus_range(const char *dir, const char *name, uint64_t size,
			   char *out, size_t len)
{
	char path[400], line[128];
	unsigned long long addr;
	FILE *f;

	out[0] = '\0';
	if (!*dir)
		return;
	snprintf(path, sizeof(path), "%s/bpbuf/heaps/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "bus_addr: %llx", &addr) == 1 && size)
			snprintf(out, len, "0x%llx-0x%llx", addr,
				 addr + size - 1);
	fclose(f);
}

static void read_heaps(struct bpbuf_dev *dev, struct heap_list *hl)
{
	struct bpbuf_heap_info hi;
	char dir[256] = "";
	uint32_t id = 0;
	int ret;

	memset(hl, 0, sizeof(*hl));
	if (!debugfs_dir(dir, sizeof(dir)))
		dir[0] = '\0';
	do {
		ret = bpbuf_dev_heap_info_id(dev, id, &hi, sizeof(hi));
		if (ret)
			die_errno(ret, "cannot read heap %u's figures", id);
		hl->heap = realloc(hl->heap, (id + 1) * sizeof(*hl->heap));
		if (!hl->heap)
			die_errno(ENOMEM, "cannot read the heaps");
		hl->heap[id].info = hi;
		heap_bus_range(dir, hi.name, hi.heap_size, hl->heap[id].bus_range,
			       sizeof(hl->heap[id].bus_range));
		hl->n = ++id;
	} while (id < hi.nr_heaps);
}

static void heaps_json(const struct heap_list *hl)
{
	unsigned int i;

	printf("\"heaps\":[");
	for (i = 0; i < hl->n; i++) {
		const struct bpbuf_heap_info *h = &hl->heap[i].info;
		const char *range = hl->heap[i].bus_range;

		printf("%s{\"id\":%u,\"name\":", i ? "," : "", h->heap_id);
		json_string(h->name);
		printf(",\"source\":\"%s\",\"size\":%" PRIu64 ",\"free\":%" PRIu64
		       ",\"largest_free\":%" PRIu64 ",\"free_extents\":%u"
		       ",\"live_buffers\":%u,\"dma_bits\":%u,\"page_maps\":%s"
		       ",\"fixed\":%s",
		       source_name(h->source), (uint64_t)h->heap_size,
		       (uint64_t)h->free_bytes, (uint64_t)h->largest_free,
		       h->free_extents, h->live_buffers, h->dma_bits,
		       h->flags & BPBUF_HEAP_PAGE_MAP ? "true" : "false",
		       h->flags & BPBUF_HEAP_FIXED ? "true" : "false");
		printf(",\"cpu_mode\":\"%s\",\"cpu_modes\":[", cpu_mode_name(h->cpu_mode));
		for (uint32_t m = BPBUF_CPU_CACHED, n = 0; m <= BPBUF_CPU_UNCACHED; m++)
			if ((h->cpu_modes ? h->cpu_modes : 1U << BPBUF_CPU_CACHED) & 1U << m)
				printf("%s\"%s\"", n++ ? "," : "", cpu_mode_name(m));
		printf("],\"bus_range\":");
		if (*range)
			json_string(range);
		else
			printf("null");
		printf("}");
	}
	printf("],");
}

static void heaps_text(const struct heap_list *hl)
{
	char sz[SIZE_STR_LEN], fr[SIZE_STR_LEN], lf[SIZE_STR_LEN];
	unsigned int i;

	printf("heaps:\n");
	printf("  %-3s %-16s %-8s %10s %10s %10s %7s %4s %-9s %-5s %-21s %s\n", "ID",
	       "NAME", "SOURCE", "SIZE", "FREE", "LARGEST", "BUFFERS", "DMA",
	       "PAGE MAPS", "FIXED", "CPU MODES (DEFAULT)", "BUS RANGE");
	for (i = 0; i < hl->n; i++) {
		const struct bpbuf_heap_info *h = &hl->heap[i].info;
		const char *range = hl->heap[i].bus_range;
		char modes[32], cpu[48];

		/* a driver before CPU modes (0.7) maps everything cached */
		cpu_modes_str(h->cpu_modes ? h->cpu_modes : 1U << BPBUF_CPU_CACHED,
			      modes, sizeof(modes));
		snprintf(cpu, sizeof(cpu), "%s (%s)", modes, cpu_mode_name(h->cpu_mode));
		printf("  %-3u %-16s %-8s %10s %10s %10s %7u %4u %-9s %-5s %-21s %s\n",
		       h->heap_id, h->name, source_name(h->source),
		       format_size(h->heap_size, sz, sizeof(sz)),
		       format_size(h->free_bytes, fr, sizeof(fr)),
		       format_size(h->largest_free, lf, sizeof(lf)),
		       h->live_buffers, h->dma_bits,
		       h->flags & BPBUF_HEAP_PAGE_MAP ? "yes" : "no",
		       h->flags & BPBUF_HEAP_FIXED ? "yes" : "no", cpu,
		       *range ? range : "-");
	}
}

/* What the driver can do for this caller (BPBUF_IOCTL_GET_CAP) */
struct info_caps {
	uint64_t bus_addr;
	uint64_t map_sizes;
	uint64_t page_map;
};

static void info_json(const struct bpbuf_heap_info *hi,
		      const struct heap_list *hl,
		      const struct info_caps *caps, const struct live_list *l)
{
	uint64_t map_sizes = caps->map_sizes;
	int i, j, k;

	printf("{\"heap\":{\"size\":%" PRIu64 ",\"free\":%" PRIu64
	       ",\"largest_free\":%" PRIu64 ",\"free_extents\":%u"
	       ",\"live_buffers\":%u,\"max_align\":%" PRIu64
	       ",\"dma_bits\":%u,\"page_size\":%u,\"bus_addr_allowed\":%s"
	       ",\"page_maps\":%s,\"map_sizes\":[",
	       (uint64_t)hi->heap_size, (uint64_t)hi->free_bytes,
	       (uint64_t)hi->largest_free, hi->free_extents, hi->live_buffers,
	       (uint64_t)hi->max_align, hi->dma_bits, hi->page_size,
	       caps->bus_addr ? "true" : "false", caps->page_map ? "true" : "false");
	for (uint64_t m = map_sizes; m; m &= m - 1)
		printf("%s%" PRIu64, m == map_sizes ? "" : ",", m & -m);
	printf("]},");
	heaps_json(hl);
	if (l->error[0]) {
		printf("\"buffers\":null,\"buffers_error\":");
		json_string(l->error);
		printf("}\n");
		return;
	}
	printf("\"buffers\":[");
	for (i = 0; i < l->nbuffers; i++) {
		const struct live_buffer *b = &l->buffers[i];

		printf("%s{", i ? "," : "");
		for (j = 0; j < l->ncolumns; j++) {
			const char *v = b->field[j] ? b->field[j] : "";

			printf("%s", j ? "," : "");
			json_string(l->column[j]);
			putchar(':');
			if (is_number(v) && strlen(v) < 20)
				fputs(v, stdout);
			else
				json_string(v);
		}
		printf("%s\"importers\":[", l->ncolumns ? "," : "");
		for (k = 0; k < b->nimporters; k++) {
			printf("%s", k ? "," : "");
			json_string(b->importers[k]);
		}
		printf("]}");
	}
	printf("]}\n");
}

static void info_text(struct bpbuf_dev *dev, const struct bpbuf_heap_info *hi,
		      const struct heap_list *hl,
		      const struct info_caps *caps, const struct live_list *l)
{
	uint64_t map_sizes = caps->map_sizes;
	char s[SIZE_STR_LEN];
	const char *name, *date;
	unsigned int major, minor, patch;
	int i;

	if (!bpbuf_dev_version(dev, &major, &minor, &patch) &&
	    !bpbuf_dev_driver(dev, &name, &date, NULL))
		printf("driver:         %s %u.%u.%u (%s)\n", name, major, minor,
		       patch, date);
	printf("device:         %s\n", bpbuf_dev_path());
	printf("heap size:      %s (%" PRIu64 " bytes)\n",
	       format_size(hi->heap_size, s, sizeof(s)), (uint64_t)hi->heap_size);
	printf("free:           %s (%" PRIu64 " bytes)\n",
	       format_size(hi->free_bytes, s, sizeof(s)), (uint64_t)hi->free_bytes);
	printf("largest free:   %s (%" PRIu64 " bytes)\n",
	       format_size(hi->largest_free, s, sizeof(s)),
	       (uint64_t)hi->largest_free);
	printf("free extents:   %u\n", hi->free_extents);
	printf("live buffers:   %u\n", hi->live_buffers);
	printf("max alignment:  %s\n", format_size(hi->max_align, s, sizeof(s)));
	printf("DMA bits:       %u\n", hi->dma_bits);
	printf("page size:      %u\n", hi->page_size);
	printf("mapped with:   ");
	for (uint64_t m = map_sizes; m; m &= m - 1)
		printf(" %s", format_size(m & -m, s, sizeof(s)));
	printf(" page-table entries\n");
	printf("bus addresses:  %s\n", caps->bus_addr ? "allowed" : "not allowed (needs CAP_SYS_RAWIO)");
	printf("page maps:      %s\n", caps->page_map ?
	       "yes (O_DIRECT, io_uring, MSG_ZEROCOPY without a copy)" :
	       "no (zero-copy I/O needs a page map: driver 0.4 and a CMA heap)");
	putchar('\n');
	heaps_text(hl);
	putchar('\n');
	if (l->error[0]) {
		printf("buffers: not available: %s\n", l->error);
		return;
	}
	if (!l->nbuffers) {
		printf("buffers: none\n");
		return;
	}
	printf("%-10s %-18s %7s %-16s %5s %9s %-12s %-8s %s\n", "SIZE",
	       "BUS ADDRESS", "PID", "COMMAND", "MMAPS", "IMPORTERS", "HEAP",
	       "CPU", "NAME");
	for (i = 0; i < l->nbuffers; i++) {
		const struct live_buffer *b = &l->buffers[i];
		const char *size = live_field(l, b, "size");
		const char *bus = live_field(l, b, "bus_addr");
		const char *pid = live_field(l, b, "pid");
		const char *comm = live_field(l, b, "comm");
		const char *mmaps = live_field(l, b, "mmaps");
		const char *att = live_field(l, b, "attachments");
		const char *nm = live_field(l, b, "name");
		const char *heap = live_field(l, b, "heap");
		const char *cpu = live_field(l, b, "cpu");
		char hs[SIZE_STR_LEN];

		if (size && is_number(size))
			format_size(strtoull(size, NULL, 10), hs, sizeof(hs));
		else
			snprintf(hs, sizeof(hs), "%s", size ? size : "-");
		printf("%-10s %-18s %7s %-16s %5s %9s %-12s %-8s %s\n", hs,
		       bus ? bus : "-", pid ? pid : "-", comm ? comm : "-",
		       mmaps ? mmaps : "-", att ? att : "-",
		       heap && *heap ? heap : "default",
		       cpu && *cpu ? cpu : "cached",
		       nm && *nm ? nm : "-");
	}
}

static void info_opt(int opt, const char *arg, void *ctx)
{
	*(bool *)ctx = true;	/* 'j' */
}

static int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct live_list live;
	struct bpbuf_heap_info hi;
	struct heap_list heaps;
	struct parsed_args pa;
	struct bpbuf_dev *dev;
	struct info_caps caps;
	bool json = false;
	int ret;

	parse_args(argc, argv, "+:jh", opts, info_usage, info_opt, &json, &pa);
	if (pa.npos || pa.rest)
		die_usage("info takes no arguments");

	dev = open_device();
	ret = bpbuf_dev_heap_info(dev, &hi, sizeof(hi));
	if (ret)
		die_errno(ret, "cannot read the heap's figures");
	if (bpbuf_dev_get_cap(dev, BPBUF_CAP_BUS_ADDR, &caps.bus_addr))
		caps.bus_addr = 0;
	/* drivers before 0.3 map with pages only, and before 0.4 no page maps */
	if (bpbuf_dev_get_cap(dev, BPBUF_CAP_MAP_SIZES, &caps.map_sizes))
		caps.map_sizes = hi.page_size;
	if (bpbuf_dev_get_cap(dev, BPBUF_CAP_PAGE_MAP, &caps.page_map))
		caps.page_map = 0;
	read_heaps(dev, &heaps);
	memset(&live, 0, sizeof(live));
	read_live_buffers(&live);
	if (json)
		info_json(&hi, &heaps, &caps, &live);
	else
		info_text(dev, &hi, &heaps, &caps, &live);
	free(heaps.heap);
	bpbuf_dev_close(dev);
	return EXIT_OK;
}

const struct bpbuf_cmd bpbuf_cmd_info = {
	.name = "info",
	.run = cmd_info,
	.help = "show the heaps and the live buffers",
};
