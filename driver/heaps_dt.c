// SPDX-License-Identifier: GPL-2.0-only
/*
 * Heaps the device tree declares: a node compatible with "bpbuf,heap" whose
 * memory-region is a reusable shared-dma-pool (a CMA area of its own, at a
 * fixed address with reg, or placed by the kernel with size, alignment and
 * alloc-ranges) becomes a heap, carved from that region for the node's
 * device, with the device's DMA setup (dma-coherent, dma-ranges) and mask.
 * A no-map region with reg becomes a heap of the reserved source there
 * (source_reserved.c), for a dma-coherent node only:
 *
 *	reserved-memory {
 *		fpga_pool: fpga@60000000 {
 *			compatible = "shared-dma-pool";
 *			reusable;
 *			reg = <0x0 0x60000000 0x0 0x2000000>;
 *		};
 *	};
 *	fpga-heap {
 *		compatible = "bpbuf,heap";
 *		memory-region = <&fpga_pool>;
 *		bpbuf,name = "fpga";		(default: the node's name)
 *		bpbuf,dma-bits = <32>;		(default 64)
 *		bpbuf,size = /bits/ 64 <0x1000000>;	(default: the region)
 *		bpbuf,cpu-mode = "wc";		(default "cached"; or "uncached")
 *	};
 *
 * The binding is dt-bindings/bpbuf,heap.yaml. Such heaps come after the
 * default heap and the heaps= ones, in the order their devices probe, and
 * only while the module loads: a node that cannot be a heap makes the load
 * fail, so that a heap the device tree asks for is never silently missing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>

#include <bpbuf.h>

#include "compat.h"
#include "cpumode.h"
#include "heap.h"
#include "heaps.h"

/**
 * struct dt_heap - a device tree node's heap
 * @dev: the node's device, referenced until unload
 * @heap: its heap
 */
struct dt_heap {
	struct device *dev;
	struct bpbuf_heap *heap;
};

/*
 * The heaps the driver's probes add to, and what they added (under
 * dt_lock); the first probe failure, which fails the load; whether the
 * module is going (probes and removals then change nothing)
 */
static struct bpbuf_heaps *dt_heaps;
static DEFINE_MUTEX(dt_lock);
static struct dt_heap dt_list[BPBUF_MAX_HEAPS];
static unsigned int dt_nr;
static int dt_probe_error;
static bool dt_exiting;

/* The node's heap name: bpbuf,name, else the node's own name */
static int dt_heap_name(struct device *dev, char *name, size_t len)
{
	const char *prop;
	int ret;

	ret = of_property_read_string(dev->of_node, "bpbuf,name", &prop);
	if (ret == -EINVAL)
		prop = dev->of_node->name;
	else if (ret) {
		dev_err(dev, "bpbuf,name is no string: %d\n", ret);
		return ret;
	}
	if (strscpy(name, prop, len) < 0) {
		dev_err(dev, "bpbuf,name \"%s\": at most %zu bytes\n", prop,
			len - 1);
		return -EINVAL;
	}
	return 0;
}

/* The DMA mask bpbuf,dma-bits asks for: 32..64, 64 if absent */
static int dt_heap_mask(struct device *dev)
{
	u32 bits = 64;
	int ret;

	ret = of_property_read_u32(dev->of_node, "bpbuf,dma-bits", &bits);
	if ((ret && ret != -EINVAL) || bits < 32 || bits > 64) {
		dev_err(dev, "bpbuf,dma-bits: one cell, 32..64\n");
		return -EINVAL;
	}
	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret)
		dev_err(dev, "cannot set a %u-bit DMA mask: %d\n", bits, ret);
	return ret;
}

/* How CPUs map its buffers by default: bpbuf,cpu-mode, else cached */
static int dt_heap_cpu_mode(struct device *dev, u32 *mode)
{
	const char *prop;
	int ret;

	*mode = BPBUF_CPU_CACHED;
	ret = of_property_read_string(dev->of_node, "bpbuf,cpu-mode", &prop);
	if (ret == -EINVAL)
		return 0;
	if (ret || bpbuf_cpu_mode_parse(prop, mode)) {
		dev_err(dev, "bpbuf,cpu-mode: \"cached\", \"wc\" or \"uncached\"\n");
		return -EINVAL;
	}
	return 0;
}

/*
 * The region's extent; the heap's size in it: bpbuf,size, else the whole
 * region; and where it must start: a region with reg is where it is on
 * every boot, so must the heap be. A no-map region (@nomap) has no CMA
 * area: the reserved source takes it where it is, which reg must say.
 */
