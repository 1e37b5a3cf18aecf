// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf debugfs: <debugfs>/bpbuf/heaps/NAME (each heap's figures),
 * <debugfs>/bpbuf/heap (the default heap's, and the page-table entries
 * mappings inserted) and <debugfs>/bpbuf/buffers (every live buffer: size,
 * bus address, heap, name, who allocated it, its importers and mappings). Root only: bus addresses are
 * physical addresses without an IOMMU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/seq_file.h>

#include "bpbuf_dev.h"
#include "buffer.h"
#include "cpumode.h"

/* One heap's figures: <debugfs>/bpbuf/heaps/NAME */
static void heap_figures(struct seq_file *m, struct bpbuf_device *bdev,
			 struct bpbuf_heap *heap)
{
	struct bpbuf_heap_stats st;

	bpbuf_heap_stats(heap, &st);

	seq_printf(m, "name:\t\t%s\n", heap->name);
	seq_printf(m, "id:\t\t%u\n", heap->id);
	seq_printf(m, "size:\t\t%llu\n", st.size);
	seq_printf(m, "source:\t\t%s\n", bpbuf_source_name(st.source));
	seq_printf(m, "fixed:\t\t%d\n", bpbuf_heap_fixed(heap));
	seq_printf(m, "device:\t\t%s\n", dev_name(bpbuf_heap_device(heap)));
	seq_printf(m, "free:\t\t%llu\n", st.free);
	seq_printf(m, "clean:\t\t%llu\n", st.clean);
	seq_printf(m, "largest_free:\t%llu\n", st.largest_free);
	seq_printf(m, "free_extents:\t%u\n", st.nr_extents);
	seq_printf(m, "zeroed_background:\t%llu\n", st.zeroed_bg);
	seq_printf(m, "zeroed_on_alloc:\t%llu\n", st.zeroed_alloc);
	seq_printf(m, "freed_clean:\t%llu\n", st.freed_clean);
	seq_printf(m, "buffers:\t%u\n", bpbuf_buffers_count(bdev, heap));
	seq_printf(m, "dma_bits:\t%u\n", bpbuf_heap_dma_bits(heap));
	seq_printf(m, "bus_addr:\t%pad\n", &st.bus_addr);
	seq_printf(m, "pfn:\t\t0x%lx\n", st.pfn);
	seq_printf(m, "lock_taken:\t%llu\n", st.lock_taken);
	seq_printf(m, "lock_contended:\t%llu\n", st.lock_contended);
	seq_printf(m, "load_carve_us:\t%llu\n", div_u64(st.carve_ns, 1000));
	seq_printf(m, "load_zero_us:\t%llu\n", div_u64(st.clear_ns, 1000));
	seq_printf(m, "pages_mappable:\t%d\n", st.pages_mappable);
	seq_printf(m, "cpu_mode:\t%s\n", bpbuf_cpu_mode_name(bpbuf_heap_cpu_mode(heap)));
	seq_printf(m, "held_buffers:\t%u\n", st.nr_held);
	seq_printf(m, "held_bytes:\t%llu\n", st.held_bytes);
}

/* What a file of <debugfs>/bpbuf/heaps/ shows (one device per module) */
struct heap_file {
	struct bpbuf_device *bdev;
	struct bpbuf_heap *heap;
};

static struct heap_file heap_files[BPBUF_MAX_HEAPS];

static int one_heap_show(struct seq_file *m, void *unused)
{
	struct heap_file *hf = m->private;

	heap_figures(m, hf->bdev, hf->heap);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(one_heap);

/*
 * <debugfs>/bpbuf/heap: the default heap's figures, then the page-table
 * entries mappings of every heap's buffers inserted
 */
static int heap_show(struct seq_file *m, void *unused)
{
	struct bpbuf_device *bdev = m->private;

	heap_figures(m, bdev, bpbuf_heaps_default(&bdev->heaps));
	seq_printf(m, "mapped_pte:\t%lld\n",
		   bpbuf_mapped_entries(bdev, BPBUF_MAP_PTE));
	seq_printf(m, "mapped_pmd:\t%lld\n",
		   bpbuf_mapped_entries(bdev, BPBUF_MAP_PMD));
	seq_printf(m, "mapped_pud:\t%lld\n",
		   bpbuf_mapped_entries(bdev, BPBUF_MAP_PUD));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(heap);

static int buffers_show(struct seq_file *m, void *unused)
{
	bpbuf_buffers_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(buffers);

void bpbuf_debugfs_init(struct bpbuf_device *bdev)
{
	struct dentry *dir;
	unsigned int id;

	/* debugfs is optional: errors only cost the statistics */
	bdev->debugfs = debugfs_create_dir(BPBUF_DRIVER_NAME, NULL);
	debugfs_create_file("heap", 0400, bdev->debugfs, bdev, &heap_fops);
	dir = debugfs_create_dir("heaps", bdev->debugfs);
	for (id = 0; id < bdev->heaps.nr; id++) {
		struct heap_file *hf = &heap_files[id];

		hf->bdev = bdev;
		hf->heap = bdev->heaps.heap[id];
		debugfs_create_file(hf->heap->name, 0400, dir, hf,
				    &one_heap_fops);
	}
	debugfs_create_file("buffers", 0400, bdev->debugfs, bdev,
			    &buffers_fops);
}

void bpbuf_debugfs_exit(struct bpbuf_device *bdev)
{
	debugfs_remove_recursive(bdev->debugfs);
}
