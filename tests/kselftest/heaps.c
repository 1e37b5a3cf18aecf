// SPDX-License-Identifier: GPL-2.0-only
/*
 * Several heaps: the default one as the rig loaded it (id 0, "default"),
 * the heap id in BPBUF_IOCTL_ALLOC and HEAP_INFO with its refusals and what
 * older binaries get, the module loaded with named heaps (heaps=): each its
 * own size, DMA mask, device, dma-heap node and debugfs file, and one
 * heap's exhaustion nobody else's business. Bad heaps= values and a heap
 * that cannot be carved fail the whole load, leaving nothing. On arm64 the
 * rig's device tree declares two heaps (tests/vm/dt/bpbuf-heaps.dtsi):
 * they come from their reserved-memory regions, one at its fixed address.
 */
#include <linux/dma-heap.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "bpbuf_test.h"
#include "bpbuf_test_importer.h"
#include "kselftest_harness.h"
#include "reload.h"

/* The heaps the load-with-heaps tests ask for: small, to fit any rig */
#define LOW_SIZE	(8 * MIB)
#define VIDEO_SIZE	(16 * MIB)
#define TEST_HEAPS	"low:8M:dma_bits=32,video:16M"

FIXTURE(heaps) {
	int dev;
};

FIXTURE_SETUP(heaps)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
}

FIXTURE_TEARDOWN(heaps)
{
	if (self->dev >= 0)
		close(self->dev);
}

static int heap_info_id(int dev, uint32_t id, struct bpbuf_heap_info *info)
{
	memset(info, 0, sizeof(*info));
	info->heap_id = id;
	return bp_ioctl(dev, BPBUF_IOCTL_HEAP_INFO, info);
}

/* Page aligned: where the carve starts must not decide what fits */
static int alloc_from(int dev, uint32_t heap_id, uint64_t size, int *fd)
{
	struct bpbuf_alloc a = {
		.size = size, .align = page_size(), .flags = BPBUF_ALLOC_CLOEXEC,
		.heap_id = heap_id,
	};
	int ret = bp_ioctl(dev, BPBUF_IOCTL_ALLOC, &a);

	if (!ret)
		*fd = (int)a.fd;
	return ret;
}

/* The heap id of @name, or -1 */
static int heap_id_of(int dev, const char *name)
{
	struct bpbuf_heap_info info;
	uint32_t id = 0;

	do {
		if (heap_info_id(dev, id, &info))
			return -1;
		if (!strcmp(info.name, name))
			return (int)id;
	} while (++id < info.nr_heaps);
	return -1;
}

/* The source debugfs names for a BPBUF_HEAP_SOURCE_* */
static const char *source_word(uint32_t source)
{
	return source == BPBUF_HEAP_SOURCE_CMA ? "cma" :
	       source == BPBUF_HEAP_SOURCE_MOVABLE ? "movable" :
	       source == BPBUF_HEAP_SOURCE_RESERVED ? "reserved" : "?";
}

/* Free bytes of heap @id now, or 0 */
static uint64_t free_now(int dev, uint32_t id)
{
	struct bpbuf_heap_info info;

	return heap_info_id(dev, id, &info) ? 0 : info.free_bytes;
}

/* Free bytes of heap @id once its released buffers have drained */
static uint64_t free_of(int dev, uint32_t id)
{
	struct bpbuf_heap_info info;
	int i;

	for (i = 0; i < 500; i++) {
		if (heap_info_id(dev, id, &info))
			return 0;
		if (!info.live_buffers)
			break;
		usleep(10000);
	}
	return info.free_bytes;
}

/* The default heap, as every load has it */

TEST_F(heaps, default_heap_is_id_0_named_default)
{
	struct bpbuf_heap_info info, old;
	uint64_t nr, page_map, size, bits;
	char path[160];

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HEAPS, &nr));
	ASSERT_LE(1, nr);
	ASSERT_EQ(0, heap_info_id(self->dev, BPBUF_HEAP_DEFAULT, &info));
	EXPECT_STREQ("default", info.name);
	EXPECT_EQ(BPBUF_HEAP_DEFAULT, info.heap_id);
	EXPECT_EQ(nr, info.nr_heaps);
	EXPECT_TRUE(info.source == BPBUF_HEAP_SOURCE_CMA ||
		    info.source == BPBUF_HEAP_SOURCE_MOVABLE);
	/* the capabilities that predate heaps are the default heap's */
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HEAP_SIZE, &size));
	EXPECT_EQ(size, info.heap_size);
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_DMA_BITS, &bits));
	EXPECT_EQ(bits, info.dma_bits);
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_PAGE_MAP, &page_map));
	EXPECT_EQ(page_map, !!(info.flags & BPBUF_HEAP_PAGE_MAP));
	/* a caller that never heard of heap ids asks about the same heap */
	ASSERT_EQ(0, bp_heap_info(self->dev, &old));
	EXPECT_EQ(info.heap_size, old.heap_size);
	EXPECT_STREQ("default", old.name);

	snprintf(path, sizeof(path), BPBUF_DEBUGFS "/heaps/default");
	if (access(BPBUF_DEBUGFS, F_OK))
		return;
	EXPECT_EQ((long long)info.heap_size, bp_file_value(path, "size"));
	EXPECT_EQ(0, bp_file_value(path, "id"));
	snprintf(path, sizeof(path), "source:\t\t%s\n", source_word(info.source));
	{
		char *text = read_text(BPBUF_DEBUGFS "/heaps/default");

		ASSERT_TRUE(text != NULL);
		EXPECT_TRUE(strstr(text, path) != NULL) TH_LOG("%s", text);
		free(text);
	}
}