static int dt_heap_region(struct device *dev, struct reserved_mem **rmem,
			  u64 *size, phys_addr_t *at, bool *nomap)
{
	struct device_node *np = of_parse_phandle(dev->of_node,
						  "memory-region", 0);
	bool fixed;
	int ret;

	if (!np) {
		dev_err(dev, "no memory-region\n");
		return -EINVAL;
	}
	*rmem = of_reserved_mem_lookup(np);
	fixed = of_property_present(np, "reg");
	*nomap = of_property_present(np, "no-map");
	of_node_put(np);
	if (!*rmem) {
		dev_err(dev, "memory-region is no reserved-memory region the kernel set up\n");
		return -ENODEV;
	}
	if (*nomap && !fixed) {
		dev_err(dev, "memory-region %s is no-map without reg: its heap must be at an address the device tree says\n",
			(*rmem)->name);
		return -EINVAL;
	}
	*size = (*rmem)->size;
	ret = of_property_read_u64(dev->of_node, "bpbuf,size", size);
	if (ret && ret != -EINVAL) {
		dev_err(dev, "bpbuf,size: one 64-bit value (/bits/ 64 <...>)\n");
		return -EINVAL;
	}
	*size = PAGE_ALIGN(*size);
	if (!*size || *size > (*rmem)->size) {
		dev_err(dev, "bpbuf,size: more than nothing, at most the region's %pa bytes\n",
			&(*rmem)->size);
		return -EINVAL;
	}
	*at = fixed ? (*rmem)->base : BPBUF_CARVE_ANYWHERE;
	return 0;
}
/*
 * The carve must be the region's: without a CMA area of its own (one the
 * kernel could not make an area of), the DMA API takes what it can
 * elsewhere
 */
static bool dt_heap_in_region(struct bpbuf_heap *heap,
			      const struct reserved_mem *rmem)
{
	phys_addr_t start = bpbuf_heap_phys(heap);

	return start >= rmem->base &&
	       start + bpbuf_heap_size(heap) <= rmem->base + rmem->size;
}

static int dt_heap_probe_one(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	char name[BPBUF_HEAP_NAME_LEN];
	struct bpbuf_carve_spec spec = {
		.source = BPBUF_SOURCE_REGION, .at = BPBUF_CARVE_ANYWHERE,
	};
	struct reserved_mem *rmem;
	struct bpbuf_heap *heap;
	u32 cpu_mode;
	bool nomap;
	u64 size;
	int ret;

	if (!dev_of_node(dev))
		return -ENODEV;
	if (!bpbuf_heaps_open(dt_heaps)) {
		dev_err(dev, "probed after bpbuf loaded: unload and load it again to have its heap\n");
		return -EBUSY;
	}
	ret = dt_heap_name(dev, name, sizeof(name));
	if (ret)
		return ret;
	ret = dt_heap_region(dev, &rmem, &size, &spec.at, &nomap);
	if (ret)
		return ret;
	ret = dt_heap_mask(dev);
	if (ret)
		return ret;
	ret = dt_heap_cpu_mode(dev, &cpu_mode);
	if (ret)
		return ret;
	if (nomap) {
		spec.source = BPBUF_SOURCE_RESERVED;
	} else {
		ret = of_reserved_mem_device_init_by_idx(dev, dev->of_node, 0);
		if (ret) {
			dev_err(dev, "cannot take region %s: %d (is it a reusable shared-dma-pool?)\n",
				rmem->name, ret);
			return ret;
		}
	}

	spec.size = size;
	heap = bpbuf_heaps_add(dt_heaps, name, dev, &spec, cpu_mode);
	if (IS_ERR(heap)) {
		ret = PTR_ERR(heap);
		if (ret == -ENOMEM)
			dev_err(dev, "region %s (%pa bytes at %pa) has no free %llu MiB: something else took part of it first, or its pages cannot move\n",
				rmem->name, &rmem->size, &rmem->base, size >> 20);
		goto release_region;
	}
	if (!dt_heap_in_region(heap, rmem)) {
		dev_err(dev, "region %s is no CMA area of its own (not reusable): its heap would not be the region's memory\n",
			rmem->name);
		bpbuf_heaps_remove(dt_heaps, heap);
		ret = -EINVAL;
		goto release_region;
	}
	mutex_lock(&dt_lock);
	dt_list[dt_nr].dev = get_device(dev);
	dt_list[dt_nr++].heap = heap;
	mutex_unlock(&dt_lock);
	return 0;

release_region:
	of_reserved_mem_device_release(dev);
	return ret;
}

