// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page maps (BPBUF_IOCTL_PAGE_MAP): zero-copy I/O from bpbuf memory.
 *
 * O_DIRECT writes from a page map to the VM's disks (run-vm.sh --disks:
 * an emulated NVMe namespace and a virtio-blk disk, raw, and a file on
 * ext4), read back with O_DIRECT into another buffer's page map and
 * compared, 4 KiB to 64 MiB; the same through AIO and io_uring;
 * MSG_ZEROCOPY over loopback TCP with its completions; vmsplice(). The
 * dma-buf's own mapping must still refuse all of them (EFAULT). A
 * long-term pin (an io_uring fixed buffer) must fail, and fast, not
 * retry forever; a buffer freed while the kernel holds its pages (a pipe,
 * a transfer in flight) must stay out of the heap, and the module loaded,
 * until they are released.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>

#include "bpbuf_test.h"
#include "kselftest_harness.h"
#include "zc_io.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY	60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY	0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY	5
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define EXT4_DIR	"/tmp/bpbuf-ext4"

static int page_map_fd(int dev, int fd, uint32_t flags, int *map_fd)
{
	struct bpbuf_page_map pm = { .fd = (uint32_t)fd, .flags = flags };
	int ret = bp_ioctl(dev, BPBUF_IOCTL_PAGE_MAP, &pm);

	if (!ret)
		*map_fd = (int)pm.map_fd;
	return ret;
}

/* A buffer of @size and its page map, mapped read-write; NULL on failure */
struct pm_buf {
	int fd;
	int map_fd;
	char *p;
	size_t size;
};

static int pm_alloc(int dev, size_t size, struct pm_buf *b)
{
	int ret;

	b->fd = b->map_fd = -1;
	b->p = MAP_FAILED;
	b->size = size;
	ret = bp_alloc(dev, size, 0, 0, &b->fd);
	if (!ret)
		ret = page_map_fd(dev, b->fd, BPBUF_PAGE_MAP_CLOEXEC, &b->map_fd);
	if (!ret) {
		b->p = mmap(NULL, size, RW, MAP_SHARED, b->map_fd, 0);
		if (b->p == MAP_FAILED)
			ret = -errno;
	}
	return ret;
}

/* A figure of <debugfs>/bpbuf/heap, or -1 */
static long long heap_figure(const char *name)
{
	return bp_file_value(BPBUF_DEBUGFS "/heap", name);
}

/*
 * The bus address of the carve, from debugfs, and of a buffer: a buffer at
 * the carve's start gets the first cacheline that DMA-API debug tracks as
 * mapped for /dev/bpbuf (the carve's own allocation), and reports a device
 * writing it through another mapping as overlapping (bpbuf(4), CAVEATS).
 */
static int at_carve_start(int dev, int fd)
{
	uint64_t bus = 1;

	return !bp_bus_addr(dev, fd, &bus, NULL) &&
	       (long long)bus == heap_figure("bus_addr");
}

static void pm_free(struct pm_buf *b);

/*
 * pm_alloc() for a buffer a device will write (an O_DIRECT read): not at
 * the carve's start, which a buffer allocated meanwhile takes instead
 */
static int pm_alloc_dma_target(int dev, size_t size, struct pm_buf *b)
{
	struct pm_buf first;
	int ret = pm_alloc(dev, size, &first);

	if (ret || !at_carve_start(dev, first.fd)) {
		*b = first;
		return ret;
	}
	ret = pm_alloc(dev, size, b);
	pm_free(&first);
	return ret;
}

static void pm_free(struct pm_buf *b)
{
	if (b->p != MAP_FAILED)
		munmap(b->p, b->size);
	if (b->map_fd >= 0)
		close(b->map_fd);
	if (b->fd >= 0)
		close(b->fd);
	b->p = MAP_FAILED;
	b->fd = b->map_fd = -1;
}

static long long module_refcnt(void)
{
	char *text = read_text("/sys/module/bpbuf/refcnt");
	long long v = text ? strtoll(text, NULL, 10) : -1;

	free(text);
	return v;
}

/*
 * Wait up to 5 s for no held buffer and the module refcount at @refcnt
 * (any, if negative)
 */
