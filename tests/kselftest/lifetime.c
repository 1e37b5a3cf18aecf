// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffer lifetime: freed on the last close and the last munmap, on exit,
 * shared across fork() and fd passing, and the module pinned (rmmod refused)
 * while any buffer, mapping or open device file lives.
 */
#include <linux/dma-heap.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpbuf_test.h"
#include "kselftest_harness.h"
#include "reload.h"

FIXTURE(life) {
	int dev;
	struct bpbuf_heap_info idle;
};

FIXTURE_SETUP(life)
{
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	ASSERT_EQ(0, bp_wait_idle(self->dev, &self->idle));
}

FIXTURE_TEARDOWN(life)
{
	if (self->dev >= 0)
		close(self->dev);
}

static unsigned int live(int dev)
{
	struct bpbuf_heap_info info;

	return bp_heap_info(dev, &info) ? ~0U : info.live_buffers;
}

static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

TEST_F(life, heap_whole_when_idle)
{
	EXPECT_EQ(0, self->idle.live_buffers);
	EXPECT_EQ(self->idle.heap_size, self->idle.free_bytes);
	EXPECT_EQ(self->idle.heap_size, self->idle.largest_free);
	EXPECT_EQ(1, self->idle.free_extents);
}

TEST_F(life, freed_on_close)
{
	struct bpbuf_heap_info info;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	EXPECT_EQ(1, live(self->dev));
	close(fd);
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(0, info.live_buffers);
	EXPECT_EQ(info.heap_size, info.free_bytes);
}

TEST_F(life, dup_keeps_it_alive)
{
	int fd, fd2;

	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	fd2 = dup(fd);
	ASSERT_LE(0, fd2);
	close(fd);
	EXPECT_EQ(1, live(self->dev));
	close(fd2);
	EXPECT_EQ(0, live(self->dev));
}

TEST_F(life, mapping_keeps_it_alive_after_close)
{
	char *p;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	close(fd);
	EXPECT_EQ(1, live(self->dev));
	memset(p, 0x42, MIB);
	EXPECT_TRUE(all_bytes_are(p, MIB, 0x42));
	munmap(p, MIB);
	EXPECT_EQ(0, live(self->dev));
}

TEST_F(life, partial_munmap_keeps_it_alive)
{
	char *p;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	close(fd);
	munmap(p, MIB / 2);
	EXPECT_EQ(1, live(self->dev));
	p[MIB - 1] = 1;
	munmap(p + MIB / 2, MIB / 2);
	EXPECT_EQ(0, live(self->dev));
}

TEST_F(life, freed_on_exit)
{
	struct bpbuf_heap_info info;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		int dev = bp_open(), fd, i;

		for (i = 0; i < 8; i++)
			if (bp_alloc(dev, MIB, 0, 0, &fd))
				_exit(1);
		_exit(0);	/* no close: exit must free them */
	}
	ASSERT_EQ(0, child_status(pid));
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(0, info.live_buffers);
	EXPECT_EQ(info.heap_size, info.free_bytes);
}

TEST_F(life, freed_on_exit_with_mappings_only)
{
	struct bpbuf_heap_info info;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		int dev = bp_open(), fd;
		void *p;

		if (bp_alloc(dev, 4 * MIB, 0, 0, &fd))
			_exit(1);
		p = mmap(NULL, 4 * MIB, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(2);
		close(fd);
		close(dev);
		_exit(0);
	}
	ASSERT_EQ(0, child_status(pid));
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(0, info.live_buffers);
	EXPECT_EQ(info.heap_size, info.free_bytes);
}

TEST_F(life, fork_shares_mapping_and_fd)
{
	volatile uint32_t *p;
	pid_t pid;
	int fd;

	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	p[0] = 1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		volatile uint32_t *q;

		if (p[0] != 1)
			_exit(1);
		p[1] = 2;	/* through the inherited mapping */
		q = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (q == MAP_FAILED)
			_exit(2);
		q[2] = 3;	/* through the inherited fd */
		_exit(0);
	}
	ASSERT_EQ(0, child_status(pid));
	EXPECT_EQ(2, p[1]);
	EXPECT_EQ(3, p[2]);
	EXPECT_EQ(1, live(self->dev));
	munmap((void *)p, MIB);
	close(fd);
	EXPECT_EQ(0, live(self->dev));
}

