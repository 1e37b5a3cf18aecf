// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libbpbuf: passing buffer fds between processes over a Unix socket
 * (SCM_RIGHTS). A dma-buf fd is the buffer: whoever receives it can mmap it
 * without access to /dev/bpbuf, and the buffer lives until the last holder
 * has closed it and unmapped it.
 *
 * Each fd travels with one data byte, so that it cannot be lost on a stream
 * socket and so that messages do not merge; any one-byte message with one
 * fd is taken, whoever sent it. Received fds are close-on-exec.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "libbpbuf-private.h"

/* The data byte each fd travels with */
#define BPBUF_SHARE_TAG		'B'
/* Fds a message may carry before it is taken as garbage */
#define BPBUF_SHARE_MAX_FDS	8

BPBUF_EXPORT int bpbuf_fd_send(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char tag = BPBUF_SHARE_TAG;
	struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	if (sock < 0 || fd < 0)
		return -EBADF;
	memset(&ctl, 0, sizeof(ctl));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));

	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 1 ? 0 : -EIO;
}

/* Close every fd a message's SCM_RIGHTS carried; return how many */
static int close_rights(struct msghdr *msg)
{
	struct cmsghdr *cmsg;
	int n = 0;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
		size_t i, nfds;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfds; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
			close(fd);
			n++;
		}
	}
	return n;
}

BPBUF_EXPORT int bpbuf_fd_recv(int sock, int *fdp)
{
	union {
		char buf[CMSG_SPACE(BPBUF_SHARE_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char tag = 0;
	struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd = -1;

	if (!fdp)
		return -EINVAL;
	*fdp = -1;
	if (sock < 0)
		return -EBADF;
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;

	/* exactly one fd and nothing cut off, else none at all */
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		if (fd >= 0 || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
			fd = -1;
			break;
		}
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	}
	if (fd < 0 || (msg.msg_flags & MSG_CTRUNC)) {
		close_rights(&msg);
		return -EBADMSG;
	}
	*fdp = fd;
	return 0;
}

BPBUF_EXPORT int bpbuf_buffer_send(int sock, const struct bpbuf_buffer *buf)
{
	if (!buf)
		return -EINVAL;
	return bpbuf_fd_send(sock, buf->fd);
}

BPBUF_EXPORT int bpbuf_buffer_recv(struct bpbuf_dev *dev, int sock,
				   struct bpbuf_buffer **bufp)
{
	int fd, ret;

	if (!dev || !bufp)
		return -EINVAL;
	*bufp = NULL;
	ret = bpbuf_fd_recv(sock, &fd);
	if (ret)
		return ret;
	/* the handle takes the fd; one that is not a bpbuf buffer is closed */
	ret = bpbuf_buffer_import(dev, fd, 0, bufp);
	if (ret)
		close(fd);
	return ret;
}
