/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf extents: the free space of the heap as extents of pages, and where a
 * buffer goes in it. Pure bookkeeping: no locks (the heap holds its own
 * around every call), no memory other than the nodes, no DMA. The KUnit
 * suite in tests/kmod/bpbuf_extent_test.c builds extent.c on its own.
 */
#ifndef BPBUF_EXTENT_H
#define BPBUF_EXTENT_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>

/**
 * enum bpbuf_extent_state - what is known of a free extent's contents
 * @EXTENT_CLEAN: zero, ready to hand out
 * @EXTENT_DIRTY: freed and not zeroed yet: zeroed when allocated, or by the
 *	zeroer first
 * @EXTENT_ZEROING: the zeroer is clearing it outside the heap's lock: no
 *	allocation may take it
 */
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

/**
 * struct bpbuf_extent - a run of free pages in one state
 * @rb: node in bpbuf_extents.tree, ordered by @start
 * @start: first page, counted from the start of the heap
 * @len: pages, at least one
 * @state: clean, dirty or being zeroed
 * @dirty: entry in bpbuf_extents.dirty while EXTENT_DIRTY
 * @max: the longest extents of the subtree under @rb, this one included
 */
struct bpbuf_extent {
	struct rb_node rb;
	unsigned long start;
	unsigned long len;
	enum bpbuf_extent_state state;
	struct list_head dirty;
	struct bpbuf_extent_max max;
};

/**
 * struct bpbuf_extents - the free extents of one heap
 * @tree: every free extent by start, augmented with @max. Neighbours in
 *	the same state are always merged, so the extents are the runs of
 *	pages in one state.
 * @dirty: the dirty extents, oldest first: what the zeroer takes next
 * @base_pfn: page frame number of page 0: alignment is of the physical
 *	address, which is what large page-table entries need
 * @npages: pages in the heap
 * @free_pages: pages in all free extents, whatever their state
 * @dirty_pages: free pages not known to be zero (dirty or being zeroed)
 * @nr: extents in @tree
 */
struct bpbuf_extents {
	struct rb_root tree;
	struct list_head dirty;
	unsigned long base_pfn;
	unsigned long npages;
	unsigned long free_pages;
	unsigned long dirty_pages;
	unsigned int nr;
};

void bpbuf_extents_init(struct bpbuf_extents *ex, unsigned long base_pfn,
			unsigned long npages, struct bpbuf_extent *all);
void bpbuf_extents_destroy(struct bpbuf_extents *ex);

bool bpbuf_extents_find(struct bpbuf_extents *ex, unsigned long npages,
			unsigned long align, unsigned long *start);
bool bpbuf_extents_find_edge(struct bpbuf_extents *ex, unsigned long npages,
			     unsigned long align, unsigned long *start);
void bpbuf_extents_take(struct bpbuf_extents *ex, unsigned long start,
			unsigned long npages, struct bpbuf_extent **tail,
			unsigned long *zero_start, unsigned long *zero_npages);
int bpbuf_extents_give(struct bpbuf_extents *ex, unsigned long start,
		       unsigned long npages, bool clean,
		       struct bpbuf_extent *spare);

struct bpbuf_extent *bpbuf_extents_zero_begin(struct bpbuf_extents *ex,
					      unsigned long max_pages,
					      struct bpbuf_extent **piece);
struct bpbuf_extent *bpbuf_extents_zero_end(struct bpbuf_extents *ex,
					    struct bpbuf_extent *z);

void bpbuf_extents_runs(struct bpbuf_extents *ex, unsigned long *largest,
			unsigned int *nr_runs);

static inline bool bpbuf_extents_have_dirty(const struct bpbuf_extents *ex)
{
	return !list_empty(&ex->dirty);
}

#endif /* BPBUF_EXTENT_H */
