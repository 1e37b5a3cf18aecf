// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPU modes (driver/cpumode.c): a buffer allocated cached, write-combined
 * or uncached is mapped so by every CPU mapping of it, and the proof is
 * read from the page tables themselves by the tests' memory-type checker
 * (tests/kmod/bpbuf_test_memtype.c): a fresh mmap() (a PMD entry where the
 * kernel maps PFNs with them, PTEs elsewhere), the PTEs that replace a PMD
 * entry cut by munmap() or mprotect(), mremap()'s new place, fork()'s
 * child, and the kernel's vmap() for an importer, which reads what user
 * space wrote without any sync; page maps are refused for every mode but
 * cached. Then the refusals: a mode the kernel cannot give (EOPNOTSUPP),
 * and the flag bits beside the mode's (EINVAL).
 *
 * The rig says on the kernel command line which modes the kernel must
 * offer (rig.cpu_modes=, from its configuration: x86 PAT for
 * write-combining), so a mode wrongly refused fails instead of skipping.
 * On arm64 uncached is the same memory type as write-combined (Normal
 * Non-cacheable): arm64 never maps RAM as Device memory. Memory is
 * touched in aligned 8-byte words, as descriptors and status words are.
 */
#include <sys/wait.h>

#include "bpbuf_test.h"
#include "bpbuf_test_memtype.h"
#include "kselftest_harness.h"

#define RW (PROT_READ | PROT_WRITE)
#define BUF_SIZE (4 * MIB)

static const char *const mode_names[] = { "heap's", "cached", "wc", "uncached" };

/* The bitmap of modes rig.cpu_modes= names, or 0 without it */
static uint64_t rig_cpu_modes(void)
{
	char *cmdline = read_text("/proc/cmdline"), *p, *tok;
	uint64_t modes = 0;
	unsigned int m;

	if (!cmdline)
		return 0;
	p = strstr(cmdline, "rig.cpu_modes=");
	if (p) {
		p += strlen("rig.cpu_modes=");
		p[strcspn(p, " \n")] = '\0';
		for (tok = strtok(p, ","); tok; tok = strtok(NULL, ","))
			for (m = BPBUF_CPU_CACHED; m <= BPBUF_CPU_UNCACHED; m++)
				if (!strcmp(tok, mode_names[m]))
					modes |= 1ULL << m;
	}
	free(cmdline);
	return modes;
}

static int memtype_user(int mt, const void *addr, struct bpbuf_test_memtype *m)
{
	memset(m, 0, sizeof(*m));
	m->addr = (uintptr_t)addr;
	m->fd = -1;
	return bp_ioctl(mt, BPBUF_TEST_IOC_USER_MEMTYPE, m);
}

static void put_words(void *at, size_t n, uint64_t seed)
{
	volatile uint64_t *p = at;

	for (size_t i = 0; i < n; i++)
		p[i] = seed + i;
}

/* How many of n words from p are not seed + i */
static size_t bad_words(const void *at, size_t n, uint64_t seed)
{
	const volatile uint64_t *p = at;
	size_t bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += p[i] != seed + i;
	return bad;
}

FIXTURE(cpu) {
	int dev;
	int mt;
	uint64_t modes;		/* BPBUF_CAP_CPU_MODES */
	uint64_t map_sizes;
	int fd;
	char *p;
	bool skipped;
};

FIXTURE_VARIANT(cpu) {
	uint32_t mode;		/* BPBUF_CPU_* */
	uint32_t type;		/* BPBUF_TEST_MT_* its entries must give */
};

