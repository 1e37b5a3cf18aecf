/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the bpbuf kselftests: raw ioctls on /dev/bpbuf (no
 * library), heap figures, debugfs and module parameter reads. Every helper
 * returns 0 or a negative errno.
 */
#ifndef BPBUF_TEST_H
#define BPBUF_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpbuf.h"

#define BPBUF_NODE	"/dev/bpbuf"
#define BPBUF_DEBUGFS	"/sys/kernel/debug/bpbuf"
#define BPBUF_PARAMS	"/sys/module/bpbuf/parameters"
#define MIB		(1ULL << 20)

/* The ioctl number of cmd with another struct size: older or newer callers */
#define BPBUF_IOC_SIZED(cmd, size) \
	_IOC(_IOC_READ | _IOC_WRITE, BPBUF_IOCTL_BASE, _IOC_NR(cmd), (size))

static inline uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static inline int bp_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int bp_open(void)
{
	return open(BPBUF_NODE, O_RDWR | O_CLOEXEC);
}

static inline int bp_alloc_named(int dev, uint64_t size, uint64_t align,
				 uint32_t flags, const char *name, int *fd)
{
	struct bpbuf_alloc a = { .size = size, .align = align, .flags = flags };
	int ret;

	if (name) {
		size_t n = strlen(name);

		memcpy(a.name, name, n < sizeof(a.name) ? n : sizeof(a.name) - 1);
	}
	ret = bp_ioctl(dev, BPBUF_IOCTL_ALLOC, &a);
	if (!ret)
		*fd = (int)a.fd;
	return ret;
}

static inline int bp_alloc(int dev, uint64_t size, uint64_t align,
			   uint32_t flags, int *fd)
{
	return bp_alloc_named(dev, size, align, flags, NULL, fd);
}

static inline int bp_heap_info(int dev, struct bpbuf_heap_info *info)
{
	memset(info, 0, sizeof(*info));
	return bp_ioctl(dev, BPBUF_IOCTL_HEAP_INFO, info);
}

static inline int bp_cap(int dev, uint64_t cap, uint64_t *value)
{
	struct bpbuf_get_cap c = { .capability = cap };
	int ret = bp_ioctl(dev, BPBUF_IOCTL_GET_CAP, &c);

	*value = c.value;
	return ret;
}

static inline int bp_bus_addr(int dev, int fd, uint64_t *addr, uint64_t *size)
{
	struct bpbuf_bus_addr b = { .fd = (uint32_t)fd };
	int ret = bp_ioctl(dev, BPBUF_IOCTL_BUS_ADDR, &b);

	if (addr)
		*addr = b.bus_addr;
	if (size)
		*size = b.size;
	return ret;
}

static inline int bp_sync(int dev, int fd, uint32_t flags, uint64_t offset,
			  uint64_t length)
{
	struct bpbuf_sync s = {
		.fd = (uint32_t)fd, .flags = flags,
		.offset = offset, .length = length,
	};

	return bp_ioctl(dev, BPBUF_IOCTL_SYNC, &s);
}

/* A whole small file (debugfs, sysfs, procfs), NUL-terminated, or NULL */
static inline char *read_text(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len)) > 0) {
		len += n;
		if (len == cap) {
			char *bigger = realloc(buf, 2 * cap + 1);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* A numeric module parameter of bpbuf, or -1 */
static inline long long bp_param(const char *name)
{
	char path[128], *text;
	long long v = -1;

	snprintf(path, sizeof(path), BPBUF_PARAMS "/%s", name);
	text = read_text(path);
	if (text) {
		if (text[0] == 'Y' || text[0] == 'N')
			v = text[0] == 'Y';
		else
			v = strtoll(text, NULL, 0);
		free(text);
	}
	return v;
}

/* Wait until the heap has no live buffer (released fds drain at exit) */
static inline int bp_wait_idle(int dev, struct bpbuf_heap_info *info)
{
	int i, ret;

	for (i = 0; i < 200; i++) {
		ret = bp_heap_info(dev, info);
		if (ret || !info->live_buffers)
			return ret;
		usleep(10000);
	}
	return -EBUSY;
}

/* 1 if every byte of [p, p + len) is c */
static inline int all_bytes_are(const void *p, size_t len, unsigned char c)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

#endif /* BPBUF_TEST_H */
