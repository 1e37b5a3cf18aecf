// SPDX-License-Identifier: GPL-2.0-only
/*
 * Print the host's TSC frequency in kHz, measured against CLOCK_MONOTONIC_RAW
 * over a quarter of a second. Under TCG the guest's TSC is the host's own
 * (QEMU's rdtsc reads the host's counter), so run-vm.sh hands this to the
 * guest as tsc_early_khz= and the guest need not calibrate its TSC against
 * the emulated PIT, which fails on a busy host and leaves it a 4 ms clock.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* A (time, TSC) pair from the tightest of several reads: preemption between
 * the two clocks only ever widens the window, so the narrowest is the best.
 */
static void sample(double *ns, uint64_t *tsc)
{
	double best = 1e18;

	for (int i = 0; i < 64; i++) {
		double a = now_ns();
		uint64_t t = __rdtsc();
		double b = now_ns();

		if (b - a < best) {
			best = b - a;
			*ns = (a + b) / 2;
			*tsc = t;
		}
	}
}

int main(void)
{
	struct timespec quarter = { 0, 250000000 };
	double ns0, ns1;
	uint64_t tsc0, tsc1;

	sample(&ns0, &tsc0);
	nanosleep(&quarter, NULL);
	sample(&ns1, &tsc1);
	if (ns1 <= ns0 || tsc1 <= tsc0)
		return 1;
	printf("%.0f\n", (double)(tsc1 - tsc0) / (ns1 - ns0) * 1e6);
	return 0;
}
