// SPDX-License-Identifier: GPL-2.0-only
/*
 * libbpbuf in the VM, every function: the device (open, path override,
 * version, capabilities, heap info with shorter and longer structs),
 * allocation (flags, name, alignment, errors), mapping, the bus address,
 * whole-buffer and range syncs with their begin/end helpers, naming, and
 * import (ownership, dup, other files, other exporters, and without
 * CAP_SYS_RAWIO through fdinfo).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libbpbuf.h>

#include "kselftest_harness.h"
#include "lib-test.h"

#define MIB	(1ULL << 20)

static uint64_t page(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

FIXTURE(lib) {
	struct bpbuf_dev *dev;
	struct bpbuf_buffer *buf;
};

FIXTURE_SETUP(lib)
{
	self->buf = NULL;
	ASSERT_EQ(0, bpbuf_dev_open(NULL, &self->dev));
	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, MIB, 0, BPBUF_ALLOC_CLOEXEC,
					"lib-api", &self->buf));
}

FIXTURE_TEARDOWN(lib)
{
	bpbuf_buffer_free(self->buf);
	bpbuf_dev_close(self->dev);
}

/* The device */

TEST(open_default_and_close)
{
	struct bpbuf_dev *dev = NULL;

	ASSERT_EQ(0, bpbuf_dev_open(NULL, &dev));
	ASSERT_NE(NULL, dev);
	EXPECT_LE(0, bpbuf_dev_fd(dev));
	EXPECT_EQ(FD_CLOEXEC, fcntl(bpbuf_dev_fd(dev), F_GETFD));
	bpbuf_dev_close(dev);
	bpbuf_dev_close(NULL);
}

TEST(open_path)
{
	struct bpbuf_dev *dev = (void *)1;

	ASSERT_EQ(0, bpbuf_dev_open(BPBUF_DEFAULT_PATH, &dev));
	bpbuf_dev_close(dev);
	EXPECT_EQ(-ENOENT, bpbuf_dev_open("/nonexistent", &dev));
	EXPECT_EQ(NULL, dev);
	/* a node that does not speak bpbuf */
	EXPECT_EQ(-ENOTTY, bpbuf_dev_open("/dev/null", &dev));
	EXPECT_EQ(-EINVAL, bpbuf_dev_open(NULL, NULL));
}

TEST(open_env_override)
{
	struct bpbuf_dev *dev;

	ASSERT_EQ(0, setenv(BPBUF_DEVICE_ENV, "/nonexistent", 1));
	EXPECT_EQ(-ENOENT, bpbuf_dev_open(NULL, &dev));
	/* an explicit path wins */
	ASSERT_EQ(0, bpbuf_dev_open(BPBUF_DEFAULT_PATH, &dev));
	bpbuf_dev_close(dev);
	ASSERT_EQ(0, setenv(BPBUF_DEVICE_ENV, "", 1));
	ASSERT_EQ(0, bpbuf_dev_open(NULL, &dev));
	bpbuf_dev_close(dev);
	unsetenv(BPBUF_DEVICE_ENV);
}

TEST_F(lib, version)
{
	unsigned int major = 99, minor = 99, patch = 99;
	struct bpbuf_version v;
	const char *name = NULL, *date = NULL, *desc = NULL;

	ASSERT_EQ(0, bpbuf_dev_version(self->dev, &major, &minor, &patch));
	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, ioctl(bpbuf_dev_fd(self->dev), BPBUF_IOCTL_VERSION, &v));
	EXPECT_EQ(v.version_major, major);
	EXPECT_EQ(v.version_minor, minor);
	EXPECT_EQ(v.version_patchlevel, patch);
	EXPECT_EQ(0, bpbuf_dev_version(self->dev, NULL, NULL, NULL));
	EXPECT_EQ(-EINVAL, bpbuf_dev_version(NULL, &major, NULL, NULL));

	ASSERT_EQ(0, bpbuf_dev_driver(self->dev, &name, &date, &desc));
	EXPECT_STREQ("bpbuf", name);
	EXPECT_EQ(8, strlen(date));
	EXPECT_EQ(v.date_len, strlen(date));
	EXPECT_EQ(v.desc_len, strlen(desc));
	EXPECT_LT(0, strlen(desc));
	EXPECT_EQ(0, bpbuf_dev_driver(self->dev, NULL, NULL, NULL));
	EXPECT_EQ(-EINVAL, bpbuf_dev_driver(NULL, &name, NULL, NULL));
}