TEST_F(heaps, heap_info_of_no_heap_enoent)
{
	struct bpbuf_heap_info info;
	uint64_t nr;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HEAPS, &nr));
	EXPECT_EQ(-ENOENT, heap_info_id(self->dev, (uint32_t)nr, &info));
	EXPECT_EQ(-ENOENT, heap_info_id(self->dev, UINT32_MAX, &info));
	EXPECT_EQ(-ENOENT, heap_info_id(self->dev, 1U << 31, &info));
}

TEST_F(heaps, heap_info_output_field_on_input_einval)
{
	struct bpbuf_heap_info info = { .nr_heaps = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_HEAP_INFO, &info));
	memset(&info, 0, sizeof(info));
	info.name[BPBUF_HEAP_NAME_LEN - 1] = 'x';
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_HEAP_INFO, &info));
	memset(&info, 0, sizeof(info));
	info.source = BPBUF_HEAP_SOURCE_CMA;
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_HEAP_INFO, &info));
}

TEST_F(heaps, alloc_from_no_heap_enoent)
{
	uint64_t nr, before = free_of(self->dev, 0);
	int fd;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HEAPS, &nr));
	EXPECT_EQ(-ENOENT, alloc_from(self->dev, (uint32_t)nr, page_size(), &fd));
	EXPECT_EQ(-ENOENT, alloc_from(self->dev, UINT32_MAX, page_size(), &fd));
	EXPECT_EQ(before, free_of(self->dev, 0));
}

TEST_F(heaps, alloc_pad_einval)
{
	struct bpbuf_alloc a = { .size = page_size(), .pad = 1 };

	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_ALLOC, &a));
}

/* Binaries built before heap ids: 56- and 48-byte structs, heap 0 */
TEST_F(heaps, first_version_structs_use_the_default_heap)
{
	uint64_t raw[BPBUF_HEAP_INFO_SIZE_VER2 / 8];
	struct bpbuf_alloc *a = (void *)raw;
	struct bpbuf_heap_info *hi = (void *)raw;
	uint64_t before = free_of(self->dev, 0), size = 2 * MIB;
	int fd;

	/* past the old struct's end: neither read (heap 0xa5a5a5a5) nor written */
	memset(raw, 0xa5, sizeof(raw));
	memset(raw, 0, BPBUF_ALLOC_SIZE_VER0);
	a->size = size;
	a->flags = BPBUF_ALLOC_CLOEXEC;
	ASSERT_EQ(0, bp_ioctl(self->dev, BPBUF_IOC_SIZED(BPBUF_IOCTL_ALLOC,
							 BPBUF_ALLOC_SIZE_VER0), raw));
	fd = (int)a->fd;
	EXPECT_LT(0, fd);
	EXPECT_EQ(0xa5a5a5a5u, a->heap_id);
	EXPECT_EQ(before - size, free_now(self->dev, 0));

	memset(raw, 0xa5, sizeof(raw));
	memset(raw, 0, BPBUF_HEAP_INFO_SIZE_VER0);
	ASSERT_EQ(0, bp_ioctl(self->dev, BPBUF_IOC_SIZED(BPBUF_IOCTL_HEAP_INFO,
							 BPBUF_HEAP_INFO_SIZE_VER0), raw));
	EXPECT_EQ(before - size, hi->free_bytes);
	EXPECT_EQ(0xa5a5a5a5u, hi->heap_id);
	close(fd);
}

/* The module loaded with named heaps */

/* Unload, load with @args: 0, or the load's errno; *@ko_fd for reloading */
static int load_with(int *dev, const char *args, char *orig, size_t len,
		     int *ko_fd, const char **why)
{
	*ko_fd = bp_unload_for_reload(dev, orig, len, why);
	if (*ko_fd < 0)
		return -1;
	return bp_load(*ko_fd, args);
}

/* Back as the rig had it */
static int restore(int *dev, int ko_fd, const char *orig)
{
	bp_unload(200);
	*dev = bp_reload_and_open(ko_fd, orig);
	return *dev < 0 ? -1 : 0;
}