static int wait_unheld(long long refcnt)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (heap_figure("held_buffers") == 0 &&
		    (refcnt < 0 || module_refcnt() == refcnt))
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

FIXTURE(pm)
{
	int dev;
	size_t pg;
	int skipped;
};

FIXTURE_SETUP(pm)
{
	uint64_t cap;

	self->pg = page_size();
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	ASSERT_EQ(0, bp_cap(self->dev, BPBUF_CAP_PAGE_MAP, &cap));
	if (!cap) {
		/* the rig's heaps come from cma=: their pages must be mappable */
		ASSERT_GE(0, bp_file_value("/proc/meminfo", "CmaTotal"))
			TH_LOG("BPBUF_CAP_PAGE_MAP is 0 on a kernel with a CMA area");
		self->skipped = 1;
		SKIP(return, "this heap's pages cannot be page-mapped (not from CMA)");
	}
	if (geteuid() || access(BPBUF_DEBUGFS "/heap", R_OK)) {
		self->skipped = 1;
		SKIP(return, "needs root and %s/heap", BPBUF_DEBUGFS);
	}
}

FIXTURE_TEARDOWN(pm)
{
	if (self->dev >= 0)
		close(self->dev);
}

#define PM_TEST_START() do { if (self->skipped) return; } while (0)

/* A disk of @role opened O_DIRECT into @fd, or SKIP when the VM has none */
#define OPEN_DISK(role, fd) do {						\
	char path_[64];								\
	int r_ = zc_disk(role, path_, sizeof(path_));				\
	if (r_ == -ENOENT)							\
		SKIP(return, "no %s disk in this VM (run-vm.sh --disks)", role);	\
	ASSERT_EQ(0, r_) TH_LOG("the %s disk never appeared", role);		\
	fd = open(path_, O_RDWR | O_DIRECT | O_CLOEXEC);			\
	ASSERT_LE(0, fd) TH_LOG("open %s O_DIRECT: %s", path_, strerror(errno)); \
} while (0)

/* The ext4 disk mounted, a file on it opened O_DIRECT into @fd */
#define OPEN_EXT4_FILE(fd) do {							\
	char path_[64];								\
	int r_ = zc_disk("ext4", path_, sizeof(path_));				\
	if (r_ == -ENOENT)							\
		SKIP(return, "no ext4 disk in this VM (run-vm.sh --disks)");	\
	ASSERT_EQ(0, r_) TH_LOG("the ext4 disk never appeared");		\
	ASSERT_EQ(0, zc_mount_ext4(path_, EXT4_DIR)) TH_LOG("mount %s: %s", path_, strerror(errno)); \
	fd = open(EXT4_DIR "/page_map.dat", O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0600); \
	ASSERT_LE(0, fd) TH_LOG("open a file on ext4 O_DIRECT: %s", strerror(errno)); \
} while (0)

/*
 * Each size: the pattern written with O_DIRECT from one buffer's page map,
 * then read back with O_DIRECT into another's (zeroed by the driver, so
 * stale bytes cannot pass) and compared. 64 MiB is the rig's whole heap:
 * that buffer is at the carve's start, so it is read back into malloc'd
 * memory (see at_carve_start()).
 */
static void direct_round_trip(struct __test_metadata *_metadata, int dev, int fd,
			      const char *what)
{
	static const size_t sizes[] = { 4096, 64 << 10, 1 << 20, 16 << 20, 64 << 20 };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i], bad;
		int whole_heap = size >= (size_t)bp_param("heap_size");
		struct pm_buf w, r = { .fd = -1, .map_fd = -1, .p = MAP_FAILED };
		double t0 = zc_now_ms(), tw;
		char *back;

		ASSERT_EQ(0, pm_alloc(dev, size, &w)) TH_LOG("%zu bytes", size);
		if (!whole_heap) {
			ASSERT_EQ(0, pm_alloc_dma_target(dev, size, &r));
			ASSERT_TRUE(all_bytes_are(r.p, size, 0)) TH_LOG("a new buffer is not zeroed");
		}
		zc_fill(w.p, size, size ^ 0x5a);
		t0 = zc_now_ms();
		ASSERT_EQ(0, zc_rw_all(1, fd, w.p, size, 0))
			TH_LOG("%s: O_DIRECT write of %zu bytes from a page map: %s", what,
			       size, strerror(errno));
		tw = zc_now_ms() - t0;
		pm_free(&w);
		back = r.p;
		if (whole_heap) {
			ASSERT_EQ(0, posix_memalign((void **)&back, 4096, size));
		}
		ASSERT_EQ(0, zc_rw_all(0, fd, back, size, 0))
			TH_LOG("%s: O_DIRECT read of %zu bytes into %s", what, size,
			       whole_heap ? "malloc'd memory" : "a page map");
		bad = zc_check(back, size, size ^ 0x5a);
		EXPECT_EQ(size, bad) TH_LOG("%s: %zu bytes read back differ at byte %zu", what,
					    size, bad);
		if (whole_heap)
			free(back);
		pm_free(&r);
		TH_LOG("%s: %zu KiB written in %.1f ms, read back and compared", what, size >> 10, tw);
	}
}

