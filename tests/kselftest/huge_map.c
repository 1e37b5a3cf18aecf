// SPDX-License-Identifier: GPL-2.0-only
/*
 * Large page-table entries for bpbuf mappings (driver/mmap.c): where the
 * kernel maps PFNs with PMD entries (BPBUF_CAP_MAP_SIZES says so, and the
 * rig's rig.huge_pfnmap=1 says it must), a part of a mapping whose virtual
 * and physical addresses are both PMD-aligned takes one PMD entry and one
 * fault; everything else is mapped with PTEs at mmap() time. Counted with
 * bpbuf's debugfs figures (mapped_pte, mapped_pmd, mapped_pud) and the
 * process's minor faults (every word the tests mark is checked through a
 * second mapping that can only use PTEs, so a large entry pointing at the
 * wrong memory fails); then the bounds of the fault path (a window cut
 * before its first touch, at either end), a block whose large entry the
 * kernel declines (one fault for all of it), and what cuts through a large
 * entry: munmap, mprotect, mremap, fork; PUD entries where enabled.
 *
 * On kernels without huge PFN mappings the same tests check that the PTE
 * path stays right, and that no large entry is counted.
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "bpbuf_test.h"
#include "kselftest_harness.h"

#define RW (PROT_READ | PROT_WRITE)

/* debugfs bpbuf/heap: the page-table entries bpbuf's mappings inserted */
struct entries {
	long long pte, pmd, pud;
};

static int read_entries(struct entries *e)
{
	char *text = read_text(BPBUF_DEBUGFS "/heap"), *line;
	int got = 0;

	if (!text)
		return -1;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		got += sscanf(line, "mapped_pte: %lld", &e->pte) +
		       sscanf(line, "mapped_pmd: %lld", &e->pmd) +
		       sscanf(line, "mapped_pud: %lld", &e->pud);
	free(text);
	return got == 3 ? 0 : -1;
}

static long minor_faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_minflt;
}

/* 1 if the rig's kernel command line has word */
static int cmdline_has(const char *word)
{
	return bp_file_has_word("/proc/cmdline", word);
}

/* 1 if /proc/cpuinfo lists flag among the CPU's flags */
static int cpu_has_flag(const char *flag)
{
	return bp_file_has_word("/proc/cpuinfo", flag);
}

#define map_at bp_map_at

/* Page i of the buffer holds seed + i in its first and last word */
static void mark(char *p, size_t pg, size_t first, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t v = seed + (uint32_t)(first + i);

		*(volatile uint32_t *)(p + i * pg) = v;
		*(volatile uint32_t *)(p + (i + 1) * pg - 4) = ~v;
	}
}

/* Pages that do not hold their mark; first of them in *bad */
static size_t unmarked(const char *p, size_t pg, size_t first, size_t n,
		       uint32_t seed, size_t *bad)
{
	size_t i, wrong = 0;

	for (i = 0; i < n; i++) {
		uint32_t v = seed + (uint32_t)(first + i);

		if (*(const volatile uint32_t *)(p + i * pg) != v ||
		    *(const volatile uint32_t *)(p + (i + 1) * pg - 4) != (uint32_t)~v) {
			if (!wrong++)
				*bad = first + i;
		}
	}
	return wrong;
}

static sigjmp_buf probe_env;
static volatile sig_atomic_t probe_sig;

static void probe_fault(int sig)
{
	probe_sig = sig;
	siglongjmp(probe_env, 1);
}

/*
 * Read addr (and write back what is there, if write): 0 when that worked,
 * else the signal it took. In this process, not a forked child: a child
 * gets page-table entries only for the parent's VMAs, so it could not see
 * one left mapped past a VMA's end.
 */