TEST_F_TIMEOUT(heaps, named_heaps_each_serve_their_own, 300)
{
	struct bpbuf_heap_info def, low, video;
	char orig[1024], node[128], path[200];
	uint64_t nr, bus, def_free;
	int ko_fd, ret, low_id, video_id, fd, fds[8], n, i;
	const char *why;

	uint64_t before;

	/* the device tree's heaps, if any, come after the parameter's */
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HEAPS, &before));
	ret = load_with(&self->dev, "heaps=" TEST_HEAPS, orig, sizeof(orig),
			&ko_fd, &why);
	if (ko_fd == -1)
		SKIP(return, "%s", why);
	ASSERT_LE(0, ko_fd) TH_LOG("%s", why);
	ASSERT_EQ(0, ret) TH_LOG("finit_module heaps=%s: %s", TEST_HEAPS,
				 strerror(ret));
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HEAPS, &nr));
	EXPECT_EQ(before + 2, nr);
	low_id = heap_id_of(self->dev, "low");
	video_id = heap_id_of(self->dev, "video");
	EXPECT_EQ(1, low_id);
	EXPECT_EQ(2, video_id);
	ASSERT_EQ(0, heap_info_id(self->dev, 0, &def));
	ASSERT_EQ(0, heap_info_id(self->dev, 1, &low));
	ASSERT_EQ(0, heap_info_id(self->dev, 2, &video));
	EXPECT_EQ(LOW_SIZE, low.heap_size);
	EXPECT_EQ(VIDEO_SIZE, video.heap_size);
	EXPECT_EQ(32, low.dma_bits);
	EXPECT_EQ(def.dma_bits, video.dma_bits);
	EXPECT_EQ(nr, low.nr_heaps);
	EXPECT_TRUE(low.flags & BPBUF_HEAP_PAGE_MAP);

	/* a buffer of "low" lies below 4 GiB and counts against it alone */
	def_free = free_of(self->dev, 0);
	ASSERT_EQ(0, alloc_from(self->dev, 1, MIB, &fd));
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &bus, NULL));
	EXPECT_GE(1ULL << 32, bus + MIB) TH_LOG("bus address 0x%llx",
						(unsigned long long)bus);
	ASSERT_EQ(0, heap_info_id(self->dev, 1, &low));
	EXPECT_EQ(LOW_SIZE - MIB, low.free_bytes);
	EXPECT_EQ(1, low.live_buffers);
	ASSERT_EQ(0, heap_info_id(self->dev, 2, &video));
	EXPECT_EQ(VIDEO_SIZE, video.free_bytes);
	EXPECT_EQ(0, video.live_buffers);
	EXPECT_EQ(def_free, free_of(self->dev, 0));
	EXPECT_EQ(0, bp_check_zero(fd, MIB));
	EXPECT_EQ(0, bp_fill(fd, MIB, 0x3c));
	close(fd);
	EXPECT_EQ(LOW_SIZE, free_of(self->dev, 1));

	/* "video" full: its allocations fail, the others' do not */
	for (n = 0; n < 8 && !alloc_from(self->dev, 2, 4 * MIB, &fds[n]); n++)
		;
	EXPECT_EQ(4, n);
	ASSERT_EQ(-ENOMEM, alloc_from(self->dev, 2, page_size(), &fd));
	ASSERT_EQ(0, alloc_from(self->dev, 1, LOW_SIZE, &fd));
	close(fd);
	ASSERT_EQ(0, alloc_from(self->dev, 0, 4 * MIB, &fd));
	close(fd);
	for (i = 0; i < n; i++)
		close(fds[i]);
	EXPECT_EQ(VIDEO_SIZE, free_of(self->dev, 2));

	/* each heap has its dma-heap node, debugfs file and device */
	bp_heap_node_path(node, sizeof(node));
	if (*node) {
		struct dma_heap_allocation_data d = {
			.len = MIB, .fd_flags = O_RDWR | O_CLOEXEC,
		};
		int hfd;

		snprintf(path, sizeof(path), "%s-low", node);
		hfd = open(path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, hfd) TH_LOG("open %s: %s", path, strerror(errno));
		ASSERT_EQ(0, bp_ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &d));
		EXPECT_EQ(LOW_SIZE - MIB, free_now(self->dev, 1));
		EXPECT_EQ(VIDEO_SIZE, free_of(self->dev, 2));
		close(d.fd);
		close(hfd);
	}
	if (!access(BPBUF_DEBUGFS, F_OK)) {
		EXPECT_EQ(LOW_SIZE, bp_file_value(BPBUF_DEBUGFS "/heaps/low", "size"));
		EXPECT_EQ(32, bp_file_value(BPBUF_DEBUGFS "/heaps/low", "dma_bits"));
		EXPECT_EQ(VIDEO_SIZE,
			  bp_file_value(BPBUF_DEBUGFS "/heaps/video", "size"));
	}
	EXPECT_EQ(0, access("/sys/devices/virtual/misc/bpbuf/heap-low", F_OK));

	close(self->dev);
	self->dev = -1;
	ASSERT_EQ(0, restore(&self->dev, ko_fd, orig)) TH_LOG("load %s", orig);
}

/* The first physical address of heap @name (debugfs, root), or -1 */
static long long heap_phys(const char *name)
{
	char path[160];
	long long pfn;

	snprintf(path, sizeof(path), BPBUF_DEBUGFS "/heaps/%s", name);
	pfn = bp_file_value(path, "pfn");
	return pfn < 0 ? -1 : pfn * (long long)page_size();
}

/*
 * Load with @args, whose heap @name must start at physical @at, and open
 * the device: the heap's id, its info in @info; round for the log
 */
static int load_fixed_heap(struct __test_metadata *_metadata, int ko_fd,
			   const char *args, int round, const char *name,
			   long long at, int *dev, struct bpbuf_heap_info *info)
{
	int ret, id;

	ret = bp_load(ko_fd, args);
	ASSERT_EQ(0, ret) TH_LOG("%s (round %d): %s", args, round, strerror(ret));
	EXPECT_EQ(at, heap_phys(name));
	*dev = bp_open();
	ASSERT_LE(0, *dev);
	id = heap_id_of(*dev, name);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, heap_info_id(*dev, id, info));
	EXPECT_TRUE(info->flags & BPBUF_HEAP_FIXED);
	return id;
}