TEST_F(lib, get_cap)
{
	struct bpbuf_heap_info hi;
	uint64_t v = 0;

	ASSERT_EQ(0, bpbuf_dev_get_cap(self->dev, BPBUF_CAP_PAGE_SIZE, &v));
	EXPECT_EQ(page(), v);
	ASSERT_EQ(0, bpbuf_dev_heap_info(self->dev, &hi, sizeof(hi)));
	ASSERT_EQ(0, bpbuf_dev_get_cap(self->dev, BPBUF_CAP_HEAP_SIZE, &v));
	EXPECT_EQ(hi.heap_size, v);
	/* root in the VM */
	ASSERT_EQ(0, bpbuf_dev_get_cap(self->dev, BPBUF_CAP_BUS_ADDR, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, bpbuf_dev_get_cap(self->dev, BPBUF_CAP_RANGE_SYNC, &v));
	EXPECT_EQ(1, v);
	EXPECT_EQ(-EINVAL, bpbuf_dev_get_cap(self->dev, 0xdead, &v));
	EXPECT_EQ(-EINVAL, bpbuf_dev_get_cap(self->dev, BPBUF_CAP_PAGE_SIZE, NULL));
	EXPECT_EQ(-EINVAL, bpbuf_dev_get_cap(NULL, BPBUF_CAP_PAGE_SIZE, &v));
}

TEST_F(lib, heap_info)
{
	struct bpbuf_heap_info hi, before;
	struct bpbuf_buffer *b;
	uint64_t partial[2];
	unsigned char big[sizeof(hi) + 16];
	size_t i;

	ASSERT_EQ(0, bpbuf_dev_heap_info(self->dev, &before, sizeof(before)));
	EXPECT_EQ(page(), before.page_size);
	EXPECT_LE(1, before.live_buffers);
	EXPECT_GE(before.heap_size, before.free_bytes);
	EXPECT_GE(before.free_bytes, before.largest_free);
	EXPECT_LE(32, before.dma_bits);

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, 4 * page(), 0, 0, NULL, &b));
	ASSERT_EQ(0, bpbuf_dev_heap_info(self->dev, &hi, sizeof(hi)));
	EXPECT_EQ(before.free_bytes - 4 * page(), hi.free_bytes);
	EXPECT_EQ(before.live_buffers + 1, hi.live_buffers);
	bpbuf_buffer_free(b);
	ASSERT_EQ(0, bpbuf_dev_heap_info(self->dev, &hi, sizeof(hi)));
	EXPECT_EQ(before.free_bytes, hi.free_bytes);
	EXPECT_EQ(before.live_buffers, hi.live_buffers);

	/* an older caller's shorter struct: only its part is written */
	partial[1] = 0x5555;
	ASSERT_EQ(0, bpbuf_dev_heap_info(self->dev, (void *)partial, 8));
	EXPECT_EQ(before.heap_size, partial[0]);
	EXPECT_EQ(0x5555, partial[1]);
	/* a newer caller's longer struct: zeros past ours */
	memset(big, 0xff, sizeof(big));
	ASSERT_EQ(0, bpbuf_dev_heap_info(self->dev, (void *)big, sizeof(big)));
	for (i = sizeof(hi); i < sizeof(big); i++)
		EXPECT_EQ(0, big[i]);
	EXPECT_EQ(-EINVAL, bpbuf_dev_heap_info(self->dev, &hi, 0));
	EXPECT_EQ(-EINVAL, bpbuf_dev_heap_info(self->dev, NULL, sizeof(hi)));
}

