/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf buffers: one range of the heap, exported as one dma-buf.
 */
#ifndef BPBUF_BUFFER_H
#define BPBUF_BUFFER_H

#include <linux/dma-buf.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "heap.h"

struct bpbuf_device;

/**
 * struct bpbuf_attachment - one importing device
 * @dev: the importer's device
 * @sgt: the buffer in as few segments as @dev takes (one, mostly), in one
 *	flat array
 * @seg: length of every segment of @sgt but the last
 * @dir: direction @sgt is mapped with
 * @mapped: @sgt is mapped for @dev
 * @need_sync: syncing @sgt for @dev does something (dma_need_sync())
 * @node: entry in bpbuf_buffer.attachments
 */
struct bpbuf_attachment {
	struct device *dev;
	struct sg_table sgt;
	size_t seg;
	enum dma_data_direction dir;
	bool mapped;
	bool need_sync;
	struct list_head node;
};

/**
 * struct bpbuf_buffer - a buffer and what it is mapped into
 * @bdev: the device whose heap it came from
 * @dmabuf: its dma-buf
 * @range: its pages in the heap
 * @size: size in bytes
 * @dma_addr: bus address for the heap's device
 * @pid: thread group that allocated it
 * @comm: name of the allocating task
 * @node: entry in bdev->buffers
 * @lock: protects @attachments, @vmap_count and @vaddr
 * @attachments: struct bpbuf_attachment, one per importing device
 * @nr_attachments: entries in @attachments
 * @nr_mapped: attachments currently mapped
 * @mmap_count: user-space VMAs mapping it
 * @vmap_count: in-kernel vmap()s
 * @vaddr: kernel address while vmapped
 * @touched: something may have written it since it was zeroed: a CPU
 *	mapping, an importer, or a device given its bus address. Set, never
 *	cleared; an untouched buffer goes back to the heap still clean.
 */
struct bpbuf_buffer {
	struct bpbuf_device *bdev;
	struct dma_buf *dmabuf;
	struct bpbuf_range range;
	size_t size;
	dma_addr_t dma_addr;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct list_head node;
	struct mutex lock;	/* attachments and vmap */
	struct list_head attachments;
	unsigned int nr_attachments;
	unsigned int nr_mapped;
	atomic_t mmap_count;
	unsigned int vmap_count;
	void *vaddr;
	bool touched;
};

struct dma_buf *bpbuf_buffer_create(struct bpbuf_device *bdev,
				    unsigned long npages,
				    unsigned long align_pages,
				    unsigned int flags, const char *name);
struct bpbuf_buffer *bpbuf_buffer_get(int fd);
void bpbuf_buffer_put(struct bpbuf_buffer *buf);

/* Before anything can reach the memory: it must be zeroed again once freed */
static inline void bpbuf_buffer_touch(struct bpbuf_buffer *buf)
{
	WRITE_ONCE(buf->touched, true);
}

void bpbuf_buffer_sync(struct bpbuf_buffer *buf, u64 offset, u64 length,
		       bool for_cpu, enum dma_data_direction dir);

#endif /* BPBUF_BUFFER_H */
