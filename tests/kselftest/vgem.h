/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgem, the DRM driver the tests import bpbuf buffers into. The few DRM uapi
 * pieces needed are written out as include/uapi/drm/drm.h has them, so that
 * the tests need no libdrm (which has no 32-bit build here).
 */
#ifndef BPBUF_TEST_VGEM_H
#define BPBUF_TEST_VGEM_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct drm_version_min {
	int version_major;
	int version_minor;
	int version_patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};

struct drm_prime_handle_min {
	uint32_t handle;
	uint32_t flags;
	int32_t fd;
};

struct drm_gem_close_min {
	uint32_t handle;
	uint32_t pad;
};

#define DRM_VERSION_IOCTL	_IOWR('d', 0x00, struct drm_version_min)
#define DRM_GEM_CLOSE_IOCTL	_IOW('d', 0x09, struct drm_gem_close_min)
#define DRM_FD_TO_HANDLE_IOCTL	_IOWR('d', 0x2e, struct drm_prime_handle_min)
#define DRM_HANDLE_TO_FD_IOCTL	_IOWR('d', 0x2d, struct drm_prime_handle_min)

struct drm_mode_create_dumb_min {
	uint32_t height, width, bpp, flags, handle, pitch;
	uint64_t size;
};

#define DRM_MODE_CREATE_DUMB_IOCTL \
	_IOWR('d', 0xB2, struct drm_mode_create_dumb_min)

/* An open vgem card, or -1 */
static inline int open_vgem(void)
{
	char path[32], name[16];
	int i, fd;

	for (i = 0; i < 16; i++) {
		struct drm_version_min v = {
			.name_len = sizeof(name) - 1, .name = name,
		};

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, DRM_VERSION_IOCTL, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

/* A dma-buf of a 64 KiB vgem dumb buffer, or -1 when there is no vgem */
static inline int vgem_dmabuf(void)
{
	struct drm_mode_create_dumb_min cd = {
		.height = 64, .width = 256, .bpp = 32,
	};
	struct drm_prime_handle_min ph = { .flags = O_CLOEXEC | O_RDWR };
	int card = open_vgem(), fd = -1;

	if (card < 0)
		return -1;
	if (!ioctl(card, DRM_MODE_CREATE_DUMB_IOCTL, &cd)) {
		ph.handle = cd.handle;
		if (!ioctl(card, DRM_HANDLE_TO_FD_IOCTL, &ph))
			fd = ph.fd;
	}
	/* the dma-buf keeps the object alive */
	close(card);
	return fd;
}

/*
 * Since Linux 6.15 DRM's shmem helpers, vgem's, import a dma-buf without
 * mapping it (drm_gem_shmem_prime_import_no_map): vgem attaches and its
 * device is handed no addresses. Tests about what it was handed SKIP so.
 */
#define VGEM_UNMAPPED "vgem attached without mapping: this kernel's DRM shmem " \
	"helpers import that way (Linux 6.15 on); the test importer's tests map"

/*
 * Whether this kernel has that way of importing at all: only then may a
 * test take vgem's unmapped attachment for the kernel's doing and SKIP;
 * elsewhere it is bpbuf's fault and the test goes on to fail.
 */
static inline int vgem_may_import_unmapped(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " drm_gem_shmem_prime_import_no_map") != NULL;
	fclose(f);
	return found;
}

#endif /* BPBUF_TEST_VGEM_H */
