// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf buffers: a range of the heap exported as a dma-buf, its one
 * allocation path, the kernel's vmap of it and its release. User space
 * mappings are in mmap.c, importing devices in attach.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <bpbuf.h>

#include "account.h"
#include "bpbuf_dev.h"
#include "buffer.h"
#include "compat.h"
#include "cpumode.h"
#include "mmap.h"

/**
 * bpbuf_buffer_sync - make a byte range coherent for the CPU or the devices
 * @buf: the buffer
 * @offset: first byte, checked by the caller
 * @length: bytes, checked by the caller
 * @for_cpu: true before the CPU accesses the range, false after
 * @dir: what the CPU does: DMA_TO_DEVICE writes, DMA_FROM_DEVICE reads
 *
 * Covers the heap's own mapping of the carve, every mapped importer and an
 * in-kernel vmap; for a buffer not mapped cached a barrier, and importers
 * whose mappings need syncing (a bounce buffer, the caches of a device
 * that does not snoop: cleaning the kernel's cacheable alias does no harm).
 */
void bpbuf_buffer_sync(struct bpbuf_buffer *buf, u64 offset, u64 length,
		       bool for_cpu, enum dma_data_direction dir)
{
	u64 carve_offset = ((u64)buf->range->start << PAGE_SHIFT) + offset;
	struct bpbuf_attachment *a;

	/*
	 * No CPU mapping of a write-combined or uncached buffer goes through
	 * the caches: what is left is to order the CPU's accesses against the
	 * device's and drain the write-combining buffers (mfence on x86, dsb
	 * sy on arm64), and an importer's mapping the DMA API bounced.
	 */
	bool cached = bpbuf_cpu_mode_cached(buf->cpu_mode);

	if (!cached)
		mb();
	mutex_lock(&buf->lock);
	if (cached)
		bpbuf_heap_sync(buf->heap, carve_offset, length, for_cpu, dir);
	list_for_each_entry(a, &buf->attachments, node)
		bpbuf_attachment_sync(buf, a, offset, length, for_cpu);

	if (cached && buf->vaddr && is_vmalloc_addr(buf->vaddr)) {
		if (for_cpu)
			invalidate_kernel_vmap_range(buf->vaddr + offset, length);
		else
			flush_kernel_vmap_range(buf->vaddr + offset, length);
	}
	mutex_unlock(&buf->lock);
}

static int bpbuf_begin_cpu_access(struct dma_buf *dmabuf,
				  enum dma_data_direction dir)
{
	struct bpbuf_buffer *buf = dmabuf->priv;

	/* kernel importers write through kmap() of the sg_table's pages */
	bpbuf_buffer_touch(buf);
	bpbuf_buffer_sync(buf, 0, buf->size, true, dir);
	return 0;
}

static int bpbuf_end_cpu_access(struct dma_buf *dmabuf,
				enum dma_data_direction dir)
{
	struct bpbuf_buffer *buf = dmabuf->priv;

	bpbuf_buffer_sync(buf, 0, buf->size, false, dir);
	return 0;
}

/*
 * Kernel address of the whole buffer: the linear map, unless in highmem,
 * in no-map memory (not in the linear map at all) or mapped other than
 * cached (a mapping of the buffer's own mode)
 */
static void *bpbuf_kmap_all(struct bpbuf_buffer *buf)
{
	struct page *first = buf->page;
	unsigned long i, n = buf->range->npages;
	struct page **pages;
	void *vaddr;

	if (bpbuf_cpu_mode_cached(buf->cpu_mode) && bpbuf_heap_linear(buf->heap)) {
		vaddr = bpbuf_heap_kaddr(buf->heap, buf->range->start, n);
		if (vaddr)
			return vaddr;
	}

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n; i++)
		pages[i] = nth_page(first, i);
	vaddr = vmap(pages, n, VM_MAP, bpbuf_cpu_mode_prot(buf->cpu_mode, PAGE_KERNEL));
	kvfree(pages);
	return vaddr ? vaddr : ERR_PTR(-ENOMEM);
}

static int bpbuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct bpbuf_buffer *buf = dmabuf->priv;
	void *vaddr;
	int ret = 0;

	mutex_lock(&buf->lock);
	bpbuf_buffer_touch(buf);
	if (!buf->vmap_count) {
		vaddr = bpbuf_kmap_all(buf);
		if (IS_ERR(vaddr)) {
			ret = PTR_ERR(vaddr);
			goto unlock;
		}
		buf->vaddr = vaddr;
	}
	buf->vmap_count++;
	iosys_map_set_vaddr(map, buf->vaddr);
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

