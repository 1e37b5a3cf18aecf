// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf heap: the carve, the allocator inside it and the background zeroer.
 *
 * The carve is taken once, at load, with dma_alloc_pages() on the misc
 * device: for anything larger than the page allocator's largest block that
 * can only come from CMA. Buffers are then cut from it here, so allocating
 * never waits for CMA to isolate or migrate pages.
 *
 * Free space is a set of extents in an rbtree ordered by start. Each extent
 * is clean (known to be zero), dirty (freed, not zeroed yet) or being zeroed
 * by the zeroer; neighbours in the same state are merged, neighbours in
 * different states are not. The tree is augmented with the longest clean and
 * the longest allocatable (clean or dirty) extent below each node, so a
 * search skips every subtree whose extents are too short, and its cost
 * follows the number of free extents (log n when they fit), not the size of
 * the heap. Alignment is of the physical address, which is what 2 MiB
 * page-table entries need.
 *
 * Freeing a buffer makes its range dirty and kicks the zeroer, a kernel
 * thread at the lowest priority that clears dirty extents oldest first, a
 * few MiB at a time outside the lock, and makes them clean; a buffer that
 * nothing but its own zeroing ever wrote (no CPU mapping, importer or bus
 * address reached it) comes back clean. Allocation takes clean memory at the bottom or the top of a run of
 * free memory if some fits, else clean or dirty memory there, else the
 * lowest room that cuts a run in two; whatever dirty part it took is zeroed
 * before the buffer is handed out (bpbuf_heap_zero()). Memory is never
 * handed out unzeroed: the only way from dirty to clean is through a memset.
 *
 * Free memory is free whatever its state: HEAP_INFO's free bytes, largest
 * free extent and number of free extents are about runs of free memory,
 * clean and dirty alike, so the heap is whole again as soon as every buffer
 * is freed, whether or not the zeroer has caught up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/rbtree_augmented.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "heap.h"

/*
 * Zero this much between checks for rescheduling (and fatal signals): the
 * kernels bpbuf runs on mostly do not preempt kernel code, and the zeroer
 * must not hold up the program that just freed a buffer.
 */
#define BPBUF_ZERO_CHUNK_PAGES	(SZ_256K >> PAGE_SHIFT)
/* The zeroer takes this much out of a dirty extent at a time */
#define BPBUF_ZERO_PIECE_PAGES	(SZ_2M >> PAGE_SHIFT)

enum bpbuf_extent_state {
	EXTENT_CLEAN,
	EXTENT_DIRTY,
	EXTENT_ZEROING,
};

/* Longest extents in a subtree: clean ones, and clean or dirty ones */
struct bpbuf_extent_max {
	unsigned long clean;
	unsigned long avail;
};

struct bpbuf_extent {
	struct rb_node rb;
	unsigned long start;
	unsigned long len;
	enum bpbuf_extent_state state;
	struct list_head dirty;		/* in heap->dirty while EXTENT_DIRTY */
	struct bpbuf_extent_max max;	/* of this subtree */
};

#define extent_of(node) rb_entry_safe(node, struct bpbuf_extent, rb)

static struct bpbuf_extent_max extent_own_max(const struct bpbuf_extent *e)
{
	return (struct bpbuf_extent_max){
		.clean = e->state == EXTENT_CLEAN ? e->len : 0,
		.avail = e->state != EXTENT_ZEROING ? e->len : 0,
	};
}

static bool extent_compute_max(struct bpbuf_extent *e, bool exit)
{
	struct bpbuf_extent_max m = extent_own_max(e);
	struct bpbuf_extent *child;

	child = extent_of(e->rb.rb_left);
	if (child) {
		m.clean = max(m.clean, child->max.clean);
		m.avail = max(m.avail, child->max.avail);
	}
	child = extent_of(e->rb.rb_right);
	if (child) {
		m.clean = max(m.clean, child->max.clean);
		m.avail = max(m.avail, child->max.avail);
	}
	if (exit && e->max.clean == m.clean && e->max.avail == m.avail)
		return true;
	e->max = m;
	return false;
}

