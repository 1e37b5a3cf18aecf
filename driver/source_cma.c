// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CMA source: the carve is taken once, at load, with dma_alloc_pages()
 * on the heap's device: for anything larger than the page allocator's
 * largest block that can only come from the device's CMA area (the default
 * one, cma= on the kernel command line); cma_alloc() itself is not exported
 * to modules.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/mm.h>

#include "source.h"

/*
 * What the load error adds to the heap size for the cma= it suggests: the
 * CMA area also serves every other device's contiguous allocations, and it
 * places the carve at a multiple of 2^CONFIG_CMA_ALIGNMENT pages (1 MiB
 * with 4 KiB pages and the default 8, 16 MiB with 64 KiB pages).
 */
#define BPBUF_CMA_HEADROOM_MIB	16

int bpbuf_cma_take(struct device *dev, u64 size, struct bpbuf_carve *carve)
{
	struct page *base;
	dma_addr_t dma;

	/*
	 * No warning from CMA: bpbuf_cma_explain() says what to do. Small
	 * carves may come from the page allocator when CMA is short; they are
	 * just as contiguous, and just as much ours.
	 */
	base = dma_alloc_pages(dev, size, &dma, DMA_BIDIRECTIONAL,
			       GFP_KERNEL | __GFP_NOWARN);
	if (!base)
		return -ENOMEM;
	/*
	 * NULL is how dma_alloc_pages() fails, but 6.1 records the carve in
	 * DMA-API debug as a mapping whose error nobody checked, and
	 * complains when it is freed.
	 */
	if (dma_mapping_error(dev, dma)) {
		dma_free_pages(dev, size, base, dma, DMA_BIDIRECTIONAL);
		return -ENOMEM;
	}
	carve->base = base;
	carve->npages = size >> PAGE_SHIFT;
	carve->dma = dma;
	carve->source = BPBUF_SOURCE_CMA;
	carve->page_maps = true;
	return 0;
}

void bpbuf_cma_give(struct device *dev, struct bpbuf_carve *carve)
{
	dma_free_pages(dev, (size_t)carve->npages << PAGE_SHIFT, carve->base,
		       carve->dma, DMA_BIDIRECTIONAL);
}

void bpbuf_cma_explain(u64 size)
{
	u64 mib = size >> 20, cma_mib = mib + BPBUF_CMA_HEADROOM_MIB;

	if (!IS_ENABLED(CONFIG_DMA_CMA))
		pr_err("cannot carve a %llu MiB heap: this kernel has neither CMA nor alloc_contig_range() for modules; use a kernel with CONFIG_CMA and CONFIG_DMA_CMA booted with cma=%lluM or more, or one with CONFIG_CONTIG_ALLOC\n",
		       mib, cma_mib);
	else
		pr_err("cannot carve a %llu MiB heap from CMA: boot with cma=%lluM or more on the kernel command line (and keep it free), %sor load with a smaller heap_size=\n",
		       mib, cma_mib,
		       bpbuf_movable_supported() ?
		       "load with heap_source=movable, " : "");
}