static void bpbuf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct bpbuf_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	if (!WARN_ON(!buf->vmap_count) && !--buf->vmap_count) {
		if (is_vmalloc_addr(buf->vaddr))
			vunmap(buf->vaddr);
		buf->vaddr = NULL;
	}
	mutex_unlock(&buf->lock);
	iosys_map_clear(map);
}

static void bpbuf_release(struct dma_buf *dmabuf)
{
	struct bpbuf_buffer *buf = dmabuf->priv;
	struct bpbuf_device *bdev = buf->bdev;

	/* a device mapping (devmap.c) holds the buffer: none is left */
	WARN_ON(buf->nr_attachments || buf->vmap_count);

	mutex_lock(&bdev->buffers_lock);
	list_del(&buf->node);
	bdev->nr_buffers--;
	bdev->heap_buffers[buf->heap->id]--;
	mutex_unlock(&bdev->buffers_lock);
	mutex_destroy(&buf->lock);

	bpbuf_cpu_mode_leave(buf->heap, buf->range, buf->cpu_mode);
	/* the memory and its charge go back together, now or once unheld */
	if (!READ_ONCE(buf->page_mapped))
		bpbuf_heap_free(buf->heap, buf->range, !READ_ONCE(buf->touched));
	else if (bpbuf_heap_free_referenced(buf->heap, buf->range,
					    !READ_ONCE(buf->touched)))
		pr_info_ratelimited("a %zu KiB buffer of %s[%d] was freed while I/O or a socket still holds its pages: held out of the heap until they are released\n",
				    buf->size >> 10, buf->comm, buf->pid);
	kfree(buf);
}

static const struct dma_buf_ops bpbuf_dmabuf_ops = {
	.attach = bpbuf_attach,
	.detach = bpbuf_detach,
	.map_dma_buf = bpbuf_map_dma_buf,
	.unmap_dma_buf = bpbuf_unmap_dma_buf,
	.begin_cpu_access = bpbuf_begin_cpu_access,
	.end_cpu_access = bpbuf_end_cpu_access,
	.mmap = bpbuf_mmap,
	.vmap = bpbuf_vmap,
	.vunmap = bpbuf_vunmap,
	.release = bpbuf_release,
};

/* Name a new dma-buf; writers of the name hold both, as DMA_BUF_SET_NAME */
static void set_name(struct dma_buf *dmabuf, char *name)
{
	dma_resv_lock(dmabuf->resv, NULL);
	spin_lock(&dmabuf->name_lock);
	dmabuf->name = name;
	spin_unlock(&dmabuf->name_lock);
	dma_resv_unlock(dmabuf->resv);
}

/*
 * Allocate, zero and export npages of heap at align_pages (where placing it
 * there cuts no run of free memory in two, if edge_only), for CPU mappings
 * of cpu_mode; no charge yet
 */
static struct dma_buf *buffer_create(struct bpbuf_device *bdev,
				     struct bpbuf_heap *heap,
				     unsigned long npages,
				     unsigned long align_pages, bool edge_only,
				     u32 cpu_mode, unsigned int file_flags,
				     const char *name)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct bpbuf_buffer *buf;
	struct dma_buf *dmabuf;
	char *dname = NULL;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	if (name && *name) {
		dname = kstrdup(name, GFP_KERNEL);
		if (!dname) {
			ret = -ENOMEM;
			goto free_buf;
		}
	}

	buf->range = bpbuf_heap_alloc(heap, npages, align_pages, edge_only);
	if (IS_ERR(buf->range)) {
		ret = PTR_ERR(buf->range);
		goto free_name;
	}
	ret = bpbuf_heap_zero(heap, buf->range);
	if (ret)
		goto free_dirty_range;
	ret = bpbuf_cpu_mode_enter(heap, buf->range, cpu_mode);
	if (ret)
		goto free_clean_range;
	buf->cpu_mode = cpu_mode;

	buf->bdev = bdev;
	buf->heap = heap;
	buf->page = bpbuf_heap_page(heap, buf->range->start);
	buf->size = (size_t)npages << PAGE_SHIFT;
	buf->dma_addr = bpbuf_heap_dma(heap, buf->range->start);
	buf->pid = task_tgid_nr(current);
	get_task_comm(buf->comm, current);
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	atomic_set(&buf->mmap_count, 0);

	exp_info.exp_name = BPBUF_DRIVER_NAME;
	exp_info.owner = THIS_MODULE;
	exp_info.ops = &bpbuf_dmabuf_ops;
	exp_info.size = buf->size;
	exp_info.flags = file_flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto destroy_lock;
	}
	buf->dmabuf = dmabuf;
	if (dname)
		set_name(dmabuf, dname);
	return dmabuf;

