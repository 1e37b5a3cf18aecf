// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-device DMA addresses (BPBUF_IOCTL_DEV_MAP, BPBUF_IOCTL_DEV_UNMAP): a
 * buffer mapped for a device that user space names, through the DMA API
 * with the same attachment a dma-buf importer gets (attach.c), so that the
 * device's IOMMU, DMA mask and bus offsets apply exactly as they would for
 * a kernel importer. Not through the dma-buf core itself: these mappings
 * end inside the dma-buf's release, where dma_buf_detach() would trace
 * through the file's inode, already gone.
 *
 * A mapping belongs to the /dev/bpbuf file it was asked through, one per
 * buffer and device there (iommufd's model: objects owned by the open
 * file), and holds its buffer: the memory a device was given stays the
 * buffer's, whatever fds of it are closed, until the mapping ends. It ends
 * when that file asks (DEV_UNMAP), when that file is released (its last fd
 * closed: a process that exits or is killed lets go of its own), or when
 * the device's driver unbinds: a bus notifier tears it down then, before
 * the driver's remove() and before the bus takes the device's DMA setup
 * away. What the device does with the address after that is the user's to
 * stop. The buffer's release has nothing to undo here: no mapping outlives
 * the reference it holds.
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

#include <bpbuf.h>

#include "buffer.h"
#include "devmap.h"

/**
 * struct bpbuf_devmap - one buffer mapped for one device
 * @node: entry in devmaps
 * @owner: the /dev/bpbuf file it was made through; compared, never followed
 *	(the mapping ends in that file's release)
 * @buf: the buffer, its dma-buf referenced
 * @dev: the device, referenced
 * @a: the buffer's attachment for @dev, mapped
 * @dma_addr: @dev's address of the buffer's first byte
 */
struct bpbuf_devmap {
	struct list_head node;
	const struct file *owner;
	struct bpbuf_buffer *buf;
	struct device *dev;
	struct bpbuf_attachment *a;
	dma_addr_t dma_addr;
};

/*
 * Every mapping. Lock order: a device's lock (device_lock()), then this,
 * then the buffer's lock. A mapping is made under its device's lock and
 * this, so that the device's driver cannot go meanwhile. It is torn down
 * under this alone: while it is on the list, its device's unbind notifier
 * has not run (it waits for this lock), so the DMA setup the mapping was
 * made with is still there. The release and unmap paths thus never wait
 * for a device's lock, which a driver's remove() may hold while it waits
 * for them. Dropping a mapping's buffer reference under it is safe: the
 * dma-buf's release never runs inside dma_buf_put() (fput() defers it).
 */
static DEFINE_MUTEX(devmaps_lock);
static LIST_HEAD(devmaps);

/* The hex digits, colons and dot of a PCI address, nothing else */
static bool pci_address_chars(const char *name)
{
	return *name && strspn(name, "0123456789abcdefABCDEF:.") == strlen(name);
}

/*
 * DDDD:BB:DD.F or BB:DD.F. The widths matter: sscanf() stores what it read
 * without a range check, so "100000000:00:02.0" would otherwise name domain
 * 0. Domains are up to 8 digits (VMD's start at 0x10000).
 */
static struct device *find_pci_device(const char *name)
{
#ifdef CONFIG_PCI
	unsigned int domain = 0, bus, slot, fn;
	struct pci_dev *pdev;
	struct device *dev;
	char end;

	if (!pci_address_chars(name))
		return ERR_PTR(-EINVAL);
	if (sscanf(name, "%8x:%2x:%2x.%1x%c", &domain, &bus, &slot, &fn, &end) != 4) {
		domain = 0;
		if (sscanf(name, "%2x:%2x.%1x%c", &bus, &slot, &fn, &end) != 3)
			return ERR_PTR(-EINVAL);
	}
	if (domain > INT_MAX || slot > 0x1f || fn > 7)
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
 * The mapping must be one range, and without a translating IOMMU the
 * buffer's own memory: anything else was bounced or split.
 */
static int one_range(struct device *dev, struct bpbuf_buffer *buf,
		     bool translated, struct sg_table *sgt, dma_addr_t *addr)
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
	if (!translated && start != phys_to_dma(dev, page_to_phys(buf->page)))
		return -ERANGE;
	*addr = start;
	return 0;
}

/* Whether @map is one of those @owner, @dev and @buf name (NULL: any) */
static bool devmap_matches(const struct bpbuf_devmap *map,
			   const struct file *owner, const struct device *dev,
			   const struct bpbuf_buffer *buf)
{
	return (!owner || map->owner == owner) && (!dev || map->dev == dev) &&
	       (!buf || map->buf == buf);
}

static struct bpbuf_devmap *find_devmap(const struct file *owner,
					struct device *dev,
					struct bpbuf_buffer *buf)
{
	struct bpbuf_devmap *map;

	lockdep_assert_held(&devmaps_lock);
	list_for_each_entry(map, &devmaps, node)
		if (devmap_matches(map, owner, dev, buf))
			return map;
	return NULL;
}