static int dt_heap_probe(struct platform_device *pdev)
{
	int ret = dt_heap_probe_one(pdev);

	mutex_lock(&dt_lock);
	if (ret && !dt_probe_error)
		dt_probe_error = ret;
	mutex_unlock(&dt_lock);
	return ret;
}

/*
 * Heaps go at unload only (bpbuf_heaps_dt_exit()): a device removed while
 * the module is loaded (an overlay taken away) keeps its heap, which files
 * and buffers still use, until then.
 */
static void dt_heap_remove(struct platform_device *pdev)
{
	bool exiting;

	mutex_lock(&dt_lock);
	exiting = dt_exiting;
	mutex_unlock(&dt_lock);
	if (!exiting)
		dev_warn(&pdev->dev, "removed while bpbuf is loaded: its heap stays until bpbuf is unloaded\n");
}

BPBUF_PLATFORM_REMOVE_WRAPPER(dt_heap_remove)

static const struct of_device_id dt_heap_match[] = {
	{ .compatible = "bpbuf,heap" },
	{ }
};
MODULE_DEVICE_TABLE(of, dt_heap_match);

static struct platform_driver dt_heap_driver = {
	.probe = dt_heap_probe,
	BPBUF_PLATFORM_REMOVE_FIELD(dt_heap_remove),
	.driver = {
		.name = "bpbuf-heap",
		.of_match_table = dt_heap_match,
		/* a heap leaves only with the module: no unbind from sysfs */
		.suppress_bind_attrs = true,
		/* probes add heaps while the module loads, not after */
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

/**
 * bpbuf_heaps_dt_init - add the device tree's heaps
 * @heaps: the heaps, open
 *
 * Return: 0 (also when the device tree declares none, or the kernel has
 * no device tree), or the first node's failure, explained in the kernel
 * log, with none of the device tree's heaps left.
 */
int bpbuf_heaps_dt_init(struct bpbuf_heaps *heaps)
{
	int ret;

	dt_heaps = heaps;
	dt_probe_error = 0;
	dt_exiting = false;
	dt_nr = 0;
	ret = platform_driver_register(&dt_heap_driver);
	if (ret) {
		pr_err("cannot register the device tree heaps' driver: %d\n", ret);
		return ret;
	}
	mutex_lock(&dt_lock);
	ret = dt_probe_error;
	mutex_unlock(&dt_lock);
	if (ret)
		bpbuf_heaps_dt_exit(heaps);
	return ret;
}

/**
 * bpbuf_heaps_dt_check - every available bpbuf,heap node has its heap
 * @heaps: the heaps, closed
 *
 * A probe deferred (a power domain, an IOMMU not ready) would leave a node
 * without the heap the device tree asks for: the load fails instead.
 *
 * Return: 0, or -EPROBE_DEFER for a node without its heap.
 */
int bpbuf_heaps_dt_check(struct bpbuf_heaps *heaps)
{
	struct device_node *np;
	int ret = 0;

	for_each_compatible_node(np, NULL, "bpbuf,heap") {
		struct platform_device *pdev;

		if (!of_device_is_available(np))
			continue;
		pdev = of_find_device_by_node(np);
		if (!pdev || !bpbuf_heaps_of_device(heaps, &pdev->dev)) {
			pr_err("%pOF: no heap (its device was not probed while bpbuf loaded)\n",
			       np);
			ret = -EPROBE_DEFER;
		}
		if (pdev)
			put_device(&pdev->dev);
	}
	return ret;
}

/*
 * At unload, or when the load fails: the heaps' buffers are all gone. The
 * heaps go while their devices are bound, the regions once they are not.
 */
void bpbuf_heaps_dt_exit(struct bpbuf_heaps *heaps)
{
	unsigned int i;

	/* no probe adds to dt_list now: the heaps are closed */
	mutex_lock(&dt_lock);
	dt_exiting = true;
	mutex_unlock(&dt_lock);
	for (i = dt_nr; i--; )
		bpbuf_heaps_remove(heaps, dt_list[i].heap);
	platform_driver_unregister(&dt_heap_driver);
	for (i = dt_nr; i--; ) {
		of_reserved_mem_device_release(dt_list[i].dev);
		put_device(dt_list[i].dev);
	}
	dt_nr = 0;
}