/*
 * NAME:SIZE@ADDR: movable memory taken at that address, on every load.
 * The address is the one the second of two movable heaps was just given:
 * free here, on any machine, and not where a search for free memory would
 * go first (the first heap's). Then bad addresses are refused.
 */
TEST_F_TIMEOUT(heaps, fixed_address_heap_is_where_it_is_asked, 300)
{
	char orig[1024], args[200], said[4096];
	struct bpbuf_heap_info info;
	long long at, top;
	int ko_fd, ret, round, id, fd;
	uint64_t bus;
	const char *why;

	if (access(BPBUF_DEBUGFS, F_OK))
		SKIP(return, "needs debugfs for the heap's physical address");
	ret = load_with(&self->dev, "heaps=top:16M:movable,probe:16M:movable",
			orig, sizeof(orig), &ko_fd, &why);
	if (ko_fd == -1)
		SKIP(return, "%s", why);
	ASSERT_LE(0, ko_fd) TH_LOG("%s", why);
	if (ret == EOPNOTSUPP) {
		ASSERT_EQ(0, restore(&self->dev, ko_fd, orig));
		SKIP(return, "this kernel gives modules no alloc_contig_range()");
	}
	ASSERT_EQ(0, ret) TH_LOG("heaps=probe:16M:movable: %s", strerror(ret));
	top = heap_phys("top");
	at = heap_phys("probe");
	ASSERT_LT(0, at);
	ASSERT_NE(top, at);
	ASSERT_EQ(0, bp_unload(200));

	for (round = 0; round < 2; round++) {
		snprintf(args, sizeof(args), "heaps=fixed:16M@0x%llx", at);
		id = load_fixed_heap(_metadata, ko_fd, args, round, "fixed", at,
				     &self->dev, &info);
		EXPECT_EQ(BPBUF_HEAP_SOURCE_MOVABLE, info.source);
		EXPECT_EQ(16 * MIB, info.heap_size);
		ASSERT_EQ(0, alloc_from(self->dev, id, 16 * MIB, &fd));
		ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &bus, NULL));
		EXPECT_EQ((uint64_t)at, bus);
		EXPECT_EQ(0, bp_check_zero(fd, 16 * MIB));
		close(fd);
		close(self->dev);
		self->dev = -1;
		ASSERT_EQ(0, bp_unload(200));
	}

	/* not page aligned, or asked of CMA: the parameter is refused */
	snprintf(args, sizeof(args), "heaps=fixed:16M@0x%llx", at + 512);
	EXPECT_EQ(EINVAL, bp_load(ko_fd, args)) TH_LOG("%s", args);
	snprintf(args, sizeof(args), "heaps=fixed:16M@0x%llx:cma", at);
	EXPECT_EQ(EINVAL, bp_load(ko_fd, args)) TH_LOG("%s", args);
	/* no memory there: the load fails and says so */
	ret = bp_load_logged(ko_fd, "heaps=fixed:16M@0x400000000000", said,
			     sizeof(said));
	EXPECT_EQ(EINVAL, ret) TH_LOG("the kernel said: %s", said);
	EXPECT_TRUE(strstr(said, "no ordinary memory") != NULL ||
		    strstr(said, "beyond the") != NULL) TH_LOG("%s", said);
	EXPECT_EQ(-1, access(BPBUF_PARAMS, F_OK));
	ASSERT_EQ(0, restore(&self->dev, ko_fd, orig)) TH_LOG("load %s", orig);
}

/*
 * rig.reserved=ADDR:MIB, where the rig's x86 VMs set memory aside at boot
 * (memmap=MIB M$ADDR): 0 and the range, or -1 when this VM has none
 */
static int rig_reserved(unsigned long long *at, unsigned long long *mib)
{
	char *line = NULL, *p;
	size_t len = 0;
	FILE *f = fopen("/proc/cmdline", "re");
	int ret = -1;

	if (!f)
		return -1;
	if (getline(&line, &len, f) > 0 && (p = strstr(line, "rig.reserved=")) &&
	    sscanf(p, "rig.reserved=%llx:%llu", at, mib) == 2)
		ret = 0;
	free(line);
	fclose(f);
	return ret;
}

/*
 * A reserved heap's whole range as one buffer, checked: at its address,
 * zeroed, then written with @fill through a mapping, and refused to page
 * maps. Returns its fd.
 */
static int whole_reserved_buffer(struct __test_metadata *_metadata, int dev,
				 int id, uint64_t size, uint64_t at, int fill)
{
	struct bpbuf_page_map pm = { 0 };
	uint64_t bus;
	int fd = -1;

	EXPECT_EQ(0, alloc_from(dev, id, size, &fd));
	if (fd < 0)
		return fd;
	EXPECT_EQ(0, bp_bus_addr(dev, fd, &bus, NULL));
	EXPECT_EQ(at, bus);
	EXPECT_EQ(0, bp_check_zero(fd, size));
	EXPECT_EQ(0, bp_fill(fd, size, fill));
	pm.fd = (uint32_t)fd;
	EXPECT_EQ(-1, ioctl(dev, BPBUF_IOCTL_PAGE_MAP, &pm));
	EXPECT_EQ(EOPNOTSUPP, errno);
	return fd;
}

/*
 * NAME:SIZE@ADDR:reserved: memory the kernel was told at boot to leave
 * alone (memmap=), given struct pages by ZONE_DEVICE: at that address on
 * every load, zeroed, exported and mapped as any heap's, but no page maps.
 * A kernel without ZONE_DEVICE refuses it, saying why; a range the kernel
 * manages, a misaligned one, and one claimed twice are refused too.
 */
