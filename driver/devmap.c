// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-device DMA addresses (BPBUF_IOCTL_DEV_MAP, BPBUF_IOCTL_DEV_UNMAP): a
 * buffer mapped for a device that user space names, through a dma-buf
 * attachment of bpbuf's own export, so that the device's IOMMU, DMA mask and
 * bus offsets apply exactly as they would for a kernel importer.
 *
 * A mapping belongs to the buffer, one per device, whoever asked for it. It
 * ends when someone asks (DEV_UNMAP), when the buffer is released (its last
 * fd, CPU mapping and importer gone: a process that exits or is killed
 * lets go of its own), or when the device's driver unbinds: a bus notifier
 * tears it down then, before the driver's remove() and before the bus takes
 * the device's DMA setup away. It holds no reference to the buffer, so that
 * forgetting it costs no memory; what the device does with the address
 * after that is the user's to stop.
 *
 * Refused rather than done badly: a device with no driver (its DMA and its
 * IOMMU domain are set up only at bind), a device whose DMA its driver
 * manages itself (vfio-pci: user space owns the IOMMU domain), and anything
 * that would reach the memory only through bounce buffers or as more than
 * one range.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swiotlb.h>

#include <bpbuf.h>

#include "buffer.h"
#include "devmap.h"

#ifndef HAVE_DMA_BUF_MAP_ATTACHMENT_UNLOCKED
/* Before 6.2 these took the reservation lock themselves */
#define dma_buf_map_attachment_unlocked dma_buf_map_attachment
#define dma_buf_unmap_attachment_unlocked dma_buf_unmap_attachment
#endif

/**
 * struct bpbuf_devmap - one buffer mapped for one device
 * @node: entry in devmaps
 * @buf: the buffer; the mapping ends in its release at the latest
 * @dev: the device, referenced
 * @attach: the attachment of the buffer's dma-buf to @dev
 * @sgt: the attachment's mapping
 * @dma_addr: @dev's address of the buffer's first byte
 */
struct bpbuf_devmap {
	struct list_head node;
	struct bpbuf_buffer *buf;
	struct device *dev;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	dma_addr_t dma_addr;
};

/*
 * Every mapping. Lock order: a device's lock (device_lock()), then this,
 * then the dma-buf's reservation lock, then the buffer's lock. A mapping is
 * made and torn down with its device's lock and this held: the unbind
 * notifier runs under the device's lock, so it waits for a mapping being
 * made and sees every one that was.
 */
static DEFINE_MUTEX(devmaps_lock);
static LIST_HEAD(devmaps);

/* The hex digits, colons and dot of a PCI address, nothing else */
static bool pci_address_chars(const char *name)
{
	return *name && strspn(name, "0123456789abcdefABCDEF:.") == strlen(name);
}

static struct device *find_pci_device(const char *name)
{
#ifdef CONFIG_PCI
	unsigned int domain = 0, bus, slot, fn;
	struct pci_dev *pdev;
	struct device *dev;
	char end;

	if (!pci_address_chars(name))
		return ERR_PTR(-EINVAL);
	if (sscanf(name, "%x:%x:%x.%x%c", &domain, &bus, &slot, &fn, &end) != 4 &&
	    (domain = 0,
	     sscanf(name, "%x:%x.%x%c", &bus, &slot, &fn, &end) != 3))
		return ERR_PTR(-EINVAL);
	if (domain > 0xffff || bus > 0xff || slot > 0x1f || fn > 7)
		return ERR_PTR(-EINVAL);
	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return ERR_PTR(-ENODEV);
	dev = get_device(&pdev->dev);
	pci_dev_put(pdev);
	return dev;
#else
	return ERR_PTR(pci_address_chars(name) ? -ENODEV : -EINVAL);
#endif
}

/* The named device, referenced (put_device()), or an ERR_PTR */
static struct device *find_device(unsigned int bus, const char *name)
{
	struct device *dev;

	switch (bus) {
	case BPBUF_BUS_PCI:
		return find_pci_device(name);
	case BPBUF_BUS_PLATFORM:
		dev = bus_find_device_by_name(&platform_bus_type, NULL, name);
		return dev ?: ERR_PTR(-ENODEV);
	default:
		return ERR_PTR(-EINVAL);
	}
}

/* The bound driver does DMA its own way (driver_managed_dma: vfio, pci-stub) */
static bool driver_manages_dma(struct device *dev)
{
#ifdef CONFIG_PCI
	if (dev_is_pci(dev))
		return to_pci_driver(dev->driver)->driver_managed_dma;
#endif
	if (dev_is_platform(dev))
		return to_platform_driver(dev->driver)->driver_managed_dma;
	return false;
}

/* The device's IOMMU domain translates through the DMA API */
static bool iommu_translates(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_DMA_API);
}