static struct bpbuf_devmap *devmap_create(const struct file *owner,
					  struct device *dev,
					  struct bpbuf_buffer *buf,
					  bool translated)
{
	struct bpbuf_devmap *map;
	int ret;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->a = bpbuf_attachment_create(buf, dev);
	if (IS_ERR(map->a)) {
		ret = PTR_ERR(map->a);
		goto free_map;
	}
	ret = bpbuf_attachment_map(buf, map->a, DMA_BIDIRECTIONAL, !translated);
	if (ret) {
		/* dma_map_sgtable()'s "cannot map" besides no IOVA space */
		if (ret != -ENOMEM && ret != -ERANGE)
			ret = -EIO;
		goto destroy;
	}
	ret = one_range(dev, buf, translated, &map->a->sgt, &map->dma_addr);
	if (ret)
		goto unmap;
	map->owner = owner;
	map->buf = buf;
	get_dma_buf(buf->dmabuf);
	map->dev = get_device(dev);
	return map;

unmap:
	/* refused, maybe bounced: copy nothing back over the buffer */
	bpbuf_attachment_unmap(buf, map->a, false);
destroy:
	bpbuf_attachment_destroy(buf, map->a);
free_map:
	kfree(map);
	return ERR_PTR(ret);
}

/* Under devmaps_lock, off the list already */
static void devmap_destroy(struct bpbuf_devmap *map)
{
	lockdep_assert_held(&devmaps_lock);
	bpbuf_attachment_unmap(map->buf, map->a, true);
	bpbuf_attachment_destroy(map->buf, map->a);
	put_device(map->dev);
	dma_buf_put(map->buf->dmabuf);
	kfree(map);
}

/**
 * bpbuf_devmap_map - map a buffer for a named device (BPBUF_IOCTL_DEV_MAP)
 * @owner: the /dev/bpbuf file asking, which the mapping will belong to
 * @buf: the buffer, referenced by the caller (so not being released)
 * @bus: BPBUF_BUS_PCI or BPBUF_BUS_PLATFORM
 * @name: the device's name on @bus, NUL-terminated
 * @addr: out: the device's address of the buffer's first byte
 *
 * Return: 0, or the negative errno bpbuf.h lists for BPBUF_IOCTL_DEV_MAP.
 */
int bpbuf_devmap_map(const struct file *owner, struct bpbuf_buffer *buf,
		     unsigned int bus, const char *name, dma_addr_t *addr)
{
	struct bpbuf_devmap *map;
	struct device *dev;
	bool translated;
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

	/* the domain stays while the driver is bound, under its lock */
	translated = bpbuf_dma_translates(dev);

	mutex_lock(&devmaps_lock);
	map = find_devmap(owner, dev, buf);
	if (!map) {
		ret = bpbuf_dma_reach(dev, buf, translated);
		if (ret)
			goto unlock;
		map = devmap_create(owner, dev, buf, translated);
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

/* End every mapping @owner, @dev and @buf name (NULL: any) */
static unsigned int destroy_maps(const struct file *owner, struct device *dev,
				 struct bpbuf_buffer *buf)
{
	struct bpbuf_devmap *map, *next;
	unsigned int n = 0;

	mutex_lock(&devmaps_lock);
	list_for_each_entry_safe(map, next, &devmaps, node) {
		if (!devmap_matches(map, owner, dev, buf))
			continue;
		list_del(&map->node);
		devmap_destroy(map);
		n++;
	}
	mutex_unlock(&devmaps_lock);
	return n;
}

/**
 * bpbuf_devmap_unmap - end @owner's mapping of @buf for a named device
 * @owner: the /dev/bpbuf file asking: only its own mapping ends
 * @buf: the buffer, referenced by the caller
 * @bus: BPBUF_BUS_PCI or BPBUF_BUS_PLATFORM
 * @name: the device's name on @bus, NUL-terminated
 *
 * Return: 0, or the negative errno bpbuf.h lists for BPBUF_IOCTL_DEV_UNMAP.
 */
int bpbuf_devmap_unmap(const struct file *owner, struct bpbuf_buffer *buf,
		       unsigned int bus, const char *name)
{
	struct device *dev;
	unsigned int n;

	dev = find_device(bus, name);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	n = destroy_maps(owner, dev, buf);
	put_device(dev);
	return n ? 0 : -ENOENT;
}

/**
 * bpbuf_devmap_release_file - end every mapping made through a file
 * @owner: a /dev/bpbuf file in its release: no ioctl can come through it
 *	any more, so no new mapping of it can appear
 *
 * Each mapping's buffer goes with it unless something else still holds it.
 */
void bpbuf_devmap_release_file(const struct file *owner)
{
	destroy_maps(owner, NULL, NULL);
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
	n = destroy_maps(NULL, dev, NULL);
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

/* Every /dev/bpbuf file is released by now, and its mappings with it */
void bpbuf_devmap_exit(void)
{
#ifdef CONFIG_PCI
	bus_unregister_notifier(&pci_bus_type, &pci_nb);
#endif
	bus_unregister_notifier(&platform_bus_type, &platform_nb);
	WARN_ON(!list_empty(&devmaps));
}