static int probe(volatile char *addr, int write)
{
	struct sigaction sa = { .sa_handler = probe_fault }, old_segv, old_bus;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	probe_sig = 0;
	if (sigsetjmp(probe_env, 1) == 0) {
		char c = *addr;

		if (write)
			*addr = c;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return probe_sig;
}

FIXTURE(huge) {
	int dev;
	size_t pg;
	size_t pmd;	/* the PMD size, whether or not it is used */
	int huge;	/* BPBUF_CAP_MAP_SIZES has the PMD size */
	int fd;		/* a buffer of one PMD and 4 pages, PMD-aligned */
	size_t size;
	size_t npages;
	int skipped;
};

FIXTURE_SETUP(huge)
{
	uint64_t sizes;
	int ret;

	self->fd = -1;
	self->pg = page_size();
	/* a page table holds page / 8 entries: 2 MiB with 4 KiB pages */
	self->pmd = self->pg * (self->pg / 8);
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_MAP_SIZES, &sizes));
	ASSERT_TRUE(sizes & self->pg) TH_LOG("map sizes 0x%llx", (unsigned long long)sizes);
	self->huge = !!(sizes & self->pmd);
	if (cmdline_has("rig.huge_pfnmap=1"))
		ASSERT_TRUE(self->huge)
			TH_LOG("this kernel maps PFNs with PMDs, bpbuf does not (map sizes 0x%llx)",
			       (unsigned long long)sizes);
	if (geteuid() || access(BPBUF_DEBUGFS "/heap", R_OK)) {
		self->skipped = 1;
		SKIP(return, "needs root and %s/heap", BPBUF_DEBUGFS);
	}
	self->size = self->pmd + 4 * self->pg;
	self->npages = self->size / self->pg;
	ret = bp_alloc(self->dev, self->size, self->pmd, 0, &self->fd);
	if (ret == -ENOMEM && self->size * 2 > bp_param("heap_size")) {
		/* 64 KiB pages: a 512 MiB PMD, larger than the rig's heap */
		self->skipped = 1;
		SKIP(return, "a %zu MiB PMD does not fit twice in the heap", self->pmd >> 20);
	}
	ASSERT_EQ(0, ret) TH_LOG("a %zu-byte buffer at %zu-byte alignment: %s",
				 self->size, self->pmd, strerror(-ret));
}

FIXTURE_TEARDOWN(huge)
{
	if (self->fd >= 0)
		close(self->fd);
	close(self->dev);
}

#define HUGE_TEST_START() do { if (self->skipped) return; } while (0)

/*
 * Pages [first, first + n) hold their marks, seen through a mapping one
 * page past a PMD-aligned address: with the buffer PMD-aligned, nothing in
 * it is congruent, so it has PTEs only.
 */
static void expect_marked_range(struct __test_metadata *_metadata,
				FIXTURE_DATA(huge) *self, size_t first, size_t n,
				uint32_t seed, size_t *bad)
{
	char *check = map_at(self->fd, self->size, 0, self->pmd, self->pg);
	size_t wrong;

	ASSERT_TRUE(check != NULL);
	wrong = unmarked(check + first * self->pg, self->pg, first, n, seed, bad);
	EXPECT_EQ(0, wrong) TH_LOG("%zu pages wrong, first page %zu", wrong, *bad);
	munmap(check, self->size);
}

/*
 * Touch every page of [p, p + len) (page first of the buffer), then check
 * the entries and faults that took against what is expected, and every
 * page's mark through a mapping of the whole buffer that uses PTEs only.
 */
static void touch_and_count(struct __test_metadata *_metadata,
			    FIXTURE_DATA(huge) *self, char *p, size_t len,
			    size_t first, const struct entries *before,
			    long long want_pmd, long long want_pte)
{
	struct entries after;
	long faults = minor_faults();
	size_t npages = len / self->pg, bad = 0;

	mark(p, self->pg, first, npages, 0x5a000000);
	faults = minor_faults() - faults;
	ASSERT_EQ(0, read_entries(&after));
	EXPECT_EQ(want_pmd, after.pmd - before->pmd);
	EXPECT_EQ(want_pte, after.pte - before->pte);
	EXPECT_EQ(0, after.pud - before->pud);
	/*
	 * A PMD entry is one fault; PTEs were all there at mmap(). The slack
	 * is for the process's own pages (the stack, the harness), never
	 * near the one fault per page of a mapping without large entries.
	 */
	EXPECT_LE(want_pmd, faults);
	EXPECT_GE(want_pmd + 2, faults) TH_LOG("%ld faults for %zu pages", faults, npages);

	expect_marked_range(_metadata, self, first, npages, 0x5a000000, &bad);
}