TEST_F(lib, heaps)
{
	struct bpbuf_heap_info hi;
	struct bpbuf_buffer *b;
	uint32_t id = 99;
	uint64_t free_before;

	ASSERT_EQ(0, bpbuf_dev_heap_find(self->dev, BPBUF_HEAP_DEFAULT_NAME, &id));
	EXPECT_EQ(BPBUF_HEAP_DEFAULT, id);
	EXPECT_EQ(-ENOENT, bpbuf_dev_heap_find(self->dev, "no-such-heap", &id));
	EXPECT_EQ(-EINVAL, bpbuf_dev_heap_find(self->dev, NULL, &id));
	EXPECT_EQ(-EINVAL, bpbuf_dev_heap_find(self->dev, "default", NULL));

	ASSERT_EQ(0, bpbuf_dev_heap_info_id(self->dev, 0, &hi, sizeof(hi)));
	EXPECT_STREQ(BPBUF_HEAP_DEFAULT_NAME, hi.name);
	EXPECT_LE(1, hi.nr_heaps);
	free_before = hi.free_bytes;
	EXPECT_EQ(-ENOENT, bpbuf_dev_heap_info_id(self->dev, hi.nr_heaps, &hi,
						  sizeof(hi)));

	ASSERT_EQ(0, bpbuf_buffer_alloc_heap(self->dev, BPBUF_HEAP_DEFAULT,
					     MIB, 0, 0, "lib-heap", &b));
	ASSERT_EQ(0, bpbuf_dev_heap_info_id(self->dev, 0, &hi, sizeof(hi)));
	EXPECT_EQ(free_before - MIB, hi.free_bytes);
	bpbuf_buffer_free(b);
	b = NULL;
	EXPECT_EQ(-ENOENT, bpbuf_buffer_alloc_heap(self->dev, hi.nr_heaps, MIB,
						   0, 0, NULL, &b));
	EXPECT_TRUE(b == NULL);
}

/* Allocation */

TEST_F(lib, alloc_rounds_to_pages)
{
	struct bpbuf_buffer *b;

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, 1, 0, 0, NULL, &b));
	EXPECT_EQ(page(), bpbuf_buffer_size(b));
	EXPECT_LE(0, bpbuf_buffer_fd(b));
	EXPECT_EQ(NULL, bpbuf_buffer_addr(b));
	bpbuf_buffer_free(b);
	EXPECT_EQ(MIB, bpbuf_buffer_size(self->buf));
	bpbuf_buffer_free(NULL);
}

TEST_F(lib, alloc_flags)
{
	struct bpbuf_buffer *b;

	/* the fixture's buffer asked for CLOEXEC */
	EXPECT_EQ(FD_CLOEXEC, fcntl(bpbuf_buffer_fd(self->buf), F_GETFD));
	EXPECT_EQ(O_RDWR, fcntl(bpbuf_buffer_fd(self->buf), F_GETFL) & O_ACCMODE);

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, page(), 0, 0, NULL, &b));
	EXPECT_EQ(0, fcntl(bpbuf_buffer_fd(b), F_GETFD));
	bpbuf_buffer_free(b);
	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, page(), 0, BPBUF_ALLOC_RDONLY,
					NULL, &b));
	EXPECT_EQ(O_RDONLY, fcntl(bpbuf_buffer_fd(b), F_GETFL) & O_ACCMODE);
	bpbuf_buffer_free(b);
	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, page(), 0, BPBUF_ALLOC_WRONLY,
					NULL, &b));
	EXPECT_EQ(O_WRONLY, fcntl(bpbuf_buffer_fd(b), F_GETFL) & O_ACCMODE);
	bpbuf_buffer_free(b);
	EXPECT_EQ(-EINVAL, bpbuf_buffer_alloc(self->dev, page(), 0,
					      BPBUF_ALLOC_RDONLY | BPBUF_ALLOC_WRONLY,
					      NULL, &b));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_alloc(self->dev, page(), 0, 1U << 31,
					      NULL, &b));
}

TEST_F(lib, alloc_errors)
{
	struct bpbuf_buffer *b = (void *)1;
	char longname[BPBUF_NAME_LEN + 1];

	EXPECT_EQ(-EINVAL, bpbuf_buffer_alloc(self->dev, 0, 0, 0, NULL, &b));
	EXPECT_EQ(NULL, b);
	EXPECT_EQ(-ENOMEM, bpbuf_buffer_alloc(self->dev, 1ULL << 40, 0, 0, NULL,
					      &b));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_alloc(self->dev, page(), 3 * page(), 0,
					      NULL, &b));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_alloc(self->dev, page(), page() / 2, 0,
					      NULL, &b));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, bpbuf_buffer_alloc(self->dev, page(), 0, 0,
						    longname, &b));
	longname[BPBUF_NAME_LEN - 1] = '\0';
	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, page(), 0, 0, longname, &b));
	bpbuf_buffer_free(b);
	EXPECT_EQ(-EINVAL, bpbuf_buffer_alloc(NULL, page(), 0, 0, NULL, &b));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_alloc(self->dev, page(), 0, 0, NULL, NULL));
}

