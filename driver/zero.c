// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf zeroing: every buffer is handed out zeroed, and freed memory is
 * cleared in the background so that allocating mostly finds it clean.
 *
 * Freeing a buffer makes its range dirty and kicks the zeroer, a kernel
 * thread at the lowest priority that clears dirty extents oldest first, a
 * few MiB at a time outside the heap's lock, and makes them clean; a buffer
 * that nothing but its own zeroing ever wrote (no CPU mapping, importer or
 * bus address reached it) comes back clean and is never cleared again.
 * Whatever dirty part an allocation takes it clears itself
 * (bpbuf_heap_zero()) before the buffer is handed out.
 */
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
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

static void clear_pages_at(struct bpbuf_heap *heap, unsigned long start,
			   unsigned long n)
{
	void *kaddr = bpbuf_heap_kaddr(heap, start, n);
	unsigned long i;

	if (kaddr) {
		memset(kaddr, 0, n << PAGE_SHIFT);
		return;
	}
	for (i = 0; i < n; i++)
		clear_highpage(bpbuf_heap_page(heap, start + i));
}

/**
 * bpbuf_zero_pages - zero pages of the carve, a chunk at a time
 * @heap: the heap
 * @start: first page
 * @n: pages
 * @killable: give up when the caller gets a fatal signal
 *
 * The zeros are written back for devices that do not snoop the caches.
 *
 * Return: 0, or -EINTR when @killable and killed (partly zeroed).
 */
int bpbuf_zero_pages(struct bpbuf_heap *heap, unsigned long start,
		     unsigned long n, bool killable)
{
	unsigned long done, len;

	for (done = 0; done < n; done += len) {
		if (killable && fatal_signal_pending(current))
			return -EINTR;
		len = min(n - done, BPBUF_ZERO_CHUNK_PAGES);
		clear_pages_at(heap, start + done, len);
		cond_resched();
	}
	bpbuf_heap_sync(heap, (u64)start << PAGE_SHIFT, (u64)n << PAGE_SHIFT,
			false, DMA_TO_DEVICE);
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
	return bpbuf_zero_pages(heap, range->zero_start, range->zero_npages,
				true);
}

/* Run the zeroer if there is dirty memory; under the heap's lock */
void bpbuf_zeroer_kick(struct bpbuf_heap *heap)
{
	lockdep_assert_held(&heap->lock);
	if (bpbuf_extents_have_dirty(&heap->extents) && !heap->stopping &&
	    !heap->waiters)
		kthread_queue_work(heap->zero_worker, &heap->zero_work);
}

/**
 * bpbuf_zeroer_wait - wait for the piece the zeroer is clearing
 * @heap: the heap, locked, with a piece being zeroed (@heap->zeroing); the
 *	lock is dropped while waiting and held again on return
 *
 * For an allocation that found no room: the piece may be what is missing.
 * The zeroer takes no next piece until the waiters are gone (it could be
 * missing just as much); the caller kicks it (bpbuf_zeroer_kick()) when it
 * is done with the heap.
 *
 * Return: 0 once the piece is clean, -EINTR on a fatal signal.
 */
int bpbuf_zeroer_wait(struct bpbuf_heap *heap)
{
	unsigned long seq = heap->zero_seq;
	int ret;

	lockdep_assert_held(&heap->lock);
	heap->waiters++;
	mutex_unlock(&heap->lock);
	ret = wait_event_killable(heap->zero_wait,
				  READ_ONCE(heap->zero_seq) != seq);
	bpbuf_heap_lock(heap);
	heap->waiters--;
	return ret ? -EINTR : 0;
}

/*
 * The zeroer: takes the oldest dirty extent a piece at a time, clears the
 * piece outside the lock (allocations meanwhile take other extents, or wait
 * for it on zero_wait when nothing else fits) and makes it clean.
 */
static void bpbuf_zeroer_work(struct kthread_work *work)
{
	struct bpbuf_heap *heap = container_of(work, struct bpbuf_heap,
					       zero_work);
	struct bpbuf_extent *piece = NULL, *unused, *z;

	for (;;) {
		if (!piece) {
			/* without it, allocations zero what is left */
			piece = kmalloc(sizeof(*piece), GFP_KERNEL);
			if (!piece)
				return;
		}
		bpbuf_heap_lock(heap);
		/* waiting allocations take what is left themselves */
		z = NULL;
		if (!heap->stopping && !heap->waiters)
			z = bpbuf_extents_zero_begin(&heap->extents,
						     BPBUF_ZERO_PIECE_PAGES,
						     &piece);
		heap->zeroing = z;
		mutex_unlock(&heap->lock);
		if (!z)
			break;

		bpbuf_zero_pages(heap, z->start, z->len, false);

		bpbuf_heap_lock(heap);
		heap->zeroed_bg += z->len;
		unused = bpbuf_extents_zero_end(&heap->extents, z);
		heap->zeroing = NULL;
		heap->zero_seq++;
		mutex_unlock(&heap->lock);
		wake_up_all(&heap->zero_wait);

		if (!piece)
			piece = unused;
		else
			kfree(unused);
		cond_resched();
	}
	kfree(piece);
}

/* The zeroer's thread, niced: freeing must not make the freer wait for it */
int bpbuf_zeroer_start(struct bpbuf_heap *heap)
{
	kthread_init_work(&heap->zero_work, bpbuf_zeroer_work);
	init_waitqueue_head(&heap->zero_wait);
	heap->zero_worker = kthread_create_worker(0, "bpbuf-zero/%u", heap->id);
	if (IS_ERR(heap->zero_worker))
		return PTR_ERR(heap->zero_worker);
	sched_set_normal(heap->zero_worker->task, MAX_NICE);
	return 0;
}

/* No buffer is left to free, so nothing queues the zeroer again */
void bpbuf_zeroer_stop(struct bpbuf_heap *heap)
{
	bpbuf_heap_lock(heap);
	heap->stopping = true;
	mutex_unlock(&heap->lock);
	kthread_cancel_work_sync(&heap->zero_work);
	kthread_destroy_worker(heap->zero_worker);
}
