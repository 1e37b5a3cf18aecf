// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reserved source: a physical range set aside at boot, outside the
 * memory the kernel manages, so that the heap is at the same address on
 * every boot whatever ran before (x86: memmap=SIZE$ADDR, which the firmware
 * map then calls reserved). The kernel has no struct pages for such a
 * range; memremap_pages() gives it some, as ZONE_DEVICE memory of the
 * generic kind (each page with a reference of its own, as the page
 * allocator's), and maps it cacheable in the kernel's linear map. With them
 * bpbuf zeroes, vmaps, exports and maps its buffers as any other carve's:
 * importers get a scatterlist of pages, mmap() maps page frames. Page maps
 * (pagemap.c) are refused: pinning ZONE_DEVICE pages through user page
 * tables is not a way the kernel's generic code takes.
 *
 * The range is claimed in the resource tree (/proc/iomem: "bpbuf"), so that
 * two heaps, or another driver, cannot take it twice.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "source.h"

#ifdef HAVE_MEMREMAP_PAGES
#include <linux/memremap.h>

/**
 * struct bpbuf_reserved - what the reserved source keeps of a carve
 * @pgmap: the range's ZONE_DEVICE pages
 * @res: the range, claimed
 */
struct bpbuf_reserved {
	struct dev_pagemap pgmap;
	struct resource *res;
};

/* Whether [@at, @at + @size) can be taken, said in the log when not */
static int range_usable(struct device *dev, u64 size, phys_addr_t at)
{
	unsigned long align = memremap_compat_align();
	u64 mib = size >> 20;

	if (!IS_ALIGNED(at, align) || !IS_ALIGNED(size, align)) {
		pr_err("cannot take %llu MiB of reserved memory at %pa: it must start and end on a multiple of %lu KiB\n",
		       mib, &at, align >> 10);
		return -EINVAL;
	}
	if (!bpbuf_carve_within_mask(dev, size, at))
		return -EINVAL;
	if (region_intersects(at, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("cannot take %llu MiB of reserved memory at %pa: the kernel manages memory there; set it aside at boot (memmap=%lluM$%pa on x86) or take movable memory there (heaps= NAME:SIZE@ADDR:movable)\n",
		       mib, &at, mib, &at);
		return -EINVAL;
	}
	return 0;
}

/**
 * bpbuf_reserved_take - the carve from a range set aside at boot
 * @dev: the device it is mapped for
 * @size: bytes
 * @at: its first byte's physical address
 * @carve: out: the carve
 *
 * Failures are explained in the kernel log.
 *
 * Return: 0; -EINVAL when the range is misaligned for memremap_pages(),
 * beyond @dev's DMA mask or partly memory the kernel manages; -EBUSY when
 * someone else (another heap) claims part of it; -ENOMEM, or
 * memremap_pages()'s error.
 */
int bpbuf_reserved_take(struct device *dev, u64 size, phys_addr_t at,
			struct bpbuf_carve *carve)
{
	struct bpbuf_reserved *r;
	dma_addr_t dma;
	void *addr;
	int ret;

	ret = range_usable(dev, size, at);
	if (ret)
		return ret;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->res = request_mem_region(at, size, KBUILD_MODNAME);
	if (!r->res) {
		pr_err("cannot take %llu MiB of reserved memory at %pa: something else claims part of it (/proc/iomem)\n",
		       size >> 20, &at);
		ret = -EBUSY;
		goto free;
	}
	r->pgmap.type = MEMORY_DEVICE_GENERIC;
	r->pgmap.range.start = at;
	r->pgmap.range.end = at + size - 1;
	r->pgmap.nr_range = 1;
	addr = memremap_pages(&r->pgmap, dev_to_node(dev));
	if (IS_ERR(addr)) {
		ret = PTR_ERR(addr);
		pr_err("cannot give %llu MiB of reserved memory at %pa struct pages: memremap_pages() failed (%d)\n",
		       size >> 20, &at, ret);
		goto release;
	}
	carve->base = pfn_to_page(PHYS_PFN(at));
	/* inside the mask, so the DMA API maps it in place, never bounced */
	dma = dma_map_page(dev, carve->base, 0, size, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, dma)) {
		pr_err("cannot map %llu MiB of reserved memory at %pa for the heap's device\n",
		       size >> 20, &at);
		ret = -ENOMEM;
		goto unmap_pages;
	}
	carve->npages = size >> PAGE_SHIFT;
	carve->dma = dma;
	carve->source = BPBUF_SOURCE_RESERVED;
	carve->page_maps = false;
	carve->reserved = r;
	return 0;

unmap_pages:
	memunmap_pages(&r->pgmap);
release:
	release_mem_region(at, size);
free:
	kfree(r);
	return ret;
}

void bpbuf_reserved_give(struct device *dev, struct bpbuf_carve *carve)
{
	struct bpbuf_reserved *r = carve->reserved;
	u64 size = (u64)carve->npages << PAGE_SHIFT;

	dma_unmap_page(dev, carve->dma, size, DMA_BIDIRECTIONAL);
	memunmap_pages(&r->pgmap);
	release_mem_region(r->pgmap.range.start, size);
	kfree(r);
	carve->reserved = NULL;
}

#else /* !HAVE_MEMREMAP_PAGES */

int bpbuf_reserved_take(struct device *dev, u64 size, phys_addr_t at,
			struct bpbuf_carve *carve)
{
	pr_err("cannot take %llu MiB of reserved memory at %pa: this kernel cannot give it the struct pages buffers need (memremap_pages(), CONFIG_ZONE_DEVICE)\n",
	       size >> 20, &at);
	return -EOPNOTSUPP;
}

void bpbuf_reserved_give(struct device *dev, struct bpbuf_carve *carve)
{
}

#endif /* HAVE_MEMREMAP_PAGES */
