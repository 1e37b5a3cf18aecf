# The benchmark (see scripts/bench.sh, which runs it in the VM on the
# non-debug kernel). Built with everything else, so it never rots.
noinst_PROGRAMS += tests/bench/bpbuf-bench
tests_bench_bpbuf_bench_SOURCES = tests/bench/bench.c tests/bench/bench.h \
	tests/bench/peers.c tests/bench/peers.h tests/bench/stats.c \
	tests/bench/stats.h tests/bench/sync.c tests/bench/pressure.c \
	tests/bench/reuse.c tests/bench/kmod.c tests/bench/kmod.h \
	tests/bench/scale.c tests/bench/scale.h tests/bench/heapsize.c \
	tests/bench/bigmap.c tests/bench/live.c tests/bench/concurrent.c \
	tests/bench/disk.c tests/bench/cpumodes.c
tests_bench_bpbuf_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/kselftest -I$(top_srcdir)/include
EXTRA_DIST += scripts/bench.sh tests/bench/plot.gp tests/bench/plot-touch.gp \
	tests/bench/lines-table.sh

bench:
	$(top_srcdir)/scripts/bench.sh
.PHONY: bench
