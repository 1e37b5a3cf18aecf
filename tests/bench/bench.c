// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf-bench: bpbuf side by side with the kernel's CMA heap, system heap and
 * udmabuf, and with the memory's own limits (memset, malloc'd memory), in one
 * run. Prints tables with ratios, the targets of the performance issue, and
 * every figure again as "csv," lines for the plot.
 *
 *   bpbuf-bench [--quick]
 *   bpbuf-bench [--quick] --scale MODULE
 *
 * Run it inside the VM on the non-debug kernel: scripts/bench.sh. The
 * first form is scenarios 1 to 6 and 11 (disk.c), with bpbuf loaded; the
 * second the scale scenarios 7 to 10 (scale.c), which load bpbuf from
 * MODULE themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "kmod.h"
#include "peers.h"
#include "scale.h"
#include "stats.h"

#define KiB (1024UL)
#define MiB (1024UL * KiB)

static const size_t latency_sizes[] = { 4 * KiB, 64 * KiB, 1 * MiB, 4 * MiB, 16 * MiB, 64 * MiB };
#define NSIZES (sizeof(latency_sizes) / sizeof(latency_sizes[0]))
static const size_t touch_sizes[] = { 1 * MiB, 16 * MiB, 64 * MiB };
#define NTOUCH (sizeof(touch_sizes) / sizeof(touch_sizes[0]))

struct peer peers[PEER_COUNT];
int quick;

/* What the targets are judged on, filled in by the scenarios. */
static double lat_median[PEER_COUNT][NSIZES], floor_median[NSIZES];
static double touch_time[PEER_COUNT][NTOUCH], touch_faults[PEER_COUNT][NTOUCH];
static double stream_ratio_write, stream_ratio_read;

/* Kept aside and printed after the tables, one "csv," line per figure. */
static char *csv_text;
static size_t csv_len;
static FILE *csv_out;

void csv(const char *scenario, const char *who, size_t size, const char *metric, double value)
{
	if (!csv_out)
		csv_out = open_memstream(&csv_text, &csv_len);
	fprintf(csv_out, "csv,%s,%s,%zu,%s,%.3f\n", scenario, who, size, metric, value);
}

const char *human(size_t size)
{
	static char buf[4][24];
	static int i;
	char *b = buf[i++ % 4];

	if (size >= MiB)
		snprintf(b, sizeof(buf[0]), "%zu MiB", size / MiB);
	else
		snprintf(b, sizeof(buf[0]), "%zu KiB", size / KiB);
	return b;
}

/*
 * Wait until bpbuf's background zeroer has cleaned every free byte, as its
 * debugfs heap file tells ("free:" and "clean:"), at most 10 s. Called
 * before each scenario and after each of bpbuf's measurements, so that
 * zeroing left over from bpbuf does not run during another allocator's
 * measurement (or the memory's own), which would slow that one down in
 * bpbuf's favour. bpbuf's own figures still include whatever its zeroer
 * does while they are taken.
 */
void bpbuf_settle(void)
{
	for (int i = 0; i < 1000; i++) {
		unsigned long long free_bytes = 0, clean = 0;
		char line[128];
		int got = 0;
		FILE *f = fopen("/sys/kernel/debug/bpbuf/heap", "r");

		if (!f)
			return;
		while (fgets(line, sizeof(line), f))
			got += sscanf(line, "free: %llu", &free_bytes) == 1 ||
			       sscanf(line, "clean: %llu", &clean) == 1;
		fclose(f);
		if (got < 2 || free_bytes == clean)
			return;
		usleep(10000);
	}
}

static unsigned int reps_for(size_t size)
{
	unsigned long reps = (quick ? 256 : 1024) * MiB / size;

	if (reps > 500)
		reps = 500;
	if (reps < (quick ? 5 : 20))
		reps = quick ? 5 : 20;
	return reps;
}

/*
 * A guest without a usable TSC (run-vm.sh could not give it the host's rate,
 * and calibrating it against the PIT failed on a loaded host) falls back to
 * a jiffies clocksource: every figure would then be a multiple of a tick.
 */
