// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sharing buffers between processes with libbpbuf's SCM_RIGHTS helpers
 * (bpbuf_fd_send(3)): two unrelated processes (the second exec'd, holding
 * no fd of ours, reaching us through a named socket) see each other's
 * writes through their own mappings; a buffer is freed only once its last
 * holder has closed it and unmapped it; fds are inherited across fork and
 * exec (and not with close-on-exec); a holder killed with SIGKILL loses
 * nothing for the others and leaks nothing; the helpers' error cases.
 *
 * The program is also its own peer: "share-fd --peer MODE ARG" is what the
 * tests exec.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <libbpbuf.h>

#include "bpbuf_test.h"
#include "kselftest_harness.h"

#define BUF_SIZE	(4 * MIB)
#define DMA_BUF_FS_MAGIC	0x444d4142

static char self_exe[4096];

/* The heap's figures, or all ones */
static struct bpbuf_heap_info heap_now(struct bpbuf_dev *dev)
{
	struct bpbuf_heap_info info;

	if (bpbuf_dev_heap_info(dev, &info, sizeof(info)))
		memset(&info, 0xff, sizeof(info));
	return info;
}

/* The same file, by device and inode */
static int same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int is_dmabuf(int fd)
{
	struct statfs s;

	return !fstatfs(fd, &s) && s.f_type == DMA_BUF_FS_MAGIC;
}

static void fill(void *p, size_t len, uint32_t seed)
{
	uint32_t *w = p;
	size_t i;

	for (i = 0; i < len / 4; i++)
		w[i] = seed ^ (uint32_t)(i * 2654435761U);
}

/* [off, off + len) of what fill(p, ..., seed) wrote is still there */
static int check_at(const void *p, size_t off, size_t len, uint32_t seed)
{
	const uint32_t *w = p;
	size_t i;

	for (i = off / 4; i < (off + len) / 4; i++)
		if (w[i] != (seed ^ (uint32_t)(i * 2654435761U)))
			return 0;
	return 1;
}

static int check(const void *p, size_t len, uint32_t seed)
{
	return check_at(p, 0, len, seed);
}

static int send_byte(int sock, char c)
{
	return send(sock, &c, 1, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

static int recv_byte(int sock)
{
	char c;
	ssize_t n = recv(sock, &c, 1, 0);

	return n == 1 ? (unsigned char)c : n == 0 ? -ECONNRESET : -errno;
}

static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* exec this program as a peer: share-fd --peer MODE ARG */
static pid_t spawn_peer(const char *mode, const char *arg)
{
	pid_t pid = fork();

	if (!pid) {
		execl(self_exe, self_exe, "--peer", mode, arg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* ---- peers: separate programs after exec, exit status 0 when all held ---- */

/* How many dma-buf fds this process has open */
static int count_dmabufs(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d) &&
		    is_dmabuf(atoi(e->d_name)))
			n++;
	closedir(d);
	return n;
}

/*
 * "unrelated": connect to the named socket ARG, receive a buffer, check the
 * first half, write the second half, tell; wait for the other side's second
 * write and check it.
 */
static int peer_unrelated(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	uint8_t *p;
	int sock, fd;

	if (count_dmabufs() != 0)
		return 10;		/* it must hold nothing of ours */
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)))
		return 11;
	if (bpbuf_fd_recv(sock, &fd))
		return 12;
	if (!is_dmabuf(fd) || !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		return 13;
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 14;
	if (!check(p, BUF_SIZE / 2, 0xa11ce))
		return 15;
	fill(p + BUF_SIZE / 2, BUF_SIZE / 2, 0xb0b);
	if (send_byte(sock, 'w'))
		return 16;
	if (recv_byte(sock) != 'w')
		return 17;
	if (!check(p, 4096, 0xc0ffee))
		return 18;
	return send_byte(sock, 'k') ? 19 : 0;
}

/* "inherited": fd ARG came through exec; check the pattern, write a reply */
static int peer_inherited(const char *arg)
{
	int fd = atoi(arg);
	uint8_t *p;

	if (!is_dmabuf(fd))
		return 20;
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 21;
	if (!check(p, BUF_SIZE / 2, 0xe8ec))
		return 22;
	fill(p + BUF_SIZE / 2, BUF_SIZE / 2, 0xc41d);
	return 0;
}

/* "closed": fd ARG must not have come through exec */
static int peer_closed(const char *arg)
{
	return fcntl(atoi(arg), F_GETFD) == -1 && errno == EBADF ? 0 : 30;
}

static int peer_main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	if (!strcmp(argv[2], "unrelated"))
		return peer_unrelated(argv[3]);
	if (!strcmp(argv[2], "inherited"))
		return peer_inherited(argv[3]);
	if (!strcmp(argv[2], "closed"))
		return peer_closed(argv[3]);
	return 2;
}

