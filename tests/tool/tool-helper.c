// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helper of the bpbuf tool's VM test (tool-vm.sh), run by it:
 *
 *   tool-helper check-fill BYTE   map $BPBUF_FD (read-only, shared) and
 *                                 check that all $BPBUF_SIZE bytes are BYTE
 *   tool-helper as-nobody CMD...  run CMD as uid/gid 65534, no capabilities
 *
 * Exit status: 0 ok, 1 check failed, 2 usage.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int check_fill(const char *byte_str)
{
	const char *fd_str = getenv("BPBUF_FD"), *size_str = getenv("BPBUF_SIZE");
	unsigned long byte = strtoul(byte_str, NULL, 0);
	unsigned long long size;
	unsigned char *p;
	off_t end;
	size_t i;
	int fd;

	if (!fd_str || !size_str) {
		fprintf(stderr, "tool-helper: BPBUF_FD or BPBUF_SIZE not set\n");
		return 1;
	}
	fd = atoi(fd_str);
	size = strtoull(size_str, NULL, 10);
	end = lseek(fd, 0, SEEK_END);
	if (end < 0 || (unsigned long long)end != size) {
		fprintf(stderr, "tool-helper: fd %d: size %lld, BPBUF_SIZE %llu\n",
			fd, (long long)end, size);
		return 1;
	}
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "tool-helper: mmap fd %d: %s\n", fd,
			strerror(errno));
		return 1;
	}
	for (i = 0; i < size; i++)
		if (p[i] != byte) {
			fprintf(stderr, "tool-helper: byte %zu is %#x, not %#lx\n",
				i, p[i], byte);
			return 1;
		}
	printf("tool-helper: %llu bytes of %#lx\n", size, byte);
	munmap(p, size);
	return 0;
}

static int as_nobody(char **argv)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		fprintf(stderr, "tool-helper: cannot become nobody: %s\n",
			strerror(errno));
		return 1;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "tool-helper: cannot run %s: %s\n", argv[0],
		strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "check-fill"))
		return check_fill(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "as-nobody"))
		return as_nobody(argv + 2);
	fprintf(stderr, "usage: tool-helper check-fill BYTE | as-nobody CMD...\n");
	return 2;
}