TEST_F(pm, odirect_raw_nvme)
{
	int fd;

	PM_TEST_START();
	OPEN_DISK("raw-nvme", fd);
	direct_round_trip(_metadata, self->dev, fd, "raw NVMe namespace");
	close(fd);
}

TEST_F(pm, odirect_raw_virtio_blk)
{
	int fd;

	PM_TEST_START();
	OPEN_DISK("raw-virtio", fd);
	direct_round_trip(_metadata, self->dev, fd, "raw virtio-blk disk");
	close(fd);
}

TEST_F(pm, odirect_ext4_file)
{
	int fd;

	PM_TEST_START();
	OPEN_EXT4_FILE(fd);
	direct_round_trip(_metadata, self->dev, fd, "a file on ext4 on NVMe");
	EXPECT_EQ(0, fsync(fd));
	close(fd);
	unlink(EXT4_DIR "/page_map.dat");
	syscall(SYS_umount2, EXT4_DIR, 0);
}

/* The dma-buf's own mapping is VM_PFNMAP: the kernel's I/O cannot take it */
TEST_F(pm, dmabuf_mmap_refuses_odirect)
{
	size_t size = 1 << 20;
	int fd, disk;
	char *p;

	PM_TEST_START();
	OPEN_DISK("raw-nvme", disk);
	ASSERT_EQ(0, bp_alloc(self->dev, size, 0, 0, &fd));
	p = mmap(NULL, size, RW, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	errno = 0;
	EXPECT_EQ(-1, pwrite(disk, p, size, 0));
	EXPECT_EQ(EFAULT, errno) TH_LOG("O_DIRECT write from the dma-buf's mmap: %s",
					 strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, pread(disk, p, size, 0));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, size);
	close(fd);
	close(disk);
}

TEST_F(pm, aio_odirect)
{
	size_t size = 16 << 20;
	struct zc_aio aio;
	struct pm_buf b;
	int fd;

	PM_TEST_START();
	OPEN_DISK("raw-nvme", fd);
	ASSERT_EQ(0, pm_alloc_dma_target(self->dev, size, &b));
	zc_fill(b.p, size, 0xa10);
	ASSERT_EQ(0, zc_aio_submit(&aio, 1, fd, b.p, size, 0)) TH_LOG("io_submit: %s", strerror(errno));
	EXPECT_EQ((long long)size, zc_aio_wait(&aio));
	memset(b.p, 0, size);
	ASSERT_EQ(0, zc_aio_submit(&aio, 0, fd, b.p, size, 0));
	EXPECT_EQ((long long)size, zc_aio_wait(&aio));
	EXPECT_EQ(size, zc_check(b.p, size, 0xa10));
	pm_free(&b);
	close(fd);
}

