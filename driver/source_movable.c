// SPDX-License-Identifier: GPL-2.0-only
/*
 * The movable source: where the kernel has no CMA (Debian's amd64 and
 * riscv64 kernels), the carve is a range of ordinary memory emptied at load
 * the way gigantic huge pages are taken at run time: alloc_contig_range()
 * migrates the movable pages out of it and gives every page to the caller
 * with a reference of its own, as CMA does, so page maps work on it.
 *
 * The kernel finds no such range for a module (alloc_contig_pages() is not
 * exported before 7.x), so it is searched for here: from the top of each
 * zone down, at PMD-aligned starts (so buffers can be mapped with PMD
 * entries), inside the device's DMA mask, over pages that are online, in
 * that one zone and not reserved. A range with a page that cannot move
 * (slab, page tables, pinned pages) fails and the search goes on below it:
 * at most one try per heap-sized window of memory.
 * Early in boot almost all memory can move; the longer the machine runs,
 * the more unmovable pages are scattered through it.
 *
 * A heap at a fixed address (heaps= NAME:SIZE@ADDR) takes that range or
 * fails: in ZONE_MOVABLE (movablecore=) only movable pages live, so it can
 * always be emptied, and the heap is at the same address on every boot.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "source.h"

#ifdef HAVE_ALLOC_CONTIG_RANGE

bool bpbuf_movable_supported(void)
{
	return true;
}

/* Candidate ranges start at multiples of this many pages */
static unsigned long movable_align(void)
{
	return max_t(unsigned long, pageblock_nr_pages, PMD_SIZE >> PAGE_SHIFT);
}

/* One past the last page frame @dev's DMA mask reaches */
static unsigned long mask_end_pfn(struct device *dev)
{
	u64 end = (dma_get_mask(dev) >> PAGE_SHIFT) + 1;

	return end > ULONG_MAX ? ULONG_MAX : end;
}

/*
 * Whether every page in [@start, @end) may be part of a carve from @zone;
 * if not, *@bad is the highest that may not. Scanned from the top, so the
 * search continues right below it.
 */
static bool pages_usable(struct zone *zone, unsigned long start,
			 unsigned long end, unsigned long *bad)
{
	unsigned long pfn = end;

	while (pfn-- > start) {
		struct page *page = pfn_to_online_page(pfn);

		if (!page || page_zone(page) != zone || PageReserved(page)) {
			*bad = pfn;
			return false;
		}
		if (!(pfn % 4096))
			cond_resched();
	}
	return true;
}

/*
 * The highest range of @n pages in @zone below @end_pfn that
 * alloc_contig_range() gives: its first page frame in *@pfn.
 */
static int take_in_zone(struct zone *zone, unsigned long n,
			unsigned long end_pfn, unsigned long *pfn)
{
	unsigned long align = movable_align(), lo = zone->zone_start_pfn;
	unsigned long hi = min(zone_end_pfn(zone), end_pfn);
	unsigned long start, bad;
	int ret;

	if (hi <= lo || hi - lo < n)
		return -ENOMEM;
	start = ALIGN_DOWN(hi - n, align);
	while (start >= lo) {
		if (!pages_usable(zone, start, start + n, &bad)) {
			if (bad < lo + n)
				break;
			start = ALIGN_DOWN(bad - n, align);
			continue;
		}
		ret = bpbuf_alloc_contig_range(start, start + n,
					       GFP_KERNEL | __GFP_NOWARN);
		if (!ret) {
			*pfn = start;
			return 0;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		/*
		 * A page in it could not be moved, and which one is not
		 * said: the next try is the window below, all of it new
		 * memory, rather than one that still holds that page and
		 * would migrate the same pages again.
		 */
		if (start - lo < ALIGN(n, align))
			break;
		start -= ALIGN(n, align);
		cond_resched();
	}
	return -ENOMEM;
}

/*
 * Highest zone first: low memory is what devices with short reach need.
 * ZONE_MOVABLE (movablecore=, kernelcore=) only when no other zone has
 * room: the carve never moves, so while it is there the memory block it
 * sits in cannot be offlined or hot-removed.
 */
static int find_and_take(unsigned long n, unsigned long end_pfn,
			 unsigned long *pfn)
{
	int nid, z, ret, pass;

	for (pass = 0; pass < 2; pass++) {
		for_each_online_node(nid) {
			pg_data_t *pgdat = NODE_DATA(nid);

			for (z = MAX_NR_ZONES - 1; z >= 0; z--) {
				struct zone *zone = &pgdat->node_zones[z];

				if ((z == ZONE_MOVABLE) != (pass == 1) ||
				    !populated_zone(zone))
					continue;
				ret = take_in_zone(zone, n, end_pfn, pfn);
				if (ret != -ENOMEM)
					return ret;
			}
		}
	}
	return -ENOMEM;
}

/* The @n pages at @pfn, taken, as the carve for @dev */
static int carve_of(struct device *dev, unsigned long pfn, unsigned long n,
		    struct bpbuf_carve *carve)
{
	u64 size = (u64)n << PAGE_SHIFT;
	struct page *base;
	dma_addr_t dma;

	base = pfn_to_page(pfn);
	/* inside the mask, so the DMA API maps it in place, never bounced */
	dma = dma_map_page(dev, base, 0, size, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, dma)) {
		free_contig_range(pfn, n);
		return -ENOMEM;
	}
	carve->base = base;
	carve->npages = n;
	carve->dma = dma;
	carve->source = BPBUF_SOURCE_MOVABLE;
	carve->page_maps = true;
	return 0;
}

