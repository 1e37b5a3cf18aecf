// SPDX-License-Identifier: GPL-2.0-only
/* sysfs and command line helpers for the VM tests (see sysfs.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"

int sysfs_write(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

int cmdline_value(const char *key, char *val, size_t len)
{
	char line[4096], *p;
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/cmdline", "re");

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	for (p = strtok(line, " \n"); p; p = strtok(NULL, " \n")) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(val, len, "%s", p + klen + 1);
			return 0;
		}
	}
	return -ENOENT;
}
