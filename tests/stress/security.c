// SPDX-License-Identifier: GPL-2.0-only
/*
 * The security model, checked as the users it is about: who may open
 * /dev/bpbuf and /dev/dma_heap/bpbuf, who gets bus addresses, the per-uid
 * quota (EDQUOT, the heap untouched by a refused allocation) and the
 * accounting (debugfs per uid and process, dma-buf fdinfo per fd).
 *
 * Runs as root and forks children that drop to nobody (65534), with or
 * without the bpbuf group (900), and thereby every capability. Restores
 * the node's group and uid_quota at the end.
 */
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "stress.h"

#define NOBODY		65534
#define BPBUF_GID	900
#define HEAPNODE	"/dev/dma_heap/bpbuf"
#define QUOTA_PARAM	BPBUF_PARAMS "/uid_quota"

static void drop_to_nobody(bool in_group)
{
	gid_t groups[1] = { BPBUF_GID };

	if (setgroups(in_group ? 1 : 0, groups) ||
	    setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		perror("dropping privileges");
		_exit(200);
	}
}

typedef long long child_fn(void *arg);

/* fn's result, run as nobody in a child; LLONG_MIN if the child died */
static long long as_nobody(bool in_group, child_fn *fn, void *arg)
{
	long long result = LLONG_MIN;
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd))
		return LLONG_MIN;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		drop_to_nobody(in_group);
		result = fn(arg);
		if (write(pfd[1], &result, sizeof(result)) != sizeof(result))
			_exit(201);
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], &result, sizeof(result)) != sizeof(result))
		result = LLONG_MIN;
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return result;
}