/*
 * Touch pages [first, first + n) of the buffer at p, a block whose PMD
 * entry the kernel does not take: one fault maps them all with PTEs, on
 * top of the at_mmap PTEs mmap() made.
 */
static void expect_block_of_ptes(struct __test_metadata *_metadata,
				 FIXTURE_DATA(huge) *self, char *p, size_t first,
				 size_t n, const struct entries *before, long long at_mmap)
{
	struct entries after;
	long faults = minor_faults();
	size_t bad = 0;

	/* a page in the middle first: the fault maps both ways from it */
	mark(p + n / 2 * self->pg, self->pg, first + n / 2, 1, 0x5a000000);
	mark(p, self->pg, first, n, 0x5a000000);
	faults = minor_faults() - faults;
	ASSERT_EQ(0, read_entries(&after));
	EXPECT_EQ(0, after.pmd - before->pmd);
	EXPECT_EQ(at_mmap + (long long)n, after.pte - before->pte);
	EXPECT_LE(1, faults);
	EXPECT_GE(3, faults) TH_LOG("%ld faults for %zu pages", faults, n);
	expect_marked_range(_metadata, self, first, n, 0x5a000000, &bad);
}

TEST_F(huge, map_sizes_cap)
{
	uint64_t sizes;

	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_MAP_SIZES, &sizes));
	/* only page, PMD and PUD sizes; never one smaller than a page */
	EXPECT_EQ(0, sizes & (self->pg - 1));
	EXPECT_EQ(0, sizes & ~(uint64_t)(self->pg | self->pmd | (self->pmd * (self->pg / 8))));
	TH_LOG("map sizes 0x%llx: PMD entries %s", (unsigned long long)sizes,
	       self->huge ? "used" : "not available on this kernel");
}

TEST_F(huge, aligned_block_takes_one_pmd)
{
	struct entries before;
	char *p;

	HUGE_TEST_START();
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(self->fd, self->size, 0, self->pmd, 0);
	ASSERT_TRUE(p != NULL);
	/* the PMD block on first touch; the 4 pages after it at mmap() */
	if (self->huge)
		touch_and_count(_metadata, self, p, self->size, 0, &before, 1, 4);
	else
		touch_and_count(_metadata, self, p, self->size, 0, &before, 0,
				self->npages);
	munmap(p, self->size);
}

TEST_F(huge, misaligned_address_takes_ptes)
{
	struct entries before;
	char *p;

	HUGE_TEST_START();
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(self->fd, self->size, 0, self->pmd, self->pg);
	ASSERT_TRUE(p != NULL);
	touch_and_count(_metadata, self, p, self->size, 0, &before, 0, self->npages);
	munmap(p, self->size);
}

/*
 * A window one page short of the block: no PMD fits in it, so mmap() maps
 * all of it with PTEs (the fault path's bounds: shrunk_window_* below)
 */
TEST_F(huge, window_short_of_block_mapped_at_mmap)
{
	size_t len = self->pmd - self->pg;
	struct entries before;
	char *p;

	HUGE_TEST_START();
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(self->fd, len, 0, self->pmd, 0);
	ASSERT_TRUE(p != NULL);
	touch_and_count(_metadata, self, p, len, 0, &before, 0, len / self->pg);
	EXPECT_EQ(SIGSEGV, probe(p + len, 0));
	munmap(p, len);
}

/*
 * The bounds every fault path needs: a window shrunk before its first touch
 * so that it ends a page short of the block. The block's PMD is still
 * empty, so the kernel asks for a PMD entry first; it would map a page
 * past the window's end, so the fault must fall back to pages.
 */
