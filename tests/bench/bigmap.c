// SPDX-License-Identifier: GPL-2.0-only
/*
 * 8. mmap + first touch of 256 MiB and 1 GiB (one write per 4 KiB): time,
 * minor faults, and the page-table memory the mapping took (PageTables in
 * /proc/meminfo, mapped and touched, against before). bpbuf mapped as
 * libbpbuf maps it (at an address aligned to its largest page-table entry:
 * PMD or PUD entries where the kernel has them), bpbuf mapped 2 MiB off a
 * 1 GiB boundary (PMD entries only), bpbuf mapped one page off (so with
 * 4 KiB entries only: "the 4 KiB case"), and the CMA heap,
 * with bpbuf unloaded meanwhile, so that the VM needs CMA for one of a
 * 2 GiB heap and a 1 GiB CMA heap buffer, not both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpbuf.h>

#include "bench.h"
#include "kmod.h"
#include "scale.h"
#include "stats.h"

#define MiB (1024UL * 1024)

static const size_t sizes[] = { 256 * MiB, 1024 * MiB };
#define NBIG (sizeof(sizes) / sizeof(sizes[0]))

/*
 * writes-only: the same writes again into bpbuf's mapping, already mapped
 * and touched: what the writes cost without any fault (under TCG, a
 * software TLB fill per 4 KiB page), the floor for the others.
 */
/* bpbuf-2m: mapped 2 MiB off alignment: PMD entries where bpbuf gets PUDs */
enum { ROW_BPBUF, ROW_BPBUF_2M, ROW_BPBUF_4K, ROW_CMA, ROW_WRITES, NROWS };
static const char *const row_name[NROWS] = {
	"bpbuf", "bpbuf-2m", "bpbuf-4k", "cma-heap", "writes-only",
};

static double ms[NROWS][NBIG], pt_kib[NROWS][NBIG], faults[NROWS][NBIG];

/*
 * A bpbuf buffer of @size at @align, asked for: the default takes an
 * alignment above 2 MiB only where it leaves no hole in the heap, which a
 * GiB in a 2 GiB heap seldom can
 */
static int bpbuf_alloc_aligned(int dev, size_t size, size_t align)
{
	struct bpbuf_alloc req = { .size = size, .align = align, .flags = BPBUF_ALLOC_CLOEXEC };

	if (ioctl(dev, BPBUF_IOCTL_ALLOC, &req))
		return -errno;
	return (int)req.fd;
}

/* One mmap + touch; the page tables are read before the unmap */
static int one(int row, size_t size, double *t_ms, long *nfaults, long *kib,
	       long long entries[3], double *again_ms)
{
	struct peer *p = &peers[row == ROW_CMA ? PEER_CMA_HEAP : PEER_BPBUF];
	static const char *const keys[3] = { "mapped_pte", "mapped_pmd", "mapped_pud" };
	long long before[3];
	size_t align = bpbuf_map_align(peers[PEER_BPBUF].dev, size);
	long pt0, f0;
	uint64_t t0;
	char *m;
	int fd = row == ROW_CMA ? p->alloc(p, size) : bpbuf_alloc_aligned(p->dev, size, align);

	if (fd < 0)
		return fd;
	for (int i = 0; i < 3; i++)
		before[i] = bpbuf_heap_value(keys[i]);
	pt0 = page_tables_kib();
	f0 = minor_faults();
	t0 = now_ns();
	if (row == ROW_CMA) {
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			m = NULL;
	} else {
		m = map_aligned(fd, size, align, row == ROW_BPBUF_4K ? 4096 :
					       row == ROW_BPBUF_2M && align > 2 * MiB ? 2 * MiB : 0);
	}
	if (m) {
		for (size_t off = 0; off < size; off += 4096)
			m[off] = 1;
		*t_ms = (now_ns() - t0) / 1e6;
		*nfaults = minor_faults() - f0;
		*kib = page_tables_kib() - pt0;
		for (int i = 0; i < 3; i++)
			entries[i] = bpbuf_heap_value(keys[i]) - before[i];
		t0 = now_ns();
		for (size_t off = 0; off < size; off += 4096)
			m[off] = 2;
		*again_ms = (now_ns() - t0) / 1e6;
		munmap(m, size);
	}
	close(fd);
	return m ? 0 : -1;
}

/* Rows @r of every size: median ms, faults and page tables */
static void measure(int r, unsigned int reps, long long entries[NBIG][3])
{
	for (unsigned int s = 0; s < NBIG; s++) {
		double t[8], again[8];
		long nfaults = 0, kib = 0;
		unsigned int ok = 0;

		ms[r][s] = 0;
		bpbuf_settle();
		for (unsigned int i = 0; i < reps; i++) {
			long long e[3];

			if (one(r, sizes[s], &t[ok], &nfaults, &kib, e, &again[ok]))
				break;
			ok++;
			if (r == ROW_BPBUF)
				for (int j = 0; j < 3; j++)
					entries[s][j] = e[j];
		}
		if (!ok)
			continue;
		ms[r][s] = quantile(t, ok, 0.5);
		pt_kib[r][s] = kib;
		faults[r][s] = nfaults;
		csv("big_touch", row_name[r], sizes[s], "median_ms", ms[r][s]);
		csv("big_touch", row_name[r], sizes[s], "faults", nfaults);
		csv("big_touch", row_name[r], sizes[s], "page_tables_kib", kib);
		if (r == ROW_BPBUF) {
			ms[ROW_WRITES][s] = quantile(again, ok, 0.5);
			csv("big_touch", row_name[ROW_WRITES], sizes[s], "median_ms",
			    ms[ROW_WRITES][s]);
		}
	}
}