/* io_uring reads and writes of buffers not registered with the ring */
TEST_F(pm, io_uring_odirect)
{
	size_t size = 16 << 20;
	struct zc_uring r;
	struct pm_buf b;
	int fd, ret, pfn_fd;
	char *pfn;

	PM_TEST_START();
	ret = zc_uring_init(&r);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "io_uring is not available here: %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	OPEN_DISK("raw-nvme", fd);
	ASSERT_EQ(0, pm_alloc_dma_target(self->dev, size, &b));
	zc_fill(b.p, size, 0x0111);
	EXPECT_EQ((long long)size, zc_uring_rw(&r, 1, fd, b.p, size, 0));
	memset(b.p, 0, size);
	EXPECT_EQ((long long)size, zc_uring_rw(&r, 0, fd, b.p, size, 0));
	EXPECT_EQ(size, zc_check(b.p, size, 0x0111));

	/* the dma-buf's own mapping: refused, as for a system call */
	ASSERT_EQ(0, bp_alloc(self->dev, 1 << 20, 0, 0, &pfn_fd));
	pfn = mmap(NULL, 1 << 20, RW, MAP_SHARED, pfn_fd, 0);
	ASSERT_TRUE(pfn != MAP_FAILED);
	EXPECT_EQ(-EFAULT, zc_uring_rw(&r, 1, fd, pfn, 1 << 20, 0));
	munmap(pfn, 1 << 20);
	close(pfn_fd);
	pm_free(&b);
	close(fd);
	zc_uring_exit(&r);
}

static int loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		ret = -errno;
	else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(s);
	return ret;
}

/* A connected TCP pair over 127.0.0.1: 0 or -errno */
static int tcp_pair(int *tx, int *rx)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l, ret = loopback_up();

	if (ret)
		return ret;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -errno;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		goto fail;
	*tx = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*tx < 0 || connect(*tx, (struct sockaddr *)&a, sizeof(a)))
		goto fail;
	*rx = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (*rx < 0)
		goto fail;
	close(l);
	return 0;
fail:
	ret = -errno;
	close(l);
	return ret;
}

/*
 * Read the completions MSG_ZEROCOPY queued on @s until sends 0..@last are
 * all acknowledged (10 s at most): 0, or -errno; *@copied is set if the
 * kernel says it copied after all (loopback delivery does)
 */
static int zerocopy_completions(int s, uint32_t last, int *copied)
{
	uint32_t next = 0;
	int i;

	for (i = 0; i < 1000 && next <= last; i++) {
		char control[128];
		struct msghdr msg = { .msg_control = control, .msg_controllen = sizeof(control) };
		struct sock_extended_err *ee;
		struct cmsghdr *cm;

		if (recvmsg(s, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno != EAGAIN)
				return -errno;
			usleep(10000);
			continue;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			ee = (struct sock_extended_err *)CMSG_DATA(cm);
			if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_errno)
				return -EPROTO;
			if (ee->ee_info != next)
				return -EPROTO;
			next = ee->ee_data + 1;
			if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
				*copied = 1;
		}
	}
	return next > last ? 0 : -ETIMEDOUT;
}

TEST_F(pm, msg_zerocopy_loopback)
{
	size_t size = 1 << 20, chunk = 64 << 10, off, got = 0;
	int tx, rx, one = 1, copied = 0, ret, pfn_fd;
	uint32_t sends = 0;
	struct pm_buf b;
	char *in, *pfn;
	pid_t child;

	PM_TEST_START();
	ret = tcp_pair(&tx, &rx);
	ASSERT_EQ(0, ret) TH_LOG("TCP over loopback: %s", strerror(-ret));
	ASSERT_EQ(0, setsockopt(tx, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)));
	ASSERT_EQ(0, pm_alloc(self->dev, size, &b));
	zc_fill(b.p, size, 0x2c);

	/* the receiver checks the bytes; the sender may block meanwhile */
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		in = malloc(size);
		while (in && got < size) {
			ssize_t n = read(rx, in + got, size - got);

			if (n <= 0)
				_exit(3);
			got += (size_t)n;
		}
		_exit(in && zc_check(in, size, 0x2c) == size ? 0 : 4);
	}
	close(rx);
	for (off = 0; off < size; sends++) {
		ssize_t n = send(tx, b.p + off, chunk, MSG_ZEROCOPY);

		ASSERT_LT(0, n) TH_LOG("send(MSG_ZEROCOPY) from a page map: %s", strerror(errno));
		off += (size_t)n;
	}
	EXPECT_EQ(0, zerocopy_completions(tx, sends - 1, &copied));
	TH_LOG("%u zero-copy sends acknowledged%s", sends,
	       copied ? " (loopback delivery copied them, as it must)" : "");
	ret = -1;
	waitpid(child, &ret, 0);
	EXPECT_TRUE(WIFEXITED(ret) && WEXITSTATUS(ret) == 0) TH_LOG("receiver: status 0x%x", ret);

	/* from the dma-buf's own mapping the kernel cannot take the pages */
	ASSERT_EQ(0, bp_alloc(self->dev, chunk, 0, 0, &pfn_fd));
	pfn = mmap(NULL, chunk, RW, MAP_SHARED, pfn_fd, 0);
	ASSERT_TRUE(pfn != MAP_FAILED);
	errno = 0;
	EXPECT_EQ(-1, send(tx, pfn, chunk, MSG_ZEROCOPY | MSG_DONTWAIT));
	EXPECT_EQ(EFAULT, errno) TH_LOG("MSG_ZEROCOPY from the dma-buf's mmap: %s", strerror(errno));
	munmap(pfn, chunk);
	close(pfn_fd);
	close(tx);
	pm_free(&b);
}

