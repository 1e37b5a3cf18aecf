/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf: the state of the one /dev/bpbuf device, shared by its files.
 */
#ifndef BPBUF_DEV_H
#define BPBUF_DEV_H

#include <asm/barrier.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>

#include "heap.h"
#include "heaps.h"
#include "mmap.h"

#define BPBUF_DRIVER_NAME	"bpbuf"
#define BPBUF_DRIVER_DESC	"Physically contiguous buffers as dma-buf file descriptors"
#define BPBUF_VERSION_MAJOR	0
#define BPBUF_VERSION_MINOR	7
#define BPBUF_VERSION_PATCHLEVEL	0

/* Largest alignment BPBUF_IOCTL_ALLOC accepts: one PUD on x86-64 */
#define BPBUF_MAX_ALIGN		SZ_1G

struct dentry;
struct bpbuf_heapnode;

/**
 * struct bpbuf_device - the module's state
 * @misc: /dev/bpbuf; its this_device is the default heap's device
 * @heaps: the heaps (heaps.c), fixed from load to unload
 * @bus_addr_unprivileged: BPBUF_IOCTL_BUS_ADDR without CAP_SYS_RAWIO
 * @pud_mappings: mmap() may use PUD entries (mmap.c), set at load only
 * @ready: set once @heaps are usable; opens fail before that
 *	(bpbuf_device_ready())
 * @buffers_lock: protects @buffers, @nr_buffers and @heap_buffers. Lock
 *	order: this, then
 *	a buffer's lock (debugfs shows each buffer under it); the heap's lock
 *	and the accounting lock are taken under neither.
 * @buffers: live buffers, for debugfs
 * @nr_buffers: number of live buffers
 * @heap_buffers: of those, how many each heap has, by heap id
 * @debugfs: the bpbuf debugfs directory
 * @heapnodes: each heap's /dev/dma_heap node (heapnode.c), by heap id, or
 *	NULL
 * @mapped: page-table entries user space mappings have inserted, by size
 *	(enum bpbuf_map_entry), for debugfs and the tests; no lock
 */
struct bpbuf_device {
	struct miscdevice misc;
	struct bpbuf_heaps heaps;
	bool bus_addr_unprivileged;
	bool pud_mappings;
	bool ready;
	struct mutex buffers_lock;	/* @buffers, the counts */
	struct list_head buffers;
	unsigned int nr_buffers;
	unsigned int heap_buffers[BPBUF_MAX_HEAPS];
	struct dentry *debugfs;
	struct bpbuf_heapnode *heapnodes[BPBUF_MAX_HEAPS];
	atomic64_t mapped[BPBUF_MAP_NR];
};

static inline struct bpbuf_device *bpbuf_device_of(struct file *file)
{
	return container_of(file->private_data, struct bpbuf_device, misc);
}

/*
 * The node appears before the heaps are carved (the default one needs the
 * misc device): its opens fail until this is true.
 */
static inline bool bpbuf_device_ready(struct bpbuf_device *bdev)
{
	/* pairs with bpbuf_init()'s release: the heaps are complete if true */
	return smp_load_acquire(&bdev->ready);
}

long bpbuf_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

void bpbuf_debugfs_init(struct bpbuf_device *bdev);
void bpbuf_debugfs_exit(struct bpbuf_device *bdev);

#endif /* BPBUF_DEV_H */