/* ---- the tests ---- */

FIXTURE(share) {
	struct bpbuf_dev *dev;
	struct bpbuf_heap_info idle;
	int sv[2];
};

FIXTURE_SETUP(share)
{
	struct bpbuf_heap_info info;
	int i;

	ASSERT_EQ(0, bpbuf_dev_open(NULL, &self->dev));
	/* earlier programs' buffers are gone once their processes are */
	for (i = 0; i < 200; i++) {
		info = heap_now(self->dev);
		if (!info.live_buffers)
			break;
		usleep(10000);
	}
	self->idle = info;
	ASSERT_EQ(0, self->idle.live_buffers);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				self->sv));
}

FIXTURE_TEARDOWN(share)
{
	close(self->sv[0]);
	close(self->sv[1]);
	bpbuf_dev_close(self->dev);
}

TEST_F(share, fd_send_recv_same_dma_buf_cloexec)
{
	struct bpbuf_buffer *buf;
	int got;

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, MIB, 0, 0, NULL, &buf));
	ASSERT_EQ(0, bpbuf_fd_send(self->sv[0], bpbuf_buffer_fd(buf)));
	ASSERT_EQ(0, bpbuf_fd_recv(self->sv[1], &got));
	EXPECT_NE(bpbuf_buffer_fd(buf), got);
	EXPECT_TRUE(same_file(bpbuf_buffer_fd(buf), got));
	EXPECT_EQ(FD_CLOEXEC, fcntl(got, F_GETFD) & FD_CLOEXEC);
	close(got);
	bpbuf_buffer_free(buf);
	EXPECT_EQ(0, heap_now(self->dev).live_buffers);
}

TEST_F(share, buffer_send_recv_imports_it)
{
	struct bpbuf_buffer *buf, *got;
	void *p, *q;

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, MIB, 0, 0, "shared", &buf));
	ASSERT_EQ(0, bpbuf_buffer_send(self->sv[0], buf));
	ASSERT_EQ(0, bpbuf_buffer_recv(self->dev, self->sv[1], &got));
	EXPECT_EQ(MIB, bpbuf_buffer_size(got));
	EXPECT_TRUE(same_file(bpbuf_buffer_fd(buf), bpbuf_buffer_fd(got)));
	ASSERT_EQ(0, bpbuf_buffer_map(buf, PROT_READ | PROT_WRITE, &p));
	ASSERT_EQ(0, bpbuf_buffer_map(got, PROT_READ, &q));
	fill(p, MIB, 7);
	EXPECT_TRUE(check(q, MIB, 7));
	bpbuf_buffer_free(buf);
	EXPECT_EQ(1, heap_now(self->dev).live_buffers);
	bpbuf_buffer_free(got);
	EXPECT_EQ(0, heap_now(self->dev).live_buffers);
}