/*
 * Whether the DMA API can map for @dev at all, under its lock. The IOMMU
 * domain is asked only of a driver that uses the DMA API (the others own
 * theirs), and must be the DMA API's or passthrough: any other is some
 * driver's own.
 */
static int check_dma_usable(struct device *dev)
{
	struct iommu_domain *domain;

	if (!dev->driver)
		return -ENXIO;
	if (driver_manages_dma(dev))
		return -EBUSY;
	domain = iommu_get_domain_for_dev(dev);
	if (domain && domain->type != IOMMU_DOMAIN_IDENTITY &&
	    !(domain->type & __IOMMU_DOMAIN_DMA_API))
		return -EBUSY;
	if (!dev->dma_mask)
		return -EOPNOTSUPP;
	return 0;
}

/*
 * Without a translating IOMMU the DMA API would quietly bounce what the
 * device cannot reach through swiotlb: refuse that before mapping.
 */
static int check_direct_reach(struct device *dev, struct bpbuf_buffer *buf)
{
	phys_addr_t last = page_to_phys(buf->page) + buf->size - 1;
	u64 limit = min_not_zero(*dev->dma_mask, dev->bus_dma_limit);

	if (iommu_translates(dev))
		return 0;
	if (is_swiotlb_force_bounce(dev))
		return -EOPNOTSUPP;
	return phys_to_dma(dev, last) > limit ? -ERANGE : 0;
}

/*
 * The mapping must be one range, and without a translating IOMMU the
 * buffer's own memory: anything else was bounced or split.
 */
static int one_range(struct device *dev, struct bpbuf_buffer *buf,
		     struct sg_table *sgt, dma_addr_t *addr)
{
	dma_addr_t start = sg_dma_address(sgt->sgl), next = start;
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (sg_dma_address(sg) != next)
			return -ERANGE;
		next += sg_dma_len(sg);
	}
	if (next - start != buf->size)
		return -ERANGE;
	if (!iommu_translates(dev) &&
	    start != phys_to_dma(dev, page_to_phys(buf->page)))
		return -ERANGE;
	*addr = start;
	return 0;
}

static struct bpbuf_devmap *find_devmap(struct device *dev,
					struct bpbuf_buffer *buf)
{
	struct bpbuf_devmap *map;

	list_for_each_entry(map, &devmaps, node)
		if (map->dev == dev && map->buf == buf)
			return map;
	return NULL;
}

static struct bpbuf_devmap *devmap_create(struct device *dev,
					  struct bpbuf_buffer *buf)
{
	struct bpbuf_devmap *map;
	int ret;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->attach = dma_buf_attach(buf->dmabuf, dev);
	if (IS_ERR(map->attach)) {
		ret = PTR_ERR(map->attach);
		goto free_map;
	}
	map->sgt = dma_buf_map_attachment_unlocked(map->attach,
						   DMA_BIDIRECTIONAL);
	if (IS_ERR(map->sgt)) {
		ret = PTR_ERR(map->sgt);
		/* dma_map_sgtable()'s "cannot map" besides no IOVA space */
		if (ret != -ENOMEM)
			ret = -EIO;
		goto detach;
	}
	ret = one_range(dev, buf, map->sgt, &map->dma_addr);
	if (ret)
		goto unmap;
	map->buf = buf;
	map->dev = get_device(dev);
	return map;

unmap:
	dma_buf_unmap_attachment_unlocked(map->attach, map->sgt,
					  DMA_BIDIRECTIONAL);
detach:
	dma_buf_detach(buf->dmabuf, map->attach);
free_map:
	kfree(map);
	return ERR_PTR(ret);
}

/* Under the device's lock and devmaps_lock, off the list already */
static void devmap_destroy(struct bpbuf_devmap *map)
{
	dma_buf_unmap_attachment_unlocked(map->attach, map->sgt,
					  DMA_BIDIRECTIONAL);
	dma_buf_detach(map->buf->dmabuf, map->attach);
	put_device(map->dev);
	kfree(map);
}

/**
 * bpbuf_devmap_map - map a buffer for a named device (BPBUF_IOCTL_DEV_MAP)
 * @buf: the buffer, referenced by the caller (so not being released)
 * @bus: BPBUF_BUS_PCI or BPBUF_BUS_PLATFORM
 * @name: the device's name on @bus, NUL-terminated
 * @addr: out: the device's address of the buffer's first byte
 *
 * Return: 0, or the negative errno bpbuf.h lists for BPBUF_IOCTL_DEV_MAP.
 */
