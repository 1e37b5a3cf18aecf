// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf heap: the carve, and buffers cut from it under one lock.
 *
 * The carve is taken once, at load, from a memory source (source.h): CMA
 * through the DMA API, or movable memory where the kernel has no CMA.
 * Buffers are then cut from it by the extent allocator (extent.c), so
 * allocating never waits for pages to be isolated or migrated. Memory is
 * never handed out unzeroed (zero.c).
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
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "account.h"
#include "heap.h"

/**
 * bpbuf_heap_alloc - cut a range from the heap
 * @heap: the heap
 * @npages: its size in pages
 * @align_pages: the alignment of its first page frame, in pages
 * @edge_only: only where placing it cuts no run of free memory in two
 *
 * Return: the range, which bpbuf_heap_zero() must clear before anyone sees
 * it, and bpbuf_heap_free() (or bpbuf_heap_free_referenced()) gives back;
 * ERR_PTR(-ENOMEM) when there is no room, ERR_PTR(-EINTR) when a fatal
 * signal stopped the wait for the zeroer.
 */
struct bpbuf_range *bpbuf_heap_alloc(struct bpbuf_heap *heap,
				     unsigned long npages,
				     unsigned long align_pages, bool edge_only)
{
	struct bpbuf_extent *tail, *spare;
	struct bpbuf_range *range;
	unsigned long start;
	bool found, waited = false;
	int ret = -ENOMEM;

	/* every node up front: nothing can fail once the lock is held */
	range = kzalloc(sizeof(*range), GFP_KERNEL);
	tail = kmalloc(sizeof(*tail), GFP_KERNEL);
	spare = kmalloc(sizeof(*spare), GFP_KERNEL);
	if (!range || !tail || !spare)
		goto free;

	bpbuf_heap_lock(heap);
	for (;;) {
		found = edge_only ?
			bpbuf_extents_find_edge(&heap->extents, npages,
						align_pages, &start) :
			bpbuf_extents_find(&heap->extents, npages, align_pages,
					   &start);
		if (found || !heap->zeroing)
			break;
		/* the zeroer holds a piece that may be what is missing */
		waited = true;
		ret = bpbuf_zeroer_wait(heap);
		if (ret)
			goto unlock;
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
	INIT_LIST_HEAD(&range->held_node);
	return range;

unlock:
	if (waited)
		bpbuf_zeroer_kick(heap);
	mutex_unlock(&heap->lock);
free:
	kfree(spare);
	kfree(tail);
	kfree(range);
	return ERR_PTR(ret);
}

/*
 * Give a range back, and its charge. It is dirty unless untouched: nothing
 * but the zeroing at allocation ever wrote it (no CPU mapping, importer or
 * bus address ever reached it), and then it is still clean and needs no
 * zeroing again. The range is freed.
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
	if (range->charge)
		bpbuf_account_uncharge(range->charge);
	kfree(range);
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
		dma_sync_single_range_for_cpu(heap->dev, heap->carve.dma, offset,
					      length, dir);
	else
		dma_sync_single_range_for_device(heap->dev, heap->carve.dma,
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
	st->bus_addr = heap->carve.dma;
	st->source = heap->carve.source;
	st->pages_mappable = heap->pages_mappable;
	st->pfn = ex->base_pfn;
	st->lock_taken = atomic64_read(&heap->lock_taken);
	st->lock_contended = atomic64_read(&heap->lock_contended);
	st->carve_ns = heap->carve_ns;
	st->clear_ns = heap->clear_ns;
	bpbuf_held_stats(heap, st);
}

/**
 * bpbuf_heap_pages_idle - whether nothing but the carve holds some of its pages
 * @heap: the heap
 * @start: first page, counted from the start of the carve
 * @n: pages
 *
 * Each page of a CMA or movable carve has one reference of its own and is
 * no part of a compound page; a page table entry, a GUP pin or an skb fragment adds
 * to that. A carve the page allocator gave fails at once: its tail pages
 * have no reference (and 6.1's vm_insert_page() would map them anyway).
 */
bool bpbuf_heap_pages_idle(const struct bpbuf_heap *heap, unsigned long start,
			   unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct page *page = bpbuf_heap_page(heap, start + i);

		if (page_ref_count(page) != 1 || PageCompound(page))
			return false;
	}
	return true;
}