RB_DECLARE_CALLBACKS(static, extent_cb, struct bpbuf_extent, rb, max,
		     extent_compute_max)

static void extent_insert(struct bpbuf_heap *heap, struct bpbuf_extent *new)
{
	struct rb_node **link = &heap->free.rb_node, *parent = NULL;
	struct bpbuf_extent *e;

	new->max = extent_own_max(new);
	while (*link) {
		parent = *link;
		e = extent_of(parent);
		/* keep the path's maxima right before the rotations */
		e->max.clean = max(e->max.clean, new->max.clean);
		e->max.avail = max(e->max.avail, new->max.avail);
		link = new->start < e->start ? &parent->rb_left :
					       &parent->rb_right;
	}
	rb_link_node(&new->rb, parent, link);
	rb_insert_augmented(&new->rb, &heap->free, &extent_cb);
	heap->nr_nodes++;
}

static void extent_erase(struct bpbuf_heap *heap, struct bpbuf_extent *e)
{
	if (e->state == EXTENT_DIRTY)
		list_del(&e->dirty);
	rb_erase_augmented(&e->rb, &heap->free, &extent_cb);
	heap->nr_nodes--;
}

/* e's len, state (or start, keeping the order) changed: fix the maxima */
static void extent_changed(struct bpbuf_extent *e)
{
	extent_cb_propagate(&e->rb, NULL);
}

static unsigned long subtree_max(struct rb_node *node, bool clean)
{
	struct bpbuf_extent *e = extent_of(node);

	if (!e)
		return 0;
	return clean ? e->max.clean : e->max.avail;
}

static bool extent_usable(const struct bpbuf_extent *e, bool clean)
{
	return clean ? e->state == EXTENT_CLEAN : e->state != EXTENT_ZEROING;
}

/* Where an aligned run of npages starts in [start, end), or ULONG_MAX */
static unsigned long run_fit(const struct bpbuf_heap *heap,
			     unsigned long start, unsigned long end,
			     unsigned long npages, unsigned long align)
{
	unsigned long pfn = heap->base_pfn + start;
	unsigned long first = start + (ALIGN(pfn, align) - pfn);

	if (first >= end || end - first < npages)
		return ULONG_MAX;
	return first;
}

/* Where an aligned run of npages starts as high as it can in [start, end) */
static unsigned long run_fit_high(const struct bpbuf_heap *heap,
				  unsigned long start, unsigned long end,
				  unsigned long npages, unsigned long align)
{
	unsigned long first, slack;

	if (end - start < npages)
		return ULONG_MAX;
	first = end - npages;
	slack = (heap->base_pfn + first) & (align - 1);
	if (slack > first - start)
		return ULONG_MAX;
	return first - slack;
}

/* Whether free memory, in any state, lies right below / right above e */
static bool free_below(const struct bpbuf_extent *e)
{
	const struct bpbuf_extent *prev = extent_of(rb_prev(&e->rb));

	return prev && prev->start + prev->len == e->start;
}

static bool free_above(const struct bpbuf_extent *e)
{
	const struct bpbuf_extent *next = extent_of(rb_next(&e->rb));

	return next && e->start + e->len == next->start;
}

/*
 * Where in the extent e to put npages without cutting a run of free memory
 * in two: at its bottom when nothing free lies below it, at its top when
 * nothing free lies above. ULONG_MAX when e is inside a run, or the
 * alignment does not fit.
 */
static unsigned long place_in(const struct bpbuf_heap *heap,
			      const struct bpbuf_extent *e,
			      unsigned long npages, unsigned long align)
{
	unsigned long end = e->start + e->len, start = ULONG_MAX;

	if (!free_below(e))
		start = run_fit(heap, e->start, end, npages, align);
	if (start == ULONG_MAX && !free_above(e))
		start = run_fit_high(heap, e->start, end, npages, align);
	return start;
}

