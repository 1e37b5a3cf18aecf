// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf's heaps, as the module parameters describe them.
 *
 * The default heap (id 0, "default") is heap_size bytes from heap_source,
 * for /dev/bpbuf's own device with a dma_bits-wide mask: what a program
 * that never names a heap gets. heaps= adds named ones, each
 * NAME:SIZE[@ADDR][:SOURCE][:dma_bits=N][:CPU_MODE], comma-separated, e.g.
 *
 *	heaps=low:256M:movable:dma_bits=32,video:1G,fpga:64M@0x100000000
 *	heaps=rings:16M:wc
 *
 * CPU_MODE (cached, wc or uncached; heap_cpu_mode= for the default heap)
 * is how buffers whose allocation names no mode are mapped (cpumode.c).
 *
 * SIZE@ADDR takes movable memory at that physical address, so that the heap
 * is at the same bus address on every boot: memory in ZONE_MOVABLE
 * (movablecore=) can always be emptied there.
 *
 * Each named heap is carved for a device of its own (a child of /dev/bpbuf's,
 * "heap-NAME"), so that its DMA mask bounds where its memory may lie and its
 * bus address is that device's. They are carved in order, the default heap
 * first; a load that cannot carve them all fails and gives back what it took:
 * a partial set of heaps is never left behind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <bpbuf.h>

#include "cpumode.h"
#include "heap.h"
#include "heaps.h"
#include "param.h"

#define BPBUF_DEFAULT_HEAP_NAME	"default"
#define BPBUF_DEFAULT_HEAP_SIZE	SZ_64M
/* Longest heaps= value: eight heaps' worth, generously */
#define BPBUF_HEAPS_PARAM_LEN	512

/**
 * struct heap_spec - one heap as the parameters describe it
 * @name: its name
 * @carve: its size, source and address
 * @dma_bits: width of its DMA mask; 0 for the dma_bits parameter's
 * @cpu_mode: its buffers' BPBUF_CPU_* mode by default; 0 for cached
 */
struct heap_spec {
	char name[BPBUF_HEAP_NAME_LEN];
	struct bpbuf_carve_spec carve;
	unsigned int dma_bits;
	u32 cpu_mode;
};

static u64 heap_size = BPBUF_DEFAULT_HEAP_SIZE;
static enum bpbuf_source heap_source = BPBUF_SOURCE_AUTO;
static unsigned int dma_bits = 64;
static u32 heap_cpu_mode = BPBUF_CPU_CACHED;
/* heaps=, parsed when it is set; specs[0] is unused (the default heap) */
static struct heap_spec specs[BPBUF_MAX_HEAPS];
static unsigned int nr_specs = 1;
static char heaps_value[BPBUF_HEAPS_PARAM_LEN];

static int heap_cpu_mode_set(const char *val, const struct kernel_param *kp)
{
	return bpbuf_cpu_mode_parse(val, kp->arg);
}

static int heap_cpu_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", bpbuf_cpu_mode_name(*(u32 *)kp->arg));
}

static const struct kernel_param_ops heap_cpu_mode_ops = {
	.set = heap_cpu_mode_set,
	.get = heap_cpu_mode_get,
};

module_param_cb(heap_cpu_mode, &heap_cpu_mode_ops, &heap_cpu_mode, 0444);
MODULE_PARM_DESC(heap_cpu_mode,
		 "How CPUs map the default heap's buffers when their allocation names no mode: cached (default), wc (write-combined) or uncached");

/* More than nothing, and no more than a size_t holds in pages */
static int parse_size(const char *val, u64 *size)
{
	if (bpbuf_param_bytes(val, size) || !*size ||
	    *size > SIZE_MAX - PAGE_SIZE + 1)
		return -EINVAL;
	*size = PAGE_ALIGN(*size);
	return 0;
}

static int heap_size_set(const char *val, const struct kernel_param *kp)
{
	return parse_size(val, kp->arg);
}

static const struct kernel_param_ops heap_size_ops = {
	.set = heap_size_set,
	.get = param_get_ullong,
};

module_param_cb(heap_size, &heap_size_ops, &heap_size, 0444);
MODULE_PARM_DESC(heap_size,
		 "Bytes of the default heap, carved at load, e.g. 64M or 1G (default 64M); from CMA, boot with cma= at least this large");

