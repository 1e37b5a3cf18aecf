/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf page maps (pagemap.c), and buffers freed while their pages are
 * still referenced (held.c).
 */
#ifndef BPBUF_PAGEMAP_H
#define BPBUF_PAGEMAP_H

struct bpbuf_buffer;
struct bpbuf_device;
struct bpbuf_new_fd;

int bpbuf_page_map_open(struct bpbuf_buffer *buf, unsigned int fd_flags,
			struct bpbuf_new_fd *nfd);

bool bpbuf_pages_outlast_release(const struct bpbuf_buffer *buf);
void bpbuf_hold(struct bpbuf_buffer *buf);
bool bpbuf_held_reclaim(struct bpbuf_device *bdev);
void bpbuf_held_init(struct bpbuf_device *bdev);
void bpbuf_held_exit(struct bpbuf_device *bdev);

#endif /* BPBUF_PAGEMAP_H */