int scenario_big_map(const char *module)
{
	unsigned int reps = quick ? 2 : 5;
	long long entries[NBIG][3] = { { 0 } };
	double load_ms;
	int ret;

	measure(ROW_BPBUF, reps, entries);
	measure(ROW_BPBUF_2M, reps, entries);
	measure(ROW_BPBUF_4K, reps, entries);
	/* the CMA heap needs the CMA that bpbuf's heap holds: unload it meanwhile */
	close(peers[PEER_BPBUF].dev);
	peers[PEER_BPBUF].dev = -1;
	ret = bpbuf_unload();
	if (!ret && peers[PEER_CMA_HEAP].dev >= 0)
		measure(ROW_CMA, reps, entries);
	if (!ret)
		ret = bpbuf_load(module, SCALE_PARAMS, &load_ms);
	if (!ret) {
		peers[PEER_BPBUF].dev = open("/dev/bpbuf", O_RDWR | O_CLOEXEC);
		ret = peers[PEER_BPBUF].dev < 0 ? -errno : 0;
	}

	printf("\n8. mmap + first touch of large buffers: median ms / minor faults / page tables (K: KiB)\n");
	printf("   (bpbuf-2m: bpbuf mapped 2 MiB off alignment, so with PMD entries where it has PUDs;\n");
	printf("   bpbuf-4k: bpbuf mapped one page off alignment, so with 4 KiB entries only;\n");
	printf("   the CMA heap measured with bpbuf unloaded, so that it has the CMA)\n");
	printf("   %-9s", "size");
	for (int r = 0; r < NROWS; r++)
		printf(" %22s", row_name[r]);
	printf(" %10s %10s\n", "bpbuf/cma", "PT/PT-4k");
	for (unsigned int s = 0; s < NBIG; s++) {
		printf("   %-9s", human(sizes[s]));
		for (int r = 0; r < NROWS; r++) {
			/* bpbuf-2m is bpbuf again where there are no PUD entries */
			if (ms[r][s] <= 0 || (r == ROW_BPBUF_2M && !entries[s][2]))
				printf(" %22s", "-");
			else if (r == ROW_WRITES)
				printf(" %8.2f%14s", ms[r][s], "");
			else
				printf(" %8.2f/%6.0f/%5.0fK", ms[r][s], faults[r][s], pt_kib[r][s]);
		}
		print_ratio(ms[ROW_BPBUF][s], ms[ROW_CMA][s]);
		if (pt_kib[ROW_BPBUF_4K][s] > 0)
			printf(" %10s", ratio_text(pt_kib[ROW_BPBUF][s] / pt_kib[ROW_BPBUF_4K][s]));
		printf("\n   %-9s bpbuf's entries: %lld PUD, %lld PMD, %lld PTE\n", "",
		       entries[s][2], entries[s][1], entries[s][0]);
		csv("big_touch", "bpbuf", sizes[s], "pud_entries", entries[s][2]);
		csv("big_touch", "bpbuf", sizes[s], "pmd_entries", entries[s][1]);
		csv("big_touch", "bpbuf", sizes[s], "pte_entries", entries[s][0]);
	}
	if (ret)
		fprintf(stderr, "bpbuf-bench: reloading bpbuf after the CMA heap's turn: %s\n",
			strerror(-ret));
	return ret;
}

/*
 * The targets hold where huge mappings are available: on a kernel without
 * them (map sizes: pages only) they are not judged, and say so.
 */
void print_big_map_targets(void)
{
	int huge = bpbuf_map_align(peers[PEER_BPBUF].dev, sizes[0]) > 4096;

	for (unsigned int s = 0; s < NBIG; s++) {
		char what[64];
		double pt = pt_kib[ROW_BPBUF_4K][s] > 0 ?
			pt_kib[ROW_BPBUF][s] / pt_kib[ROW_BPBUF_4K][s] : 0;
		double t = ms[ROW_CMA][s] > 0 ? ms[ROW_BPBUF][s] / ms[ROW_CMA][s] : 0;
		double floor = ms[ROW_CMA][s] > 0 ? ms[ROW_WRITES][s] / ms[ROW_CMA][s] : 0;

		snprintf(what, sizeof(what), "mmap+touch %s: page tables / 4 KiB case", human(sizes[s]));
		printf("   %-48s %12s   %-22s %s\n", what, ratio_text(pt), "<= 1/256 (0.0039)",
		       pt_kib[ROW_BPBUF_4K][s] <= 0 ? "NOT MEASURED" :
		       !huge ? "n/a: no huge PFN mappings" : pt <= 1.0 / 256 ? "met" : "MISSED");
		snprintf(what, sizeof(what), "mmap+touch %s: bpbuf / CMA heap", human(sizes[s]));
		printf("   %-48s %12s   %-22s %s\n", what, ratio_text(t), "<= 0.02",
		       t <= 0 ? "NOT MEASURED" : !huge ? "n/a: no huge PFN mappings" :
		       t <= 0.02 ? "met" : "MISSED");
		snprintf(what, sizeof(what), "  the writes alone / CMA heap, %s", human(sizes[s]));
		printf("   %-48s %12s   %-22s %s\n", what, ratio_text(floor), "(the floor)", "");
	}
}
