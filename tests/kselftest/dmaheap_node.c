// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/dma_heap/NAME, bpbuf's dma-heap node: the kernel's dma-heap ABI
 * (<linux/dma-heap.h>) with the kernel's validation, errors and handling of
 * older and newer struct sizes, as tools/testing/selftests/dmabuf-heaps
 * tests them, and with buffers that are bpbuf buffers. Where the kernel has
 * heaps of its own (CONFIG_DMABUF_HEAPS), every refused request is also sent
 * to one of them and must fail the same way.
 */
#include <dirent.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "bpbuf_test.h"
#include "kselftest_harness.h"

#define DMA_HEAP_DIR	"/dev/dma_heap"

/* The ioctl number of DMA_HEAP_IOCTL_ALLOC with another size or direction */
#define HEAP_IOC(dir, size)	_IOC((dir), DMA_HEAP_IOC_MAGIC, 0, (size))

static int heap_alloc(int heap, uint64_t len, uint32_t fd_flags,
		      uint64_t heap_flags, int *fd)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = fd_flags, .heap_flags = heap_flags,
	};
	int ret = bp_ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);

	if (!ret)
		*fd = (int)d.fd;
	return ret;
}

/* Size of a dma-buf, as lseek(SEEK_END) reports it */
static long long dmabuf_size(int fd)
{
	return lseek(fd, 0, SEEK_END);
}

FIXTURE(heap) {
	char path[128];
	int heap;
	int dev;
	struct bpbuf_heap_info idle;
};

/* The heap fixture's setup and teardown, shared with heap_refusal's */
static void heap_node_open(struct __test_metadata *_metadata,
			   FIXTURE_DATA(heap) *self)
{
	self->heap = -1;
	self->dev = bp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", BPBUF_NODE, strerror(errno));
	ASSERT_EQ(0, bp_wait_idle(self->dev, &self->idle));
	bp_heap_node_path(self->path, sizeof(self->path));
	ASSERT_NE(0, self->path[0]) TH_LOG("bpbuf has no dma_heap_name");
	self->heap = open(self->path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->heap) TH_LOG("open %s: %s", self->path, strerror(errno));
}

static void heap_node_close(FIXTURE_DATA(heap) *self)
{
	if (self->heap >= 0)
		close(self->heap);
	close(self->dev);
}

FIXTURE_SETUP(heap)
{
	heap_node_open(_metadata, self);
}

FIXTURE_TEARDOWN(heap)
{
	heap_node_close(self);
}

TEST_F(heap, node_is_a_char_device_in_dma_heap_dir)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
}

TEST_F(heap, node_is_a_misc_device_named_dma_heap_bang_name)
{
	char sys[192];

	/* sysfs spells the / of a device name as ! */
	snprintf(sys, sizeof(sys), "/sys/class/misc/dma_heap!%s",
		 self->path + strlen(DMA_HEAP_DIR "/"));
	EXPECT_EQ(0, access(sys, F_OK)) TH_LOG("%s: %s", sys, strerror(errno));
}

