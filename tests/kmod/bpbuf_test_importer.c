// SPDX-License-Identifier: GPL-2.0-only
/*
 * A dma-buf importer for the tests: it attaches and maps a dma-buf for a
 * platform device of its own, with a 64-bit DMA mask, as a DMA driver does,
 * and reports the bus address and segments it was given. vgem, the kernel's
 * own test importer, stopped mapping its imports (DRM's shmem helpers
 * import without mapping since Linux 6.15), so the map and unmap paths
 * need an importer that maps on every kernel. Root only; never installed.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "compat.h"
#include "bpbuf_test_importer.h"

#ifndef HAVE_DMA_BUF_MAP_ATTACHMENT_UNLOCKED
/* Before 6.2 these took the reservation lock themselves. */
#define dma_buf_map_attachment_unlocked dma_buf_map_attachment
#define dma_buf_unmap_attachment_unlocked dma_buf_unmap_attachment
#endif

#define MAX_IMPORTS 1024

static struct platform_device *importer_pdev;

/*
 * The highest bus address the importer's device reaches (bus_dma_limit),
 * 0 for none; taken at each import, so that a test can put the buffer out
 * of the importer's reach wherever the heap lies. One test at a time.
 */
static unsigned long long dma_limit;
module_param(dma_limit, ullong, 0644);
/* the device's own limit, put back when dma_limit is 0 */
static u64 platform_dma_limit;
MODULE_PARM_DESC(dma_limit, "Highest bus address the importer reaches, 0 for no limit (default 0)");

struct import {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
};

/* One per open file: its imports, by handle. The xarray's lock suffices. */
struct importer_file {
	struct xarray imports;
};

static void import_release(struct import *imp)
{
	dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(imp->dmabuf, imp->attach);
	dma_buf_put(imp->dmabuf);
	kfree(imp);
}

static void import_describe(const struct import *imp, struct bpbuf_test_import *out)
{
	struct scatterlist *sg;
	dma_addr_t next = 0;
	u64 covered = 0;
	bool follows = true;
	unsigned int i;

	out->size = imp->dmabuf->size;
	out->nsegs = imp->sgt->nents;
	out->dma_addr = imp->sgt->nents ? sg_dma_address(imp->sgt->sgl) : 0;
	for_each_sgtable_dma_sg(imp->sgt, sg, i) {
		if (i && sg_dma_address(sg) != next)
			follows = false;
		next = sg_dma_address(sg) + sg_dma_len(sg);
		covered += sg_dma_len(sg);
	}
	out->contiguous = follows && covered >= imp->dmabuf->size;
}

static long importer_import(struct importer_file *f, void __user *arg)
{
	struct bpbuf_test_import req;
	struct import *imp;
	u32 handle;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	imp = kzalloc(sizeof(*imp), GFP_KERNEL);
	if (!imp)
		return -ENOMEM;
	imp->dmabuf = dma_buf_get(req.fd);
	if (IS_ERR(imp->dmabuf)) {
		ret = PTR_ERR(imp->dmabuf);
		goto free;
	}
	importer_pdev->dev.bus_dma_limit = READ_ONCE(dma_limit) ?: platform_dma_limit;
	imp->attach = dma_buf_attach(imp->dmabuf, &importer_pdev->dev);
	if (IS_ERR(imp->attach)) {
		ret = PTR_ERR(imp->attach);
		goto put;
	}
	imp->sgt = dma_buf_map_attachment_unlocked(imp->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(imp->sgt)) {
		ret = PTR_ERR(imp->sgt);
		goto detach;
	}
	/* Described before it is published: RELEASE may free it from then on. */
	import_describe(imp, &req);
	ret = xa_alloc(&f->imports, &handle, imp, XA_LIMIT(1, MAX_IMPORTS), GFP_KERNEL);
	if (ret)
		goto unmap;
	req.handle = handle;
	if (copy_to_user(arg, &req, sizeof(req))) {
		imp = xa_erase(&f->imports, handle);
		if (imp)
			import_release(imp);
		return -EFAULT;
	}
	return 0;

unmap:
	dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt, DMA_BIDIRECTIONAL);
detach:
	dma_buf_detach(imp->dmabuf, imp->attach);
put:
	dma_buf_put(imp->dmabuf);
free:
	kfree(imp);
	return ret;
}

static long importer_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct importer_file *f = file->private_data;
	struct import *imp;
	u32 handle;

	switch (cmd) {
	case BPBUF_TEST_IOC_IMPORT:
		return importer_import(f, (void __user *)arg);
	case BPBUF_TEST_IOC_RELEASE:
		if (get_user(handle, (u32 __user *)arg))
			return -EFAULT;
		imp = xa_erase(&f->imports, handle);
		if (!imp)
			return -ENOENT;
		import_release(imp);
		return 0;
	default:
		return -ENOTTY;
	}
}

static int importer_open(struct inode *inode, struct file *file)
{
	struct importer_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	xa_init_flags(&f->imports, XA_FLAGS_ALLOC1);
	file->private_data = f;
	return 0;
}

static int importer_close(struct inode *inode, struct file *file)
{
	struct importer_file *f = file->private_data;
	struct import *imp;
	unsigned long handle;

	xa_for_each(&f->imports, handle, imp)
		import_release(imp);
	xa_destroy(&f->imports);
	kfree(f);
	return 0;
}

static const struct file_operations importer_fops = {
	.owner = THIS_MODULE,
	.open = importer_open,
	.release = importer_close,
	.unlocked_ioctl = importer_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice importer_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "bpbuf-test-importer",
	.fops = &importer_fops,
	.mode = 0600,
};

static int __init importer_init(void)
{
	int ret;

	importer_pdev = platform_device_register_simple(BPBUF_TEST_IMPORTER_DEVICE,
							PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(importer_pdev))
		return PTR_ERR(importer_pdev);
	platform_dma_limit = importer_pdev->dev.bus_dma_limit;
	ret = dma_coerce_mask_and_coherent(&importer_pdev->dev, DMA_BIT_MASK(64));
	if (!ret)
		ret = misc_register(&importer_misc);
	if (ret)
		platform_device_unregister(importer_pdev);
	return ret;
}
module_init(importer_init);

static void __exit importer_exit(void)
{
	misc_deregister(&importer_misc);
	platform_device_unregister(importer_pdev);
}
module_exit(importer_exit);

MODULE_DESCRIPTION("bpbuf tests: a dma-buf importer that maps for its own device");
MODULE_LICENSE("GPL");
BPBUF_IMPORT_NS_DMA_BUF();
