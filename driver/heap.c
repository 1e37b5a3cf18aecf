// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf heap: the carve, and buffers cut from it under one lock.
 *
 * The carve is taken once, at load, with dma_alloc_pages() on the misc
 * device: for anything larger than the page allocator's largest block that
 * can only come from CMA. Buffers are then cut from it by the extent
 * allocator (extent.c), so allocating never waits for CMA to isolate or
 * migrate pages. Memory is never handed out unzeroed (zero.c).
 *
 * Free memory is free whatever its state: HEAP_INFO's free bytes, largest
 * free extent and number of free extents are about runs of free memory,
 * clean and dirty alike, so the heap is whole again as soon as every buffer
 * is freed, whether or not the zeroer has caught up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "heap.h"

/*
 * What the load error adds to the heap size for the cma= it suggests: the
 * CMA area also serves every other device's contiguous allocations, and it
 * places the carve at a multiple of 2^CONFIG_CMA_ALIGNMENT pages (1 MiB
 * with 4 KiB pages and the default 8, 16 MiB with 64 KiB pages).
 */
#define BPBUF_CMA_HEADROOM_MIB	16

int bpbuf_heap_alloc(struct bpbuf_heap *heap, unsigned long npages,
		     unsigned long align_pages, bool edge_only,
		     struct bpbuf_range *range)
{
	struct bpbuf_extent *tail, *spare;
	unsigned long start, seq;
	bool found, waited = false;
	int ret;

	/* both nodes up front: nothing can fail once the lock is held */
	tail = kmalloc(sizeof(*tail), GFP_KERNEL);
	if (!tail)
		return -ENOMEM;
	spare = kmalloc(sizeof(*spare), GFP_KERNEL);
	if (!spare) {
		ret = -ENOMEM;
		goto free_tail;
	}

	bpbuf_heap_lock(heap);
	for (;;) {
		found = edge_only ?
			bpbuf_extents_find_edge(&heap->extents, npages,
						align_pages, &start) :
			bpbuf_extents_find(&heap->extents, npages, align_pages,
					   &start);
		if (found || !heap->zeroing)
			break;
		/*
		 * The zeroer holds a piece that may be what is missing: wait
		 * for it, and keep the zeroer from taking the next one
		 * meanwhile, which could be missing just as much.
		 */
		seq = heap->zero_seq;
		heap->waiters++;
		waited = true;
		mutex_unlock(&heap->lock);
		ret = wait_event_killable(heap->zero_wait,
					  READ_ONCE(heap->zero_seq) != seq);
		bpbuf_heap_lock(heap);
		heap->waiters--;
		if (ret) {
			ret = -EINTR;
			goto unlock;
		}
	}
	ret = -ENOMEM;
	if (!found)
		goto unlock;

	range->start = start;
	range->npages = npages;
	bpbuf_extents_take(&heap->extents, start, npages, &tail,
			   &range->zero_start, &range->zero_npages);
	if (waited)
		bpbuf_zeroer_kick(heap);
	mutex_unlock(&heap->lock);

	kfree(tail);
	range->spare = spare;
	return 0;

unlock:
	if (waited)
		bpbuf_zeroer_kick(heap);
	mutex_unlock(&heap->lock);
	kfree(spare);
free_tail:
	kfree(tail);
	return ret;
}

/*
 * Give a range back. It is dirty unless untouched: nothing but the zeroing
 * at allocation ever wrote it (no CPU mapping, importer or bus address ever
 * reached it), and then it is still clean and needs no zeroing again.
 */
void bpbuf_heap_free(struct bpbuf_heap *heap, struct bpbuf_range *range,
		     bool untouched)
{
	int ret;

	bpbuf_heap_lock(heap);
	ret = bpbuf_extents_give(&heap->extents, range->start, range->npages,
				 untouched, range->spare);
	/* a range overlapping free space means the books are wrong */
	if (!WARN_ON(ret)) {
		if (untouched)
			heap->freed_clean += range->npages;
		else
			bpbuf_zeroer_kick(heap);
	}
	mutex_unlock(&heap->lock);
	range->spare = NULL;
}

/**
 * bpbuf_heap_sync - make bytes of the carve coherent for the heap's device
 * @heap: the heap
 * @offset: first byte, from the start of the carve
 * @length: bytes
 * @for_cpu: true before the CPU accesses them, false after
 * @dir: what the CPU does: DMA_TO_DEVICE writes, DMA_FROM_DEVICE reads
 *
 * Nothing when the heap's device snoops the caches.
 */
void bpbuf_heap_sync(struct bpbuf_heap *heap, u64 offset, u64 length,
		     bool for_cpu, enum dma_data_direction dir)
{
	if (!heap->need_sync)
		return;
	if (for_cpu)
		dma_sync_single_range_for_cpu(heap->dev, heap->base_dma, offset,
					      length, dir);
	else
		dma_sync_single_range_for_device(heap->dev, heap->base_dma,
						 offset, length, dir);
}

void bpbuf_heap_stats(struct bpbuf_heap *heap, struct bpbuf_heap_stats *st)
{
	struct bpbuf_extents *ex = &heap->extents;
	unsigned long largest;

	bpbuf_heap_lock(heap);
	bpbuf_extents_runs(ex, &largest, &st->nr_extents);
	st->free = (u64)ex->free_pages << PAGE_SHIFT;
	st->clean = (u64)(ex->free_pages - ex->dirty_pages) << PAGE_SHIFT;
	st->largest_free = (u64)largest << PAGE_SHIFT;
	st->zeroed_bg = heap->zeroed_bg << PAGE_SHIFT;
	st->freed_clean = heap->freed_clean << PAGE_SHIFT;
	mutex_unlock(&heap->lock);
	st->size = bpbuf_heap_size(heap);
	st->zeroed_alloc = (u64)atomic64_read(&heap->zeroed_alloc) << PAGE_SHIFT;
	st->bus_addr = heap->base_dma;
	st->pfn = ex->base_pfn;
	st->lock_taken = atomic64_read(&heap->lock_taken);
	st->lock_contended = atomic64_read(&heap->lock_contended);
	st->carve_ns = heap->carve_ns;
	st->clear_ns = heap->clear_ns;
}