static int coarse_clock(void)
{
	char name[64] = "";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");

	if (!f)
		return 0;
	if (!fgets(name, sizeof(name), f))
		name[0] = 0;
	fclose(f);
	if (!strstr(name, "jiffies"))
		return 0;
	printf("bpbuf-bench: the clocksource is %s", name);
	printf("bpbuf-bench: timings would be whole ticks: not measured\n");
	return 1;
}

void *touched_buffer(size_t size)
{
	void *p = aligned_alloc(2 * MiB, size);

	if (!p) {
		perror("aligned_alloc");
		exit(1);
	}
	memset(p, 1, size);
	return p;
}

/* 4. The zeroing floor: memset of memory that is already mapped. */
static void scenario_floor(void)
{
	unsigned int i, s;

	bpbuf_settle();
	printf("\n4. Zeroing floor: memset of an already-mapped buffer\n");
	printf("   %-8s %12s %10s\n", "size", "median us", "GB/s");
	for (s = 0; s < NSIZES; s++) {
		size_t size = latency_sizes[s];
		unsigned int reps = reps_for(size);
		double *t = calloc(reps, sizeof(*t));
		char *p = touched_buffer(size);

		for (i = 0; i < reps; i++) {
			uint64_t t0 = now_ns();

			memset(p, 0, size);
			__asm__ volatile("" : : "r"(p) : "memory");
			t[i] = (now_ns() - t0) / 1e3;
		}
		floor_median[s] = quantile(t, reps, 0.5);
		printf("   %-8s %12.1f %10.2f\n", human(size), floor_median[s],
		       size / floor_median[s] / 1e3);
		csv("floor", "memset", size, "median_us", floor_median[s]);
		free(p);
		free(t);
	}
}

/* 1. alloc + close latency, each allocator, each size. */
static void scenario_latency(void)
{
	unsigned int i, s, k;

	printf("\n1. alloc+close latency, median / p99 in us (ratio: bpbuf to the CMA heap, to the memset floor)\n");
	printf("   %-8s", "size");
	for (k = 0; k < PEER_COUNT; k++)
		printf(" %19s", peers[k].name);
	printf(" %10s %10s\n", "bpbuf/cma", "bpbuf/flr");
	for (s = 0; s < NSIZES; s++) {
		size_t size = latency_sizes[s];
		unsigned int reps = reps_for(size);
		double *t = calloc(reps, sizeof(*t));

		printf("   %-8s", human(size));
		for (k = 0; k < PEER_COUNT; k++) {
			unsigned int ok = 0;
			double p99;

			lat_median[k][s] = 0;
			if (peers[k].dev < 0) {
				printf(" %19s", "-");
				continue;
			}
			bpbuf_settle();
			for (i = 0; i < reps; i++) {
				uint64_t t0 = now_ns();
				int fd = peers[k].alloc(&peers[k], size);

				if (fd < 0)
					break;
				close(fd);
				t[ok++] = (now_ns() - t0) / 1e3;
			}
			bpbuf_settle();
			if (!ok) {
				printf(" %19s", "fails");
				continue;
			}
			lat_median[k][s] = quantile(t, ok, 0.5);
			p99 = quantile(t, ok, 0.99);
			printf(" %9.1f/%9.1f", lat_median[k][s], p99);
			csv("latency", peers[k].name, size, "median_us", lat_median[k][s]);
			csv("latency", peers[k].name, size, "p99_us", p99);
		}
		print_ratio(lat_median[PEER_BPBUF][s], lat_median[PEER_CMA_HEAP][s]);
		print_ratio(lat_median[PEER_BPBUF][s], floor_median[s]);
		printf("\n");
		free(t);
	}
}

/* A ratio to three decimals, or to three digits where those would be 0.000 */
const char *ratio_text(double r)
{
	static char buf[4][24];
	static int i;
	char *b = buf[i++ % 4];

	snprintf(b, sizeof(buf[0]), r > 0 && r < 0.01 ? "%.2e" : "%.3f", r);
	return b;
}

void print_ratio(double ours, double theirs)
{
	if (ours > 0 && theirs > 0)
		printf(" %10s", ratio_text(ours / theirs));
	else
		printf(" %10s", "-");
}

double floor_us(size_t size)
{
	for (unsigned int s = 0; s < NSIZES; s++)
		if (latency_sizes[s] == size)
			return floor_median[s];
	return 0;
}