TEST_F(lib, alloc_aligned)
{
	struct bpbuf_buffer *b;
	uint64_t bus;

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, page(), 2 * MIB, 0, NULL, &b));
	ASSERT_EQ(0, bpbuf_buffer_bus_addr(b, &bus));
	EXPECT_EQ(0, bus % (2 * MIB));
	bpbuf_buffer_free(b);
}

TEST_F(lib, names)
{
	char val[64];

	EXPECT_STREQ("lib-api", fdinfo_value(bpbuf_buffer_fd(self->buf), "name",
					     val, sizeof(val)));
	EXPECT_STREQ("bpbuf", fdinfo_value(bpbuf_buffer_fd(self->buf),
					   "exp_name", val, sizeof(val)));
	ASSERT_EQ(0, bpbuf_buffer_set_name(self->buf, "renamed"));
	EXPECT_STREQ("renamed", fdinfo_value(bpbuf_buffer_fd(self->buf), "name",
					     val, sizeof(val)));
	EXPECT_EQ(-ENAMETOOLONG,
		  bpbuf_buffer_set_name(self->buf,
					"0123456789012345678901234567890123"));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_set_name(self->buf, NULL));
}

/* Mapping */

TEST_F(lib, map_write_read)
{
	unsigned char *p, *q;
	struct bpbuf_buffer *again;
	uint64_t i;

	ASSERT_EQ(0, bpbuf_buffer_map(self->buf, 0, (void **)&p));
	EXPECT_EQ(p, bpbuf_buffer_addr(self->buf));
	/* braced: ASSERT_/EXPECT_ end in a second statement (bail, TH_LOG) */
	for (i = 0; i < MIB; i++) {
		ASSERT_EQ(0, p[i]) TH_LOG("byte %llu not zeroed", (unsigned long long)i);
	}
	for (i = 0; i < MIB; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	EXPECT_EQ(-EBUSY, bpbuf_buffer_map(self->buf, 0, NULL));

	/* another handle on the same buffer sees the same bytes */
	ASSERT_EQ(0, bpbuf_buffer_import(self->dev, bpbuf_buffer_fd(self->buf),
					 BPBUF_IMPORT_DUP, &again));
	ASSERT_EQ(0, bpbuf_buffer_map(again, PROT_READ, (void **)&q));
	for (i = 0; i < MIB; i += 4096)
		EXPECT_EQ((unsigned char)(i >> 12), q[i]);
	bpbuf_buffer_free(again);

	EXPECT_EQ(0, bpbuf_buffer_unmap(self->buf));
	EXPECT_EQ(NULL, bpbuf_buffer_addr(self->buf));
	EXPECT_EQ(0, bpbuf_buffer_unmap(self->buf));
	/* mapped again: the data stayed */
	ASSERT_EQ(0, bpbuf_buffer_map(self->buf, PROT_READ | PROT_WRITE,
				      (void **)&p));
	EXPECT_EQ(1, p[4096]);
	/* free unmaps */
}

TEST_F(lib, map_prot)
{
	struct bpbuf_buffer *b;
	void *p;

	EXPECT_EQ(-EINVAL, bpbuf_buffer_map(self->buf, PROT_EXEC, &p));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_map(NULL, 0, &p));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_unmap(NULL));

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, page(), 0, BPBUF_ALLOC_RDONLY,
					NULL, &b));
	EXPECT_EQ(-EACCES, bpbuf_buffer_map(b, PROT_READ | PROT_WRITE, &p));
	ASSERT_EQ(0, bpbuf_buffer_map(b, 0, &p));
	EXPECT_EQ(0, *(volatile unsigned char *)p);
	bpbuf_buffer_free(b);

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, page(), 0, BPBUF_ALLOC_WRONLY,
					NULL, &b));
	EXPECT_EQ(-EACCES, bpbuf_buffer_map(b, 0, &p));
	bpbuf_buffer_free(b);
}

/*
 * Where the kernel has large entries for bpbuf, a buffer of one PMD is
 * mapped at a PMD-aligned address, so that it can use them; on other
 * kernels only page alignment is promised.
 */
