// SPDX-License-Identifier: GPL-2.0-only
/*
 * 6. Allocation under memory pressure: a child takes most available memory
 * with anonymous pages, which the kernel then also places in CMA.
 * bpbuf and the CMA heap each allocate 4 MiB buffers, holding them, up to
 * their own free size, a few rounds: success rate and tail latency.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "bpbuf.h"
#include "bpbuf_test.h"
#include "stats.h"

#define CHUNK (4UL << 20)
#define MAX_CHUNKS 256
#define ROUNDS 4

static double success[PEER_COUNT], p99[PEER_COUNT];

static unsigned long meminfo_kib(const char *key)
{
	long long v = bp_file_value("/proc/meminfo", key);

	return v < 0 ? 0 : (unsigned long)v;
}

/*
 * The child that keeps memory busy until it is killed. It leaves free what
 * CMA holds plus 256 MiB: once free memory runs low the kernel puts movable
 * pages in CMA too, so the CMA heap has to migrate them away, and there is
 * still room to migrate them to (taking all of it makes the CMA heap's
 * migrations fail, with page allocation failure reports).
 */
static pid_t start_hog(unsigned long *hog_mib)
{
	size_t avail = meminfo_kib("MemAvailable") * 1024UL;
	size_t keep = meminfo_kib("CmaFree") * 1024UL + (256UL << 20);
	size_t size = avail > keep ? avail - keep : 0;
	int pipefd[2];
	pid_t pid;
	char c;

	*hog_mib = size >> 20;
	if (!size || pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			for (size_t off = 0; off < size; off += 4096)
				p[off] = 1;
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1)
		pid = -pid;
	close(pipefd[0]);
	return pid;
}

/* Allocation times of every round, per allocator */
struct samples {
	double t[ROUNDS * MAX_CHUNKS];
	unsigned int n, ok;
};

static struct samples samples[PEER_COUNT];

/* Allocate 4 MiB buffers up to budget, holding them; then free them all */
static void fill(unsigned int k, size_t budget)
{
	unsigned int n = budget / CHUNK, i;
	struct samples *s = &samples[k];
	int fds[MAX_CHUNKS];

	if (n > MAX_CHUNKS)
		n = MAX_CHUNKS;
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		fds[i] = peers[k].alloc(&peers[k], CHUNK);
		s->t[s->n++] = (now_ns() - t0) / 1e3;
		s->ok += fds[i] >= 0;
	}
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void report(unsigned int k)
{
	struct samples *s = &samples[k];

	if (!s->n)
		return;
	success[k] = 100.0 * s->ok / s->n;
	p99[k] = quantile(s->t, s->n, 0.99);
	printf("   %-12s %4u x 4 MiB: %5.1f %% succeeded, median %.1f us, p99 %.1f us, max %.1f us\n",
	       peers[k].name, s->n, success[k], quantile(s->t, s->n, 0.5), p99[k],
	       quantile(s->t, s->n, 1));
	csv("pressure", peers[k].name, CHUNK, "success_pct", success[k]);
	csv("pressure", peers[k].name, CHUNK, "p99_us", p99[k]);
}

/*
 * Each round starts a hog, fills bpbuf up to its free size and the CMA heap
 * up to what CMA had free, and stops the hog: a p99 needs more samples
 * than one heap holds buffers.
 */
void scenario_pressure(void)
{
	struct bpbuf_heap_info info = { 0 };
	size_t cma_free = meminfo_kib("CmaFree") * 1024UL;
	unsigned long hog_mib = 0;
	unsigned int round, rounds = quick ? 1 : ROUNDS;
	pid_t hog;

	bpbuf_settle();
	ioctl(peers[PEER_BPBUF].dev, BPBUF_IOCTL_HEAP_INFO, &info);
	printf("\n6. Allocation under memory pressure, %u rounds\n", rounds);
	for (round = 0; round < rounds; round++) {
		hog = start_hog(&hog_mib);
		if (hog <= 0) {
			printf("   could not start the memory hog: not measured\n");
			if (hog < 0)
				waitpid(-hog, NULL, 0);
			return;
		}
		printf("   round %u: a process holds %lu MiB of anonymous memory; CmaFree now %lu MiB (was %zu MiB)\n",
		       round + 1, hog_mib, meminfo_kib("CmaFree") >> 10, cma_free >> 20);
		bpbuf_settle();
		fill(PEER_BPBUF, info.free_bytes);
		if (peers[PEER_CMA_HEAP].dev >= 0)
			fill(PEER_CMA_HEAP, cma_free);
		kill(hog, SIGKILL);
		waitpid(hog, NULL, 0);
	}
	report(PEER_BPBUF);
	report(PEER_CMA_HEAP);
}

void print_pressure_target(void)
{
	printf("   %-48s %12.1f   %-22s %s\n", "under pressure: bpbuf success (%)", success[PEER_BPBUF],
	       "100", success[PEER_BPBUF] == 100 ? "met" : "MISSED");
	printf("   %-48s %12s   %-22s %s\n", "under pressure: bpbuf p99 / CMA heap p99",
	       ratio_text(p99[PEER_CMA_HEAP] > 0 ? p99[PEER_BPBUF] / p99[PEER_CMA_HEAP] : 0), "far below 1",
	       p99[PEER_CMA_HEAP] <= 0 ? "NOT MEASURED" :
	       p99[PEER_BPBUF] < 0.1 * p99[PEER_CMA_HEAP] ? "met" : "MISSED");
}
