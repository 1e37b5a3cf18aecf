/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf heap: one physically contiguous carve from CMA, split into buffers
 * by an extent allocator whose cost grows with the number of free extents,
 * never with the size of the heap.
 */
#ifndef BPBUF_HEAP_H
#define BPBUF_HEAP_H

#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/types.h>

struct device;
struct bpbuf_extent;

/**
 * struct bpbuf_heap - the carve and its free extents
 * @dev: device the carve is mapped for (the misc device)
 * @base: first page of the carve
 * @base_dma: bus address of @base for @dev
 * @base_pfn: page frame number of @base
 * @npages: pages in the carve
 * @lock: protects @free, @free_pages and @nr_extents
 * @free: free extents by start, augmented with the largest length below
 * @free_pages: pages in all free extents
 * @nr_extents: number of free extents
 */
struct bpbuf_heap {
	struct device *dev;
	struct page *base;
	dma_addr_t base_dma;
	unsigned long base_pfn;
	unsigned long npages;
	struct mutex lock;	/* the free extents */
	struct rb_root free;
	unsigned long free_pages;
	unsigned int nr_extents;
};

/**
 * struct bpbuf_range - pages handed out by bpbuf_heap_alloc()
 * @start: first page, counted from the start of the carve
 * @npages: number of pages
 * @spare: node kept for bpbuf_heap_free(), so that freeing never allocates
 */
struct bpbuf_range {
	unsigned long start;
	unsigned long npages;
	struct bpbuf_extent *spare;
};

struct bpbuf_heap_stats {
	u64 size;
	u64 free;
	u64 largest_free;
	unsigned int nr_extents;
};

int bpbuf_heap_init(struct bpbuf_heap *heap, struct device *dev, u64 size);
void bpbuf_heap_destroy(struct bpbuf_heap *heap);
int bpbuf_heap_alloc(struct bpbuf_heap *heap, unsigned long npages,
		     unsigned long align_pages, struct bpbuf_range *range);
void bpbuf_heap_free(struct bpbuf_heap *heap, struct bpbuf_range *range);
int bpbuf_heap_zero(struct bpbuf_heap *heap, const struct bpbuf_range *range);
void bpbuf_heap_stats(struct bpbuf_heap *heap, struct bpbuf_heap_stats *st);

static inline struct page *bpbuf_heap_page(const struct bpbuf_heap *heap,
					   unsigned long start)
{
	return nth_page(heap->base, start);
}

static inline dma_addr_t bpbuf_heap_dma(const struct bpbuf_heap *heap,
					unsigned long start)
{
	return heap->base_dma + ((dma_addr_t)start << PAGE_SHIFT);
}

#endif /* BPBUF_HEAP_H */
