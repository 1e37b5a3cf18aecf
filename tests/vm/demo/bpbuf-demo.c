// SPDX-License-Identifier: GPL-2.0-only
/*
 * The demo's two processes (tests/vm/demo/guest-demo.sh runs them):
 *
 *   bpbuf alloc 4M -n demo -- bpbuf-demo writer SOCKET &
 *   bpbuf-demo reader SOCKET
 *
 * The writer takes the buffer `bpbuf alloc` hands it ($BPBUF_FD), writes a
 * pattern, passes the fd to the reader over a Unix socket (bpbuf_fd_send),
 * sees the reader's reply, imports the buffer into vgem and reads it back
 * through vgem, and prints the bus address. The reader is an unrelated
 * process: it gets the buffer only through the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <xf86drm.h>

#include <libbpbuf.h>

#include "dma_api_dump.h"

#define REPLY_OFFSET	4096

static void die(const char *what, int err)
{
	fprintf(stderr, "bpbuf-demo: %s: %s\n", what, strerror(err));
	exit(1);
}

/* FNV-1a of the buffer, to show both sides hold the same bytes */
static uint32_t checksum(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261U;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619U;
	return h;
}

static void *map_fd(int fd, size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap", errno);
	return p;
}

static int open_vgem(void)
{
	char path[32];
	int i, fd;

	for (i = 0; i < 16; i++) {
		drmVersionPtr v;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, "vgem")) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	return -1;
}

/* vgem's DMA mappings of [addr, addr + size), from the DMA-API debug table */
static void show_vgem_dma(uint64_t addr, uint64_t size)
{
	unsigned long long plo = ~0ULL;
	struct seg segs[256];
	int i, n = device_segments("vgem", addr, size, segs, 256);

	if (n == -1) {
		printf("(no DMA-API debug table in this kernel)\n");
		return;
	}
	if (n <= 0) {
		printf("vgem's device has %s mapping of the buffer in the DMA-API debug table\n",
		       n ? "more than 256 segments of" : "no");
		return;
	}
	for (i = 0; i < n; i++)
		plo = segs[i].p < plo ? segs[i].p : plo;
	printf("vgem's device was given %d contiguous segment(s): bus 0x%llx-0x%llx, physical 0x%llx\n",
	       n, segs[0].d, segs[n - 1].d + segs[n - 1].l - 1, plo);
	printf("(the DMA-API debug table: exactly the buffer's own pages)\n");
}