TEST_F(share, buffer_recv_of_another_file_refused_and_closed)
{
	struct bpbuf_buffer *got = (void *)1;
	int memfd = memfd_create("not-bpbuf", MFD_CLOEXEC);

	int lowest;

	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, 4096));
	lowest = dup(memfd);
	ASSERT_LE(0, lowest);
	close(lowest);
	ASSERT_EQ(0, bpbuf_fd_send(self->sv[0], memfd));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_recv(self->dev, self->sv[1], &got));
	EXPECT_TRUE(got == NULL);
	/* the received copy, which took the lowest free fd, was closed */
	EXPECT_EQ(lowest, dup(memfd));
	close(memfd);
}

TEST_F(share, recv_without_fd_ebadmsg)
{
	int got = 5;

	ASSERT_EQ(0, send_byte(self->sv[0], 'x'));
	EXPECT_EQ(-EBADMSG, bpbuf_fd_recv(self->sv[1], &got));
	EXPECT_EQ(-1, got);
}

/* A message with two fds is refused and both are closed, not leaked */
TEST_F(share, recv_of_two_fds_ebadmsg_and_closes_both)
{
	char ctl[CMSG_SPACE(2 * sizeof(int))] = { 0 }, data = 'x';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	struct bpbuf_buffer *a, *b;
	int fds[2], got;

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, MIB, 0, 0, NULL, &a));
	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, MIB, 0, 0, NULL, &b));
	fds[0] = bpbuf_buffer_fd(a);
	fds[1] = bpbuf_buffer_fd(b);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cmsg), fds, sizeof(fds));
	ASSERT_EQ(1, sendmsg(self->sv[0], &msg, 0));
	EXPECT_EQ(-EBADMSG, bpbuf_fd_recv(self->sv[1], &got));
	bpbuf_buffer_free(a);
	bpbuf_buffer_free(b);
	EXPECT_EQ(0, heap_now(self->dev).live_buffers);
}

TEST_F(share, recv_after_peer_closed_econnreset)
{
	int got;

	close(self->sv[0]);
	self->sv[0] = -1;
	EXPECT_EQ(-ECONNRESET, bpbuf_fd_recv(self->sv[1], &got));
}

TEST_F(share, send_errors)
{
	int got;

	EXPECT_EQ(-EBADF, bpbuf_fd_send(self->sv[0], -1));
	EXPECT_EQ(-EBADF, bpbuf_fd_send(-1, 0));
	EXPECT_EQ(-EBADF, bpbuf_fd_send(self->sv[0], 1000000));
	EXPECT_EQ(-ENOTSOCK, bpbuf_fd_send(bpbuf_dev_fd(self->dev), 0));
	EXPECT_EQ(-EINVAL, bpbuf_buffer_send(self->sv[0], NULL));
	EXPECT_EQ(-EINVAL, bpbuf_fd_recv(self->sv[1], NULL));
	EXPECT_EQ(-EBADF, bpbuf_fd_recv(-1, &got));
	close(self->sv[1]);
	self->sv[1] = -1;
	EXPECT_EQ(-EPIPE, bpbuf_fd_send(self->sv[0], 0));
}

/* Two processes, the second exec'd with no fd of ours, by a named socket */
TEST_F(share, unrelated_processes_see_each_others_writes)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct bpbuf_buffer *buf;
	int lsock, conn;
	uint8_t *p;
	pid_t pid;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/share-fd.%d",
		 getpid());
	unlink(addr.sun_path);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, lsock);
	ASSERT_EQ(0, bind(lsock, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, listen(lsock, 1));

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, BUF_SIZE, 0, BPBUF_ALLOC_CLOEXEC,
					"unrelated", &buf));
	ASSERT_EQ(0, bpbuf_buffer_map(buf, PROT_READ | PROT_WRITE, (void **)&p));
	fill(p, BUF_SIZE / 2, 0xa11ce);

	pid = spawn_peer("unrelated", addr.sun_path);
	ASSERT_LT(0, pid);
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, conn);
	unlink(addr.sun_path);
	ASSERT_EQ(0, bpbuf_buffer_send(conn, buf));
	/* what the peer wrote through its mapping, seen through ours */
	ASSERT_EQ('w', recv_byte(conn));
	EXPECT_TRUE(check(p + BUF_SIZE / 2, BUF_SIZE / 2, 0xb0b));
	/* and the other way round, while both are mapped */
	fill(p, 4096, 0xc0ffee);
	ASSERT_EQ(0, send_byte(conn, 'w'));
	EXPECT_EQ('k', recv_byte(conn));
	EXPECT_EQ(0, child_status(pid));
	close(conn);
	close(lsock);
	bpbuf_buffer_free(buf);
	EXPECT_EQ(0, heap_now(self->dev).live_buffers);
}

