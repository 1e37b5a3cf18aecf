// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection: failslab and fail_page_alloc fail allocations of this
 * process only (task-filter, /proc/self/make-it-fail), and only during the
 * call under test, while it allocates and exports buffers (BPBUF_IOCTL_ALLOC,
 * the dma-heap node), names them (DMA_BUF_SET_NAME), has vgem import them
 * (attach and map) and, without faults, maps them (see OP_MMAP). Every
 * failure must come back as a clean
 * errno, every success must be a usable buffer, and nothing may leak: the
 * heap is whole and nothing charged at the end, and the rig's kmemleak scan
 * follows. verbose=0: an injected fault prints nothing, so a "page
 * allocation failure" in the log is an allocation missing __GFP_NOWARN.
 *
 *   faults [ATTEMPTS]  (or BPBUF_FAULT_ATTEMPTS, default 10000)
 *   BPBUF_FAULT_SECONDS (default 150), BPBUF_FAULT_SEED (default 11)
 *   BPBUF_FAULT_PROBABILITY (percent, default 10)
 *   BPBUF_FAULT_MIN_ORDER (fail_page_alloc's min-order, default 1: see below)
 */
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <sys/mman.h>

#include "stress.h"
#include "vgem.h"

#define FI	"/sys/kernel/debug/"
#define TIMES	100000000L

/* Fewer attempts than this are too few to have met each call's faults */
#define MIN_ATTEMPTS	1000

static int fail_fd = -1;	/* /proc/self/make-it-fail */

/* Faults on for this task, for one call */
static inline void faults_on(void)
{
	if (pwrite(fail_fd, "1", 1, 0) != 1)
		abort();
}

static inline void faults_off(void)
{
	if (pwrite(fail_fd, "0", 1, 0) != 1)
		abort();
}

static int set(const char *facility, const char *knob, const char *value)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), FI "%s/%s", facility, knob);
	ret = write_text(path, value);
	if (ret)
		printf("# %s=%s: %s\n", path, value, strerror(-ret));
	return ret;
}

static long get_times(const char *facility)
{
	char path[128], *text;
	long v = -1;

	snprintf(path, sizeof(path), FI "%s/times", facility);
	text = read_text(path);
	if (text) {
		v = strtol(text, NULL, 0);
		free(text);
	}
	return v;
}

static int setup(const char *facility, const char *probability)
{
	char times[32];
	int ret = 0;

	snprintf(times, sizeof(times), "%ld", TIMES);
	ret |= set(facility, "verbose", "0");
	ret |= set(facility, "task-filter", "Y");
	ret |= set(facility, "interval", "1");
	ret |= set(facility, "space", "0");
	ret |= set(facility, "times", times);
	ret |= set(facility, "ignore-gfp-wait", "N");
	ret |= set(facility, "probability", probability);
	return ret;
}

static void teardown(const char *facility)
{
	set(facility, "probability", "0");
	set(facility, "task-filter", "N");
	set(facility, "times", "1");
}

enum op { OP_ALLOC, OP_HEAPNODE, OP_NAME, OP_IMPORT, OP_MMAP, NR_OPS };
static const char *const op_names[NR_OPS] = {
	"alloc+export", "dma-heap alloc", "set name", "vgem attach+map", "mmap",
};

struct op_stats {
	unsigned long tries, ok, enomem, other;
	int last_other;
};

/* The call was seen succeeding and failing (ENOMEM or, vgem's, another) */
static bool both_ways(const struct op_stats *s)
{
	return s->ok && (s->enomem || s->other);
}

static bool zeroed(int fd, size_t size)
{
	unsigned char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	bool ok;

	if (p == MAP_FAILED)
		return false;
	ok = all_bytes_are(p, size, 0);
	munmap(p, size);
	return ok;
}