destroy_lock:
	mutex_destroy(&buf->lock);
	bpbuf_cpu_mode_leave(heap, buf->range, cpu_mode);
free_clean_range:
	bpbuf_heap_free(heap, buf->range, true);
	goto free_name;
free_dirty_range:
	/* interrupted: partly zeroed */
	bpbuf_heap_free(heap, buf->range, false);
free_name:
	kfree(dname);
free_buf:
	kfree(buf);
	return ERR_PTR(ret);
}

/**
 * struct alloc_shape - a request, checked: what buffer_create() is asked
 * @heap: the heap
 * @npages: the size in pages
 * @align_pages: the alignment in pages
 * @fallback: with no room at @align_pages, try the next smaller default
 *	alignment, then none (the default alignment is a wish, an asked one
 *	is not)
 * @cpu_mode: how CPUs map it, a BPBUF_CPU_* mode the heap allows
 */
struct alloc_shape {
	struct bpbuf_heap *heap;
	unsigned long npages;
	unsigned long align_pages;
	bool fallback;
	u32 cpu_mode;
};

/*
 * The default alignment of a buffer of @bytes, or the next smaller one
 * below @below bytes: the largest page-table entry size mmap() uses that
 * the buffer reaches, at least BPBUF_HUGE_ALIGN; the page size for
 * buffers smaller than that.
 */
static u64 default_align(const struct bpbuf_device *bdev, u64 bytes, u64 below)
{
	u64 sizes = bpbuf_map_sizes(bdev) | BPBUF_HUGE_ALIGN;

	while (sizes) {
		u64 top = 1ULL << (fls64(sizes) - 1);

		if (top <= bytes && top < below && top >= BPBUF_HUGE_ALIGN &&
		    top <= BPBUF_MAX_ALIGN)
			return top;
		sizes &= ~top;
	}
	return PAGE_SIZE;
}

static int alloc_shape(struct bpbuf_device *bdev, struct bpbuf_heap *heap,
		       u64 size, u64 align, u32 cpu_mode,
		       struct alloc_shape *shape)
{
	if (!size || size > U64_MAX - PAGE_SIZE + 1)
		return -EINVAL;
	if (align && (!is_power_of_2(align) || align < PAGE_SIZE ||
		      align > BPBUF_MAX_ALIGN))
		return -EINVAL;
	cpu_mode = cpu_mode ?: bpbuf_heap_cpu_mode(heap);
	if (!(bpbuf_cpu_modes(heap) & BPBUF_CPU_MODE_BIT(cpu_mode))) {
		pr_info_ratelimited("heap %s: no %s buffers: %s\n", heap->name,
				    bpbuf_cpu_mode_name(cpu_mode),
				    bpbuf_cpu_mode_why_not(bpbuf_heap_source(heap),
							   cpu_mode));
		return -EOPNOTSUPP;
	}
	shape->cpu_mode = cpu_mode;
	/* larger than the heap can never fit; also keeps npages in range */
	if (size > bpbuf_heap_size(heap))
		return -ENOMEM;
	shape->heap = heap;
	shape->npages = PAGE_ALIGN(size) >> PAGE_SHIFT;
	shape->fallback = false;
	if (align) {
		shape->align_pages = align >> PAGE_SHIFT;
	} else {
		shape->align_pages = default_align(bdev,
						   (u64)shape->npages << PAGE_SHIFT,
						   U64_MAX) >> PAGE_SHIFT;
		shape->fallback = shape->align_pages > 1;
	}
	return 0;
}

static bool wish_edge_only(const struct alloc_shape *shape,
			   unsigned long align_pages)
{
	return shape->fallback &&
	       (u64)align_pages << PAGE_SHIFT > BPBUF_HUGE_ALIGN;
}

