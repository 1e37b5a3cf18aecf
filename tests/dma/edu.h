/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A user-space driver for QEMU's edu device (1234:11e8, hw/misc/edu.c), a
 * PCI DMA engine: the device is found and bound to a driver through sysfs,
 * its BAR 0 is mapped from sysfs (or from VFIO), and it copies between
 * memory at a DMA address and its own 4 KiB buffer. For the DMA tests and
 * the demo; every function returns 0 or a negative errno.
 */
#ifndef BPBUF_EDU_H
#define BPBUF_EDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_BAR_SIZE		(1 << 20)
/* The device's own buffer, at this device address */
#define EDU_BUF_ADDR		0x40000
/* QEMU 7.2 aborts on a transfer of the whole 4096 bytes (its range check) */
#define EDU_MAX_XFER		4095

struct edu {
	char addr[16];		/* PCI address, 0000:00:01.0 */
	int group;		/* IOMMU group number, -1 without an IOMMU */
	volatile uint8_t *bar;	/* BAR 0, while open */
	int config_fd;		/* its config space, while open (sysfs) */
};

/* Every edu device, in /sys/bus/pci/devices order; *n set to how many */
int edu_find(struct edu *list, int max, int *n);

/* The bound driver's name into name ("" for none) */
int edu_driver(const struct edu *e, char *name, size_t len);
/* Unbind whatever is bound, then bind driver (NULL: leave it unbound) */
int edu_bind(const struct edu *e, const char *driver);
/* The IOMMU group's default domain type: "DMA", "DMA-FQ", "identity" */
int edu_group_type(const struct edu *e, char *type, size_t len);
/* Set it; the device must have no driver */
int edu_set_group_type(const struct edu *e, const char *type);

/* Map BAR 0 and turn on memory decoding and bus mastering, through sysfs */
int edu_open(struct edu *e);
void edu_close(struct edu *e);
/* The same with a BAR mapped elsewhere (VFIO) and no config fd */
void edu_use_bar(struct edu *e, volatile uint8_t *bar);

/*
 * Copy len bytes (1..EDU_MAX_XFER) between memory at dma and the device's
 * buffer: to_ram false reads memory into the device, true writes the
 * device's buffer to memory. edu_dma_start() returns at once; edu_dma_wait()
 * waits for the device (it takes 100 ms) for up to timeout_ms.
 */
int edu_dma_start(struct edu *e, uint64_t dma, uint32_t len, bool to_ram);
int edu_dma_wait(struct edu *e, int timeout_ms);
int edu_dma(struct edu *e, uint64_t dma, uint32_t len, bool to_ram);

/* The device answers its identity register (0x010000ed for edu 1.0) */
bool edu_alive(const struct edu *e);

#endif /* BPBUF_EDU_H */
