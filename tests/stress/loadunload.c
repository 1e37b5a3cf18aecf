// SPDX-License-Identifier: GPL-2.0-only
/*
 * Load and unload bpbuf 100 times, with buffers created, mapped, written and
 * destroyed while it is loaded; the carve's pages must come back to the
 * page allocator each time it is given back (CmaFree for a CMA carve,
 * MemFree for one of movable memory), and be at their baseline at the end.
 * It reloads the module with the parameters it found and leaves it loaded.
 *
 *   loadunload [CYCLES]  (or BPBUF_LOAD_CYCLES, default 100)
 *   BPBUF_LOAD_MODULE (default /lib/modules/bpbuf.ko)
 */
#include <sys/syscall.h>

#include "stress.h"

/*
 * Pages the rest of the system moves in and out of CMA (movable pages may
 * live there) while this runs; the carve itself is far larger. MemFree
 * moves more: page cache, slab, the module's own text.
 */
#define CMA_SLACK_KB		1024
#define MEM_SLACK_KB		(8 * 1024)

/*
 * The /proc/meminfo line the carve returns to, its drift allowed, and how
 * near the baseline it must come before a reading counts as settled
 * (MemFree never comes back to the kB). MemFree is read with the per-CPU
 * lists: alloc_contig_range() drains them at every load of a movable heap,
 * which alone moves MemFree by their size.
 */
static const char *free_key = "CmaFree:";
static long slack_kb = CMA_SLACK_KB, settle_kb;
static int with_pcp;

/*
 * Pages on the per-CPU free lists, in kB: freed but not yet counted in
 * CmaFree. With 16 KiB pages those lists can hold a whole 64 MiB carve
 * (4096 pages), so CmaFree alone may never move.
 */
static long pcp_free_kb(void)
{
	return (long)(bp_pcp_free_bytes() / 1024);
}

/* free_key's figure (with the per-CPU lists, read first, for MemFree) */
static long pool_free_kb(void)
{
	long pcp = with_pcp ? pcp_free_kb() : 0, kb = -1;
	char *text = read_text("/proc/meminfo"), *p;

	if (text && (p = strstr(text, free_key)))
		kb = strtol(p + strlen(free_key), NULL, 10) + pcp;
	free(text);
	return kb;
}

/*
 * The free figure and the per-CPU lists once they pass floor (or after a while), in
 * kB. The lists first: another CPU may drain them into the buddy lists
 * between the two reads, and read in this order such pages count twice
 * rather than not at all (read the other way round, 2 CPUs missed up to
 * 25 MiB of a 64 MiB carve in 3 of 100 cycles).
 */
static long unloaded_kb(long floor)
{
	long kb = 0;
	int i;

	for (i = 0; i < 50; i++) {
		kb = with_pcp ? 0 : pcp_free_kb();
		kb += pool_free_kb();
		if (kb > floor)
			break;
		usleep(20000);
	}
	return kb;
}

/* The free count once it settles near want (or after a while), in kB */
static long pool_settled(long want)
{
	long kb = pool_free_kb();
	int i;

	for (i = 0; i < 50 && labs(kb - want) > settle_kb; i++) {
		usleep(20000);
		kb = pool_free_kb();
	}
	return kb;
}

static void add_param(char *params, size_t len, const char *name)
{
	char path[128], *v;
	size_t n;

	snprintf(path, sizeof(path), BPBUF_PARAMS "/%s", name);
	v = read_text(path);
	if (!v)
		return;
	n = strcspn(v, "\n");
	v[n] = '\0';
	snprintf(params + strlen(params), len - strlen(params), "%s%s=%s",
		 *params ? " " : "", name, v);
	free(v);
}

static int unload(void)
{
	return bp_unload(200);
}