/* The default heap has no address: reserved memory is a named heap's */
static int heap_source_set(const char *val, const struct kernel_param *kp)
{
	enum bpbuf_source source;

	if (bpbuf_source_parse(val, &source))
		return -EINVAL;
	if (source == BPBUF_SOURCE_RESERVED) {
		pr_err("heap_source=reserved: reserved memory has an address; name it in heaps= NAME:SIZE@ADDR:reserved\n");
		return -EINVAL;
	}
	*(enum bpbuf_source *)kp->arg = source;
	return 0;
}

static int heap_source_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  bpbuf_source_name(*(enum bpbuf_source *)kp->arg));
}

static const struct kernel_param_ops heap_source_ops = {
	.set = heap_source_set,
	.get = heap_source_get,
};

module_param_cb(heap_source, &heap_source_ops, &heap_source, 0444);
MODULE_PARM_DESC(heap_source,
		 "Where the default heap's memory comes from: cma (the default CMA area), movable (ordinary memory emptied at load, for kernels without CMA) or auto (default: CMA if the kernel has it and it has room, else movable)");

static bool dma_bits_valid(unsigned int bits)
{
	return bits >= 32 && bits <= 64;
}

static int dma_bits_set(const char *val, const struct kernel_param *kp)
{
	unsigned int bits;

	if (kstrtouint(val, 10, &bits) || !dma_bits_valid(bits))
		return -EINVAL;
	*(unsigned int *)kp->arg = bits;
	return 0;
}

static const struct kernel_param_ops dma_bits_ops = {
	.set = dma_bits_set,
	.get = param_get_uint,
};

module_param_cb(dma_bits, &dma_bits_ops, &dma_bits, 0444);
MODULE_PARM_DESC(dma_bits,
		 "DMA mask width, 32..64 (default 64), of the default heap and of named heaps that give none; 32 keeps a heap below 4 GiB for devices that need it");

/*
 * Heap names as dma-heap names go: "system", "linux,cma"; "default" is
 * heap 0's alone
 */
static bool heap_name_valid(const char *name, bool is_default)
{
	const char *c;

	if (!*name || strlen(name) >= BPBUF_HEAP_NAME_LEN ||
	    !strcmp(name, ".") || !strcmp(name, "..") ||
	    !strcmp(name, BPBUF_DEFAULT_HEAP_NAME) != is_default)
		return false;
	for (c = name; *c; c++)
		if (!isalnum(*c) && !strchr("_-.,", *c))
			return false;
	return true;
}

/* One option after NAME:SIZE: a source name, dma_bits=N or a CPU mode */
static int parse_option(char *opt, struct heap_spec *spec)
{
	const char *bits = "dma_bits=";

	if (!strncmp(opt, bits, strlen(bits)))
		return kstrtouint(opt + strlen(bits), 10, &spec->dma_bits) ||
		       !dma_bits_valid(spec->dma_bits) ? -EINVAL : 0;
	if (!bpbuf_cpu_mode_parse(opt, &spec->cpu_mode))
		return 0;
	return bpbuf_source_parse(opt, &spec->carve.source);
}

/* SIZE[@ADDR]: a fixed address is page aligned, and movable memory */
static int parse_size_at(const char *name, char *size, struct heap_spec *spec)
{
	char *at = size;
	u64 addr;

	size = strsep(&at, "@");
	if (parse_size(size, &spec->carve.size)) {
		pr_err("heaps=: heap %s: a size such as 64M must follow its name\n",
		       name);
		return -EINVAL;
	}
	if (!at)
		return 0;
	if (kstrtou64(at, 0, &addr) || !PAGE_ALIGNED(addr) ||
	    addr == BPBUF_CARVE_ANYWHERE ||
	    addr + spec->carve.size - 1 < addr) {
		pr_err("heaps=: heap %s: @%s is no page-aligned physical address\n",
		       name, at);
		return -EINVAL;
	}
	spec->carve.at = addr;
	return 0;
}

