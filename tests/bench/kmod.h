/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the scale scenarios need around bpbuf itself: loading it with a
 * heap size, its debugfs figures, and a mapping at an aligned address.
 */
#ifndef BENCH_KMOD_H
#define BENCH_KMOD_H

#include <stddef.h>

/* finit_module(@module, @params); the call's ms in *ms. 0 or -errno. */
int bpbuf_load(const char *module, const char *params, double *ms);
/* delete_module("bpbuf"), waiting for the last buffer to go. 0 or -errno. */
int bpbuf_unload(void);
/* A number from debugfs bpbuf/heap ("key:\tvalue"), or -1 */
long long bpbuf_heap_value(const char *key);
/* PageTables in /proc/meminfo, KiB */
long page_tables_kib(void);
/*
 * mmap(MAP_SHARED) of @len bytes of @fd at an address @skew bytes past a
 * multiple of @align, as libbpbuf's bpbuf_buffer_map() does with skew 0;
 * NULL on failure.
 */
char *map_aligned(int fd, size_t len, size_t align, size_t skew);
/* The largest page-table entry bpbuf maps a buffer of @size with */
size_t bpbuf_map_align(int dev, size_t size);

#endif