/**
 * bpbuf_heap_init - carve a heap and start its zeroer
 * @heap: the heap, zeroed
 * @id: its id
 * @name: its name
 * @dev: the device to map the carve for; its DMA mask bounds the carve
 * @spec: its size, source and address (bpbuf_carve_take())
 *
 * Return: 0, -EINVAL for a bad size, or the source's failure
 * (bpbuf_carve_take(), which explains it in the kernel log).
 */
int bpbuf_heap_init(struct bpbuf_heap *heap, u32 id, const char *name,
		    struct device *dev, const struct bpbuf_carve_spec *spec)
{
	u64 size = spec->size;
	struct bpbuf_extent *all;
	u64 t0;
	int ret;

	if (!size || size > SIZE_MAX || !PAGE_ALIGNED(size))
		return -EINVAL;

	all = kmalloc(sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;

	mutex_init(&heap->lock);
	heap->id = id;
	strscpy(heap->name, name, sizeof(heap->name));
	heap->dev = dev;
	heap->cpu_mode = BPBUF_CPU_CACHED;
	heap->zeroing = NULL;
	heap->zero_seq = 0;
	heap->zeroed_bg = 0;
	atomic64_set(&heap->zeroed_alloc, 0);
	heap->freed_clean = 0;
	heap->stopping = false;
	heap->waiters = 0;
	atomic64_set(&heap->lock_taken, 0);
	atomic64_set(&heap->lock_contended, 0);
	t0 = ktime_get_ns();
	ret = bpbuf_carve_take(dev, spec, &heap->carve);
	heap->carve_ns = ktime_get_ns() - t0;
	if (ret)
		goto free_extent;
	heap->fixed = spec->at != BPBUF_CARVE_ANYWHERE;
	heap->need_sync = dma_need_sync(dev, heap->carve.dma);
	heap->pages_mappable = heap->carve.page_maps &&
			       bpbuf_heap_pages_idle(heap, 0, heap->carve.npages);
	if (!heap->pages_mappable)
		pr_info("heap %s: its pages cannot be mapped one by one (%s): no page maps, O_DIRECT from buffers needs a copy\n",
			name, heap->carve.page_maps ?
			"a high-order page, not CMA or movable memory" :
			"pages of reserved memory");

	/*
	 * No source promises zeros: clear the carve once, here, so that every
	 * extent starts clean and the first allocations are as fast as the
	 * later ones.
	 */
	t0 = ktime_get_ns();
	ret = bpbuf_zero_pages(heap, 0, heap->carve.npages, true);
	if (ret)
		goto give_carve;
	heap->clear_ns = ktime_get_ns() - t0;

	/* the free extents before the zeroer, which works on them */
	bpbuf_extents_init(&heap->extents, page_to_pfn(heap->carve.base),
			   heap->carve.npages, all);
	all = NULL;
	ret = bpbuf_zeroer_start(heap);
	if (ret)
		goto destroy_extents;
	bpbuf_held_init(heap);
	return 0;

destroy_extents:
	bpbuf_extents_destroy(&heap->extents);
give_carve:
	bpbuf_carve_give(dev, &heap->carve);
free_extent:
	kfree(all);
	mutex_destroy(&heap->lock);
	return ret;
}

void bpbuf_heap_destroy(struct bpbuf_heap *heap)
{
	bpbuf_held_exit(heap);
	bpbuf_zeroer_stop(heap);

	/* every buffer holds a module reference, so all are back by now */
	WARN_ON(heap->extents.free_pages != heap->carve.npages ||
		heap->zeroing);
	bpbuf_extents_destroy(&heap->extents);
	bpbuf_carve_give(heap->dev, &heap->carve);
	mutex_destroy(&heap->lock);
}