TEST_F(heap, node_is_not_seekable)
{
	EXPECT_EQ(-1, lseek(self->heap, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

TEST_F(heap, alloc_map_write_read)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	unsigned char *p;
	int fd;

	ASSERT_EQ(0, heap_alloc(self->heap, MIB, O_RDWR | O_CLOEXEC, 0, &fd));
	EXPECT_EQ(MIB, dmabuf_size(fd));
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(0, ioctl(fd, DMA_BUF_IOCTL_SYNC, &s));
	EXPECT_TRUE(all_bytes_are(p, MIB, 0));
	memset(p, 1, MIB / 2);
	memset(p + MIB / 2, 0xff, MIB / 2);
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	EXPECT_EQ(0, ioctl(fd, DMA_BUF_IOCTL_SYNC, &s));
	EXPECT_TRUE(all_bytes_are(p, MIB / 2, 1));
	EXPECT_TRUE(all_bytes_are(p + MIB / 2, MIB / 2, 0xff));
	munmap(p, MIB);
	close(fd);
}

TEST_F(heap, buffer_is_a_bpbuf_buffer)
{
	char path[64], *info;
	uint64_t addr = 0, size = 0;
	int fd;

	ASSERT_EQ(0, heap_alloc(self->heap, 3 * page_size(), O_RDWR, 0, &fd));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = read_text(path);
	ASSERT_TRUE(info != NULL);
	EXPECT_TRUE(strstr(info, "exp_name:\tbpbuf\n") != NULL) TH_LOG("%s", info);
	free(info);
	if (!geteuid()) {
		EXPECT_EQ(0, bp_bus_addr(self->dev, fd, &addr, &size));
		EXPECT_EQ(3 * page_size(), size);
		EXPECT_EQ(0, addr % page_size());
	}
	EXPECT_EQ(0, bp_sync(self->dev, fd, BPBUF_SYNC_START | BPBUF_SYNC_RW,
			     0, page_size()));
	close(fd);
}

TEST_F(heap, alloc_and_close_keep_the_books)
{
	struct bpbuf_heap_info info;
	int fd;

	ASSERT_EQ(0, heap_alloc(self->heap, 2 * MIB, O_RDWR, 0, &fd));
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(self->idle.live_buffers + 1, info.live_buffers);
	EXPECT_EQ(self->idle.free_bytes - 2 * MIB, info.free_bytes);
	close(fd);
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(self->idle.live_buffers, info.live_buffers);
	EXPECT_EQ(self->idle.free_bytes, info.free_bytes);
}

TEST_F(heap, len_rounds_up_to_a_page)
{
	int fd;

	ASSERT_EQ(0, heap_alloc(self->heap, 1, O_RDWR, 0, &fd));
	EXPECT_EQ(page_size(), dmabuf_size(fd));
	close(fd);
	ASSERT_EQ(0, heap_alloc(self->heap, page_size() + 1, O_RDWR, 0, &fd));
	EXPECT_EQ(2 * page_size(), dmabuf_size(fd));
	close(fd);
}

/* As the kernel's selftest: buffers filled, freed and reallocated are zero */
TEST_F(heap, reallocated_buffers_are_zeroed)
{
	size_t size = 64 * 1024;
	int i, fds[32];
	void *p;

	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, heap_alloc(self->heap, size, O_RDWR, 0, &fds[i]));
		p = mmap(NULL, size, PROT_WRITE, MAP_SHARED, fds[i], 0);
		ASSERT_TRUE(p != MAP_FAILED);
		memset(p, 0xff, size);
		munmap(p, size);
	}
	for (i = 0; i < 32; i++)
		close(fds[i]);
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, heap_alloc(self->heap, size, O_RDWR, 0, &fds[i]));
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, fds[i], 0);
		ASSERT_TRUE(p != MAP_FAILED);
		EXPECT_TRUE(all_bytes_are(p, size, 0)) TH_LOG("buffer %d", i);
		munmap(p, size);
	}
	for (i = 0; i < 32; i++)
		close(fds[i]);
}

