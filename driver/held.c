// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf held ranges: the heap's quarantine. A range freed while something
 * outside bpbuf still holds references on its pages stays out of the free
 * extents until they are gone.
 *
 * Only a page map (pagemap.c) lets the kernel take such references: an
 * O_DIRECT or AIO transfer still in flight, a pipe that vmsplice() filled,
 * an skb that MSG_ZEROCOPY sent and the peer has not read. Reusing the
 * pages then would hand one program's I/O another's memory, and unloading
 * would give them back to their source under the I/O. So the range is
 * held, the module with it (rmmod says it is in use), and a worker looks
 * again every BPBUF_HELD_RECHECK until every page is down to the carve's
 * own reference. The range keeps its owner's charge until then.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "heap.h"

#define BPBUF_HELD_RECHECK	(HZ / 10)

/*
 * The block layer completes an O_DIRECT transfer (wakes the caller, or
 * posts its AIO event) before it drops the bio's page references: the raw
 * block device's blkdev_bio_end_io() on 6.1 to 7.2, iomap's (ext4, xfs)
 * on 6.1 and 6.12. So a buffer freed as soon as its read or write returned
 * can find them referenced for a moment yet, on another CPU. Release waits
 * that moment out: only references that outlast it hold the range.
 */
#define BPBUF_RELEASE_GRACE_MS	20

/*
 * Whether anything but the carve holds pages of @range. They passed
 * bpbuf_heap_pages_idle() at load, or page maps are off.
 */
static bool range_referenced(const struct bpbuf_heap *heap,
			     const struct bpbuf_range *range)
{
	return !bpbuf_heap_pages_idle(heap, range->start, range->npages);
}

static bool outlasts_grace(const struct bpbuf_heap *heap,
			   const struct bpbuf_range *range)
{
	ktime_t deadline = ktime_add_ms(ktime_get(), BPBUF_RELEASE_GRACE_MS);

	while (range_referenced(heap, range)) {
		if (ktime_after(ktime_get(), deadline))
			return true;
		usleep_range(100, 200);
	}
	return false;
}

/*
 * Give back the held ranges nothing references now, under the lock, and
 * count them in @held_released once they are back in the heap.
 */
static void held_release_idle(struct bpbuf_heap *heap)
{
	struct bpbuf_range *range, *next;
	unsigned long npages;

	mutex_lock(&heap->held_lock);
	list_for_each_entry_safe(range, next, &heap->held, held_node) {
		/* a scan of a held range reads each of its pages */
		cond_resched();
		if (range_referenced(heap, range))
			continue;
		list_del(&range->held_node);
		npages = range->npages;
		bpbuf_heap_free(heap, range, false);
		WRITE_ONCE(heap->nr_held, heap->nr_held - 1);
		WRITE_ONCE(heap->held_pages, heap->held_pages - npages);
		WRITE_ONCE(heap->held_released, heap->held_released + 1);
		/* bpbuf_held_exit() waits for the worker to return */
		module_put(THIS_MODULE);
	}
	mutex_unlock(&heap->held_lock);
}

static void held_recheck(struct work_struct *work)
{
	struct bpbuf_heap *heap = container_of(to_delayed_work(work),
					       struct bpbuf_heap, held_work);

	held_release_idle(heap);
	/* a range held meanwhile has scheduled this work itself */
	if (READ_ONCE(heap->nr_held))
		schedule_delayed_work(&heap->held_work, BPBUF_HELD_RECHECK);
}

/* For bpbuf_heap_reclaim_held(): read before the allocation that fails */
unsigned long bpbuf_heap_held_released(struct bpbuf_heap *heap)
{
	return READ_ONCE(heap->held_released);
}

/**
 * bpbuf_heap_reclaim_held - give back the held ranges whose pages were
 * released since the worker last looked, for an allocation that found no
 * room (or no quota: a held range keeps its charge)
 * @heap: the heap
 * @since: bpbuf_heap_held_released() before that allocation
 *
 * The worker may have given ranges back meanwhile, or be doing it now: the
 * lock waits for it, and what it gave back counts as much. It stays
 * scheduled for what is still held.
 *
 * Return: whether any range went back to the heap since @since (worth
 * another try).
 */
bool bpbuf_heap_reclaim_held(struct bpbuf_heap *heap, unsigned long since)
{
	held_release_idle(heap);
	return READ_ONCE(heap->held_released) != since;
}

/**
 * bpbuf_heap_free_referenced - give back a range a page map reached
 * @heap: the heap
 * @range: the range, which no mapping or fd of bpbuf reaches any more
 * @untouched: nothing but its zeroing wrote it (bpbuf_heap_free())
 *
 * The range goes back to the heap unless the kernel still holds its pages
 * past the grace a release gives I/O that is completing: then it is held
 * until they are released, and goes back dirty.
 *
 * Return: true when it was held.
 */
bool bpbuf_heap_free_referenced(struct bpbuf_heap *heap,
				struct bpbuf_range *range, bool untouched)
{
	if (!outlasts_grace(heap, range)) {
		bpbuf_heap_free(heap, range, untouched);
		return false;
	}
	/* the module stays: unloading would give the pages back under I/O */
	__module_get(THIS_MODULE);
	mutex_lock(&heap->held_lock);
	list_add_tail(&range->held_node, &heap->held);
	WRITE_ONCE(heap->nr_held, heap->nr_held + 1);
	WRITE_ONCE(heap->held_pages, heap->held_pages + range->npages);
	mutex_unlock(&heap->held_lock);
	schedule_delayed_work(&heap->held_work, BPBUF_HELD_RECHECK);
	return true;
}

/* Without the lock, which the worker holds while it scans held pages */
void bpbuf_held_stats(struct bpbuf_heap *heap, struct bpbuf_heap_stats *st)
{
	st->nr_held = READ_ONCE(heap->nr_held);
	st->held_bytes = (u64)READ_ONCE(heap->held_pages) << PAGE_SHIFT;
}

void bpbuf_held_init(struct bpbuf_heap *heap)
{
	mutex_init(&heap->held_lock);
	INIT_LIST_HEAD(&heap->held);
	heap->nr_held = 0;
	heap->held_pages = 0;
	heap->held_released = 0;
	INIT_DELAYED_WORK(&heap->held_work, held_recheck);
}

/* Unload: nothing is held (each held range holds a module reference) */
void bpbuf_held_exit(struct bpbuf_heap *heap)
{
	cancel_delayed_work_sync(&heap->held_work);
	WARN_ON(!list_empty(&heap->held));
	mutex_destroy(&heap->held_lock);
}