int main(int argc, char **argv)
{
	long attempts = argc > 1 ? atol(argv[1]) :
			num_from_env("BPBUF_FAULT_ATTEMPTS", 10000);
	double seconds = (double)num_from_env("BPBUF_FAULT_SECONDS", 150), end;
	uint64_t rng = seed_from_env("BPBUF_FAULT_SEED", 11) | 1;
	const char *prob = getenv("BPBUF_FAULT_PROBABILITY");
	long min_order = num_from_env("BPBUF_FAULT_MIN_ORDER", 1);
	struct op_stats st[NR_OPS] = { 0 };
	struct bpbuf_heap_info info;
	bool whole;
	unsigned long bad_buffers = 0, done = 0;
	long slab_left, page_left, injected_slab, injected_page;
	int dev, heap, vgem, ret, i, fd;
	char order[16];

	tap_plan(5);
	if (access(FI "failslab/probability", W_OK) ||
	    access(FI "fail_page_alloc/probability", W_OK) ||
	    access("/proc/self/make-it-fail", W_OK)) {
		for (i = 0; i < 5; i++)
			tap_skip("fault injection", "no failslab/fail_page_alloc in debugfs");
		return 0;
	}
	prob = prob && *prob ? prob : "10";
	dev = bp_open();
	heap = open("/dev/dma_heap/bpbuf", O_RDWR | O_CLOEXEC);
	vgem = open_vgem();
	fail_fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (dev < 0 || fail_fd < 0) {
		tap_ok(false, "open %s and make-it-fail: %s", BPBUF_NODE, strerror(errno));
		return 1;
	}
	printf("# %ld attempts, %s%% probability, fail_page_alloc min-order %ld, vgem %s, dma-heap node %s\n",
	       attempts, prob, min_order, vgem >= 0 ? "yes" : "no",
	       heap >= 0 ? "yes" : "no");
	/* no page faults of our own while failing: they would OOM, not fail */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		printf("# mlockall: %s\n", strerror(errno));

	/*
	 * fail_page_alloc's min-order is 1 by default here: a failed order-0
	 * page under a slab or a page table is the core kernel's, and it warns
	 * with a stack trace whatever bpbuf does (BPBUF_FAULT_MIN_ORDER=0
	 * shows it). Orders >= 1 fail every slab's first, silent try.
	 */
	snprintf(order, sizeof(order), "%ld", min_order);
	if (setup("failslab", prob) || setup("fail_page_alloc", prob) ||
	    set("fail_page_alloc", "ignore-gfp-highmem", "N") ||
	    set("fail_page_alloc", "min-order", order)) {
		tap_ok(false, "configure fault injection");
		return 1;
	}

	end = now_s() + seconds;
	for (done = 0; done < (unsigned long)attempts && now_s() < end; done++) {
		enum op op = (enum op)rng_below(&rng, NR_OPS);
		uint64_t size = page_size() * (1 + rng_below(&rng, 64));
		struct op_stats *s;
		int buf = -1;

		if (op == OP_HEAPNODE && heap < 0)
			op = OP_ALLOC;
		if (op == OP_IMPORT && vgem < 0)
			op = OP_MMAP;
		s = &st[op];
		s->tries++;
		if (op != OP_ALLOC && op != OP_HEAPNODE &&
		    bp_alloc(dev, size, 0, BPBUF_ALLOC_CLOEXEC, &buf)) {
			s->tries--;
			continue;
		}
		ret = 0;
		switch (op) {
		case OP_ALLOC:
			faults_on();
			ret = bp_alloc_named(dev, size, 0, BPBUF_ALLOC_CLOEXEC,
					     "faulty", &buf);
			faults_off();
			break;
		case OP_HEAPNODE: {
			struct dma_heap_allocation_data d = {
				.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
			};

			faults_on();
			ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) ? -errno : 0;
			faults_off();
			if (!ret)
				buf = (int)d.fd;
			break;
		}
		case OP_NAME:
			faults_on();
			ret = ioctl(buf, DMA_BUF_SET_NAME_B, "faulty name") ? -errno : 0;
			faults_off();
			break;
		case OP_IMPORT: {
			struct drm_prime_handle_min ph = { .fd = buf };

			faults_on();
			ret = ioctl(vgem, DRM_FD_TO_HANDLE_IOCTL, &ph) ? -errno : 0;
			faults_off();
			if (!ret) {
				struct drm_gem_close_min gc = { .handle = ph.handle };

				ioctl(vgem, DRM_GEM_CLOSE_IOCTL, &gc);
			}
			break;
		}
		case OP_MMAP: {
			void *p;

			/*
			 * No faults here: mmap's page tables (and, with lockdep,
			 * their slab-allocated locks) are core mm's, and when one
			 * fails, 6.1.192's remap_pfn_range() error path WARNs in
			 * untrack_pfn() (x86 PAT) whatever the driver does. The
			 * mapping of a buffer that went through faults elsewhere
			 * must still work.
			 */
			p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
			ret = p == MAP_FAILED ? -errno : 0;
			if (!ret) {
				((volatile char *)p)[size - 1] = 1;
				munmap(p, size);
			}
			break;
		}
		default:
			break;
		}
		if (!ret) {
			s->ok++;
			if ((op == OP_ALLOC || op == OP_HEAPNODE) && !zeroed(buf, size))
				bad_buffers++;
		} else if (ret == -ENOMEM) {
			s->enomem++;
		} else {
			s->other++;
			s->last_other = -ret;
		}
		if (buf >= 0)
			close(buf);
	}

	slab_left = get_times("failslab");
	page_left = get_times("fail_page_alloc");
	teardown("failslab");
	teardown("fail_page_alloc");
	munlockall();
	injected_slab = TIMES - slab_left;
	injected_page = TIMES - page_left;

	for (i = 0; i < NR_OPS; i++)
		printf("# %-16s %6lu tries, %6lu ok, %6lu ENOMEM, %lu other%s%s\n",
		       op_names[i], st[i].tries, st[i].ok, st[i].enomem,
		       st[i].other, st[i].other ? ", last " : "",
		       st[i].other ? strerror(st[i].last_other) : "");
	printf("# faults injected: %ld by failslab, %ld by fail_page_alloc\n",
	       injected_slab, injected_page);

	/*
	 * How many attempts fit in the time is the machine's speed, not a
	 * verdict: what counts is that every call was seen both failing and
	 * succeeding, over enough attempts.
	 */
	tap_ok(done >= MIN_ATTEMPTS && both_ways(&st[OP_ALLOC]) &&
	       both_ways(&st[OP_NAME]) && (heap < 0 || both_ways(&st[OP_HEAPNODE])) &&
	       (vgem < 0 || both_ways(&st[OP_IMPORT])),
	       "%lu attempts (%ld at most, %.0f s at most, %d at least): every faulted call both failed and succeeded",
	       done, attempts, seconds, MIN_ATTEMPTS);
	tap_ok(injected_slab > 0 && injected_page > 0,
	       "faults injected: %ld (failslab %ld, fail_page_alloc %ld)",
	       injected_slab + injected_page, injected_slab, injected_page);
	/* bpbuf's own calls fail with ENOMEM only; vgem's errors are vgem's */
	tap_ok(!st[OP_ALLOC].other && !st[OP_HEAPNODE].other &&
	       !st[OP_NAME].other && !st[OP_MMAP].other,
	       "every failure came back as ENOMEM (%lu alloc, %lu dma-heap, %lu name, %lu mmap others)",
	       st[OP_ALLOC].other, st[OP_HEAPNODE].other, st[OP_NAME].other,
	       st[OP_MMAP].other);
	tap_ok(!bad_buffers, "every buffer that was made is zeroed and mappable (%lu not)",
	       bad_buffers);
	fd = acct_uid_bytes(0) > 0;
	whole = heap_whole(dev, &info);
	tap_ok(whole && !fd,
	       "nothing leaked: free %llu of %llu bytes, %u buffers alive, charge %s",
	       (unsigned long long)info.free_bytes,
	       (unsigned long long)info.heap_size, info.live_buffers,
	       fd ? "left" : "none");
	if (vgem >= 0)
		close(vgem);
	if (heap >= 0)
		close(heap);
	close(dev);
	return tap_exit();
}
