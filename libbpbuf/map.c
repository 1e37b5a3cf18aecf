// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libbpbuf: mapping a buffer into the process.
 *
 * The kernel maps a part of a buffer with one PMD (2 MiB) or PUD (1 GiB)
 * entry only where the mapping's virtual address is aligned like the
 * buffer's physical one, and mmap() of a dma-buf fd picks any page-aligned
 * address. So bpbuf_buffer_map() picks the address itself: it reserves a
 * larger stretch of address space, maps the buffer at its first address
 * aligned to the largest entry size that fits in the buffer
 * (BPBUF_CAP_MAP_SIZES), and gives back the rest. The driver aligns large
 * buffers' physical addresses the same way by default.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#include "libbpbuf-private.h"

/* The virtual alignment for a buffer of @size: 0 when pages are all it gets */
static uint64_t map_align(const struct bpbuf_dev *dev, uint64_t size)
{
	uint64_t sizes = dev->map_sizes & ~(dev->page_size * 2 - 1);
	uint64_t best = 0;

	for (; sizes; sizes &= sizes - 1) {
		uint64_t one = sizes & -sizes;

		if (one <= size)
			best = one;
	}
	return best;
}

/* mmap() of @len bytes of @fd at an address aligned to @align (a power of 2) */
static void *mmap_aligned(size_t len, int prot, int fd, uint64_t align)
{
	size_t span, head, tail;
	uintptr_t start, at;
	void *hole;

	if (!align || len > SIZE_MAX - align)
		return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
	span = len + align;
	hole = mmap(NULL, span, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hole == MAP_FAILED)
		return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
	start = (uintptr_t)hole;
	at = (start + align - 1) & ~(uintptr_t)(align - 1);
	/* MAP_FIXED replaces the reservation; nothing else can be there */
	if (mmap((void *)at, len, prot, MAP_SHARED | MAP_FIXED, fd, 0) ==
	    MAP_FAILED) {
		int err = errno;

		munmap(hole, span);
		errno = err;
		return MAP_FAILED;
	}
	head = at - start;
	tail = span - head - len;
	if (head)
		munmap(hole, head);
	if (tail)
		munmap((void *)(at + len), tail);
	return (void *)at;
}

BPBUF_EXPORT int bpbuf_buffer_map(struct bpbuf_buffer *buf, int prot,
				  void **addrp)
{
	void *addr;

	if (!buf || prot & ~(PROT_READ | PROT_WRITE))
		return -EINVAL;
	if (buf->addr)
		return -EBUSY;
	if (buf->size > SIZE_MAX)
		return -ENOMEM;
	if (!prot) {
		int fl = fcntl(buf->fd, F_GETFL);

		if (fl < 0)
			return -errno;
		switch (fl & O_ACCMODE) {
		case O_RDONLY:
			prot = PROT_READ;
			break;
		case O_RDWR:
			prot = PROT_READ | PROT_WRITE;
			break;
		default:
			return -EACCES;
		}
	}
	addr = mmap_aligned((size_t)buf->size, prot, buf->fd,
			    map_align(buf->dev, buf->size));
	if (addr == MAP_FAILED)
		return -errno;
	buf->addr = addr;
	if (addrp)
		*addrp = addr;
	return 0;
}

BPBUF_EXPORT int bpbuf_buffer_unmap(struct bpbuf_buffer *buf)
{
	if (!buf)
		return -EINVAL;
	if (!buf->addr)
		return 0;
	if (munmap(buf->addr, (size_t)buf->size))
		return -errno;
	buf->addr = NULL;
	return 0;
}