TEST_F_TIMEOUT(heaps, reserved_memory_heap_at_its_boot_address, 300)
{
	char orig[1024], args[200], said[4096];
	unsigned long long at, mib;
	struct bpbuf_heap_info info;
	struct bpbuf_test_import ti = { 0 };
	int ko_fd, ret, round, id, fd, imp;
	uint64_t size;
	const char *why;

	if (rig_reserved(&at, &mib))
		SKIP(return, "no memory set aside at boot here (the rig's x86 VMs boot with memmap= and rig.reserved=)");
	size = mib * MIB;
	ko_fd = bp_unload_for_reload(&self->dev, orig, sizeof(orig), &why);
	if (ko_fd == -1)
		SKIP(return, "%s", why);
	ASSERT_LE(0, ko_fd) TH_LOG("%s", why);
	snprintf(args, sizeof(args), "heaps=resv:%lluM@0x%llx:reserved", mib, at);
	if (!bp_file_has_word("/proc/cmdline", "rig.zone_device=1")) {
		ret = bp_load_logged(ko_fd, args, said, sizeof(said));
		EXPECT_EQ(EOPNOTSUPP, ret) TH_LOG("%s", args);
		EXPECT_TRUE(strstr(said, "CONFIG_ZONE_DEVICE") != NULL) TH_LOG("the kernel said: %s", said);
		ASSERT_EQ(0, restore(&self->dev, ko_fd, orig)) TH_LOG("load %s", orig);
		return;
	}

	for (round = 0; round < 2; round++) {
		id = load_fixed_heap(_metadata, ko_fd, args, round, "resv",
				     (long long)at, &self->dev, &info);
		EXPECT_EQ(BPBUF_HEAP_SOURCE_RESERVED, info.source);
		EXPECT_FALSE(info.flags & BPBUF_HEAP_PAGE_MAP);
		EXPECT_EQ(size, info.heap_size);
		/* the whole range: at its address, zeroed, written, zeroed again */
		fd = whole_reserved_buffer(_metadata, self->dev, id, size, at, 0xa5);
		ASSERT_LE(0, fd);
		/* an importer maps it for its device: one range, at its address */
		imp = open(BPBUF_TEST_IMPORTER_NODE, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, imp) TH_LOG("%s: the rig loads bpbuf_test_importer.ko", BPBUF_TEST_IMPORTER_NODE);
		ti.fd = fd;
		ASSERT_EQ(0, ioctl(imp, BPBUF_TEST_IOC_IMPORT, &ti)) TH_LOG("import: %s", strerror(errno));
		EXPECT_EQ(size, ti.size);
		EXPECT_EQ(1, ti.contiguous);
		EXPECT_EQ(at, ti.dma_addr);
		close(imp);
		close(fd);
		ASSERT_EQ(0, alloc_from(self->dev, id, size, &fd));
		EXPECT_EQ(0, bp_check_zero(fd, size));
		close(fd);
		close(self->dev);
		self->dev = -1;
		ASSERT_EQ(0, bp_unload(200));
	}

	/* the range in /proc/iomem only while loaded: given back at unload */
	snprintf(args, sizeof(args), "heaps=resv:%lluM@0x%llx:reserved,again:%lluM@0x%llx:reserved",
		 mib, at, mib, at);
	ret = bp_load_logged(ko_fd, args, said, sizeof(said));
	EXPECT_EQ(EBUSY, ret) TH_LOG("the same range twice: %s", said);
	snprintf(args, sizeof(args), "heaps=resv:%lluM@0x%llx:reserved", mib - 1, at);
	EXPECT_EQ(EINVAL, bp_load(ko_fd, args)) TH_LOG("%s: not a whole subsection", args);
	/* 256 MiB up: memory the kernel manages, in every rig VM */
	ret = bp_load_logged(ko_fd, "heaps=resv:16M@0x10000000:reserved", said, sizeof(said));
	EXPECT_EQ(EINVAL, ret);
	EXPECT_TRUE(strstr(said, "the kernel manages memory there") != NULL) TH_LOG("the kernel said: %s", said);
	EXPECT_EQ(EINVAL, bp_load(ko_fd, "heaps=resv:16M:reserved"));
	EXPECT_EQ(EINVAL, bp_load(ko_fd, "heap_source=reserved"));
	EXPECT_EQ(-1, access(BPBUF_PARAMS, F_OK));
	ASSERT_EQ(0, restore(&self->dev, ko_fd, orig)) TH_LOG("load %s", orig);
}

/* Values of heaps= the load refuses, and the errno it refuses them with */
static const struct {
	const char *args;
	int err;
} bad_heaps[] = {
	{ "heaps=default:8M", EINVAL },		/* the default heap's name */
	{ "heaps=a:8M,a:4M", EINVAL },		/* two of one name */
	{ "heaps=a", EINVAL },			/* no size */
	{ "heaps=a:0", EINVAL },
	{ "heaps=a:8Q", EINVAL },
	{ "heaps=a:8M:bogus", EINVAL },
	{ "heaps=a:8M:dma_bits=16", EINVAL },
	{ "heaps=a:8M:dma_bits=65", EINVAL },
	{ "heaps=a/b:8M", EINVAL },
	{ "heaps=:8M", EINVAL },
	{ "heaps=a:8M,,b:8M", EINVAL },
	{ "heaps=abcdefghijabcdefghijabcdefghijab:8M", EINVAL },	/* 32 */
	{ "heaps=a:1M,b:1M,c:1M,d:1M,e:1M,f:1M,g:1M,h:1M", E2BIG },
	{ "heap_cpu_mode=bogus", EINVAL },	/* cached, wc or uncached */
	{ "heaps=a:8M:write-combined", EINVAL },
};