/*
 * A pipe holds page references that vmsplice() took, for as long as
 * nobody reads it: the buffer, freed meanwhile, must not be reused (its
 * bytes stay what the pipe will deliver) and the module must stay.
 */
TEST_F(pm, freed_while_pipe_holds_pages)
{
	size_t size = 64 << 10;
	long long refcnt;
	struct pm_buf b, other;
	struct iovec iov;
	int pipefd[2], dev2;
	char *in;

	PM_TEST_START();
	/* the fixture's fd is one reference of the module; count without it */
	close(self->dev);
	self->dev = -1;
	refcnt = module_refcnt();
	ASSERT_LE(0, refcnt);
	dev2 = bp_open();
	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, pm_alloc(dev2, size, &b));
	zc_fill(b.p, size, 0x71e);
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	iov.iov_base = b.p;
	iov.iov_len = size;
	ASSERT_EQ((ssize_t)size, vmsplice(pipefd[1], &iov, 1, 0))
		TH_LOG("vmsplice() of a page map: %s", strerror(errno));
	pm_free(&b);

	EXPECT_EQ(1, heap_figure("held_buffers"));
	EXPECT_EQ((long long)size, heap_figure("held_bytes"));
	/* the held buffer alone keeps the module, now that dev2 is closed */
	ASSERT_EQ(0, pm_alloc(dev2, size, &other));
	memset(other.p, 0xaa, size);
	pm_free(&other);
	close(dev2);
	EXPECT_EQ(refcnt + 1, module_refcnt());

	in = malloc(size);
	ASSERT_TRUE(in != NULL);
	ASSERT_EQ((ssize_t)size, read(pipefd[0], in, size));
	EXPECT_EQ(size, zc_check(in, size, 0x71e)) TH_LOG("the pipe delivered other bytes");
	free(in);
	close(pipefd[0]);
	close(pipefd[1]);
	/*
	 * The pipe let go of the pages: an allocation that needs them gets
	 * them at once, without waiting for the held buffers' worker
	 */
	dev2 = bp_open();
	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, pm_alloc(dev2, (size_t)bp_param("heap_size"), &other))
		TH_LOG("the whole heap once the pipe is drained: %s", strerror(errno));
	EXPECT_EQ(0, heap_figure("held_buffers"));
	pm_free(&other);
	close(dev2);
	EXPECT_EQ(0, wait_unheld(refcnt))
		TH_LOG("still held %lld, module refcount %lld (want %lld)",
		       heap_figure("held_buffers"), module_refcnt(), refcnt);
}

/*
 * Free the buffer while an AIO O_DIRECT write from it is in flight (to the
 * virtio disk, which QEMU throttles to 32 MiB/s: 16 MiB take half a
 * second), and fill a new buffer meanwhile: the freed one is held, and what
 * reaches the disk is still the pattern.
 */
