// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libbpbuf: a buffer's address for one device (BPBUF_IOCTL_DEV_MAP), named
 * as user space knows it: a PCI address or a platform device's name.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
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
	if (!ret)
		*dma_addr = req.dma_addr;
	return ret;
}

BPBUF_EXPORT int bpbuf_buffer_dev_unmap(struct bpbuf_buffer *buf,
					const char *device)
{
	struct bpbuf_dev_map req;
	int ret;

	ret = dev_map_request(buf, device, &req);
	return ret ?: bpbuf_xioctl(buf->dev->fd, BPBUF_IOCTL_DEV_UNMAP, &req);
}
