// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf page maps: a second, opt-in way to mmap() a buffer, whose entries
 * map the carve's pages as pages (BPBUF_IOCTL_PAGE_MAP), so that
 * get_user_pages() takes them: O_DIRECT, AIO, io_uring reads and writes
 * and MSG_ZEROCOPY then move the bytes without a copy.
 *
 * The dma-buf's own mmap() stays VM_PFNMAP (mmap.c), as dma-buf exporters
 * are meant to be; this mapping comes from a file of its own, which holds
 * a reference on the dma-buf. It is VM_MIXEDMAP of refcounted order-0
 * pages, never VM_IO, and shared only.
 *
 * The carve's pages are CMA pages. A long-term pin (FOLL_LONGTERM:
 * io_uring fixed buffers, ibv_reg_mr(), VFIO's type1 pinning) must not
 * hold CMA pages, so the kernel tries to migrate them first, which cannot
 * work for pages on no LRU, and retries until the caller is killed. Two
 * things turn that into an error instead:
 * - pfn_mkwrite makes the kernel count this mapping as one whose writes
 *   are tracked, and from Linux 6.5 GUP refuses a writable long-term pin
 *   of such a mapping with EFAULT before it looks at a page;
 * - a fault taken for a long-term pin (PF_MEMALLOC_PIN) is refused, so a
 *   pin of pages not mapped yet fails on every kernel.
 * A read-only long-term pin of pages already mapped, and on kernels before
 * 6.5 a writable one, is left: the kernel gives a driver no say in it, and
 * retries until the pinner is killed (bpbuf(4)).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "bpbuf_dev.h"
#include "buffer.h"
#include "compat.h"
#include "cpumode.h"
#include "mmap.h"
#include "pagemap.h"

/* Pages vm_insert_pages() gets at once at mmap(): a bound on the stack */
#define PAGE_MAP_BATCH	32

static vm_fault_t insert_errno(int err)
{
	switch (err) {
	case 0:
	case -EBUSY:		/* mapped already: by another thread */
		return VM_FAULT_NOPAGE;
	case -ENOMEM:
		return VM_FAULT_OOM;
	default:
		return VM_FAULT_SIGBUS;
	}
}

/*
 * After MADV_DONTNEED, or mremap() and munmap() cuts, a fault maps the
 * page again, with the rest of its PMD-sized block (as mmap.c's faults
 * do), unless it is a long-term pin's.
 */
static vm_fault_t page_map_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PAGE_MASK, block, end, pfn;
	vm_fault_t ret;

	if (current->flags & PF_MEMALLOC_PIN)
		return VM_FAULT_SIGBUS;
	if (!bpbuf_window_pfn(vma, addr, 1, &pfn))
		return VM_FAULT_SIGBUS;
	ret = insert_errno(vm_insert_page(vma, addr, pfn_to_page(pfn)));
	if (ret != VM_FAULT_NOPAGE)
		return ret;
	block = ALIGN_DOWN(addr, PAGE_SIZE * PTRS_PER_PTE);
	end = min(block + PAGE_SIZE * PTRS_PER_PTE, vma->vm_end);
	for (addr = max(block, vma->vm_start); addr < end; addr += PAGE_SIZE) {
		if (!bpbuf_window_pfn(vma, addr, 1, &pfn))
			break;
		if (insert_errno(vm_insert_page(vma, addr, pfn_to_page(pfn))) !=
		    VM_FAULT_NOPAGE)
			break;
	}
	return VM_FAULT_NOPAGE;
}

/*
 * Never called for these entries, which all map pages; that it exists is
 * what makes GUP refuse writable long-term pins (see the top of the file).
 */
static vm_fault_t page_map_pfn_mkwrite(struct vm_fault *vmf)
{
	return 0;
}

static const struct vm_operations_struct page_map_vm_ops = {
	.open = bpbuf_vm_open,
	.close = bpbuf_vm_close,
	.fault = page_map_fault,
	.pfn_mkwrite = page_map_pfn_mkwrite,
};

