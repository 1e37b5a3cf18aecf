/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbpbuf: the user-space library of bpbuf, physically contiguous
 * CMA-backed buffers as dma-buf file descriptors, with their bus address.
 *
 * Conventions (see libbpbuf(3)):
 *  - Every function that can fail returns 0 on success or a negative errno
 *    (-ENOMEM, -EPERM, ...) on failure. None returns -1 with errno set, and
 *    none relies on errno to report its result.
 *  - bpbuf_dev_close() and bpbuf_buffer_free() cannot fail and return
 *    nothing; the accessors bpbuf_dev_path(), bpbuf_dev_fd(),
 *    bpbuf_buffer_fd(), bpbuf_buffer_size() and bpbuf_buffer_addr() cannot
 *    fail and return their value.
 *  - Handles are opaque. A struct bpbuf_dev may be shared by threads; a
 *    struct bpbuf_buffer must not be used by two threads at once.
 *  - Flags are the kernel's, from <bpbuf.h>: BPBUF_ALLOC_* for allocation
 *    and BPBUF_SYNC_* (the values of DMA_BUF_SYNC_*) for cache syncs.
 *
 * The classic API, bpalloc(), bpfree() and bpgetphys(), is at the end: it
 * follows the C library's convention instead (NULL or 0 with errno set).
 */
#ifndef LIBBPBUF_H
#define LIBBPBUF_H

#include <stddef.h>
#include <stdint.h>

#include <bpbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The device node the library opens when given no path */
#define BPBUF_DEFAULT_PATH	"/dev/bpbuf"
/* Environment variable that overrides BPBUF_DEFAULT_PATH (not in setuid programs) */
#define BPBUF_DEVICE_ENV	"BPBUF_DEVICE"

/* Flags for bpbuf_buffer_import() */
/* Import a duplicate (F_DUPFD_CLOEXEC) of the fd; the caller keeps its fd */
#define BPBUF_IMPORT_DUP	(1U << 0)

struct bpbuf_dev;
struct bpbuf_buffer;

/* The device */
/*
 * The node bpbuf_dev_open(NULL, ...) opens: $BPBUF_DEVICE when set, not
 * empty and the program is not set-user-ID or set-group-ID, else
 * BPBUF_DEFAULT_PATH. Valid until the environment changes.
 */
const char *bpbuf_dev_path(void);
int bpbuf_dev_open(const char *path, struct bpbuf_dev **devp);
void bpbuf_dev_close(struct bpbuf_dev *dev);
int bpbuf_dev_fd(const struct bpbuf_dev *dev);
int bpbuf_dev_version(struct bpbuf_dev *dev, unsigned int *major,
		      unsigned int *minor, unsigned int *patchlevel);
int bpbuf_dev_driver(struct bpbuf_dev *dev, const char **name,
		     const char **date, const char **desc);
int bpbuf_dev_get_cap(struct bpbuf_dev *dev, uint64_t capability,
		      uint64_t *value);
int bpbuf_dev_heap_info(struct bpbuf_dev *dev, struct bpbuf_heap_info *info,
			size_t size);

/*
 * Heaps: 0 (BPBUF_HEAP_DEFAULT) is the default heap, named
 * BPBUF_HEAP_DEFAULT_NAME; the module's heaps= parameter adds named ones
 * with ids from 1. bpbuf_dev_heap_info() asks about the default heap,
 * bpbuf_dev_heap_info_id() about any (-ENOENT past the last; @info->nr_heaps
 * says how many there are). bpbuf_dev_heap_find() gives the id of a name.
 * Kernels from before heaps have the default heap alone.
 */
#define BPBUF_HEAP_DEFAULT_NAME	"default"
int bpbuf_dev_heap_info_id(struct bpbuf_dev *dev, uint32_t heap_id,
			   struct bpbuf_heap_info *info, size_t size);
int bpbuf_dev_heap_find(struct bpbuf_dev *dev, const char *name,
			uint32_t *heap_id);

/* Buffers */
int bpbuf_buffer_alloc(struct bpbuf_dev *dev, uint64_t size, uint64_t align,
		       uint32_t flags, const char *name,
		       struct bpbuf_buffer **bufp);
