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
#include <sys/syscall.h>
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

/* One buffer's line of debugfs bpbuf/buffers (see driver/debugfs.c) */
struct bp_debugfs_buffer {
	int attachments, mapped, mmaps, vmaps;
	char cpu[16];		/* its CPU mode: cached, wc or uncached */
	char name[64];
};

/*
 * Find the line of the buffer @fd by its bus address and parse it. Returns
 * 0, -ENOENT when no line names it, or -1 when debugfs or the bus address
 * cannot be read (root only).
 */
static inline int bp_debugfs_buffer(int dev, int fd, struct bp_debugfs_buffer *out)
{
	char *text, *line, want[40];
	uint64_t addr;
	int ret = -ENOENT;

	if (bp_bus_addr(dev, fd, &addr, NULL))
		return -1;
	text = read_text(BPBUF_DEBUGFS "/buffers");
	if (!text)
		return -1;
	snprintf(want, sizeof(want), "\t0x%016llx\t", (unsigned long long)addr);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long long size, a;
		char comm[64];
		int pid;

		if (!strstr(line, want) ||
		    sscanf(line, "%llu\t%llx\t%d\t%63[^\t]\t%d\t%d\t%d\t%d",
			   &size, &a, &pid, comm, &out->attachments, &out->mapped,
			   &out->mmaps, &out->vmaps) != 8)
			continue;
		/* the name is last and may hold spaces, or be empty */
		snprintf(out->name, sizeof(out->name), "%s", strrchr(line, '\t') + 1);
		/* the CPU mode just before it */
		*strrchr(line, '\t') = '\0';
		snprintf(out->cpu, sizeof(out->cpu), "%s", strrchr(line, '\t') + 1);
		ret = 0;
	}
	free(text);
	return ret;
}

/* bpbuf's dma-heap node, /dev/dma_heap/NAME from its dma_heap_name, or "" */
static inline void bp_heap_node_path(char *path, size_t len)
{
	char *name = read_text(BPBUF_PARAMS "/dma_heap_name");

	path[0] = '\0';
	if (!name)
		return;
	name[strcspn(name, "\n")] = '\0';
	if (*name)
		snprintf(path, len, "/dev/dma_heap/%s", name);
	free(name);
}

/* 1 if the file at path has word among its blank-separated words */
static inline int bp_file_has_word(const char *path, const char *word)
{
	char *text = read_text(path), *tok;
	int found = 0;

	if (!text)
		return 0;
	for (tok = strtok(text, " \t\n"); tok && !found; tok = strtok(NULL, " \t\n"))
		found = !strcmp(tok, word);
	free(text);
	return found;
}

/*
 * The number after "key:" on a line of a key: value file (/proc/meminfo,
 * debugfs bpbuf/heap), decimal or 0x hex, or -1
 */