TEST_F(lib, map_aligned_for_large_entries)
{
	uint64_t sizes, pmd = 0, s;
	struct bpbuf_buffer *b;
	void *p;

	ASSERT_EQ(0, bpbuf_dev_get_cap(self->dev, BPBUF_CAP_MAP_SIZES, &sizes));
	for (s = sizes & ~(page() * 2 - 1); s && !pmd; s &= s - 1)
		pmd = s & -s;
	if (!pmd)
		SKIP(return, "this kernel maps bpbuf buffers with pages only (map sizes 0x%llx)",
		     (unsigned long long)sizes);
	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, pmd, 0, 0, NULL, &b));
	ASSERT_EQ(0, bpbuf_buffer_map(b, 0, &p));
	EXPECT_EQ(0, (uintptr_t)p & (pmd - 1)) TH_LOG("mapped at %p", p);
	memset(p, 0x5c, pmd);
	bpbuf_buffer_free(b);
}

/*
 * A page map: the same memory as the dma-buf's mapping, and one the kernel
 * can take pages from (vmsplice() into a pipe), where the other gives
 * EFAULT; a second map while mapped is EBUSY, and a write-only fd EACCES.
 */
TEST_F(lib, map_pages)
{
	size_t len = 4 * page();
	struct bpbuf_buffer *b;
	struct iovec iov;
	int pipefd[2];
	char *p, *pfn, *in;
	uint64_t cap;

	ASSERT_EQ(0, bpbuf_dev_get_cap(self->dev, BPBUF_CAP_PAGE_MAP, &cap));
	if (!cap)
		SKIP(return, "this heap cannot be page-mapped");
	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, len, 0, 0, NULL, &b));
	ASSERT_EQ(0, bpbuf_buffer_map_pages(b, 0, (void **)&p));
	EXPECT_EQ(p, bpbuf_buffer_addr(b));
	EXPECT_EQ(-EBUSY, bpbuf_buffer_map_pages(b, 0, NULL));
	memset(p, 0x6d, len);
	pfn = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpbuf_buffer_fd(b), 0);
	ASSERT_TRUE(pfn != MAP_FAILED);
	EXPECT_EQ(0x6d, pfn[len - 1]);

	ASSERT_EQ(0, pipe(pipefd));
	iov.iov_base = pfn;
	iov.iov_len = page();
	errno = 0;
	EXPECT_EQ(-1, vmsplice(pipefd[1], &iov, 1, 0));
	EXPECT_EQ(EFAULT, errno);
	iov.iov_base = p;
	EXPECT_EQ((ssize_t)page(), vmsplice(pipefd[1], &iov, 1, 0));
	in = malloc(page());
	ASSERT_TRUE(in != NULL);
	EXPECT_EQ((ssize_t)page(), read(pipefd[0], in, page()));
	EXPECT_EQ(0x6d, in[0]);
	free(in);
	close(pipefd[0]);
	close(pipefd[1]);
	munmap(pfn, len);
	EXPECT_EQ(0, bpbuf_buffer_unmap(b));
	EXPECT_EQ(NULL, bpbuf_buffer_addr(b));
	bpbuf_buffer_free(b);

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, page(), 0, BPBUF_ALLOC_WRONLY, NULL, &b));
	EXPECT_EQ(-EACCES, bpbuf_buffer_map_pages(b, 0, NULL));
	bpbuf_buffer_free(b);
	EXPECT_EQ(-EINVAL, bpbuf_buffer_map_pages(NULL, 0, NULL));
}

/* The bus address */

TEST_F(lib, bus_addr)
{
	struct bpbuf_bus_addr ba;
	uint64_t bus = 0, bus2 = 1;

	ASSERT_EQ(0, bpbuf_buffer_bus_addr(self->buf, &bus));
	EXPECT_NE(0, bus);
	EXPECT_EQ(0, bus % page());
	memset(&ba, 0, sizeof(ba));
	ba.fd = (uint32_t)bpbuf_buffer_fd(self->buf);
	ASSERT_EQ(0, ioctl(bpbuf_dev_fd(self->dev), BPBUF_IOCTL_BUS_ADDR, &ba));
	EXPECT_EQ(ba.bus_addr, bus);
	EXPECT_EQ(ba.size, bpbuf_buffer_size(self->buf));
	/* cached or not, the same answer */
	ASSERT_EQ(0, bpbuf_buffer_bus_addr(self->buf, &bus2));
	EXPECT_EQ(bus, bus2);
	EXPECT_EQ(-EINVAL, bpbuf_buffer_bus_addr(self->buf, NULL));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_bus_addr(NULL, &bus));
}

