// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reserved source: a physical range set aside at boot, outside the
 * memory the kernel manages, so that the heap is at the same address on
 * every boot whatever ran before. Its pages come one of two ways:
 *
 *  - no struct pages at all (x86: memmap=SIZE$ADDR, which the firmware map
 *    then calls reserved): memremap_pages() gives it some, as ZONE_DEVICE
 *    memory of the generic kind (each page with a reference of its own, as
 *    the page allocator's), and maps it cacheable in the kernel's linear
 *    map;
 *  - struct pages but no linear map (arm64: a no-map reserved-memory
 *    region of the device tree): the pages are used as they are, and the
 *    kernel's own writes (zeroing) go through a cacheable memremap() of
 *    the range. The CPU's cache maintenance for a device works through the
 *    linear map, so only DMA-coherent devices may map such memory: the
 *    heap's own device is checked here, importers and DEV_MAP by reach.c.
 *
 * Either way bpbuf zeroes, vmaps, exports and maps its buffers as any other
 * carve's: importers get a scatterlist of pages, mmap() maps page frames.
 * An importer that wrote through kmap() of a no-map page, against dma-buf's
 * rules (dma_buf_vmap() is the way), would fault: such pages have no
 * kernel address of their own.
 * Page maps (pagemap.c) are refused: pinning such pages through user page
 * tables is not a way the kernel's generic code takes.
 *
 * The range is claimed in the resource tree (/proc/iomem: "bpbuf"), so that
 * two heaps, or another driver, cannot take it twice.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/slab.h>

#ifdef HAVE_MEMREMAP_PAGES
#include <linux/memremap.h>
#endif

#include "source.h"

/**
 * struct bpbuf_reserved - what the reserved source keeps of a carve
 * @pgmap: the range's ZONE_DEVICE pages, if memremap_pages() made them
 * @res: the range, claimed
 */
struct bpbuf_reserved {
#ifdef HAVE_MEMREMAP_PAGES
	struct dev_pagemap pgmap;
#endif
	struct resource *res;
};

/* Whether [@at, @at + @size) can be taken, said in the log when not */
static int range_usable(struct device *dev, u64 size, phys_addr_t at)
{
	u64 mib = size >> 20;

	if (!PAGE_ALIGNED(at) || !PAGE_ALIGNED(size)) {
		pr_err("cannot take %llu MiB of reserved memory at %pa: it must start and end on a page\n",
		       mib, &at);
		return -EINVAL;
	}
	if (!bpbuf_carve_within_mask(dev, size, at))
		return -EINVAL;
	if (region_intersects(at, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("cannot take %llu MiB of reserved memory at %pa: the kernel manages memory there; set it aside at boot (memmap=%lluM$%pa on x86, a no-map reserved-memory region in device tree) or take movable memory there (heaps= NAME:SIZE@ADDR:movable)\n",
		       mib, &at, mib, &at);
		return -EINVAL;
	}
	return 0;
}

/* The struct pages a range has */
enum range_pages {
	RANGE_NO_PAGES,		/* none: memremap_pages() gives it some */
	RANGE_NO_MAP,		/* all, none in the linear map: no-map memory */
	RANGE_OTHER,		/* anything else: refused */
};

/*
 * What pages [@at, @at + @size), claimed as @res, has. Only arm64 keeps
 * memory out of its linear map with struct pages (no-map, which it lists
 * as a top-level "reserved" resource); a hole in a section of RAM has
 * struct pages too but is no memory, and memremap_pages() of a range that
 * has some already fails (on arm64 after clearing its no-map mark).
 */
static enum range_pages range_pages(const struct resource *res, u64 size,
				    phys_addr_t at)
{
#ifdef HAVE_PFN_IS_MAP_MEMORY
	unsigned long pfn, end = PHYS_PFN(at + size), valid = 0, unmapped = 0;
	const struct resource *parent = res->parent;

	for (pfn = PHYS_PFN(at); pfn < end; pfn++) {
		if (!pfn_valid(pfn))
			continue;
		valid++;
		unmapped += !pfn_is_map_memory(pfn);
	}
	if (!valid)
		return RANGE_NO_PAGES;
	if (unmapped == end - PHYS_PFN(at) && parent &&
	    parent->parent == &iomem_resource && parent->name &&
	    !strcmp(parent->name, "reserved"))
		return RANGE_NO_MAP;
	return RANGE_OTHER;
#else
	return RANGE_NO_PAGES;
#endif
}

/* No-map memory: its own struct pages, a mapping of the kernel's own */
static int take_unmapped(struct device *dev, u64 size, phys_addr_t at,
			 struct bpbuf_carve *carve)
{
	if (!dev_is_dma_coherent(dev)) {
		pr_err("cannot take %llu MiB of no-map memory at %pa: the heap's device is not DMA-coherent (dma-coherent in device tree), and cache maintenance needs the linear map, which no-map memory is not in\n",
		       size >> 20, &at);
		return -EINVAL;
	}
	carve->vaddr = memremap(at, size, MEMREMAP_WB);
	if (!carve->vaddr) {
		pr_err("cannot map %llu MiB of no-map memory at %pa for the kernel\n",
		       size >> 20, &at);
		return -ENOMEM;
	}
	return 0;
}

#ifdef HAVE_MEMREMAP_PAGES
/* Memory without struct pages: ZONE_DEVICE gives it some */
static int take_device_pages(struct bpbuf_reserved *r, struct device *dev,
			     u64 size, phys_addr_t at)
{
	unsigned long align = memremap_compat_align();
	void *addr;

	if (!IS_ALIGNED(at, align) || !IS_ALIGNED(size, align)) {
		pr_err("cannot take %llu MiB of reserved memory at %pa: it must start and end on a multiple of %lu KiB\n",
		       size >> 20, &at, align >> 10);
		return -EINVAL;
	}
	r->pgmap.type = MEMORY_DEVICE_GENERIC;
	r->pgmap.range.start = at;
	r->pgmap.range.end = at + size - 1;
	r->pgmap.nr_range = 1;
	addr = memremap_pages(&r->pgmap, dev_to_node(dev));
	if (IS_ERR(addr)) {
		pr_err("cannot give %llu MiB of reserved memory at %pa struct pages: memremap_pages() failed (%ld)\n",
		       size >> 20, &at, PTR_ERR(addr));
		return PTR_ERR(addr);
	}
	return 0;
}

static void give_device_pages(struct bpbuf_reserved *r)
{
	memunmap_pages(&r->pgmap);
}
#else
static int take_device_pages(struct bpbuf_reserved *r, struct device *dev,
			     u64 size, phys_addr_t at)
{
	pr_err("cannot take %llu MiB of reserved memory at %pa: this kernel cannot give it the struct pages buffers need (memremap_pages(), CONFIG_ZONE_DEVICE)\n",
	       size >> 20, &at);
	return -EOPNOTSUPP;
}

static void give_device_pages(struct bpbuf_reserved *r)
{
}
#endif /* HAVE_MEMREMAP_PAGES */

/* Undo take_unmapped() or take_device_pages(), whichever gave @carve */
static void give_pages(struct bpbuf_reserved *r, struct bpbuf_carve *carve)
{
	if (carve->vaddr)
		memunmap(carve->vaddr);
	else
		give_device_pages(r);
	carve->vaddr = NULL;
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
 * Return: 0; -EINVAL when the range is misaligned, beyond @dev's DMA mask,
 * partly memory the kernel manages, partly with struct pages but not no-map
 * memory, or no-map memory for a device that is not DMA-coherent; -EBUSY
 * when someone else (another heap) claims part of it; -EOPNOTSUPP when it
 * has no struct pages and the kernel cannot give it any; -ENOMEM, or
 * memremap_pages()'s error.
 */
int bpbuf_reserved_take(struct device *dev, u64 size, phys_addr_t at,
			struct bpbuf_carve *carve)
{
	unsigned long attrs = 0;
	struct bpbuf_reserved *r;
	dma_addr_t dma;
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
	carve->vaddr = NULL;
	switch (range_pages(r->res, size, at)) {
	case RANGE_NO_PAGES:
		ret = take_device_pages(r, dev, size, at);
		break;
	case RANGE_NO_MAP:
		ret = take_unmapped(dev, size, at, carve);
		/* a coherent device: nothing to clean through the linear map */
		attrs = DMA_ATTR_SKIP_CPU_SYNC;
		break;
	default:
		pr_err("cannot take %llu MiB of reserved memory at %pa: part of it has struct pages but it is not no-map memory (arm64: a no-map reserved-memory region inside /memory)\n",
		       size >> 20, &at);
		ret = -EINVAL;
	}
	if (ret)
		goto release;
	carve->base = pfn_to_page(PHYS_PFN(at));
	/* inside the mask, so the DMA API maps it in place, never bounced */
	dma = dma_map_page_attrs(dev, carve->base, 0, size, DMA_BIDIRECTIONAL,
				 attrs);
	if (dma_mapping_error(dev, dma)) {
		pr_err("cannot map %llu MiB of reserved memory at %pa for the heap's device\n",
		       size >> 20, &at);
		ret = -ENOMEM;
		goto give_pages;
	}
	carve->npages = size >> PAGE_SHIFT;
	carve->dma = dma;
	carve->source = BPBUF_SOURCE_RESERVED;
	carve->page_maps = false;
	carve->reserved = r;
	return 0;

give_pages:
	give_pages(r, carve);
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

	dma_unmap_page_attrs(dev, carve->dma, size, DMA_BIDIRECTIONAL,
			     carve->vaddr ? DMA_ATTR_SKIP_CPU_SYNC : 0);
	give_pages(r, carve);
	release_mem_region(r->res->start, size);
	kfree(r);
	carve->reserved = NULL;
}
