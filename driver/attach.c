// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf importers: a buffer attached to another device and mapped for it as
 * one contiguous segment (or as few as the device takes), and the syncs of
 * those mappings. The same attachments serve dma-buf importers (the
 * bpbuf_attach() family, dma_buf_ops) and the mappings bpbuf makes itself
 * for a device user space names (devmap.c), which do not go through the
 * dma-buf core: they end inside the dma-buf's release, where its file is
 * half gone.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "bpbuf_dev.h"
#include "buffer.h"

/* Longest scatterlist entry: sg lengths are 32 bits; keep them aligned */
#define BPBUF_SG_MAX_LEN	SZ_1G

/**
 * bpbuf_attachment_create - the buffer laid out for one device, not mapped
 * @buf: the buffer
 * @dev: the device
 *
 * One segment for the whole buffer, unless the device says it takes shorter
 * ones (64 KiB when it never said): then as few as it allows, all @seg long
 * but the last, in one flat array rather than a chained table, so that a
 * range sync finds its first segment by division.
 *
 * Return: the attachment, on @buf's list, or an ERR_PTR (-ENOMEM).
 */
struct bpbuf_attachment *bpbuf_attachment_create(struct bpbuf_buffer *buf,
						 struct device *dev)
{
	struct page *page = buf->page;
	size_t seg = min_t(size_t, dma_get_max_seg_size(dev),
			   BPBUF_SG_MAX_LEN) & PAGE_MASK;
	struct bpbuf_attachment *a;
	struct scatterlist *sgl, *sg;
	size_t left = buf->size;
	unsigned int i, nents;

	if (!seg)
		seg = PAGE_SIZE;
	if (DIV_ROUND_UP(buf->size, seg) > UINT_MAX)
		return ERR_PTR(-ENOMEM);
	nents = DIV_ROUND_UP(buf->size, seg);
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return ERR_PTR(-ENOMEM);
	sgl = kvmalloc_array(nents, sizeof(*sgl), GFP_KERNEL | __GFP_NOWARN);
	if (!sgl) {
		kfree(a);
		return ERR_PTR(-ENOMEM);
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

	a->dev = dev;
	a->seg = seg;
	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	buf->nr_attachments++;
	mutex_unlock(&buf->lock);
	return a;
}

/* Off @buf's list and freed; it must not be mapped */
void bpbuf_attachment_destroy(struct bpbuf_buffer *buf,
			      struct bpbuf_attachment *a)
{
	mutex_lock(&buf->lock);
	list_del(&a->node);
	buf->nr_attachments--;
	mutex_unlock(&buf->lock);
	WARN_ON(a->mapped);
	kvfree(a->sgt.sgl);
	kfree(a);
}

int bpbuf_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct bpbuf_attachment *a;

	a = bpbuf_attachment_create(dmabuf->priv, attach->dev);
	if (IS_ERR(a))
		return PTR_ERR(a);
	attach->priv = a;
	return 0;
}

void bpbuf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	bpbuf_attachment_destroy(dmabuf->priv, attach->priv);
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

/**
 * bpbuf_attachment_map - map an attachment for its device
 * @buf: the buffer
 * @a: one of its attachments, not mapped
 * @dir: the direction
 * @in_place: the mapping must be the buffer's own memory (no translating
 *	IOMMU): one the DMA API bounced is undone before anyone sees it
 *
 * The carve stays mapped for the heap's device all along, so this mapping
 * overlaps it: map with DMA_ATTR_SKIP_CPU_SYNC (which is also what tells
 * DMA-API debug the overlap is intended) and do the CPU sync here instead.
 * The CPU may have written through a cached mapping without telling anyone,
 * so a new mapping always gets it.
 *
 * Return: 0, -EBUSY if already mapped, -ERANGE if bounced where @in_place,
 * or dma_map_sgtable()'s error.
 */
int bpbuf_attachment_map(struct bpbuf_buffer *buf, struct bpbuf_attachment *a,
			 enum dma_data_direction dir, bool in_place)
{
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
	/* under the lock: a sync must never copy a bounce buffer back */
	if (in_place && !bpbuf_dma_in_place(a->dev, &a->sgt)) {
		dma_unmap_sgtable(a->dev, &a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
		ret = -ERANGE;
		goto unlock;
	}
	a->need_sync = sgtable_need_sync(a);
	if (a->need_sync)
		dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
	a->dir = dir;
	a->mapped = true;
	buf->nr_mapped++;
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

/**
 * bpbuf_attachment_unmap - undo bpbuf_attachment_map()
 * @buf: the buffer
 * @a: a mapped attachment
 * @sync_for_cpu: give the CPU what the device wrote; false for a mapping
 *	refused right after it was made, whose bounce slots (if the DMA API
 *	used any) must not be copied over what user space wrote meanwhile
 */
void bpbuf_attachment_unmap(struct bpbuf_buffer *buf,
			    struct bpbuf_attachment *a, bool sync_for_cpu)
{
	mutex_lock(&buf->lock);
	if (!WARN_ON(!a->mapped)) {
		if (sync_for_cpu && a->need_sync)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, a->dir);
		dma_unmap_sgtable(a->dev, &a->sgt, a->dir, DMA_ATTR_SKIP_CPU_SYNC);
		a->mapped = false;
		buf->nr_mapped--;
	}
	mutex_unlock(&buf->lock);
}

/*
 * An importer gets the buffer itself or nothing (reach.c): never a bounce
 * buffer, which a driver that asked for contiguous memory would not expect.
 */
struct sg_table *bpbuf_map_dma_buf(struct dma_buf_attachment *attach,
				   enum dma_data_direction dir)
{
	struct bpbuf_buffer *buf = attach->dmabuf->priv;
	struct bpbuf_attachment *a = attach->priv;
	bool translated = bpbuf_dma_translates(a->dev);
	int ret;

	ret = bpbuf_dma_reach(a->dev, buf, translated);
	if (!ret)
		ret = bpbuf_attachment_map(buf, a, dir, !translated);
	/* the buffer's address stays out of the log: it is for RAWIO only */
	if (ret == -ERANGE || ret == -EOPNOTSUPP)
		dev_warn_ratelimited(a->dev, "bpbuf: not mapping a %zu-byte buffer out of this device's direct DMA reach (mask %#llx, bus limit %#llx): bpbuf does not bounce\n",
				     buf->size, a->dev->dma_mask ? (unsigned long long)*a->dev->dma_mask : 0ULL,
				     (unsigned long long)a->dev->bus_dma_limit);
	return ret ? ERR_PTR(ret) : &a->sgt;
}

void bpbuf_unmap_dma_buf(struct dma_buf_attachment *attach,
			 struct sg_table *sgt, enum dma_data_direction dir)
{
	struct bpbuf_attachment *a = attach->priv;

	if (!WARN_ON(sgt != &a->sgt))
		bpbuf_attachment_unmap(attach->dmabuf->priv, a, true);
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
 * Sync [offset, offset + length) of one importer's mapping, under the
 * buffer's lock: only the segments it covers, found by division when the
 * mapping kept the segments as they were (dma-direct always does; an IOMMU
 * may merge them). Nothing when it is not mapped or needs no sync.
 */
void bpbuf_attachment_sync(struct bpbuf_buffer *buf,
			   struct bpbuf_attachment *a, u64 offset, u64 length,
			   bool for_cpu)
{
	u64 pos = 0, end = offset + length;
	struct scatterlist *sg;
	unsigned int i;

	lockdep_assert_held(&buf->lock);

	if (!a->mapped || !a->need_sync)
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