TEST_F(pm, freed_while_odirect_in_flight)
{
	size_t size = 16 << 20;
	struct pm_buf b, other;
	double t0, t_freed, t_done;
	struct zc_aio aio;
	long long held;
	int fd, in_flight;

	PM_TEST_START();
	OPEN_DISK("raw-virtio", fd);
	ASSERT_EQ(0, pm_alloc(self->dev, size, &b));
	zc_fill(b.p, size, 0xf1e);
	t0 = zc_now_ms();
	ASSERT_EQ(0, zc_aio_submit(&aio, 1, fd, b.p, size, 0));
	pm_free(&b);
	held = heap_figure("held_buffers");
	/* not complete after the figure was read: in flight when freed */
	in_flight = !zc_aio_poll(&aio);
	t_freed = zc_now_ms() - t0;
	ASSERT_EQ(0, pm_alloc(self->dev, size, &other));
	memset(other.p, 0xaa, size);
	EXPECT_EQ((long long)size, zc_aio_wait(&aio));
	t_done = zc_now_ms() - t0;
	pm_free(&other);
	TH_LOG("freed %.1f ms after submission, %s, held buffers %lld; the write took %.1f ms",
	       t_freed, in_flight ? "in flight" : "already written", held, t_done);
	if (in_flight)
		EXPECT_EQ(1, held);
	EXPECT_EQ(0, wait_unheld(-1));
	ASSERT_EQ(0, pm_alloc_dma_target(self->dev, size, &b));
	ASSERT_EQ(0, zc_rw_all(0, fd, b.p, size, 0));
	EXPECT_EQ(size, zc_check(b.p, size, 0xf1e)) TH_LOG("the disk got other bytes");
	pm_free(&b);
	close(fd);
}

/* Run on @cpu alone: 0, or -errno */
static int pm_on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * The block layer posts an O_DIRECT transfer's completion (wakes the
 * caller, or queues the AIO event) before it unpins the pages (bpbuf(4),
 * PAGE_MAP): a buffer freed the moment its transfer completed is not held,
 * and the whole heap is free at once.
 *
 * Synchronous writes and reads of 16 MiB (the block layer's multi-bio
 * path, on 4 KiB and 16 KiB pages alike), then the race made as tight as
 * it gets: an AIO write submitted on CPU 0, whose NVMe queue completes it
 * there, while the test waits on CPU 1 with its page map already unmapped,
 * polls for the event and closes the buffer's last fd the moment it shows.
 */
TEST_F(pm, freed_as_odirect_returns_not_held)
{
	size_t size = 16 << 20, small = 1 << 20;
	long long heap_size = bp_param("heap_size");
	int fd, round, held_sync = 0, held_aio = 0, two_cpus;
	struct pm_buf b;

	PM_TEST_START();
	OPEN_DISK("raw-nvme", fd);
	for (round = 0; round < 8; round++) {
		int rd = round & 1;

		ASSERT_EQ(0, rd ? pm_alloc_dma_target(self->dev, size, &b) :
				  pm_alloc(self->dev, size, &b));
		if (!rd)
			zc_fill(b.p, size, 0xfa57);
		ASSERT_EQ(0, zc_rw_all(!rd, fd, b.p, size, 0))
			TH_LOG("round %d: O_DIRECT %s: %s", round, rd ? "read" : "write",
			       strerror(errno));
		if (rd)
			EXPECT_EQ(size, zc_check(b.p, size, 0xfa57));
		pm_free(&b);
		if (heap_figure("held_buffers") != 0 && !held_sync)
			held_sync = round + 1;
	}
	EXPECT_EQ(0, held_sync) TH_LOG("synchronous round %d's buffer was held after its I/O returned",
				       held_sync - 1);

	two_cpus = sysconf(_SC_NPROCESSORS_ONLN) >= 2;
	for (round = 0; round < 32; round++) {
		struct zc_aio aio;
		double t0;

		ASSERT_EQ(0, pm_alloc(self->dev, small, &b));
		zc_fill(b.p, small, round);
		if (two_cpus)
			ASSERT_EQ(0, pm_on_cpu(0));
		ASSERT_EQ(0, zc_aio_submit(&aio, 1, fd, b.p, small, (off_t)round * small))
			TH_LOG("io_submit: %s", strerror(errno));
		/* the transfer pinned the pages: only the buffer's fd is left */
		munmap(b.p, small);
		b.p = MAP_FAILED;
		close(b.map_fd);
		b.map_fd = -1;
		if (two_cpus)
			ASSERT_EQ(0, pm_on_cpu(1));
		t0 = zc_now_ms();
		while (!zc_aio_poll(&aio) && zc_now_ms() - t0 < 10000)
			;
		pm_free(&b);
		if (heap_figure("held_buffers") != 0 && !held_aio)
			held_aio = round + 1;
		ASSERT_EQ((long long)small, zc_aio_wait(&aio));
	}
	EXPECT_EQ(0, held_aio) TH_LOG("AIO round %d's buffer was held after its completion (%s)",
				      held_aio - 1, two_cpus ? "2 CPUs" : "1 CPU");
	ASSERT_LT(0, heap_size);
	ASSERT_EQ(0, wait_unheld(-1));
	ASSERT_EQ(0, pm_alloc(self->dev, heap_size, &b)) TH_LOG("the whole heap: %s",
								 strerror(errno));
	pm_free(&b);
	close(fd);
}