/* NAME:SIZE[@ADDR][:OPTION]...; names unique among @specs[1..@nr - 1] */
static int parse_spec(char *item, struct heap_spec *spec,
		      const struct heap_spec *others, unsigned int nr)
{
	char *name = strsep(&item, ":"), *size = strsep(&item, ":"), *opt;
	unsigned int i;

	memset(spec, 0, sizeof(*spec));
	spec->carve.source = BPBUF_SOURCE_AUTO;
	spec->carve.at = BPBUF_CARVE_ANYWHERE;
	if (!heap_name_valid(name, false)) {
		pr_err("heaps=: heap name \"%s\": letters, digits and _-., only, at most %d, not \"%s\"\n",
		       name, BPBUF_HEAP_NAME_LEN - 1, BPBUF_DEFAULT_HEAP_NAME);
		return -EINVAL;
	}
	for (i = 1; i < nr; i++) {
		if (!strcmp(others[i].name, name)) {
			pr_err("heaps=: two heaps named %s\n", name);
			return -EINVAL;
		}
	}
	strscpy(spec->name, name, sizeof(spec->name));
	if (!size) {
		pr_err("heaps=: heap %s: a size such as 64M must follow its name\n",
		       name);
		return -EINVAL;
	}
	if (parse_size_at(name, size, spec))
		return -EINVAL;
	while ((opt = strsep(&item, ":"))) {
		if (parse_option(opt, spec)) {
			pr_err("heaps=: heap %s: \"%s\" is neither cma, movable, reserved, auto, dma_bits=32..64, cached, wc nor uncached\n",
			       name, opt);
			return -EINVAL;
		}
	}
	if (spec->carve.at == BPBUF_CARVE_ANYWHERE) {
		if (spec->carve.source != BPBUF_SOURCE_RESERVED)
			return 0;
		pr_err("heaps=: heap %s: reserved memory needs its address: NAME:SIZE@ADDR:reserved\n",
		       name);
		return -EINVAL;
	}
	if (spec->carve.source == BPBUF_SOURCE_CMA) {
		pr_err("heaps=: heap %s: a fixed address comes from movable or reserved memory, not CMA\n",
		       name);
		return -EINVAL;
	}
	/* movable memory unless reserved was asked for */
	if (spec->carve.source != BPBUF_SOURCE_RESERVED)
		spec->carve.source = BPBUF_SOURCE_MOVABLE;
	return 0;
}

/* The whole list, or nothing: a bad item leaves the heaps as they were */
static int heaps_set(const char *val, const struct kernel_param *kp)
{
	struct heap_spec *parsed;
	char *copy, *rest, *item;
	unsigned int nr = 1;
	int ret = 0;

	if (strlen(val) >= sizeof(heaps_value))
		return -ENOSPC;
	parsed = kcalloc(BPBUF_MAX_HEAPS, sizeof(*parsed), GFP_KERNEL);
	copy = kstrdup(val, GFP_KERNEL);
	if (!parsed || !copy) {
		ret = -ENOMEM;
		goto free;
	}
	rest = strim(copy);
	while (*rest && (item = strsep(&rest, ","))) {
		if (nr == BPBUF_MAX_HEAPS) {
			pr_err("heaps=: at most %d heaps besides the default one\n",
			       BPBUF_MAX_HEAPS - 1);
			ret = -E2BIG;
			goto free;
		}
		ret = parse_spec(item, &parsed[nr], parsed, nr);
		if (ret)
			goto free;
		nr++;
		if (!rest)
			break;
	}
	memcpy(specs, parsed, sizeof(specs));
	nr_specs = nr;
	strscpy(heaps_value, val, sizeof(heaps_value));
	heaps_value[strcspn(heaps_value, "\n")] = '\0';
free:
	kfree(copy);
	kfree(parsed);
	return ret;
}

static int heaps_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", heaps_value);
}

static const struct kernel_param_ops heaps_ops = {
	.set = heaps_set,
	.get = heaps_get,
};

module_param_cb(heaps, &heaps_ops, NULL, 0444);
MODULE_PARM_DESC(heaps,
		 "Named heaps besides the default one: NAME:SIZE[@ADDR][:cma|movable|auto][:dma_bits=N][:cached|wc|uncached], comma-separated (e.g. low:256M:movable:dma_bits=32,video:1G,fpga:64M@0x100000000: movable memory at that address); at most 7");

static void heap_dev_release(struct device *dev)
{
	kfree(dev);
}

/* A device of the heap's own, under /dev/bpbuf's, with the heap's mask */
static struct device *heap_dev_create(struct device *parent, const char *name,
				      unsigned int bits)
{
	struct device *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	device_initialize(dev);
	dev->parent = parent;
	dev->release = heap_dev_release;
	dev->dma_mask = &dev->coherent_dma_mask;
	ret = dev_set_name(dev, "heap-%s", name);
	if (ret)
		goto put;
	ret = device_add(dev);
	if (ret)
		goto put;
	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret) {
		device_del(dev);
		goto put;
	}
	return dev;
put:
	put_device(dev);
	return ERR_PTR(ret);
}

/* A device heap_dev_create() made, not the misc device nor a DT node's */
static void heap_dev_destroy(struct device *dev)
{
	if (dev->release != heap_dev_release)
		return;
	device_del(dev);
	put_device(dev);
}