TEST_F(heap, cloexec_fd_flag_sets_cloexec)
{
	int fd;

	ASSERT_EQ(0, heap_alloc(self->heap, page_size(), O_RDWR | O_CLOEXEC, 0, &fd));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	ASSERT_EQ(0, heap_alloc(self->heap, page_size(), O_RDWR, 0, &fd));
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST_F(heap, rdonly_fd_flag_gives_a_read_only_fd)
{
	int fd;

	ASSERT_EQ(0, heap_alloc(self->heap, page_size(), O_RDONLY, 0, &fd));
	EXPECT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_TRUE(mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0) == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
	EXPECT_TRUE(mmap(NULL, page_size(), PROT_READ, MAP_SHARED, fd, 0) !=
		    MAP_FAILED);
	close(fd);
}

/* As the kernel's selftest's "older" struct: no heap_flags */
TEST_F(heap, older_struct_without_heap_flags_works)
{
	struct {
		uint64_t len;
		uint32_t fd;
		uint32_t fd_flags;
	} d = { .len = MIB, .fd_flags = O_RDWR | O_CLOEXEC };

	ASSERT_EQ(0, bp_ioctl(self->heap, HEAP_IOC(_IOC_READ | _IOC_WRITE,
						   sizeof(d)), &d));
	EXPECT_EQ(MIB, dmabuf_size(d.fd));
	close(d.fd);
}

/* As the kernel's selftest's "newer" struct: bytes past it are ignored */
TEST_F(heap, newer_struct_with_unknown_bytes_works)
{
	struct {
		struct dma_heap_allocation_data d;
		uint64_t garbage[3];
	} big = {
		.d = { .len = MIB, .fd_flags = O_RDWR | O_CLOEXEC },
		.garbage = { 0xffffffff, 0x88888888, 0x11111111 },
	};

	ASSERT_EQ(0, bp_ioctl(self->heap, HEAP_IOC(_IOC_READ | _IOC_WRITE,
						   sizeof(big)), &big));
	EXPECT_EQ(MIB, dmabuf_size(big.d.fd));
	EXPECT_EQ(0x88888888, big.garbage[1]);
	close(big.d.fd);
}

/* Longer than the 128 bytes dma-heap.c keeps on its stack */
TEST_F(heap, much_newer_struct_works)
{
	struct {
		struct dma_heap_allocation_data d;
		uint8_t tail[4000];
	} *big = calloc(1, sizeof(*big));

	ASSERT_TRUE(big != NULL);
	big->d.len = page_size();
	big->d.fd_flags = O_RDWR;
	memset(big->tail, 0x5a, sizeof(big->tail));
	ASSERT_EQ(0, bp_ioctl(self->heap, HEAP_IOC(_IOC_READ | _IOC_WRITE,
						   sizeof(*big)), big));
	EXPECT_EQ(page_size(), dmabuf_size(big->d.fd));
	EXPECT_TRUE(all_bytes_are(big->tail, sizeof(big->tail), 0x5a));
	close(big->d.fd);
	free(big);
}

TEST_F(heap, len_larger_than_the_heap_enomem)
{
	int fd;

	EXPECT_EQ(-ENOMEM, heap_alloc(self->heap, self->idle.heap_size + page_size(),
				      O_RDWR, 0, &fd));
	EXPECT_EQ(-ENOMEM, heap_alloc(self->heap, 1ULL << 62, O_RDWR, 0, &fd));
}

TEST_F(heap, whole_heap_then_enomem)
{
	int fd, fd2;

	ASSERT_EQ(0, heap_alloc(self->heap, self->idle.heap_size, O_RDWR, 0, &fd));
	EXPECT_EQ(-ENOMEM, heap_alloc(self->heap, page_size(), O_RDWR, 0, &fd2));
	close(fd);
}

/* No fd, no buffer: EMFILE, and nothing is left allocated or charged */
TEST_F(heap, no_free_fd_emfile_and_nothing_leaks)
{
	struct bpbuf_heap_info info;
	struct rlimit old, rl;
	int fd = -1;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	rl = old;
	rl.rlim_cur = 0;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_EQ(-EMFILE, heap_alloc(self->heap, MIB, O_RDWR, 0, &fd));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(self->idle.live_buffers, info.live_buffers);
	EXPECT_EQ(self->idle.free_bytes, info.free_bytes);
}

TEST_F(heap, bad_pointer_efault)
{
	EXPECT_EQ(-EFAULT, bp_ioctl(self->heap, DMA_HEAP_IOCTL_ALLOC, (void *)8));
}

/* A write-protected struct: allocated, then the fd cannot be reported */
TEST_F(heap, unwritable_struct_efault_and_nothing_leaks)
{
	struct dma_heap_allocation_data *d;
	struct bpbuf_heap_info info;

	d = mmap(NULL, page_size(), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(d != MAP_FAILED);
	d->len = MIB;
	d->fd_flags = O_RDWR;
	ASSERT_EQ(0, mprotect(d, page_size(), PROT_READ));
	EXPECT_EQ(-EFAULT, bp_ioctl(self->heap, DMA_HEAP_IOCTL_ALLOC, d));
	ASSERT_EQ(0, bp_heap_info(self->dev, &info));
	EXPECT_EQ(self->idle.live_buffers, info.live_buffers);
	munmap(d, page_size());
}

/* With /dev/bpbuf closed, the open heap node alone keeps the module in */
TEST_F(heap, node_pins_the_module)
{
	int ret;

	if (geteuid())
		SKIP(return, "delete_module needs CAP_SYS_MODULE");
	close(self->dev);
	ret = syscall(SYS_delete_module, "bpbuf", O_NONBLOCK) ? errno : 0;
	self->dev = bp_open();
	EXPECT_EQ(EWOULDBLOCK, ret);
	ASSERT_LE(0, self->dev);
}

/*
 * Requests dma-heap.c refuses, each with the errno it gives. Each is sent to
 * bpbuf's node, as a heap_refusal variant of its own, and, where there is
 * one, to a heap of the kernel's own, from the refusals[] table. One list
 * makes both: R(variant name, what, cmd (0: DMA_HEAP_IOCTL_ALLOC), len, fd,
 * fd_flags, heap_flags, errno).
 */
#define REFUSALS(R)							\
	R(len_0, "len 0", 0, 0, 0, O_RDWR, 0, EINVAL)			\
	R(len_2_64_minus_1, "len 2^64-1 (page-aligns to 0)",		\
	  0, ~0ULL, 0, O_RDWR, 0, EINVAL)				\
	R(len_2_64_minus_4095, "len 2^64-4095",				\
	  0, ~0ULL - 4094, 0, O_RDWR, 0, EINVAL)			\
	R(fd_nonzero_on_input, "fd nonzero on input",			\
	  0, 4096, 3, O_RDWR, 0, EINVAL)				\
	R(fd_flags_not_rdwr_or_cloexec, "fd_flags ~(O_RDWR|O_CLOEXEC)",	\
	  0, 4096, 0, ~(O_RDWR | O_CLOEXEC), 0, EINVAL)			\
	R(fd_flags_nonblock, "fd_flags O_NONBLOCK",			\
	  0, 4096, 0, O_RDWR | O_NONBLOCK, 0, EINVAL)			\
	R(fd_flags_append, "fd_flags O_APPEND",				\
	  0, 4096, 0, O_RDWR | O_APPEND, 0, EINVAL)			\
	R(fd_flags_bit_31, "fd_flags bit 31",				\
	  0, 4096, 0, O_RDWR | 0x80000000U, 0, EINVAL)			\
	R(heap_flags_0x111111, "heap_flags 0x111111",			\
	  0, 4096, 0, O_RDWR, 0x111111, EINVAL)				\
	R(heap_flags_bit_0, "heap_flags bit 0",				\
	  0, 4096, 0, O_RDWR, 1, EINVAL)				\
	R(heap_flags_bit_63, "heap_flags bit 63",			\
	  0, 4096, 0, O_RDWR, 1ULL << 63, EINVAL)			\
	R(ioctl_number_1, "ioctl number 1",				\
	  _IOWR(DMA_HEAP_IOC_MAGIC, 1, struct dma_heap_allocation_data),	\
	  4096, 0, O_RDWR, 0, EINVAL)					\
	R(bpbuf_version_ioctl, "bpbuf's VERSION ioctl",			\
	  BPBUF_IOCTL_VERSION, 4096, 0, O_RDWR, 0, EINVAL)		\
	/* nothing read in: len is 0 */					\
	R(read_only_direction, "read-only direction",			\
	  HEAP_IOC(_IOC_READ, sizeof(struct dma_heap_allocation_data)),	\
	  4096, 0, O_RDWR, 0, EINVAL)					\
	R(size_0, "size 0",						\
	  HEAP_IOC(_IOC_READ | _IOC_WRITE, 0), 4096, 0, O_RDWR, 0, EINVAL) \
	R(no_direction, "no direction",					\
	  HEAP_IOC(_IOC_NONE, 0), 4096, 0, O_RDWR, 0, EINVAL)

struct refusal {
	char what[40];
	unsigned int cmd;	/* 0: DMA_HEAP_IOCTL_ALLOC */
	uint64_t len;
	uint32_t fd;
	uint32_t fd_flags;
	uint64_t heap_flags;
	int err;
};

#define REFUSAL(name, what, cmd, len, fd, fd_flags, heap_flags, err)	\
	{ what, cmd, len, fd, fd_flags, heap_flags, err },

static const struct refusal refusals[] = {
	REFUSALS(REFUSAL)
};

#define NR_REFUSALS	(sizeof(refusals) / sizeof(refusals[0]))

static int refuse(int heap, const struct refusal *r)
{
	struct dma_heap_allocation_data d = {
		.len = r->len, .fd = r->fd, .fd_flags = r->fd_flags,
		.heap_flags = r->heap_flags,
	};
	int ret = bp_ioctl(heap, r->cmd ? r->cmd : DMA_HEAP_IOCTL_ALLOC, &d);

	if (!ret)
		close((int)d.fd);
	return ret;
}

/* bpbuf's node, set up as the heap fixture is, once per refusal */
FIXTURE(heap_refusal) {
	FIXTURE_DATA(heap) node;
};

FIXTURE_VARIANT(heap_refusal) {
	struct refusal r;
};

#define REFUSAL_VARIANT(name, what, cmd, len, fd, fd_flags, heap_flags, err) \
	FIXTURE_VARIANT_ADD(heap_refusal, name) {			\
		.r = { what, cmd, len, fd, fd_flags, heap_flags, err },	\
	};

REFUSALS(REFUSAL_VARIANT)

FIXTURE_SETUP(heap_refusal)
{
	heap_node_open(_metadata, &self->node);
}

FIXTURE_TEARDOWN(heap_refusal)
{
	heap_node_close(&self->node);
}

TEST_F(heap_refusal, refused_as_dma_heap_c_refuses)
{
	struct bpbuf_heap_info info;

	EXPECT_EQ(-variant->r.err, refuse(self->node.heap, &variant->r))
		TH_LOG("%s", variant->r.what);
	ASSERT_EQ(0, bp_heap_info(self->node.dev, &info));
	EXPECT_EQ(self->node.idle.live_buffers, info.live_buffers);
}

/* A heap of the kernel's own (not ours), opened, or -1 */
static int kernel_heap(const char *ours, char *name, size_t len)
{
	const char *prefer[] = { "system", "reserved", "linux,cma" };
	char path[300];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(prefer) / sizeof(prefer[0]); i++) {
		snprintf(path, sizeof(path), DMA_HEAP_DIR "/%s", prefer[i]);
		if (!strcmp(path, ours))
			continue;
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			snprintf(name, len, "%s", prefer[i]);
			return fd;
		}
	}
	return -1;
}

