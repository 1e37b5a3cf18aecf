// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf buffers: a range of the heap exported as a dma-buf, mapped into user
 * space in one go and into importing devices as one contiguous segment.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "account.h"
#include "bpbuf_dev.h"
#include "buffer.h"
#include "compat.h"

/* Longest scatterlist entry: sg lengths are 32 bits; keep them aligned */
#define BPBUF_SG_MAX_LEN	SZ_1G

/*
 * One segment for the whole buffer, unless the importer's device says it
 * takes shorter ones (64 KiB when it never said): then as few as it allows,
 * all @seg long but the last, in one flat array rather than a chained
 * table, so that a range sync finds its first segment by division.
 */
static int bpbuf_attach(struct dma_buf *dmabuf,
			struct dma_buf_attachment *attach)
{
	struct bpbuf_buffer *buf = dmabuf->priv;
	struct page *page = bpbuf_heap_page(&buf->bdev->heap, buf->range.start);
	size_t seg = min_t(size_t, dma_get_max_seg_size(attach->dev),
			   BPBUF_SG_MAX_LEN) & PAGE_MASK;
	struct bpbuf_attachment *a;
	struct scatterlist *sgl, *sg;
	size_t left = buf->size;
	unsigned int i, nents;

	if (!seg)
		seg = PAGE_SIZE;
	if (DIV_ROUND_UP(buf->size, seg) > UINT_MAX)
		return -ENOMEM;
	nents = DIV_ROUND_UP(buf->size, seg);
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	sgl = kvmalloc_array(nents, sizeof(*sgl), GFP_KERNEL | __GFP_NOWARN);
	if (!sgl) {
		kfree(a);
		return -ENOMEM;
	}
	sg_init_table(sgl, nents);
	a->sgt.sgl = sgl;
	a->sgt.orig_nents = nents;
	a->sgt.nents = nents;
	for_each_sgtable_sg(&a->sgt, sg, i) {
		size_t len = min(left, seg);

		sg_set_page(sg, page, len, 0);
		page = nth_page(page, len >> PAGE_SHIFT);
		left -= len;
	}

	a->dev = attach->dev;
	a->seg = seg;
	attach->priv = a;
	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	buf->nr_attachments++;
	mutex_unlock(&buf->lock);
	return 0;
}

static void bpbuf_detach(struct dma_buf *dmabuf,
			 struct dma_buf_attachment *attach)
{
	struct bpbuf_buffer *buf = dmabuf->priv;
	struct bpbuf_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	buf->nr_attachments--;
	mutex_unlock(&buf->lock);
	WARN_ON(a->mapped);
	kvfree(a->sgt.sgl);
	kfree(a);
}

/*
 * Whether syncing the mapping does anything: not for a cache-coherent device
 * without bounce buffers (x86, most of arm64 servers), where every sync call
 * is a no-op that still costs its call. Asked once per mapping, per segment,
 * since any of them may have been bounced.
 */
static bool sgtable_need_sync(struct bpbuf_attachment *a)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(&a->sgt, sg, i)
		if (dma_need_sync(a->dev, sg_dma_address(sg)))
			return true;
	return false;
}

/*
 * The carve stays mapped for the heap's device all along, so an importer's
 * mapping overlaps it: map with DMA_ATTR_SKIP_CPU_SYNC (which is also what
 * tells DMA-API debug the overlap is intended) and do the CPU sync here
 * instead. The CPU may have written through a cached mapping without
 * telling anyone, so a new mapping always gets it.
 */
