/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the libbpbuf VM tests: reading fdinfo, dropping
 * CAP_SYS_RAWIO; vgem_dmabuf() (vgem.h) is a dma-buf from another exporter.
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

#include "vgem.h"

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

#endif /* LIB_TEST_H */
