/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf heap: one physically contiguous carve from a memory source (CMA,
 * or movable memory where the kernel has no CMA: source.h), split into buffers
 * by the extent allocator (extent.h), whose cost grows with the number of
 * free extents, never with the size of the heap. Freed memory is zeroed in
 * the background (zero.c), or not at all if nothing could have written it,
 * so that allocating mostly takes memory that is already clean.
 */
#ifndef BPBUF_HEAP_H
#define BPBUF_HEAP_H

#include <linux/atomic.h>
#include <linux/dma-direction.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <bpbuf.h>

#include "compat.h"
#include "extent.h"
#include "source.h"

struct bpbuf_charge;
struct device;

/**
 * struct bpbuf_heap - the carve, its free extents and the zeroer
 * @id: its id in BPBUF_IOCTL_ALLOC and HEAP_INFO (0: the default heap)
 * @name: its name ("default" for id 0)
 * @dev: device the carve is mapped for (the misc device for the default
 *	heap, a device of its own for the others: heaps.c); its DMA mask
 *	bounds the carve
 * @carve: the memory, from the source chosen at load (source.h)
 * @need_sync: the carve's mapping for @dev needs cache maintenance
 * @fixed: the carve starts where its configuration said, the same on every
 *	boot (heaps= SIZE@ADDR, a device tree region's reg). Set at load.
 * @cpu_mode: the BPBUF_CPU_* mode of buffers whose allocation names none
 *	(cpumode.c). Set at load.
 * @pages_mappable: every page of the carve is an order-0 page with a
 *	reference of its own, as CMA gives them, so page maps (pagemap.c)
 *	may insert them; a carve the page allocator gave (one high-order page
 *	whose tail pages have no reference) is not. Set at load.
 * @lock: protects @extents and everything after it but @zeroed_alloc
 *	(atomic, added to outside the lock) and the zeroer's own @zero_worker,
 *	@zero_work and @zero_wait. Taken under no other bpbuf lock.
 * @extents: the free extents, clean, dirty or being zeroed (extent.c)
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
 * @held_lock: protects @held; @nr_held and @held_pages are written under
 *	it and read without it (figures, hints). Taken under no other bpbuf
 *	lock; @lock is taken under it to give a range back.
 * @held: ranges freed while their pages were still referenced (held.c)
 * @nr_held: entries in @held
 * @held_pages: pages in @held
 * @held_released: ranges given back from @held since load (written under
 *	@held_lock)
 * @held_work: looks at @held again, while it is not empty
 * @lock_taken: times @lock was taken (bpbuf_heap_lock()), since load
 * @lock_contended: of those, times it was held by someone else first
 * @carve_ns: how long load took to take the carve from its source
 * @clear_ns: how long load took to zero the carve
 */
struct bpbuf_heap {
	u32 id;
	char name[BPBUF_HEAP_NAME_LEN];
	struct device *dev;
	struct bpbuf_carve carve;
	bool need_sync;
	bool fixed;
	u32 cpu_mode;
	bool pages_mappable;
	struct mutex lock;	/* @extents, the zeroer's state, the counters */
	struct bpbuf_extents extents;
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
	struct mutex held_lock;	/* @held, @held_pages */
	struct list_head held;
	unsigned int nr_held;
	unsigned long held_pages;
	unsigned long held_released;
	struct delayed_work held_work;
	atomic64_t lock_taken;
	atomic64_t lock_contended;
	u64 carve_ns;
	u64 clear_ns;
};

/*
 * @heap's lock, counted: how contended it is shows in debugfs. Found held
 * is a hint, not a trylock: lockdep must see every acquisition as one that
 * waits, or the lock's place in the order is never checked.
 */
static inline void bpbuf_heap_lock(struct bpbuf_heap *heap)
{
	atomic64_inc(&heap->lock_taken);
	if (mutex_is_locked(&heap->lock))
		atomic64_inc(&heap->lock_contended);
	mutex_lock(&heap->lock);
}

/**
 * struct bpbuf_range - pages handed out by bpbuf_heap_alloc()
 * @start: first page, counted from the start of the carve
 * @npages: number of pages
 * @zero_start: first page bpbuf_heap_zero() must clear
 * @zero_npages: pages it must clear from there; 0 when all were clean
 * @spare: node kept for bpbuf_heap_free(), so that freeing never allocates
 * @charge: the owner's quota charge (account.c), or NULL: it stays with
 *	the memory, and is given back with it, held or not
 * @held_node: entry in the heap's @held while held (held.c)
 *
 * The heap allocates it and frees it when the pages are back.
 */
struct bpbuf_range {
	unsigned long start;
	unsigned long npages;
	unsigned long zero_start;
	unsigned long zero_npages;
	struct bpbuf_extent *spare;
	struct bpbuf_charge *charge;
	struct list_head held_node;
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
 * @bus_addr: bus address of the carve for the heap's device
 * @pfn: page frame number of its first page
 * @source: where the carve came from
 * @nr_held: ranges held out of the heap while their pages are referenced
 * @held_bytes: bytes in them
 * @pages_mappable: see struct bpbuf_heap
 * @lock_taken: see struct bpbuf_heap
 * @lock_contended: see struct bpbuf_heap
 * @carve_ns: see struct bpbuf_heap
 * @clear_ns: see struct bpbuf_heap
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
	dma_addr_t bus_addr;
	unsigned long pfn;
	enum bpbuf_source source;
	unsigned int nr_held;
	u64 held_bytes;
	bool pages_mappable;
	u64 lock_taken;
	u64 lock_contended;
	u64 carve_ns;
	u64 clear_ns;
};