TEST_F(life, child_keeps_it_after_parent_closes)
{
	int go[2], fd;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		/* the parent has closed its copy: ours still maps */
		if (mmap(NULL, MIB, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
			_exit(2);
		_exit(0);
	}
	close(go[0]);
	close(fd);
	EXPECT_EQ(1, live(self->dev));
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(0, live(self->dev));
	close(go[1]);
}

static int send_fd(int sock, int fd)
{
	char data = 'f', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char data, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -errno;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

TEST_F(life, fd_passing_shares_it)
{
	volatile uint32_t *p;
	int sv[2], fd;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int got = recv_fd(sv[1]);
		volatile uint32_t *q;

		if (got < 0)
			_exit(1);
		q = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, got, 0);
		if (q == MAP_FAILED)
			_exit(2);
		q[7] = 0xfeed;
		_exit(0);
	}
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	p = mmap(NULL, MIB, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, send_fd(sv[0], fd));
	ASSERT_EQ(0, child_status(pid));
	EXPECT_EQ(0xfeed, p[7]);
	munmap((void *)p, MIB);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/* The module's reference count, as /sys/module/bpbuf/refcnt shows it */
static long refcnt(void)
{
	char *text = read_text("/sys/module/bpbuf/refcnt");
	long n = -1;

	if (text) {
		n = strtol(text, NULL, 10);
		free(text);
	}
	return n;
}

TEST_F(life, each_buffer_holds_a_module_reference)
{
	long before = refcnt();
	int fd;

	if (before < 0)
		SKIP(return, "no /sys/module/bpbuf/refcnt");
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	EXPECT_EQ(before + 1, refcnt());
	close(fd);
	EXPECT_EQ(before, refcnt());
}

/*
 * rmmod must be refused while anything lives. O_NONBLOCK: fail at once with
 * EWOULDBLOCK rather than wait. Should the module go anyway, every later
 * test fails loudly too.
 */
static int try_rmmod(void)
{
	return syscall(SYS_delete_module, "bpbuf", O_NONBLOCK) ? -errno : 0;
}

TEST_F(life, rmmod_refused_while_device_open)
{
	if (geteuid())
		SKIP(return, "delete_module needs CAP_SYS_MODULE");
	EXPECT_EQ(-EWOULDBLOCK, try_rmmod());
}

TEST_F(life, rmmod_refused_while_buffer_fd_lives)
{
	int fd;

	if (geteuid())
		SKIP(return, "delete_module needs CAP_SYS_MODULE");
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	close(self->dev);
	self->dev = -1;
	EXPECT_EQ(-EWOULDBLOCK, try_rmmod());
	close(fd);
}

TEST_F(life, rmmod_refused_while_mapping_lives)
{
	void *p;
	int fd;

	if (geteuid())
		SKIP(return, "delete_module needs CAP_SYS_MODULE");
	ASSERT_EQ(0, bp_alloc(self->dev, MIB, 0, 0, &fd));
	p = mmap(NULL, MIB, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	close(fd);
	close(self->dev);
	self->dev = -1;
	EXPECT_EQ(-EWOULDBLOCK, try_rmmod());
	munmap(p, MIB);
}

/*
 * A fatal signal during an allocation (most likely while the whole heap is
 * being zeroed) must leave nothing behind.
 */
TEST_F(life, killed_while_allocating_leaks_nothing)
{
	struct bpbuf_heap_info info;
	int round;

	for (round = 0; round < 10; round++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			int dev = bp_open(), fd;

			for (;;)
				if (!bp_alloc(dev, self->idle.heap_size, 0, 0, &fd))
					close(fd);
		}
		usleep(20000 + round * 7000);
		kill(pid, SIGKILL);
		EXPECT_EQ(128, child_status(pid));
	}
	ASSERT_EQ(0, bp_wait_idle(self->dev, &info));
	EXPECT_EQ(info.heap_size, info.free_bytes);
	EXPECT_EQ(1, info.free_extents);
}

/* The dma-heap of the default CMA area (not "system"), or -1 */
static int open_cma_heap(void)
{
	static const char *const names[] = { "reserved", "linux,cma", "default_cma_region" };
	char path[64];
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "/dev/dma_heap/%s", names[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

/*
 * A heap larger than the machine's memory: the load fails with ENOMEM and
 * the kernel log says what to do (bpbuf(4), "Load errors"), whatever the
 * source; nothing of the module is left; it then loads as it was.
 */
TEST_F(life, load_larger_than_memory_says_what_to_do)
{
	long long too_big = (bp_meminfo("MemTotal:") + 1024 * MIB) / MIB * MIB;
	char args[1024], reload[1024], said[4096];
	int ko_fd, ret;
	const char *why;

	ko_fd = bp_unload_for_reload(&self->dev, reload, sizeof(reload), &why);
	if (ko_fd == -1)
		SKIP(return, "%s", why);
	ASSERT_LE(0, ko_fd) TH_LOG("%s", why);

	snprintf(args, sizeof(args), "heap_size=%lld", too_big);
	ret = bp_load_logged(ko_fd, args, said, sizeof(said));
	EXPECT_EQ(ENOMEM, ret) TH_LOG("finit_module %s: %s", args, strerror(ret));
	TH_LOG("the kernel said: %s", said);
	EXPECT_TRUE(strstr(said, "cannot ") != NULL) TH_LOG("no load error in the log");
	EXPECT_TRUE(strstr(said, "smaller heap_size=") != NULL)
		TH_LOG("the log does not say what to do");
	EXPECT_EQ(-1, access(BPBUF_NODE, F_OK));
	EXPECT_EQ(-1, access(BPBUF_PARAMS, F_OK));

	if (!ret)
		bp_unload(200);
	self->dev = bp_reload_and_open(ko_fd, reload);
	ASSERT_LE(0, self->dev) TH_LOG("load %s: %s", reload, strerror(-self->dev));
}

/*
 * heap_source=movable on any kernel with alloc_contig_range(): the debug
 * kernels (CMA, KASAN, lockdep, kmemleak) load a heap of movable memory
 * too, whose pages can be mapped one by one, hand out all of it, and give
 * it back at unload; then the module loads as it was.
 */
TEST_F(life, movable_source_serves_the_whole_heap)
{
	char args[1024];
	struct bpbuf_heap_info info;
	unsigned char *p;
	int ko_fd, ret, fd;
	const char *why;

	ko_fd = bp_unload_for_reload(&self->dev, args, sizeof(args), &why);
	if (ko_fd == -1)
		SKIP(return, "%s", why);
	ASSERT_LE(0, ko_fd) TH_LOG("%s", why);

	ret = syscall(SYS_finit_module, ko_fd, "heap_size=32M heap_source=movable", 0) ?
	      errno : 0;
	if (ret == EOPNOTSUPP) {
		self->dev = bp_reload_and_open(ko_fd, args);
		ASSERT_LE(0, self->dev);
		SKIP(return, "this kernel gives modules no alloc_contig_range()");
	}
	ASSERT_EQ(0, ret) TH_LOG("finit_module heap_source=movable: %s", strerror(ret));
	EXPECT_TRUE(bp_heap_is_movable());
	EXPECT_EQ(1, bp_file_value(BPBUF_DEBUGFS "/heap", "pages_mappable"));
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(32 * MIB, info.heap_size);
	ASSERT_EQ(0, bp_alloc(self->dev, info.heap_size, 0, BPBUF_ALLOC_CLOEXEC, &fd));
	p = mmap(NULL, info.heap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(all_bytes_are(p, info.heap_size, 0));
	memset(p, 0x5a, info.heap_size);
	EXPECT_TRUE(all_bytes_are(p, info.heap_size, 0x5a));
	munmap(p, info.heap_size);
	close(fd);
	ASSERT_EQ(0, bp_wait_idle(self->dev, &info));
	EXPECT_EQ(info.heap_size, info.free_bytes);
	close(self->dev);
	self->dev = -1;

	/* unload gives it back (free_contig_range() warns of pages in use) */
	ASSERT_EQ(0, bp_unload(200));
	self->dev = bp_reload_and_open(ko_fd, args);
	ASSERT_LE(0, self->dev) TH_LOG("load %s: %s", args, strerror(-self->dev));
}

/*
 * Unloading gives the carve back to CMA, and the module loads again with the
 * same parameters. Proof the carve is back: the CMA dma-heap then hands out
 * more than CMA could hold beside it. Last in this file: later programs use
 * the reloaded module. The module file is where the VM rig puts it, or
 * $BPBUF_KO.
 */
TEST_F(life, rmmod_returns_the_carve_and_reload_works)
{
	const char *ko = bp_module_file();
	long long heap = self->idle.heap_size, cma = bp_meminfo("CmaTotal:");
	struct dma_heap_allocation_data big = {
		.len = cma - heap + 4 * MIB, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct bpbuf_heap_info info;
	int ko_fd, cma_heap;
	char args[1024];

	if (geteuid())
		SKIP(return, "delete_module and finit_module need CAP_SYS_MODULE");
	ko_fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (ko_fd < 0)
		SKIP(return, "no module file at %s (set BPBUF_KO)", ko);
	bp_load_args(args, sizeof(args));
	close(self->dev);
	self->dev = -1;

	ASSERT_EQ(0, try_rmmod());
	EXPECT_EQ(-1, access(BPBUF_NODE, F_OK));

	cma_heap = open_cma_heap();
	if (cma_heap >= 0 && cma > heap) {
		int ret = ioctl(cma_heap, DMA_HEAP_IOCTL_ALLOC, &big);

		EXPECT_EQ(0, ret)
			TH_LOG("%llu MiB from CMA (of %lld MiB) after rmmod: %s",
			       (unsigned long long)big.len >> 20, cma >> 20,
			       strerror(errno));
		if (!ret)
			close(big.fd);
		close(cma_heap);
	} else {
		TH_LOG("no CMA dma-heap: not checking the carve went back");
	}

	ASSERT_EQ(0, syscall(SYS_finit_module, ko_fd, args, 0))
		TH_LOG("finit_module %s %s: %s", ko, args, strerror(errno));
	close(ko_fd);
	self->dev = bp_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(heap, info.heap_size);
	EXPECT_EQ(info.heap_size, info.free_bytes);
}

TEST_HARNESS_MAIN