static long long open_errno(void *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static long long alloc_errno(void *size)
{
	int dev = bp_open(), fd, ret;

	if (dev < 0)
		return -errno;
	ret = bp_alloc(dev, *(uint64_t *)size, 0, 0, &fd);
	if (!ret)
		close(fd);
	close(dev);
	return ret;
}

static long long bus_addr_errno(void *unused __attribute__((unused)))
{
	int dev = bp_open(), fd, ret;
	uint64_t cap = 99;

	if (dev < 0)
		return -errno;
	ret = bp_alloc(dev, page_size(), 0, 0, &fd);
	if (ret) {
		close(dev);
		return ret - 1000;
	}
	if (bp_cap(dev, BPBUF_CAP_BUS_ADDR, &cap) || cap != 0)
		ret = -2000;
	else
		ret = bp_bus_addr(dev, fd, NULL, NULL);
	close(fd);
	close(dev);
	return ret;
}

/* Allocate a buffer as nobody and hand its fd to the parent */
struct sender {
	int sock;
	uint64_t size;
};

static long long alloc_and_send(void *arg)
{
	struct sender *s = arg;
	int dev = bp_open(), fd, ret;

	if (dev < 0)
		return -errno;
	ret = bp_alloc(dev, s->size, 0, 0, &fd);
	close(dev);
	if (ret)
		return ret;
	ret = stress_send_fd(s->sock, fd, 0);
	close(fd);
	return ret;
}

/*
 * A nobody process that allocates hold bytes and keeps them until told, so
 * that a second process of the same uid meets the quota.
 */
struct holder {
	pid_t pid;
	int fd;		/* the buffer's fd number in the holder */
	int ctl;	/* write a byte to let it go */
};

static int start_holder(struct holder *h, uint64_t bytes)
{
	int up[2], down[2];
	int result[2];

	if (pipe(up) || pipe(down))
		return -1;
	fflush(stdout);
	h->pid = fork();
	if (h->pid == 0) {
		int dev, ret;
		char c;

		close(up[0]);
		close(down[1]);
		drop_to_nobody(true);
		dev = bp_open();
		ret = dev < 0 ? -errno : bp_alloc(dev, bytes, 0, 0, &result[1]);
		result[0] = ret;
		if (write(up[1], result, sizeof(result)) != sizeof(result))
			_exit(1);
		if (read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	h->ctl = down[1];
	if (read(up[0], result, sizeof(result)) != sizeof(result))
		result[0] = -EIO;
	close(up[0]);
	h->fd = result[1];
	return result[0];
}

static void stop_holder(struct holder *h)
{
	int status;

	if (write(h->ctl, "x", 1) < 0)
		kill(h->pid, SIGKILL);
	close(h->ctl);
	waitpid(h->pid, &status, 0);
}

static bool same_heap(const struct bpbuf_heap_info *a,
		      const struct bpbuf_heap_info *b)
{
	return a->free_bytes == b->free_bytes &&
	       a->largest_free == b->largest_free &&
	       a->live_buffers == b->live_buffers &&
	       a->free_extents == b->free_extents;
}

int main(void)
{
	struct bpbuf_heap_info before, after, info;
	bool whole;
	uint64_t page = page_size(), size;
	struct holder h = { .pid = -1 };
	struct stat st;
	long long r;
	char path[64], *text;
	int dev, sv[2], fd;
	bool have_quota, have_heapnode;

	tap_plan(22);
	if (geteuid() != 0) {
		for (int i = 0; i < 22; i++)
			tap_skip("security model", "needs root to switch users");
		return 0;
	}
	dev = bp_open();
	if (dev < 0) {
		tap_ok(false, "open %s as root: %s", BPBUF_NODE, strerror(errno));
		return 1;
	}
	have_quota = access(QUOTA_PARAM, W_OK) == 0;
	have_heapnode = access(HEAPNODE, F_OK) == 0;

	/* 1-2: the node as the module makes it */
	if (stat(BPBUF_NODE, &st))
		memset(&st, 0, sizeof(st));
	tap_ok(S_ISCHR(st.st_mode) &&
	       (st.st_mode & 07777) == 0660 && st.st_uid == 0,
	       "%s is a character device, root's, mode 0660 (is %o)",
	       BPBUF_NODE, st.st_mode & 07777);
	r = as_nobody(false, open_errno, BPBUF_NODE);
	tap_ok(r == -EACCES, "nobody outside the group: open gets EACCES (%lld)", r);

	/* 3-5: the udev rule's group, set by hand here */
	if (chown(BPBUF_NODE, 0, BPBUF_GID))
		diag("chgrp %s: %s", BPBUF_NODE, strerror(errno));
	r = as_nobody(true, open_errno, BPBUF_NODE);
	tap_ok(r == 0, "nobody in group bpbuf: open allowed (%lld)", r);
	size = page;
	r = as_nobody(true, alloc_errno, &size);
	tap_ok(r == 0, "nobody in group bpbuf: allocating allowed (%lld)", r);
	r = as_nobody(false, open_errno, BPBUF_NODE);
	tap_ok(r == -EACCES, "nobody outside the group still gets EACCES (%lld)", r);

	/* 6-7: bus addresses need CAP_SYS_RAWIO */
	if (bp_param("bus_addr_unprivileged") == 0) {
		r = as_nobody(true, bus_addr_errno, NULL);
		tap_ok(r == -EPERM, "bus address without CAP_SYS_RAWIO: EPERM, BPBUF_CAP_BUS_ADDR 0 (%lld)", r);
	} else {
		tap_skip("bus address without CAP_SYS_RAWIO: EPERM",
			 "loaded with bus_addr_unprivileged=Y");
	}
	if (!bp_alloc(dev, page, 0, 0, &fd)) {
		uint64_t addr = 0;

		tap_ok(!bp_bus_addr(dev, fd, &addr, NULL) && addr,
		       "bus address with CAP_SYS_RAWIO (root) works");
		close(fd);
	} else {
		tap_ok(false, "root allocates a page");
	}

	/* 8-9: the dma-heap node follows the same rules */
	if (have_heapnode) {
		if (chown(HEAPNODE, 0, BPBUF_GID))
			diag("chgrp %s: %s", HEAPNODE, strerror(errno));
		r = as_nobody(false, open_errno, HEAPNODE);
		tap_ok(r == -EACCES, "nobody outside the group: open %s gets EACCES (%lld)", HEAPNODE, r);
		r = as_nobody(true, open_errno, HEAPNODE);
		tap_ok(r == 0, "nobody in group bpbuf: open %s allowed (%lld)", HEAPNODE, r);
		if (chown(HEAPNODE, 0, 0))
			diag("chgrp back: %s", strerror(errno));
	} else {
		tap_skip("dma-heap node refuses outsiders", "no " HEAPNODE);
		tap_skip("dma-heap node lets the group in", "no " HEAPNODE);
	}

	/* 10: debugfs (bus addresses, accounting) is root's */
	r = as_nobody(true, open_errno, BPBUF_DEBUGFS "/accounting");
	tap_ok(r == -EACCES || r == -ENOENT,
	       "nobody cannot read %s/accounting (%lld)", BPBUF_DEBUGFS, r);

	if (!have_quota) {
		for (int i = 0; i < 12; i++)
			tap_skip("uid quota", "no uid_quota parameter");
		goto out;
	}

	/* 11: the parameter */
	text = NULL;
	r = write_text(QUOTA_PARAM, "12abc");
	tap_ok(r == -EINVAL && !write_text(QUOTA_PARAM, "4M") &&
	       bp_param("uid_quota") == (long long)(4 * MIB),
	       "uid_quota refuses 12abc (%lld) and takes 4M", r);

	/* 12-14: a holder of 3 MiB is accounted, per uid, process and fd */
	r = start_holder(&h, 3 * MIB);
	tap_ok(r == 0, "nobody allocates 3 MiB under a 4 MiB quota (%lld)", r);
	r = acct_uid_bytes(NOBODY);
	tap_ok(r == (long long)(3 * MIB), "accounting: uid %d holds %lld bytes", NOBODY, r);
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", h.pid, h.fd);
	text = read_text(path);
	tap_ok(acct_pid_bytes(h.pid) == (long long)(3 * MIB) && text &&
	       strstr(text, "size:\t3145728\n") && strstr(text, "exp_name:\tbpbuf\n"),
	       "accounting: its process in debugfs, its fd in %s", path);
	free(text);

	/* 15-16: a second process of the uid meets the quota */
	bp_heap_info(dev, &before);
	size = 2 * MIB;
	r = as_nobody(true, alloc_errno, &size);
	bp_heap_info(dev, &after);
	tap_ok(r == -EDQUOT, "another process of the uid: 2 MiB more gets EDQUOT (%lld)", r);
	tap_ok(same_heap(&before, &after) && acct_uid_bytes(NOBODY) == (long long)(3 * MIB),
	       "the refused allocation left the heap and the charge as they were (free %llu/%llu, buffers %u/%u)",
	       (unsigned long long)before.free_bytes,
	       (unsigned long long)after.free_bytes, before.live_buffers,
	       after.live_buffers);

	/* 17: up to the quota exactly is allowed */
	size = MIB;
	r = as_nobody(true, alloc_errno, &size);
	tap_ok(r == 0, "the last 1 MiB of the quota is allowed (%lld)", r);

	/* 18: CAP_SYS_RESOURCE is exempt (root's own uid, 8 MiB) */
	r = bp_alloc(dev, 8 * MIB, 0, 0, &fd);
	tap_ok(r == 0 && acct_uid_bytes(0) == (long long)(8 * MIB),
	       "root (CAP_SYS_RESOURCE) goes past the quota, charged (%lld)", r);
	if (!r)
		close(fd);

	/* 19: the charge goes when the buffer does */
	stop_holder(&h);
	heap_whole(dev, &info);
	r = acct_uid_bytes(NOBODY);
	tap_ok(r == 0 && acct_uid_bytes(0) == 0, "charges are gone with the buffers (%lld)", r);
	size = 4 * MIB;
	r = as_nobody(true, alloc_errno, &size);
	tap_ok(r == 0, "the whole quota is usable again (%lld)", r);

	/* 21: the charge follows the allocator, not the fd */
	if (!socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
		struct sender s = { .sock = sv[1], .size = 2 * MIB };

		r = as_nobody(true, alloc_and_send, &s);
		fd = stress_recv_fd(sv[0], 0);
		tap_ok(r == 0 && fd >= 0 && acct_uid_bytes(NOBODY) == (long long)(2 * MIB) &&
		       acct_uid_bytes(0) == 0,
		       "a buffer passed to root stays charged to nobody (%lld)", r);
		if (fd >= 0)
			close(fd);
		close(sv[0]);
		close(sv[1]);
	} else {
		tap_ok(false, "socketpair: %s", strerror(errno));
	}
	/* 22 */
	r = acct_uid_bytes(NOBODY);
	whole = heap_whole(dev, &info);
	tap_ok(whole && r == 0,
	       "heap whole and nothing charged at the end (%lld)", r);

out:
	if (have_quota)
		write_text(QUOTA_PARAM, "0");
	if (chown(BPBUF_NODE, 0, 0))
		diag("chgrp back: %s", strerror(errno));
	close(dev);
	return tap_exit();
}
