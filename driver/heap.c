// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf heap: the carve and the allocator inside it.
 *
 * The carve is taken once, at load, with dma_alloc_pages() on the misc
 * device: for anything larger than the page allocator's largest block that
 * can only come from CMA. Buffers are then cut from it here, so allocating
 * never waits for CMA to isolate or migrate pages.
 *
 * Free space is a set of extents in an rbtree ordered by start and augmented
 * with the longest extent below each node. A search skips every subtree
 * whose longest extent is too short, so its cost follows the number of free
 * extents (log n when they fit), not the size of the heap; the longest free
 * extent is the root's augmented value. Alignment is of the physical address,
 * which is what 2 MiB page-table entries need.
 *
 * Buffers are zeroed when handed out (bpbuf_heap_zero()), never on free, so
 * a background zeroer can later keep a second, "clean" set of extents here
 * without changing the callers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/rbtree_augmented.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "heap.h"

/* Zero this much between checks for rescheduling and fatal signals */
#define BPBUF_ZERO_CHUNK_PAGES	(SZ_1M >> PAGE_SHIFT)

struct bpbuf_extent {
	struct rb_node rb;
	unsigned long start;
	unsigned long len;
	unsigned long subtree_max;	/* longest len in this subtree */
};

#define extent_of(node) rb_entry_safe(node, struct bpbuf_extent, rb)

static inline unsigned long extent_len(struct bpbuf_extent *e)
{
	return e->len;
}

RB_DECLARE_CALLBACKS_MAX(static, extent_cb, struct bpbuf_extent, rb,
			 unsigned long, subtree_max, extent_len)

static void extent_insert(struct bpbuf_heap *heap, struct bpbuf_extent *new)
{
	struct rb_node **link = &heap->free.rb_node, *parent = NULL;
	struct bpbuf_extent *e;

	new->subtree_max = new->len;
	while (*link) {
		parent = *link;
		e = extent_of(parent);
		/* keep the path's maxima right before the rotations */
		if (e->subtree_max < new->len)
			e->subtree_max = new->len;
		link = new->start < e->start ? &parent->rb_left :
					       &parent->rb_right;
	}
	rb_link_node(&new->rb, parent, link);
	rb_insert_augmented(&new->rb, &heap->free, &extent_cb);
	heap->nr_extents++;
}

static void extent_erase(struct bpbuf_heap *heap, struct bpbuf_extent *e)
{
	rb_erase_augmented(&e->rb, &heap->free, &extent_cb);
	heap->nr_extents--;
}

/* e's len (or start, keeping the order) changed: fix the maxima above it */
static void extent_changed(struct bpbuf_extent *e)
{
	extent_cb_propagate(&e->rb, NULL);
}

static unsigned long subtree_max(struct rb_node *node)
{
	return node ? extent_of(node)->subtree_max : 0;
}

/* Where an aligned run of npages starts in e, or ULONG_MAX if it does not fit */
static unsigned long extent_fit(const struct bpbuf_heap *heap,
				const struct bpbuf_extent *e,
				unsigned long npages, unsigned long align)
{
	unsigned long pfn = heap->base_pfn + e->start;
	unsigned long start = e->start + (ALIGN(pfn, align) - pfn);

	if (start - e->start >= e->len || e->len - (start - e->start) < npages)
		return ULONG_MAX;
	return start;
}

/*
 * Lowest-addressed extent with room for npages at the alignment. The walk is
 * in order and enters only subtrees whose longest extent is long enough.
 */
static struct bpbuf_extent *find_fit(struct bpbuf_heap *heap,
				     unsigned long npages, unsigned long align,
				     unsigned long *start)
{
	struct rb_node *node = heap->free.rb_node, *parent;

	if (subtree_max(node) < npages)
		return NULL;
descend:
	while (subtree_max(node->rb_left) >= npages)
		node = node->rb_left;
	for (;;) {
		struct bpbuf_extent *e = extent_of(node);

		if (e->len >= npages) {
			*start = extent_fit(heap, e, npages, align);
			if (*start != ULONG_MAX)
				return e;
		}
		if (subtree_max(node->rb_right) >= npages) {
			node = node->rb_right;
			goto descend;
		}
		/* climb until we leave a left subtree: its parent is next */
		for (;;) {
			parent = rb_parent(node);
			if (!parent)
				return NULL;
			if (parent->rb_left == node)
				break;
			node = parent;
		}
		node = parent;
	}
}

int bpbuf_heap_alloc(struct bpbuf_heap *heap, unsigned long npages,
		     unsigned long align_pages, struct bpbuf_range *range)
{
	struct bpbuf_extent *e, *tail, *spare;
	unsigned long start, front, back;

	/* both nodes up front: nothing can fail once the lock is held */
	tail = kmalloc(sizeof(*tail), GFP_KERNEL);
	if (!tail)
		return -ENOMEM;
	spare = kmalloc(sizeof(*spare), GFP_KERNEL);
	if (!spare)
		goto free_tail;

	mutex_lock(&heap->lock);
	e = find_fit(heap, npages, align_pages, &start);
	if (!e) {
		mutex_unlock(&heap->lock);
		kfree(spare);
		goto free_tail;
	}

	front = start - e->start;
	back = e->len - front - npages;
	if (front && back) {
		e->len = front;
		extent_changed(e);
		tail->start = start + npages;
		tail->len = back;
		extent_insert(heap, tail);
		tail = NULL;
	} else if (front) {
		e->len = front;
		extent_changed(e);
	} else if (back) {
		e->start += npages;
		e->len = back;
		extent_changed(e);
	} else {
		extent_erase(heap, e);
		kfree(tail);
		tail = e;
	}
	heap->free_pages -= npages;
	mutex_unlock(&heap->lock);

	kfree(tail);
	range->start = start;
	range->npages = npages;
	range->spare = spare;
	return 0;

free_tail:
	kfree(tail);
	return -ENOMEM;
}