int bpbuf_heap_init(struct bpbuf_heap *heap, u32 id, const char *name,
		    struct device *dev, const struct bpbuf_carve_spec *spec);
void bpbuf_heap_destroy(struct bpbuf_heap *heap);
struct bpbuf_range *bpbuf_heap_alloc(struct bpbuf_heap *heap,
				     unsigned long npages,
				     unsigned long align_pages, bool edge_only);
void bpbuf_heap_free(struct bpbuf_heap *heap, struct bpbuf_range *range,
		     bool untouched);
void bpbuf_heap_stats(struct bpbuf_heap *heap, struct bpbuf_heap_stats *st);
void bpbuf_heap_sync(struct bpbuf_heap *heap, u64 offset, u64 length,
		     bool for_cpu, enum dma_data_direction dir);
bool bpbuf_heap_pages_idle(const struct bpbuf_heap *heap, unsigned long start,
			   unsigned long n);

/* held.c: ranges freed while the kernel still holds their pages */
bool bpbuf_heap_free_referenced(struct bpbuf_heap *heap,
				struct bpbuf_range *range, bool untouched);
unsigned long bpbuf_heap_held_released(struct bpbuf_heap *heap);
bool bpbuf_heap_reclaim_held(struct bpbuf_heap *heap, unsigned long since);
void bpbuf_held_init(struct bpbuf_heap *heap);
void bpbuf_held_exit(struct bpbuf_heap *heap);
void bpbuf_held_stats(struct bpbuf_heap *heap, struct bpbuf_heap_stats *st);

/* zero.c: the zeroing, at allocation and in the background */
int bpbuf_heap_zero(struct bpbuf_heap *heap, const struct bpbuf_range *range);
int bpbuf_zeroer_start(struct bpbuf_heap *heap);
void bpbuf_zeroer_stop(struct bpbuf_heap *heap);
void bpbuf_zeroer_kick(struct bpbuf_heap *heap);
int bpbuf_zeroer_wait(struct bpbuf_heap *heap);
int bpbuf_zero_pages(struct bpbuf_heap *heap, unsigned long start,
		     unsigned long n, bool killable);

/* Bytes in the carve */
static inline u64 bpbuf_heap_size(const struct bpbuf_heap *heap)
{
	return (u64)heap->carve.npages << PAGE_SHIFT;
}

/* Whether the heap is at the address its configuration names (at load) */
static inline bool bpbuf_heap_fixed(const struct bpbuf_heap *heap)
{
	return heap->fixed;
}

/* How CPUs map buffers whose allocation says nothing (set at load) */
static inline u32 bpbuf_heap_cpu_mode(const struct bpbuf_heap *heap)
{
	return heap->cpu_mode;
}

/* Before the heap is anyone's: a mode bpbuf_cpu_modes() allows */
static inline void bpbuf_heap_set_cpu_mode(struct bpbuf_heap *heap, u32 mode)
{
	heap->cpu_mode = mode;
}

/* Whether page maps may insert the heap's pages (set at load) */
static inline bool bpbuf_heap_pages_mappable(const struct bpbuf_heap *heap)
{
	return heap->pages_mappable;
}

/* The device the carve is mapped for, whose bus addresses buffers report */
static inline struct device *bpbuf_heap_device(const struct bpbuf_heap *heap)
{
	return heap->dev;
}

/* Width of its device's DMA mask: the carve lies below 2^this */
static inline unsigned int bpbuf_heap_dma_bits(const struct bpbuf_heap *heap)
{
	return fls64(dma_get_mask(heap->dev));
}

static inline enum bpbuf_source bpbuf_heap_source(const struct bpbuf_heap *heap)
{
	return heap->carve.source;
}

static inline struct page *bpbuf_heap_page(const struct bpbuf_heap *heap,
					   unsigned long start)
{
	return nth_page(heap->carve.base, start);
}

/* The carve's pages are in the kernel's linear map (not no-map memory) */
static inline bool bpbuf_heap_linear(const struct bpbuf_heap *heap)
{
	return !heap->carve.vaddr;
}

/*
 * The kernel's address of pages [@start, @start + @n) of the carve, in the
 * linear map or the source's own mapping of no-map memory; NULL where
 * some are in highmem, with no address of their own.
 */
static inline void *bpbuf_heap_kaddr(const struct bpbuf_heap *heap,
				     unsigned long start, unsigned long n)
{
	struct page *page = bpbuf_heap_page(heap, start);

	if (!bpbuf_heap_linear(heap))
		return heap->carve.vaddr + ((size_t)start << PAGE_SHIFT);
	if (PageHighMem(page) || PageHighMem(nth_page(page, n - 1)))
		return NULL;
	return page_address(page);
}

/* Physical address of the carve's first byte */
static inline phys_addr_t bpbuf_heap_phys(const struct bpbuf_heap *heap)
{
	return page_to_phys(heap->carve.base);
}

static inline dma_addr_t bpbuf_heap_dma(const struct bpbuf_heap *heap,
					unsigned long start)
{
	return heap->carve.dma + ((dma_addr_t)start << PAGE_SHIFT);
}

#endif /* BPBUF_HEAP_H */