/* Map the whole window now, so that touching it never faults */
static int map_window(struct vm_area_struct *vma)
{
	struct page *batch[PAGE_MAP_BATCH];
	unsigned long addr = vma->vm_start, pfn, n, i, left;
	int ret;

	while (addr < vma->vm_end) {
		n = min_t(unsigned long, PAGE_MAP_BATCH,
			  (vma->vm_end - addr) >> PAGE_SHIFT);
		if (!bpbuf_window_pfn(vma, addr, n, &pfn))
			return -EINVAL;
		for (i = 0; i < n; i++)
			batch[i] = pfn_to_page(pfn + i);
		left = n;
		ret = vm_insert_pages(vma, addr, batch, &left);
		if (ret)
			return ret;
		addr += n << PAGE_SHIFT;
		/* a GiB is 8192 batches */
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

static int page_map_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct bpbuf_buffer *buf = file->private_data;
	int ret;

	ret = bpbuf_mmap_check(buf, vma);
	if (ret)
		return ret;
	/* mremap() must not grow it past the buffer; core dumps skip it */
	vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = buf;
	vma->vm_ops = &page_map_vm_ops;
	/* an error leaves what was mapped to mmap()'s unwinding */
	ret = map_window(vma);
	if (ret)
		return ret;
	atomic_inc(&buf->mmap_count);
	return 0;
}

static int page_map_release(struct inode *inode, struct file *file)
{
	struct bpbuf_buffer *buf = file->private_data;

	bpbuf_buffer_put(buf);
	return 0;
}

static const struct file_operations page_map_fops = {
	.owner = THIS_MODULE,
	.mmap = page_map_mmap,
	.release = page_map_release,
};

/**
 * bpbuf_page_map_open - a page-map file for @buf, and an fd for it
 * @buf: the buffer; the file takes a reference on its dma-buf
 * @fd_flags: 0 or O_CLOEXEC
 * @nfd: out: the fd, reserved, for bpbuf_new_fd_install() or
 *	bpbuf_new_fd_discard()
 *
 * The file opens with the dma-buf file's access mode, so a read-only
 * buffer fd gives a mapping that cannot be written either.
 *
 * Return: 0; -EOPNOTSUPP when the carve's pages cannot be mapped as pages
 * (bpbuf_heap.pages_mappable), or the buffer is not mapped cached;
 * -EMFILE; -ENOMEM.
 */
int bpbuf_page_map_open(struct bpbuf_buffer *buf, unsigned int fd_flags,
			struct bpbuf_new_fd *nfd)
{
	fmode_t mode = buf->dmabuf->file->f_mode;
	int flags, fd;
	struct file *file;

	/* the kernel code that takes the pages maps them cached (cpumode.c) */
	if (!bpbuf_heap_pages_mappable(buf->heap) ||
	    !bpbuf_cpu_mode_cached(buf->cpu_mode))
		return -EOPNOTSUPP;
	if ((mode & FMODE_READ) && (mode & FMODE_WRITE))
		flags = O_RDWR;
	else if (mode & FMODE_WRITE)
		flags = O_WRONLY;
	else
		flags = O_RDONLY;

	fd = get_unused_fd_flags(fd_flags);
	if (fd < 0)
		return fd;
	get_dma_buf(buf->dmabuf);
	file = anon_inode_getfile("[bpbuf-pages]", &page_map_fops, buf, flags);
	if (IS_ERR(file)) {
		bpbuf_buffer_put(buf);
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	/*
	 * A write fault on a refaulted page would update the times of the
	 * inode every anon file shares (no page_mkwrite: file_update_time())
	 */
	file->f_mode |= FMODE_NOCMTIME;
	/* its pages may be held by I/O past the buffer's release (held.c) */
	WRITE_ONCE(buf->page_mapped, true);
	nfd->fd = fd;
	nfd->file = file;
	return 0;
}