/* After MADV_DONTNEED the fault path maps the same pages again */
TEST_F(pm, madv_dontneed_refaults_same_pages)
{
	size_t size = 4 << 20;
	struct pm_buf b;
	char *pfn;

	PM_TEST_START();
	ASSERT_EQ(0, pm_alloc(self->dev, size, &b));
	zc_fill(b.p, size, 0xd0);
	if (madvise(b.p, size, MADV_DONTNEED) && errno == ENOSYS) {
		pm_free(&b);
		SKIP(return, "this kernel has no madvise() (CONFIG_ADVISE_SYSCALLS)");
	}
	EXPECT_EQ(size, zc_check(b.p, size, 0xd0)) TH_LOG("pages came back other than they were");
	b.p[size / 2] = 0x42;
	pfn = mmap(NULL, size, PROT_READ, MAP_SHARED, b.fd, 0);
	ASSERT_TRUE(pfn != MAP_FAILED);
	EXPECT_EQ(0x42, pfn[size / 2]) TH_LOG("a write after refault missed the buffer");
	munmap(pfn, size);
	pm_free(&b);
}

/* fork() shares the page map: the child's writes reach the parent */
TEST_F(pm, fork_shares)
{
	size_t size = 1 << 20;
	struct pm_buf b;
	int status;
	pid_t child;

	PM_TEST_START();
	ASSERT_EQ(0, pm_alloc(self->dev, size, &b));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		zc_fill(b.p, size, 0xc41d);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(size, zc_check(b.p, size, 0xc41d));
	pm_free(&b);
}

/*
 * A long-term pin (an io_uring fixed buffer) of a page map must fail fast:
 * the kernel would retry forever to migrate the carve's CMA pages. Linux
 * 6.5 and later refuse writable long-term pins of this mapping at once, in
 * GUP's vma_needs_dirty_tracking() check: where the kernel has that
 * function, a pin still going after the bound fails the test, and the
 * refusal must be EFAULT. On older kernels GUP retries CMA pages until the
 * pinner is killed (the test confirms it, and says SKIP); a heap of movable
 * memory is no CMA, so GUP pins it and io_uring itself then refuses the
 * file-backed memory (EOPNOTSUPP), as fast.
 */
TEST_F(pm, longterm_pin_refused)
{
	size_t size = 1 << 20;
	struct pm_buf b;
	double ms;
	int ret, err;

	PM_TEST_START();
	ASSERT_EQ(0, pm_alloc(self->dev, size, &b));
	ret = zc_pin_fixed_bounded(b.p, size, &err, &ms);
	pm_free(&b);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "io_uring is not available here: %s", strerror(-ret));
	if (ret == -ETIMEDOUT) {
		ASSERT_FALSE(zc_kernel_has("vma_needs_dirty_tracking"))
			TH_LOG("io_uring buffer registration still pinning after %d ms", ZC_PIN_BOUND_MS);
		SKIP(return, "this kernel retries a long-term pin of CMA pages until the pinner is killed (it was, after %d ms): no refusal before Linux 6.5",
		     ZC_PIN_BOUND_MS);
	}
	ASSERT_EQ(0, ret);
	if (err == EOPNOTSUPP && bp_heap_is_movable() &&
	    !zc_kernel_has("vma_needs_dirty_tracking")) {
		TH_LOG("refused by io_uring (file-backed memory) in %.3f ms, after GUP pinned the movable heap",
		       ms);
		return;
	}
	EXPECT_EQ(EFAULT, err) TH_LOG("registration: %s", err ? strerror(err) : "succeeded");
	TH_LOG("refused with %s in %.3f ms", strerror(err), ms);
}

