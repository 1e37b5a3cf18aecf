// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf memory sources: the choice between them, by name or automatically.
 *
 * "auto" takes the carve from CMA where the kernel has CMA and its area has
 * room, else from movable memory: so that loading with no parameters works
 * on Debian's amd64 and riscv64 kernels (no CMA) and on kernels that build
 * CMA in but reserve none (sid's). A named source is that source or nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "source.h"

static const char *const source_names[] = {
	[BPBUF_SOURCE_AUTO] = "auto",
	[BPBUF_SOURCE_CMA] = "cma",
	[BPBUF_SOURCE_MOVABLE] = "movable",
	[BPBUF_SOURCE_REGION] = "region",
	[BPBUF_SOURCE_RESERVED] = "reserved",
};

/*
 * @name as a module parameter gives it: a trailing newline is fine. A
 * region comes with a device tree node, never by name.
 */
int bpbuf_source_parse(const char *name, enum bpbuf_source *source)
{
	int i = sysfs_match_string(source_names, name);

	if (i < 0 || i == BPBUF_SOURCE_REGION)
		return -EINVAL;
	*source = i;
	return 0;
}

const char *bpbuf_source_name(enum bpbuf_source source)
{
	return source < ARRAY_SIZE(source_names) ? source_names[source] : "?";
}

static int take_auto(struct device *dev, u64 size, struct bpbuf_carve *carve)
{
	int ret;

	if (IS_ENABLED(CONFIG_DMA_CMA)) {
		ret = bpbuf_cma_take(dev, size, carve);
		if (ret != -ENOMEM)
			return ret;
		pr_info("the CMA area has no room for a %llu MiB heap: taking it from movable memory\n",
			size >> 20);
	}
	ret = bpbuf_movable_take(dev, size, carve);
	if (ret == -EOPNOTSUPP) {
		/* no way but CMA on this kernel: say how to get CMA room */
		bpbuf_cma_explain(size);
		return -ENOMEM;
	}
	if (ret)
		bpbuf_movable_explain(dev, size, ret);
	return ret;
}

/**
 * bpbuf_carve_take - take a heap's carve from a source
 * @dev: the device the carve is mapped for; its DMA mask bounds it
 * @spec: its size, source and, for movable memory, maybe its address
 * @carve: out: the carve, and the source it came from
 *
 * A failure is explained in the kernel log, with what to do about it.
 *
 * Return: 0; -ENOMEM when the source has no room; -EOPNOTSUPP when this
 * kernel has no such source; -EINTR when a fatal signal stopped the search;
 * for a fixed address, -EINVAL when the range there is not ordinary memory
 * of one zone inside the DMA mask, -EBUSY when a page in it cannot move.
 */
int bpbuf_carve_take(struct device *dev, const struct bpbuf_carve_spec *spec,
		     struct bpbuf_carve *carve)
{
	u64 size = spec->size;
	int ret;

	if (spec->at != BPBUF_CARVE_ANYWHERE) {
		/* asked of movable memory; a region's start, checked below */
		if (spec->source == BPBUF_SOURCE_MOVABLE)
			return bpbuf_movable_take_at(dev, size, spec->at, carve);
		if (spec->source == BPBUF_SOURCE_RESERVED)
			return bpbuf_reserved_take(dev, size, spec->at, carve);
		if (WARN_ON(spec->source != BPBUF_SOURCE_REGION))
			return -EINVAL;
	}

	switch (spec->source) {
	case BPBUF_SOURCE_AUTO:
		return take_auto(dev, size, carve);
	case BPBUF_SOURCE_CMA:
		ret = bpbuf_cma_take(dev, size, carve);
		if (ret == -ENOMEM)
			bpbuf_cma_explain(size);
		return ret;
	case BPBUF_SOURCE_MOVABLE:
		ret = bpbuf_movable_take(dev, size, carve);
		if (ret)
			bpbuf_movable_explain(dev, size, ret);
		return ret;
	case BPBUF_SOURCE_REGION:
		/* the caller checks the carve is the region's, and explains */
		ret = bpbuf_cma_take(dev, size, carve);
		if (ret)
			return ret;
		carve->source = BPBUF_SOURCE_REGION;
		if (spec->at != BPBUF_CARVE_ANYWHERE &&
		    page_to_phys(carve->base) != spec->at) {
			pr_err("the region's first %llu MiB are not all free: the heap would not start at %pa\n",
			       size >> 20, &spec->at);
			bpbuf_cma_give(dev, carve);
			return -EBUSY;
		}
		return 0;
	case BPBUF_SOURCE_RESERVED:
		/* it has no address of its own to choose: the parser says so */
		WARN_ON(1);
		return -EINVAL;
	}
	return -EINVAL;
}

/*
 * Whether a carve at a fixed address lies within @dev's DMA mask, said in
 * the log when not (movable and reserved memory alike)
 */
bool bpbuf_carve_within_mask(struct device *dev, u64 size, phys_addr_t at)
{
	if (at + size - 1 <= dma_get_mask(dev))
		return true;
	pr_err("cannot take %llu MiB at %pa: beyond the %u-bit DMA mask\n",
	       size >> 20, &at, fls64(dma_get_mask(dev)));
	return false;
}

void bpbuf_carve_give(struct device *dev, struct bpbuf_carve *carve)
{
	if (carve->source == BPBUF_SOURCE_MOVABLE)
		bpbuf_movable_give(dev, carve);
	else if (carve->source == BPBUF_SOURCE_RESERVED)
		bpbuf_reserved_give(dev, carve);
	else
		bpbuf_cma_give(dev, carve);
	carve->base = NULL;
}
