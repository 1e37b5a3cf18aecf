/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the libbpbuf VM tests: reading fdinfo, dropping
 * CAP_SYS_RAWIO, and a dma-buf from another exporter (vgem).
 */
#ifndef LIB_TEST_H
#define LIB_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The value of "key:" in /proc/self/fdinfo/FD, or "" */
static inline const char *fdinfo_value(int fd, const char *key, char *val,
				       size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;

	val[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return val;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		snprintf(val, len, "%s", line + klen + 1 + strspn(line + klen + 1, " \t"));
		val[strcspn(val, "\n")] = '\0';
		break;
	}
	fclose(f);
	return val;
}

/* Drop CAP_SYS_RAWIO from this process's effective set: 0 or -errno */
static inline int drop_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_SYS_RAWIO / 32].effective &= ~(1U << (CAP_SYS_RAWIO % 32));
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/* Just enough of the DRM uapi for a vgem dumb buffer exported by PRIME */
struct lt_drm_version {
	int version_major, version_minor, version_patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};

struct lt_drm_create_dumb {
	uint32_t height, width, bpp, flags, handle, pitch;
	uint64_t size;
};

struct lt_drm_prime_handle {
	uint32_t handle, flags;
	int32_t fd;
};

#define LT_DRM_IOCTL_VERSION	_IOWR('d', 0x00, struct lt_drm_version)
#define LT_DRM_IOCTL_PRIME_HANDLE_TO_FD \
	_IOWR('d', 0x2d, struct lt_drm_prime_handle)
#define LT_DRM_IOCTL_MODE_CREATE_DUMB \
	_IOWR('d', 0xB2, struct lt_drm_create_dumb)

/* A 64 KiB dma-buf vgem exported, or -1 when there is no vgem */
static inline int vgem_dmabuf(void)
{
	char path[32], name[16];
	int i, card, fd = -1;

	for (i = 0; i < 16 && fd < 0; i++) {
		struct lt_drm_version v = {
			.name_len = sizeof(name) - 1, .name = name,
		};
		struct lt_drm_create_dumb cd = {
			.height = 64, .width = 256, .bpp = 32,
		};
		struct lt_drm_prime_handle ph = { .flags = O_CLOEXEC | O_RDWR };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		card = open(path, O_RDWR | O_CLOEXEC);
		if (card < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(card, LT_DRM_IOCTL_VERSION, &v) &&
		    !strcmp(name, "vgem") &&
		    !ioctl(card, LT_DRM_IOCTL_MODE_CREATE_DUMB, &cd)) {
			ph.handle = cd.handle;
			if (!ioctl(card, LT_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph))
				fd = ph.fd;
		}
		/* the dma-buf keeps the object alive */
		close(card);
	}
	return fd;
}

#endif /* LIB_TEST_H */
