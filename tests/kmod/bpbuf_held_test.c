// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the heap's quarantine of referenced ranges
 * (driver/held.c), built into a test module of their own from the driver's
 * very source file, as the extent allocator's are.
 *
 * held.c asks the heap two things: whether a range's pages are idle
 * (bpbuf_heap_pages_idle()) and to take a range back (bpbuf_heap_free()).
 * This file answers both for a heap of its own: a page is "referenced"
 * while its bit is set, and every range given back is logged, so that each
 * case can say exactly which ranges went back, when, and how.
 */
/* The quarantine itself, the same file bpbuf.ko is built from (first: pr_fmt) */
#include "held.c"

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/spinlock.h>

#define TEST_PAGES		64
#define TEST_MAX_FREED		8
/* How long a case waits for the worker (it looks every 100 ms) */
#define WORKER_WAIT_MS		5000

struct freed_range {
	unsigned long start;
	unsigned long npages;
	bool untouched;
};

/**
 * struct held_test - a heap the quarantine works on, and what it did
 * @heap: the heap; only its held.c fields are used
 * @referenced: pages someone outside the heap still holds
 * @idle_from_check: when nonzero, every page reads idle from this call of
 *	bpbuf_heap_pages_idle() on (a reference that drops while release
 *	waits out its grace)
 * @checks: calls of bpbuf_heap_pages_idle() so far
 * @log_lock: protects @freed and @nr_freed (the worker writes them too)
 * @freed: ranges given back to the heap, in order
 * @nr_freed: entries in @freed
 * @ranges: the ranges a case frees
 */
struct held_test {
	struct bpbuf_heap heap;
	DECLARE_BITMAP(referenced, TEST_PAGES);
	unsigned int idle_from_check;
	atomic_t checks;
	spinlock_t log_lock;
	struct freed_range freed[TEST_MAX_FREED];
	unsigned int nr_freed;
	struct bpbuf_range ranges[4];
};

/* held.c's view of the heap's pages */
bool bpbuf_heap_pages_idle(const struct bpbuf_heap *heap, unsigned long start,
			   unsigned long n)
{
	struct held_test *t = container_of(heap, struct held_test, heap);
	unsigned int check = atomic_inc_return(&t->checks);

	if (t->idle_from_check && check >= t->idle_from_check)
		return true;
	return find_next_bit(t->referenced, start + n, start) >= start + n;
}

/* held.c giving a range back: logged, the range stays the case's */
void bpbuf_heap_free(struct bpbuf_heap *heap, struct bpbuf_range *range,
		     bool untouched)
{
	struct held_test *t = container_of(heap, struct held_test, heap);

	spin_lock(&t->log_lock);
	if (!WARN_ON(t->nr_freed == TEST_MAX_FREED))
		t->freed[t->nr_freed++] = (struct freed_range) {
			.start = range->start,
			.npages = range->npages,
			.untouched = untouched,
		};
	spin_unlock(&t->log_lock);
}

static unsigned int nr_freed(struct held_test *t)
{
	unsigned int n;

	spin_lock(&t->log_lock);
	n = t->nr_freed;
	spin_unlock(&t->log_lock);
	return n;
}

static int held_test_init(struct kunit *test)
{
	struct held_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned int i;

	if (!t)
		return -ENOMEM;
	spin_lock_init(&t->log_lock);
	for (i = 0; i < ARRAY_SIZE(t->ranges); i++) {
		t->ranges[i].start = i * (TEST_PAGES / ARRAY_SIZE(t->ranges));
		t->ranges[i].npages = TEST_PAGES / ARRAY_SIZE(t->ranges);
	}
	bpbuf_held_init(&t->heap);
	test->priv = t;
	return 0;
}

/*
 * Runs even when a case stopped at a failed assertion: every reference
 * drops and every held range goes back (each holds a reference on this
 * module), then the quarantine ends as at unload.
 */