/* heaps=h1:1M,...,hN:1M */
static void n_heaps(char *args, size_t len, unsigned int n)
{
	unsigned int i;

	snprintf(args, len, "heaps=");
	for (i = 1; i <= n; i++)
		snprintf(args + strlen(args), len - strlen(args), "%sh%u:1M",
			 i > 1 ? "," : "", i);
}

TEST_F_TIMEOUT(heaps, bad_heaps_values_fail_the_load, 300)
{
	char orig[1024], args[200], last[8];
	unsigned int room;
	uint64_t before;
	int ko_fd, ret;
	const char *why;
	size_t i;

	/* eight heaps in all: the default one, heaps= and the device tree's */
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_HEAPS, &before));
	room = 8 - (unsigned int)before;
	ko_fd = bp_unload_for_reload(&self->dev, orig, sizeof(orig), &why);
	if (ko_fd == -1)
		SKIP(return, "%s", why);
	ASSERT_LE(0, ko_fd) TH_LOG("%s", why);
	for (i = 0; i < ARRAY_SIZE(bad_heaps); i++) {
		ret = bp_load(ko_fd, bad_heaps[i].args);
		EXPECT_EQ(bad_heaps[i].err, ret)
			TH_LOG("%s: %s", bad_heaps[i].args, strerror(ret));
		if (!ret)
			bp_unload(200);
		EXPECT_EQ(-1, access(BPBUF_PARAMS, F_OK));
	}
	/* one more than there is room for fails, as many as there is works */
	n_heaps(args, sizeof(args), room + 1);
	EXPECT_EQ(E2BIG, bp_load(ko_fd, args)) TH_LOG("%s", args);
	EXPECT_EQ(-1, access(BPBUF_PARAMS, F_OK));
	n_heaps(args, sizeof(args), room);
	ret = bp_load(ko_fd, args);
	EXPECT_EQ(0, ret) TH_LOG("%s: %s", args, strerror(ret));
	if (!ret) {
		self->dev = bp_open();
		ASSERT_LE(0, self->dev);
		snprintf(last, sizeof(last), "h%u", room);
		EXPECT_EQ((int)room, heap_id_of(self->dev, last));
		close(self->dev);
		self->dev = -1;
	}
	ASSERT_EQ(0, restore(&self->dev, ko_fd, orig)) TH_LOG("load %s", orig);
}

/* The CPU mode the debugfs line of buffer @fd names, or "" */
static void cpu_mode_of(int dev, int fd, char *mode, size_t len)
{
	struct bp_debugfs_buffer line;

	snprintf(mode, len, "%s", bp_debugfs_buffer(dev, fd, &line) ? "" : line.cpu);
}

/*
 * heap_cpu_mode= and heaps= NAME:SIZE:MODE set what an allocation naming
 * no mode gets, heap by heap; a mode this kernel cannot give fails the
 * load, with EINVAL, saying why.
 */
TEST_F_TIMEOUT(heaps, cpu_mode_defaults_from_parameters, 300)
{
	char orig[1024], args[200], said[4096], mode[16];
	struct bpbuf_heap_info def, ring;
	unsigned long long at, mib;
	uint64_t modes;
	int ko_fd, ret, fd, id;
	const char *ring_mode, *why;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_CPU_MODES, &modes));
	if (!(modes & 1ULL << BPBUF_CPU_UNCACHED))
		SKIP(return, "this kernel maps buffers cached only");
	ring_mode = modes & 1ULL << BPBUF_CPU_WRITECOMBINE ? "wc" : "cached";
	snprintf(args, sizeof(args), "heap_cpu_mode=uncached heaps=ring:8M:%s", ring_mode);
	ret = load_with(&self->dev, args, orig, sizeof(orig), &ko_fd, &why);
	if (ko_fd == -1)
		SKIP(return, "%s", why);
	ASSERT_LE(0, ko_fd) TH_LOG("%s", why);
	ASSERT_EQ(0, ret) TH_LOG("finit_module %s: %s", args, strerror(ret));
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
	id = heap_id_of(self->dev, "ring");
	ASSERT_LT(0, id);
	ASSERT_EQ(0, heap_info_id(self->dev, 0, &def));
	ASSERT_EQ(0, heap_info_id(self->dev, (uint32_t)id, &ring));
	EXPECT_EQ(BPBUF_CPU_UNCACHED, def.cpu_mode);
	EXPECT_EQ(modes, def.cpu_modes);
	EXPECT_EQ(modes & 1ULL << BPBUF_CPU_WRITECOMBINE ? BPBUF_CPU_WRITECOMBINE :
		  BPBUF_CPU_CACHED, ring.cpu_mode);

	/* no mode named: the heap's; one named: that one */
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	cpu_mode_of(self->dev, fd, mode, sizeof(mode));
	EXPECT_STREQ("uncached", mode);
	close(fd);
	ASSERT_EQ(0, alloc_from(self->dev, (uint32_t)id, MIB, &fd));
	cpu_mode_of(self->dev, fd, mode, sizeof(mode));
	EXPECT_STREQ(ring_mode, mode);
	close(fd);
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, BPBUF_ALLOC_CACHED, &fd));
	cpu_mode_of(self->dev, fd, mode, sizeof(mode));
	EXPECT_STREQ("cached", mode);
	close(fd);
	close(self->dev);
	self->dev = -1;
	bp_unload(200);

	/* x86: reserved memory's type is fixed by memremap_pages() */
	if (!rig_reserved(&at, &mib) && bp_file_has_word("/proc/cmdline", "rig.zone_device=1")) {
		snprintf(args, sizeof(args), "heaps=resv:%lluM@0x%llx:reserved:uncached", mib, at);
		ret = bp_load_logged(ko_fd, args, said, sizeof(said));
		EXPECT_EQ(EINVAL, ret) TH_LOG("%s", args);
		EXPECT_TRUE(strstr(said, "no uncached buffers") != NULL) TH_LOG("the kernel said: %s", said);
		if (!ret)
			bp_unload(200);
	}
	/* a mode the kernel cannot give: write-combining without PAT */
	if (!(modes & 1ULL << BPBUF_CPU_WRITECOMBINE)) {
		ret = bp_load_logged(ko_fd, "heaps=ring:8M:wc", said, sizeof(said));
		EXPECT_EQ(EINVAL, ret);
		EXPECT_TRUE(strstr(said, "no wc buffers") != NULL) TH_LOG("the kernel said: %s", said);
		if (!ret)
			bp_unload(200);
	}
	ASSERT_EQ(0, restore(&self->dev, ko_fd, orig)) TH_LOG("load %s", orig);
}

