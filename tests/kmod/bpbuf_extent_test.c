// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of bpbuf's extent allocator (driver/extent.c), built into a
 * test module of their own from the driver's very source file, and run by
 * the VM rig on every kernel it builds with KUnit (tests/vm/run-tests.sh
 * --kunit).
 *
 * The edge cases pin down placement, merging and the zeroer's states; the
 * model test runs a long random sequence of operations against a trivial
 * reference (one byte per page) and checks after every one that the
 * extents are exactly the reference's runs, that the figures agree, and that
 * each placement obeys the policy extent.c promises.
 */
#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>

/* The allocator itself, the same file bpbuf.ko is built from */
#include "extent.c"

/*
 * Operations in the model test (its log line says how many of each ran):
 * the rig's line depth loads the module with model_steps=20000.
 */
static unsigned int model_steps = 100000;
module_param(model_steps, uint, 0444);
MODULE_PARM_DESC(model_steps, "operations in the model test (default 100000)");

/*
 * KUnit runs a module's suites as the module comes (6.1), before its
 * parameters are parsed: read model_steps= from its argument string.
 */
static unsigned int model_steps_asked(void)
{
	const char *arg = THIS_MODULE->args;
	unsigned int steps;

	arg = arg ? strstr(arg, "model_steps=") : NULL;
	if (arg && sscanf(arg, "model_steps=%u", &steps) == 1)
		return steps;
	return model_steps;
}
#define MODEL_PAGES		384
#define MODEL_BASE_PFN		5	/* odd: page index and pfn differ */
#define MODEL_MAX_LIVE		96
#define MODEL_SEED		0x62706275ULL

struct test_buffer {
	unsigned long start;
	unsigned long npages;
	unsigned long zero_start;
	unsigned long zero_npages;
	struct bpbuf_extent *spare;
};

/* Per case: the extents under test and whatever nodes it still holds */
struct extent_test {
	struct bpbuf_extents ex;
	bool ready;
	struct test_buffer *live;
	unsigned int nr_live;
	struct bpbuf_extent *zeroing;
};

static int extent_test_init(struct kunit *test)
{
	struct extent_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	t->live = kunit_kcalloc(test, MODEL_MAX_LIVE, sizeof(*t->live),
				GFP_KERNEL);
	if (!t->live)
		return -ENOMEM;
	test->priv = t;
	return 0;
}

/* Runs even when a case stopped at a failed assertion: nothing leaks */
static void extent_test_exit(struct kunit *test)
{
	struct extent_test *t = test->priv;
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < t->nr_live; i++)
		kfree(t->live[i].spare);
	if (t->ready)
		bpbuf_extents_destroy(&t->ex);
}

static struct bpbuf_extents *heap_make(struct kunit *test,
				       unsigned long base_pfn,
				       unsigned long npages)
{
	struct extent_test *t = test->priv;
	struct bpbuf_extent *all = kmalloc(sizeof(*all), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, all);
	bpbuf_extents_init(&t->ex, base_pfn, npages, all);
	t->ready = true;
	return &t->ex;
}

/* find + take, as bpbuf_heap_alloc() does; false when there is no room */
static bool place(struct kunit *test, unsigned long npages,
		  unsigned long align, struct test_buffer *b)
{
	struct extent_test *t = test->priv;
	struct bpbuf_extent *tail;

	if (!bpbuf_extents_find(&t->ex, npages, align, &b->start))
		return false;
	tail = kmalloc(sizeof(*tail), GFP_KERNEL);
	b->spare = kmalloc(sizeof(*b->spare), GFP_KERNEL);
	if (!tail || !b->spare) {
		kfree(tail);
		kfree(b->spare);
		b->spare = NULL;
		KUNIT_FAIL(test, "out of memory for the nodes");
		return false;
	}
	b->npages = npages;
	bpbuf_extents_take(&t->ex, b->start, npages, &tail, &b->zero_start,
			   &b->zero_npages);
	kfree(tail);
	return true;
}

