/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Zero-copy I/O for the page-map tests and the benchmark, on raw system
 * calls (no liburing or libaio, so 32-bit builds need nothing more): the
 * VM's disks, a pattern to write and check, AIO and io_uring reads and
 * writes, and an io_uring buffer registration (a long-term pin) bounded in
 * time. Every helper returns 0 or a negative errno unless it says so.
 */
#ifndef BPBUF_ZC_IO_H
#define BPBUF_ZC_IO_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpbuf.h"

/* How long a long-term pin may take before it counts as hung */
#define ZC_PIN_BOUND_MS	10000

static inline double zc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * 1 if the running kernel has the function @name (/proc/kallsyms lists it;
 * root sees the names even where the addresses are hidden)
 */
static inline int zc_kernel_has(const char *name)
{
	char line[512], sym[256];
	FILE *f = fopen("/proc/kallsyms", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", sym) == 1 && !strcmp(sym, name);
	fclose(f);
	return found;
}

/*
 * The kernel names NVMe namespaces in the order its scan finds them, which
 * is asynchronous on newer kernels: nvme0n1 can be namespace 2. Put in
 * @name the disk of controller @ctrl whose nsid is @nsid; 0 or -ENOENT.
 */
static inline int zc_nvme_by_nsid(unsigned int ctrl, unsigned int nsid, char *name,
				  size_t len)
{
	char prefix[32], attr[320];
	struct dirent *e;
	int ret = -ENOENT;
	DIR *d = opendir("/sys/block");

	if (!d)
		return -ENOENT;
	snprintf(prefix, sizeof(prefix), "nvme%un", ctrl);
	while (ret && (e = readdir(d))) {
		unsigned int id = 0;
		FILE *f;

		if (strncmp(e->d_name, prefix, strlen(prefix)) || strlen(e->d_name) >= len)
			continue;
		snprintf(attr, sizeof(attr), "/sys/block/%s/nsid", e->d_name);
		f = fopen(attr, "re");
		if (!f)
			continue;
		if (fscanf(f, "%u", &id) == 1 && id == nsid) {
			memcpy(name, e->d_name, strlen(e->d_name) + 1);
			ret = 0;
		}
		fclose(f);
	}
	closedir(d);
	return ret;
}

/*
 * The disk that run-vm.sh --disks listed on the command line with @role
 * ("raw-nvme", "raw-virtio" or "ext4"; NVMe ones by namespace id), as
 * /dev/NAME in @path, once the
 * kernel has it (the drivers probe in the background). 0; -ENOENT when
 * the VM has no disks; -ETIMEDOUT when the disk never appeared.
 */
static inline int zc_disk(const char *role, char *path, size_t len)
{
	char line[4096], *list, *tok, *save, want[64] = "";
	size_t n;
	FILE *f = fopen("/proc/cmdline", "re");
	int i;

	if (!f)
		return -errno;
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	list = strstr(line, "rig.disks=");
	if (!list)
		return -ENOENT;
	list += strlen("rig.disks=");
	list[strcspn(list, " \n")] = '\0';
	/* nvme0n1,nvme0n2:ext4,vda: the first raw NVMe, ext4, virtio */
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int ext4 = strstr(tok, ":ext4") != NULL;

		tok[strcspn(tok, ":")] = '\0';
		if ((!strcmp(role, "ext4") && ext4) ||
		    (!strcmp(role, "raw-nvme") && !ext4 && !strncmp(tok, "nvme", 4)) ||
		    (!strcmp(role, "raw-virtio") && !ext4 && !strncmp(tok, "vd", 2))) {
			snprintf(want, sizeof(want), "%s", tok);
			break;
		}
	}
	if (!*want)
		return -ENOENT;
	for (i = 0; i < 200; i++) {
		unsigned int ctrl, nsid;
		char name[32];

		snprintf(path, len, "/dev/%s", want);
		/* run-vm.sh's nvmeCnN means controller C's namespace N */
		if (sscanf(want, "nvme%un%u", &ctrl, &nsid) == 2) {
			if (zc_nvme_by_nsid(ctrl, nsid, name, sizeof(name))) {
				usleep(100000);
				continue;
			}
			snprintf(path, len, "/dev/%s", name);
		}
		if (!access(path, R_OK | W_OK))
			return 0;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

/* Mount the ext4 disk at @dir (made if need be): 0 or -errno */
static inline int zc_mount_ext4(const char *dev, const char *dir)
{
	mkdir(dir, 0755);
	if (syscall(SYS_mount, dev, dir, "ext4", 0UL, NULL) && errno != EBUSY)
		return -errno;
	return 0;
}

/* The pattern of byte offset @off's 8-byte word, for @seed */
static inline uint64_t zc_word(uint64_t off, uint64_t seed)
{
	return (off / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ seed;
}

static inline void zc_fill(void *p, size_t len, uint64_t seed)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = zc_word(i * 8, seed);
}

/* The offset of the first word of @p that is not the pattern, or @len */
static inline size_t zc_check(const void *p, size_t len, uint64_t seed)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != zc_word(i * 8, seed))
			return i * 8;
	return len;
}

/* pwrite() or pread() all of @len: 0; -errno; -EIO for a short transfer */
static inline int zc_rw_all(int write, int fd, void *p, size_t len, off_t off)
{
	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, off) : pread(fd, p, len, off);

		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		p = (char *)p + n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* AIO: one read or write, submitted; zc_aio_wait() for its result */
