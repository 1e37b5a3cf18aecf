// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf as dma-heaps: /dev/dma_heap/NAME for the default heap (NAME from the
 * dma_heap_name parameter, "bpbuf" by default) and /dev/dma_heap/NAME-HEAP
 * for each named heap, speaking the kernel's dma-heap ABI so that existing
 * dma-heap clients allocate from bpbuf's heaps unchanged.
 *
 * It is a misc device of ours whose node is dma_heap/NAME, not a heap added
 * with dma_heap_add(): that needs CONFIG_DMABUF_HEAPS, which kernels such as
 * Debian's arm64 one leave out while having CMA. Validation, errors and the
 * handling of shorter and longer structs follow drivers/dma-buf/dma-heap.c,
 * not bpbuf's own ioctl rules:
 *  - the ioctl number is looked at only for its number (0, the only one) and
 *    its direction and size; any other number is EINVAL;
 *  - min(user, kernel) bytes are copied in when the number says _IOC_WRITE,
 *    the rest zeroed; bytes past struct dma_heap_allocation_data are ignored
 *    (not refused) and copied back as they came;
 *  - EINVAL for a nonzero @fd, unknown @fd_flags or @heap_flags bits, or a
 *    @len that rounds up to 0 (0, or past 2^64); ENOMEM when the heap has no
 *    room; EDQUOT past the uid's quota (uid_quota, as BPBUF_IOCTL_ALLOC);
 *    EINTR when a fatal signal interrupted the zeroing; EMFILE when the
 *    process has no free fd, found before the heap is touched (dma-heap.c
 *    allocates first: only a request that fails both ways sees a
 *    difference, EMFILE here where the kernel's heaps say ENOMEM); EFAULT.
 * Buffers are ordinary bpbuf buffers, from the same allocation path as
 * BPBUF_IOCTL_ALLOC's with its default alignment (exporter "bpbuf", zeroed,
 * contiguous, BPBUF_IOCTL_BUS_ADDR works on them).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-heap.h>

#include "bpbuf_dev.h"
#include "buffer.h"
#include "heapnode.h"

#define BPBUF_HEAPNODE_DIR	"dma_heap/"

/**
 * struct bpbuf_heapnode - a heap's dma-heap node
 * @misc: the misc device, named and noded dma_heap/NAME
 * @bdev: the device
 * @heap: the heap it allocates from
 * @path: "dma_heap/NAME"
 */
struct bpbuf_heapnode {
	struct miscdevice misc;
	struct bpbuf_device *bdev;
	struct bpbuf_heap *heap;
	char path[sizeof(BPBUF_HEAPNODE_DIR) + 2 * BPBUF_HEAP_NAME_LEN];
};

static struct bpbuf_heapnode *heapnode_of(struct file *file)
{
	return container_of(file->private_data, struct bpbuf_heapnode, misc);
}

static int bpbuf_heapnode_open(struct inode *inode, struct file *file)
{
	struct bpbuf_heapnode *hn = heapnode_of(file);

	if (!bpbuf_device_ready(hn->bdev))
		return -ENODEV;
	return nonseekable_open(inode, file);
}

/* The heap's side of DMA_HEAP_IOCTL_ALLOC: dma-heap.c's checks, a buffer */
static int heapnode_alloc(struct bpbuf_heapnode *hn,
			  struct dma_heap_allocation_data *data,
			  struct bpbuf_new_fd *nfd)
{
	int ret;

	if (data->fd)
		return -EINVAL;
	if (data->fd_flags & ~DMA_HEAP_VALID_FD_FLAGS)
		return -EINVAL;
	if (data->heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return -EINVAL;

	/* the file gets fd_flags' access mode, the fd its O_CLOEXEC */
	/* the heap's default CPU mode: the node has no word for another */
	ret = bpbuf_buffer_alloc(hn->bdev, hn->heap, data->len, 0, 0,
				 data->fd_flags, data->fd_flags, NULL, nfd);
	if (ret)
		return ret;
	data->fd = nfd->fd;
	return 0;
}

/* Room for a struct of up to 128 bytes without a kmalloc(), as dma-heap.c */
#define HEAPNODE_STACK_WORDS	16

static long bpbuf_heapnode_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	struct bpbuf_heapnode *hn = heapnode_of(file);
	unsigned int size = _IOC_SIZE(cmd), in_size = 0, out_size = 0, ksize;
	void __user *uarg = (void __user *)arg;
	u64 stack[HEAPNODE_STACK_WORDS];
	struct dma_heap_allocation_data *data;
	struct bpbuf_new_fd nfd;
	void *kdata = stack;
	long ret = 0;