/* A buffer placed where the case expects it, kept in t->live */
static struct test_buffer *place_at(struct kunit *test, unsigned long npages,
				    unsigned long align, unsigned long start)
{
	struct extent_test *t = test->priv;
	struct test_buffer *b;

	KUNIT_ASSERT_LT(test, t->nr_live, MODEL_MAX_LIVE);
	b = &t->live[t->nr_live];
	KUNIT_ASSERT_TRUE(test, place(test, npages, align, b));
	t->nr_live++;
	KUNIT_EXPECT_EQ(test, b->start, start);
	return b;
}

/* count buffers of n pages, placed one after the other from page 0 */
static struct test_buffer *fill(struct kunit *test, unsigned long n,
				unsigned int count)
{
	struct extent_test *t = test->priv;
	struct test_buffer *first = &t->live[t->nr_live];
	unsigned int i;

	for (i = 0; i < count; i++)
		place_at(test, n, 1, i * n);
	return first;
}

static void give(struct kunit *test, struct test_buffer *b, bool clean)
{
	struct extent_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, 0, bpbuf_extents_give(&t->ex, b->start,
						    b->npages, clean,
						    b->spare));
	b->spare = NULL;
}

/* No room for npages at align; room found anyway is given back at once */
static void expect_no_room(struct kunit *test, unsigned long npages,
			   unsigned long align)
{
	struct test_buffer b = { .spare = NULL };

	if (!place(test, npages, align, &b))
		return;
	KUNIT_FAIL(test, "%lu pages at alignment %lu placed at %lu, with no room",
		   npages, align, b.start);
	give(test, &b, true);
}

/* The zeroer's first step, with a node for a piece as it has one */
static struct bpbuf_extent *zero_begin(struct kunit *test,
				       struct bpbuf_extents *ex,
				       unsigned long max_pages)
{
	struct bpbuf_extent *piece = kmalloc(sizeof(*piece), GFP_KERNEL);
	struct bpbuf_extent *z;

	KUNIT_ASSERT_NOT_NULL(test, piece);
	z = bpbuf_extents_zero_begin(ex, max_pages, &piece);
	kfree(piece);
	return z;
}

/* The zeroer's last step; a node it hands back where none was due fails */
static void zero_end(struct kunit *test, struct bpbuf_extents *ex,
		     struct bpbuf_extent *z, bool node_back)
{
	struct bpbuf_extent *unused = bpbuf_extents_zero_end(ex, z);

	KUNIT_EXPECT_EQ(test, node_back, unused != NULL);
	kfree(unused);
}

static unsigned long own_max(const struct bpbuf_extent *e, bool clean)
{
	if (clean)
		return e->state == EXTENT_CLEAN ? e->len : 0;
	return e->state != EXTENT_ZEROING ? e->len : 0;
}

/* Where the books first disagree, or "" */
struct verdict {
	char why[160];
};