FIXTURE_VARIANT_ADD(cpu, cached) {
	.mode = BPBUF_CPU_CACHED, .type = BPBUF_TEST_MT_CACHED,
};
FIXTURE_VARIANT_ADD(cpu, wc) {
	.mode = BPBUF_CPU_WRITECOMBINE, .type = BPBUF_TEST_MT_WC,
};
#ifdef __aarch64__
#define UNCACHED_TYPE BPBUF_TEST_MT_WC		/* Normal Non-cacheable */
#else
#define UNCACHED_TYPE BPBUF_TEST_MT_UNCACHED
#endif
FIXTURE_VARIANT_ADD(cpu, uncached) {
	.mode = BPBUF_CPU_UNCACHED, .type = UNCACHED_TYPE,
};

/* A SKIP in FIXTURE_SETUP does not stop every harness from running the body */
#define CPU_TEST_START() do { if (self->skipped) return; } while (0)

FIXTURE_SETUP(cpu)
{
	uint64_t want = rig_cpu_modes();

	self->fd = -1;
	self->p = MAP_FAILED;
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
	self->mt = open(BPBUF_TEST_MEMTYPE_NODE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->mt) TH_LOG("%s: %s (is bpbuf_test_memtype loaded?)",
				      BPBUF_TEST_MEMTYPE_NODE, strerror(errno));
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_CPU_MODES, &self->modes));
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_MAP_SIZES, &self->map_sizes));
	ASSERT_TRUE(self->modes & 1ULL << BPBUF_CPU_CACHED);
	if (want)
		ASSERT_EQ(want, self->modes)
			TH_LOG("the rig expects modes 0x%llx, the driver offers 0x%llx",
			       (unsigned long long)want, (unsigned long long)self->modes);
	if (!(self->modes & 1ULL << variant->mode)) {
		self->skipped = true;
		SKIP(return, "this kernel has no %s mode (BPBUF_CAP_CPU_MODES 0x%llx): unsupported_modes_refused checks it",
		     mode_names[variant->mode], (unsigned long long)self->modes);
	}
}

FIXTURE_TEARDOWN(cpu)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, BUF_SIZE);
	if (self->fd >= 0)
		close(self->fd);
	close(self->mt);
	close(self->dev);
}

/* Allocate the 4 MiB buffer in the variant's mode, mapped 2 MiB-aligned */
static void alloc_mapped(struct __test_metadata *_metadata,
			 FIXTURE_DATA(cpu) *self, const FIXTURE_VARIANT(cpu) *variant)
{
	ASSERT_EQ(0, bp_alloc(self->dev, BUF_SIZE, 0,
			      variant->mode << BPBUF_ALLOC_CPU_SHIFT, &self->fd));
	self->p = bp_map_at(self->fd, BUF_SIZE, 0, 2 * MIB, 0);
	ASSERT_TRUE(self->p != NULL);
}

/* The entry mapping addr gives type, at level if level is not 0 */
static void expect_type(struct __test_metadata *_metadata, int mt,
			const void *addr, uint32_t type, uint32_t level,
			const char *what)
{
	struct bpbuf_test_memtype m;

	ASSERT_EQ(0, memtype_user(mt, addr, &m));
	ASSERT_NE(BPBUF_TEST_LEVEL_NONE, m.level) TH_LOG("%s: not mapped", what);
	if (level)
		EXPECT_EQ(level, m.level) TH_LOG("%s: entry 0x%llx", what,
						 (unsigned long long)m.entry);
	EXPECT_EQ(type, m.type) TH_LOG("%s: level %u entry 0x%llx", what,
				       m.level, (unsigned long long)m.entry);
}

/* PMD where the kernel maps PFNs with them, else a PTE */
static uint32_t block_level(const FIXTURE_DATA(cpu) *self)
{
	return self->map_sizes & 2 * MIB ? BPBUF_TEST_LEVEL_PMD : BPBUF_TEST_LEVEL_PTE;
}

