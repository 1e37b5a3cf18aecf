// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf-bench --scale MODULE: scenarios 7 to 10 (scale.h). bpbuf must not
 * be loaded: scenario 7 loads it with a small and a large heap; it stays
 * loaded with the large one for the others, and is unloaded at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "kmod.h"
#include "scale.h"

int scale_main(const char *module)
{
	int ret;

	printf("bpbuf-bench: scale part, %ld CPUs; allocators: bpbuf (%s), cma-heap (%s%s)\n",
	       sysconf(_SC_NPROCESSORS_ONLN), module, peers[PEER_CMA_HEAP].node,
	       peers[PEER_CMA_HEAP].dev < 0 ? ": absent" : "");
	if (peers[PEER_BPBUF].dev >= 0) {
		fprintf(stderr, "bpbuf-bench: --scale loads bpbuf itself: unload it first\n");
		return 1;
	}
	if (scenario_heap_size(module))
		return 1;
	if (scenario_big_map(module))
		return 1;
	scenario_live_buffers();
	scenario_two_processes();

	printf("\nTargets (scale issue)\n");
	print_big_map_targets();
	print_live_targets();
	print_two_process_targets();

	close(peers[PEER_BPBUF].dev);
	peers[PEER_BPBUF].dev = -1;
	ret = bpbuf_unload();
	if (ret) {
		fprintf(stderr, "bpbuf-bench: unloading bpbuf: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}