#define disagree(v, fmt, ...)						\
	do {								\
		if (!(v)->why[0])					\
			snprintf((v)->why, sizeof((v)->why), fmt,	\
				 ##__VA_ARGS__);			\
	} while (0)

/* The augmented maxima of the subtree at node are right; returns them */
static struct bpbuf_extent_max check_subtree(struct verdict *v,
					     struct rb_node *node)
{
	struct bpbuf_extent_max m = { 0, 0 }, c;
	struct bpbuf_extent *e;

	if (!node)
		return m;
	e = extent_of(node);
	m.clean = own_max(e, true);
	m.avail = own_max(e, false);
	c = check_subtree(v, node->rb_left);
	m.clean = max(m.clean, c.clean);
	m.avail = max(m.avail, c.avail);
	c = check_subtree(v, node->rb_right);
	m.clean = max(m.clean, c.clean);
	m.avail = max(m.avail, c.avail);
	if (e->max.clean != m.clean || e->max.avail != m.avail)
		disagree(v, "extent at %lu+%lu (state %d): maxima %lu/%lu, subtree has %lu/%lu",
			 e->start, e->len, e->state, e->max.clean,
			 e->max.avail, m.clean, m.avail);
	return m;
}

/*
 * What holds whatever happened: extents in order, apart, nonempty, in the
 * heap; no two adjacent in one state (they would have been merged); the
 * counts and the dirty list agree with the tree; the maxima are right.
 */
static void check_books(struct verdict *v, struct bpbuf_extents *ex)
{
	unsigned long end = 0, free = 0, dirty = 0;
	struct bpbuf_extent *e, *prev = NULL;
	unsigned int nr = 0, nr_dirty = 0, listed = 0;
	struct rb_node *node;

	for (node = rb_first(&ex->tree); node; node = rb_next(node)) {
		e = extent_of(node);
		if (!e->len || e->start < end || e->start + e->len > ex->npages)
			disagree(v, "extent at %lu+%lu after %lu, heap %lu",
				 e->start, e->len, end, ex->npages);
		if (prev && prev->start + prev->len == e->start &&
		    prev->state == e->state)
			disagree(v, "extents at %lu and %lu, both state %d, not merged",
				 prev->start, e->start, e->state);
		end = e->start + e->len;
		free += e->len;
		if (e->state != EXTENT_CLEAN)
			dirty += e->len;
		nr_dirty += e->state == EXTENT_DIRTY;
		nr++;
		prev = e;
	}
	list_for_each_entry(e, &ex->dirty, dirty) {
		if (e->state != EXTENT_DIRTY)
			disagree(v, "extent at %lu in the dirty list, state %d",
				 e->start, e->state);
		listed++;
	}
	if (nr != ex->nr || nr_dirty != listed)
		disagree(v, "%u extents (nr says %u), %u dirty, %u listed", nr,
			 ex->nr, nr_dirty, listed);
	if (free != ex->free_pages || dirty != ex->dirty_pages)
		disagree(v, "%lu free, %lu dirty pages; counted %lu, %lu", free,
			 dirty, ex->free_pages, ex->dirty_pages);
	check_subtree(v, ex->tree.rb_node);
}

static void check_invariants(struct kunit *test, struct bpbuf_extents *ex)
{
	struct verdict v = { "" };

	check_books(&v, ex);
	KUNIT_EXPECT_STREQ(test, v.why, "");
}

static void expect_runs(struct kunit *test, struct bpbuf_extents *ex,
			unsigned long largest, unsigned int nr_runs)
{
	unsigned long got_largest;
	unsigned int got_runs;

	bpbuf_extents_runs(ex, &got_largest, &got_runs);
	KUNIT_EXPECT_EQ(test, got_largest, largest);
	KUNIT_EXPECT_EQ(test, got_runs, nr_runs);
}

/* A heap of one page: it is all or nothing */
static void one_page_heap(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 1);
	struct test_buffer *b;

	b = place_at(test, 1, 1, 0);
	KUNIT_EXPECT_EQ(test, 0UL, b->zero_npages);
	KUNIT_EXPECT_EQ(test, 0U, ex->nr);
	expect_no_room(test, 1, 1);
	expect_runs(test, ex, 0, 0);
	give(test, b, true);
	KUNIT_EXPECT_EQ(test, 1UL, ex->free_pages);
	expect_runs(test, ex, 1, 1);
	check_invariants(test, ex);
}

/* A hole exactly as long as the buffer takes it; one page more does not fit */
static void exact_fit(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 12);
	struct test_buffer *mid = fill(test, 4, 3) + 1;

	give(test, mid, true);
	expect_runs(test, ex, 4, 1);
	expect_no_room(test, 5, 1);
	place_at(test, 4, 1, 4);
	KUNIT_EXPECT_EQ(test, 0UL, ex->free_pages);
	check_invariants(test, ex);
}

/* A full heap refuses even one page, and is whole again once freed */
static void full_heap(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 8);
	struct test_buffer *b;

	b = place_at(test, 8, 1, 0);
	expect_no_room(test, 1, 1);
	KUNIT_EXPECT_EQ(test, 0UL, ex->free_pages);
	KUNIT_EXPECT_EQ(test, 0U, ex->nr);
	give(test, b, false);
	KUNIT_EXPECT_EQ(test, 8UL, ex->free_pages);
	KUNIT_EXPECT_EQ(test, 8UL, ex->dirty_pages);
	expect_runs(test, ex, 8, 1);
	check_invariants(test, ex);
}

/* Alignment orders from one page to 1 GiB, the largest ALLOC takes */
static const unsigned int align_orders[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
};

static void align_order_desc(const unsigned int *order, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%lu KiB",
		 (PAGE_SIZE << *order) >> 10);
}

KUNIT_ARRAY_PARAM(align_order, align_orders, align_order_desc);