/* The heap named @name, or NULL */
static struct bpbuf_heap *heap_named(const struct bpbuf_heaps *heaps,
				     const char *name)
{
	unsigned int id;

	for (id = 0; id < heaps->nr; id++)
		if (heaps->heap[id] && !strcmp(heaps->heap[id]->name, name))
			return heaps->heap[id];
	return NULL;
}

/**
 * bpbuf_heaps_add - carve a heap and give it the next id
 * @heaps: the heaps, still open (at load)
 * @name: its name, unique
 * @dev: the device to carve it for; the caller keeps it alive until
 *	bpbuf_heaps_remove()
 * @spec: its size, source and address
 * @cpu_mode: how CPUs map its buffers when their allocation names no mode:
 *	a BPBUF_CPU_* mode, or 0 for cached
 *
 * Return: the heap; ERR_PTR(-EBUSY) once the module is loaded (heaps are
 * added at load only), -EINVAL for a name with other characters than
 * letters, digits and "_-.,", or "default" but for the first, or for a
 * @cpu_mode this kernel cannot give the heap's memory, -E2BIG past
 * BPBUF_MAX_HEAPS, -EEXIST for a name taken, or the carve's failure. Each
 * is explained in the kernel log.
 */
struct bpbuf_heap *bpbuf_heaps_add(struct bpbuf_heaps *heaps, const char *name,
				   struct device *dev,
				   const struct bpbuf_carve_spec *spec,
				   u32 cpu_mode)
{
	u64 size = spec->size;
	struct bpbuf_heap *heap;
	const char *why;
	int ret;

	mutex_lock(&heaps->lock);
	ret = -EBUSY;
	if (!heaps->open) {
		pr_err("heap %s: heaps are added while bpbuf loads; unload and load it again\n",
		       name);
		goto unlock;
	}
	ret = -EINVAL;
	if (!heap_name_valid(name, !heaps->nr)) {
		pr_err("heap \"%s\": letters, digits and _-., only, at most %d, not \"%s\"\n",
		       name, BPBUF_HEAP_NAME_LEN - 1, BPBUF_DEFAULT_HEAP_NAME);
		goto unlock;
	}
	ret = -E2BIG;
	if (heaps->nr == BPBUF_MAX_HEAPS) {
		pr_err("heap %s: at most %d heaps\n", name, BPBUF_MAX_HEAPS);
		goto unlock;
	}
	ret = -EEXIST;
	if (heap_named(heaps, name)) {
		pr_err("heap %s: two heaps of that name\n", name);
		goto unlock;
	}
	/* auto is cma or movable: the same answer as either */
	cpu_mode = cpu_mode ?: BPBUF_CPU_CACHED;
	why = bpbuf_cpu_mode_why_not(spec->source, cpu_mode);
	ret = -EINVAL;
	if (why) {
		pr_err("heap %s: no %s buffers: %s\n", name,
		       bpbuf_cpu_mode_name(cpu_mode), why);
		goto unlock;
	}
	ret = -ENOMEM;
	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (!heap)
		goto unlock;
	ret = bpbuf_heap_init(heap, heaps->nr, name, dev, spec);
	if (ret) {
		pr_err("heap %s: cannot carve %llu MiB: %d\n", name, size >> 20,
		       ret);
		kfree(heap);
		goto unlock;
	}
	bpbuf_heap_set_cpu_mode(heap, cpu_mode);
	heaps->heap[heaps->nr++] = heap;
	mutex_unlock(&heaps->lock);
	pr_info("heap %s: %llu MiB from %s, %u-bit DMA%s%s\n", name, size >> 20,
		bpbuf_source_name(bpbuf_heap_source(heap)),
		bpbuf_heap_dma_bits(heap),
		bpbuf_cpu_mode_cached(cpu_mode) ? "" : ", buffers ",
		bpbuf_cpu_mode_cached(cpu_mode) ? "" : bpbuf_cpu_mode_name(cpu_mode));
	return heap;

unlock:
	mutex_unlock(&heaps->lock);
	return ERR_PTR(ret);
}

/* Whether heaps may still be added (the module is loading) */
bool bpbuf_heaps_open(struct bpbuf_heaps *heaps)
{
	bool open;

	mutex_lock(&heaps->lock);
	open = heaps->open;
	mutex_unlock(&heaps->lock);
	return open;
}

