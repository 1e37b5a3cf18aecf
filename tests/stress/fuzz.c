// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl and mapping fuzzer for /dev/bpbuf, /dev/dma_heap/bpbuf (when there)
 * and bpbuf's dma-buf fds: random ioctl numbers in bpbuf's range, the
 * dma-heap's and dma-buf's, random struct contents and sizes, random fds
 * (bpbuf's, other dma-bufs, pipes, eventfds, memfds, sockets, closed ones),
 * and random mmap, munmap and mremap ranges on bpbuf fds. Two processes
 * share the fds, so calls also race each other.
 *
 *   fuzz [SEED]   (or BPBUF_FUZZ_SEED; default below, printed)
 *   BPBUF_FUZZ_CALLS (default 1000000, both processes together)
 *   BPBUF_FUZZ_SECONDS (default 400: the bound; fewer calls then fail;
 *   the x86 debug kernel under TCG needs about 45 s, Debian's arm64
 *   kernel under TCG on 2 CPUs about 25 s)
 *
 * It checks that bpbuf only answers with documented errnos, that a mapping
 * bpbuf granted can be read and written in full, and that the heap is whole
 * at the end; the rig checks the kernel log and kmemleak.
 */
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "stress.h"

#define DEFAULT_SEED	0xb9b0f7ULL
#define NPROCS		2
#define POOL		24
#define ARG_SIZE	(2 * 4096)

struct counts {
	unsigned long calls, ioctls, ok, maps, mremaps, munmaps, allocs;
	unsigned long bad_errno, bad_fault;
	unsigned long last_bad_cmd, last_bad_errno;
	/*
	 * Each process's own count (its calls made, stored by it alone), and
	 * whether the time bound stopped it. The verdict counts these: the
	 * shared atomic counter above lost increments on 2 vCPUs under arm64
	 * TCG (999617 of 1000000 while each process made all of its 500000).
	 */
	unsigned long proc_calls[NPROCS];
	int proc_bounded[NPROCS];
};

static struct counts *cnt;
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t expect_fault;

static void on_fault(int sig)
{
	if (expect_fault)
		siglongjmp(fault_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

enum kind { K_BPBUF_DEV, K_HEAP_DEV, K_BUF, K_OTHER };

struct slot {
	int fd;
	enum kind kind;
};

static struct slot pool[POOL];
static int dev_fd, heap_fd = -1;
static uint64_t rng;
static unsigned char *arg;	/* ARG_SIZE bytes, an unmapped page after */

static int bpbuf_alloc_fd(uint64_t size)
{
	int fd;

	return bp_alloc(dev_fd, size, 0, BPBUF_ALLOC_CLOEXEC, &fd) ? -1 : fd;
}

static int other_fd(void)
{
	int p[2];

	switch (rng_below(&rng, 6)) {
	case 0:
		return eventfd(0, EFD_CLOEXEC);
	case 1:
		return memfd_create("fuzz", MFD_CLOEXEC);
	case 2:
		if (pipe2(p, O_CLOEXEC))
			return -1;
		close(p[1]);
		return p[0];
	case 3:
		return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	case 4:
		return open("/dev/null", O_RDWR | O_CLOEXEC);
	default:
		return bp_open();	/* another /dev/bpbuf file */
	}
}

static void refill(int i)
{
	if (pool[i].fd >= 0 && pool[i].fd != dev_fd && pool[i].fd != heap_fd)
		close(pool[i].fd);
	switch (rng_below(&rng, 4)) {
	case 0:
	case 1:
		pool[i].fd = bpbuf_alloc_fd((1 + rng_below(&rng, 16)) * page_size());
		pool[i].kind = K_BUF;
		break;
	case 2:
		pool[i].fd = other_fd();
		pool[i].kind = K_OTHER;
		break;
	default:
		pool[i].fd = rng_below(&rng, 2) ? dev_fd : heap_fd;
		pool[i].kind = pool[i].fd == dev_fd ? K_BPBUF_DEV : K_HEAP_DEV;
		break;
	}
}

static int random_fd_value(void)
{
	switch (rng_below(&rng, 8)) {
	case 0:
		return -1;
	case 1:
		return (int)rng_next(&rng);
	case 2:
		return 1000;	/* closed */
	default:
		return pool[rng_below(&rng, POOL)].fd;
	}
}

static unsigned int random_cmd(void)
{
	unsigned int dir = (unsigned int)rng_below(&rng, 4), nr, type, size;

	switch (rng_below(&rng, 10)) {
	case 0:
	case 1:
		type = 'H';	/* dma-heap */
		nr = (unsigned int)rng_below(&rng, 4);
		break;
	case 2:
		type = 'b';	/* dma-buf */
		nr = (unsigned int)rng_below(&rng, 4);
		break;
	case 3:
		type = (unsigned int)rng_below(&rng, 256);
		nr = (unsigned int)rng_below(&rng, 256);
		break;
	default:
		type = BPBUF_IOCTL_BASE;
		nr = BPBUF_IOCTL_NR_FIRST - 2 + (unsigned int)rng_below(&rng, 0x24);
		break;
	}
	if (rng_below(&rng, 2)) {
		static const unsigned int sizes[] = {
			8, 16, 24, 48, 56, 64, 72, 128, 4096,
		};
		size = sizes[rng_below(&rng, 9)];
		if (rng_below(&rng, 3) == 0)
			size += (unsigned int)rng_below(&rng, 17) - 8;
	} else {
		size = (unsigned int)rng_below(&rng, 1 << 14);
	}
	if (rng_below(&rng, 4))
		dir = _IOC_READ | _IOC_WRITE;
	return _IOC(dir, type, nr, size & _IOC_SIZEMASK);
}

/* Random struct: bytes, or words drawn from values that matter */
static void fill_arg(unsigned int size)
{
	uint64_t *w = (uint64_t *)arg;
	unsigned int i, n = (size < 128 ? size : 128) / 8 + 1;

	/* past the first 128 bytes: what earlier calls left, random too */
	for (i = 0; i < n; i++) {
		switch (rng_below(&rng, 8)) {
		case 0:
			w[i] = rng_next(&rng);
			break;
		case 1:
			w[i] = (uint32_t)random_fd_value() |
			       (rng_below(&rng, 2) ? 0 : rng_next(&rng) << 32);
			break;
		case 2:
			w[i] = (1ULL << rng_below(&rng, 64)) - rng_below(&rng, 2);
			break;
		case 3:
			w[i] = (uint64_t)(uintptr_t)arg + rng_below(&rng, ARG_SIZE + 64);
			break;
		case 4:
			w[i] = page_size() * rng_below(&rng, 64);
			break;
		default:
			w[i] = rng_below(&rng, 3) ? 0 : rng_below(&rng, 16);
			break;
		}
	}
}

/* errnos bpbuf documents (the dma-heap node's included) */
static bool documented(int e)
{
	switch (e) {
	case ENOTTY: case EINVAL: case E2BIG: case EFAULT: case ENOMEM:
	case EPERM: case EBADF: case EXDEV: case EMFILE: case EDQUOT:
	case EINTR: case ENODEV: case ENOENT:
		return true;
	default:
		return false;
	}
}

static void fuzz_ioctl(void)
{
	struct slot *s = &pool[rng_below(&rng, POOL)];
	unsigned int cmd = random_cmd();
	void *p = arg;
	long ret;

	/* any number for bpbuf's files; only bpbuf-ish ones for the others */
	if (s->kind == K_OTHER && _IOC_TYPE(cmd) != BPBUF_IOCTL_BASE &&
	    _IOC_TYPE(cmd) != 'H')
		cmd = _IOC(_IOC_DIR(cmd), BPBUF_IOCTL_BASE, _IOC_NR(cmd), _IOC_SIZE(cmd));

	fill_arg(_IOC_SIZE(cmd));
	switch (rng_below(&rng, 16)) {
	case 0:
		p = NULL;
		break;
	case 1:
		p = BAD_PTR_KERNEL;
		break;
	case 2:		/* runs into the unmapped page */
		p = arg + ARG_SIZE - rng_below(&rng, 64);
		break;
	}
	cnt->ioctls++;
	ret = ioctl(s->fd, cmd, p);
	if (ret < 0 && (s->kind == K_BPBUF_DEV || s->kind == K_BUF) &&
	    !documented(errno) && !(s->kind == K_BUF && errno == ENOTTY)) {
		/* dma-buf's own ioctls have their own errnos (EBUSY...) */
		if (!(s->kind == K_BUF && _IOC_TYPE(cmd) == 'b')) {
			cnt->bad_errno++;
			cnt->last_bad_cmd = cmd;
			cnt->last_bad_errno = errno;
		}
	}
	if (ret >= 0) {
		cnt->ok++;
		/* an allocation made an fd: keep it in the pool */
		if (p == arg && (cmd == BPBUF_IOCTL_ALLOC ||
				 _IOC_NR(cmd) == _IOC_NR(BPBUF_IOCTL_ALLOC))) {
			struct bpbuf_alloc *a = (void *)arg;
			int i = (int)rng_below(&rng, POOL);

			if (s->kind == K_BPBUF_DEV && _IOC_TYPE(cmd) == BPBUF_IOCTL_BASE &&
			    fcntl((int)a->fd, F_GETFD) >= 0 && (int)a->fd > 2) {
				cnt->allocs++;
				if (pool[i].fd != dev_fd && pool[i].fd != heap_fd &&
				    pool[i].fd >= 0)
					close(pool[i].fd);
				pool[i].fd = (int)a->fd;
				pool[i].kind = K_BUF;
			}
		}
	}
}

/* Read the ends of a mapping and write its middle; false on a fault */
static __attribute__((noinline)) bool touch(unsigned char *m, size_t len,
					    bool write)
{
	bool ok = true;

	expect_fault = 1;
	if (!sigsetjmp(fault_jmp, 1)) {
		volatile unsigned char c = m[0];

		c = m[len - 1];
		(void)c;
		if (write)
			m[len / 2] = 0x5a;
	} else {
		ok = false;
	}
	expect_fault = 0;
	return ok;
}

static void fuzz_map(void)
{
	struct slot *s = &pool[rng_below(&rng, POOL)];
	size_t pg = page_size(), len = pg * (1 + rng_below(&rng, 20));
	off_t off = (off_t)(pg * rng_below(&rng, 20));
	int prot = PROT_READ | (rng_below(&rng, 2) ? PROT_WRITE : 0);
	int flags = rng_below(&rng, 8) ? MAP_SHARED : MAP_PRIVATE;
	unsigned char *m, *m2;
	size_t len2;

	if (s->kind != K_BUF || s->fd < 0)
		return;
	if (!rng_below(&rng, 8))
		off += (off_t)rng_below(&rng, pg);	/* unaligned */
	m = mmap(NULL, len, prot, flags, s->fd, off);
	cnt->maps++;
	if (m == MAP_FAILED)
		return;
	/* bpbuf granted it: every page must be there */
	if (!touch(m, len, prot & PROT_WRITE))
		cnt->bad_fault++;

	switch (rng_below(&rng, 4)) {
	case 0:	/* grow: VM_DONTEXPAND refuses, or a move keeps the size */
		len2 = len + pg * (1 + rng_below(&rng, 8));
		m2 = mremap(m, len, len2, MREMAP_MAYMOVE);
		cnt->mremaps++;
		if (m2 != MAP_FAILED) {
			m = m2;
			len = len2;
		}
		break;
	case 1:	/* shrink */
		len2 = pg * (1 + rng_below(&rng, len / pg));
		if (len2 <= len && mremap(m, len, len2, 0) != MAP_FAILED)
			len = len2;
		cnt->mremaps++;
		break;
	case 2:	/* punch a hole */
		if (len > pg) {
			size_t at = pg * rng_below(&rng, len / pg);

			munmap(m + at, pg);
			cnt->munmaps++;
		}
		break;
	default:
		break;
	}
	/* sometimes leave it mapped past the fd's close */
	if (rng_below(&rng, 4)) {
		munmap(m, len);
		cnt->munmaps++;
	}
}

static void fuzz_proc(int id, uint64_t seed, unsigned long calls, double end)
{
	int i;

	rng = seed ^ ((uint64_t)id * 0x9E3779B97F4A7C15ULL);
	rng |= 1;
	dev_fd = bp_open();
	heap_fd = open("/dev/dma_heap/bpbuf", O_RDWR | O_CLOEXEC);
	if (heap_fd < 0)
		heap_fd = dev_fd;
	for (i = 0; i < POOL; i++) {
		pool[i].fd = -1;
		refill(i);
	}
	for (unsigned long n = 0; n < calls; n++) {
		unsigned int r = (unsigned int)rng_below(&rng, 100);

		if (!(n & 1023) && now_s() > end) {
			cnt->proc_bounded[id] = 1;
			break;
		}
		__atomic_add_fetch(&cnt->calls, 1, __ATOMIC_RELAXED);
		cnt->proc_calls[id] = n + 1;
		if (r < 96)
			fuzz_ioctl();
		else if (r < 99)
			fuzz_map();
		else
			refill((int)rng_below(&rng, POOL));
		if (!(n & 16383)) {
			/* fds a random ioctl made that the pool does not know */
			for (int fd = 3; fd < 1024; fd++) {
				bool known = fd == dev_fd || fd == heap_fd;

				for (i = 0; i < POOL && !known; i++)
					known = pool[i].fd == fd;
				if (!known)
					close(fd);
			}
		}
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) :
			seed_from_env("BPBUF_FUZZ_SEED", DEFAULT_SEED);
	unsigned long calls = (unsigned long)num_from_env("BPBUF_FUZZ_CALLS", 1000000);
	double seconds = (double)num_from_env("BPBUF_FUZZ_SECONDS", 400), t0;
	struct rlimit rl = { 1024, 1024 };
	struct sigaction sa = { .sa_handler = on_fault };
	pid_t pids[NPROCS];
	uint64_t seed_rng;
	unsigned long made = 0;
	int i, dev, status, crashed = 0;

	tap_plan(5);
	seed_rng = seed | 1;
	printf("# seed 0x%llx (set with BPBUF_FUZZ_SEED or the first argument), %lu calls, at most %.0f s\n",
	       (unsigned long long)seed, calls, seconds);
	setrlimit(RLIMIT_NOFILE, &rl);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	cnt = mmap(NULL, sizeof(*cnt), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	arg = mmap(NULL, ARG_SIZE + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cnt == MAP_FAILED || arg == MAP_FAILED)
		return 1;
	munmap(arg + ARG_SIZE, 4096);
	for (i = 0; i < ARG_SIZE; i++)
		arg[i] = (unsigned char)rng_next(&seed_rng);
	dev = bp_open();
	if (dev < 0) {
		tap_ok(false, "open %s: %s", BPBUF_NODE, strerror(errno));
		return 1;
	}

	t0 = now_s();
	for (i = 0; i < NPROCS; i++) {
		fflush(stdout);
		pids[i] = fork();
		if (pids[i] == 0)
			fuzz_proc(i, seed, calls / NPROCS, t0 + seconds);
	}
	for (i = 0; i < NPROCS; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			crashed++;
	}
	for (i = 0; i < NPROCS; i++) {
		made += cnt->proc_calls[i];
		printf("# process %d: %lu of %lu calls%s\n", i, cnt->proc_calls[i],
		       calls / NPROCS, cnt->proc_bounded[i] ? ", stopped by the time bound" : "");
	}
	printf("# the processes' own counts add up to %lu; their shared atomic counter says %lu\n",
	       made, cnt->calls);
	printf("# %lu calls in %.1f s: %lu ioctls (%lu succeeded, %lu allocations kept), %lu mmaps, %lu mremaps, %lu munmaps\n",
	       cnt->calls, now_s() - t0, cnt->ioctls, cnt->ok, cnt->allocs,
	       cnt->maps, cnt->mremaps, cnt->munmaps);
	tap_ok(made >= calls / NPROCS * NPROCS, "%lu of %lu calls made within %.0f s (seed 0x%llx)",
	       made, calls / NPROCS * NPROCS, seconds, (unsigned long long)seed);
	tap_ok(!crashed, "no fuzzing process crashed (%d)", crashed);
	tap_ok(!cnt->bad_errno, "only documented errnos from bpbuf (%lu others, last %s for 0x%lx)",
	       cnt->bad_errno, strerror((int)cnt->last_bad_errno), cnt->last_bad_cmd);
	tap_ok(!cnt->bad_fault, "every granted mapping readable and writable in full (%lu faults)",
	       cnt->bad_fault);
	tap_heap_whole(dev, "at the end");
	close(dev);
	return tap_exit();
}