static int writer(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *env = getenv("BPBUF_FD");
	struct drm_mode_map_dumb md = { 0 };
	struct bpbuf_buffer *buf;
	struct bpbuf_dev *dev;
	int fd, lsock, conn, vgem, back = -1, ret;
	uint32_t handle;
	uint64_t size, bus = 0;
	struct stat a, b;
	char text[80], cmd[64], ack;
	uint8_t *p, *v;
	size_t i;

	if (!env)
		die("BPBUF_FD", EINVAL);
	fd = atoi(env);
	ret = bpbuf_dev_open(NULL, &dev);
	if (ret)
		die("open /dev/bpbuf", -ret);
	ret = bpbuf_buffer_import(dev, fd, BPBUF_IMPORT_DUP, &buf);
	if (ret)
		die("import $BPBUF_FD", -ret);
	size = bpbuf_buffer_size(buf);
	ret = bpbuf_buffer_map(buf, PROT_READ | PROT_WRITE, (void **)&p);
	if (ret)
		die("map", -ret);

	printf("\n=== 2. a buffer allocated, a pattern written by one process\n");
	for (i = 0; i < size; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	snprintf(text, sizeof(text), "hello from the writer, pid %d", (int)getpid());
	memcpy(p, text, strlen(text) + 1);
	printf("writer (pid %d): fd %d, %" PRIu64 " bytes; wrote \"%s\" and a byte pattern, checksum %08x\n",
	       (int)getpid(), fd, size, text, checksum(p, size));

	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	unlink(path);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lsock, 1))
		die(path, errno);
	printf("\n=== 3. the fd passed to a second process over %s (SCM_RIGHTS)\n", path);
	fflush(stdout);
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept", errno);
	ret = bpbuf_buffer_send(conn, buf);
	if (ret)
		die("bpbuf_buffer_send", -ret);
	if (recv(conn, &ack, 1, 0) != 1)
		die("the reader's reply", errno ? errno : ECONNRESET);
	printf("writer: the reader wrote back through its own mapping: \"%s\"\n",
	       (char *)p + REPLY_OFFSET);
	close(conn);
	close(lsock);
	unlink(path);

	printf("\n=== 4. the buffer imported into vgem and read through it\n");
	vgem = open_vgem();
	if (vgem < 0) {
		printf("no vgem device: skipped\n");
	} else {
		ret = drmPrimeFDToHandle(vgem, fd, &handle);
		if (ret)
			die("drmPrimeFDToHandle", errno);
		printf("vgem imported it (drmPrimeFDToHandle): GEM handle %u\n", handle);
		if (drmPrimeHandleToFD(vgem, handle, DRM_CLOEXEC | DRM_RDWR, &back))
			die("drmPrimeHandleToFD", errno);
		fstat(fd, &a);
		fstat(back, &b);
		printf("vgem exports it back (drmPrimeHandleToFD) as %s dma-buf: inode %lu, ours %lu\n",
		       a.st_ino == b.st_ino ? "the same" : "ANOTHER",
		       (unsigned long)b.st_ino, (unsigned long)a.st_ino);
		md.handle = handle;
		if (!drmIoctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &md)) {
			v = map_fd(vgem, size, PROT_READ);
			printf("through vgem's own mapping: \"%s\", checksum %08x (ours: %08x)\n",
			       (char *)v, checksum(v, size), checksum(p, size));
			munmap(v, size);
		} else {
			printf("vgem's own mmap of an import is refused by Linux 6.1 (MAP_DUMB: %s);\n",
			       strerror(errno));
			v = map_fd(back, size, PROT_READ);
			printf("through the object vgem holds (its exported fd): \"%s\", checksum %08x (ours: %08x)\n",
			       (char *)v, checksum(v, size), checksum(p, size));
			munmap(v, size);
		}
		if (!bpbuf_buffer_bus_addr(buf, &bus))
			show_vgem_dma(bus, size);
		fflush(stdout);
		printf("\nbpbuf info, with the buffer alive and vgem attached:\n");
		fflush(stdout);
		if (system("bpbuf info"))
			printf("(bpbuf info failed)\n");
	}

	printf("\n=== 5. the bus address, as root (bpbuf addr --fd %d)\n", fd);
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "bpbuf addr --fd %d", fd);
	if (system(cmd))
		printf("(bpbuf addr failed)\n");

	if (vgem >= 0) {
		drmCloseBufferHandle(vgem, handle);
		close(back);
		close(vgem);
	}
	bpbuf_buffer_free(buf);
	bpbuf_dev_close(dev);
	return 0;
}

static int reader(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char text[80];
	uint8_t *p;
	off_t size;
	int sock, fd, i, ret;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		die("socket", errno);
	for (i = 0; connect(sock, (struct sockaddr *)&addr, sizeof(addr)); i++) {
		if (i == 100)
			die(path, errno);
		usleep(50000);
	}
	ret = bpbuf_fd_recv(sock, &fd);
	if (ret)
		die("bpbuf_fd_recv", -ret);
	size = lseek(fd, 0, SEEK_END);
	p = map_fd(fd, size, PROT_READ | PROT_WRITE);
	printf("reader (pid %d, another process, no access to the writer's fds): received fd %d, %lld bytes\n",
	       (int)getpid(), fd, (long long)size);
	printf("reader: its own mapping reads \"%s\", checksum %08x\n",
	       (char *)p, checksum(p, size));
	snprintf(text, sizeof(text), "hello back from the reader, pid %d", (int)getpid());
	memcpy(p + REPLY_OFFSET, text, strlen(text) + 1);
	fflush(stdout);
	if (send(sock, "k", 1, MSG_NOSIGNAL) != 1)
		die("reply", errno);
	munmap(p, size);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "writer"))
		return writer(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "reader"))
		return reader(argv[2]);
	fprintf(stderr, "usage: bpbuf-demo writer|reader SOCKET\n");
	return 2;
}