/* The rig's device tree heaps: tests/vm/dt/bpbuf-heaps.dtsi */
#define DT_NODE		"/proc/device-tree/bpbuf-heap-fixed"
#define DT_FIXED_BASE	0x80000000ULL
#define DT_FIXED_SIZE	(32 * MIB)
#define DT_LOW_SIZE	(16 * MIB)
#define DT_NOMAP_BASE	0x90000000ULL
#define DT_NOMAP_SIZE	(32 * MIB)

/* A heap's first bus address, from its debugfs file (root), or -1 */
static long long heap_bus_addr(const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), BPBUF_DEBUGFS "/heaps/%s", name);
	return bp_file_value(path, "bus_addr");
}

TEST_F(heaps, device_tree_heaps_from_reserved_memory)
{
	struct bpbuf_heap_info fixed, low;
	int fixed_id, low_id, fd, hfd;
	char node[128], path[160];
	uint64_t bus;

	if (access(DT_NODE, F_OK))
		SKIP(return, "no bpbuf heap in this machine's device tree (the rig declares them on arm64)");
	fixed_id = heap_id_of(self->dev, "dt-fixed");
	low_id = heap_id_of(self->dev, "dt-low");
	ASSERT_LT(0, fixed_id);
	ASSERT_LT(0, low_id);
	ASSERT_EQ(0, heap_info_id(self->dev, fixed_id, &fixed));
	ASSERT_EQ(0, heap_info_id(self->dev, low_id, &low));
	EXPECT_EQ(BPBUF_HEAP_SOURCE_REGION, fixed.source);
	EXPECT_EQ(BPBUF_HEAP_SOURCE_REGION, low.source);
	/* the whole region without bpbuf,size, its first half with it */
	EXPECT_EQ(DT_FIXED_SIZE, fixed.heap_size);
	EXPECT_EQ(DT_LOW_SIZE, low.heap_size);
	EXPECT_EQ(64, fixed.dma_bits);
	EXPECT_EQ(32, low.dma_bits);
	EXPECT_TRUE(fixed.flags & BPBUF_HEAP_PAGE_MAP);
	/* reg makes it fixed; alloc-ranges only bounds where it goes */
	EXPECT_TRUE(fixed.flags & BPBUF_HEAP_FIXED);
	EXPECT_FALSE(low.flags & BPBUF_HEAP_FIXED);

	/* the fixed region's heap starts at its reg, on every boot */
	if (!access(BPBUF_DEBUGFS, F_OK)) {
		EXPECT_EQ((long long)DT_FIXED_BASE, heap_bus_addr("dt-fixed"));
		EXPECT_GE((long long)(2ULL << 30),
			  heap_bus_addr("dt-low") + (long long)DT_LOW_SIZE);
	}

	/* buffers: zeroed, theirs, within the region */
	ASSERT_EQ(0, alloc_from(self->dev, fixed_id, 4 * MIB, &fd));
	EXPECT_EQ(0, bp_check_zero(fd, 4 * MIB));
	EXPECT_EQ(0, bp_fill(fd, 4 * MIB, 0xd7));
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &bus, NULL));
	EXPECT_LE(DT_FIXED_BASE, bus);
	EXPECT_GE(DT_FIXED_BASE + DT_FIXED_SIZE, bus + 4 * MIB);
	EXPECT_EQ(DT_FIXED_SIZE - 4 * MIB, free_now(self->dev, fixed_id));
	close(fd);
	ASSERT_EQ(0, alloc_from(self->dev, low_id, DT_LOW_SIZE, &fd));
	ASSERT_EQ(0, bp_bus_addr(self->dev, fd, &bus, NULL));
	EXPECT_GE(2ULL << 30, bus + DT_LOW_SIZE);
	close(fd);
	EXPECT_EQ(DT_FIXED_SIZE, free_of(self->dev, fixed_id));
	EXPECT_EQ(DT_LOW_SIZE, free_of(self->dev, low_id));

	/* and a dma-heap node each */
	bp_heap_node_path(node, sizeof(node));
	if (*node) {
		struct dma_heap_allocation_data d = {
			.len = MIB, .fd_flags = O_RDWR | O_CLOEXEC,
		};

		snprintf(path, sizeof(path), "%s-dt-fixed", node);
		hfd = open(path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, hfd) TH_LOG("open %s: %s", path, strerror(errno));
		ASSERT_EQ(0, bp_ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &d));
		EXPECT_EQ(DT_FIXED_SIZE - MIB, free_now(self->dev, fixed_id));
		close(d.fd);
		close(hfd);
	}
}