static void heaps_set_open(struct bpbuf_heaps *heaps, bool open)
{
	mutex_lock(&heaps->lock);
	heaps->open = open;
	mutex_unlock(&heaps->lock);
}

/**
 * bpbuf_heaps_remove - give a heap back, at unload or when a load fails
 * @heaps: the heaps
 * @heap: one of them, whose buffers are all gone
 *
 * Its id stays unused; the last ids go back.
 */
void bpbuf_heaps_remove(struct bpbuf_heaps *heaps, struct bpbuf_heap *heap)
{
	mutex_lock(&heaps->lock);
	heaps->heap[heap->id] = NULL;
	while (heaps->nr && !heaps->heap[heaps->nr - 1])
		heaps->nr--;
	mutex_unlock(&heaps->lock);
	bpbuf_heap_destroy(heap);
	kfree(heap);
}

/* The heap carved for @dev, or NULL */
struct bpbuf_heap *bpbuf_heaps_of_device(const struct bpbuf_heaps *heaps,
					 const struct device *dev)
{
	unsigned int id;

	for (id = 0; id < heaps->nr; id++)
		if (heaps->heap[id] && bpbuf_heap_device(heaps->heap[id]) == dev)
			return heaps->heap[id];
	return NULL;
}

/* The heaps of the parameters, from the last, and the devices made for them */
static void remove_param_heaps(struct bpbuf_heaps *heaps)
{
	while (heaps->nr) {
		struct bpbuf_heap *heap = heaps->heap[heaps->nr - 1];
		struct device *dev = bpbuf_heap_device(heap);

		bpbuf_heaps_remove(heaps, heap);
		heap_dev_destroy(dev);
	}
}

/**
 * bpbuf_heaps_init - carve every heap the parameters describe
 * @heaps: out: the heaps
 * @misc_dev: /dev/bpbuf's device: the default heap's, and the parent of
 *	the others'
 *
 * Return: 0, or the first failure (each explained in the kernel log), with
 * nothing carved.
 */
int bpbuf_heaps_init(struct bpbuf_heaps *heaps, struct device *misc_dev)
{
	struct heap_spec *spec = &specs[0];
	struct bpbuf_heap *heap;
	struct device *dev;
	unsigned int id;
	int ret;

	strscpy(spec->name, BPBUF_DEFAULT_HEAP_NAME, sizeof(spec->name));
	spec->carve.size = heap_size;
	spec->carve.source = heap_source;
	spec->carve.at = BPBUF_CARVE_ANYWHERE;
	spec->dma_bits = dma_bits;
	spec->cpu_mode = heap_cpu_mode;
	heaps->nr = 0;
	mutex_init(&heaps->lock);
	heaps_set_open(heaps, true);
	ret = dma_coerce_mask_and_coherent(misc_dev, DMA_BIT_MASK(dma_bits));
	if (ret) {
		pr_err("cannot set a %u-bit DMA mask: %d\n", dma_bits, ret);
		goto close;
	}

	for (id = 0; id < nr_specs; id++) {
		spec = &specs[id];
		dev = misc_dev;
		if (id) {
			dev = heap_dev_create(misc_dev, spec->name,
					      spec->dma_bits ?: dma_bits);
			if (IS_ERR(dev)) {
				ret = PTR_ERR(dev);
				pr_err("heap %s: cannot make its device: %d\n",
				       spec->name, ret);
				goto remove_heaps;
			}
		}
		heap = bpbuf_heaps_add(heaps, spec->name, dev, &spec->carve,
				       spec->cpu_mode);
		if (IS_ERR(heap)) {
			ret = PTR_ERR(heap);
			heap_dev_destroy(dev);
			goto remove_heaps;
		}
	}
	/* then those the device tree declares, after them */
	ret = bpbuf_heaps_dt_init(heaps);
	if (ret)
		goto remove_heaps;
	heaps_set_open(heaps, false);
	/* a probe that raced the close: its node has no heap, the load fails */
	ret = bpbuf_heaps_dt_check(heaps);
	if (ret) {
		bpbuf_heaps_dt_exit(heaps);
		goto remove_heaps;
	}
	return 0;

remove_heaps:
	remove_param_heaps(heaps);
close:
	heaps_set_open(heaps, false);
	mutex_destroy(&heaps->lock);
	return ret;
}

/* Every buffer is gone (each holds a module reference) */
void bpbuf_heaps_exit(struct bpbuf_heaps *heaps)
{
	bpbuf_heaps_dt_exit(heaps);
	remove_param_heaps(heaps);
	mutex_destroy(&heaps->lock);
}