static struct sg_table *bpbuf_map_dma_buf(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct bpbuf_buffer *buf = attach->dmabuf->priv;
	struct bpbuf_attachment *a = attach->priv;
	int ret;

	mutex_lock(&buf->lock);
	if (a->mapped) {
		ret = -EBUSY;
		goto unlock;
	}
	bpbuf_buffer_touch(buf);
	ret = dma_map_sgtable(a->dev, &a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		goto unlock;
	a->need_sync = sgtable_need_sync(a);
	if (a->need_sync)
		dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
	a->dir = dir;
	a->mapped = true;
	buf->nr_mapped++;
unlock:
	mutex_unlock(&buf->lock);
	return ret ? ERR_PTR(ret) : &a->sgt;
}

static void bpbuf_unmap_dma_buf(struct dma_buf_attachment *attach,
				struct sg_table *sgt,
				enum dma_data_direction dir)
{
	struct bpbuf_buffer *buf = attach->dmabuf->priv;
	struct bpbuf_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	if (!WARN_ON(!a->mapped || sgt != &a->sgt)) {
		if (a->need_sync)
			dma_sync_sgtable_for_cpu(a->dev, sgt, a->dir);
		dma_unmap_sgtable(a->dev, sgt, a->dir, DMA_ATTR_SKIP_CPU_SYNC);
		a->mapped = false;
		buf->nr_mapped--;
	}
	mutex_unlock(&buf->lock);
}

static void sync_segment(struct bpbuf_attachment *a, struct scatterlist *sg,
			 u64 from, u64 len, bool for_cpu)
{
	/* in the mapped direction, which is all DMA debug allows */
	if (for_cpu)
		dma_sync_single_range_for_cpu(a->dev, sg_dma_address(sg), from,
					      len, a->dir);
	else
		dma_sync_single_range_for_device(a->dev, sg_dma_address(sg),
						 from, len, a->dir);
}

/*
 * Sync [offset, offset + length) of one importer's mapping: only the
 * segments it covers, found by division when the mapping kept the segments
 * as they were (dma-direct always does; an IOMMU may merge them).
 */
static void sync_attachment(struct bpbuf_attachment *a, u64 offset,
			    u64 length, bool for_cpu)
{
	u64 pos = 0, end = offset + length;
	struct scatterlist *sg;
	unsigned int i;

	if (!a->need_sync)
		return;
	if (a->sgt.nents == a->sgt.orig_nents) {
		u64 first = div64_u64(offset, a->seg);
		u64 last = div64_u64(end - 1, a->seg);

		for (i = first; i <= last; i++) {
			u64 seg_start = (u64)i * a->seg;
			u64 from = max(seg_start, offset);
			u64 to = min(seg_start + sg_dma_len(&a->sgt.sgl[i]), end);

			sync_segment(a, &a->sgt.sgl[i], from - seg_start,
				     to - from, for_cpu);
		}
		return;
	}

	for_each_sgtable_dma_sg(&a->sgt, sg, i) {
		u64 seg_end = pos + sg_dma_len(sg);

		if (seg_end > offset && pos < end) {
			u64 from = max(pos, offset), to = min(seg_end, end);

			sync_segment(a, sg, from - pos, to - from, for_cpu);
		}
		pos = seg_end;
		if (pos >= end)
			break;
	}
}

/**
 * bpbuf_buffer_sync - make a byte range coherent for the CPU or the devices
 * @buf: the buffer
 * @offset: first byte, checked by the caller
 * @length: bytes, checked by the caller
 * @for_cpu: true before the CPU accesses the range, false after
 * @dir: what the CPU does: DMA_TO_DEVICE writes, DMA_FROM_DEVICE reads
 *
 * Covers the heap's own mapping of the carve, every mapped importer and an
 * in-kernel vmap.
 */
void bpbuf_buffer_sync(struct bpbuf_buffer *buf, u64 offset, u64 length,
		       bool for_cpu, enum dma_data_direction dir)
{
	struct bpbuf_heap *heap = &buf->bdev->heap;
	u64 carve_offset = ((u64)buf->range.start << PAGE_SHIFT) + offset;
	struct bpbuf_attachment *a;

	mutex_lock(&buf->lock);
	if (heap->need_sync && for_cpu)
		dma_sync_single_range_for_cpu(heap->dev, heap->base_dma,
					      carve_offset, length, dir);
	else if (heap->need_sync)
		dma_sync_single_range_for_device(heap->dev, heap->base_dma,
						 carve_offset, length, dir);

	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			sync_attachment(a, offset, length, for_cpu);

	if (buf->vaddr && is_vmalloc_addr(buf->vaddr)) {
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

static void bpbuf_vm_open(struct vm_area_struct *vma)
{
	struct bpbuf_buffer *buf = vma->vm_private_data;

	atomic_inc(&buf->mmap_count);
}

static void bpbuf_vm_close(struct vm_area_struct *vma)
{
	struct bpbuf_buffer *buf = vma->vm_private_data;

	atomic_dec(&buf->mmap_count);
}

/* open and close only count mappings: every page is mapped at mmap() */
static const struct vm_operations_struct bpbuf_vm_ops = {
	.open = bpbuf_vm_open,
	.close = bpbuf_vm_close,
};

static int bpbuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct bpbuf_buffer *buf = dmabuf->priv;
	unsigned long npages = buf->range.npages;
	unsigned long count = vma_pages(vma);
	unsigned long pfn;
	int ret;

	/*
	 * A private mapping would be copy-on-write, not the memory devices
	 * see. VM_MAYSHARE, not VM_SHARED: read-only fds lose VM_SHARED.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= npages || count > npages - vma->vm_pgoff)
		return -EINVAL;

	bpbuf_buffer_touch(buf);
	/* mremap() must not grow it past the buffer; core dumps skip it */
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	pfn = page_to_pfn(bpbuf_heap_page(&buf->bdev->heap, buf->range.start));
	/* the whole window now: no fault per page, and it sets VM_PFNMAP */
	ret = remap_pfn_range(vma, vma->vm_start, pfn + vma->vm_pgoff,
			      count << PAGE_SHIFT, vma->vm_page_prot);
	if (ret)
		return ret;

	vma->vm_private_data = buf;
	vma->vm_ops = &bpbuf_vm_ops;
	atomic_inc(&buf->mmap_count);
	return 0;
}

/* Kernel address of the whole buffer: the linear map, unless in highmem */
static void *bpbuf_kmap_all(struct bpbuf_buffer *buf)
{
	struct page *first = bpbuf_heap_page(&buf->bdev->heap, buf->range.start);
	unsigned long i, n = buf->range.npages;
	struct page **pages;
	void *vaddr;

	if (!PageHighMem(first) && !PageHighMem(nth_page(first, n - 1)))
		return page_address(first);

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n; i++)
		pages[i] = nth_page(first, i);
	vaddr = vmap(pages, n, VM_MAP, PAGE_KERNEL);
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

	WARN_ON(buf->nr_attachments || buf->vmap_count);

	mutex_lock(&bdev->buffers_lock);
	list_del(&buf->node);
	bdev->nr_buffers--;
	mutex_unlock(&bdev->buffers_lock);

	bpbuf_heap_free(&bdev->heap, &buf->range, !READ_ONCE(buf->touched));
	/* issue 7: give the uid's quota charge back (account.c) */
	bpbuf_account_release(dmabuf);
	mutex_destroy(&buf->lock);
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

/**
 * bpbuf_buffer_create - allocate, zero and export a buffer
 * @bdev: the device
 * @npages: size in pages
 * @align_pages: alignment of its physical address in pages, a power of two
 * @file_flags: O_RDONLY, O_WRONLY or O_RDWR for the dma-buf's file
 * @name: name for the dma-buf, or NULL or "" for none
 *
 * Return: the dma-buf, holding a module reference until it is released, or
 * ERR_PTR(-ENOMEM) when the heap has no room, ERR_PTR(-EINTR) when a fatal
 * signal interrupted the zeroing.
 */
struct dma_buf *bpbuf_buffer_create(struct bpbuf_device *bdev,
				    unsigned long npages,
				    unsigned long align_pages,
				    unsigned int file_flags, const char *name)
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

	ret = bpbuf_heap_alloc(&bdev->heap, npages, align_pages, &buf->range);
	if (ret)
		goto free_name;
	ret = bpbuf_heap_zero(&bdev->heap, &buf->range);
	if (ret)
		goto free_dirty_range;

	buf->bdev = bdev;
	buf->size = (size_t)npages << PAGE_SHIFT;
	buf->dma_addr = bpbuf_heap_dma(&bdev->heap, buf->range.start);
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

	if (dname) {
		/* writers of the name hold both, as DMA_BUF_SET_NAME does */
		dma_resv_lock(dmabuf->resv, NULL);
		spin_lock(&dmabuf->name_lock);
		dmabuf->name = dname;
		spin_unlock(&dmabuf->name_lock);
		dma_resv_unlock(dmabuf->resv);
	}

	mutex_lock(&bdev->buffers_lock);
	list_add_tail(&buf->node, &bdev->buffers);
	bdev->nr_buffers++;
	mutex_unlock(&bdev->buffers_lock);
	return dmabuf;

destroy_lock:
	mutex_destroy(&buf->lock);
	bpbuf_heap_free(&bdev->heap, &buf->range, true);
	goto free_name;
free_dirty_range:
	/* interrupted: partly zeroed */
	bpbuf_heap_free(&bdev->heap, &buf->range, false);
free_name:
	kfree(dname);
free_buf:
	kfree(buf);
	return ERR_PTR(ret);
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
