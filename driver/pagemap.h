/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf page maps (pagemap.c).
 */
#ifndef BPBUF_PAGEMAP_H
#define BPBUF_PAGEMAP_H

struct bpbuf_buffer;
struct bpbuf_new_fd;

int bpbuf_page_map_open(struct bpbuf_buffer *buf, unsigned int fd_flags,
			struct bpbuf_new_fd *nfd);

#endif /* BPBUF_PAGEMAP_H */
