// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap() of bpbuf dma-bufs: whole buffers and windows, shared and cached,
 * mapped at mmap() time (no fault per page), every out-of-range request,
 * MAP_PRIVATE and mremap() growth refused, mapping counts in debugfs, and
 * what /proc/self/pagemap says about the pages.
 */
#include <sys/resource.h>

#include "bpbuf_test.h"
#include "kselftest_harness.h"

#define NPAGES 16

FIXTURE(map) {
	int dev;
	int buf;
	size_t pg;
	size_t size;
};

FIXTURE_SETUP(map)
{
	self->pg = page_size();
	self->size = NPAGES * self->pg;
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	ASSERT_EQ(0, bp_alloc(self->dev, self->size, 0, 0, &self->buf));
}

FIXTURE_TEARDOWN(map)
{
	close(self->buf);
	close(self->dev);
}

static void *map(int fd, size_t len, off_t off, int prot, int flags)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

#define RW (PROT_READ | PROT_WRITE)

/* Mark page i of the buffer with i + 1 in its first word */
static void mark_pages(void *p, size_t pg, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		*(volatile uint32_t *)((char *)p + i * pg) = i + 1;
}

TEST_F(map, whole_buffer_read_write)
{
	char *p = map(self->buf, self->size, 0, RW, MAP_SHARED);

	ASSERT_TRUE(p != MAP_FAILED) TH_LOG("mmap: %s", strerror(errno));
	memset(p, 0x3c, self->size);
	EXPECT_TRUE(all_bytes_are(p, self->size, 0x3c));
	EXPECT_EQ(0, munmap(p, self->size));
}

TEST_F(map, two_mappings_share_memory)
{
	char *a = map(self->buf, self->size, 0, RW, MAP_SHARED);
	char *b = map(self->buf, self->size, 0, PROT_READ, MAP_SHARED);

	ASSERT_TRUE(a != MAP_FAILED);
	ASSERT_TRUE(b != MAP_FAILED);
	a[self->size - 1] = 0x7e;
	a[0] = 0x11;
	EXPECT_EQ(0x7e, b[self->size - 1]);
	EXPECT_EQ(0x11, b[0]);
	munmap(a, self->size);
	munmap(b, self->size);
}

TEST_F(map, window_sees_the_right_pages)
{
	char *whole = map(self->buf, self->size, 0, RW, MAP_SHARED);
	char *win;

	ASSERT_TRUE(whole != MAP_FAILED);
	mark_pages(whole, self->pg, NPAGES);
	win = map(self->buf, 3 * self->pg, 5 * self->pg, PROT_READ, MAP_SHARED);
	ASSERT_TRUE(win != MAP_FAILED) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(6, *(uint32_t *)win);
	EXPECT_EQ(7, *(uint32_t *)(win + self->pg));
	EXPECT_EQ(8, *(uint32_t *)(win + 2 * self->pg));
	munmap(win, 3 * self->pg);
	munmap(whole, self->size);
}

TEST_F(map, last_page_window)
{
	char *whole = map(self->buf, self->size, 0, RW, MAP_SHARED);
	char *win;

	ASSERT_TRUE(whole != MAP_FAILED);
	mark_pages(whole, self->pg, NPAGES);
	win = map(self->buf, self->pg, self->size - self->pg, RW, MAP_SHARED);
	ASSERT_TRUE(win != MAP_FAILED) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(NPAGES, *(uint32_t *)win);
	munmap(win, self->pg);
	munmap(whole, self->size);
}

TEST_F(map, offset_at_end_einval)
{
	void *p = map(self->buf, self->pg, self->size, PROT_READ, MAP_SHARED);

	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, window_one_page_past_end_einval)
{
	void *p = map(self->buf, 2 * self->pg, self->size - self->pg,
		      PROT_READ, MAP_SHARED);

	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, length_larger_than_buffer_einval)
{
	void *p = map(self->buf, self->size + self->pg, 0, PROT_READ,
		      MAP_SHARED);

	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, offset_far_past_end_einval)
{
	void *p = mmap64(NULL, self->pg, PROT_READ, MAP_SHARED, self->buf,
			 (off64_t)1 << 40);

	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, private_read_only_einval)
{
	void *p = map(self->buf, self->size, 0, PROT_READ, MAP_PRIVATE);

	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, private_read_write_einval)
{
	void *p = map(self->buf, self->size, 0, RW, MAP_PRIVATE);

	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, mremap_grow_in_place_refused)
{
	char *p = map(self->buf, self->size / 2, 0, RW, MAP_SHARED);
	void *q;

	ASSERT_TRUE(p != MAP_FAILED);
	/* even within the buffer: VM_DONTEXPAND */
	q = mremap(p, self->size / 2, self->size, 0);
	EXPECT_TRUE(q == MAP_FAILED);
	munmap(p, self->size / 2);
}

TEST_F(map, mremap_grow_past_end_refused)
{
	char *p = map(self->buf, self->size, 0, RW, MAP_SHARED);
	void *q;

	ASSERT_TRUE(p != MAP_FAILED);
	q = mremap(p, self->size, 2 * self->size, MREMAP_MAYMOVE);
	EXPECT_TRUE(q == MAP_FAILED);
	/* the old mapping is intact */
	p[self->size - 1] = 1;
	munmap(p, self->size);
}