/*
 * Alignment is of the physical address: with the heap at pfn 3 the first
 * aligned page is not page 0. An aligned run of the alignment's length fits
 * in a heap of twice that length; four pages more do not (from four pages
 * of alignment on, by alignment alone: they would fit at page 0).
 */
static void alignment(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	unsigned long align = 1UL << order;
	struct bpbuf_extents *ex;
	unsigned long first = ALIGN(3UL, align) - 3;
	struct test_buffer *b;

	if (order > ilog2(SZ_1G >> PAGE_SHIFT))
		kunit_skip(test, "past 1 GiB, the largest alignment ALLOC takes");
	ex = heap_make(test, 3, 2 * align);
	expect_no_room(test, align + 4, align);
	b = place_at(test, align, align, first);
	KUNIT_EXPECT_EQ(test, 0UL, (3 + b->start) & (align - 1));
	give(test, b, true);
	expect_runs(test, ex, 2 * align, 1);
	check_invariants(test, ex);
}

/* Clean neighbours merge into one extent whatever order they come back in */
/*
 * A wished-for alignment (bpbuf_extents_find_edge()) is only taken at the
 * edge of a run: in a heap whose only aligned room is in the middle of its
 * run, the edge search finds none, and the full search finds the middle.
 */
static void edge_only_never_cuts_a_run(struct kunit *test)
{
	/* pages 0..63 at pfn 8: the 32-aligned pfns 32 and 64 are pages 24 and 56 */
	struct bpbuf_extents *ex = heap_make(test, 8, 64);
	unsigned long start;

	KUNIT_EXPECT_FALSE(test, bpbuf_extents_find_edge(ex, 32, 32, &start));
	KUNIT_ASSERT_TRUE(test, bpbuf_extents_find(ex, 32, 32, &start));
	KUNIT_EXPECT_EQ(test, 24UL, start);
	/* an edge that is aligned: taken */
	KUNIT_ASSERT_TRUE(test, bpbuf_extents_find_edge(ex, 32, 8, &start));
	KUNIT_EXPECT_EQ(test, 0UL, start);
}

static void merge_clean_neighbours(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 9);
	struct test_buffer *a = fill(test, 3, 3), *b = a + 1, *c = a + 2;

	give(test, a, true);
	give(test, c, true);
	KUNIT_EXPECT_EQ(test, 2U, ex->nr);
	give(test, b, true);
	KUNIT_EXPECT_EQ(test, 1U, ex->nr);
	KUNIT_EXPECT_EQ(test, 0UL, extent_of(rb_first(&ex->tree))->start);
	KUNIT_EXPECT_EQ(test, 9UL, extent_of(rb_first(&ex->tree))->len);
	check_invariants(test, ex);
}

/*
 * Dirty and clean neighbours stay apart, but are one run of free memory;
 * zeroing makes the dirty ones clean, oldest first, and they merge.
 */
static void merge_dirty_neighbours_once_zeroed(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 9);
	struct test_buffer *a = fill(test, 3, 3), *b = a + 1, *c = a + 2;
	struct bpbuf_extent *z;

	give(test, a, false);
	give(test, b, true);
	give(test, c, false);
	KUNIT_EXPECT_EQ(test, 3U, ex->nr);
	KUNIT_EXPECT_EQ(test, 6UL, ex->dirty_pages);
	expect_runs(test, ex, 9, 1);
	check_invariants(test, ex);

	/* the oldest first: a, then c; each joins b's clean extent */
	z = zero_begin(test, ex, 16);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_EQ(test, 0UL, z->start);
	KUNIT_EXPECT_EQ(test, EXTENT_ZEROING, z->state);
	zero_end(test, ex, z, true);
	KUNIT_EXPECT_EQ(test, 2U, ex->nr);

	z = zero_begin(test, ex, 16);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_EQ(test, 6UL, z->start);
	zero_end(test, ex, z, true);
	KUNIT_EXPECT_EQ(test, 1U, ex->nr);
	KUNIT_EXPECT_EQ(test, 0UL, ex->dirty_pages);
	KUNIT_EXPECT_NULL(test, zero_begin(test, ex, 16));
	check_invariants(test, ex);
}