TEST_F(huge, shrunk_window_falls_back_to_ptes)
{
	size_t len = self->pmd - self->pg;
	struct entries before;
	char *p, *q;

	HUGE_TEST_START();
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(self->fd, self->size, 0, self->pmd, 0);
	ASSERT_TRUE(p != NULL);
	q = mremap(p, self->size, len, 0);
	ASSERT_TRUE(q == p) TH_LOG("mremap: %s", strerror(errno));
	/* with large entries: 4 PTEs at mmap(), the rest in one fault */
	if (self->huge)
		expect_block_of_ptes(_metadata, self, p, 0, len / self->pg, &before, 4);
	else
		touch_and_count(_metadata, self, p, len, 0, &before, 0, self->npages);
	EXPECT_EQ(SIGSEGV, probe(p + len, 0));
	munmap(p, len);
}

/*
 * The other bound: the window's first page unmapped before the first
 * touch, so that the block starts before the window. PTEs, one fault.
 */
TEST_F(huge, window_start_cut_before_touch)
{
	size_t n = self->pmd / self->pg - 1;
	struct entries before;
	char *p;

	HUGE_TEST_START();
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(self->fd, self->size, 0, self->pmd, 0);
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(0, munmap(p, self->pg));
	if (self->huge)
		expect_block_of_ptes(_metadata, self, p + self->pg, 1, n, &before, 4);
	else
		touch_and_count(_metadata, self, p + self->pg, n * self->pg, 1, &before,
				0, self->npages);
	EXPECT_EQ(SIGSEGV, probe(p, 0));
	munmap(p + self->pg, self->size - self->pg);
}

/*
 * A process that asked for no large entries (PR_SET_THP_DISABLE; the
 * harness runs each test in a process of its own): the kernel declines the
 * PMD, and the block is PTEs, mapped in one fault, not 512. (Not
 * MADV_NOHUGEPAGE: the rig's tinyconfig kernels have no madvise().)
 */