/* Charge, allocate and list a buffer of a checked shape */
static struct dma_buf *alloc_shaped(struct bpbuf_device *bdev,
				    const struct alloc_shape *shape,
				    unsigned int file_flags, const char *name)
{
	struct bpbuf_charge *charge;
	unsigned long align_pages;
	struct bpbuf_buffer *buf;
	struct dma_buf *dmabuf;

	charge = bpbuf_account_charge((u64)shape->npages << PAGE_SHIFT);
	if (IS_ERR(charge))
		return ERR_CAST(charge);
	/*
	 * A default alignment above BPBUF_HUGE_ALIGN (a PUD; a PMD with 16 or
	 * 64 KiB pages) is taken only where it cuts no run of free memory in
	 * two: in a heap not much larger than it, the hole that would leave
	 * costs more than the large entries gain.
	 */
	align_pages = shape->align_pages;
	dmabuf = buffer_create(bdev, shape->heap, shape->npages, align_pages,
			       wish_edge_only(shape, align_pages),
			       shape->cpu_mode, file_flags, name);
	while (dmabuf == ERR_PTR(-ENOMEM) && shape->fallback && align_pages > 1) {
		align_pages = default_align(bdev, (u64)shape->npages << PAGE_SHIFT,
					    (u64)align_pages << PAGE_SHIFT) >>
			      PAGE_SHIFT;
		dmabuf = buffer_create(bdev, shape->heap, shape->npages,
				       align_pages,
				       wish_edge_only(shape, align_pages),
				       shape->cpu_mode, file_flags, name);
	}
	if (IS_ERR(dmabuf)) {
		bpbuf_account_uncharge(charge);
		return dmabuf;
	}

	buf = dmabuf->priv;
	/* the charge stays with the memory (bpbuf_heap_free()) */
	buf->range->charge = charge;
	mutex_lock(&bdev->buffers_lock);
	list_add_tail(&buf->node, &bdev->buffers);
	bdev->nr_buffers++;
	bdev->heap_buffers[buf->heap->id]++;
	mutex_unlock(&bdev->buffers_lock);
	return dmabuf;
}

/**
 * bpbuf_buffer_alloc - a new buffer for the caller, and an fd for it
 * @bdev: the device
 * @heap: the heap to cut it from
 * @size: bytes, rounded up to whole pages
 * @align: alignment of its physical address in bytes: a power of two from
 *	PAGE_SIZE to BPBUF_MAX_ALIGN, or 0 for the default (default_align()):
 *	the largest page-table entry the buffer reaches, at least 2 MiB, so
 *	that it can be mapped with large entries; with no such room, the next
 *	smaller one; none for buffers under 2 MiB
 * @cpu_mode: how CPUs map it, a BPBUF_CPU_* mode, or 0 for the heap's
 * @file_flags: O_RDONLY, O_WRONLY or O_RDWR for the dma-buf's file
 * @fd_flags: 0 or O_CLOEXEC, for the fd
 * @name: name for the dma-buf, or NULL or "" for none
 * @nfd: out: the buffer and its fd, reserved, for bpbuf_new_fd_install()
 *	or bpbuf_new_fd_discard()
 *
 * The one way buffers are made, for BPBUF_IOCTL_ALLOC and the dma-heap node
 * alike. The request is checked, then the fd reserved (a process out of
 * fds gets EMFILE before anything is charged or allocated), then the uid's
 * quota charged (account.c: EDQUOT leaves the heap as it was; the buffer
 * keeps the charge until it is released), then the buffer cut and zeroed.
 *
 * Return: 0; -EINVAL for a @size of 0 or one that rounds past 2^64 or an
 * @align that is none of the above; -EOPNOTSUPP for a @cpu_mode the heap
 * cannot give here (cpumode.c); -ENOMEM when the heap has no room
 * (always for a @size larger than the heap); -EMFILE; -EDQUOT past the
 * uid's quota; -EINTR when a fatal signal interrupted the zeroing.
 */
int bpbuf_buffer_alloc(struct bpbuf_device *bdev, struct bpbuf_heap *heap,
		       u64 size, u64 align, u32 cpu_mode,
		       unsigned int file_flags, unsigned int fd_flags,
		       const char *name, struct bpbuf_new_fd *nfd)
{
	unsigned long held_released;
	struct alloc_shape shape;
	struct dma_buf *dmabuf;
	int fd, ret;

	ret = alloc_shape(bdev, heap, size, align, cpu_mode, &shape);
	if (ret)
		return ret;
	fd = get_unused_fd_flags(fd_flags);
	if (fd < 0)
		return fd;
	held_released = bpbuf_heap_held_released(heap);
	dmabuf = alloc_shaped(bdev, &shape, file_flags, name);
	/* held memory (held.c) whose I/O has finished counts as free */
	if ((dmabuf == ERR_PTR(-ENOMEM) || dmabuf == ERR_PTR(-EDQUOT)) &&
	    bpbuf_heap_reclaim_held(heap, held_released))
		dmabuf = alloc_shaped(bdev, &shape, file_flags, name);
	if (IS_ERR(dmabuf)) {
		put_unused_fd(fd);
		return PTR_ERR(dmabuf);
	}
	nfd->fd = fd;
	nfd->file = dmabuf->file;
	return 0;
}

/* The caller has the fd's number: the fd is the file's from now on */
void bpbuf_new_fd_install(struct bpbuf_new_fd *nfd)
{
	fd_install(nfd->fd, nfd->file);
}

