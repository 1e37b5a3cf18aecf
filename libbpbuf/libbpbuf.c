// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libbpbuf: the device, buffers, bus addresses and cache syncs; mappings
 * are in map.c.
 *
 * Every function returns 0 or a negative errno. Every ioctl goes through
 * bpbuf_xioctl(), which restarts it on EINTR and EAGAIN as libdrm's
 * drmIoctl() does.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/magic.h>

#include "libbpbuf-private.h"

/* The exporter name dma-buf shows in /proc/PID/fdinfo for our buffers */
#define BPBUF_EXP_NAME	"bpbuf"

/* f_type of the dma-buf file system, from <linux/magic.h> */
#ifndef DMA_BUF_MAGIC
#define DMA_BUF_MAGIC	0x444d4142
#endif

int bpbuf_xioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

static struct bpbuf_dev *dev_ref(struct bpbuf_dev *dev)
{
	__atomic_add_fetch(&dev->refcount, 1, __ATOMIC_RELAXED);
	return dev;
}

static void dev_unref(struct bpbuf_dev *dev)
{
	if (__atomic_sub_fetch(&dev->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	close(dev->fd);
	free(dev->name);
	free(dev->date);
	free(dev->desc);
	free(dev);
}

/* Ask for the lengths, then for the strings (as drmGetVersion does) */
static int dev_read_version(struct bpbuf_dev *dev)
{
	struct bpbuf_version v;
	int ret;

	memset(&v, 0, sizeof(v));
	ret = bpbuf_xioctl(dev->fd, BPBUF_IOCTL_VERSION, &v);
	if (ret)
		return ret;
	dev->name = calloc(1, v.name_len + 1);
	dev->date = calloc(1, v.date_len + 1);
	dev->desc = calloc(1, v.desc_len + 1);
	if (!dev->name || !dev->date || !dev->desc)
		return -ENOMEM;

	v.version_major = 0;
	v.version_minor = 0;
	v.version_patchlevel = 0;
	v.name = (uintptr_t)dev->name;
	v.date = (uintptr_t)dev->date;
	v.desc = (uintptr_t)dev->desc;
	ret = bpbuf_xioctl(dev->fd, BPBUF_IOCTL_VERSION, &v);
	if (ret)
		return ret;
	dev->version_major = v.version_major;
	dev->version_minor = v.version_minor;
	dev->version_patchlevel = v.version_patchlevel;
	/* copied without a NUL into zeroed buffers one byte longer */
	return 0;
}

/*
 * The one place that reads BPBUF_DEVICE, so that programs naming the device
 * in their messages name the node bpbuf_dev_open(NULL, ...) opens. Not
 * getenv(): a set-user-ID program must not open a node its caller chose.
 */
BPBUF_EXPORT const char *bpbuf_dev_path(void)
{
	const char *path = secure_getenv(BPBUF_DEVICE_ENV);

	return path && *path ? path : BPBUF_DEFAULT_PATH;
}

BPBUF_EXPORT int bpbuf_dev_open(const char *path, struct bpbuf_dev **devp)
{
	struct bpbuf_get_cap cap = { .capability = BPBUF_CAP_PAGE_SIZE };
	struct bpbuf_dev *dev;
	int ret;

	if (!devp)
		return -EINVAL;
	*devp = NULL;
	/* "" has always meant the default node, not $BPBUF_DEVICE */
	if (!path)
		path = bpbuf_dev_path();
	else if (!*path)
		path = BPBUF_DEFAULT_PATH;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->refcount = 1;
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		ret = -errno;
		free(dev);
		return ret;
	}

	/* A node that does not answer VERSION as "bpbuf" is not ours */
	ret = dev_read_version(dev);
	if (ret == -EINVAL || ret == -ENOTTY || ret == -EFAULT ||
	    (!ret && strcmp(dev->name, "bpbuf")))
		ret = -ENOTTY;
	if (ret)
		goto unref_dev;

	ret = bpbuf_xioctl(dev->fd, BPBUF_IOCTL_GET_CAP, &cap);
	if (ret)
		goto unref_dev;
	dev->page_size = cap.value;

	/* drivers before 0.3 map with pages only, and do not know the cap */
	cap.capability = BPBUF_CAP_MAP_SIZES;
	cap.value = 0;
	ret = bpbuf_xioctl(dev->fd, BPBUF_IOCTL_GET_CAP, &cap);
	if (ret && ret != -EINVAL)
		goto unref_dev;
	dev->map_sizes = ret ? dev->page_size : cap.value;

	*devp = dev;
	return 0;

unref_dev:
	dev_unref(dev);
	return ret;
}

BPBUF_EXPORT void bpbuf_dev_close(struct bpbuf_dev *dev)
{
	if (dev)
		dev_unref(dev);
}

BPBUF_EXPORT int bpbuf_dev_fd(const struct bpbuf_dev *dev)
{
	return dev->fd;
}

BPBUF_EXPORT int bpbuf_dev_version(struct bpbuf_dev *dev, unsigned int *major,
				   unsigned int *minor,
				   unsigned int *patchlevel)
{
	if (!dev)
		return -EINVAL;
	if (major)
		*major = dev->version_major;
	if (minor)
		*minor = dev->version_minor;
	if (patchlevel)
		*patchlevel = dev->version_patchlevel;
	return 0;
}

BPBUF_EXPORT int bpbuf_dev_driver(struct bpbuf_dev *dev, const char **name,
				  const char **date, const char **desc)
{
	if (!dev)
		return -EINVAL;
	if (name)
		*name = dev->name;
	if (date)
		*date = dev->date;
	if (desc)
		*desc = dev->desc;
	return 0;
}

BPBUF_EXPORT int bpbuf_dev_get_cap(struct bpbuf_dev *dev, uint64_t capability,
				   uint64_t *value)
{
	struct bpbuf_get_cap cap = { .capability = capability };
	int ret;

	if (!dev || !value)
		return -EINVAL;
	ret = bpbuf_xioctl(dev->fd, BPBUF_IOCTL_GET_CAP, &cap);
	if (ret)
		return ret;
	*value = cap.value;
	return 0;
}

/*
 * Ask about heap @heap_id. A kernel from before heaps (interface 0.4 and
 * older) has the default heap alone: it refuses a nonzero @heap_id as a
 * field it does not know (E2BIG), which is no such heap here.
 */
static int heap_info(struct bpbuf_dev *dev, uint32_t heap_id,
		     struct bpbuf_heap_info *k)
{
	int ret;

	memset(k, 0, sizeof(*k));
	k->heap_id = heap_id;
	ret = bpbuf_xioctl(dev->fd, BPBUF_IOCTL_HEAP_INFO, k);
	if (ret == -E2BIG && heap_id)
		return -ENOENT;
	if (!ret && !k->nr_heaps) {
		/* an old kernel: it has one heap, named as heap 0 is */
		k->nr_heaps = 1;
		snprintf(k->name, sizeof(k->name), "%s", BPBUF_HEAP_DEFAULT_NAME);
	}
	return ret;
}

BPBUF_EXPORT int bpbuf_dev_heap_info_id(struct bpbuf_dev *dev, uint32_t heap_id,
					struct bpbuf_heap_info *info,
					size_t size)
{
	struct bpbuf_heap_info k;
	int ret;

	if (!dev || !info || !size)
		return -EINVAL;
	ret = heap_info(dev, heap_id, &k);
	if (ret)
		return ret;
	/* A caller built against a longer struct gets zeros past ours */
	if (size > sizeof(k)) {
		memset((char *)info + sizeof(k), 0, size - sizeof(k));
		size = sizeof(k);
	}
	memcpy(info, &k, size);
	return 0;
}

BPBUF_EXPORT int bpbuf_dev_heap_info(struct bpbuf_dev *dev,
				     struct bpbuf_heap_info *info, size_t size)
{
	return bpbuf_dev_heap_info_id(dev, BPBUF_HEAP_DEFAULT, info, size);
}

BPBUF_EXPORT int bpbuf_dev_heap_find(struct bpbuf_dev *dev, const char *name,
				     uint32_t *heap_id)
{
	struct bpbuf_heap_info k;
	uint32_t id = 0;
	int ret;

	if (!dev || !name || !heap_id)
		return -EINVAL;
	do {
		ret = heap_info(dev, id, &k);
		if (ret)
			return ret == -ENOENT ? -ENOENT : ret;
		if (!strcmp(k.name, name)) {
			*heap_id = id;
			return 0;
		}
	} while (++id < k.nr_heaps);
	return -ENOENT;
}

static int buffer_new(struct bpbuf_dev *dev, int fd, uint64_t size,
		      struct bpbuf_buffer **bufp)
{
	struct bpbuf_buffer *buf = calloc(1, sizeof(*buf));

	if (!buf)
		return -ENOMEM;
	buf->dev = dev_ref(dev);
	buf->fd = fd;
	buf->size = size;
	*bufp = buf;
	return 0;
}

/* A dma-buf's size: SEEK_END gives it; the file offset stays at 0 */
static int dmabuf_size(int fd, uint64_t *size)
{
	off_t end = lseek(fd, 0, SEEK_END);

	if (end < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	*size = (uint64_t)end;
	return 0;
}

BPBUF_EXPORT int bpbuf_buffer_alloc_heap(struct bpbuf_dev *dev,
					 uint32_t heap_id, uint64_t size,
					 uint64_t align, uint32_t flags,
					 const char *name,
					 struct bpbuf_buffer **bufp)
{
	struct bpbuf_alloc args;
	uint64_t real_size;
	int ret;

	if (!dev || !bufp)
		return -EINVAL;
	*bufp = NULL;
	memset(&args, 0, sizeof(args));
	if (name) {
		size_t len = strlen(name);

		if (len >= sizeof(args.name))
			return -ENAMETOOLONG;
		memcpy(args.name, name, len);
	}
	args.size = size;
	args.align = align;
	args.flags = flags;
	args.heap_id = heap_id;
	ret = bpbuf_xioctl(dev->fd, BPBUF_IOCTL_ALLOC, &args);
	/* a kernel from before heaps knows no @heap_id: heap 0 alone */
	if (ret == -E2BIG && heap_id)
		return -ENOENT;
	if (ret)
		return ret;

	/* The kernel rounded the size up to whole pages */
	if (dmabuf_size((int)args.fd, &real_size)) {
		uint64_t mask = dev->page_size - 1;

		real_size = (size + mask) & ~mask;
	}
	ret = buffer_new(dev, (int)args.fd, real_size, bufp);
	if (ret)
		close((int)args.fd);
	return ret;
}

BPBUF_EXPORT int bpbuf_buffer_alloc(struct bpbuf_dev *dev, uint64_t size,
				    uint64_t align, uint32_t flags,
				    const char *name,
				    struct bpbuf_buffer **bufp)
{
	return bpbuf_buffer_alloc_heap(dev, BPBUF_HEAP_DEFAULT, size, align,
				       flags, name, bufp);
}

/*
 * Is fd a bpbuf dma-buf? BPBUF_IOCTL_BUS_ADDR says so for sure; a caller
 * without the right to use it checks that fd is on the dma-buf file system
 * and reads the exporter name from /proc/self/fdinfo. Without /proc, any
 * dma-buf is taken.
 */
static int verify_import(struct bpbuf_dev *dev, int fd, uint64_t *size,
			 uint64_t *bus_addr, bool *have_bus_addr)
{
	struct bpbuf_bus_addr ba = { .fd = (uint32_t)fd };
	char path[64], line[256];
	bool dmabuf = false, ours = false;
	uint64_t fdinfo_size = 0;
	struct statfs sfs;
	FILE *f;
	int ret;

	ret = bpbuf_xioctl(dev->fd, BPBUF_IOCTL_BUS_ADDR, &ba);
	if (!ret) {
		*size = ba.size;
		*bus_addr = ba.bus_addr;
		*have_bus_addr = true;
		return 0;
	}
	if (ret != -EPERM)
		return ret;

	if (fstatfs(fd, &sfs))
		return -errno;
	if (sfs.f_type != DMA_BUF_MAGIC)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return dmabuf_size(fd, size) ? -EINVAL : 0;
	while (fgets(line, sizeof(line), f)) {
		char *value = strchr(line, ':');

		if (!value)
			continue;
		*value++ = '\0';
		value += strspn(value, " \t");
		value[strcspn(value, "\n")] = '\0';
		if (!strcmp(line, "exp_name")) {
			dmabuf = true;
			ours = !strcmp(value, BPBUF_EXP_NAME);
		} else if (!strcmp(line, "size")) {
			fdinfo_size = strtoull(value, NULL, 10);
		}
	}
	fclose(f);
	if (!dmabuf)
		return -EINVAL;
	if (!ours)
		return -EXDEV;
	if (dmabuf_size(fd, size))
		*size = fdinfo_size;
	return 0;
}

BPBUF_EXPORT int bpbuf_buffer_import(struct bpbuf_dev *dev, int fd,
				     uint32_t flags,
				     struct bpbuf_buffer **bufp)
{
	bool have_bus_addr = false;
	uint64_t size = 0, bus_addr = 0;
	int ret, newfd = fd;

	if (!dev || !bufp || flags & ~BPBUF_IMPORT_DUP)
		return -EINVAL;
	*bufp = NULL;
	if (fd < 0)
		return -EBADF;
	ret = verify_import(dev, fd, &size, &bus_addr, &have_bus_addr);
	if (ret)
		return ret;
	if (flags & BPBUF_IMPORT_DUP) {
		newfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (newfd < 0)
			return -errno;
	}
	ret = buffer_new(dev, newfd, size, bufp);
	if (ret) {
		if (newfd != fd)
			close(newfd);
		return ret;
	}
	(*bufp)->bus_addr = bus_addr;
	(*bufp)->have_bus_addr = have_bus_addr;
	return 0;
}

BPBUF_EXPORT void bpbuf_buffer_free(struct bpbuf_buffer *buf)
{
	if (!buf)
		return;
	bpbuf_buffer_unmap(buf);
	bpbuf_buffer_end_dev_maps(buf);
	close(buf->fd);
	dev_unref(buf->dev);
	free(buf);
}

BPBUF_EXPORT int bpbuf_buffer_fd(const struct bpbuf_buffer *buf)
{
	return buf->fd;
}

BPBUF_EXPORT uint64_t bpbuf_buffer_size(const struct bpbuf_buffer *buf)
{
	return buf->size;
}

BPBUF_EXPORT void *bpbuf_buffer_addr(const struct bpbuf_buffer *buf)
{
	return buf->addr;
}

BPBUF_EXPORT int bpbuf_buffer_bus_addr(struct bpbuf_buffer *buf,
				       uint64_t *bus_addr)
{
	struct bpbuf_bus_addr ba;
	int ret;

	if (!buf || !bus_addr)
		return -EINVAL;
	if (!buf->have_bus_addr) {
		memset(&ba, 0, sizeof(ba));
		ba.fd = (uint32_t)buf->fd;
		ret = bpbuf_xioctl(buf->dev->fd, BPBUF_IOCTL_BUS_ADDR, &ba);
		if (ret)
			return ret;
		buf->bus_addr = ba.bus_addr;
		buf->have_bus_addr = true;
	}
	*bus_addr = buf->bus_addr;
	return 0;
}

BPBUF_EXPORT int bpbuf_buffer_set_name(struct bpbuf_buffer *buf,
				       const char *name)
{
	if (!buf || !name)
		return -EINVAL;
	if (strlen(name) >= DMA_BUF_NAME_LEN)
		return -ENAMETOOLONG;
	return bpbuf_xioctl(buf->fd, DMA_BUF_SET_NAME, (void *)name);
}

static bool sync_flags_valid(uint32_t flags)
{
	return !(flags & ~BPBUF_SYNC_VALID_FLAGS) && (flags & BPBUF_SYNC_RW);
}

BPBUF_EXPORT int bpbuf_buffer_sync(struct bpbuf_buffer *buf, uint32_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	if (!buf || !sync_flags_valid(flags))
		return -EINVAL;
	return bpbuf_xioctl(buf->fd, DMA_BUF_IOCTL_SYNC, &sync);
}

BPBUF_EXPORT int bpbuf_buffer_sync_range(struct bpbuf_buffer *buf,
					 uint32_t flags, uint64_t offset,
					 uint64_t length)
{
	struct bpbuf_sync sync;

	if (!buf || !sync_flags_valid(flags))
		return -EINVAL;
	memset(&sync, 0, sizeof(sync));
	sync.fd = (uint32_t)buf->fd;
	sync.flags = flags;
	sync.offset = offset;
	sync.length = length;
	return bpbuf_xioctl(buf->dev->fd, BPBUF_IOCTL_SYNC, &sync);
}

/* rw for the begin/end helpers: BPBUF_SYNC_READ, _WRITE or _RW */
static int check_rw(uint32_t rw)
{
	return rw && !(rw & ~BPBUF_SYNC_RW) ? 0 : -EINVAL;
}

BPBUF_EXPORT int bpbuf_buffer_begin_cpu_access(struct bpbuf_buffer *buf,
					       uint32_t rw)
{
	if (check_rw(rw))
		return -EINVAL;
	return bpbuf_buffer_sync(buf, BPBUF_SYNC_START | rw);
}

BPBUF_EXPORT int bpbuf_buffer_end_cpu_access(struct bpbuf_buffer *buf,
					     uint32_t rw)
{
	if (check_rw(rw))
		return -EINVAL;
	return bpbuf_buffer_sync(buf, BPBUF_SYNC_END | rw);
}

BPBUF_EXPORT int bpbuf_buffer_begin_cpu_access_range(struct bpbuf_buffer *buf,
						     uint32_t rw,
						     uint64_t offset,
						     uint64_t length)
{
	if (check_rw(rw))
		return -EINVAL;
	return bpbuf_buffer_sync_range(buf, BPBUF_SYNC_START | rw, offset,
				       length);
}

BPBUF_EXPORT int bpbuf_buffer_end_cpu_access_range(struct bpbuf_buffer *buf,
						   uint32_t rw,
						   uint64_t offset,
						   uint64_t length)
{
	if (check_rw(rw))
		return -EINVAL;
	return bpbuf_buffer_sync_range(buf, BPBUF_SYNC_END | rw, offset,
				       length);
}
