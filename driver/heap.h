/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf heap: one physically contiguous carve from CMA, split into buffers
 * by an extent allocator whose cost grows with the number of free extents,
 * never with the size of the heap. Freed memory is zeroed in the background
 * (or not at all if nothing could have written it), so that allocating
 * mostly takes memory that is already clean.
 */
#ifndef BPBUF_HEAP_H
#define BPBUF_HEAP_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/kthread.h>

#include "compat.h"

struct device;
struct bpbuf_extent;

/**
 * struct bpbuf_heap - the carve and its free extents
 * @dev: device the carve is mapped for (the misc device)
 * @base: first page of the carve
 * @base_dma: bus address of @base for @dev
 * @base_pfn: page frame number of @base
 * @npages: pages in the carve
 * @need_sync: the carve's mapping for @dev needs cache maintenance
 * @lock: protects everything below but @zeroed_alloc (atomic, added to
 *	outside the lock) and the zeroer's @zero_worker, @zero_work, @zero_wait
 * @free: free extents by start, each clean, dirty or being zeroed, augmented
 *	with the longest clean and the longest allocatable extent below
 * @dirty: dirty extents, oldest first: what the zeroer does next
 * @free_pages: pages in all free extents, whatever their state
 * @dirty_pages: free pages not known to be zero (dirty or being zeroed)
 * @nr_nodes: number of extents in @free
 * @zeroing: the extent the zeroer is clearing, outside the lock, or NULL
 * @zero_seq: bumped each time the zeroer finishes an extent
 * @zeroed_bg: pages the zeroer has cleared since load
 * @zeroed_alloc: pages allocations have cleared themselves since load
 * @freed_clean: pages freed untouched, so still clean, since load
 * @stopping: the heap is going away: the zeroer stops
 * @waiters: allocations waiting for @zeroing: the zeroer stops after it
 * @zero_worker: the background zeroer's thread, at the lowest priority
 * @zero_work: the background zeroer
 * @zero_wait: allocations waiting for @zeroing to be done
 */
struct bpbuf_heap {
	struct device *dev;
	struct page *base;
	dma_addr_t base_dma;
	unsigned long base_pfn;
	unsigned long npages;
	bool need_sync;
	struct mutex lock;	/* the free extents */
	struct rb_root free;
	struct list_head dirty;
	unsigned long free_pages;
	unsigned long dirty_pages;
	unsigned int nr_nodes;
	struct bpbuf_extent *zeroing;
	unsigned long zero_seq;
	u64 zeroed_bg;
	atomic64_t zeroed_alloc;
	u64 freed_clean;
	bool stopping;
	unsigned int waiters;
	struct kthread_worker *zero_worker;
	struct kthread_work zero_work;
	wait_queue_head_t zero_wait;
};

/**
 * struct bpbuf_range - pages handed out by bpbuf_heap_alloc()
 * @start: first page, counted from the start of the carve
 * @npages: number of pages
 * @zero_start: first page bpbuf_heap_zero() must clear
 * @zero_npages: pages it must clear from there; 0 when all were clean
 * @spare: node kept for bpbuf_heap_free(), so that freeing never allocates
 */
struct bpbuf_range {
	unsigned long start;
	unsigned long npages;
	unsigned long zero_start;
	unsigned long zero_npages;
	struct bpbuf_extent *spare;
};

/**
 * struct bpbuf_heap_stats - the heap's figures
 * @size: bytes in the carve
 * @free: bytes in no buffer, zeroed yet or not
 * @largest_free: longest run of free memory in bytes, zeroed yet or not
 * @clean: free bytes already zeroed
 * @nr_extents: runs of free memory (adjacent clean and dirty extents count
 *	as one run: they are one hole between buffers)
 * @zeroed_bg: bytes the background zeroer has cleared since load
 * @zeroed_alloc: bytes allocations found dirty and cleared since load
 * @freed_clean: bytes freed untouched since load, so never zeroed again
 */
struct bpbuf_heap_stats {
	u64 size;
	u64 free;
	u64 largest_free;
	u64 clean;
	unsigned int nr_extents;
	u64 zeroed_bg;
	u64 zeroed_alloc;
	u64 freed_clean;
};

int bpbuf_heap_init(struct bpbuf_heap *heap, struct device *dev, u64 size);
void bpbuf_heap_destroy(struct bpbuf_heap *heap);
int bpbuf_heap_alloc(struct bpbuf_heap *heap, unsigned long npages,
		     unsigned long align_pages, struct bpbuf_range *range);
void bpbuf_heap_free(struct bpbuf_heap *heap, struct bpbuf_range *range,
		     bool untouched);
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
