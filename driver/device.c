// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf: the /dev/bpbuf misc device, the module parameters, load and unload.
 *
 * Root and the bpbuf group may open it (0660; the udev rule sets the group):
 * what it hands out is physically contiguous memory and its bus address.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "account.h"
#include "bpbuf_dev.h"
#include "compat.h"
#include "devmap.h"
#include "heapnode.h"
#include "param.h"

#define BPBUF_DEFAULT_HEAP_SIZE	SZ_64M

static const struct file_operations bpbuf_fops;

static struct bpbuf_device bpbuf_dev = {
	.misc = {
		.minor = MISC_DYNAMIC_MINOR,
		.name = BPBUF_DRIVER_NAME,
		.fops = &bpbuf_fops,
		.mode = 0660,
	},
	.dma_bits = 64,
	.buffers_lock = __MUTEX_INITIALIZER(bpbuf_dev.buffers_lock),
	.buffers = LIST_HEAD_INIT(bpbuf_dev.buffers),
};

static u64 heap_size = BPBUF_DEFAULT_HEAP_SIZE;

/* heap_size: more than nothing, and no more than a size_t holds in pages */
static int heap_size_set(const char *val, const struct kernel_param *kp)
{
	u64 size;

	if (bpbuf_param_bytes(val, &size) || !size ||
	    size > SIZE_MAX - PAGE_SIZE + 1)
		return -EINVAL;
	*(u64 *)kp->arg = PAGE_ALIGN(size);
	return 0;
}

static int heap_size_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", *(u64 *)kp->arg);
}

static const struct kernel_param_ops heap_size_ops = {
	.set = heap_size_set,
	.get = heap_size_get,
};

module_param_cb(heap_size, &heap_size_ops, &heap_size, 0444);
MODULE_PARM_DESC(heap_size,
		 "Bytes carved at load, e.g. 64M or 1G (default 64M); from CMA, boot with cma= at least this large");

static enum bpbuf_source heap_source = BPBUF_SOURCE_AUTO;

static int heap_source_set(const char *val, const struct kernel_param *kp)
{
	return bpbuf_source_parse(val, kp->arg);
}

static int heap_source_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  bpbuf_source_name(*(enum bpbuf_source *)kp->arg));
}

static const struct kernel_param_ops heap_source_ops = {
	.set = heap_source_set,
	.get = heap_source_get,
};

module_param_cb(heap_source, &heap_source_ops, &heap_source, 0444);
MODULE_PARM_DESC(heap_source,
		 "Where the heap's memory comes from: cma (the default CMA area), movable (ordinary memory emptied at load, for kernels without CMA) or auto (default: CMA if the kernel has it and it has room, else movable)");

module_param_named(dma_bits, bpbuf_dev.dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "DMA mask width, 32..64 (default 64); 32 keeps the heap below 4 GiB for devices that need it");

module_param_named(pud_mappings, bpbuf_dev.pud_mappings, bool, 0444);
MODULE_PARM_DESC(pud_mappings,
		 "Map 1 GiB-aligned parts of buffers with one PUD entry where the kernel can (x86-64, Linux 6.12+; default N: the kernel's mremap() of such an entry drops it without a TLB flush)");

module_param_named(bus_addr_unprivileged, bpbuf_dev.bus_addr_unprivileged,
		   bool, 0644);
MODULE_PARM_DESC(bus_addr_unprivileged,
		 "Let any opener of /dev/bpbuf use BPBUF_IOCTL_BUS_ADDR, not only CAP_SYS_RAWIO (default N)");

static char dma_heap_name[BPBUF_HEAPNODE_NAME_LEN] = BPBUF_DRIVER_NAME;
module_param_string(dma_heap_name, dma_heap_name, sizeof(dma_heap_name), 0444);
MODULE_PARM_DESC(dma_heap_name,
		 "Name of the dma-heap node /dev/dma_heap/NAME (default bpbuf); empty for none");

static int bpbuf_open(struct inode *inode, struct file *file)
{
	if (!bpbuf_device_ready(bpbuf_device_of(file)))
		return -ENODEV;
	return 0;
}

static const struct file_operations bpbuf_fops = {
	.owner = THIS_MODULE,
	.open = bpbuf_open,
	.unlocked_ioctl = bpbuf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static int __init bpbuf_init(void)
{
	struct bpbuf_device *bdev = &bpbuf_dev;
	struct device *dev;
	int ret;

	if (bdev->dma_bits < 32 || bdev->dma_bits > 64) {
		pr_err("dma_bits=%u: must be 32..64\n", bdev->dma_bits);
		return -EINVAL;
	}

	ret = misc_register(&bdev->misc);
	if (ret) {
		pr_err("cannot register /dev/bpbuf: %d\n", ret);
		return ret;
	}
	dev = bdev->misc.this_device;

	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(bdev->dma_bits));
	if (ret) {
		pr_err("cannot set a %u-bit DMA mask: %d\n", bdev->dma_bits,
		       ret);
		goto deregister;
	}

	ret = bpbuf_heap_init(&bdev->heap, dev, heap_size, heap_source);
	if (ret)
		goto deregister;

	bpbuf_debugfs_init(bdev);
	/* <debugfs>/bpbuf/accounting; the uid_quota parameter is account.c's */
	bpbuf_account_debugfs_init(bdev->debugfs);
	ret = bpbuf_devmap_init();
	if (ret)
		goto destroy_heap;
	ret = bpbuf_heapnode_register(bdev, dma_heap_name);
	if (ret)
		goto exit_devmap;
	/* pairs with bpbuf_device_ready(): the heap is complete first */
	smp_store_release(&bdev->ready, true);
	/* the bus address only goes to root, through debugfs */
	pr_info("version %s loaded: %llu MiB heap (source %s), %u-bit DMA\n",
		PACKAGE_VERSION, heap_size >> 20,
		bpbuf_source_name(bpbuf_heap_source(&bdev->heap)),
		bdev->dma_bits);
	return 0;

exit_devmap:
	bpbuf_devmap_exit();
destroy_heap:
	bpbuf_debugfs_exit(bdev);
	bpbuf_heap_destroy(&bdev->heap);
deregister:
	misc_deregister(&bdev->misc);
	return ret;
}

static void __exit bpbuf_exit(void)
{
	struct bpbuf_device *bdev = &bpbuf_dev;

	/*
	 * No file is open and no buffer lives or is held: each holds a module
	 * reference. The held worker may still be returning from its last
	 * module_put(): bpbuf_heap_destroy() waits for it.
	 */
	bpbuf_heapnode_unregister(bdev);
	bpbuf_devmap_exit();
	bpbuf_debugfs_exit(bdev);
	bpbuf_heap_destroy(&bdev->heap);
	misc_deregister(&bdev->misc);
}

module_init(bpbuf_init);
module_exit(bpbuf_exit);

BPBUF_IMPORT_NS_DMA_BUF();
MODULE_DESCRIPTION(BPBUF_DRIVER_DESC);
MODULE_LICENSE("GPL");
MODULE_VERSION(PACKAGE_VERSION);