TEST_F(map, mremap_shrink_works)
{
	char *p = map(self->buf, self->size, 0, RW, MAP_SHARED);
	void *q;

	ASSERT_TRUE(p != MAP_FAILED);
	q = mremap(p, self->size, self->pg, 0);
	ASSERT_TRUE(q == p);
	p[0] = 1;
	munmap(p, self->pg);
}

TEST_F(map, mapped_at_mmap_time_no_fault_per_page)
{
	size_t size = 16 * MIB, i;
	struct rusage before, after;
	volatile char *p;
	long faults;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
	p = map(fd, size, 0, RW, MAP_SHARED);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &before));
	for (i = 0; i < size; i += self->pg)
		p[i] = 1;
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &after));
	faults = after.ru_minflt - before.ru_minflt;
	EXPECT_GT(16, faults) TH_LOG("%ld faults for %zu pages", faults,
				     size / self->pg);
	munmap((void *)p, size);
	close(fd);
}

/* The VmFlags line of the smaps entry that starts at addr */
static char *vmflags(void *addr)
{
	char *text = read_text("/proc/self/smaps"), *line, want[32], *res = NULL;
	int in = 0;

	if (!text)
		return NULL;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, want, strlen(want)))
			in = 1;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			res = strdup(line);
			break;
		}
	}
	free(text);
	return res;
}

TEST_F(map, vma_is_pfnmap_dontexpand_dontdump)
{
	void *p = map(self->buf, self->size, 0, RW, MAP_SHARED);
	char *flags;

	ASSERT_TRUE(p != MAP_FAILED);
	flags = vmflags(p);
	ASSERT_TRUE(flags != NULL);
	EXPECT_TRUE(strstr(flags, " pf") != NULL) TH_LOG("%s", flags);
	EXPECT_TRUE(strstr(flags, " de") != NULL) TH_LOG("%s", flags);
	EXPECT_TRUE(strstr(flags, " dd") != NULL) TH_LOG("%s", flags);
	EXPECT_TRUE(strstr(flags, " sh") != NULL) TH_LOG("%s", flags);
	free(flags);
	munmap(p, self->size);
}

/* The mmaps column of this buffer's debugfs line, or -1 */
static int debugfs_mmaps(int dev, int fd)
{
	struct bp_debugfs_buffer line;

	return bp_debugfs_buffer(dev, fd, &line) ? -1 : line.mmaps;
}

TEST_F(map, mapping_count_in_debugfs)
{
	char *a, *b;

	if (access(BPBUF_DEBUGFS "/buffers", R_OK) || geteuid())
		SKIP(return, "needs root and %s/buffers", BPBUF_DEBUGFS);
	EXPECT_EQ(0, debugfs_mmaps(self->dev, self->buf));
	a = map(self->buf, self->size, 0, RW, MAP_SHARED);
	b = map(self->buf, self->pg, 0, PROT_READ, MAP_SHARED);
	ASSERT_TRUE(a != MAP_FAILED && b != MAP_FAILED);
	EXPECT_EQ(2, debugfs_mmaps(self->dev, self->buf));
	/* unmapping a page in the middle splits the VMA in two */
	ASSERT_EQ(0, munmap(a + 4 * self->pg, self->pg));
	EXPECT_EQ(3, debugfs_mmaps(self->dev, self->buf));
	munmap(a, 4 * self->pg);
	munmap(a + 5 * self->pg, self->size - 5 * self->pg);
	munmap(b, self->pg);
	EXPECT_EQ(0, debugfs_mmaps(self->dev, self->buf));
}

/*
 * Contiguity as /proc/self/pagemap sees it: PFN i of the mapping should be
 * bus_addr / page + i (no IOMMU). 6.1's page walker skips VM_PFNMAP VMAs, so
 * there it reports nothing present and the test says SKIP; the importer
 * test proves contiguity through the DMA API instead.
 */
TEST_F(map, pagemap_pfns_follow_bus_address)
{
	uint64_t addr, entry[NPAGES], first_pfn;
	char *p;
	unsigned int i, present = 0;
	int pm;

	if (geteuid())
		SKIP(return, "pagemap PFNs and bus addresses need root");
	ASSERT_EQ(0, bp_bus_addr(self->dev, self->buf, &addr, NULL));
	p = map(self->buf, self->size, 0, RW, MAP_SHARED);
	ASSERT_TRUE(p != MAP_FAILED);
	mark_pages(p, self->pg, NPAGES);
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, pm);
	/* read them all first: whether to SKIP is known before any check */
	for (i = 0; i < NPAGES; i++) {
		off64_t off = (off64_t)((uintptr_t)p / self->pg + i) * 8;

		ASSERT_EQ(8, pread64(pm, &entry[i], 8, off));
		if (entry[i] >> 63)
			present++;
	}
	close(pm);
	munmap(p, self->size);
	if (!present)
		SKIP(return, "pagemap does not report VM_PFNMAP pages on this kernel");
	first_pfn = addr / self->pg;
	/* braced: ASSERT_/EXPECT_ end in a second statement (bail, TH_LOG) */
	for (i = 0; i < NPAGES; i++) {
		if (entry[i] >> 63)
			EXPECT_EQ(first_pfn + i, entry[i] & ((1ULL << 55) - 1))
				TH_LOG("page %u", i);
	}
	EXPECT_EQ(NPAGES, present);
}

TEST_HARNESS_MAIN
