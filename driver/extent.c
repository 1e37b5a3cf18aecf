// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf extents: free space as an rbtree of extents, and the placement of
 * buffers in it.
 *
 * Each extent is clean (known to be zero), dirty (freed, not zeroed yet) or
 * being zeroed; neighbours in the same state are merged, neighbours in
 * different states are not. The tree is ordered by start and augmented with
 * the longest clean and the longest allocatable (clean or dirty) extent
 * below each node, so a search skips every subtree whose extents are too
 * short, and its cost follows the number of free extents (log n when they
 * fit), not the size of the heap.
 *
 * Placement takes clean memory at the bottom or the top of a run of free
 * memory if some fits, else clean or dirty memory there, else the lowest
 * room that cuts a run in two. Taking clean memory from the middle of a run
 * instead left no room for large buffers under churn (the VM test
 * zeroing.two_processes_churn). Memory is never handed out as clean unless
 * it is: the only way from dirty to clean is bpbuf_extents_zero_end(),
 * after the zeroer's memset.
 */
#include <linux/align.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/rbtree_augmented.h>
#include <linux/slab.h>

#include "extent.h"

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

static void extent_insert(struct bpbuf_extents *ex, struct bpbuf_extent *new)
{
	struct rb_node **link = &ex->tree.rb_node, *parent = NULL;
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
	rb_insert_augmented(&new->rb, &ex->tree, &extent_cb);
	ex->nr++;
}