struct zc_aio {
	aio_context_t ctx;
	struct iocb cb;
	int done;		/* zc_aio_poll() saw it complete */
	long long res;
};

static inline int zc_aio_submit(struct zc_aio *a, int write, int fd, void *p,
				size_t len, off_t off)
{
	struct iocb *cbs[1] = { &a->cb };

	a->ctx = 0;
	a->done = 0;
	if (syscall(SYS_io_setup, 1, &a->ctx))
		return -errno;
	memset(&a->cb, 0, sizeof(a->cb));
	a->cb.aio_fildes = (uint32_t)fd;
	a->cb.aio_lio_opcode = write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
	a->cb.aio_buf = (uint64_t)(uintptr_t)p;
	a->cb.aio_nbytes = len;
	a->cb.aio_offset = off;
	if (syscall(SYS_io_submit, a->ctx, 1L, cbs) != 1) {
		int err = -errno;

		syscall(SYS_io_destroy, a->ctx);
		return err;
	}
	return 0;
}

/* 1 if the transfer has completed, without waiting */
static inline int zc_aio_poll(struct zc_aio *a)
{
	struct timespec zero = { 0, 0 };
	struct io_event ev;

	if (!a->done && syscall(SYS_io_getevents, a->ctx, 0L, 1L, &ev, &zero) == 1) {
		a->done = 1;
		a->res = (long long)ev.res;
	}
	return a->done;
}

/* The transfer's result: bytes moved, or -errno */
static inline long long zc_aio_wait(struct zc_aio *a)
{
	struct io_event ev;

	if (!a->done) {
		if (syscall(SYS_io_getevents, a->ctx, 1L, 1L, &ev, NULL) != 1)
			a->res = -errno;
		else
			a->res = (long long)ev.res;
		a->done = 1;
	}
	syscall(SYS_io_destroy, a->ctx);
	return a->res;
}

/* io_uring: a ring of a few entries, mapped */
struct zc_uring {
	int fd;
	void *sq, *cq;
	size_t sq_len, cq_len, sqes_len;
	struct io_uring_sqe *sqes;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
};

static inline int zc_uring_init(struct zc_uring *r)
{
	struct io_uring_params p;
	int err;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		     r->fd, IORING_OFF_SQ_RING);
	r->cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		     r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       r->fd, IORING_OFF_SQES);
	if (r->sq == MAP_FAILED || r->cq == MAP_FAILED || r->sqes == MAP_FAILED) {
		err = -errno;
		close(r->fd);
		return err;
	}
	r->sq_tail = (unsigned int *)((char *)r->sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)r->sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)r->sq + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)r->cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)r->cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)r->cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq + p.cq_off.cqes);
	return 0;
}

static inline void zc_uring_exit(struct zc_uring *r)
{
	munmap(r->sqes, r->sqes_len);
	munmap(r->cq, r->cq_len);
	munmap(r->sq, r->sq_len);
	close(r->fd);
}

/*
 * One IORING_OP_READ or IORING_OP_WRITE of a buffer not registered with
 * the ring, submitted and waited for: its result, bytes or -errno
 */
static inline long long zc_uring_rw(struct zc_uring *r, int write, int fd,
				    void *p, unsigned int len, uint64_t off)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	long long res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = write ? IORING_OP_WRITE : IORING_OP_READ;
	sqe->fd = fd;
	sqe->addr = (uint64_t)(uintptr_t)p;
	sqe->len = len;
	sqe->off = off;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/*
 * Register [@p, @p + @len) as an io_uring fixed buffer, a long-term pin,
 * in a child process, and wait ZC_PIN_BOUND_MS for it. 0 when it returned:
 * *@err its errno (0 if it registered), *@ms how long it took; -ETIMEDOUT
 * when it was still pinning (the child is killed, which ends the pin's
 * retries); another -errno when the test could not run it.
 */
static inline int zc_pin_fixed_bounded(void *p, size_t len, int *err, double *ms)
{
	struct { int err; double ms; } res = { 0, 0 };
	struct pollfd pfd;
	int pipefd[2], status;
	pid_t child;

	if (pipe(pipefd))
		return -errno;
	child = fork();
	if (child < 0)
		return -errno;
	if (!child) {
		struct iovec iov = { .iov_base = p, .iov_len = len };
		struct zc_uring r;
		double t0;

		close(pipefd[0]);
		res.err = -zc_uring_init(&r);
		if (!res.err) {
			t0 = zc_now_ms();
			if (syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_BUFFERS, &iov, 1))
				res.err = errno;
			res.ms = zc_now_ms() - t0;
			/* a setup failure is told apart by its ms of 0 */
			if (!res.ms)
				res.ms = 1e-6;
		}
		if (write(pipefd[1], &res, sizeof(res)) != sizeof(res))
			_exit(2);
		_exit(0);
	}
	close(pipefd[1]);
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ZC_PIN_BOUND_MS) != 1) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		close(pipefd[0]);
		return -ETIMEDOUT;
	}
	if (read(pipefd[0], &res, sizeof(res)) != sizeof(res))
		res.err = EIO, res.ms = 0;
	close(pipefd[0]);
	waitpid(child, &status, 0);
	if (!res.ms)
		return -res.err;
	*err = res.err;
	*ms = res.ms;
	return 0;
}

#endif /* BPBUF_ZC_IO_H */
