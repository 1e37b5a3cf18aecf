/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf memory sources: where a heap's carve comes from. A source hands the
 * heap one physically contiguous run of order-0 pages, mapped for the
 * heap's device, and takes it back at unload; it knows nothing of buffers.
 *
 *   cma      the default CMA area, through dma_alloc_pages() (source_cma.c)
 *   movable  ordinary movable memory emptied at load with
 *            alloc_contig_range(), for kernels without CMA
 *            (source_movable.c)
 *   region   a reserved-memory region of the device tree with a CMA area
 *            of its own (reusable shared-dma-pool), through the DMA API on
 *            the device the region is assigned to (heaps_dt.c); taken as
 *            cma is, from that device's area
 *   reserved a physical range set aside at boot that the kernel does not
 *            manage (memmap=SIZE$ADDR, a no-map device tree region), given
 *            struct pages with memremap_pages() where it has none
 *            (source_reserved.c)
 */
#ifndef BPBUF_SOURCE_H
#define BPBUF_SOURCE_H

#include <linux/types.h>

struct bpbuf_reserved;
struct device;
struct page;

enum bpbuf_source {
	BPBUF_SOURCE_AUTO,	/* CMA where it has room, else movable memory */
	BPBUF_SOURCE_CMA,
	BPBUF_SOURCE_MOVABLE,
	BPBUF_SOURCE_REGION,	/* the device's own CMA area, from DT */
	BPBUF_SOURCE_RESERVED,	/* memory set aside at boot, at its address */
};

/* struct bpbuf_carve_spec's @at when the source may choose */
#define BPBUF_CARVE_ANYWHERE	((phys_addr_t)-1)

/**
 * struct bpbuf_carve_spec - what a heap asks its source for
 * @size: bytes, page aligned
 * @source: where from; BPBUF_SOURCE_AUTO chooses
 * @at: physical address it must start at, so that it is the same on every
 *	boot, or BPBUF_CARVE_ANYWHERE: movable memory is taken there, a
 *	region (a device tree reg) must give its carve there, and reserved
 *	memory is always there
 */
struct bpbuf_carve_spec {
	u64 size;
	enum bpbuf_source source;
	phys_addr_t at;
};

/**
 * struct bpbuf_carve - a contiguous run of pages a source gave
 * @base: first page
 * @npages: number of pages
 * @dma: bus address of @base for the device the carve was taken for
 * @source: where it came from (never BPBUF_SOURCE_AUTO once taken)
 * @page_maps: its pages may be put into user page tables one by one
 *	(pagemap.c), as the page allocator's own; reserved memory's pages
 *	(ZONE_DEVICE, or no-map) may not
 * @vaddr: the kernel's mapping of the whole carve where its pages are not
 *	in the linear map (no-map memory), else NULL: page_address() of such
 *	pages is no address, and only DMA-coherent devices may map them
 * @reserved: the reserved source's own state, or NULL
 */
struct bpbuf_carve {
	struct page *base;
	unsigned long npages;
	dma_addr_t dma;
	enum bpbuf_source source;
	bool page_maps;
	void *vaddr;
	struct bpbuf_reserved *reserved;
};

int bpbuf_source_parse(const char *name, enum bpbuf_source *source);
const char *bpbuf_source_name(enum bpbuf_source source);
int bpbuf_carve_take(struct device *dev, const struct bpbuf_carve_spec *spec,
		     struct bpbuf_carve *carve);
void bpbuf_carve_give(struct device *dev, struct bpbuf_carve *carve);
bool bpbuf_carve_within_mask(struct device *dev, u64 size, phys_addr_t at);

/* source_cma.c */
int bpbuf_cma_take(struct device *dev, u64 size, struct bpbuf_carve *carve);
void bpbuf_cma_give(struct device *dev, struct bpbuf_carve *carve);
void bpbuf_cma_explain(u64 size);

/* source_movable.c */
bool bpbuf_movable_supported(void);
int bpbuf_movable_take(struct device *dev, u64 size, struct bpbuf_carve *carve);
int bpbuf_movable_take_at(struct device *dev, u64 size, phys_addr_t at,
			  struct bpbuf_carve *carve);
void bpbuf_movable_give(struct device *dev, struct bpbuf_carve *carve);
void bpbuf_movable_explain(struct device *dev, u64 size, int err);

/* source_reserved.c */
int bpbuf_reserved_take(struct device *dev, u64 size, phys_addr_t at,
			struct bpbuf_carve *carve);
void bpbuf_reserved_give(struct device *dev, struct bpbuf_carve *carve);

#endif /* BPBUF_SOURCE_H */