int bpbuf_movable_take(struct device *dev, u64 size, struct bpbuf_carve *carve)
{
	unsigned long n = size >> PAGE_SHIFT, pfn;
	int ret;

	ret = find_and_take(n, mask_end_pfn(dev), &pfn);
	if (ret)
		return ret;
	return carve_of(dev, pfn, n, carve);
}

/**
 * bpbuf_movable_take_at - the carve at a fixed physical address
 * @dev: the device it is mapped for
 * @size: bytes, page aligned
 * @at: its first byte's physical address, page aligned
 * @carve: out: the carve
 *
 * Failures are explained in the kernel log.
 *
 * Return: 0; -EINVAL when the range is beyond @dev's DMA mask or not all
 * online memory of one zone that the kernel has not reserved; -EBUSY when a
 * page in it cannot be moved out; -EINTR on a fatal signal; -ENOMEM.
 */
int bpbuf_movable_take_at(struct device *dev, u64 size, phys_addr_t at,
			  struct bpbuf_carve *carve)
{
	unsigned long n = size >> PAGE_SHIFT, pfn = PHYS_PFN(at), bad = pfn;
	struct page *first = pfn_to_online_page(pfn);
	u64 mib = size >> 20;
	int ret;

	if (!bpbuf_carve_within_mask(dev, size, at))
		return -EINVAL;
	if (!first || !pages_usable(page_zone(first), pfn, pfn + n, &bad)) {
		pr_err("cannot take %llu MiB at %pa: page frame 0x%lx is no ordinary memory of the zone the range starts in (a hole, reserved by firmware or memmap=, or another zone)\n",
		       mib, &at, bad);
		return -EINVAL;
	}
	ret = bpbuf_alloc_contig_range(pfn, pfn + n, GFP_KERNEL | __GFP_NOWARN);
	if (ret == -EINTR || (ret && fatal_signal_pending(current)))
		return -EINTR;
	if (ret) {
		pr_err("cannot take %llu MiB at %pa: pages there are in use and cannot move (%d); boot with movablecore= so that the range lies in ZONE_MOVABLE (/proc/zoneinfo), or load bpbuf earlier in boot\n",
		       mib, &at, ret);
		return -EBUSY;
	}
	ret = carve_of(dev, pfn, n, carve);
	if (ret)
		pr_err("cannot map %llu MiB at %pa for the heap's device\n", mib,
		       &at);
	return ret;
}

void bpbuf_movable_give(struct device *dev, struct bpbuf_carve *carve)
{
	dma_unmap_page(dev, carve->dma, (size_t)carve->npages << PAGE_SHIFT,
		       DMA_BIDIRECTIONAL);
	free_contig_range(page_to_pfn(carve->base), carve->npages);
}

void bpbuf_movable_explain(struct device *dev, u64 size, int err)
{
	u64 mib = size >> 20;

	if (err == -EINTR)
		pr_err("interrupted while taking a %llu MiB heap from movable memory\n",
		       mib);
	else
		pr_err("cannot take a %llu MiB heap from movable memory: no range that large is free or movable within the %u-bit DMA mask; load bpbuf earlier in boot (modules-load.d), boot with movablecore=%lluM or more to keep that much memory movable, or load with a smaller heap_size=\n",
		       mib, fls64(dma_get_mask(dev)), mib + 16);
}

#else /* !HAVE_ALLOC_CONTIG_RANGE */

bool bpbuf_movable_supported(void)
{
	return false;
}

int bpbuf_movable_take(struct device *dev, u64 size, struct bpbuf_carve *carve)
{
	return -EOPNOTSUPP;
}

int bpbuf_movable_take_at(struct device *dev, u64 size, phys_addr_t at,
			  struct bpbuf_carve *carve)
{
	bpbuf_movable_explain(dev, size, -EOPNOTSUPP);
	return -EOPNOTSUPP;
}

void bpbuf_movable_give(struct device *dev, struct bpbuf_carve *carve)
{
}

void bpbuf_movable_explain(struct device *dev, u64 size, int err)
{
	pr_err("cannot take a heap from movable memory: this kernel does not give modules alloc_contig_range() (CONFIG_CONTIG_ALLOC)\n");
}

#endif /* HAVE_ALLOC_CONTIG_RANGE */
