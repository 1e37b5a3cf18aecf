// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whether a device reaches a bpbuf buffer where it is. Without an IOMMU
 * that translates for it, the DMA API hands a device that cannot address
 * the buffer (its DMA mask or its bus's limit falls short, or swiotlb
 * bounces everything, as in confidential guests) a copy in a bounce buffer
 * instead, quietly: slow, never the buffer's own memory, and wrong for any
 * importer that also writes the buffer through the CPU (vivid does), since
 * unmapping copies the bounce buffer back over it. bpbuf refuses those
 * mappings, for dma-buf importers (attach.c) and for DEV_MAP (devmap.c).
 * It refuses no-map memory (source_reserved.c) to a device that is not
 * DMA-coherent too: the CPU's cache maintenance for it, and bouncing, go
 * through the kernel's linear map, which such memory is not in.
 */
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/swiotlb.h>

#include "buffer.h"

/* An IOMMU translates @dev's DMA through the DMA API (not identity) */
bool bpbuf_dma_translates(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_DMA_API);
}

/**
 * bpbuf_dma_reach - whether the DMA API would map @buf for @dev in place
 * @dev: the device
 * @buf: the buffer
 * @translated: bpbuf_dma_translates(@dev), asked once by the caller
 *
 * Both ends are asked, since bus offsets may differ across the buffer, and
 * a bus that has no address for them at all (DMA_MAPPING_ERROR) does not
 * reach them. bpbuf_dma_in_place() checks a mapping after the fact.
 *
 * Return: 0; -EOPNOTSUPP when @dev has no DMA mask, swiotlb bounces all
 * its DMA, or the buffer is no-map memory and @dev is not DMA-coherent or
 * is an untrusted PCI device;
 * -ERANGE when, with no translating IOMMU, its mask or bus limit does not
 * reach the whole buffer.
 */
int bpbuf_dma_reach(struct device *dev, struct bpbuf_buffer *buf, bool translated)
{
	phys_addr_t first = page_to_phys(buf->page);
	dma_addr_t lo, hi;
	u64 limit;

	if (!dev->dma_mask)
		return -EOPNOTSUPP;
	/* an untrusted PCI device's small segments are bounced even with an IOMMU */
	if (!bpbuf_heap_linear(buf->heap) &&
	    (!dev_is_dma_coherent(dev) ||
	     (dev_is_pci(dev) && to_pci_dev(dev)->untrusted)))
		return -EOPNOTSUPP;
	if (translated)
		return 0;
	if (is_swiotlb_force_bounce(dev))
		return -EOPNOTSUPP;
	lo = phys_to_dma(dev, first);
	hi = phys_to_dma(dev, first + buf->size - 1);
	if (lo == DMA_MAPPING_ERROR || hi == DMA_MAPPING_ERROR)
		return -ERANGE;
	limit = min_not_zero(*dev->dma_mask, dev->bus_dma_limit);
	return lo > limit || hi > limit || hi < lo ? -ERANGE : 0;
}

/*
 * Whether a mapping made without a translating IOMMU is the buffer's own
 * memory, segment by segment (the direct path maps one to one): anything
 * else was bounced.
 */
bool bpbuf_dma_in_place(struct device *dev, struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	if (sgt->nents != sgt->orig_nents)
		return false;
	for_each_sgtable_sg(sgt, sg, i)
		if (sg_dma_address(sg) != phys_to_dma(dev, sg_phys(sg)))
			return false;
	return true;
}
