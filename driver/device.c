// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf: the /dev/bpbuf misc device, its parameters, load and unload. The
 * heaps' parameters are heaps.c's, the quota's account.c's.
 *
 * Root and the bpbuf group may open it (0660; the udev rule sets the group):
 * what it hands out is physically contiguous memory and its bus address.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "account.h"
#include "bpbuf_dev.h"
#include "compat.h"
#include "devmap.h"
#include "heapnode.h"
#include "heaps.h"

static const struct file_operations bpbuf_fops;

static struct bpbuf_device bpbuf_dev = {
	.misc = {
		.minor = MISC_DYNAMIC_MINOR,
		.name = BPBUF_DRIVER_NAME,
		.fops = &bpbuf_fops,
		.mode = 0660,
	},
	.buffers_lock = __MUTEX_INITIALIZER(bpbuf_dev.buffers_lock),
	.buffers = LIST_HEAD_INIT(bpbuf_dev.buffers),
};

module_param_named(pud_mappings, bpbuf_dev.pud_mappings, bool, 0444);
MODULE_PARM_DESC(pud_mappings,
		 "Map 1 GiB-aligned parts of buffers with one PUD entry where the kernel can (x86-64, Linux 6.12+; default N: the kernel's mremap() of such an entry drops it without a TLB flush)");

module_param_named(bus_addr_unprivileged, bpbuf_dev.bus_addr_unprivileged,
		   bool, 0644);
MODULE_PARM_DESC(bus_addr_unprivileged,
		 "Let any opener of /dev/bpbuf use BPBUF_IOCTL_BUS_ADDR, not only CAP_SYS_RAWIO (default N)");

static char dma_heap_name[BPBUF_HEAP_NAME_LEN] = BPBUF_DRIVER_NAME;
module_param_string(dma_heap_name, dma_heap_name, sizeof(dma_heap_name), 0444);
MODULE_PARM_DESC(dma_heap_name,
		 "Name of the default heap's dma-heap node /dev/dma_heap/NAME (default bpbuf), NAME-HEAP for named heaps; empty for none");

static int bpbuf_open(struct inode *inode, struct file *file)
{
	if (!bpbuf_device_ready(bpbuf_device_of(file)))
		return -ENODEV;
	return 0;
}

/* The device mappings made through this file end with it (devmap.c) */
static int bpbuf_release_file(struct inode *inode, struct file *file)
{
	bpbuf_devmap_release_file(file);
	return 0;
}

static const struct file_operations bpbuf_fops = {
	.owner = THIS_MODULE,
	.open = bpbuf_open,
	.release = bpbuf_release_file,
	.unlocked_ioctl = bpbuf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static int __init bpbuf_init(void)
{
	struct bpbuf_device *bdev = &bpbuf_dev;
	struct bpbuf_heap *heap;
	int ret;

	ret = misc_register(&bdev->misc);
	if (ret) {
		pr_err("cannot register /dev/bpbuf: %d\n", ret);
		return ret;
	}

	ret = bpbuf_heaps_init(&bdev->heaps, bdev->misc.this_device);
	if (ret)
		goto deregister;

	bpbuf_debugfs_init(bdev);
	/* <debugfs>/bpbuf/accounting; the uid_quota parameter is account.c's */
	bpbuf_account_debugfs_init(bdev->debugfs);
	ret = bpbuf_devmap_init();
	if (ret)
		goto destroy_heap;
	ret = bpbuf_heapnodes_register(bdev, dma_heap_name);
	if (ret)
		goto exit_devmap;
	/* pairs with bpbuf_device_ready(): the heaps are complete first */
	smp_store_release(&bdev->ready, true);
	/* the bus address only goes to root, through debugfs */
	heap = bpbuf_heaps_default(&bdev->heaps);
	pr_info("version %s loaded: %llu MiB heap (source %s), %u-bit DMA, %u heap%s\n",
		PACKAGE_VERSION, bpbuf_heap_size(heap) >> 20,
		bpbuf_source_name(bpbuf_heap_source(heap)),
		bpbuf_heap_dma_bits(heap), bdev->heaps.nr,
		bdev->heaps.nr == 1 ? "" : "s");
	return 0;

exit_devmap:
	bpbuf_devmap_exit();
destroy_heap:
	bpbuf_debugfs_exit(bdev);
	bpbuf_heaps_exit(&bdev->heaps);
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
	 * module_put(): bpbuf_heap_destroy() (bpbuf_heaps_exit()) waits for it.
	 */
	bpbuf_heapnodes_unregister(bdev);
	bpbuf_devmap_exit();
	bpbuf_debugfs_exit(bdev);
	bpbuf_heaps_exit(&bdev->heaps);
	misc_deregister(&bdev->misc);
}

module_init(bpbuf_init);
module_exit(bpbuf_exit);

BPBUF_IMPORT_NS_DMA_BUF();
MODULE_DESCRIPTION(BPBUF_DRIVER_DESC);
MODULE_LICENSE("GPL");
MODULE_VERSION(PACKAGE_VERSION);