/* The number never reached the caller: drop the file and the fd */
void bpbuf_new_fd_discard(struct bpbuf_new_fd *nfd)
{
	put_unused_fd(nfd->fd);
	fput(nfd->file);
}

/**
 * bpbuf_buffer_get - the bpbuf buffer behind a dma-buf fd
 * @fd: the fd
 *
 * Return: the buffer, with a reference on its dma-buf (drop it with
 * bpbuf_buffer_put()), or ERR_PTR(-EBADF) for a closed fd, ERR_PTR(-EINVAL)
 * for a file that is not a dma-buf, ERR_PTR(-EXDEV) for a dma-buf another
 * exporter made.
 */
struct bpbuf_buffer *bpbuf_buffer_get(int fd)
{
	struct dma_buf *dmabuf = dma_buf_get(fd);

	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);
	if (dmabuf->ops != &bpbuf_dmabuf_ops) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-EXDEV);
	}
	return dmabuf->priv;
}

void bpbuf_buffer_put(struct bpbuf_buffer *buf)
{
	dma_buf_put(buf->dmabuf);
}

/**
 * bpbuf_buffer_bus_addr - the buffer's bus address for the heap's device
 * @buf: the buffer
 *
 * Whoever asks may hand it to a device, which may then write the buffer
 * behind everyone's back: the buffer counts as touched from now on.
 *
 * Return: the bus address of its first byte.
 */
dma_addr_t bpbuf_buffer_bus_addr(struct bpbuf_buffer *buf)
{
	bpbuf_buffer_touch(buf);
	return buf->dma_addr;
}

/*
 * Live buffers, of @heap or of every heap if NULL (released ones, held or
 * not, are no longer counted)
 */
unsigned int bpbuf_buffers_count(struct bpbuf_device *bdev,
				 const struct bpbuf_heap *heap)
{
	unsigned int n;

	mutex_lock(&bdev->buffers_lock);
	n = heap ? bdev->heap_buffers[heap->id] : bdev->nr_buffers;
	mutex_unlock(&bdev->buffers_lock);
	return n;
}

/**
 * buffer_show - one line of <debugfs>/bpbuf/buffers for @buf
 * @m: the seq_file
 * @buf: a live buffer: the caller holds bdev->buffers_lock, which keeps it
 *	from being freed
 *
 * The line has size, bus address, allocator's pid and comm, attachments,
 * mapped attachments, user mappings, vmaps, heap and name; one more line per
 * attachment names its device and whether it is mapped.
 */
static void buffer_show(struct seq_file *m, struct bpbuf_buffer *buf)
{
	struct bpbuf_attachment *a;
	char name[BPBUF_NAME_LEN];
	dma_addr_t bus_addr;

	lockdep_assert_held(&buf->bdev->buffers_lock);
	spin_lock(&buf->dmabuf->name_lock);
	strscpy(name, buf->dmabuf->name ? buf->dmabuf->name : "", sizeof(name));
	spin_unlock(&buf->dmabuf->name_lock);

	/* root may hand the bus address printed here to a device */
	bus_addr = bpbuf_buffer_bus_addr(buf);
	mutex_lock(&buf->lock);
	seq_printf(m, "%zu\t%pad\t%d\t%s\t%u\t%u\t%d\t%u\t%s\t%s\t%s\n",
		   buf->size, &bus_addr, buf->pid, buf->comm,
		   buf->nr_attachments, buf->nr_mapped,
		   atomic_read(&buf->mmap_count), buf->vmap_count,
		   buf->heap->name, bpbuf_cpu_mode_name(buf->cpu_mode), name);
	list_for_each_entry(a, &buf->attachments, node)
		seq_printf(m, "\tattachment\t%s\t%s\n", dev_name(a->dev),
			   a->mapped ? "mapped" : "unmapped");
	mutex_unlock(&buf->lock);
}

/**
 * bpbuf_buffers_show - <debugfs>/bpbuf/buffers: a header, then every live
 * buffer (buffer_show())
 * @m: the seq_file
 * @bdev: the device
 */
void bpbuf_buffers_show(struct seq_file *m, struct bpbuf_device *bdev)
{
	struct bpbuf_buffer *buf;

	seq_puts(m, "size\tbus_addr\tpid\tcomm\tattachments\tmapped\tmmaps\tvmaps\theap\tcpu\tname\n");
	/* release takes this lock before freeing, so buf and dmabuf stay */
	mutex_lock(&bdev->buffers_lock);
	list_for_each_entry(buf, &bdev->buffers, node)
		buffer_show(m, buf);
	mutex_unlock(&bdev->buffers_lock);
}
