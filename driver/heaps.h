/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf's heaps: the default one (heap_size, heap_source, dma_bits) and
 * the named ones of the heaps= parameter, each carved at load from its
 * source for a device of its own DMA mask.
 */
#ifndef BPBUF_HEAPS_H
#define BPBUF_HEAPS_H

#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/types.h>

#include "source.h"

struct bpbuf_heap;
struct device;

/* Heaps in all, the default one included */
#define BPBUF_MAX_HEAPS		8

/**
 * struct bpbuf_heaps - the module's heaps, set at load, fixed until unload
 * @heap: by id; the default heap is @heap[0], then the heaps= ones, then
 *	the device tree's (heaps_dt.c)
 * @nr: how many
 * @lock: serializes adding and removing heaps and @open: device tree
 *	probes may run on other threads (a deferred probe's retry)
 * @open: heaps may be added: true while the module loads only, so that
 *	the set never changes under a file that uses it (written under @lock)
 *
 * Once the module is loaded nothing writes @heap or @nr until unload:
 * readers take no lock.
 */
struct bpbuf_heaps {
	struct bpbuf_heap *heap[BPBUF_MAX_HEAPS];
	unsigned int nr;
	struct mutex lock;	/* adding and removing, @open */
	bool open;
};

int bpbuf_heaps_init(struct bpbuf_heaps *heaps, struct device *misc_dev);
void bpbuf_heaps_exit(struct bpbuf_heaps *heaps);
struct bpbuf_heap *bpbuf_heaps_add(struct bpbuf_heaps *heaps, const char *name,
				   struct device *dev,
				   const struct bpbuf_carve_spec *spec,
				   u32 cpu_mode);
void bpbuf_heaps_remove(struct bpbuf_heaps *heaps, struct bpbuf_heap *heap);
bool bpbuf_heaps_open(struct bpbuf_heaps *heaps);
struct bpbuf_heap *bpbuf_heaps_of_device(const struct bpbuf_heaps *heaps,
					 const struct device *dev);

/* heaps_dt.c: heaps the device tree declares */
int bpbuf_heaps_dt_init(struct bpbuf_heaps *heaps);
int bpbuf_heaps_dt_check(struct bpbuf_heaps *heaps);
void bpbuf_heaps_dt_exit(struct bpbuf_heaps *heaps);

/* The heap of id @id, or NULL when there is none */
static inline struct bpbuf_heap *bpbuf_heaps_get(const struct bpbuf_heaps *heaps,
						 u32 id)
{
	if (id >= heaps->nr)
		return NULL;
	/* @id comes from user space */
	return heaps->heap[array_index_nospec(id, heaps->nr)];
}

static inline struct bpbuf_heap *bpbuf_heaps_default(const struct bpbuf_heaps *heaps)
{
	return heaps->heap[0];
}

#endif /* BPBUF_HEAPS_H */