static void carve_failed(u64 size)
{
	u64 mib = size >> 20, cma_mib = mib + BPBUF_CMA_HEADROOM_MIB;

	/*
	 * Without CMA (Debian's amd64 kernel) no boot option helps: bpbuf
	 * refuses to load rather than serve a heap of a few MiB.
	 */
	if (!IS_ENABLED(CONFIG_DMA_CMA))
		pr_err("cannot carve a %llu MiB heap: this kernel was built without CMA; use a kernel with CONFIG_CMA and CONFIG_DMA_CMA, booted with cma=%lluM or more\n",
		       mib, cma_mib);
	else
		pr_err("cannot carve a %llu MiB heap from CMA: boot with cma=%lluM or more on the kernel command line (and keep it free), or load with a smaller heap_size=\n",
		       mib, cma_mib);
}

/**
 * bpbuf_heap_pages_idle - whether nothing but the carve holds some of its pages
 * @heap: the heap
 * @start: first page, counted from the start of the carve
 * @n: pages
 *
 * Each page of a CMA carve has one reference of its own and is no part of
 * a compound page; a page table entry, a GUP pin or an skb fragment adds
 * to that. A carve the page allocator gave fails at once: its tail pages
 * have no reference (and 6.1's vm_insert_page() would map them anyway).
 */
bool bpbuf_heap_pages_idle(const struct bpbuf_heap *heap, unsigned long start,
			   unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct page *page = nth_page(heap->base, start + i);

		if (page_ref_count(page) != 1 || PageCompound(page))
			return false;
	}
	return true;
}

int bpbuf_heap_init(struct bpbuf_heap *heap, struct device *dev, u64 size)
{
	struct bpbuf_extent *all;
	u64 t0;
	int ret;

	if (!size || size > SIZE_MAX || !PAGE_ALIGNED(size))
		return -EINVAL;

	all = kmalloc(sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;

	mutex_init(&heap->lock);
	heap->dev = dev;
	heap->zeroing = NULL;
	heap->zero_seq = 0;
	heap->zeroed_bg = 0;
	atomic64_set(&heap->zeroed_alloc, 0);
	heap->freed_clean = 0;
	heap->stopping = false;
	heap->waiters = 0;
	heap->npages = size >> PAGE_SHIFT;
	/*
	 * No warning from CMA: carve_failed() says what to do. Small carves
	 * may come from the page allocator when CMA is short; they are just
	 * as contiguous, and just as much ours.
	 */
	atomic64_set(&heap->lock_taken, 0);
	atomic64_set(&heap->lock_contended, 0);
	t0 = ktime_get_ns();
	heap->base = dma_alloc_pages(dev, size, &heap->base_dma,
				     DMA_BIDIRECTIONAL,
				     GFP_KERNEL | __GFP_NOWARN);
	heap->carve_ns = ktime_get_ns() - t0;
	if (!heap->base) {
		carve_failed(size);
		ret = -ENOMEM;
		goto free_extent;
	}
	/*
	 * NULL is how dma_alloc_pages() fails, but 6.1 records the carve in
	 * DMA-API debug as a mapping whose error nobody checked, and
	 * complains when it is freed.
	 */
	ret = dma_mapping_error(dev, heap->base_dma);
	if (ret)
		goto free_carve;
	heap->need_sync = dma_need_sync(dev, heap->base_dma);
	heap->pages_mappable = bpbuf_heap_pages_idle(heap, 0, heap->npages);
	if (!heap->pages_mappable)
		pr_info("the heap's pages cannot be mapped one by one (not from CMA?): no page maps, O_DIRECT from buffers needs a copy\n");

	/*
	 * dma_alloc_pages() does not promise zeros: clear the carve once, here,
	 * so that every extent starts clean and the first allocations are as
	 * fast as the later ones.
	 */
	t0 = ktime_get_ns();
	ret = bpbuf_zero_pages(heap, 0, heap->npages, true);
	if (ret)
		goto free_carve;
	heap->clear_ns = ktime_get_ns() - t0;

	/* the free extents before the zeroer, which works on them */
	bpbuf_extents_init(&heap->extents, page_to_pfn(heap->base),
			   heap->npages, all);
	all = NULL;
	ret = bpbuf_zeroer_start(heap);
	if (ret)
		goto destroy_extents;
	return 0;

destroy_extents:
	bpbuf_extents_destroy(&heap->extents);
free_carve:
	dma_free_pages(dev, size, heap->base, heap->base_dma,
		       DMA_BIDIRECTIONAL);
free_extent:
	kfree(all);
	mutex_destroy(&heap->lock);
	return ret;
}

void bpbuf_heap_destroy(struct bpbuf_heap *heap)
{
	bpbuf_zeroer_stop(heap);

	/* every buffer holds a module reference, so all are back by now */
	WARN_ON(heap->extents.free_pages != heap->npages || heap->zeroing);
	bpbuf_extents_destroy(&heap->extents);
	dma_free_pages(heap->dev, bpbuf_heap_size(heap), heap->base,
		       heap->base_dma, DMA_BIDIRECTIONAL);
	mutex_destroy(&heap->lock);
}
