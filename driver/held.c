// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf held buffers: a buffer freed while something outside bpbuf still
 * holds references on its pages stays out of the heap until they are gone.
 *
 * Only a page map (pagemap.c) lets the kernel take such references: an
 * O_DIRECT or AIO transfer still in flight, a pipe that vmsplice() filled,
 * an skb that MSG_ZEROCOPY sent and the peer has not read. Reusing the
 * pages then would hand one program's I/O another's memory, and unloading
 * would give them back to CMA under the I/O. So the buffer is held, the
 * module with it (rmmod says it is in use), and a worker looks again
 * every BPBUF_HELD_RECHECK until every page is down to the carve's own
 * reference.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/workqueue.h>

#include "bpbuf_dev.h"
#include "buffer.h"
#include "compat.h"
#include "pagemap.h"

#define BPBUF_HELD_RECHECK	(HZ / 10)

/*
 * The block layer completes an O_DIRECT transfer (wakes the caller, or
 * posts its AIO event) before it drops the bio's page references: the raw
 * block device's blkdev_bio_end_io() on 6.1 to 7.2, iomap's (ext4, xfs)
 * on 6.1 and 6.12. So a buffer freed as soon as its read or write returned
 * can find them referenced for a moment yet, on another CPU. Release waits
 * that moment out: only references that outlast it hold the buffer.
 */
#define BPBUF_RELEASE_GRACE_MS	20

/*
 * Whether anything but the carve holds the pages of @buf, which no mapping
 * or fd reaches any more. They passed bpbuf_heap_pages_idle() at load, or
 * page maps are off.
 */
static bool pages_referenced(const struct bpbuf_buffer *buf)
{
	return !bpbuf_heap_pages_idle(&buf->bdev->heap, buf->range.start,
				      buf->range.npages);
}

/**
 * bpbuf_pages_outlast_release - whether @buf's pages stay referenced past
 * the grace a release gives I/O that is completing
 * @buf: a buffer no mapping or fd reaches any more
 */
bool bpbuf_pages_outlast_release(const struct bpbuf_buffer *buf)
{
	ktime_t deadline = ktime_add_ms(ktime_get(), BPBUF_RELEASE_GRACE_MS);

	while (pages_referenced(buf)) {
		if (ktime_after(ktime_get(), deadline))
			return true;
		usleep_range(100, 200);
	}
	return false;
}

/* Give back the held buffers nothing references now: how many */
static unsigned int held_release_idle(struct bpbuf_device *bdev)
{
	struct bpbuf_buffer *buf, *next;
	unsigned int released = 0;
	LIST_HEAD(idle);

	mutex_lock(&bdev->held_lock);
	list_for_each_entry_safe(buf, next, &bdev->held, node) {
		if (pages_referenced(buf))
			continue;
		list_move_tail(&buf->node, &idle);
		WRITE_ONCE(bdev->nr_held, bdev->nr_held - 1);
		bdev->held_bytes -= buf->size;
	}
	mutex_unlock(&bdev->held_lock);

	list_for_each_entry_safe(buf, next, &idle, node) {
		bpbuf_buffer_destroy(buf);
		/* bpbuf_held_exit() waits for the worker to return */
		module_put(THIS_MODULE);
		released++;
	}
	return released;
}

static void held_recheck(struct work_struct *work)
{
	struct bpbuf_device *bdev = container_of(to_delayed_work(work),
						 struct bpbuf_device,
						 held_work);
	held_release_idle(bdev);
	/* a buffer held meanwhile has scheduled this work itself */
	if (READ_ONCE(bdev->nr_held))
		schedule_delayed_work(&bdev->held_work, BPBUF_HELD_RECHECK);
}

/**
 * bpbuf_held_reclaim - give back the held buffers whose pages were released
 * since the worker last looked, for an allocation that found no room
 * @bdev: the device, which an open file keeps loaded
 *
 * Return: whether any went back to the heap (worth another try).
 */
bool bpbuf_held_reclaim(struct bpbuf_device *bdev)
{
	if (!READ_ONCE(bdev->nr_held))
		return false;
	/* the worker stays scheduled for what is still held */
	return held_release_idle(bdev) > 0;
}

/**
 * bpbuf_hold - keep a released buffer out of the heap while its pages are
 * referenced (bpbuf_pages_outlast_release() was true)
 * @buf: the buffer, off bdev->buffers, its lock destroyed
 */
void bpbuf_hold(struct bpbuf_buffer *buf)
{
	struct bpbuf_device *bdev = buf->bdev;

	/* the module stays: unloading would give the pages back to CMA */
	__module_get(THIS_MODULE);
	pr_info_ratelimited("a %zu KiB buffer of %s[%d] was freed while I/O or a socket still holds its pages: held out of the heap until they are released\n",
			    buf->size >> 10, buf->comm, buf->pid);
	mutex_lock(&bdev->held_lock);
	list_add_tail(&buf->node, &bdev->held);
	WRITE_ONCE(bdev->nr_held, bdev->nr_held + 1);
	bdev->held_bytes += buf->size;
	mutex_unlock(&bdev->held_lock);
	schedule_delayed_work(&bdev->held_work, BPBUF_HELD_RECHECK);
}

void bpbuf_held_init(struct bpbuf_device *bdev)
{
	INIT_DELAYED_WORK(&bdev->held_work, held_recheck);
}

/* Unload: no buffer is held (each holds a module reference) */
void bpbuf_held_exit(struct bpbuf_device *bdev)
{
	cancel_delayed_work_sync(&bdev->held_work);
	WARN_ON(!list_empty(&bdev->held));
}
