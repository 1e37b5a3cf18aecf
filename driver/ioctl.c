// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf ioctls: a table indexed by ioctl number, each entry with its handler,
 * the kernel's struct size, the first published size and permissions. The
 * dispatcher copies the struct in and out, so that older and newer user
 * space work (as drm_ioctl() and iommufd do) and handlers see a kernel copy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <bpbuf.h>

#include "bpbuf_dev.h"
#include "buffer.h"
#include "cpumode.h"
#include "devmap.h"
#include "pagemap.h"

/*
 * The layouts 32- and 64-bit callers share (compat_ptr_ioctl relies on it),
 * each struct's latest size, and where each grew
 */
static_assert(sizeof(struct bpbuf_version) == BPBUF_VERSION_SIZE_VER0);
static_assert(sizeof(struct bpbuf_get_cap) == BPBUF_GET_CAP_SIZE_VER0);
static_assert(sizeof(struct bpbuf_heap_info) == BPBUF_HEAP_INFO_SIZE_VER2);
static_assert(offsetof(struct bpbuf_heap_info, cpu_mode) ==
	      BPBUF_HEAP_INFO_SIZE_VER1);
static_assert(offsetof(struct bpbuf_heap_info, heap_id) ==
	      BPBUF_HEAP_INFO_SIZE_VER0);
static_assert(sizeof(struct bpbuf_alloc) == BPBUF_ALLOC_SIZE_VER1);
static_assert(offsetof(struct bpbuf_alloc, heap_id) == BPBUF_ALLOC_SIZE_VER0);
static_assert(sizeof(struct bpbuf_bus_addr) == BPBUF_BUS_ADDR_SIZE_VER0);
static_assert(sizeof(struct bpbuf_sync) == BPBUF_SYNC_SIZE_VER0);
static_assert(sizeof(struct bpbuf_dev_map) == BPBUF_DEV_MAP_SIZE_VER0);
static_assert(sizeof(struct bpbuf_page_map) == BPBUF_PAGE_MAP_SIZE_VER0);

/* Table entry flag: needs CAP_SYS_RAWIO unless bus_addr_unprivileged */
#define BPBUF_IOCTL_RAWIO	BIT(0)

/**
 * struct bpbuf_ioctl_ctx - what a handler is given and leaves for the
 * dispatcher
 * @file: in: the /dev/bpbuf file the ioctl came through (device mappings
 *	belong to it)
 * @new: a new file (a buffer, a page map) and its fd, installed once the
 *	reply reached user space; @new.file is NULL when the ioctl made none
 */
struct bpbuf_ioctl_ctx {
	struct file *file;
	struct bpbuf_new_fd new;
};

typedef int bpbuf_ioctl_fn(struct bpbuf_device *bdev, void *data,
			   struct bpbuf_ioctl_ctx *ctx);

struct bpbuf_ioctl_desc {
	bpbuf_ioctl_fn *func;
	unsigned int size;
	unsigned int min_size;
	unsigned int flags;
};

union bpbuf_ioctl_buf {
	struct bpbuf_version version;
	struct bpbuf_get_cap get_cap;
	struct bpbuf_heap_info heap_info;
	struct bpbuf_alloc alloc;
	struct bpbuf_bus_addr bus_addr;
	struct bpbuf_sync sync;
	struct bpbuf_dev_map dev_map;
	struct bpbuf_page_map page_map;
};

static bool bus_addr_allowed(struct bpbuf_device *bdev)
{
	return READ_ONCE(bdev->bus_addr_unprivileged) || capable(CAP_SYS_RAWIO);
}

/* As drm_copy_field(): truncated, no NUL, the full length reported */
static int copy_string(u64 uptr, u64 *ulen, const char *value)
{
	size_t len = strlen(value);
	size_t n = min_t(u64, *ulen, len);

	*ulen = len;
	if (n && uptr && copy_to_user(u64_to_user_ptr(uptr), value, n))
		return -EFAULT;
	return 0;
}