/*
 * The peers' buffers mapped where mmap() puts them; bpbuf's where libbpbuf
 * puts them, at an address aligned to the largest page-table entry the
 * buffer can use (so with PMD entries where the kernel has them). NULL on
 * failure.
 */
static char *map_like_libbpbuf(unsigned int k, int fd, size_t size)
{
	char *p;

	if (k == PEER_BPBUF)
		return map_aligned(fd, size, bpbuf_map_align(peers[k].dev, size), 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* 2. mmap + one write per 4 KiB: time and page faults. */
static void scenario_touch(void)
{
	unsigned int s, k, r, reps = quick ? 3 : 7;

	printf("\n2. mmap + first touch (one write per 4 KiB): median ms, minor faults\n");
	printf("   %-8s", "size");
	for (k = 0; k < PEER_COUNT; k++)
		printf(" %19s", peers[k].name);
	printf(" %10s\n", "bpbuf/cma");
	for (s = 0; s < NTOUCH; s++) {
		size_t size = touch_sizes[s];

		printf("   %-8s", human(size));
		for (k = 0; k < PEER_COUNT; k++) {
			double t[16];
			long faults = 0;
			unsigned int ok = 0;

			touch_time[k][s] = 0;
			bpbuf_settle();
			for (r = 0; peers[k].dev >= 0 && r < reps; r++) {
				int fd = peers[k].alloc(&peers[k], size);
				uint64_t t0;
				long f0;
				char *p;

				if (fd < 0)
					break;
				f0 = minor_faults();
				t0 = now_ns();
				p = map_like_libbpbuf(k, fd, size);
				if (p) {
					for (size_t off = 0; off < size; off += 4096)
						p[off] = 1;
					t[ok++] = (now_ns() - t0) / 1e6;
					faults = minor_faults() - f0;
					munmap(p, size);
				}
				close(fd);
			}
			if (!ok) {
				printf(" %19s", peers[k].dev < 0 ? "-" : "fails");
				continue;
			}
			touch_time[k][s] = quantile(t, ok, 0.5);
			touch_faults[k][s] = faults;
			printf(" %9.2f/%9ld", touch_time[k][s], faults);
			csv("touch", peers[k].name, size, "median_ms", touch_time[k][s]);
			csv("touch", peers[k].name, size, "faults", faults);
		}
		print_ratio(touch_time[PEER_BPBUF][s], touch_time[PEER_CMA_HEAP][s]);
		printf("\n");
	}
}

static __attribute__((noinline)) void write_words(uint64_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = i;
}

static __attribute__((noinline)) uint64_t read_words(const uint64_t *p, size_t n)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

/* Best of a few passes, in GB/s (aligned 8-byte words: Device memory too). */
void stream(void *p, size_t size, double *write_gbs, double *read_gbs)
{
	size_t n = size / sizeof(uint64_t);
	double best_w = 0, best_r = 0;
	volatile uint64_t sink;

	for (int r = 0; r < (quick ? 3 : 7); r++) {
		uint64_t t0 = now_ns(), t1, t2;

		write_words(p, n);
		t1 = now_ns();
		sink = read_words(p, n);
		t2 = now_ns();
		(void)sink;
		if (size / (double)(t1 - t0) > best_w)
			best_w = size / (double)(t1 - t0);
		if (size / (double)(t2 - t1) > best_r)
			best_r = size / (double)(t2 - t1);
	}
	*write_gbs = best_w;
	*read_gbs = best_r;
}

/* 3. Streaming through the mapping, against the same loop on malloc'd memory. */
static void scenario_stream(void)
{
	size_t size = 16 * MiB;
	double mw, mr, w, r;
	void *m = touched_buffer(size);
	unsigned int k;

	bpbuf_settle();
	stream(m, size, &mw, &mr);
	free(m);
	printf("\n3. Streaming through the mapping, %s, best GB/s (ratio to malloc'd memory)\n", human(size));
	printf("   %-12s %10s %10s %10s %10s\n", "memory", "write", "read", "write/mal", "read/mal");
	printf("   %-12s %10.2f %10.2f\n", "malloc", mw, mr);
	csv("stream", "malloc", size, "write_gbs", mw);
	csv("stream", "malloc", size, "read_gbs", mr);
	for (k = 0; k < PEER_COUNT; k++) {
		int fd;
		void *p;

		bpbuf_settle();
		fd = peers[k].dev >= 0 ? peers[k].alloc(&peers[k], size) : -1;
		if (fd < 0)
			continue;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED) {
			stream(p, size, &w, &r);
			printf("   %-12s %10.2f %10.2f %10.3f %10.3f\n", peers[k].name, w, r, w / mw, r / mr);
			csv("stream", peers[k].name, size, "write_gbs", w);
			csv("stream", peers[k].name, size, "read_gbs", r);
			if (k == PEER_BPBUF) {
				stream_ratio_write = w / mw;
				stream_ratio_read = r / mr;
			}
			munmap(p, size);
		}
		close(fd);
	}
}

static void target(const char *what, double value, const char *goal, int met)
{
	printf("   %-48s %12s   %-22s %s\n", what, ratio_text(value), goal,
	       value <= 0 ? "NOT MEASURED" : met ? "met" : "MISSED");
}

static void print_targets(void)
{
	/* 16 MiB is latency_sizes[4], 64 MiB touch_sizes[2]. */
	double lat = lat_median[PEER_BPBUF][4], cma = lat_median[PEER_CMA_HEAP][4];
	double tb = touch_time[PEER_BPBUF][2], tc = touch_time[PEER_CMA_HEAP][2];
	double faults_per_2m = touch_faults[PEER_BPBUF][2] / 32.0;

	printf("\nTargets (performance issue)\n");
	target("alloc+close 16 MiB: bpbuf / CMA heap", cma > 0 ? lat / cma : 0, "<= 0.1", lat / cma <= 0.1);
	target("alloc+close 16 MiB: bpbuf / memset floor", lat / floor_median[4], "< 1", lat < floor_median[4]);
	target("mmap+touch 64 MiB: bpbuf / CMA heap", tc > 0 ? tb / tc : 0, "<= 0.2", tb / tc <= 0.2);
	printf("   %-48s %12s   %-22s %s\n", "page faults per 2 MiB, 64 MiB mmap+touch",
	       ratio_text(faults_per_2m), "<= 1", tb > 0 && faults_per_2m <= 1 ? "met" : "MISSED");
	target("streaming write: bpbuf / malloc", stream_ratio_write, ">= 0.95", stream_ratio_write >= 0.95);
	target("streaming read: bpbuf / malloc", stream_ratio_read, ">= 0.95", stream_ratio_read >= 0.95);
	print_sync_target();
	print_pressure_target();
}

int main(int argc, char **argv)
{
	unsigned int k;

	const char *scale_module = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = 1;
		} else if (!strcmp(argv[i], "--scale") && i + 1 < argc) {
			scale_module = argv[++i];
		} else {
			fprintf(stderr, "usage: bpbuf-bench [--quick] [--scale MODULE]\n");
			return 1;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (coarse_clock())
		return 2;
	peers_open(peers);
	if (scale_module) {
		int ret = scale_main(scale_module);

		if (csv_out) {
			fclose(csv_out);
			fputs(csv_text, stdout);
		}
		return ret;
	}
	printf("bpbuf-bench: %s run, %ld CPUs; allocators:", quick ? "quick" : "full",
	       sysconf(_SC_NPROCESSORS_ONLN));
	for (k = 0; k < PEER_COUNT; k++)
		printf(" %s (%s%s)", peers[k].name, peers[k].node,
		       peers[k].dev < 0 ? ": absent" : "");
	printf("\n");
	if (peers[PEER_BPBUF].dev < 0) {
		fprintf(stderr, "bpbuf-bench: cannot open /dev/bpbuf: %s\n", strerror(errno));
		return 1;
	}
	scenario_floor();
	scenario_latency();
	scenario_reuse();
	scenario_touch();
	scenario_stream();
	scenario_sync();
	scenario_pressure();
	scenario_disk();
	scenario_cpu_modes();
	print_targets();
	if (csv_out) {
		fclose(csv_out);
		fputs(csv_text, stdout);
	}
	return 0;
}
