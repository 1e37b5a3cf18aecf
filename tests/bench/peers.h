/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The allocators the benchmark compares: bpbuf and the kernel's own ways to
 * get a dma-buf (the CMA heap, the system heap, udmabuf over a memfd).
 */
#ifndef BENCH_PEERS_H
#define BENCH_PEERS_H

#include <stddef.h>

struct peer {
	const char *name;
	const char *node;	/* the device it allocates through */
	int dev;		/* open node, or -1 */
	/* A new dma-buf fd of @size bytes, or -errno. */
	int (*alloc)(struct peer *p, size_t size);
};

enum { PEER_BPBUF, PEER_CMA_HEAP, PEER_SYSTEM_HEAP, PEER_UDMABUF, PEER_COUNT };

/* Opens every peer's node; an absent one keeps dev = -1 and is skipped. */
void peers_open(struct peer peers[PEER_COUNT]);

#endif