/*
 * The holder that received it closes its fd, then unmaps; the sender has
 * gone before: the buffer lives exactly until the last of these.
 */
TEST_F(share, freed_only_after_the_last_close_and_unmap)
{
	struct bpbuf_heap_info info;
	struct bpbuf_buffer *buf;
	void *p;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		void *q;
		int fd;

		if (bpbuf_fd_recv(self->sv[1], &fd))
			_exit(1);
		q = mmap(NULL, MIB, PROT_READ, MAP_SHARED, fd, 0);
		if (q == MAP_FAILED || !check(q, MIB, 99))
			_exit(2);
		send_byte(self->sv[1], 'm');	/* mapped */
		recv_byte(self->sv[1]);
		close(fd);
		send_byte(self->sv[1], 'c');	/* closed, still mapped */
		recv_byte(self->sv[1]);
		if (!check(q, MIB, 99))
			_exit(3);
		munmap(q, MIB);
		send_byte(self->sv[1], 'u');	/* unmapped */
		_exit(0);
	}
	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, MIB, 0, 0, NULL, &buf));
	ASSERT_EQ(0, bpbuf_buffer_map(buf, PROT_READ | PROT_WRITE, &p));
	fill(p, MIB, 99);
	ASSERT_EQ(0, bpbuf_buffer_send(self->sv[0], buf));
	ASSERT_EQ('m', recv_byte(self->sv[0]));
	bpbuf_buffer_free(buf);		/* our fd and mapping */
	info = heap_now(self->dev);
	EXPECT_EQ(1, info.live_buffers);
	EXPECT_EQ(self->idle.free_bytes - MIB, info.free_bytes);
	ASSERT_EQ(0, send_byte(self->sv[0], 'g'));
	ASSERT_EQ('c', recv_byte(self->sv[0]));
	EXPECT_EQ(1, heap_now(self->dev).live_buffers);
	ASSERT_EQ(0, send_byte(self->sv[0], 'g'));
	ASSERT_EQ('u', recv_byte(self->sv[0]));
	info = heap_now(self->dev);
	EXPECT_EQ(0, info.live_buffers);
	EXPECT_EQ(self->idle.free_bytes, info.free_bytes);
	EXPECT_EQ(0, child_status(pid));
}

TEST_F(share, inherited_across_fork_and_exec)
{
	struct bpbuf_buffer *buf;
	char arg[16];
	uint8_t *p;
	pid_t pid;

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, BUF_SIZE, 0, 0, NULL, &buf));
	ASSERT_EQ(0, fcntl(bpbuf_buffer_fd(buf), F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, bpbuf_buffer_map(buf, PROT_READ | PROT_WRITE, (void **)&p));
	fill(p, BUF_SIZE / 2, 0xe8ec);
	snprintf(arg, sizeof(arg), "%d", bpbuf_buffer_fd(buf));
	pid = spawn_peer("inherited", arg);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, child_status(pid));
	EXPECT_TRUE(check(p + BUF_SIZE / 2, BUF_SIZE / 2, 0xc41d));
	bpbuf_buffer_free(buf);
	EXPECT_EQ(0, heap_now(self->dev).live_buffers);
}

TEST_F(share, cloexec_fd_not_inherited_across_exec)
{
	struct bpbuf_buffer *buf;
	char arg[16];
	pid_t pid;

	ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, MIB, 0, BPBUF_ALLOC_CLOEXEC,
					NULL, &buf));
	snprintf(arg, sizeof(arg), "%d", bpbuf_buffer_fd(buf));
	pid = spawn_peer("closed", arg);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, child_status(pid));
	bpbuf_buffer_free(buf);
}

