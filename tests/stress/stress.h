/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the reliability and security programs (tests/stress/): many
 * processes at once (stress), the ioctl and mapping fuzzer (fuzz), fault
 * injection (faults), release and allocation races (races), module
 * unload and reload (loadunload) and the security model (security). This
 * is their TAP output, a seeded PRNG, time bounds, heap checks and
 * dropping privileges. The programs run as steps inside the VM
 * (tests/vm/), as root; the rig reads their TAP as the kselftest
 * programs', checking the plan against the results.
 *
 * Why not the kselftest harness, as tests/kselftest/ has: the harness
 * forks a fresh process from its runner for every TEST and gives each
 * TEST one result, while these make one costly run and give several
 * verdicts on it.
 * - stress (4 verdicts), fuzz (5), faults (5) and loadunload (4) each
 *   make a single run, bounded by a time or a count given at run time
 *   (argv or BPBUF_*_SECONDS, BPBUF_*_CYCLES: fuzz 400 s and faults
 *   150 s by default), and then judge it several ways ("every pattern
 *   intact", "heap whole at the end", "only documented errnos from bpbuf").
 *   TESTs cannot share a run, so as TESTs the verdicts would become one
 *   result per program, or the run would be repeated once per verdict.
 *   The harness would also kill each at a timeout fixed when it is
 *   compiled (30 s, or TEST_F_TIMEOUT's), not at the bound asked for.
 * - stress and fuzz count in forked worker processes, into shared memory
 *   (fuzz also each process on its own), and the parent judges the counts
 *   after reaping them. EXPECT_* and ASSERT_* count only in the TEST's
 *   own process, so in the workers the counting is home-made whatever
 *   runs the parent.
 * - races is three runs of SECONDS/3 each (release against munmap and
 *   close; the same with vgem importing; many threads allocating, judged
 *   twice), and security one ordered scenario of 22 steps over state
 *   they share: the node's group, uid_quota, a process of nobody holding
 *   3 MiB from step 12 to step 19 and its charges. These two would fit
 *   the harness as TESTs with fixtures that rebuild that state for each;
 *   they stay here, with the others, until rewritten so.
 */
#ifndef BPBUF_STRESS_H
#define BPBUF_STRESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <time.h>

#include <sys/socket.h>
#include <sys/uio.h>

#include "bpbuf_test.h"

static int tap_count, tap_failed;
static double tap_start;

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void tap_plan(int n)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_start = now_s();
	printf("1..%d\n", n);
}

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static inline bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

static inline void tap_skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++tap_count, what, why);
	fflush(stdout);
}

static inline int tap_exit(void)
{
	printf("# took %.1f s\n", now_s() - tap_start);
	return tap_failed ? 1 : 0;
}

/* xorshift64*: small, fast, and the same sequence for the same seed */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

/* A seed from the environment variable name (decimal or 0x hex), else def */
static inline uint64_t seed_from_env(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static inline long long num_from_env(const char *name, long long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoll(v, NULL, 0) : def;
}

/* Heap back to idle and whole: no buffer alive, free bytes == size */
static inline bool heap_whole(int dev, struct bpbuf_heap_info *info)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (bp_heap_info(dev, info))
			return false;
		if (!info->live_buffers && info->free_bytes == info->heap_size)
			return true;
		usleep(10000);
	}
	return false;
}

/* One TAP result: the heap is whole @when ("at the end", ...) */
static inline void tap_heap_whole(int dev, const char *when)
{
	struct bpbuf_heap_info info = { 0 };
	bool whole = heap_whole(dev, &info);

	tap_ok(whole, "heap whole %s: free %llu of %llu bytes, %u buffers alive",
	       when, (unsigned long long)info.free_bytes,
	       (unsigned long long)info.heap_size, info.live_buffers);
}

/* Write a file under /proc, /sys or debugfs; 0 or -errno */
static inline int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* Bytes charged to uid in <debugfs>/bpbuf/accounting, 0 if none, -1 */
static inline long long acct_uid_bytes(unsigned int uid)
{
	char *text = read_text(BPBUF_DEBUGFS "/accounting"), *line;
	long long bytes = 0;
	bool in_uids = false;

	if (!text)
		return -1;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned int u, n;
		unsigned long long b;

		if (!strncmp(line, "uid\t", 4)) {
			in_uids = true;
			continue;
		}
		if (!strncmp(line, "pid\t", 4))
			break;
		if (in_uids && sscanf(line, "%u\t%llu\t%u", &u, &b, &n) == 3 &&
		    u == uid)
			bytes = (long long)b;
	}
	free(text);
	return bytes;
}

/* Bytes charged to process pid in <debugfs>/bpbuf/accounting, 0, -1 */
static inline long long acct_pid_bytes(int pid)
{
	char *text = read_text(BPBUF_DEBUGFS "/accounting"), *line;
	long long bytes = 0;
	bool in_pids = false;

	if (!text)
		return -1;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long long b;
		unsigned int u, n;
		char comm[32];
		int p;

		if (!strncmp(line, "pid\t", 4)) {
			in_pids = true;
			continue;
		}
		if (in_pids && sscanf(line, "%d\t%31[^\t]\t%u\t%llu\t%u", &p,
				      comm, &u, &b, &n) == 5 && p == pid)
			bytes = (long long)b;
	}
	free(text);
	return bytes;
}

/* Kernel address or an unmapped one: what a hostile caller passes */
#define BAD_PTR_KERNEL	((void *)0xffff888000000000ULL)

/* Pass one fd over a Unix socket (SCM_RIGHTS): 0 or -errno */
static inline int stress_send_fd(int sock, int fd, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, flags) == 1 ? 0 : -errno;
}

/* The fd passed by stress_send_fd() (close-on-exec), or -1 */
static inline int stress_recv_fd(int sock, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

#endif /* BPBUF_STRESS_H */
