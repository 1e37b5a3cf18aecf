// SPDX-License-Identifier: GPL-2.0-only
/*
 * 6. Allocation under memory pressure: a child takes most available memory
 * with anonymous pages, which the kernel then also places in CMA.
 * bpbuf and the CMA heap each allocate 4 MiB buffers, holding them, up to
 * their own free size: success rate and tail latency.
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
#include "stats.h"

#define CHUNK (4UL << 20)
#define MAX_CHUNKS 256

static double success[PEER_COUNT], p99[PEER_COUNT];

static unsigned long meminfo_kib(const char *key)
{
	char line[128];
	unsigned long v = 0;
	size_t len = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = strtoul(line + len + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
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

static void run(unsigned int k, size_t budget)
{
	unsigned int n = budget / CHUNK, ok = 0, i;
	int fds[MAX_CHUNKS];
	double t[MAX_CHUNKS];

	if (n > MAX_CHUNKS)
		n = MAX_CHUNKS;
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		fds[i] = peers[k].alloc(&peers[k], CHUNK);
		t[i] = (now_ns() - t0) / 1e3;
		ok += fds[i] >= 0;
	}
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	success[k] = 100.0 * ok / n;
	p99[k] = quantile(t, n, 0.99);
	printf("   %-12s %4u x 4 MiB: %5.1f %% succeeded, median %.1f us, p99 %.1f us\n",
	       peers[k].name, n, success[k], quantile(t, n, 0.5), p99[k]);
	csv("pressure", peers[k].name, CHUNK, "success_pct", success[k]);
	csv("pressure", peers[k].name, CHUNK, "p99_us", p99[k]);
}

void scenario_pressure(void)
{
	struct bpbuf_heap_info info = { 0 };
	size_t cma_free = meminfo_kib("CmaFree") * 1024UL;
	unsigned long hog_mib;
	pid_t hog;

	bpbuf_settle();
	ioctl(peers[PEER_BPBUF].dev, BPBUF_IOCTL_HEAP_INFO, &info);
	hog = start_hog(&hog_mib);
	printf("\n6. Allocation under memory pressure (a process holds %lu MiB of anonymous memory)\n", hog_mib);
	if (hog <= 0) {
		printf("   could not start the memory hog: not measured\n");
		if (hog < 0)
			waitpid(-hog, NULL, 0);
		return;
	}
	printf("   CmaFree now %lu MiB (was %zu MiB)\n", meminfo_kib("CmaFree") >> 10, cma_free >> 20);
	run(PEER_BPBUF, info.free_bytes);
	if (peers[PEER_CMA_HEAP].dev >= 0)
		run(PEER_CMA_HEAP, cma_free);
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
}

void print_pressure_target(void)
{
	printf("   %-48s %12.1f   %-22s %s\n", "under pressure: bpbuf success (%)", success[PEER_BPBUF],
	       "100", success[PEER_BPBUF] == 100 ? "met" : "MISSED");
	printf("   %-48s %12.3f   %-22s %s\n", "under pressure: bpbuf p99 / CMA heap p99",
	       p99[PEER_CMA_HEAP] > 0 ? p99[PEER_BPBUF] / p99[PEER_CMA_HEAP] : 0, "far below 1",
	       p99[PEER_CMA_HEAP] <= 0 ? "NOT MEASURED" :
	       p99[PEER_BPBUF] < 0.1 * p99[PEER_CMA_HEAP] ? "met" : "MISSED");
}