/* Dirty neighbours merge at once */
static void merge_dirty_neighbours(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 9);
	struct test_buffer *a = fill(test, 3, 3), *b = a + 1;

	give(test, a, false);
	give(test, b, false);
	KUNIT_EXPECT_EQ(test, 1U, ex->nr);
	KUNIT_EXPECT_EQ(test, 6UL, ex->dirty_pages);
	check_invariants(test, ex);
}

/* Memory being zeroed is never handed out; once zeroed it is, clean */
static void zeroing_is_never_taken(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 8);
	struct test_buffer *b;
	struct bpbuf_extent *z;

	b = place_at(test, 8, 1, 0);
	give(test, b, false);
	z = zero_begin(test, ex, 8);
	KUNIT_ASSERT_NOT_NULL(test, z);
	expect_no_room(test, 1, 1);
	expect_runs(test, ex, 8, 1);
	zero_end(test, ex, z, false);
	b = place_at(test, 8, 1, 0);
	KUNIT_EXPECT_EQ(test, 0UL, b->zero_npages);
	check_invariants(test, ex);
}

/* The zeroer takes a long dirty extent a front piece at a time */
static void zeroer_takes_front_piece(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 8);
	struct bpbuf_extent *piece = kmalloc(sizeof(*piece), GFP_KERNEL);
	struct test_buffer *b;
	struct bpbuf_extent *z;

	KUNIT_ASSERT_NOT_NULL(test, piece);
	b = place_at(test, 8, 1, 0);
	give(test, b, false);
	z = bpbuf_extents_zero_begin(ex, 2, &piece);
	/* the piece node is used, so it is the tree's now */
	KUNIT_EXPECT_NULL(test, piece);
	kfree(piece);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_EQ(test, 0UL, z->start);
	KUNIT_EXPECT_EQ(test, 2UL, z->len);
	KUNIT_EXPECT_EQ(test, 2U, ex->nr);
	zero_end(test, ex, z, false);
	KUNIT_EXPECT_EQ(test, 6UL, ex->dirty_pages);
	KUNIT_EXPECT_EQ(test, 2U, ex->nr);
	check_invariants(test, ex);
}

/* Clean memory at the edge of a run first, though dirty memory lies lower */
static void prefers_clean_edge(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 12);
	struct test_buffer *a = fill(test, 4, 3), *c = a + 2, *b;

	give(test, a, false);
	give(test, c, true);
	b = place_at(test, 4, 1, 8);
	KUNIT_EXPECT_EQ(test, 0UL, b->zero_npages);
	check_invariants(test, ex);
}

/*
 * Dirty memory at the edge of a run rather than clean memory from its
 * middle: the zeroing is cheaper than the hole it would leave.
 */
static void dirty_edge_before_clean_middle(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 16);
	struct test_buffer *a = fill(test, 4, 4), *b = a + 1, *c = a + 2, *got;

	give(test, a, false);
	give(test, b, true);
	give(test, c, false);
	got = place_at(test, 4, 1, 0);
	KUNIT_EXPECT_EQ(test, 0UL, got->zero_start);
	KUNIT_EXPECT_EQ(test, 4UL, got->zero_npages);
	check_invariants(test, ex);
}

/* Giving back start+npages is refused (-EINVAL) and takes its node */
static void expect_give_refused(struct kunit *test, struct bpbuf_extents *ex,
				unsigned long start, unsigned long npages)
{
	struct bpbuf_extent *spare = kmalloc(sizeof(*spare), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, spare);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			bpbuf_extents_give(ex, start, npages, true, spare));
}

/* Giving back what is free already, or no heap at all, is refused */
static void overlap_refused(struct kunit *test)
{
	struct bpbuf_extents *ex = heap_make(test, 0, 8);

	place_at(test, 4, 1, 0);
	expect_give_refused(test, ex, 2, 4);
	expect_give_refused(test, ex, 6, 4);
	/* past the heap's end, and nothing at all */
	expect_give_refused(test, ex, 8, 1);
	expect_give_refused(test, ex, 0, 0);
	KUNIT_EXPECT_EQ(test, 4UL, ex->free_pages);
	KUNIT_EXPECT_EQ(test, 1U, ex->nr);
	check_invariants(test, ex);
}