/* From heap @heap_id; bpbuf_buffer_alloc() takes the default heap */
int bpbuf_buffer_alloc_heap(struct bpbuf_dev *dev, uint32_t heap_id,
			    uint64_t size, uint64_t align, uint32_t flags,
			    const char *name, struct bpbuf_buffer **bufp);
int bpbuf_buffer_import(struct bpbuf_dev *dev, int fd, uint32_t flags,
			struct bpbuf_buffer **bufp);
void bpbuf_buffer_free(struct bpbuf_buffer *buf);
int bpbuf_buffer_fd(const struct bpbuf_buffer *buf);
uint64_t bpbuf_buffer_size(const struct bpbuf_buffer *buf);
void *bpbuf_buffer_addr(const struct bpbuf_buffer *buf);
int bpbuf_buffer_set_name(struct bpbuf_buffer *buf, const char *name);

/* Mapping */
int bpbuf_buffer_map(struct bpbuf_buffer *buf, int prot, void **addrp);
/* Page by page, for O_DIRECT, io_uring and MSG_ZEROCOPY (bpbuf(4)) */
int bpbuf_buffer_map_pages(struct bpbuf_buffer *buf, int prot, void **addrp);
int bpbuf_buffer_unmap(struct bpbuf_buffer *buf);

/* The bus address */
int bpbuf_buffer_bus_addr(struct bpbuf_buffer *buf, uint64_t *bus_addr);

/*
 * The address one device uses for the buffer (BPBUF_IOCTL_DEV_MAP): through
 * its IOMMU when it has one. @device is a PCI address ("0000:00:01.0" or
 * "00:01.0"), a platform device's name, or either with "pci:" or
 * "platform:" before it. The mapping holds the buffer: it lasts until
 * bpbuf_buffer_dev_unmap(), bpbuf_buffer_free() of this handle, the last
 * close of its bpbuf_dev (process exit included), or until the device's
 * driver unbinds.
 */
int bpbuf_buffer_dev_map(struct bpbuf_buffer *buf, const char *device,
			 uint64_t *dma_addr);
int bpbuf_buffer_dev_unmap(struct bpbuf_buffer *buf, const char *device);

/* Cache syncs: flags are BPBUF_SYNC_START or _END with _READ, _WRITE or _RW */
int bpbuf_buffer_sync(struct bpbuf_buffer *buf, uint32_t flags);
int bpbuf_buffer_sync_range(struct bpbuf_buffer *buf, uint32_t flags,
			    uint64_t offset, uint64_t length);
int bpbuf_buffer_begin_cpu_access(struct bpbuf_buffer *buf, uint32_t rw);
int bpbuf_buffer_end_cpu_access(struct bpbuf_buffer *buf, uint32_t rw);
int bpbuf_buffer_begin_cpu_access_range(struct bpbuf_buffer *buf, uint32_t rw,
					uint64_t offset, uint64_t length);
int bpbuf_buffer_end_cpu_access_range(struct bpbuf_buffer *buf, uint32_t rw,
				      uint64_t offset, uint64_t length);

/*
 * The classic BIGPHYSAREA API: a mapped, zeroed, physically contiguous
 * buffer; NULL or 0 with errno set on failure. Thread-safe.
 */
void *bpalloc(size_t size);
void bpfree(void *addr);
uint64_t bpgetphys(const void *addr);

/*
 * Sharing between processes: a buffer's fd over a Unix socket (SCM_RIGHTS),
 * one fd and one data byte per message. Received fds are close-on-exec.
 * The receiver needs no access to the device to mmap what it gets.
 */
int bpbuf_fd_send(int sock, int fd);
int bpbuf_fd_recv(int sock, int *fdp);
int bpbuf_buffer_send(int sock, const struct bpbuf_buffer *buf);
int bpbuf_buffer_recv(struct bpbuf_dev *dev, int sock,
		      struct bpbuf_buffer **bufp);

#ifdef __cplusplus
}
#endif

#endif /* LIBBPBUF_H */
