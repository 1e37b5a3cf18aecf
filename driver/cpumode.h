/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf CPU modes: how the CPU maps a buffer's memory (cached,
 * write-combined or uncached), chosen at allocation, the same for every
 * CPU mapping of the buffer (cpumode.c).
 */
#ifndef BPBUF_CPUMODE_H
#define BPBUF_CPUMODE_H

#include <linux/mm.h>
#include <linux/types.h>

#include <bpbuf.h>

#include "source.h"

struct bpbuf_heap;
struct bpbuf_range;

/* The modes, as the uapi numbers them (BPBUF_CPU_*) */
#define BPBUF_CPU_MODE_BIT(mode)	(1U << (mode))

u32 bpbuf_cpu_modes_of(enum bpbuf_source source);
u32 bpbuf_cpu_modes(const struct bpbuf_heap *heap);
const char *bpbuf_cpu_mode_why_not(enum bpbuf_source source, u32 mode);
int bpbuf_cpu_mode_parse(const char *name, u32 *mode);
const char *bpbuf_cpu_mode_name(u32 mode);
pgprot_t bpbuf_cpu_mode_prot(u32 mode, pgprot_t prot);
int bpbuf_cpu_mode_enter(struct bpbuf_heap *heap,
			 const struct bpbuf_range *range, u32 mode);
void bpbuf_cpu_mode_leave(struct bpbuf_heap *heap,
			  const struct bpbuf_range *range, u32 mode);

/* Whether CPU access to a buffer of @mode goes through the caches */
static inline bool bpbuf_cpu_mode_cached(u32 mode)
{
	return mode == BPBUF_CPU_CACHED;
}

#endif /* BPBUF_CPUMODE_H */