/* The reference: one byte per page */
enum page_state { PAGE_USED, PAGE_CLEAN, PAGE_DIRTY, PAGE_ZEROING };

static enum page_state extent_page_state(enum bpbuf_extent_state s)
{
	return s == EXTENT_CLEAN ? PAGE_CLEAN :
	       s == EXTENT_DIRTY ? PAGE_DIRTY : PAGE_ZEROING;
}

static bool page_free(const u8 *map, unsigned long n, long i)
{
	return i >= 0 && i < n && map[i] != PAGE_USED;
}

static bool page_avail(u8 s)
{
	return s == PAGE_CLEAN || s == PAGE_DIRTY;
}

/* The extents are exactly the reference's runs of one state, and agree */
static void check_model(struct verdict *v, struct bpbuf_extents *ex,
			const u8 *map)
{
	unsigned long i, page = 0, free = 0, dirty = 0, largest = 0, run = 0;
	unsigned long got_largest;
	unsigned int runs = 0, nr = 0, got_runs;
	struct rb_node *node;

	for (node = rb_first(&ex->tree); node; node = rb_next(node)) {
		struct bpbuf_extent *e = extent_of(node);

		for (; page < e->start && page < ex->npages; page++)
			if (map[page] != PAGE_USED)
				disagree(v, "page %lu in no extent, reference %d",
					 page, map[page]);
		for (; page < e->start + e->len && page < ex->npages; page++)
			if (map[page] != extent_page_state(e->state))
				disagree(v, "page %lu in extent %lu+%lu state %d, reference %d",
					 page, e->start, e->len, e->state,
					 map[page]);
	}
	for (; page < ex->npages; page++)
		if (map[page] != PAGE_USED)
			disagree(v, "page %lu in no extent, reference %d", page,
				 map[page]);

	for (i = 0; i < ex->npages; i++) {
		free += map[i] != PAGE_USED;
		dirty += map[i] == PAGE_DIRTY || map[i] == PAGE_ZEROING;
		run = map[i] == PAGE_USED ? 0 : run + 1;
		runs += run == 1;
		largest = max(largest, run);
		nr += map[i] != PAGE_USED && (!i || map[i - 1] != map[i]);
	}
	if (free != ex->free_pages || dirty != ex->dirty_pages || nr != ex->nr)
		disagree(v, "free/dirty pages, extents %lu/%lu/%u, reference %lu/%lu/%u",
			 ex->free_pages, ex->dirty_pages, ex->nr, free, dirty,
			 nr);
	bpbuf_extents_runs(ex, &got_largest, &got_runs);
	if (got_largest != largest || got_runs != runs)
		disagree(v, "largest run, runs %lu/%u, reference %lu/%u",
			 got_largest, got_runs, largest, runs);
	check_books(v, ex);
}

/* What the reference says of a buffer of n pages at an alignment */
struct model_room {
	bool any;		/* an aligned window of clean or dirty pages */
	bool edge;		/* one at the edge of a run of free memory */
	bool clean_edge;	/* an all-clean one at such an edge */
};

static struct model_room model_room(const u8 *map, unsigned long npages,
				    unsigned long n, unsigned long align)
{
	struct model_room r = { false, false, false };
	unsigned long s, e, first;

	for (s = 0; s < npages; s = e) {
		bool avail = page_avail(map[s]);

		for (e = s + 1; e < npages && page_avail(map[e]) == avail &&
		     (avail || map[e] == map[s]); e++)
			;
		if (!avail)
			continue;
		first = s + ALIGN(MODEL_BASE_PFN + s, align) -
			(MODEL_BASE_PFN + s);
		if (first + n <= e)
			r.any = true;
		/* the edge rules are exact for align 1 (see model_place) */
		if (align == 1 && e - s >= n &&
		    (!page_free(map, npages, (long)s - 1) ||
		     !page_free(map, npages, e)))
			r.edge = true;
	}
	for (s = 0; align == 1 && s < npages; s = e) {
		for (e = s + 1; e < npages && map[e] == map[s]; e++)
			;
		if (map[s] == PAGE_CLEAN && e - s >= n &&
		    (!page_free(map, npages, (long)s - 1) ||
		     !page_free(map, npages, e)))
			r.clean_edge = true;
	}
	return r;
}