/*
 * The rig's no-map region: memory the kernel keeps out of its linear map,
 * taken by the reserved source with the pages it has and a mapping of its
 * own, for a dma-coherent node (dt/bpbuf-heaps.dtsi)
 */
TEST_F(heaps, device_tree_heap_from_no_map_memory)
{
	struct bpbuf_test_import ti = { 0 };
	struct bpbuf_heap_info info;
	int id, fd, imp;

	if (access(DT_NODE, F_OK))
		SKIP(return, "no bpbuf heap in this machine's device tree (the rig declares them on arm64)");
	id = heap_id_of(self->dev, "dt-nomap");
	ASSERT_LT(0, id);
	ASSERT_EQ(0, heap_info_id(self->dev, id, &info));
	EXPECT_EQ(BPBUF_HEAP_SOURCE_RESERVED, info.source);
	EXPECT_EQ(DT_NOMAP_SIZE, info.heap_size);
	EXPECT_TRUE(info.flags & BPBUF_HEAP_FIXED);
	EXPECT_FALSE(info.flags & BPBUF_HEAP_PAGE_MAP);
	if (!access(BPBUF_DEBUGFS, F_OK))
		EXPECT_EQ((long long)DT_NOMAP_BASE, heap_bus_addr("dt-nomap"));

	/* the whole region: at its address, zeroed, written, zeroed again */
	fd = whole_reserved_buffer(_metadata, self->dev, id, DT_NOMAP_SIZE,
				   DT_NOMAP_BASE, 0x3c);
	ASSERT_LE(0, fd);
	/*
	 * The test importer's device has no firmware node: on arm64 it is not
	 * DMA-coherent, and its cache maintenance would need the linear map
	 */
	imp = open(BPBUF_TEST_IMPORTER_NODE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, imp) TH_LOG("%s: the rig loads bpbuf_test_importer.ko", BPBUF_TEST_IMPORTER_NODE);
	ti.fd = fd;
	EXPECT_EQ(-1, ioctl(imp, BPBUF_TEST_IOC_IMPORT, &ti));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(imp);
	close(fd);
	ASSERT_EQ(0, alloc_from(self->dev, id, DT_NOMAP_SIZE, &fd));
	EXPECT_EQ(0, bp_check_zero(fd, DT_NOMAP_SIZE));
	close(fd);
	EXPECT_EQ(DT_NOMAP_SIZE, free_of(self->dev, id));
}

/* Free memory as the page allocator has it: MemFree and the per-CPU lists */
static long long free_memory(void)
{
	return bp_meminfo("MemFree:") + bp_pcp_free_bytes();
}

/*
 * A named heap too large for the machine: the load fails, naming it, and
 * gives back the heaps it had carved before it (the default one, and
 * "first", 64 MiB: half of that is more than a debug kernel's own
 * allocations move free memory by meanwhile; 16 MiB was seen)
 */
TEST_F_TIMEOUT(heaps, heap_that_cannot_be_carved_fails_the_whole_load, 300)
{
	long long too_big = (bp_meminfo("MemTotal:") + 1024 * MIB) / MIB * MIB;
	char orig[1024], args[200], said[4096];
	long long before, after;
	int ko_fd, ret;
	const char *why;

	ko_fd = bp_unload_for_reload(&self->dev, orig, sizeof(orig), &why);
	if (ko_fd == -1)
		SKIP(return, "%s", why);
	ASSERT_LE(0, ko_fd) TH_LOG("%s", why);

	before = free_memory();
	snprintf(args, sizeof(args), "heaps=first:64M,huge:%lld", too_big);
	ret = bp_load_logged(ko_fd, args, said, sizeof(said));
	after = free_memory();
	EXPECT_EQ(ENOMEM, ret) TH_LOG("finit_module %s: %s", args, strerror(ret));
	TH_LOG("the kernel said: %s", said);
	EXPECT_TRUE(strstr(said, "heap huge: cannot carve") != NULL);
	EXPECT_EQ(-1, access(BPBUF_NODE, F_OK));
	EXPECT_EQ(-1, access(BPBUF_PARAMS, F_OK));
	/* the default heap and "first" (128 MiB with the rig's) came back */
	EXPECT_LT(before - 32 * (long long)MIB, after)
		TH_LOG("free memory %lld MiB before the load, %lld MiB after",
		       before >> 20, after >> 20);
	if (!ret)
		bp_unload(200);
	ASSERT_EQ(0, restore(&self->dev, ko_fd, orig)) TH_LOG("load %s", orig);
}

TEST_HARNESS_MAIN
