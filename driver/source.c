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

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "source.h"

static const char *const source_names[] = {
	[BPBUF_SOURCE_AUTO] = "auto",
	[BPBUF_SOURCE_CMA] = "cma",
	[BPBUF_SOURCE_MOVABLE] = "movable",
	[BPBUF_SOURCE_REGION] = "region",
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
 * @size: bytes, page aligned
 * @source: where from; BPBUF_SOURCE_AUTO chooses
 * @carve: out: the carve, and the source it came from
 *
 * A failure is explained in the kernel log, with what to do about it.
 *
 * Return: 0; -ENOMEM when the source has no room; -EOPNOTSUPP when this
 * kernel has no such source; -EINTR when a fatal signal stopped the search.
 */
int bpbuf_carve_take(struct device *dev, u64 size, enum bpbuf_source source,
		     struct bpbuf_carve *carve)
{
	int ret;

	switch (source) {
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
		if (!ret)
			carve->source = BPBUF_SOURCE_REGION;
		return ret;
	}
	return -EINVAL;
}

void bpbuf_carve_give(struct device *dev, struct bpbuf_carve *carve)
{
	if (carve->source == BPBUF_SOURCE_MOVABLE)
		bpbuf_movable_give(dev, carve);
	else
		bpbuf_cma_give(dev, carve);
	carve->base = NULL;
}