static void extent_erase(struct bpbuf_extents *ex, struct bpbuf_extent *e)
{
	if (e->state == EXTENT_DIRTY)
		list_del(&e->dirty);
	rb_erase_augmented(&e->rb, &ex->tree, &extent_cb);
	ex->nr--;
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
static unsigned long run_fit(const struct bpbuf_extents *ex,
			     unsigned long start, unsigned long end,
			     unsigned long npages, unsigned long align)
{
	unsigned long pfn = ex->base_pfn + start;
	unsigned long first = start + (ALIGN(pfn, align) - pfn);

	if (first >= end || end - first < npages)
		return ULONG_MAX;
	return first;
}

/* Where an aligned run of npages starts as high as it can in [start, end) */
static unsigned long run_fit_high(const struct bpbuf_extents *ex,
				  unsigned long start, unsigned long end,
				  unsigned long npages, unsigned long align)
{
	unsigned long first, slack;

	if (end - start < npages)
		return ULONG_MAX;
	first = end - npages;
	slack = (ex->base_pfn + first) & (align - 1);
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
 * nothing free lies above, each as near the edge as the alignment allows
 * (exactly at it, if exact). ULONG_MAX when e is inside a run, or the
 * alignment does not fit.
 */
static unsigned long place_in(const struct bpbuf_extents *ex,
			      const struct bpbuf_extent *e,
			      unsigned long npages, unsigned long align,
			      bool exact)
{
	unsigned long end = e->start + e->len, start;

	if (!free_below(e)) {
		start = run_fit(ex, e->start, end, npages, align);
		if (start != ULONG_MAX && (!exact || start == e->start))
			return start;
	}
	if (!free_above(e)) {
		start = run_fit_high(ex, e->start, end, npages, align);
		if (start != ULONG_MAX && (!exact || start + npages == end))
			return start;
	}
	return ULONG_MAX;
}

/*
 * Lowest-addressed extent, clean or (!clean) clean or dirty, with room for
 * npages at the alignment at an edge of its run of free memory. The walk is
 * in order and enters only subtrees whose longest such extent is long
 * enough.
 */
static struct bpbuf_extent *find_fit(struct bpbuf_extents *ex,
				     unsigned long npages, unsigned long align,
				     bool clean, bool exact, unsigned long *start)
{
	struct rb_node *node = ex->tree.rb_node, *parent;

	if (subtree_max(node, clean) < npages)
		return NULL;
descend:
	while (subtree_max(node->rb_left, clean) >= npages)
		node = node->rb_left;
	for (;;) {
		struct bpbuf_extent *e = extent_of(node);

		if (e->len >= npages && extent_usable(e, clean)) {
			*start = place_in(ex, e, npages, align, exact);
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
static bool find_run(struct bpbuf_extents *ex, unsigned long npages,
		     unsigned long align, unsigned long *start)
{
	unsigned long run_start = 0, run_end = 0, inner = ULONG_MAX, at;
	bool in_run = false, bottom_edge = false;
	struct rb_node *node;

	for (node = rb_first(&ex->tree); node; node = rb_next(node)) {
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
		at = run_fit(ex, run_start, run_end, npages, align);
		if (at == ULONG_MAX)
			continue;
		if (bottom_edge) {
			*start = at;
			return true;
		}
		if (!free_above(e)) {
			*start = run_fit_high(ex, run_start, run_end, npages,
					      align);
			return true;
		}
		inner = min(inner, at);
	}
	*start = inner;
	return inner != ULONG_MAX;
}

/* The extent holding page start, or NULL */
static struct bpbuf_extent *extent_at(struct bpbuf_extents *ex,
				      unsigned long start)
{
	struct rb_node *node = ex->tree.rb_node;

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

/**
 * bpbuf_extents_find - where a buffer of @npages goes
 * @ex: the extents
 * @npages: pages, at least one
 * @align: alignment of the physical address in pages, a power of two
 * @start: out: the first page
 *
 * Clean memory at the edge of a run of free memory, else clean or dirty
 * memory there, else the lowest room that cuts a run in two; never memory
 * being zeroed.
 *
 * Return: whether there is room.
 */
bool bpbuf_extents_find(struct bpbuf_extents *ex, unsigned long npages,
			unsigned long align, unsigned long *start)
{
	return find_fit(ex, npages, align, true, false, start) ||
	       find_fit(ex, npages, align, false, false, start) ||
	       find_run(ex, npages, align, start);
}

/**
 * bpbuf_extents_find_edge - bpbuf_extents_find(), right at a run's edge only
 * @ex: the extents
 * @npages: pages, at least one
 * @align: alignment of the physical address in pages, a power of two
 * @start: out: the first page
 *
 * For a large alignment that is only a wish: room that would leave a hole
 * below or above the buffer (the slack of the alignment) is not worth it.
 *
 * Return: whether there is such room.
 */
bool bpbuf_extents_find_edge(struct bpbuf_extents *ex, unsigned long npages,
			     unsigned long align, unsigned long *start)
{
	return find_fit(ex, npages, align, true, true, start) ||
	       find_fit(ex, npages, align, false, true, start);
}

/**
 * bpbuf_extents_take - take pages bpbuf_extents_find() found
 * @ex: the extents
 * @start: first page, as bpbuf_extents_find() gave it
 * @npages: pages, as asked of bpbuf_extents_find()
 * @tail: a node for the back of an extent split in two; set to NULL once
 *	used, else left for the caller to free
 * @zero_start: out: first page that may be dirty
 * @zero_npages: out: pages from there that may be dirty; 0 when all were
 *	clean
 *
 * The range lies in clean and dirty extents only; the ones it covers whole
 * are freed.
 */
void bpbuf_extents_take(struct bpbuf_extents *ex, unsigned long start,
			unsigned long npages, struct bpbuf_extent **tail,
			unsigned long *zero_start, unsigned long *zero_npages)
{
	unsigned long end = start + npages;
	unsigned long dirty_lo = ULONG_MAX, dirty_hi = 0, dirty = 0;
	struct bpbuf_extent *e = extent_at(ex, start), *next;

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
			extent_insert(ex, *tail);
			*tail = NULL;
		} else if (e->start < start) {
			e->len = start - e->start;
			extent_changed(e);
		} else if (e_end > end) {
			e->start = end;
			e->len = e_end - end;
			extent_changed(e);
		} else {
			extent_erase(ex, e);
			kfree(e);
		}
		e = next;
	}
	ex->free_pages -= npages;
	ex->dirty_pages -= dirty;
	*zero_start = dirty ? dirty_lo : start;
	*zero_npages = dirty ? dirty_hi - dirty_lo : 0;
}

/**
 * bpbuf_extents_give - give pages back
 * @ex: the extents
 * @start: first page
 * @npages: pages
 * @clean: the pages are still zero (nothing but their zeroing wrote them)
 * @spare: a node for the range, used or freed
 *
 * The range joins adjacent extents in its own state.
 *
 * Return: 0, or -EINVAL when the range overlaps free space (the books are
 * wrong: nothing was changed).
 */
int bpbuf_extents_give(struct bpbuf_extents *ex, unsigned long start,
		       unsigned long npages, bool clean,
		       struct bpbuf_extent *spare)
{
	enum bpbuf_extent_state state = clean ? EXTENT_CLEAN : EXTENT_DIRTY;
	struct rb_node *node = ex->tree.rb_node, *prev_node = NULL;
	struct rb_node *next_node = NULL;
	struct bpbuf_extent *prev, *next, *e, *unused = spare;
	unsigned long end = start + npages;

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
	if ((prev && prev->start + prev->len > start) ||
	    (next && next->start < end) || end > ex->npages || end <= start) {
		kfree(spare);
		return -EINVAL;
	}

	if (prev && (prev->state != state || prev->start + prev->len != start))
		prev = NULL;
	if (next && (next->state != state || next->start != end))
		next = NULL;
	if (prev) {
		/*
		 * next goes first: erasing it may rotate prev, which computes
		 * prev's maxima from its length, and extent_changed() stops at
		 * the first node whose maxima are right, so prev must still
		 * have the length its ancestors' maxima were made with.
		 */
		if (next) {
			npages += next->len;
			extent_erase(ex, next);
			kfree(next);
		}
		prev->len += npages;
		extent_changed(prev);
	} else if (next) {
		next->start = start;
		next->len += npages;
		extent_changed(next);
	} else {
		unused->start = start;
		unused->len = npages;
		unused->state = state;
		if (state == EXTENT_DIRTY)
			list_add_tail(&unused->dirty, &ex->dirty);
		extent_insert(ex, unused);
		unused = NULL;
	}
	kfree(unused);
	ex->free_pages += end - start;
	if (!clean)
		ex->dirty_pages += end - start;
	return 0;
}

/**
 * bpbuf_extents_zero_begin - the next piece for the zeroer
 * @ex: the extents
 * @max_pages: longest piece
 * @piece: a node for a piece cut from the front of a longer extent; set to
 *	NULL once used
 *
 * The oldest dirty extent, or its front @max_pages (allocations take low
 * addresses first), becomes EXTENT_ZEROING: no allocation takes it until
 * bpbuf_extents_zero_end().
 *
 * Return: the extent being zeroed, or NULL when nothing is dirty.
 */
struct bpbuf_extent *bpbuf_extents_zero_begin(struct bpbuf_extents *ex,
					      unsigned long max_pages,
					      struct bpbuf_extent **piece)
{
	struct bpbuf_extent *e, *z;

	e = list_first_entry_or_null(&ex->dirty, struct bpbuf_extent, dirty);
	if (!e)
		return NULL;
	if (e->len <= max_pages) {
		list_del(&e->dirty);
		e->state = EXTENT_ZEROING;
		extent_changed(e);
		return e;
	}
	z = *piece;
	*piece = NULL;
	z->start = e->start;
	z->len = max_pages;
	z->state = EXTENT_ZEROING;
	e->start += max_pages;
	e->len -= max_pages;
	extent_changed(e);
	extent_insert(ex, z);
	return z;
}

/**
 * bpbuf_extents_zero_end - an extent the zeroer cleared is clean
 * @ex: the extents
 * @z: what bpbuf_extents_zero_begin() returned, now zero
 *
 * It joins its clean neighbours.
 *
 * Return: a node no longer in the tree, for the caller to reuse or free,
 * or NULL.
 */
struct bpbuf_extent *bpbuf_extents_zero_end(struct bpbuf_extents *ex,
					    struct bpbuf_extent *z)
{
	struct bpbuf_extent *prev = extent_of(rb_prev(&z->rb));
	struct bpbuf_extent *next = extent_of(rb_next(&z->rb));
	struct bpbuf_extent *unused = NULL, *e = z;

	ex->dirty_pages -= z->len;
	z->state = EXTENT_CLEAN;
	if (prev && prev->state == EXTENT_CLEAN &&
	    prev->start + prev->len == z->start) {
		extent_erase(ex, z);
		prev->len += z->len;
		unused = z;
		e = prev;
	}
	extent_changed(e);
	if (next && next->state == EXTENT_CLEAN &&
	    e->start + e->len == next->start) {
		extent_erase(ex, next);
		e->len += next->len;
		extent_changed(e);
		kfree(unused);
		unused = next;
	}
	return unused;
}

/**
 * bpbuf_extents_runs - the runs of free memory, clean and dirty alike
 * @ex: the extents
 * @largest: out: pages in the longest run
 * @nr_runs: out: number of runs
 *
 * Adjacent extents in different states are one run: one hole between
 * buffers. Linear in the number of extents: for statistics, not a fast path.
 */
void bpbuf_extents_runs(struct bpbuf_extents *ex, unsigned long *largest,
			unsigned int *nr_runs)
{
	unsigned long run_start = 0, run_end = 0, longest = 0;
	unsigned int runs = 0;
	struct rb_node *node;

	for (node = rb_first(&ex->tree); node; node = rb_next(node)) {
		struct bpbuf_extent *e = extent_of(node);

		if (!runs || e->start != run_end) {
			runs++;
			run_start = e->start;
		}
		run_end = e->start + e->len;
		longest = max(longest, run_end - run_start);
	}
	*largest = longest;
	*nr_runs = runs;
}

/**
 * bpbuf_extents_init - a heap of @npages, all free and clean
 * @ex: the extents
 * @base_pfn: page frame number of the heap's first page
 * @npages: pages in the heap, at least one
 * @all: the node for the one extent
 */
void bpbuf_extents_init(struct bpbuf_extents *ex, unsigned long base_pfn,
			unsigned long npages, struct bpbuf_extent *all)
{
	ex->tree = RB_ROOT;
	INIT_LIST_HEAD(&ex->dirty);
	ex->base_pfn = base_pfn;
	ex->npages = npages;
	ex->nr = 0;
	all->start = 0;
	all->len = npages;
	all->state = EXTENT_CLEAN;
	extent_insert(ex, all);
	ex->free_pages = npages;
	ex->dirty_pages = 0;
}

/* Free every node; the extents are unusable until initialised again */
void bpbuf_extents_destroy(struct bpbuf_extents *ex)
{
	struct bpbuf_extent *e, *tmp;

	rbtree_postorder_for_each_entry_safe(e, tmp, &ex->tree, rb)
		kfree(e);
	ex->tree = RB_ROOT;
	INIT_LIST_HEAD(&ex->dirty);
	ex->nr = 0;
}
