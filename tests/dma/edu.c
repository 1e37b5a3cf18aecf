// SPDX-License-Identifier: GPL-2.0-only
/*
 * The edu device from user space (see edu.h). Register layout, from QEMU
 * 7.2's hw/misc/edu.c: 0x00 identity, 0x80 DMA source, 0x88 destination,
 * 0x90 count, 0x98 command (bit 0 start, cleared when done; bit 1 device to
 * memory). PCI command register bits: 1 memory space, 2 bus master.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"
#include "sysfs.h"

#define PCI_DEVICES		"/sys/bus/pci/devices"
#define EDU_REG_IDENT		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2
#define PCI_COMMAND_OFF		0x04
#define PCI_COMMAND_MEM_MASTER	0x6

static int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		ret = -errno;
	else
		buf[n] = '\0';
	close(fd);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static unsigned long read_hex(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (read_file(path, buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, 16);
}

/* The last part of what the symbolic link at path points to, or -errno */
static int link_name(const char *path, char *name, size_t len)
{
	char target[PATH_MAX];
	const char *slash;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(name, len, "%s", slash ? slash + 1 : target);
	return 0;
}

static int device_group(const char *dir)
{
	char path[PATH_MAX], group[32];

	snprintf(path, sizeof(path), "%s/iommu_group", dir);
	return link_name(path, group, sizeof(group)) ? -1 : atoi(group);
}

int edu_find(struct edu *list, int max, int *n)
{
	char dir[sizeof(PCI_DEVICES) + NAME_MAX + 1];
	struct dirent *d;
	DIR *devices;

	*n = 0;
	devices = opendir(PCI_DEVICES);
	if (!devices)
		return -errno;
	while ((d = readdir(devices)) && *n < max) {
		if (d->d_name[0] == '.' || strlen(d->d_name) >= sizeof(list->addr))
			continue;
		snprintf(dir, sizeof(dir), PCI_DEVICES "/%s", d->d_name);
		if (read_hex(dir, "vendor") != EDU_VENDOR ||
		    read_hex(dir, "device") != EDU_DEVICE)
			continue;
		memset(&list[*n], 0, sizeof(list[*n]));
		strcpy(list[*n].addr, d->d_name);
		list[*n].group = device_group(dir);
		list[*n].config_fd = -1;
		(*n)++;
	}
	closedir(devices);
	return 0;
}

int edu_driver(const struct edu *e, char *name, size_t len)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", e->addr);
	ret = link_name(path, name, len);
	if (ret == -ENOENT) {
		name[0] = '\0';
		ret = 0;
	}
	return ret;
}

int edu_bind(const struct edu *e, const char *driver)
{
	char path[PATH_MAX], bound[64];
	int ret;

	ret = edu_driver(e, bound, sizeof(bound));
	if (ret)
		return ret;
	if (bound[0]) {
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver/unbind", e->addr);
		ret = sysfs_write(path, e->addr);
		if (ret)
			return ret;
	}
	/* driver_override binds this one device, whatever the driver's IDs */
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", e->addr);
	ret = sysfs_write(path, driver ? driver : "\n");
	if (ret || !driver)
		return ret;
	ret = sysfs_write("/sys/bus/pci/drivers_probe", e->addr);
	if (ret)
		return ret;
	ret = edu_driver(e, bound, sizeof(bound));
	if (!ret && strcmp(bound, driver))
		ret = -ENODEV;	/* the driver refused it */
	return ret;
}

int edu_group_type(const struct edu *e, char *type, size_t len)
{
	char path[PATH_MAX];

	if (e->group < 0)
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", e->group);
	return read_file(path, type, len);
}

int edu_set_group_type(const struct edu *e, const char *type)
{
	char path[PATH_MAX];

	if (e->group < 0)
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", e->group);
	return sysfs_write(path, type);
}

void edu_use_bar(struct edu *e, volatile uint8_t *bar)
{
	e->bar = bar;
	e->config_fd = -1;
}

int edu_open(struct edu *e)
{
	char path[PATH_MAX];
	uint16_t cmd;
	void *bar;
	int fd, ret;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/config", e->addr);
	e->config_fd = open(path, O_RDWR | O_CLOEXEC);
	if (e->config_fd < 0)
		return -errno;
	if (pread(e->config_fd, &cmd, sizeof(cmd), PCI_COMMAND_OFF) != sizeof(cmd))
		goto fail;
	cmd |= PCI_COMMAND_MEM_MASTER;
	if (pwrite(e->config_fd, &cmd, sizeof(cmd), PCI_COMMAND_OFF) != sizeof(cmd))
		goto fail;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource0", e->addr);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	bar = mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (bar == MAP_FAILED)
		goto fail;
	e->bar = bar;
	return 0;
fail:
	ret = errno ? -errno : -EIO;
	close(e->config_fd);
	e->config_fd = -1;
	return ret;
}

void edu_close(struct edu *e)
{
	if (e->config_fd >= 0) {
		munmap((void *)e->bar, EDU_BAR_SIZE);
		close(e->config_fd);
	}
	e->bar = NULL;
	e->config_fd = -1;
}

static uint64_t reg64_read(const struct edu *e, unsigned int off)
{
	return *(volatile uint64_t *)(e->bar + off);
}

static void reg64_write(struct edu *e, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(e->bar + off) = v;
}

bool edu_alive(const struct edu *e)
{
	return (*(volatile uint32_t *)(e->bar + EDU_REG_IDENT) & 0xff) == 0xed;
}

int edu_dma_start(struct edu *e, uint64_t dma, uint32_t len, bool to_ram)
{
	if (!len || len > EDU_MAX_XFER)
		return -EINVAL;
	if (reg64_read(e, EDU_REG_DMA_CMD) & EDU_DMA_RUN)
		return -EBUSY;
	reg64_write(e, EDU_REG_DMA_SRC, to_ram ? EDU_BUF_ADDR : dma);
	reg64_write(e, EDU_REG_DMA_DST, to_ram ? dma : EDU_BUF_ADDR);
	reg64_write(e, EDU_REG_DMA_CNT, len);
	__sync_synchronize();
	reg64_write(e, EDU_REG_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	return 0;
}

int edu_dma_wait(struct edu *e, int timeout_ms)
{
	struct timespec pause = { .tv_nsec = 1000000 };
	int waited;

	for (waited = 0; waited <= timeout_ms; waited++) {
		if (!(reg64_read(e, EDU_REG_DMA_CMD) & EDU_DMA_RUN))
			return 0;
		nanosleep(&pause, NULL);
	}
	return -ETIMEDOUT;
}

int edu_dma(struct edu *e, uint64_t dma, uint32_t len, bool to_ram)
{
	int ret = edu_dma_start(e, dma, len, to_ram);

	return ret ?: edu_dma_wait(e, 10000);
}
