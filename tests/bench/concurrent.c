// SPDX-License-Identifier: GPL-2.0-only
/*
 * 10. Two processes allocating and closing at once, on two CPUs, against
 * one process alone: operations per second for 4 KiB and 1 MiB buffers
 * (medians of rounds that alternate the two), and how contended bpbuf's
 * heap lock was meanwhile (debugfs lock_taken
 * and lock_contended: the share of acquisitions that found it held).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "kmod.h"
#include "scale.h"
#include "stats.h"

#define KiB (1024UL)
#define MiB (1024UL * KiB)

static const size_t sizes[] = { 4 * KiB, 1 * MiB };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* rounds of one process then two; the medians are compared */
#define ROUNDS 3

static double ratio[NSIZES], contended[NSIZES];
static long cpus;

/* alloc+close of @size for @seconds: how many, or -1 */
static long loop(size_t size, double seconds)
{
	uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
	long n = 0;

	while (now_ns() < end) {
		int fd = peers[PEER_BPBUF].alloc(&peers[PEER_BPBUF], size);

		if (fd < 0)
			return -1;
		close(fd);
		n++;
	}
	return n;
}

/* Operations per second of @nproc processes at once, each its own fds */
static double ops_per_s(size_t size, int nproc, double seconds)
{
	long *counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int go[2];
	double total = 0;
	pid_t pid[2];

	if (counts == MAP_FAILED || pipe(go))
		return 0;
	for (int i = 0; i < nproc; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			char c;

			close(go[1]);
			/* its own open file, as a second program would have */
			peers[PEER_BPBUF].dev = open("/dev/bpbuf", O_RDWR | O_CLOEXEC);
			/* all start when the pipe closes */
			if (read(go[0], &c, 1) < 0)
				_exit(1);
			counts[i] = loop(size, seconds);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	for (int i = 0; i < nproc; i++) {
		int status;

		if (pid[i] < 0 || waitpid(pid[i], &status, 0) != pid[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) || counts[i] < 0)
			total = -1e300;
		else
			total += counts[i];
	}
	munmap(counts, 4096);
	return total > 0 ? total / seconds : 0;
}

void scenario_two_processes(void)
{
	double seconds = quick ? 1 : 2;

	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("\n10. Two processes allocating and closing at once, %ld CPUs: operations/s,\n"
	       "    medians of %d rounds of each, alternating\n", cpus, ROUNDS);
	if (cpus < 2) {
		printf("   one CPU: not measured\n");
		return;
	}
	printf("   %-8s %12s %12s %10s %16s\n", "size", "1 process", "2 processes", "2 / 1",
	       "lock contended");
	for (unsigned int s = 0; s < NSIZES; s++) {
		double ones[ROUNDS], twos[ROUNDS], one, two;
		long long taken = 0, cont = 0;

		/* alternating, so that a slow moment of the host hits both */
		for (unsigned int r = 0; r < ROUNDS; r++) {
			long long t0, c0;

			bpbuf_settle();
			ones[r] = ops_per_s(sizes[s], 1, seconds);
			bpbuf_settle();
			t0 = bpbuf_heap_value("lock_taken");
			c0 = bpbuf_heap_value("lock_contended");
			twos[r] = ops_per_s(sizes[s], 2, seconds);
			taken += bpbuf_heap_value("lock_taken") - t0;
			cont += bpbuf_heap_value("lock_contended") - c0;
		}
		one = quantile(ones, ROUNDS, 0.5);
		two = quantile(twos, ROUNDS, 0.5);
		ratio[s] = one > 0 ? two / one : 0;
		contended[s] = taken > 0 ? (double)cont / taken : 0;
		printf("   %-8s %12.0f %12.0f %10s %15.1f%%\n", human(sizes[s]), one, two,
		       ratio_text(ratio[s]), 100 * contended[s]);
		csv("two_processes", "bpbuf", sizes[s], "ops_per_s_1", one);
		csv("two_processes", "bpbuf", sizes[s], "ops_per_s_2", two);
		csv("two_processes", "bpbuf", sizes[s], "lock_contended_pct", 100 * contended[s]);
	}
}

void print_two_process_targets(void)
{
	for (unsigned int s = 0; s < NSIZES; s++) {
		char what[64];

		snprintf(what, sizeof(what), "two processes / one, %s", human(sizes[s]));
		printf("   %-48s %12s   %-22s %s\n", what, ratio_text(ratio[s]), ">= 1.6",
		       cpus < 2 || ratio[s] <= 0 ? "NOT MEASURED" : ratio[s] >= 1.6 ? "met" : "MISSED");
	}
}