void bpbuf_heap_free(struct bpbuf_heap *heap, struct bpbuf_range *range)
{
	struct rb_node *node, *prev_node = NULL, *next_node = NULL;
	struct bpbuf_extent *prev, *next, *e, *unused = range->spare;
	unsigned long start = range->start, end = range->start + range->npages;

	mutex_lock(&heap->lock);
	node = heap->free.rb_node;
	while (node) {
		e = extent_of(node);
		if (e->start < start) {
			prev_node = node;
			node = node->rb_right;
		} else {
			next_node = node;
			node = node->rb_left;
		}
	}
	prev = extent_of(prev_node);
	next = extent_of(next_node);

	/* a range overlapping free space means the books are wrong */
	if (WARN_ON((prev && prev->start + prev->len > start) ||
		    (next && next->start < end)))
		goto unlock;

	if (prev && prev->start + prev->len == start) {
		prev->len += range->npages;
		if (next && next->start == end) {
			prev->len += next->len;
			extent_erase(heap, next);
			kfree(unused);
			unused = next;
		}
		extent_changed(prev);
	} else if (next && next->start == end) {
		next->start = start;
		next->len += range->npages;
		extent_changed(next);
	} else {
		unused->start = start;
		unused->len = range->npages;
		extent_insert(heap, unused);
		unused = NULL;
	}
	heap->free_pages += range->npages;
unlock:
	mutex_unlock(&heap->lock);
	kfree(unused);
	range->spare = NULL;
}

/*
 * Zero a range in chunks, so a huge buffer neither hogs the CPU nor keeps a
 * killed process waiting. The caller frees the range on -EINTR.
 */
int bpbuf_heap_zero(struct bpbuf_heap *heap, const struct bpbuf_range *range)
{
	unsigned long done, n, i;

	for (done = 0; done < range->npages; done += n) {
		struct page *page = bpbuf_heap_page(heap, range->start + done);

		if (fatal_signal_pending(current))
			return -EINTR;
		n = min(range->npages - done, BPBUF_ZERO_CHUNK_PAGES);
		if (!PageHighMem(page)) {
			memset(page_address(page), 0, n << PAGE_SHIFT);
		} else {
			for (i = 0; i < n; i++)
				clear_highpage(nth_page(page, i));
		}
		cond_resched();
	}
	/* write the zeros back for devices that do not snoop the caches */
	dma_sync_single_range_for_device(heap->dev, heap->base_dma,
					 range->start << PAGE_SHIFT,
					 range->npages << PAGE_SHIFT,
					 DMA_TO_DEVICE);
	return 0;
}

void bpbuf_heap_stats(struct bpbuf_heap *heap, struct bpbuf_heap_stats *st)
{
	mutex_lock(&heap->lock);
	st->size = (u64)heap->npages << PAGE_SHIFT;
	st->free = (u64)heap->free_pages << PAGE_SHIFT;
	st->largest_free = (u64)subtree_max(heap->free.rb_node) << PAGE_SHIFT;
	st->nr_extents = heap->nr_extents;
	mutex_unlock(&heap->lock);
}

int bpbuf_heap_init(struct bpbuf_heap *heap, struct device *dev, u64 size)
{
	struct bpbuf_extent *all;
	int ret;

	if (!size || size > SIZE_MAX || !PAGE_ALIGNED(size))
		return -EINVAL;

	all = kmalloc(sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;

	mutex_init(&heap->lock);
	heap->dev = dev;
	heap->free = RB_ROOT;
	heap->npages = size >> PAGE_SHIFT;
	/*
	 * No warning from CMA: the message below says what to do. Small
	 * carves may come from the page allocator when CMA is short; they are
	 * just as contiguous, and just as much ours.
	 */
	heap->base = dma_alloc_pages(dev, size, &heap->base_dma,
				     DMA_BIDIRECTIONAL,
				     GFP_KERNEL | __GFP_NOWARN);
	if (!heap->base) {
		/*
		 * Without CMA (Debian's amd64 kernel) no boot option helps: bpbuf
		 * refuses to load rather than serve a heap of a few MiB.
		 */
		if (!IS_ENABLED(CONFIG_DMA_CMA))
			pr_err("cannot carve a %llu MiB heap: this kernel was built without CMA; use a kernel with CONFIG_CMA and CONFIG_DMA_CMA, booted with cma=%lluM or more\n",
			       size >> 20, (size >> 20) + 16);
		else
			pr_err("cannot carve a %llu MiB heap from CMA: boot with cma=%lluM or more on the kernel command line (and keep it free), or load with a smaller heap_size=\n",
			       size >> 20, (size >> 20) + 16);
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
	heap->base_pfn = page_to_pfn(heap->base);

	all->start = 0;
	all->len = heap->npages;
	extent_insert(heap, all);
	heap->free_pages = heap->npages;
	return 0;

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
	struct bpbuf_extent *e, *tmp;

	/* every buffer holds a module reference, so all are back by now */
	WARN_ON(heap->free_pages != heap->npages || heap->nr_extents != 1);
	rbtree_postorder_for_each_entry_safe(e, tmp, &heap->free, rb)
		kfree(e);
	heap->free = RB_ROOT;
	dma_free_pages(heap->dev, (size_t)heap->npages << PAGE_SHIFT,
		       heap->base, heap->base_dma, DMA_BIDIRECTIONAL);
	mutex_destroy(&heap->lock);
}