TEST_F(huge, thp_disabled_block_faults_once)
{
	struct entries before;
	char *p;

	HUGE_TEST_START();
	ASSERT_EQ(0, prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(self->fd, self->size, 0, self->pmd, 0);
	ASSERT_TRUE(p != NULL);
	if (self->huge)
		expect_block_of_ptes(_metadata, self, p, 0, self->pmd / self->pg, &before, 4);
	else
		touch_and_count(_metadata, self, p, self->size, 0, &before, 0, self->npages);
	munmap(p, self->size);
}

/*
 * A window of the buffer's last pages, PMD-aligned at both ends but too
 * short for a PMD: mapped at mmap(); the last byte maps, one past does not
 */
/*
 * THP disabled except where advised (7.2's PR_THP_DISABLE_EXCEPT_ADVISED):
 * bpbuf advises for its mappings (VM_HUGEPAGE), so the block is one PMD.
 * Kernels without that mode refuse the flag: SKIP.
 */
TEST_F(huge, thp_disabled_except_advised_keeps_pmd)
{
	struct entries before;
	char *p;

	HUGE_TEST_START();
	if (prctl(PR_SET_THP_DISABLE, 1, 1UL << 1 /* EXCEPT_ADVISED */, 0, 0)) {
		ASSERT_EQ(EINVAL, errno);
		SKIP(return, "this kernel has no PR_THP_DISABLE_EXCEPT_ADVISED");
	}
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(self->fd, self->size, 0, self->pmd, 0);
	ASSERT_TRUE(p != NULL);
	if (self->huge)
		touch_and_count(_metadata, self, p, self->size, 0, &before, 1, 4);
	else
		touch_and_count(_metadata, self, p, self->size, 0, &before, 0, self->npages);
	munmap(p, self->size);
}

TEST_F(huge, window_at_buffer_end_mapped_at_mmap)
{
	size_t off = self->size - 4 * self->pg, len = 4 * self->pg;
	struct entries before;
	char *p;

	HUGE_TEST_START();
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(self->fd, len, off, self->pmd, 0);
	ASSERT_TRUE(p != NULL);
	touch_and_count(_metadata, self, p, len, off / self->pg, &before, 0, 4);
	EXPECT_EQ(0, probe(p + len - 1, 1));
	EXPECT_EQ(SIGSEGV, probe(p + len, 0));
	munmap(p, len);
	/* and no window reaches past the end, at any address */
	EXPECT_TRUE(mmap(NULL, len + self->pg, RW, MAP_SHARED, self->fd, off) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
}

/* Map aligned and touch all of it: a PMD entry where the kernel has them */
static char *map_touched(struct __test_metadata *_metadata,
			 FIXTURE_DATA(huge) *self)
{
	struct entries before, after;
	char *p;

	if (read_entries(&before))
		return NULL;
	p = map_at(self->fd, self->size, 0, self->pmd, 0);
	if (!p)
		return NULL;
	mark(p, self->pg, 0, self->npages, 0x5a000000);
	if (read_entries(&after))
		return NULL;
	EXPECT_EQ(self->huge ? 1 : 0, after.pmd - before.pmd);
	return p;
}

/* Every page of the buffer holds its mark */
static void expect_all_marked(struct __test_metadata *_metadata,
			      FIXTURE_DATA(huge) *self, uint32_t seed)
{
	size_t bad = 0;

	expect_marked_range(_metadata, self, 0, self->npages, seed, &bad);
}

TEST_F(huge, munmap_inside_block)
{
	size_t hole = self->pmd / 2, bad = 0;
	char *p;

	HUGE_TEST_START();
	p = map_touched(_metadata, self);
	ASSERT_TRUE(p != NULL);
	/* one page out of the middle: the kernel splits the PMD entry */
	ASSERT_EQ(0, munmap(p + hole, self->pg));
	EXPECT_EQ(SIGSEGV, probe(p + hole, 0));
	/* what is left still reads and writes the right pages */
	EXPECT_EQ(0, unmarked(p, self->pg, 0, hole / self->pg, 0x5a000000, &bad));
	EXPECT_EQ(0, unmarked(p + hole + self->pg, self->pg, hole / self->pg + 1,
			      self->npages - hole / self->pg - 1, 0x5a000000, &bad))
		TH_LOG("page %zu", bad);
	mark(p, self->pg, 0, hole / self->pg, 0x11000000);
	ASSERT_EQ(0, munmap(p, hole));
	ASSERT_EQ(0, munmap(p + hole + self->pg, self->size - hole - self->pg));
	expect_marked_range(_metadata, self, 0, hole / self->pg, 0x11000000, &bad);
}

TEST_F(huge, munmap_first_half_of_block)
{
	size_t half = self->pmd / 2, bad = 0;
	char *p;

	HUGE_TEST_START();
	p = map_touched(_metadata, self);
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(0, munmap(p, half));
	EXPECT_EQ(SIGSEGV, probe(p, 0));
	EXPECT_EQ(0, unmarked(p + half, self->pg, half / self->pg,
			      self->npages - half / self->pg, 0x5a000000, &bad))
		TH_LOG("page %zu", bad);
	munmap(p + half, self->size - half);
}

TEST_F(huge, mprotect_one_page_of_block)
{
	size_t at = 3 * self->pg, bad = 0;
	char *p;

	HUGE_TEST_START();
	p = map_touched(_metadata, self);
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(0, mprotect(p + at, self->pg, PROT_READ));
	EXPECT_EQ(SIGSEGV, probe(p + at, 1));
	EXPECT_EQ(0, probe(p + at, 0));
	EXPECT_EQ(0, probe(p + at + self->pg, 1));
	EXPECT_EQ(0, unmarked(p, self->pg, 0, self->npages, 0x5a000000, &bad))
		TH_LOG("page %zu", bad);
	/* writable again, and writes land in the buffer */
	ASSERT_EQ(0, mprotect(p + at, self->pg, RW));
	mark(p, self->pg, 0, self->npages, 0x22000000);
	expect_all_marked(_metadata, self, 0x22000000);
	munmap(p, self->size);
}

TEST_F(huge, mprotect_whole_block_read_only)
{
	size_t bad = 0;
	char *p;

	HUGE_TEST_START();
	p = map_touched(_metadata, self);
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(0, mprotect(p, self->pmd, PROT_READ));
	EXPECT_EQ(SIGSEGV, probe(p + self->pmd / 2, 1));
	EXPECT_EQ(0, probe(p + self->pmd, 1));
	EXPECT_EQ(0, unmarked(p, self->pg, 0, self->npages, 0x5a000000, &bad));
	munmap(p, self->size);
}

/* mremap to an aligned address (the entry can move) and a misaligned one */
TEST_F(huge, mremap_moves_block)
{
	size_t skews[] = { 0, 0 }, bad = 0;
	unsigned int i;
	char *p;

	HUGE_TEST_START();
	skews[1] = self->pg;
	p = map_touched(_metadata, self);
	ASSERT_TRUE(p != NULL);
	for (i = 0; i < 2; i++) {
		char *target = map_at(self->fd, self->size, 0, self->pmd, skews[i]);
		char *q;

		ASSERT_TRUE(target != NULL);
		q = mremap(p, self->size, self->size, MREMAP_MAYMOVE | MREMAP_FIXED,
			   target);
		ASSERT_TRUE(q == target) TH_LOG("mremap: %s", strerror(errno));
		EXPECT_EQ(SIGSEGV, probe(p, 0));
		p = q;
		EXPECT_EQ(0, unmarked(p, self->pg, 0, self->npages, 0x5a000000, &bad))
			TH_LOG("after a move to skew %zu: page %zu", skews[i], bad);
	}
	mark(p, self->pg, 0, self->npages, 0x33000000);
	expect_all_marked(_metadata, self, 0x33000000);
	/* growing is refused, as for any bpbuf mapping */
	EXPECT_TRUE(mremap(p, self->size, self->size + self->pg, MREMAP_MAYMOVE) ==
		    MAP_FAILED);
	munmap(p, self->size);
}

/*
 * A forked child checks the n pages at p for seed's marks through its own
 * page tables and marks them with new_seed: 0 when it did, else -1
 */
static int child_checks_and_marks(char *p, size_t pg, size_t n, uint32_t seed,
				  uint32_t new_seed)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		size_t b;

		if (unmarked(p, pg, 0, n, seed, &b))
			_exit(1);
		mark(p, pg, 0, n, new_seed);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* A forked child sees the block through its own page tables and writes it */
TEST_F(huge, fork_shares_block)
{
	size_t bad = 0;
	char *p;

	HUGE_TEST_START();
	p = map_touched(_metadata, self);
	ASSERT_TRUE(p != NULL);
	EXPECT_EQ(0, child_checks_and_marks(p, self->pg, self->npages, 0x5a000000,
					    0x44000000)) TH_LOG("the child saw other bytes");
	EXPECT_EQ(0, unmarked(p, self->pg, 0, self->npages, 0x44000000, &bad))
		TH_LOG("page %zu", bad);
	munmap(p, self->size);
}

/*
 * A window from the second page of a buffer of three PMDs, ending a page
 * before its end, at an address congruent with it: PTEs for the head and
 * the tail, one PMD for the block in the middle.
 */
TEST_F(huge, head_block_tail_window)
{
	size_t size = 3 * self->pmd, len = size - 2 * self->pg;
	size_t edge = self->pmd / self->pg - 1;
	size_t saved_size = self->size;
	int fd, ret, saved_fd = self->fd;
	struct entries before;
	char *p;

	HUGE_TEST_START();
	ret = bp_alloc(self->dev, size, self->pmd, 0, &fd);
	if (ret == -ENOMEM)
		SKIP(return, "the heap has no %zu PMD-aligned bytes free", size);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(fd, len, self->pg, self->pmd, self->pg);
	ASSERT_TRUE(p != NULL);
	/* touch_and_count() checks through self->fd: this buffer's, for now */
	self->fd = fd;
	self->size = size;
	if (self->huge)
		touch_and_count(_metadata, self, p, len, 1, &before, 1, 2 * edge);
	else
		touch_and_count(_metadata, self, p, len, 1, &before, 0, len / self->pg);
	self->fd = saved_fd;
	self->size = saved_size;
	munmap(p, len);
	close(fd);
}

/*
 * PUD (1 GiB) entries, where the CPU and kernel have them, bpbuf was
 * loaded with pud_mappings=1 and the heap has a free, aligned GiB (not the
 * rig's 64 MiB heap; the benchmark's scale VM runs this with a 2 GiB one).
 * One fault, no page table; mprotect of a page in it and fork work. Not
 * mremap: the kernel's own mremap() drops a leaf PUD on x86 (the reason
 * pud_mappings is off by default).
 */
TEST_F(huge, pud_block)
{
	size_t pud = self->pmd * (self->pg / 8), bad = 0;
	struct entries before, after;
	uint64_t sizes;
	int fd, ret;
	long faults;
	char *p;

	HUGE_TEST_START();
	if (sizeof(void *) < 8)
		SKIP(return, "a 32-bit process has no room for 3 GiB of address space");
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_MAP_SIZES, &sizes));
	if (bp_param("pud_mappings") != 1) {
		EXPECT_EQ(0, sizes & pud) TH_LOG("PUD entries without pud_mappings=1");
		SKIP(return, "bpbuf was loaded without pud_mappings=1");
	}
	if (!(sizes & pud)) {
		/* a kernel with PUD PFN maps (the rig says) on a CPU with 1 GiB pages */
		if (cmdline_has("rig.pud_pfnmap=1") && cpu_has_flag("pdpe1gb"))
			ASSERT_TRUE(sizes & pud)
				TH_LOG("pud_mappings=1, PUD PFN maps, 1 GiB pages: no PUD size");
		SKIP(return, "no PUD entries for bpbuf on this kernel or CPU");
	}
	ret = bp_alloc(self->dev, pud, pud, 0, &fd);
	if (ret == -ENOMEM)
		SKIP(return, "the heap has no free, aligned %zu MiB", pud >> 20);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, read_entries(&before));
	p = map_at(fd, pud, 0, pud, 0);
	ASSERT_TRUE(p != NULL);
	faults = minor_faults();
	mark(p, self->pg, 0, pud / self->pg, 0x66000000);
	faults = minor_faults() - faults;
	ASSERT_EQ(0, read_entries(&after));
	EXPECT_EQ(1, after.pud - before.pud);
	EXPECT_EQ(0, after.pmd - before.pmd);
	EXPECT_EQ(0, after.pte - before.pte);
	EXPECT_LE(1, faults);
	EXPECT_GE(3, faults);

	/* a forked child sees it, and its writes land */
	EXPECT_EQ(0, child_checks_and_marks(p, self->pg, pud / self->pg, 0x66000000,
					    0x77000000)) TH_LOG("the child saw other bytes");
	EXPECT_EQ(0, unmarked(p, self->pg, 0, pud / self->pg, 0x77000000, &bad))
		TH_LOG("page %zu", bad);

	/* one page read-only: split; the rest writable and right */
	ASSERT_EQ(0, mprotect(p + pud / 4, self->pg, PROT_READ));
	EXPECT_EQ(SIGSEGV, probe(p + pud / 4, 1));
	EXPECT_EQ(0, probe(p + pud / 4 + self->pg, 1));
	EXPECT_EQ(0, unmarked(p, self->pg, 0, pud / self->pg, 0x77000000, &bad))
		TH_LOG("page %zu", bad);

	/* a page out of it: the rest still right, the hole gone */
	ASSERT_EQ(0, munmap(p + pud / 2, self->pg));
	EXPECT_EQ(SIGSEGV, probe(p + pud / 2, 0));
	EXPECT_EQ(0, unmarked(p, self->pg, 0, pud / 2 / self->pg, 0x77000000, &bad))
		TH_LOG("page %zu", bad);
	munmap(p, pud / 2);
	munmap(p + pud / 2 + self->pg, pud / 2 - self->pg);
	close(fd);
}

TEST_HARNESS_MAIN
