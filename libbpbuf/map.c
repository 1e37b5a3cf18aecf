// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libbpbuf: mapping a buffer into the process.
 *
 * The kernel maps a part of a buffer with one PMD (2 MiB) or PUD (1 GiB)
 * entry only where the mapping's virtual address is aligned like the
 * buffer's physical one, and mmap() of a dma-buf fd picks any page-aligned
 * address. So bpbuf_buffer_map() picks the address itself: it finds room
 * for the buffer at an address aligned to the largest entry size that fits
 * in it (BPBUF_CAP_MAP_SIZES) and maps it there. The driver aligns large
 * buffers' physical addresses the same way by default.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libbpbuf-private.h"

/*
 * The next virtual alignment to try for a buffer of @size, below @below:
 * the largest large-entry size that fits in it; 0 when none is left
 */
static uint64_t map_align(const struct bpbuf_dev *dev, uint64_t size,
			  uint64_t below)
{
	uint64_t sizes = dev->map_sizes & ~(dev->page_size * 2 - 1);
	uint64_t best = 0;

	for (; sizes; sizes &= sizes - 1) {
		uint64_t one = sizes & -sizes;

		if (one <= size && one < below && one <= SIZE_MAX / 2)
			best = one;
	}
	return best;
}

/*
 * An address for @len bytes aligned to @align: the aligned place in a
 * reservation of @len + @align, given back at once. 0 if there is no room.
 */
static uintptr_t aligned_hole(size_t len, uint64_t align)
{
	size_t span;
	void *hole;

	if (len > SIZE_MAX - align)
		return 0;
	span = len + align;
	hole = mmap(NULL, span, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hole == MAP_FAILED)
		return 0;
	munmap(hole, span);
	return ((uintptr_t)hole + align - 1) & ~(uintptr_t)(align - 1);
}

/*
 * mmap() of @len bytes of @fd at the largest alignment there is room for.
 * The aligned address is a hint, not MAP_FIXED: should another thread map
 * something there first, the buffer goes elsewhere, just not aligned.
 */
static void *mmap_aligned(const struct bpbuf_dev *dev, size_t len, int prot,
			  int fd)
{
	uint64_t align = UINT64_MAX;

	while ((align = map_align(dev, len, align))) {
		uintptr_t at = aligned_hole(len, align);

		if (at)
			return mmap((void *)at, len, prot, MAP_SHARED, fd, 0);
	}
	return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
}

/*
 * Check a map request; a @prot of 0 becomes what the buffer's fd allows.
 * Return: 0 or a negative errno.
 */
static int map_request(const struct bpbuf_buffer *buf, int *prot)
{
	int fl;

	if (!buf || *prot & ~(PROT_READ | PROT_WRITE))
		return -EINVAL;
	if (buf->addr)
		return -EBUSY;
	if (buf->size > SIZE_MAX)
		return -ENOMEM;
	if (*prot)
		return 0;
	fl = fcntl(buf->fd, F_GETFL);
	if (fl < 0)
		return -errno;
	switch (fl & O_ACCMODE) {
	case O_RDONLY:
		*prot = PROT_READ;
		return 0;
	case O_RDWR:
		*prot = PROT_READ | PROT_WRITE;
		return 0;
	default:
		return -EACCES;
	}
}

static int map_done(struct bpbuf_buffer *buf, void *addr, void **addrp)
{
	if (addr == MAP_FAILED)
		return -errno;
	buf->addr = addr;
	if (addrp)
		*addrp = addr;
	return 0;
}

BPBUF_EXPORT int bpbuf_buffer_map(struct bpbuf_buffer *buf, int prot,
				  void **addrp)
{
	int ret = map_request(buf, &prot);

	if (ret)
		return ret;
	return map_done(buf, mmap_aligned(buf->dev, (size_t)buf->size, prot,
					  buf->fd), addrp);
}

BPBUF_EXPORT int bpbuf_buffer_map_pages(struct bpbuf_buffer *buf, int prot,
					void **addrp)
{
	struct bpbuf_page_map pm = { .flags = BPBUF_PAGE_MAP_CLOEXEC };
	int ret = map_request(buf, &prot);
	void *addr;

	if (ret)
		return ret;
	pm.fd = (uint32_t)buf->fd;
	ret = bpbuf_xioctl(buf->dev->fd, BPBUF_IOCTL_PAGE_MAP, &pm);
	if (ret)
		return ret == -ENOTTY ? -EOPNOTSUPP : ret;
	/* the mapping keeps the page map's file; its fd can go */
	addr = mmap(NULL, (size_t)buf->size, prot, MAP_SHARED, (int)pm.map_fd, 0);
	ret = map_done(buf, addr, addrp);
	close((int)pm.map_fd);
	return ret;
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