static int load(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Buffers while loaded: made, mapped, written, checked, destroyed */
static int use_heap(uint64_t *rng)
{
	int dev = bp_open(), fds[4], i, n = 1 + (int)rng_below(rng, 4), ret = 0;

	if (dev < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		uint64_t size = page_size() * (1 + rng_below(rng, 512));
		unsigned char *p;

		ret = bp_alloc(dev, size, 0, BPBUF_ALLOC_CLOEXEC, &fds[i]);
		if (ret)
			break;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
		if (p == MAP_FAILED) {
			ret = -errno;
			close(fds[i]);
			break;
		}
		memset(p, 0xa5, size);
		if (!all_bytes_are(p, size, 0xa5))
			ret = -EIO;
		munmap(p, size);
		if (ret) {
			close(fds[i]);
			break;
		}
	}
	while (i--)
		close(fds[i]);
	close(dev);
	return ret;
}

int main(int argc, char **argv)
{
	long cycles = argc > 1 ? atol(argv[1]) :
		      num_from_env("BPBUF_LOAD_CYCLES", 100);
	const char *ko = getenv("BPBUF_LOAD_MODULE");
	uint64_t rng = 3;
	long baseline, baseline_pcp, unloaded, kb, worst = 0, c;
	char params[512] = "";
	int ret = 0, bad_use = 0, bad_cma = 0, bad_reload = 0;

	ko = ko && *ko ? ko : "/lib/modules/bpbuf.ko";
	tap_plan(4);
	if (access(BPBUF_PARAMS, F_OK) || access(ko, R_OK)) {
		for (c = 0; c < 4; c++)
			tap_skip("load and unload", "bpbuf not loaded or no module file");
		return 0;
	}
	add_param(params, sizeof(params), "heap_size");
	add_param(params, sizeof(params), "heap_source");
	add_param(params, sizeof(params), "dma_bits");
	add_param(params, sizeof(params), "bus_addr_unprivileged");
	add_param(params, sizeof(params), "uid_quota");
	add_param(params, sizeof(params), "dma_heap_name");
	if (bp_heap_is_movable()) {
		free_key = "MemFree:";
		slack_kb = MEM_SLACK_KB;
		settle_kb = MEM_SLACK_KB / 2;
		with_pcp = 1;
	}
	baseline = pool_free_kb();
	baseline_pcp = with_pcp ? 0 : pcp_free_kb();
	printf("# %ld cycles of %s %s; %s %ld kB with the module loaded, %ld kB on per-CPU lists\n",
	       cycles, ko, params, free_key, baseline, baseline_pcp);

	for (c = 0; c < cycles; c++) {
		ret = unload();
		if (ret) {
			printf("# cycle %ld: unload: %s\n", c, strerror(-ret));
			break;
		}
		/*
		 * Unloaded, the carve's pages are back in the page allocator,
		 * partly in per-CPU lists that CmaFree does not count yet (so
		 * they count here), and other users may take them: only a rough
		 * check, which tells a carve that never went back.
		 */
		unloaded = unloaded_kb(baseline + baseline_pcp);
		if (unloaded <= baseline + baseline_pcp) {
			printf("# cycle %ld: unloaded %s and per-CPU lists %ld kB, loaded %ld\n",
			       c, free_key, unloaded, baseline + baseline_pcp);
			bad_cma++;
		}
		ret = load(ko, params);
		if (ret) {
			printf("# cycle %ld: load: %s\n", c, strerror(-ret));
			break;
		}
		if (use_heap(&rng))
			bad_use++;
		kb = pool_settled(baseline);
		if (labs(kb - baseline) > worst)
			worst = labs(kb - baseline);
		if (labs(kb - baseline) > slack_kb)
			bad_reload++;
	}
	if (access(BPBUF_PARAMS, F_OK))	/* leave it loaded, whatever happened */
		load(ko, params);

	kb = pool_settled(baseline);
	tap_ok(c == cycles, "%ld of %ld unload+load cycles (%s)", c, cycles,
	       ret ? strerror(-ret) : "ok");
	tap_ok(!bad_use, "buffers made, mapped, written and freed in every cycle (%d failed)",
	       bad_use);
	tap_ok(!bad_cma && !bad_reload,
	       "%s (with the per-CPU lists) rose at every unload (%d cycles not) and was back at every reload (%d cycles not)",
	       free_key, bad_cma, bad_reload);
	tap_ok(labs(kb - baseline) <= slack_kb,
	       "%s back to its baseline: %ld kB, baseline %ld kB (worst drift %ld kB)",
	       free_key, kb, baseline, worst);
	return tap_exit();
}