	if (_IOC_NR(cmd) != _IOC_NR(DMA_HEAP_IOCTL_ALLOC))
		return -EINVAL;
	if (_IOC_DIR(cmd) & _IOC_WRITE)
		in_size = size;
	if (_IOC_DIR(cmd) & _IOC_READ)
		out_size = size;
	ksize = max3(in_size, out_size,
		     (unsigned int)sizeof(struct dma_heap_allocation_data));

	if (ksize > sizeof(stack)) {
		kdata = kmalloc(ksize, GFP_KERNEL);
		if (!kdata)
			return -ENOMEM;
	}
	if (copy_from_user(kdata, uarg, in_size)) {
		ret = -EFAULT;
		goto free_kdata;
	}
	memset(kdata + in_size, 0, ksize - in_size);
	data = kdata;

	ret = heapnode_alloc(hn, data, &nfd);
	if (ret)
		goto free_kdata;
	/* the fd is installed only once the caller can know its number */
	if (copy_to_user(uarg, kdata, out_size)) {
		bpbuf_new_fd_discard(&nfd);
		ret = -EFAULT;
		goto free_kdata;
	}
	bpbuf_new_fd_install(&nfd);

free_kdata:
	if (kdata != stack)
		kfree(kdata);
	return ret;
}

static const struct file_operations bpbuf_heapnode_fops = {
	.owner = THIS_MODULE,
	.open = bpbuf_heapnode_open,
	.unlocked_ioctl = bpbuf_heapnode_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* Heap names as the kernel's heaps have them: "system", "linux,cma" */
static bool heapnode_name_valid(const char *name)
{
	const char *c;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (c = name; *c; c++)
		if (!isalnum(*c) && !strchr("_-.,", *c))
			return false;
	return true;
}

/*
 * Create /dev/dma_heap/@base for the default heap, @base-NAME for heap NAME.
 * Return: 0, -EINVAL for a @base with other characters than letters, digits
 * and "_-.,", -ENOMEM, or what misc_register() returns (-EBUSY when a misc
 * device of that name exists).
 */
static int heapnode_register(struct bpbuf_device *bdev,
			     struct bpbuf_heap *heap, const char *base)
{
	struct bpbuf_heapnode *hn;
	int ret;

	hn = kzalloc(sizeof(*hn), GFP_KERNEL);
	if (!hn)
		return -ENOMEM;
	if (heap->id)
		snprintf(hn->path, sizeof(hn->path), BPBUF_HEAPNODE_DIR "%s-%s",
			 base, heap->name);
	else
		snprintf(hn->path, sizeof(hn->path), BPBUF_HEAPNODE_DIR "%s",
			 base);
	hn->bdev = bdev;
	hn->heap = heap;
	hn->misc.minor = MISC_DYNAMIC_MINOR;
	/* sysfs shows dma_heap!NAME; udev and devtmpfs make dma_heap/NAME */
	hn->misc.name = hn->path;
	hn->misc.nodename = hn->path;
	hn->misc.fops = &bpbuf_heapnode_fops;
	hn->misc.mode = 0660;

	ret = misc_register(&hn->misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", hn->path, ret);
		kfree(hn);
		return ret;
	}
	bdev->heapnodes[heap->id] = hn;
	return 0;
}

/**
 * bpbuf_heapnodes_register - a dma-heap node for every heap
 * @bdev: the device, its heaps ready
 * @base: the default heap's node name (the others' start with it); "" for
 *	no nodes
 *
 * Return: 0, or -EINVAL for a @base with other characters than letters,
 * digits and "_-.,", -ENOMEM, or what misc_register() returns (-EBUSY when
 * a misc device of one of the names exists); no node is left then.
 */
int bpbuf_heapnodes_register(struct bpbuf_device *bdev, const char *base)
{
	unsigned int id;
	int ret;

	if (!*base)
		return 0;
	if (!heapnode_name_valid(base)) {
		pr_err("dma_heap_name=%s: letters, digits and _-., only\n", base);
		return -EINVAL;
	}
	for (id = 0; id < bdev->heaps.nr; id++) {
		ret = heapnode_register(bdev, bdev->heaps.heap[id], base);
		if (ret) {
			bpbuf_heapnodes_unregister(bdev);
			return ret;
		}
	}
	return 0;
}

void bpbuf_heapnodes_unregister(struct bpbuf_device *bdev)
{
	unsigned int id;

	for (id = 0; id < BPBUF_MAX_HEAPS; id++) {
		struct bpbuf_heapnode *hn = bdev->heapnodes[id];

		if (!hn)
			continue;
		misc_deregister(&hn->misc);
		kfree(hn);
		bdev->heapnodes[id] = NULL;
	}
}