TEST_F(heap, kernel_heap_refuses_the_same_way)
{
	const struct refusal *r;
	char name[32];
	int kheap;

	kheap = kernel_heap(self->path, name, sizeof(name));
	if (kheap < 0)
		SKIP(return, "the kernel has no dma-heap of its own (CONFIG_DMABUF_HEAPS)");
	/* braced: ASSERT_/EXPECT_ end in a second statement (bail, TH_LOG) */
	for (r = refusals; r < refusals + NR_REFUSALS; r++) {
		EXPECT_EQ(refuse(kheap, r), refuse(self->heap, r))
			TH_LOG("%s: %s and bpbuf differ", r->what, name);
	}
	close(kheap);
}

TEST_F(heap, kernel_heap_takes_the_same_struct_sizes)
{
	unsigned int sizes[] = { 16, 24, 48, 200 };
	char name[32];
	size_t i;
	int kheap;

	kheap = kernel_heap(self->path, name, sizeof(name));
	if (kheap < 0)
		SKIP(return, "the kernel has no dma-heap of its own (CONFIG_DMABUF_HEAPS)");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t k[32] = { page_size(), (uint64_t)O_RDWR << 32, 0, 7 };
		uint64_t b[32] = { page_size(), (uint64_t)O_RDWR << 32, 0, 7 };
		unsigned int cmd = HEAP_IOC(_IOC_READ | _IOC_WRITE, sizes[i]);
		int kret = bp_ioctl(kheap, cmd, k), bret = bp_ioctl(self->heap, cmd, b);

		EXPECT_EQ(kret, bret) TH_LOG("size %u", sizes[i]);
		if (!kret)
			close((int)(k[1] & 0xffffffff));
		if (!bret)
			close((int)(b[1] & 0xffffffff));
		/* everything but the fd comes back as it went */
		EXPECT_EQ(k[3], b[3]) TH_LOG("size %u", sizes[i]);
	}
	close(kheap);
}

TEST_HARNESS_MAIN
