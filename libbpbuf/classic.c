// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The classic BIGPHYSAREA API: bpalloc(), bpfree(), bpgetphys().
 *
 * A registry of live buffers, protected by one mutex, maps addresses to
 * their buffers; the device is opened by the first bpalloc() and stays open
 * (close-on-exec). Allocation, mapping and unmapping run outside the lock,
 * so threads only wait for each other for list updates and lookups.
 * These functions follow the C library's convention: NULL or 0 with errno.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "libbpbuf-private.h"

struct classic_buffer {
	struct classic_buffer *next;
	struct bpbuf_buffer *buf;
	uintptr_t start;
	uint64_t size;
};

static pthread_mutex_t classic_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bpbuf_dev *classic_dev;		/* under classic_lock */
static struct classic_buffer *classic_buffers;	/* under classic_lock */

static int classic_open(struct bpbuf_dev **devp)
{
	int ret = 0;

	pthread_mutex_lock(&classic_lock);
	if (!classic_dev)
		ret = bpbuf_dev_open(NULL, &classic_dev);
	*devp = classic_dev;
	pthread_mutex_unlock(&classic_lock);
	return ret;
}

/* The entry whose buffer holds addr (any byte of it, or only its start) */
static struct classic_buffer **classic_find(uintptr_t addr, bool start_only)
{
	struct classic_buffer **pos;

	for (pos = &classic_buffers; *pos; pos = &(*pos)->next) {
		struct classic_buffer *cb = *pos;

		if (start_only ? addr == cb->start :
		    addr >= cb->start && addr - cb->start < cb->size)
			return pos;
	}
	return NULL;
}

BPBUF_EXPORT void *bpalloc(size_t size)
{
	struct classic_buffer *cb;
	struct bpbuf_dev *dev;
	void *addr;
	int ret;

	if (!size) {
		errno = EINVAL;
		return NULL;
	}
	cb = calloc(1, sizeof(*cb));
	if (!cb)
		return NULL;
	ret = classic_open(&dev);
	if (ret)
		goto free_entry;
	ret = bpbuf_buffer_alloc(dev, size, 0, BPBUF_ALLOC_CLOEXEC, NULL,
				 &cb->buf);
	if (ret)
		goto free_entry;
	ret = bpbuf_buffer_map(cb->buf, PROT_READ | PROT_WRITE, &addr);
	if (ret)
		goto free_buffer;
	cb->start = (uintptr_t)addr;
	cb->size = bpbuf_buffer_size(cb->buf);

	pthread_mutex_lock(&classic_lock);
	cb->next = classic_buffers;
	classic_buffers = cb;
	pthread_mutex_unlock(&classic_lock);
	return addr;

free_buffer:
	bpbuf_buffer_free(cb->buf);
free_entry:
	free(cb);
	errno = -ret;
	return NULL;
}

BPBUF_EXPORT void bpfree(void *addr)
{
	struct classic_buffer **pos, *cb = NULL;
	int saved_errno = errno;

	if (!addr)
		return;
	pthread_mutex_lock(&classic_lock);
	pos = classic_find((uintptr_t)addr, true);
	if (pos) {
		cb = *pos;
		*pos = cb->next;
	}
	pthread_mutex_unlock(&classic_lock);
	if (cb) {
		bpbuf_buffer_free(cb->buf);
		free(cb);
	}
	/* as free(): errno is left alone */
	errno = saved_errno;
}

BPBUF_EXPORT uint64_t bpgetphys(const void *addr)
{
	struct classic_buffer **pos;
	uint64_t bus_addr = 0;
	int ret = -EINVAL;

	pthread_mutex_lock(&classic_lock);
	pos = addr ? classic_find((uintptr_t)addr, false) : NULL;
	if (pos) {
		/* under the lock: bpfree() cannot free the buffer meanwhile */
		ret = bpbuf_buffer_bus_addr((*pos)->buf, &bus_addr);
		if (!ret)
			bus_addr += (uintptr_t)addr - (*pos)->start;
	}
	pthread_mutex_unlock(&classic_lock);
	if (ret) {
		errno = -ret;
		return 0;
	}
	return bus_addr;
}