TEST_F(cpu, fresh_mmap)
{
	CPU_TEST_START();
	alloc_mapped(_metadata, self, variant);
	put_words(self->p, 8, 1);
	put_words(self->p + 3 * MIB, 8, 2);
	expect_type(_metadata, self->mt, self->p, variant->type,
		    block_level(self), "first block");
	expect_type(_metadata, self->mt, self->p + 3 * MIB, variant->type,
		    block_level(self), "second block");
	EXPECT_EQ(0, bad_words(self->p, 8, 1));
	EXPECT_EQ(0, bad_words(self->p + 3 * MIB, 8, 2));
}

/* An mmap() whose virtual address is not congruent: PTEs at mmap() time */
TEST_F(cpu, pte_mapping)
{
	size_t pg = page_size();
	char *q;

	CPU_TEST_START();
	alloc_mapped(_metadata, self, variant);
	q = bp_map_at(self->fd, 2 * MIB, 0, 2 * MIB, pg);
	ASSERT_TRUE(q != NULL);
	put_words(q + MIB, 4, 3);
	expect_type(_metadata, self->mt, q + MIB, variant->type,
		    BPBUF_TEST_LEVEL_PTE, "skewed window");
	/* the same memory through the first mapping */
	EXPECT_EQ(0, bad_words(self->p + MIB, 4, 3));
	munmap(q, 2 * MIB);
}

TEST_F(cpu, ptes_after_munmap_split)
{
	size_t pg = page_size();

	CPU_TEST_START();
	alloc_mapped(_metadata, self, variant);
	put_words(self->p, 1, 4);
	ASSERT_EQ(0, munmap(self->p + MIB, pg));
	/* the rest of the block faults back as PTEs */
	put_words(self->p + MIB + pg, 4, 5);
	expect_type(_metadata, self->mt, self->p + MIB + pg, variant->type,
		    BPBUF_TEST_LEVEL_PTE, "after munmap of a page");
	EXPECT_EQ(0, bad_words(self->p, 1, 4));
	expect_type(_metadata, self->mt, self->p, variant->type,
		    BPBUF_TEST_LEVEL_PTE, "block start after the cut");
	/* put the page back so teardown's munmap covers a whole window */
	ASSERT_TRUE(mmap(self->p + MIB, pg, RW, MAP_SHARED | MAP_FIXED, self->fd,
			 MIB) == self->p + MIB);
	put_words(self->p + MIB, 1, 13);
	expect_type(_metadata, self->mt, self->p + MIB, variant->type, 0,
		    "a page mapped back on its own");
}

TEST_F(cpu, ptes_after_mprotect_split)
{
	size_t pg = page_size();

	CPU_TEST_START();
	alloc_mapped(_metadata, self, variant);
	put_words(self->p + MIB, 1, 6);
	ASSERT_EQ(0, mprotect(self->p + MIB, pg, PROT_READ));
	EXPECT_EQ(0, bad_words(self->p + MIB, 1, 6));
	expect_type(_metadata, self->mt, self->p + MIB, variant->type,
		    BPBUF_TEST_LEVEL_PTE, "read-only page");
	put_words(self->p + MIB + pg, 1, 7);
	expect_type(_metadata, self->mt, self->p + MIB + pg, variant->type,
		    BPBUF_TEST_LEVEL_PTE, "its writable neighbour");
}

TEST_F(cpu, mremap_keeps_the_mode)
{
	char *q;

	CPU_TEST_START();
	alloc_mapped(_metadata, self, variant);
	put_words(self->p + 2 * MIB, 4, 8);
	q = mremap(self->p, BUF_SIZE, BUF_SIZE, MREMAP_MAYMOVE);
	ASSERT_TRUE(q != MAP_FAILED);
	self->p = q;
	EXPECT_EQ(0, bad_words(q + 2 * MIB, 4, 8));
	expect_type(_metadata, self->mt, q + 2 * MIB, variant->type, 0,
		    "moved by mremap");
}