/*
 * A holder killed with SIGKILL while it maps three of our buffers, writes
 * into one and has one of its own: ours keep their contents and their
 * space, its own is freed, and once we close ours the heap is whole.
 */
TEST_F(share, sigkilled_holder_loses_nothing_for_others_leaks_nothing)
{
	struct bpbuf_buffer *bufs[3];
	struct bpbuf_heap_info info;
	uint8_t *p[3];
	pid_t pid;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, MIB, 0, 0, NULL,
						&bufs[i]));
		ASSERT_EQ(0, bpbuf_buffer_map(bufs[i], PROT_READ | PROT_WRITE,
					      (void **)&p[i]));
		fill(p[i], MIB, 100 + i);
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct bpbuf_buffer *own;
		int fd, n;

		for (n = 0; n < 3; n++) {
			void *q;

			if (bpbuf_fd_recv(self->sv[1], &fd))
				_exit(1);
			q = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED,
				 fd, 0);
			if (q == MAP_FAILED)
				_exit(2);
			if (n == 0)
				fill(q, 4096, 0xdead);
		}
		if (bpbuf_buffer_alloc(self->dev, 2 * MIB, 0, 0, NULL, &own))
			_exit(3);
		send_byte(self->sv[1], 'r');
		for (;;)
			pause();
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, bpbuf_buffer_send(self->sv[0], bufs[i]));
	ASSERT_EQ('r', recv_byte(self->sv[0]));
	EXPECT_EQ(4, heap_now(self->dev).live_buffers);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, child_status(pid));

	info = heap_now(self->dev);
	EXPECT_EQ(3, info.live_buffers);
	EXPECT_EQ(self->idle.free_bytes - 3 * MIB, info.free_bytes);
	EXPECT_TRUE(check(p[0], 4096, 0xdead));
	EXPECT_TRUE(check_at(p[0], 4096, MIB - 4096, 100));
	for (i = 1; i < 3; i++)
		EXPECT_TRUE(check(p[i], MIB, 100 + i));
	/* still ours to use */
	fill(p[1], MIB, 0x1234);
	EXPECT_TRUE(check(p[1], MIB, 0x1234));
	for (i = 0; i < 3; i++)
		bpbuf_buffer_free(bufs[i]);
	info = heap_now(self->dev);
	EXPECT_EQ(0, info.live_buffers);
	EXPECT_EQ(info.heap_size, info.free_bytes);
	EXPECT_EQ(1, info.free_extents);
}

/* Killed before it received: the fds still in flight are freed too */
TEST_F(share, fds_in_flight_to_a_killed_receiver_are_freed)
{
	struct bpbuf_heap_info info;
	struct bpbuf_buffer *buf;
	pid_t pid;
	int i;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(self->sv[0]);
		for (;;)
			pause();
	}
	close(self->sv[1]);
	self->sv[1] = -1;
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, bpbuf_buffer_alloc(self->dev, MIB, 0, 0, NULL, &buf));
		ASSERT_EQ(0, bpbuf_buffer_send(self->sv[0], buf));
		bpbuf_buffer_free(buf);
	}
	EXPECT_EQ(4, heap_now(self->dev).live_buffers);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, child_status(pid));
	close(self->sv[0]);
	self->sv[0] = -1;
	/* the socket and what it held go when its last reference does */
	for (i = 0; i < 300; i++) {
		info = heap_now(self->dev);
		if (!info.live_buffers)
			break;
		usleep(10000);
	}
	EXPECT_EQ(0, info.live_buffers);
	EXPECT_EQ(info.heap_size, info.free_bytes);
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (n <= 0)
		return 1;
	self_exe[n] = '\0';
	if (argc > 1 && !strcmp(argv[1], "--peer"))
		return peer_main(argc, argv);
	return test_harness_run(argc, argv);
}