static void held_test_exit(struct kunit *test)
{
	struct held_test *t = test->priv;

	if (!t)
		return;
	t->idle_from_check = 0;
	bitmap_zero(t->referenced, TEST_PAGES);
	bpbuf_heap_reclaim_held(&t->heap, 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->heap.nr_held), 0);
	bpbuf_held_exit(&t->heap);
}

static void reference(struct held_test *t, const struct bpbuf_range *range,
		      bool on)
{
	if (on)
		set_bit(range->start + range->npages / 2, t->referenced);
	else
		clear_bit(range->start + range->npages / 2, t->referenced);
}

static void expect_freed(struct kunit *test, unsigned int i,
			 const struct bpbuf_range *range, bool untouched)
{
	struct held_test *t = test->priv;

	KUNIT_ASSERT_LT(test, i, nr_freed(t));
	KUNIT_EXPECT_EQ(test, t->freed[i].start, range->start);
	KUNIT_EXPECT_EQ(test, t->freed[i].npages, range->npages);
	KUNIT_EXPECT_EQ(test, t->freed[i].untouched, untouched);
}

static void expect_held(struct kunit *test, unsigned int nr,
			unsigned long pages)
{
	struct held_test *t = test->priv;
	struct bpbuf_heap_stats st = {};

	bpbuf_held_stats(&t->heap, &st);
	KUNIT_EXPECT_EQ(test, st.nr_held, nr);
	KUNIT_EXPECT_EQ(test, st.held_bytes, (u64)pages << PAGE_SHIFT);
}

/* An idle range goes straight back, clean if it was */
static void idle_range_goes_back(struct kunit *test)
{
	struct held_test *t = test->priv;

	KUNIT_EXPECT_FALSE(test, bpbuf_heap_free_referenced(&t->heap, &t->ranges[0], true));
	KUNIT_ASSERT_EQ(test, nr_freed(t), 1);
	expect_freed(test, 0, &t->ranges[0], true);
	KUNIT_EXPECT_FALSE(test, bpbuf_heap_free_referenced(&t->heap, &t->ranges[1], false));
	expect_freed(test, 1, &t->ranges[1], false);
	expect_held(test, 0, 0);
	KUNIT_EXPECT_EQ(test, bpbuf_heap_held_released(&t->heap), 0);
}

/*
 * I/O completing on another CPU drops its reference a moment after the
 * buffer's release: a reference gone within the grace holds nothing.
 */
static void reference_dropped_in_grace_holds_nothing(struct kunit *test)
{
	struct held_test *t = test->priv;

	reference(t, &t->ranges[2], true);
	t->idle_from_check = 2;
	KUNIT_EXPECT_FALSE(test, bpbuf_heap_free_referenced(&t->heap, &t->ranges[2], true));
	KUNIT_EXPECT_GE(test, atomic_read(&t->checks), 2);
	KUNIT_ASSERT_EQ(test, nr_freed(t), 1);
	expect_freed(test, 0, &t->ranges[2], true);
	expect_held(test, 0, 0);
}

/*
 * A reference that outlasts the grace holds the range, and the module,
 * until the worker finds it gone; the range then goes back dirty, however
 * clean it was freed (the I/O may have written it).
 */
static void referenced_range_is_held_until_released(struct kunit *test)
{
	struct held_test *t = test->priv;
	struct bpbuf_range *r = &t->ranges[1];
	int refs = module_refcount(THIS_MODULE);
	unsigned long deadline;
	ktime_t t0 = ktime_get();

	reference(t, r, true);
	KUNIT_EXPECT_TRUE(test, bpbuf_heap_free_referenced(&t->heap, r, true));
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), t0), BPBUF_RELEASE_GRACE_MS);
	KUNIT_EXPECT_EQ(test, nr_freed(t), 0);
	expect_held(test, 1, r->npages);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs + 1);

	/* the worker looks again and again while it is referenced */
	msleep(3 * jiffies_to_msecs(BPBUF_HELD_RECHECK));
	KUNIT_EXPECT_EQ(test, nr_freed(t), 0);
	expect_held(test, 1, r->npages);

	reference(t, r, false);
	deadline = jiffies + msecs_to_jiffies(WORKER_WAIT_MS);
	while (!nr_freed(t) && time_before(jiffies, deadline))
		msleep(10);
	KUNIT_ASSERT_EQ_MSG(test, nr_freed(t), 1,
			    "the worker gave nothing back within %u ms", WORKER_WAIT_MS);
	expect_freed(test, 0, r, false);
	expect_held(test, 0, 0);
	KUNIT_EXPECT_EQ(test, bpbuf_heap_held_released(&t->heap), 1);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
}

