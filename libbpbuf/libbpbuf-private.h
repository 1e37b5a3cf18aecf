/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbpbuf internals shared by its source files. Nothing here is exported:
 * the library is built with -fvisibility=hidden and a version script, and
 * only definitions marked BPBUF_EXPORT are public.
 */
#ifndef LIBBPBUF_PRIVATE_H
#define LIBBPBUF_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "libbpbuf.h"

#define BPBUF_EXPORT __attribute__((visibility("default")))

struct bpbuf_dev {
	int fd;
	unsigned int refcount;		/* atomic: the user's and each buffer's */
	unsigned int version_major;
	unsigned int version_minor;
	unsigned int version_patchlevel;
	char *name;
	char *date;
	char *desc;
	uint64_t page_size;
	uint64_t map_sizes;		/* BPBUF_CAP_MAP_SIZES */
};

struct bpbuf_buffer {
	struct bpbuf_dev *dev;		/* holds a reference */
	int fd;
	uint64_t size;
	void *addr;			/* the mapping, or NULL */
	uint64_t bus_addr;
	bool have_bus_addr;
	struct bpbuf_dev_map *dev_maps;	/* made through this handle */
	unsigned int nr_dev_maps;
};

int bpbuf_xioctl(int fd, unsigned long request, void *arg);
void bpbuf_buffer_end_dev_maps(struct bpbuf_buffer *buf);

#endif /* LIBBPBUF_PRIVATE_H */