TEST_F(cpu, forked_child_keeps_the_mode)
{
	int status;
	pid_t pid;

	CPU_TEST_START();
	alloc_mapped(_metadata, self, variant);
	put_words(self->p, 4, 9);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct bpbuf_test_memtype m;

		/* touch first: a fork may leave the child's entries to fault */
		if (bad_words(self->p, 4, 9))
			_exit(2);
		if (memtype_user(self->mt, self->p, &m) || !m.level)
			_exit(3);
		_exit(m.type == variant->type ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child: 2 data, 3 no entry, 4 wrong memory type");
}

/*
 * The kernel's vmap() for an importer has the mode too, and sees what the
 * CPU wrote through a mapping that is not cached without a sync: there is
 * no cache between them. (Cached buffers sync first, as importers must.)
 */
TEST_F(cpu, importer_vmap_has_the_mode)
{
	struct bpbuf_test_memtype m = { .fd = -1 };

	CPU_TEST_START();
	alloc_mapped(_metadata, self, variant);
	put_words(self->p, 1, 0x1234567800ULL);
	if (variant->mode == BPBUF_CPU_CACHED)
		ASSERT_EQ(0, bp_sync(self->dev, self->fd,
				     BPBUF_SYNC_END | BPBUF_SYNC_WRITE, 0, BUF_SIZE));
	m.fd = self->fd;
	ASSERT_EQ(0, bp_ioctl(self->mt, BPBUF_TEST_IOC_VMAP_MEMTYPE, &m));
	ASSERT_NE(BPBUF_TEST_LEVEL_NONE, m.level);
	EXPECT_EQ(variant->type, m.type) TH_LOG("vmap at 0x%llx: level %u entry 0x%llx",
						(unsigned long long)m.addr, m.level,
						(unsigned long long)m.entry);
	EXPECT_EQ(0x1234567800ULL, m.first);
}

/*
 * Page maps are for cached buffers: the kernel code that takes their pages
 * (sockets, io_uring, AF_XDP) maps them cached its own way
 */
TEST_F(cpu, page_map)
{
	struct bpbuf_page_map pm = { 0 };
	struct bpbuf_heap_info hi;
	char *q;
	int ret;

	CPU_TEST_START();
	ASSERT_EQ(0, bp_heap_info(self->dev, &hi));
	if (!(hi.flags & BPBUF_HEAP_PAGE_MAP))
		SKIP(return, "the default heap's pages cannot be page-mapped");
	alloc_mapped(_metadata, self, variant);
	pm.fd = (uint32_t)self->fd;
	pm.flags = BPBUF_PAGE_MAP_CLOEXEC;
	ret = bp_ioctl(self->dev, BPBUF_IOCTL_PAGE_MAP, &pm);
	if (variant->mode != BPBUF_CPU_CACHED) {
		EXPECT_EQ(-EOPNOTSUPP, ret);
		return;
	}
	ASSERT_EQ(0, ret);
	q = mmap(NULL, 2 * MIB, RW, MAP_SHARED, (int)pm.map_fd, 0);
	ASSERT_TRUE(q != MAP_FAILED);
	put_words(q + MIB, 2, 10);
	expect_type(_metadata, self->mt, q + MIB, variant->type,
		    BPBUF_TEST_LEVEL_PTE, "page map");
	EXPECT_EQ(0, bad_words(self->p + MIB, 2, 10));
	munmap(q, 2 * MIB);
	close((int)pm.map_fd);
}

/* SYNC works on every mode: a barrier where nothing is cached */
TEST_F(cpu, sync_in_every_mode)
{
	CPU_TEST_START();
	alloc_mapped(_metadata, self, variant);
	EXPECT_EQ(0, bp_sync(self->dev, self->fd, BPBUF_SYNC_START | BPBUF_SYNC_RW, 0, BUF_SIZE));
	put_words(self->p, 512, 11);
	EXPECT_EQ(0, bp_sync(self->dev, self->fd, BPBUF_SYNC_END | BPBUF_SYNC_RW, 0, BUF_SIZE));
	EXPECT_EQ(0, bp_sync(self->dev, self->fd, BPBUF_SYNC_START | BPBUF_SYNC_READ,
			     4096, 4096));
	EXPECT_EQ(0, bad_words(self->p, 512, 11));
}

/* A new buffer is zeroed whatever mode the memory had before */
TEST_F(cpu, zeroed_across_modes)
{
	size_t j, n = BUF_SIZE / 8, nonzero;
	volatile uint64_t *w;
	uint32_t next;

	CPU_TEST_START();
	for (next = BPBUF_CPU_CACHED; next <= BPBUF_CPU_UNCACHED; next++) {
		if (!(self->modes & 1ULL << next))
			continue;
		alloc_mapped(_metadata, self, variant);
		put_words(self->p, n, 12);
		munmap(self->p, BUF_SIZE);
		self->p = MAP_FAILED;
		close(self->fd);
		/* the same memory, mostly: the heap hands out the lowest hole */
		ASSERT_EQ(0, bp_alloc(self->dev, BUF_SIZE, 0,
				      next << BPBUF_ALLOC_CPU_SHIFT, &self->fd));
		self->p = bp_map_at(self->fd, BUF_SIZE, 0, 2 * MIB, 0);
		ASSERT_TRUE(self->p != NULL);
		w = (volatile uint64_t *)self->p;
		for (nonzero = 0, j = 0; j < n; j++)
			nonzero += w[j] != 0;
		EXPECT_EQ(0, nonzero) TH_LOG("%s after %s: %zu words not zero",
					     mode_names[next], mode_names[variant->mode], nonzero);
		munmap(self->p, BUF_SIZE);
		self->p = MAP_FAILED;
		close(self->fd);
		self->fd = -1;
	}
}

/* A mode the kernel cannot give is refused, never mapped cached instead */
TEST(unsupported_modes_refused)
{
	struct bpbuf_heap_info hi;
	int dev = bp_open(), fd = -1, refused = 0;
	uint64_t modes;
	uint32_t mode;

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, bp_cap(dev, BPBUF_CAP_CPU_MODES, &modes));
	ASSERT_EQ(0, bp_heap_info(dev, &hi));
	for (mode = BPBUF_CPU_CACHED; mode <= BPBUF_CPU_UNCACHED; mode++) {
		if (modes & 1ULL << mode)
			continue;
		EXPECT_EQ(-EOPNOTSUPP, bp_alloc(dev, page_size(), 0,
						mode << BPBUF_ALLOC_CPU_SHIFT, &fd))
			TH_LOG("%s", mode_names[mode]);
		if (fd >= 0)
			close(fd);
		fd = -1;
		EXPECT_FALSE(hi.cpu_modes & 1U << mode);
		refused++;
	}
	close(dev);
	if (!refused)
		SKIP(return, "this kernel has every mode");
}

/* The heap's own mode, what an allocation naming none gets */
TEST(default_heap_mode)
{
	struct bpbuf_heap_info hi;
	uint64_t modes;
	int dev = bp_open();

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, bp_cap(dev, BPBUF_CAP_CPU_MODES, &modes));
	ASSERT_EQ(0, bp_heap_info(dev, &hi));
	/* the rig loads bpbuf with no heap_cpu_mode= */
	EXPECT_EQ(BPBUF_CPU_CACHED, hi.cpu_mode);
	EXPECT_EQ(modes, hi.cpu_modes);
	close(dev);
}

/* Bits next to the mode's are still unknown flags */
TEST(unknown_alloc_flags)
{
	int dev = bp_open(), fd = -1;

	ASSERT_LE(0, dev);
	EXPECT_EQ(-EINVAL, bp_alloc(dev, page_size(), 0, 1U << 3, &fd));
	EXPECT_EQ(-EINVAL, bp_alloc(dev, page_size(), 0, 1U << 6, &fd));
	if (fd >= 0)
		close(fd);
	close(dev);
}

TEST_HARNESS_MAIN