int bpbuf_devmap_map(struct bpbuf_buffer *buf, unsigned int bus,
		     const char *name, dma_addr_t *addr)
{
	struct bpbuf_devmap *map;
	struct device *dev;
	int ret;

	dev = find_device(bus, name);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ret = device_lock_interruptible(dev);
	if (ret)
		goto put_device;
	ret = check_dma_usable(dev);
	if (ret)
		goto unlock_device;

	mutex_lock(&devmaps_lock);
	map = find_devmap(dev, buf);
	if (!map) {
		ret = check_direct_reach(dev, buf);
		if (ret)
			goto unlock;
		map = devmap_create(dev, buf);
		if (IS_ERR(map)) {
			ret = PTR_ERR(map);
			goto unlock;
		}
		list_add(&map->node, &devmaps);
	}
	*addr = map->dma_addr;
unlock:
	mutex_unlock(&devmaps_lock);
unlock_device:
	device_unlock(dev);
put_device:
	put_device(dev);
	return ret;
}

/**
 * bpbuf_devmap_unmap - end the mapping of @buf for a named device
 * @buf: the buffer, referenced by the caller
 * @bus: BPBUF_BUS_PCI or BPBUF_BUS_PLATFORM
 * @name: the device's name on @bus, NUL-terminated
 *
 * Return: 0, or the negative errno bpbuf.h lists for BPBUF_IOCTL_DEV_UNMAP.
 */
int bpbuf_devmap_unmap(struct bpbuf_buffer *buf, unsigned int bus,
		       const char *name)
{
	struct bpbuf_devmap *map;
	struct device *dev;
	int ret;

	dev = find_device(bus, name);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ret = device_lock_interruptible(dev);
	if (ret)
		goto put_device;
	mutex_lock(&devmaps_lock);
	map = find_devmap(dev, buf);
	if (map) {
		list_del(&map->node);
		devmap_destroy(map);
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&devmaps_lock);
	device_unlock(dev);
put_device:
	put_device(dev);
	return ret;
}

/* Under the device's lock: end every mapping for @dev, or @buf's only */
static unsigned int destroy_dev_maps(struct device *dev,
				     struct bpbuf_buffer *buf)
{
	struct bpbuf_devmap *map, *next;
	unsigned int n = 0;

	mutex_lock(&devmaps_lock);
	list_for_each_entry_safe(map, next, &devmaps, node) {
		if (map->dev != dev || (buf && map->buf != buf))
			continue;
		list_del(&map->node);
		devmap_destroy(map);
		n++;
	}
	mutex_unlock(&devmaps_lock);
	return n;
}

/**
 * bpbuf_devmap_release - end every mapping of a buffer being released
 * @buf: the buffer, in its dma-buf's release: no fd of it is left, so no
 *	new mapping of it can appear
 *
 * One device at a time, since a device's lock comes before devmaps_lock.
 * dma-buf releases run from fput()'s deferred work, holding no lock.
 */
void bpbuf_devmap_release(struct bpbuf_buffer *buf)
{
	struct bpbuf_devmap *map;
	struct device *dev;

	for (;;) {
		dev = NULL;
		mutex_lock(&devmaps_lock);
		list_for_each_entry(map, &devmaps, node) {
			if (map->buf == buf) {
				dev = get_device(map->dev);
				break;
			}
		}
		mutex_unlock(&devmaps_lock);
		if (!dev)
			return;
		device_lock(dev);
		destroy_dev_maps(dev, buf);
		device_unlock(dev);
		put_device(dev);
	}
}

/*
 * The core sends BUS_NOTIFY_UNBIND_DRIVER under the device's lock, before
 * the driver's remove() and before the bus's dma_cleanup() and devres: the
 * last moment the mappings can be undone with the DMA setup they were made
 * with. Hot-unplug unbinds the same way.
 */
static int devmap_bus_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct device *dev = data;
	unsigned int n;

	if (action != BUS_NOTIFY_UNBIND_DRIVER)
		return NOTIFY_DONE;
	n = destroy_dev_maps(dev, NULL);
	if (n)
		dev_info(dev, "%s unbinding: ended %u bpbuf DMA mapping%s\n",
			 dev->driver ? dev->driver->name : "driver", n,
			 n == 1 ? "" : "s");
	return NOTIFY_OK;
}

/* One block per bus: a notifier block sits on one chain */
static struct notifier_block platform_nb = { .notifier_call = devmap_bus_notify };
#ifdef CONFIG_PCI
static struct notifier_block pci_nb = { .notifier_call = devmap_bus_notify };
#endif

int bpbuf_devmap_init(void)
{
	int ret;

	ret = bus_register_notifier(&platform_bus_type, &platform_nb);
	if (ret)
		return ret;
#ifdef CONFIG_PCI
	ret = bus_register_notifier(&pci_bus_type, &pci_nb);
	if (ret)
		bus_unregister_notifier(&platform_bus_type, &platform_nb);
#endif
	return ret;
}

/* Every buffer is released by now, and its mappings with it */
void bpbuf_devmap_exit(void)
{
#ifdef CONFIG_PCI
	bus_unregister_notifier(&pci_bus_type, &pci_nb);
#endif
	bus_unregister_notifier(&platform_bus_type, &platform_nb);
	WARN_ON(!list_empty(&devmaps));
}