static inline long long bp_file_value(const char *path, const char *key)
{
	char line[160];
	size_t len = strlen(key);
	long long v = -1;
	FILE *f = fopen(path, "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = strtoll(line + len + 1, NULL, 0);
	if (f)
		fclose(f);
	return v;
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

/*
 * Whether the heap came from movable memory rather than CMA (debugfs
 * bpbuf/heap's source): its pages go back to MemFree, not CmaFree
 */
static inline int bp_heap_is_movable(void)
{
	char *text = read_text(BPBUF_DEBUGFS "/heap");
	int movable = text && strstr(text, "source:\t\tmovable\n");

	free(text);
	return movable;
}

/* A field of /proc/meminfo ("MemFree:") in bytes, or -1 */
static inline long long bp_meminfo(const char *field)
{
	char *text = read_text("/proc/meminfo"), *p;
	long long kib = -1;

	if (text) {
		p = strstr(text, field);
		if (p)
			kib = strtoll(p + strlen(field), NULL, 10);
		free(text);
	}
	return kib < 0 ? -1 : kib * 1024;
}

/*
 * Bytes on the per-CPU free lists (/proc/zoneinfo's pagesets): freed, but
 * not counted in MemFree or CmaFree until they drain
 */
static inline long long bp_pcp_free_bytes(void)
{
	char *text = read_text("/proc/zoneinfo"), *p;
	long long pages = 0;

	for (p = text; p && (p = strstr(p, "\n    cpu: ")); p++) {
		char *count = strstr(p, "count:");

		if (count)
			pages += strtoll(count + 6, NULL, 10);
	}
	free(text);
	return pages * (long long)page_size();
}

/* Wait until the heap has no live buffer (released fds drain at exit) */
static inline int bp_wait_idle(int dev, struct bpbuf_heap_info *info)
{
	int i, ret;

	/* 30 s: a bound on a hang; a killed test's exit may take that long */
	for (i = 0; i < 3000; i++) {
		ret = bp_heap_info(dev, info);
		if (ret || !info->live_buffers)
			return ret;
		usleep(10000);
	}
	return -EBUSY;
}

/* The zeroing figures of debugfs bpbuf/heap (see driver/debugfs.c) */
struct bp_zero_counts {
	unsigned long long free, clean, background, on_alloc, freed_clean;
};

static inline int bp_read_zero_counts(struct bp_zero_counts *c)
{
	char *text = read_text(BPBUF_DEBUGFS "/heap"), *line;
	int got = 0;

	if (!text)
		return -1;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		got += sscanf(line, "free: %llu", &c->free) +
		       sscanf(line, "clean: %llu", &c->clean) +
		       sscanf(line, "zeroed_background: %llu", &c->background) +
		       sscanf(line, "zeroed_on_alloc: %llu", &c->on_alloc) +
		       sscanf(line, "freed_clean: %llu", &c->freed_clean);
	free(text);
	return got == 5 ? 0 : -1;
}

/* Wait (10 s at most) for the zeroer to have cleaned every free byte */
static inline int bp_zero_counts_settled(struct bp_zero_counts *c)
{
	char *text;
	int i;

	for (i = 0; i < 1000; i++) {
		if (bp_read_zero_counts(c))
			return -1;
		if (c->clean == c->free)
			return 0;
		usleep(10000);
	}
	text = read_text(BPBUF_DEBUGFS "/heap");
	fprintf(stderr, "# the zeroer did not catch up in 10 s:\n%s", text ? text : "");
	free(text);
	return -1;
}

/*
 * mmap(MAP_SHARED, read-write) of len bytes of fd from off at an address
 * skew bytes past a multiple of align (a power of two): a reservation,
 * then MAP_FIXED over it. NULL on failure. (Single-threaded callers only:
 * libbpbuf's own way is safe with threads and has no skew.)
 */
static inline char *bp_map_at(int fd, size_t len, off_t off, size_t align,
			      size_t skew)
{
	size_t span = len + 2 * align;
	char *hole, *at;

	hole = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (hole == MAP_FAILED)
		return NULL;
	at = (char *)(((uintptr_t)hole + align - 1) & ~(uintptr_t)(align - 1)) + skew;
	if (mmap(at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, off) ==
	    MAP_FAILED) {
		munmap(hole, span);
		return NULL;
	}
	if (at > hole)
		munmap(hole, at - hole);
	munmap(at + len, hole + span - (at + len));
	return at;
}

/*
 * delete_module("bpbuf"), retried every 10 ms for tries times while it is
 * busy (closed buffers go when their last reference does): 0 or -errno
 */
static inline int bp_unload(unsigned int tries)
{
	for (unsigned int i = 0; i < tries; i++) {
		if (!syscall(SYS_delete_module, "bpbuf", O_NONBLOCK))
			return 0;
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			return -errno;
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

/* Map the buffer @fd, write @c all over it, unmap: 0 or -errno */
static inline int bp_fill(int fd, size_t size, unsigned char c)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	memset(p, c, size);
	munmap(p, size);
	return 0;
}

/* 0 if the buffer @fd reads as zeros, -EIO if not, else -errno */
static inline int bp_check_zero(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	int zero;

	if (p == MAP_FAILED)
		return -errno;
	zero = all_bytes_are(p, size, 0);
	munmap(p, size);
	return zero ? 0 : -EIO;
}

#endif /* BPBUF_TEST_H */
