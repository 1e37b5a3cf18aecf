/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf buffers: one range of the heap, exported as one dma-buf. The one
 * way to make them is bpbuf_buffer_alloc(), for BPBUF_IOCTL_ALLOC and the
 * dma-heap node alike.
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

struct bpbuf_charge;
struct bpbuf_device;
struct seq_file;

/**
 * struct bpbuf_attachment - one device the buffer is laid out for (attach.c):
 * a dma-buf importer, or a device bpbuf maps it for itself (devmap.c)
 * @dev: the importer's device
 * @sgt: the buffer in as few segments as @dev takes (one, mostly), in one
 *	flat array; set up at attach, then only mapped and unmapped
 * @seg: length of every segment of @sgt but the last
 * @dir: direction @sgt is mapped with
 * @mapped: @sgt is mapped for @dev
 * @need_sync: syncing @sgt for @dev does something (dma_need_sync())
 * @node: entry in bpbuf_buffer.attachments
 *
 * @dir, @mapped and @need_sync change under the buffer's lock, which the
 * syncs and debugfs hold while they read them.
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
 * @bdev: the device
 * @heap: the heap it came from
 * @dmabuf: its dma-buf
 * @range: its pages in the heap, and its uid's quota charge (account.c),
 *	which go back together when it is released (held.c: or later)
 * @page: the first of them
 * @size: size in bytes
 * @dma_addr: bus address for the heap's device
 * @cpu_mode: how every CPU mapping of it maps it, a BPBUF_CPU_* mode
 *	(cpumode.c)
 * @pid: thread group that allocated it
 * @comm: name of the allocating task
 * @node: entry in bdev->buffers, under bdev->buffers_lock
 * @lock: protects @attachments, @nr_attachments, @nr_mapped, @vmap_count,
 *	@vaddr and the attachments' mapping state. Taken after
 *	bdev->buffers_lock (debugfs walks the buffers under it), never before.
 * @attachments: struct bpbuf_attachment, one per importing device
 * @nr_attachments: entries in @attachments
 * @nr_mapped: attachments currently mapped
 * @mmap_count: user-space VMAs mapping it (atomic: VMA open and close run
 *	under the mm's locks, not ours)
 * @vmap_count: in-kernel vmap()s
 * @vaddr: kernel address while vmapped
 * @touched: something may have written it since it was zeroed: a CPU
 *	mapping, an importer, or a device given its bus address. Set, never
 *	cleared; an untouched buffer goes back to the heap still clean.
 * @page_mapped: a page map (pagemap.c) was opened for it, so the kernel
 *	may hold references on its pages past its release (held.c). Set,
 *	never cleared.
 *
 * Everything else is set before the dma-buf is exported and never changes.
 */
struct bpbuf_buffer {
	struct bpbuf_device *bdev;
	struct bpbuf_heap *heap;
	struct dma_buf *dmabuf;
	struct bpbuf_range *range;
	struct page *page;
	size_t size;
	dma_addr_t dma_addr;
	u32 cpu_mode;
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
	bool page_mapped;
};

/**
 * struct bpbuf_new_fd - a new file (a buffer's dma-buf, or a page map of
 * one) and the fd reserved for it
 * @fd: the fd number, reserved, not installed yet
 * @file: the file, whose reference the fd takes over
 *
 * The fd is installed (bpbuf_new_fd_install()) only once the reply carrying
 * its number has reached user space, so that a failed copy can still take
 * both back (bpbuf_new_fd_discard()) instead of leaving an fd the caller
 * never heard of.
 */
struct bpbuf_new_fd {
	int fd;
	struct file *file;
};

int bpbuf_buffer_alloc(struct bpbuf_device *bdev, struct bpbuf_heap *heap,
		       u64 size, u64 align, u32 cpu_mode,
		       unsigned int file_flags, unsigned int fd_flags,
		       const char *name, struct bpbuf_new_fd *nfd);
void bpbuf_new_fd_install(struct bpbuf_new_fd *nfd);
void bpbuf_new_fd_discard(struct bpbuf_new_fd *nfd);

struct bpbuf_buffer *bpbuf_buffer_get(int fd);
void bpbuf_buffer_put(struct bpbuf_buffer *buf);
dma_addr_t bpbuf_buffer_bus_addr(struct bpbuf_buffer *buf);
void bpbuf_buffer_sync(struct bpbuf_buffer *buf, u64 offset, u64 length,
		       bool for_cpu, enum dma_data_direction dir);
void bpbuf_buffers_show(struct seq_file *m, struct bpbuf_device *bdev);
unsigned int bpbuf_buffers_count(struct bpbuf_device *bdev,
				 const struct bpbuf_heap *heap);

/* Before anything can reach the memory: it must be zeroed again once freed */
static inline void bpbuf_buffer_touch(struct bpbuf_buffer *buf)
{
	WRITE_ONCE(buf->touched, true);
}

/* attach.c: importing devices, and devmap.c's own mappings */
struct bpbuf_attachment *bpbuf_attachment_create(struct bpbuf_buffer *buf,
						 struct device *dev);
void bpbuf_attachment_destroy(struct bpbuf_buffer *buf,
			      struct bpbuf_attachment *a);
int bpbuf_attachment_map(struct bpbuf_buffer *buf, struct bpbuf_attachment *a,
			 enum dma_data_direction dir, bool in_place);
void bpbuf_attachment_unmap(struct bpbuf_buffer *buf,
			    struct bpbuf_attachment *a, bool sync_for_cpu);
int bpbuf_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach);
void bpbuf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach);
struct sg_table *bpbuf_map_dma_buf(struct dma_buf_attachment *attach,
				   enum dma_data_direction dir);
void bpbuf_unmap_dma_buf(struct dma_buf_attachment *attach,
			 struct sg_table *sgt, enum dma_data_direction dir);
void bpbuf_attachment_sync(struct bpbuf_buffer *buf,
			   struct bpbuf_attachment *a, u64 offset, u64 length,
			   bool for_cpu);

/* reach.c: a device reaches the buffer in place, or bpbuf refuses to map */
bool bpbuf_dma_translates(struct device *dev);
int bpbuf_dma_reach(struct device *dev, struct bpbuf_buffer *buf, bool translated);
bool bpbuf_dma_in_place(struct device *dev, struct sg_table *sgt);

#endif /* BPBUF_BUFFER_H */