static int bpbuf_version_ioctl(struct bpbuf_device *bdev, void *data,
			       struct bpbuf_ioctl_ctx *ctx)
{
	struct bpbuf_version *v = data;
	int ret;

	if (v->pad || v->version_major || v->version_minor ||
	    v->version_patchlevel)
		return -EINVAL;

	v->version_major = BPBUF_VERSION_MAJOR;
	v->version_minor = BPBUF_VERSION_MINOR;
	v->version_patchlevel = BPBUF_VERSION_PATCHLEVEL;
	ret = copy_string(v->name, &v->name_len, BPBUF_DRIVER_NAME);
	if (ret)
		return ret;
	ret = copy_string(v->date, &v->date_len, BPBUF_DATE);
	if (ret)
		return ret;
	return copy_string(v->desc, &v->desc_len, BPBUF_DRIVER_DESC);
}

static int bpbuf_get_cap_ioctl(struct bpbuf_device *bdev, void *data,
			       struct bpbuf_ioctl_ctx *ctx)
{
	struct bpbuf_heap *heap = bpbuf_heaps_default(&bdev->heaps);
	struct bpbuf_get_cap *cap = data;

	if (cap->value)
		return -EINVAL;

	switch (cap->capability) {
	case BPBUF_CAP_BUS_ADDR:
	case BPBUF_CAP_DEV_MAP:
		cap->value = bus_addr_allowed(bdev);
		break;
	case BPBUF_CAP_MAX_ALIGN:
		cap->value = BPBUF_MAX_ALIGN;
		break;
	case BPBUF_CAP_DMA_BITS:
		cap->value = bpbuf_heap_dma_bits(heap);
		break;
	case BPBUF_CAP_RANGE_SYNC:
	case BPBUF_CAP_ALLOC_NAME:
		cap->value = 1;
		break;
	case BPBUF_CAP_HEAP_SIZE:
		cap->value = bpbuf_heap_size(heap);
		break;
	case BPBUF_CAP_PAGE_SIZE:
		cap->value = PAGE_SIZE;
		break;
	case BPBUF_CAP_HUGE_ALIGN:
		cap->value = BPBUF_HUGE_ALIGN;
		break;
	case BPBUF_CAP_MAP_SIZES:
		cap->value = bpbuf_map_sizes(bdev);
		break;
	case BPBUF_CAP_PAGE_MAP:
		cap->value = bpbuf_heap_pages_mappable(heap);
		break;
	case BPBUF_CAP_HEAPS:
		cap->value = bdev->heaps.nr;
		break;
	case BPBUF_CAP_CPU_MODES:
		cap->value = bpbuf_cpu_modes_of(BPBUF_SOURCE_MOVABLE);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* The uapi's name for a source; AUTO never names a carve */
static u32 uapi_source(enum bpbuf_source source)
{
	switch (source) {
	case BPBUF_SOURCE_CMA:
		return BPBUF_HEAP_SOURCE_CMA;
	case BPBUF_SOURCE_MOVABLE:
		return BPBUF_HEAP_SOURCE_MOVABLE;
	case BPBUF_SOURCE_REGION:
		return BPBUF_HEAP_SOURCE_REGION;
	case BPBUF_SOURCE_RESERVED:
		return BPBUF_HEAP_SOURCE_RESERVED;
	case BPBUF_SOURCE_AUTO:
		break;
	}
	return 0;
}

static int bpbuf_heap_info_ioctl(struct bpbuf_device *bdev, void *data,
				 struct bpbuf_ioctl_ctx *ctx)
{
	struct bpbuf_heap_info *info = data;
	struct bpbuf_heap_stats st;
	struct bpbuf_heap *heap;
	u32 id = info->heap_id;

	info->heap_id = 0;
	if (memchr_inv(info, 0, sizeof(*info)))
		return -EINVAL;
	heap = bpbuf_heaps_get(&bdev->heaps, id);
	if (!heap)
		return -ENOENT;

	bpbuf_heap_stats(heap, &st);
	info->heap_size = st.size;
	info->free_bytes = st.free;
	info->largest_free = st.largest_free;
	info->max_align = BPBUF_MAX_ALIGN;
	info->free_extents = st.nr_extents;
	info->dma_bits = bpbuf_heap_dma_bits(heap);
	info->page_size = PAGE_SIZE;
	info->live_buffers = bpbuf_buffers_count(bdev, heap);
	info->heap_id = id;
	info->nr_heaps = bdev->heaps.nr;
	info->source = uapi_source(st.source);
	info->flags = (st.pages_mappable ? BPBUF_HEAP_PAGE_MAP : 0) |
		      (bpbuf_heap_fixed(heap) ? BPBUF_HEAP_FIXED : 0);
	strscpy(info->name, heap->name, sizeof(info->name));
	info->cpu_mode = bpbuf_heap_cpu_mode(heap);
	info->cpu_modes = bpbuf_cpu_modes(heap);
	return 0;
}

static int bpbuf_alloc_ioctl(struct bpbuf_device *bdev, void *data,
			     struct bpbuf_ioctl_ctx *ctx)
{
	struct bpbuf_alloc *args = data;
	unsigned int file_flags;
	struct bpbuf_heap *heap;
	int ret;

	if (args->flags & ~BPBUF_ALLOC_VALID_FLAGS || args->fd || args->pad)
		return -EINVAL;
	if ((args->flags & BPBUF_ALLOC_RDONLY) &&
	    (args->flags & BPBUF_ALLOC_WRONLY))
		return -EINVAL;
	if (!memchr(args->name, '\0', sizeof(args->name)))
		return -EINVAL;
	heap = bpbuf_heaps_get(&bdev->heaps, args->heap_id);
	if (!heap)
		return -ENOENT;

	if (args->flags & BPBUF_ALLOC_RDONLY)
		file_flags = O_RDONLY;
	else if (args->flags & BPBUF_ALLOC_WRONLY)
		file_flags = O_WRONLY;
	else
		file_flags = O_RDWR;

	/* size and align are checked there, as for the dma-heap node */
	ret = bpbuf_buffer_alloc(bdev, heap, args->size, args->align,
				 (args->flags & BPBUF_ALLOC_CPU_MASK) >>
				 BPBUF_ALLOC_CPU_SHIFT, file_flags,
				 args->flags & BPBUF_ALLOC_CLOEXEC ? O_CLOEXEC : 0,
				 args->name, &ctx->new);
	if (ret)
		return ret;
	args->fd = ctx->new.fd;
	return 0;
}

static int bpbuf_bus_addr_ioctl(struct bpbuf_device *bdev, void *data,
				struct bpbuf_ioctl_ctx *ctx)
{
	struct bpbuf_bus_addr *args = data;
	struct bpbuf_buffer *buf;

	if (args->flags || args->bus_addr || args->size)
		return -EINVAL;

	buf = bpbuf_buffer_get(args->fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	args->bus_addr = bpbuf_buffer_bus_addr(buf);
	args->size = buf->size;
	bpbuf_buffer_put(buf);
	return 0;
}

static int bpbuf_sync_ioctl(struct bpbuf_device *bdev, void *data,
			    struct bpbuf_ioctl_ctx *ctx)
{
	struct bpbuf_sync *args = data;
	enum dma_data_direction dir;
	struct bpbuf_buffer *buf;
	u64 end;
	int ret = 0;

	if (args->flags & ~BPBUF_SYNC_VALID_FLAGS)
		return -EINVAL;
	switch (args->flags & BPBUF_SYNC_RW) {
	case BPBUF_SYNC_READ:
		dir = DMA_FROM_DEVICE;
		break;
	case BPBUF_SYNC_WRITE:
		dir = DMA_TO_DEVICE;
		break;
	case BPBUF_SYNC_RW:
		dir = DMA_BIDIRECTIONAL;
		break;
	default:
		return -EINVAL;
	}
	if (!args->length || check_add_overflow(args->offset, args->length, &end))
		return -EINVAL;

	buf = bpbuf_buffer_get(args->fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (args->offset >= buf->size || end > buf->size) {
		ret = -EINVAL;
		goto put_buffer;
	}
	bpbuf_buffer_sync(buf, args->offset, args->length,
			  !(args->flags & BPBUF_SYNC_END), dir);
put_buffer:
	bpbuf_buffer_put(buf);
	return ret;
}

/* DEV_MAP's and DEV_UNMAP's checks of the struct, before any lookup */
static int dev_map_args_valid(const struct bpbuf_dev_map *args)
{
	size_t len, i;

	if (args->flags || args->pad || args->dma_addr || args->size)
		return -EINVAL;
	if (args->bus != BPBUF_BUS_PCI && args->bus != BPBUF_BUS_PLATFORM)
		return -EINVAL;
	len = strnlen(args->device, sizeof(args->device));
	if (!len || len == sizeof(args->device))
		return -EINVAL;
	/* zero after the NUL, so that the room can carry more one day */
	if (memchr_inv(args->device + len, 0, sizeof(args->device) - len))
		return -EINVAL;
	/* no newline: sysfs matching of names would ignore one */
	for (i = 0; i < len; i++)
		if (args->device[i] < 0x20 || args->device[i] == 0x7f)
			return -EINVAL;
	return 0;
}

/* DEV_MAP and DEV_UNMAP: one struct, the same checks and buffer lookup */
static int dev_map_or_unmap(const struct file *file,
			    struct bpbuf_dev_map *args, bool map)
{
	struct bpbuf_buffer *buf;
	dma_addr_t addr;
	int ret;

	ret = dev_map_args_valid(args);
	if (ret)
		return ret;
	buf = bpbuf_buffer_get(args->fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (!map) {
		ret = bpbuf_devmap_unmap(file, buf, args->bus, args->device);
	} else {
		ret = bpbuf_devmap_map(file, buf, args->bus, args->device,
				       &addr);
		if (!ret) {
			args->dma_addr = addr;
			args->size = buf->size;
		}
	}
	bpbuf_buffer_put(buf);
	return ret;
}

static int bpbuf_dev_map_ioctl(struct bpbuf_device *bdev, void *data,
			       struct bpbuf_ioctl_ctx *ctx)
{
	return dev_map_or_unmap(ctx->file, data, true);
}

static int bpbuf_dev_unmap_ioctl(struct bpbuf_device *bdev, void *data,
				 struct bpbuf_ioctl_ctx *ctx)
{
	return dev_map_or_unmap(ctx->file, data, false);
}

static int bpbuf_page_map_ioctl(struct bpbuf_device *bdev, void *data,
				struct bpbuf_ioctl_ctx *ctx)
{
	struct bpbuf_page_map *args = data;
	struct bpbuf_buffer *buf;
	int ret;

	if (args->flags & ~BPBUF_PAGE_MAP_VALID_FLAGS || args->map_fd ||
	    args->pad)
		return -EINVAL;

	buf = bpbuf_buffer_get(args->fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = bpbuf_page_map_open(buf, args->flags & BPBUF_PAGE_MAP_CLOEXEC ?
				  O_CLOEXEC : 0, &ctx->new);
	bpbuf_buffer_put(buf);
	if (ret)
		return ret;
	args->map_fd = ctx->new.fd;
	return 0;
}

#define BPBUF_IOCTL_DEF(ioctl, _func, _type, _min_size, _flags)	\
	[_IOC_NR(ioctl) - BPBUF_IOCTL_NR_FIRST] = {			\
		.func = _func,						\
		.size = sizeof(_type),					\
		.min_size = _min_size,					\
		.flags = _flags,					\
	}

/*
 * .min_size is the size the struct was first published with (the header's
 * *_SIZE_VER0): the ioctl number carries today's size, and a binary built
 * against an older header must keep working as the struct grows.
 */
static const struct bpbuf_ioctl_desc bpbuf_ioctls[] = {
	BPBUF_IOCTL_DEF(BPBUF_IOCTL_VERSION, bpbuf_version_ioctl,
			struct bpbuf_version, BPBUF_VERSION_SIZE_VER0, 0),
	BPBUF_IOCTL_DEF(BPBUF_IOCTL_GET_CAP, bpbuf_get_cap_ioctl,
			struct bpbuf_get_cap, BPBUF_GET_CAP_SIZE_VER0, 0),
	BPBUF_IOCTL_DEF(BPBUF_IOCTL_HEAP_INFO, bpbuf_heap_info_ioctl,
			struct bpbuf_heap_info, BPBUF_HEAP_INFO_SIZE_VER0, 0),
	BPBUF_IOCTL_DEF(BPBUF_IOCTL_ALLOC, bpbuf_alloc_ioctl,
			struct bpbuf_alloc, BPBUF_ALLOC_SIZE_VER0, 0),
	BPBUF_IOCTL_DEF(BPBUF_IOCTL_BUS_ADDR, bpbuf_bus_addr_ioctl,
			struct bpbuf_bus_addr, BPBUF_BUS_ADDR_SIZE_VER0,
			BPBUF_IOCTL_RAWIO),
	BPBUF_IOCTL_DEF(BPBUF_IOCTL_SYNC, bpbuf_sync_ioctl,
			struct bpbuf_sync, BPBUF_SYNC_SIZE_VER0, 0),
	BPBUF_IOCTL_DEF(BPBUF_IOCTL_DEV_MAP, bpbuf_dev_map_ioctl,
			struct bpbuf_dev_map, BPBUF_DEV_MAP_SIZE_VER0,
			BPBUF_IOCTL_RAWIO),
	/* as privileged as DEV_MAP: who cannot map has no mapping to end */
	BPBUF_IOCTL_DEF(BPBUF_IOCTL_DEV_UNMAP, bpbuf_dev_unmap_ioctl,
			struct bpbuf_dev_map, BPBUF_DEV_MAP_SIZE_VER0,
			BPBUF_IOCTL_RAWIO),
	BPBUF_IOCTL_DEF(BPBUF_IOCTL_PAGE_MAP, bpbuf_page_map_ioctl,
			struct bpbuf_page_map, BPBUF_PAGE_MAP_SIZE_VER0, 0),
};

long bpbuf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct bpbuf_device *bdev = bpbuf_device_of(file);
	struct bpbuf_ioctl_ctx ctx = { .file = file, .new.file = NULL };
	void __user *uarg = (void __user *)arg;
	const struct bpbuf_ioctl_desc *desc;
	union bpbuf_ioctl_buf kbuf;
	unsigned int nr = _IOC_NR(cmd);
	unsigned int usize = _IOC_SIZE(cmd);
	int ret;

	if (_IOC_TYPE(cmd) != BPBUF_IOCTL_BASE ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE) ||
	    nr < BPBUF_IOCTL_NR_FIRST ||
	    nr - BPBUF_IOCTL_NR_FIRST >= ARRAY_SIZE(bpbuf_ioctls))
		return -ENOTTY;
	nr = array_index_nospec(nr - BPBUF_IOCTL_NR_FIRST,
				ARRAY_SIZE(bpbuf_ioctls));
	desc = &bpbuf_ioctls[nr];
	if (!desc->func)
		return -ENOTTY;

	if ((desc->flags & BPBUF_IOCTL_RAWIO) && !bus_addr_allowed(bdev))
		return -EPERM;
	if (usize < desc->min_size)
		return -EINVAL;

	/* min(usize, size) in, the rest zeroed, E2BIG for unknown nonzero */
	ret = copy_struct_from_user(&kbuf, desc->size, uarg, usize);
	if (ret)
		return ret;

	ret = desc->func(bdev, &kbuf, &ctx);
	if (ret)
		return ret;

	if (copy_to_user(uarg, &kbuf, min(usize, desc->size))) {
		if (ctx.new.file)
			bpbuf_new_fd_discard(&ctx.new);
		return -EFAULT;
	}
	if (ctx.new.file)
		bpbuf_new_fd_install(&ctx.new);
	return 0;
}