/* Pages not mapped yet: the fault path refuses the pin, on every kernel */
TEST_F(pm, longterm_pin_of_unmapped_pages_refused)
{
	size_t size = 1 << 20;
	struct pm_buf b;
	double ms;
	int ret, err;

	PM_TEST_START();
	ASSERT_EQ(0, pm_alloc(self->dev, size, &b));
	if (madvise(b.p, size, MADV_DONTNEED) && errno == ENOSYS) {
		pm_free(&b);
		SKIP(return, "this kernel has no madvise() (CONFIG_ADVISE_SYSCALLS)");
	}
	ret = zc_pin_fixed_bounded(b.p, size, &err, &ms);
	pm_free(&b);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "io_uring is not available here: %s", strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("io_uring buffer registration still pinning after %d ms",
				 ZC_PIN_BOUND_MS);
	EXPECT_EQ(EFAULT, err) TH_LOG("registration: %s", err ? strerror(err) : "succeeded");
	TH_LOG("refused with %s in %.3f ms", strerror(err), ms);
}

/* A read-only buffer fd gives a page map that cannot be written */
TEST_F(pm, readonly_buffer_gives_readonly_map)
{
	int fd, map_fd;
	char *p;

	PM_TEST_START();
	ASSERT_EQ(0, bp_alloc(self->dev, self->pg, 0, BPBUF_ALLOC_RDONLY, &fd));
	ASSERT_EQ(0, page_map_fd(self->dev, fd, 0, &map_fd));
	EXPECT_EQ(O_RDONLY, fcntl(map_fd, F_GETFL) & O_ACCMODE);
	EXPECT_TRUE(mmap(NULL, self->pg, RW, MAP_SHARED, map_fd, 0) == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, map_fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(0, p[0]);
	munmap(p, self->pg);
	close(map_fd);
	close(fd);
}

/* mmap() of a page map: shared only, and inside the buffer */
TEST_F(pm, mmap_bounds)
{
	int fd, map_fd;

	PM_TEST_START();
	ASSERT_EQ(0, bp_alloc(self->dev, 4 * self->pg, 0, 0, &fd));
	ASSERT_EQ(0, page_map_fd(self->dev, fd, BPBUF_PAGE_MAP_CLOEXEC, &map_fd));
	EXPECT_EQ(FD_CLOEXEC, fcntl(map_fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_TRUE(mmap(NULL, 4 * self->pg, RW, MAP_PRIVATE, map_fd, 0) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(mmap(NULL, 5 * self->pg, RW, MAP_SHARED, map_fd, 0) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(mmap(NULL, self->pg, RW, MAP_SHARED, map_fd, 4 * self->pg) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	close(map_fd);
	close(fd);
}

/* The ioctl's errors, one field at a time */
TEST_F(pm, ioctl_errors)
{
	struct bpbuf_page_map pm;
	int fd, other;

	PM_TEST_START();
	ASSERT_EQ(0, bp_alloc(self->dev, self->pg, 0, 0, &fd));
	pm = (struct bpbuf_page_map){ .fd = (uint32_t)fd, .flags = 1U << 31 };
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_PAGE_MAP, &pm));
	pm = (struct bpbuf_page_map){ .fd = (uint32_t)fd, .map_fd = 3 };
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_PAGE_MAP, &pm));
	pm = (struct bpbuf_page_map){ .fd = (uint32_t)fd, .pad = 1 };
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_PAGE_MAP, &pm));
	pm = (struct bpbuf_page_map){ .fd = 9999 };
	EXPECT_EQ(-EBADF, bp_ioctl(self->dev, BPBUF_IOCTL_PAGE_MAP, &pm));
	other = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	pm = (struct bpbuf_page_map){ .fd = (uint32_t)other };
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOCTL_PAGE_MAP, &pm));
	close(other);
	/* a smaller struct than the first published one */
	pm = (struct bpbuf_page_map){ .fd = (uint32_t)fd };
	EXPECT_EQ(-EINVAL, bp_ioctl(self->dev, BPBUF_IOC_SIZED(BPBUF_IOCTL_PAGE_MAP, 8), &pm));
	close(fd);
}

TEST_HARNESS_MAIN