/*
 * An allocation that found no room asks again at once: only the ranges no
 * longer referenced go back, and it is told whether any did.
 */
static void reclaim_gives_back_only_the_released(struct kunit *test)
{
	struct held_test *t = test->priv;
	unsigned long since;

	reference(t, &t->ranges[0], true);
	reference(t, &t->ranges[3], true);
	KUNIT_ASSERT_TRUE(test, bpbuf_heap_free_referenced(&t->heap, &t->ranges[0], false));
	KUNIT_ASSERT_TRUE(test, bpbuf_heap_free_referenced(&t->heap, &t->ranges[3], true));
	expect_held(test, 2, t->ranges[0].npages + t->ranges[3].npages);

	since = bpbuf_heap_held_released(&t->heap);
	KUNIT_EXPECT_FALSE(test, bpbuf_heap_reclaim_held(&t->heap, since));
	KUNIT_EXPECT_EQ(test, nr_freed(t), 0);

	reference(t, &t->ranges[3], false);
	since = bpbuf_heap_held_released(&t->heap);
	KUNIT_EXPECT_TRUE(test, bpbuf_heap_reclaim_held(&t->heap, since));
	KUNIT_ASSERT_EQ(test, nr_freed(t), 1);
	expect_freed(test, 0, &t->ranges[3], false);
	expect_held(test, 1, t->ranges[0].npages);

	since = bpbuf_heap_held_released(&t->heap);
	KUNIT_EXPECT_FALSE(test, bpbuf_heap_reclaim_held(&t->heap, since));
	KUNIT_EXPECT_EQ(test, nr_freed(t), 1);
}

/* One page referenced anywhere in a range holds all of it */
static void one_page_holds_the_range(struct kunit *test)
{
	struct held_test *t = test->priv;
	struct bpbuf_range *r = &t->ranges[2];
	unsigned long since;

	set_bit(r->start + r->npages - 1, t->referenced);
	KUNIT_EXPECT_TRUE(test, bpbuf_heap_free_referenced(&t->heap, r, true));
	clear_bit(r->start + r->npages - 1, t->referenced);
	/* the next range's first page is not this range's */
	set_bit(r->start + r->npages, t->referenced);
	since = bpbuf_heap_held_released(&t->heap);
	KUNIT_EXPECT_TRUE(test, bpbuf_heap_reclaim_held(&t->heap, since));
	KUNIT_ASSERT_EQ(test, nr_freed(t), 1);
	expect_freed(test, 0, r, false);
	expect_held(test, 0, 0);
}

static struct kunit_case bpbuf_held_cases[] = {
	KUNIT_CASE(idle_range_goes_back),
	KUNIT_CASE(reference_dropped_in_grace_holds_nothing),
	KUNIT_CASE(referenced_range_is_held_until_released),
	KUNIT_CASE(reclaim_gives_back_only_the_released),
	KUNIT_CASE(one_page_holds_the_range),
	{}
};

static struct kunit_suite bpbuf_held_suite = {
	.name = "bpbuf_held",
	.init = held_test_init,
	.exit = held_test_exit,
	.test_cases = bpbuf_held_cases,
};
kunit_test_suite(bpbuf_held_suite);

MODULE_DESCRIPTION("KUnit tests of bpbuf's quarantine of referenced ranges");
MODULE_LICENSE("GPL");