TEST_F(lib, buffer_outlives_dev_handle)
{
	uint64_t bus;

	/* each buffer holds the device: closing the handle is safe */
	bpbuf_dev_close(self->dev);
	self->dev = NULL;
	EXPECT_EQ(0, bpbuf_buffer_bus_addr(self->buf, &bus));
	EXPECT_EQ(0, bpbuf_buffer_sync_range(self->buf, BPBUF_SYNC_START |
					     BPBUF_SYNC_RW, 0, page()));
	EXPECT_EQ(0, bpbuf_buffer_sync_range(self->buf, BPBUF_SYNC_END |
					     BPBUF_SYNC_RW, 0, page()));
}

/* Cache syncs */

TEST_F(lib, sync_whole)
{
	static const uint32_t rws[] = {
		BPBUF_SYNC_READ, BPBUF_SYNC_WRITE, BPBUF_SYNC_RW,
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, bpbuf_buffer_sync(self->buf, BPBUF_SYNC_START | rws[i]));
		EXPECT_EQ(0, bpbuf_buffer_sync(self->buf, BPBUF_SYNC_END | rws[i]));
		EXPECT_EQ(0, bpbuf_buffer_begin_cpu_access(self->buf, rws[i]));
		EXPECT_EQ(0, bpbuf_buffer_end_cpu_access(self->buf, rws[i]));
	}
	EXPECT_EQ(-EINVAL, bpbuf_buffer_sync(self->buf, BPBUF_SYNC_START));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_sync(self->buf, 1U << 3 | BPBUF_SYNC_RW));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_sync(NULL, BPBUF_SYNC_RW));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_begin_cpu_access(self->buf, 0));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_begin_cpu_access(self->buf,
							 BPBUF_SYNC_END | BPBUF_SYNC_RW));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_end_cpu_access(self->buf, 1U << 3));
}

TEST_F(lib, sync_range)
{
	uint64_t size = bpbuf_buffer_size(self->buf);

	EXPECT_EQ(0, bpbuf_buffer_sync_range(self->buf, BPBUF_SYNC_START |
					     BPBUF_SYNC_WRITE, 0, size));
	EXPECT_EQ(0, bpbuf_buffer_sync_range(self->buf, BPBUF_SYNC_END |
					     BPBUF_SYNC_WRITE, 0, size));
	EXPECT_EQ(0, bpbuf_buffer_begin_cpu_access_range(self->buf,
							 BPBUF_SYNC_READ,
							 size - 1, 1));
	EXPECT_EQ(0, bpbuf_buffer_end_cpu_access_range(self->buf,
						       BPBUF_SYNC_READ,
						       size - 1, 1));
	EXPECT_EQ(0, bpbuf_buffer_begin_cpu_access_range(self->buf,
							 BPBUF_SYNC_RW, 100, 50));
	EXPECT_EQ(0, bpbuf_buffer_end_cpu_access_range(self->buf,
						       BPBUF_SYNC_RW, 100, 50));
	/* the kernel's checks come through as they are */
	EXPECT_EQ(-EINVAL, bpbuf_buffer_sync_range(self->buf, BPBUF_SYNC_RW,
						   0, 0));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_sync_range(self->buf, BPBUF_SYNC_RW,
						   size, 1));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_sync_range(self->buf, BPBUF_SYNC_RW,
						   1, size));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_sync_range(self->buf, BPBUF_SYNC_RW,
						   UINT64_MAX, 2));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_sync_range(self->buf, 0, 0, 1));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_begin_cpu_access_range(self->buf, 0,
							       0, 1));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_end_cpu_access_range(self->buf,
							     BPBUF_SYNC_END,
							     0, 1));
}

/* Import */

TEST_F(lib, import_takes_ownership)
{
	struct bpbuf_buffer *b;
	uint64_t bus, bus2;
	int fd;

	ASSERT_EQ(0, bpbuf_buffer_bus_addr(self->buf, &bus));
	fd = fcntl(bpbuf_buffer_fd(self->buf), F_DUPFD_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bpbuf_buffer_import(self->dev, fd, 0, &b));
	EXPECT_EQ(fd, bpbuf_buffer_fd(b));
	EXPECT_EQ(MIB, bpbuf_buffer_size(b));
	ASSERT_EQ(0, bpbuf_buffer_bus_addr(b, &bus2));
	EXPECT_EQ(bus, bus2);
	bpbuf_buffer_free(b);
	/* the handle owned fd and closed it */
	EXPECT_EQ(-1, fcntl(fd, F_GETFD));
	EXPECT_EQ(EBADF, errno);
}