/*
 * One allocation in the model: it succeeds exactly when the reference has
 * aligned room; what it takes is aligned, all clean or dirty, and its
 * zeroing span is exactly what was dirty. With no alignment the policy is
 * checked too: clean memory at the edge of a run if there is any, and a run
 * cut in two only when no edge has room.
 */
static void model_place(struct kunit *test, struct extent_test *t, u8 *map,
			struct rnd_state *rnd, struct verdict *v)
{
	static const unsigned long aligns[] = { 1, 1, 1, 1, 2, 4, 8, 16, 64 };
	unsigned long align = aligns[prandom_u32_state(rnd) % ARRAY_SIZE(aligns)];
	unsigned int size_kind = prandom_u32_state(rnd) % 20;
	unsigned long n, i, lo = ULONG_MAX, hi = 0, zero_lo, zero_n;
	struct test_buffer *b = &t->live[t->nr_live];
	struct model_room room;
	bool placed, cut;

	if (size_kind < 14)
		n = 1 + prandom_u32_state(rnd) % 8;
	else if (size_kind < 19)
		n = 9 + prandom_u32_state(rnd) % 56;
	else
		n = 65 + prandom_u32_state(rnd) % (MODEL_PAGES - 64);

	room = model_room(map, MODEL_PAGES, n, align);
	placed = place(test, n, align, b);
	if (placed != room.any) {
		disagree(v, "%lu pages at alignment %lu: the reference has %sroom",
			 n, align, room.any ? "" : "no ");
		if (placed)
			t->nr_live++;
		return;
	}
	if (!placed)
		return;
	t->nr_live++;

	if ((MODEL_BASE_PFN + b->start) & (align - 1) ||
	    b->start + n > MODEL_PAGES) {
		disagree(v, "%lu pages at alignment %lu placed at %lu", n, align,
			 b->start);
		return;
	}
	for (i = b->start; i < b->start + n; i++) {
		if (!page_avail(map[i]))
			disagree(v, "page %lu taken in state %d", i, map[i]);
		if (map[i] == PAGE_DIRTY) {
			lo = min(lo, i);
			hi = i + 1;
		}
		map[i] = PAGE_USED;
	}
	zero_lo = lo == ULONG_MAX ? b->zero_start : lo;
	zero_n = lo == ULONG_MAX ? 0 : hi - lo;
	if (b->zero_npages != zero_n || (zero_n && b->zero_start != zero_lo))
		disagree(v, "%lu pages at %lu: zeroing %lu+%lu, dirty %lu+%lu", n,
			 b->start, b->zero_start, b->zero_npages, zero_lo, zero_n);
	if (room.clean_edge && b->zero_npages)
		disagree(v, "%lu pages at %lu: took dirty memory with clean room at an edge",
			 n, b->start);
	cut = page_free(map, MODEL_PAGES, (long)b->start - 1) &&
	      page_free(map, MODEL_PAGES, b->start + n);
	if (room.edge && cut)
		disagree(v, "%lu pages at %lu: cut a run with room at an edge", n,
			 b->start);
}

static void model_give(struct kunit *test, struct extent_test *t, u8 *map,
		       struct rnd_state *rnd)
{
	unsigned int k = prandom_u32_state(rnd) % t->nr_live;
	bool clean = prandom_u32_state(rnd) & 1;
	struct test_buffer b = t->live[k];
	unsigned long i;

	t->live[k] = t->live[--t->nr_live];
	give(test, &b, clean);
	for (i = b.start; i < b.start + b.npages; i++)
		map[i] = clean ? PAGE_CLEAN : PAGE_DIRTY;
}

/* The zeroer's two steps: a piece of the oldest dirty extent, then clean */
static void model_zero(struct kunit *test, struct extent_test *t, u8 *map,
		       struct rnd_state *rnd)
{
	struct bpbuf_extent *piece, *unused, *z = t->zeroing;
	unsigned long i, max_pages = 1 + prandom_u32_state(rnd) % 32;
	bool any_dirty = false;

