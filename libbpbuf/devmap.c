// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libbpbuf: a buffer's address for one device (BPBUF_IOCTL_DEV_MAP), named
 * as user space knows it: a PCI address or a platform device's name.
 *
 * The kernel keeps a mapping, and the buffer with it, until the /dev/bpbuf
 * file it was made through asks to end it or closes. A handle remembers
 * the mappings made through it, so that bpbuf_buffer_free() ends them and
 * frees the buffer, as its name says.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libbpbuf-private.h"

/* [DDDD:]BB:DD.F in hex, as lspci and /sys/bus/pci/devices spell it */
static bool is_pci_address(const char *s)
{
	size_t len = strlen(s);
	const char *p;
	int colons = 0, dots = 0;

	if (len != 7 && len != 12)
		return false;
	for (p = s; *p; p++) {
		if (*p == ':')
			colons++;
		else if (*p == '.')
			dots++;
		else if (!strchr("0123456789abcdefABCDEF", *p))
			return false;
	}
	return dots == 1 && colons == (len == 12 ? 2 : 1) && s[len - 2] == '.';
}

/*
 * "pci:NAME" and "platform:NAME" say the bus; a bare name is PCI when it
 * is spelt as a PCI address, else a platform device.
 */
static int dev_map_request(const struct bpbuf_buffer *buf, const char *device,
			   struct bpbuf_dev_map *req)
{
	const char *name = device;

	if (!buf || !device)
		return -EINVAL;
	memset(req, 0, sizeof(*req));
	req->fd = (uint32_t)buf->fd;
	if (!strncmp(device, "pci:", 4)) {
		req->bus = BPBUF_BUS_PCI;
		name += 4;
	} else if (!strncmp(device, "platform:", 9)) {
		req->bus = BPBUF_BUS_PLATFORM;
		name += 9;
	} else {
		req->bus = is_pci_address(device) ? BPBUF_BUS_PCI : BPBUF_BUS_PLATFORM;
	}
	if (!*name)
		return -EINVAL;
	if (strlen(name) >= sizeof(req->device))
		return -ENAMETOOLONG;
	strcpy(req->device, name);
	return 0;
}

/* The handle's record of @req's device, or NULL */
static struct bpbuf_dev_map *find_dev_map(struct bpbuf_buffer *buf,
					  const struct bpbuf_dev_map *req)
{
	unsigned int i;

	for (i = 0; i < buf->nr_dev_maps; i++)
		if (buf->dev_maps[i].bus == req->bus &&
		    !strcmp(buf->dev_maps[i].device, req->device))
			return &buf->dev_maps[i];
	return NULL;
}

static int remember_dev_map(struct bpbuf_buffer *buf,
			    const struct bpbuf_dev_map *req)
{
	struct bpbuf_dev_map *maps;

	if (find_dev_map(buf, req))
		return 0;
	maps = realloc(buf->dev_maps, (buf->nr_dev_maps + 1) * sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	buf->dev_maps = maps;
	maps[buf->nr_dev_maps++] = *req;
	return 0;
}

static void forget_dev_map(struct bpbuf_buffer *buf,
			   const struct bpbuf_dev_map *req)
{
	struct bpbuf_dev_map *map = find_dev_map(buf, req);

	if (map)
		*map = buf->dev_maps[--buf->nr_dev_maps];
}

/*
 * DEV_UNMAP of @map, a DEV_MAP request that succeeded: the same request
 * with its outputs zero. Its result changes nothing for the callers: an
 * unbind may have ended the mapping already, and the buffer goes anyway
 * when the process closes /dev/bpbuf.
 */
static void dev_unmap_request(struct bpbuf_buffer *buf,
			      const struct bpbuf_dev_map *map)
{
	struct bpbuf_dev_map req = *map;

	req.dma_addr = 0;
	req.size = 0;
	bpbuf_xioctl(buf->dev->fd, BPBUF_IOCTL_DEV_UNMAP, &req);
}

BPBUF_EXPORT int bpbuf_buffer_dev_map(struct bpbuf_buffer *buf,
				      const char *device, uint64_t *dma_addr)
{
	struct bpbuf_dev_map req;
	int ret;

	if (!dma_addr)
		return -EINVAL;
	ret = dev_map_request(buf, device, &req);
	if (!ret)
		ret = bpbuf_xioctl(buf->dev->fd, BPBUF_IOCTL_DEV_MAP, &req);
	if (ret)
		return ret;
	ret = remember_dev_map(buf, &req);
	if (ret) {
		/* unrecorded, bpbuf_buffer_free() could not end it */
		dev_unmap_request(buf, &req);
		return ret;
	}
	*dma_addr = req.dma_addr;
	return 0;
}

BPBUF_EXPORT int bpbuf_buffer_dev_unmap(struct bpbuf_buffer *buf,
					const char *device)
{
	struct bpbuf_dev_map req;
	int ret;

	ret = dev_map_request(buf, device, &req);
	if (!ret)
		ret = bpbuf_xioctl(buf->dev->fd, BPBUF_IOCTL_DEV_UNMAP, &req);
	/* ENOENT: its driver unbound, which ended it */
	if (!ret || ret == -ENOENT)
		forget_dev_map(buf, &req);
	return ret;
}

/* For bpbuf_buffer_free(): end what this handle mapped */
void bpbuf_buffer_end_dev_maps(struct bpbuf_buffer *buf)
{
	unsigned int i;

	for (i = 0; i < buf->nr_dev_maps; i++)
		dev_unmap_request(buf, &buf->dev_maps[i]);
	free(buf->dev_maps);
	buf->dev_maps = NULL;
	buf->nr_dev_maps = 0;
}