TEST_F(lib, import_dup)
{
	struct bpbuf_buffer *b;
	int fd = bpbuf_buffer_fd(self->buf);

	ASSERT_EQ(0, bpbuf_buffer_import(self->dev, fd, BPBUF_IMPORT_DUP, &b));
	EXPECT_NE(fd, bpbuf_buffer_fd(b));
	EXPECT_EQ(FD_CLOEXEC, fcntl(bpbuf_buffer_fd(b), F_GETFD));
	EXPECT_EQ(MIB, bpbuf_buffer_size(b));
	bpbuf_buffer_free(b);
	/* ours is still open */
	EXPECT_LE(0, fcntl(fd, F_GETFD));
}

TEST_F(lib, import_refuses)
{
	struct bpbuf_buffer *b = (void *)1;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_import(self->dev, p[0], 0, &b));
	EXPECT_EQ(NULL, b);
	/* a refused fd stays the caller's */
	EXPECT_LE(0, fcntl(p[0], F_GETFD));
	close(p[0]);
	close(p[1]);
	EXPECT_EQ(-EBADF, bpbuf_buffer_import(self->dev, p[0], 0, &b));
	EXPECT_EQ(-EBADF, bpbuf_buffer_import(self->dev, -1, 0, &b));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_import(self->dev,
					       bpbuf_buffer_fd(self->buf),
					       1U << 7, &b));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_import(NULL, bpbuf_buffer_fd(self->buf),
					       0, &b));
	/* the device node itself is not a buffer */
	EXPECT_EQ(-EINVAL, bpbuf_buffer_import(self->dev, bpbuf_dev_fd(self->dev),
					       BPBUF_IMPORT_DUP, &b));
}

/* A dma-buf of another exporter is refused; SKIPs, before checking, without vgem */
TEST_F(lib, import_refuses_other_exporter)
{
	struct bpbuf_buffer *b = (void *)1;
	int other = vgem_dmabuf();

	if (other < 0)
		SKIP(return, "no vgem for a dma-buf of another exporter");
	EXPECT_EQ(-EXDEV, bpbuf_buffer_import(self->dev, other, 0, &b));
	close(other);
}

/*
 * Without CAP_SYS_RAWIO, BUS_ADDR says EPERM: import decides from fdinfo,
 * and bus_addr reports EPERM. Checked in a child that dropped the cap.
 */
TEST_F(lib, import_without_rawio)
{
	int fd = bpbuf_buffer_fd(self->buf), other = vgem_dmabuf();
	int status, p[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct bpbuf_buffer *b;
		uint64_t v, bus;

		if (drop_rawio())
			_exit(10);
		if (bpbuf_dev_get_cap(self->dev, BPBUF_CAP_BUS_ADDR, &v) || v)
			_exit(11);
		if (bpbuf_buffer_import(self->dev, fd, BPBUF_IMPORT_DUP, &b))
			_exit(12);
		if (bpbuf_buffer_size(b) != MIB)
			_exit(13);
		if (bpbuf_buffer_bus_addr(b, &bus) != -EPERM)
			_exit(14);
		bpbuf_buffer_free(b);
		if (bpbuf_buffer_import(self->dev, p[0], 0, &b) != -EINVAL)
			_exit(15);
		if (other >= 0 &&
		    bpbuf_buffer_import(self->dev, other, 0, &b) != -EXDEV)
			_exit(16);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(p[0]);
	close(p[1]);
	if (other >= 0)
		close(other);
}

/* A buffer handed to a child process works there */
TEST_F(lib, fd_passes_to_child)
{
	unsigned char *p;
	int status;
	pid_t pid;

	ASSERT_EQ(0, bpbuf_buffer_map(self->buf, 0, (void **)&p));
	p[123] = 0x5a;
	ASSERT_EQ(0, bpbuf_buffer_end_cpu_access(self->buf, BPBUF_SYNC_WRITE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct bpbuf_buffer *b;
		unsigned char *q;

		if (bpbuf_buffer_import(self->dev, bpbuf_buffer_fd(self->buf),
					BPBUF_IMPORT_DUP, &b))
			_exit(1);
		if (bpbuf_buffer_map(b, PROT_READ, (void **)&q) || q[123] != 0x5a)
			_exit(2);
		bpbuf_buffer_free(b);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