	if (z) {
		for (i = z->start; i < z->start + z->len; i++)
			map[i] = PAGE_CLEAN;
		unused = bpbuf_extents_zero_end(&t->ex, z);
		t->zeroing = NULL;
		kfree(unused);
		return;
	}
	for (i = 0; i < MODEL_PAGES; i++)
		any_dirty |= map[i] == PAGE_DIRTY;
	piece = kmalloc(sizeof(*piece), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, piece);
	z = bpbuf_extents_zero_begin(&t->ex, max_pages, &piece);
	kfree(piece);
	KUNIT_ASSERT_EQ(test, any_dirty, z != NULL);
	if (!z)
		return;
	t->zeroing = z;
	KUNIT_ASSERT_LE(test, z->len, max_pages);
	/* the front of a dirty extent */
	KUNIT_ASSERT_FALSE(test, z->start && map[z->start - 1] == PAGE_DIRTY);
	for (i = z->start; i < z->start + z->len; i++) {
		KUNIT_ASSERT_EQ(test, (u8)PAGE_DIRTY, map[i]);
		map[i] = PAGE_ZEROING;
	}
}

/*
 * model_steps random allocations, frees (clean or dirty) and zeroer steps on
 * a small heap, each checked against the reference.
 */
static void model_random(struct kunit *test)
{
	struct extent_test *t = test->priv;
	struct bpbuf_extents *ex = heap_make(test, MODEL_BASE_PFN, MODEL_PAGES);
	static const char * const names[] = { "alloc", "free", "zeroer step" };
	unsigned int op, steps, kind, what, counts[3] = { 0, 0, 0 };
	struct rnd_state rnd;
	struct verdict v;
	u8 *map;

	map = kunit_kmalloc(test, MODEL_PAGES, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, map);
	memset(map, PAGE_CLEAN, MODEL_PAGES);
	prandom_seed_state(&rnd, MODEL_SEED);

	steps = model_steps_asked();
	for (op = 0; op < steps; op++) {
		kind = prandom_u32_state(&rnd) % 100;
		if (t->nr_live == MODEL_MAX_LIVE || (kind >= 50 && kind < 85 &&
						     t->nr_live))
			what = 1;
		else
			what = kind < 85 ? 0 : 2;
		v.why[0] = '\0';
		if (what == 0)
			model_place(test, t, map, &rnd, &v);
		else if (what == 1)
			model_give(test, t, map, &rnd);
		else
			model_zero(test, t, map, &rnd);
		counts[what]++;
		check_model(&v, ex, map);
		/* the first disagreement ends the case: one message, not many */
		KUNIT_ASSERT_TRUE_MSG(test, !v.why[0], "operation %u (%s): %s", op,
				      names[what], v.why);
		/* a debug kernel under TCG: let the watchdogs see progress */
		if (!(op % 64))
			cond_resched();
	}
	kunit_info(test, "%u operations: %u allocations, %u frees, %u zeroer steps\n",
		   op, counts[0], counts[1], counts[2]);
	if (t->zeroing)
		kfree(bpbuf_extents_zero_end(ex, t->zeroing));
	t->zeroing = NULL;
}

static struct kunit_case bpbuf_extent_cases[] = {
	KUNIT_CASE(one_page_heap),
	KUNIT_CASE(exact_fit),
	KUNIT_CASE(full_heap),
	KUNIT_CASE_PARAM(alignment, align_order_gen_params),
	KUNIT_CASE(edge_only_never_cuts_a_run),
	KUNIT_CASE(merge_clean_neighbours),
	KUNIT_CASE(merge_dirty_neighbours),
	KUNIT_CASE(merge_dirty_neighbours_once_zeroed),
	KUNIT_CASE(zeroing_is_never_taken),
	KUNIT_CASE(zeroer_takes_front_piece),
	KUNIT_CASE(prefers_clean_edge),
	KUNIT_CASE(dirty_edge_before_clean_middle),
	KUNIT_CASE(overlap_refused),
	KUNIT_CASE(model_random),
	{}
};

static struct kunit_suite bpbuf_extent_suite = {
	.name = "bpbuf_extent",
	.init = extent_test_init,
	.exit = extent_test_exit,
	.test_cases = bpbuf_extent_cases,
};
kunit_test_suite(bpbuf_extent_suite);

MODULE_DESCRIPTION("KUnit tests of bpbuf's extent allocator");
MODULE_LICENSE("GPL");