/*
 * Lowest-addressed extent, clean or (!clean) clean or dirty, with room for
 * npages at the alignment at an edge of its run of free memory. The walk is
 * in order and enters only subtrees whose longest such extent is long
 * enough.
 */
static struct bpbuf_extent *find_fit(struct bpbuf_heap *heap,
				     unsigned long npages, unsigned long align,
				     bool clean, unsigned long *start)
{
	struct rb_node *node = heap->free.rb_node, *parent;

	if (subtree_max(node, clean) < npages)
		return NULL;
descend:
	while (subtree_max(node->rb_left, clean) >= npages)
		node = node->rb_left;
	for (;;) {
		struct bpbuf_extent *e = extent_of(node);

		if (e->len >= npages && extent_usable(e, clean)) {
			*start = place_in(heap, e, npages, align);
			if (*start != ULONG_MAX)
				return e;
		}
		if (subtree_max(node->rb_right, clean) >= npages) {
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

/*
 * Room for npages in runs of adjacent clean and dirty extents (memory being
 * zeroed ends a run), when no single extent at the edge of a run had it: the
 * lowest room at the bottom or the top of a run of free memory, else the
 * lowest room anywhere, which cuts a run in two. Linear in the number of
 * extents; only taken when the searches of single extents failed.
 */
static bool find_run(struct bpbuf_heap *heap, unsigned long npages,
		     unsigned long align, unsigned long *start)
{
	unsigned long run_start = 0, run_end = 0, inner = ULONG_MAX, at;
	bool in_run = false, bottom_edge = false;
	struct rb_node *node;

	for (node = rb_first(&heap->free); node; node = rb_next(node)) {
		struct bpbuf_extent *e = extent_of(node);

		if (e->state == EXTENT_ZEROING) {
			in_run = false;
			continue;
		}
		if (!in_run || e->start != run_end) {
			in_run = true;
			run_start = e->start;
			/* nothing free, not even memory being zeroed, below it */
			bottom_edge = !free_below(e);
		}
		run_end = e->start + e->len;
		at = run_fit(heap, run_start, run_end, npages, align);
		if (at == ULONG_MAX)
			continue;
		if (bottom_edge) {
			*start = at;
			return true;
		}
		if (!free_above(e)) {
			*start = run_fit_high(heap, run_start, run_end, npages,
					      align);
			return true;
		}
		inner = min(inner, at);
	}
	*start = inner;
	return inner != ULONG_MAX;
}

/* The extent holding page start, or NULL */
static struct bpbuf_extent *extent_at(struct bpbuf_heap *heap,
				      unsigned long start)
{
	struct rb_node *node = heap->free.rb_node;

	while (node) {
		struct bpbuf_extent *e = extent_of(node);

		if (start < e->start)
			node = node->rb_left;
		else if (start >= e->start + e->len)
			node = node->rb_right;
		else
			return e;
	}
	return NULL;
}

/*
 * Take [range->start, + range->npages) out of the free extents, which cover
 * it with clean and dirty extents, and note in range the span of what was
 * dirty. At most one extent is split in two: *tail is the node for it, and
 * NULL once used.
 */
static void take_range(struct bpbuf_heap *heap, struct bpbuf_range *range,
		       struct bpbuf_extent **tail)
{
	unsigned long start = range->start, end = start + range->npages;
	unsigned long dirty_lo = ULONG_MAX, dirty_hi = 0, dirty = 0;
	struct bpbuf_extent *e = extent_at(heap, start), *next;

	while (e && e->start < end) {
		unsigned long e_end = e->start + e->len;
		unsigned long from = max(e->start, start), to = min(e_end, end);

		next = extent_of(rb_next(&e->rb));
		if (e->state == EXTENT_DIRTY) {
			dirty_lo = min(dirty_lo, from);
			dirty_hi = max(dirty_hi, to);
			dirty += to - from;
		}
		if (e->start < start && e_end > end) {
			/* the middle of e: e keeps the front, *tail the back */
			e->len = start - e->start;
			extent_changed(e);
			(*tail)->start = end;
			(*tail)->len = e_end - end;
			(*tail)->state = e->state;
			if (e->state == EXTENT_DIRTY)
				list_add(&(*tail)->dirty, &e->dirty);
			extent_insert(heap, *tail);
			*tail = NULL;
		} else if (e->start < start) {
			e->len = start - e->start;
			extent_changed(e);
		} else if (e_end > end) {
			e->start = end;
			e->len = e_end - end;
			extent_changed(e);
		} else {
			extent_erase(heap, e);
			kfree(e);
		}
		e = next;
	}
	heap->free_pages -= range->npages;
	heap->dirty_pages -= dirty;
	range->zero_start = dirty ? dirty_lo : start;
	range->zero_npages = dirty ? dirty_hi - dirty_lo : 0;
}

/* Run the zeroer if there is dirty memory; under the lock */
static void zeroer_kick(struct bpbuf_heap *heap)
{
	if (!list_empty(&heap->dirty) && !heap->stopping && !heap->waiters)
		kthread_queue_work(heap->zero_worker, &heap->zero_work);
}

int bpbuf_heap_alloc(struct bpbuf_heap *heap, unsigned long npages,
		     unsigned long align_pages, struct bpbuf_range *range)
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

	mutex_lock(&heap->lock);
	for (;;) {
		/*
		 * Clean memory if some lies at the edge of a run of free memory,
		 * else dirty memory there (zeroed below), else a run cut in
		 * two. Taking clean memory from the middle of a run instead
		 * left no room for large buffers under churn
		 * (zeroing.two_processes_churn).
		 */
		found = find_fit(heap, npages, align_pages, true, &start) ||
			find_fit(heap, npages, align_pages, false, &start) ||
			find_run(heap, npages, align_pages, &start);
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
		mutex_lock(&heap->lock);
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
	take_range(heap, range, &tail);
	if (waited)
		zeroer_kick(heap);
	mutex_unlock(&heap->lock);

	kfree(tail);
	range->spare = spare;
	return 0;

unlock:
	if (waited)
		zeroer_kick(heap);
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
	enum bpbuf_extent_state state = untouched ? EXTENT_CLEAN : EXTENT_DIRTY;
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

	/* the range joins neighbours in its own state only */
	if (prev && (prev->state != state || prev->start + prev->len != start))
		prev = NULL;
	if (next && (next->state != state || next->start != end))
		next = NULL;
	if (prev) {
		prev->len += range->npages;
		if (next) {
			prev->len += next->len;
			extent_erase(heap, next);
			kfree(unused);
			unused = next;
		}
		extent_changed(prev);
	} else if (next) {
		next->start = start;
		next->len += range->npages;
		extent_changed(next);
	} else {
		unused->start = start;
		unused->len = range->npages;
		unused->state = state;
		if (state == EXTENT_DIRTY)
			list_add_tail(&unused->dirty, &heap->dirty);
		extent_insert(heap, unused);
		unused = NULL;
	}
	heap->free_pages += range->npages;
	if (untouched) {
		heap->freed_clean += range->npages;
	} else {
		heap->dirty_pages += range->npages;
		zeroer_kick(heap);
	}
unlock:
	mutex_unlock(&heap->lock);
	kfree(unused);
	range->spare = NULL;
}

static void zero_pages(struct bpbuf_heap *heap, unsigned long start,
		       unsigned long n)
{
	struct page *page = bpbuf_heap_page(heap, start);
	unsigned long i;

	if (!PageHighMem(page) && !PageHighMem(nth_page(page, n - 1))) {
		memset(page_address(page), 0, n << PAGE_SHIFT);
	} else {
		for (i = 0; i < n; i++)
			clear_highpage(nth_page(page, i));
	}
}

/* Write the zeros back for devices that do not snoop the caches */
static void zero_sync(struct bpbuf_heap *heap, unsigned long start,
		      unsigned long n)
{
	if (heap->need_sync)
		dma_sync_single_range_for_device(heap->dev, heap->base_dma,
						 start << PAGE_SHIFT,
						 n << PAGE_SHIFT,
						 DMA_TO_DEVICE);
}

/* Zero n pages from start a chunk at a time; -EINTR if killable and killed */
static int zero_chunks(struct bpbuf_heap *heap, unsigned long start,
		       unsigned long n, bool killable)
{
	unsigned long done, len;

	for (done = 0; done < n; done += len) {
		if (killable && fatal_signal_pending(current))
			return -EINTR;
		len = min(n - done, BPBUF_ZERO_CHUNK_PAGES);
		zero_pages(heap, start + done, len);
		cond_resched();
	}
	zero_sync(heap, start, n);
	return 0;
}

/*
 * Zero what bpbuf_heap_alloc() took dirty, in chunks, so a huge buffer
 * neither hogs the CPU nor keeps a killed process waiting. The caller frees
 * the range on -EINTR.
 */
int bpbuf_heap_zero(struct bpbuf_heap *heap, const struct bpbuf_range *range)
{
	if (!range->zero_npages)
		return 0;
	atomic64_add(range->zero_npages, &heap->zeroed_alloc);
	return zero_chunks(heap, range->zero_start, range->zero_npages, true);
}

/* z, zeroed, becomes clean and joins its clean neighbours; returns a node */
static struct bpbuf_extent *extent_cleaned(struct bpbuf_heap *heap,
					   struct bpbuf_extent *z)
{
	struct bpbuf_extent *prev = extent_of(rb_prev(&z->rb));
	struct bpbuf_extent *next = extent_of(rb_next(&z->rb));
	struct bpbuf_extent *unused = NULL, *e = z;

	z->state = EXTENT_CLEAN;
	if (prev && prev->state == EXTENT_CLEAN &&
	    prev->start + prev->len == z->start) {
		extent_erase(heap, z);
		prev->len += z->len;
		unused = z;
		e = prev;
	}
	extent_changed(e);
	if (next && next->state == EXTENT_CLEAN &&
	    e->start + e->len == next->start) {
		extent_erase(heap, next);
		e->len += next->len;
		extent_changed(e);
		kfree(unused);
		unused = next;
	}
	return unused;
}

/*
 * The zeroer: takes the oldest dirty extent a piece at a time, clears the
 * piece outside the lock (allocations meanwhile take other extents, or wait
 * for it on zero_wait when nothing else fits) and makes it clean.
 */
static void bpbuf_heap_zero_work(struct kthread_work *work)
{
	struct bpbuf_heap *heap = container_of(work, struct bpbuf_heap,
					       zero_work);
	struct bpbuf_extent *piece = NULL, *e, *z;
	unsigned long n;

	for (;;) {
		if (!piece) {
			/* without it, allocations zero what is left */
			piece = kmalloc(sizeof(*piece), GFP_KERNEL);
			if (!piece)
				return;
		}
		mutex_lock(&heap->lock);
		e = list_first_entry_or_null(&heap->dirty, struct bpbuf_extent,
					     dirty);
		/* waiting allocations take what is left themselves */
		if (!e || heap->stopping || heap->waiters) {
			mutex_unlock(&heap->lock);
			break;
		}
		n = min(e->len, BPBUF_ZERO_PIECE_PAGES);
		if (n == e->len) {
			list_del(&e->dirty);
			e->state = EXTENT_ZEROING;
			extent_changed(e);
			z = e;
		} else {
			/* the front piece: allocations take low addresses */
			z = piece;
			piece = NULL;
			z->start = e->start;
			z->len = n;
			z->state = EXTENT_ZEROING;
			e->start += n;
			e->len -= n;
			extent_changed(e);
			extent_insert(heap, z);
		}
		heap->zeroing = z;
		mutex_unlock(&heap->lock);

		zero_chunks(heap, z->start, z->len, false);

		mutex_lock(&heap->lock);
		heap->dirty_pages -= z->len;
		heap->zeroed_bg += z->len;
		e = extent_cleaned(heap, z);
		heap->zeroing = NULL;
		heap->zero_seq++;
		mutex_unlock(&heap->lock);
		wake_up_all(&heap->zero_wait);

		if (!piece)
			piece = e;
		else
			kfree(e);
		cond_resched();
	}
	kfree(piece);
}

void bpbuf_heap_stats(struct bpbuf_heap *heap, struct bpbuf_heap_stats *st)
{
	unsigned long run_start = 0, run_end = 0, largest = 0;
	unsigned int runs = 0;
	struct rb_node *node;

	mutex_lock(&heap->lock);
	/* runs of free memory, clean and dirty alike: linear, not a fast path */
	for (node = rb_first(&heap->free); node; node = rb_next(node)) {
		struct bpbuf_extent *e = extent_of(node);

		if (!runs || e->start != run_end) {
			runs++;
			run_start = e->start;
		}
		run_end = e->start + e->len;
		largest = max(largest, run_end - run_start);
	}
	st->size = (u64)heap->npages << PAGE_SHIFT;
	st->free = (u64)heap->free_pages << PAGE_SHIFT;
	st->clean = (u64)(heap->free_pages - heap->dirty_pages) << PAGE_SHIFT;
	st->largest_free = (u64)largest << PAGE_SHIFT;
	st->nr_extents = runs;
	st->zeroed_bg = heap->zeroed_bg << PAGE_SHIFT;
	st->freed_clean = heap->freed_clean << PAGE_SHIFT;
	mutex_unlock(&heap->lock);
	st->zeroed_alloc = (u64)atomic64_read(&heap->zeroed_alloc) << PAGE_SHIFT;
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
	INIT_LIST_HEAD(&heap->dirty);
	kthread_init_work(&heap->zero_work, bpbuf_heap_zero_work);
	init_waitqueue_head(&heap->zero_wait);
	heap->zeroing = NULL;
	heap->zero_seq = 0;
	heap->zeroed_bg = 0;
	atomic64_set(&heap->zeroed_alloc, 0);
	heap->freed_clean = 0;
	heap->stopping = false;
	heap->waiters = 0;
	heap->nr_nodes = 0;
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
	heap->need_sync = dma_need_sync(dev, heap->base_dma);

	/*
	 * dma_alloc_pages() does not promise zeros: clear the carve once, here,
	 * so that every extent starts clean and the first allocations are as
	 * fast as the later ones.
	 */
	ret = zero_chunks(heap, 0, heap->npages, true);
	if (ret)
		goto free_carve;

	/* niced: freeing must not make the program that freed wait for it */
	heap->zero_worker = kthread_create_worker(0, "bpbuf-zero");
	if (IS_ERR(heap->zero_worker)) {
		ret = PTR_ERR(heap->zero_worker);
		goto free_carve;
	}
	sched_set_normal(heap->zero_worker->task, MAX_NICE);

	all->start = 0;
	all->len = heap->npages;
	all->state = EXTENT_CLEAN;
	extent_insert(heap, all);
	heap->free_pages = heap->npages;
	heap->dirty_pages = 0;
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

	/* no buffer is left to free, so nothing queues the zeroer again */
	mutex_lock(&heap->lock);
	heap->stopping = true;
	mutex_unlock(&heap->lock);
	kthread_cancel_work_sync(&heap->zero_work);
	kthread_destroy_worker(heap->zero_worker);

	/* every buffer holds a module reference, so all are back by now */
	WARN_ON(heap->free_pages != heap->npages || heap->zeroing);
	rbtree_postorder_for_each_entry_safe(e, tmp, &heap->free, rb)
		kfree(e);
	heap->free = RB_ROOT;
	dma_free_pages(heap->dev, (size_t)heap->npages << PAGE_SHIFT,
		       heap->base, heap->base_dma, DMA_BIDIRECTIONAL);
	mutex_destroy(&heap->lock);
}
