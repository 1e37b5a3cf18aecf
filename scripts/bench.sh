#!/bin/sh
# The benchmark: bpbuf against the kernel's CMA heap, system heap and
# udmabuf, in one VM run on the non-debug ("bench") test kernel, so that
# KASAN and lockdep do not distort the figures. Prints the table; leaves it,
# a CSV file and a plot of latency against size in tests/vm/out/bench/
# (tests/vm/out/bench-LINE/ for another line than 6.1).
#   scripts/bench.sh [--quick] [--line 6.1|6.12|7.2|all] [--arm64]
# --line picks the kernel line whose bench kernel it runs on (default 6.1);
# all runs each of the three in turn, one VM each, and ends with a table of
# them side by side (tests/bench/lines-table.sh).
# --arm64 runs it on Debian's own arm64 kernel under qemu-system-aarch64
# instead (in tests/vm/out/bench-arm64/): that kernel has no dma-buf heaps
# and no udmabuf, so it shows bpbuf alone, but its devices are not
# cache-coherent, which is where a range sync differs from a whole one.
set -eu
cd "$(dirname "$0")/.."
quick= arch=x86_64 line=6.1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=--quick ;;
	--arm64) arch=arm64 ;;
	--line) line=${2:?--line needs 6.1, 6.12, 7.2 or all}; shift ;;
	*) echo "usage: scripts/bench.sh [--quick] [--line 6.1|6.12|7.2|all] [--arm64]" >&2; exit 2 ;;
	esac
	shift
done
if [ "$line" = all ]; then
	status=0 tables=
	for l in 6.1 6.12 7.2; do
		sh "$0" $quick --line "$l" || status=1
		dir=tests/vm/out/bench; [ "$l" = 6.1 ] || dir=$dir-$l
		tables="$tables $l=$dir/results.csv"
	done
	echo
	tests/bench/lines-table.sh $tables | tee tests/vm/out/bench-lines.txt
	echo "bench.sh: the three lines side by side in tests/vm/out/bench-lines.txt"
	exit "$status"
fi
scripts/build.sh
if [ "$arch" = arm64 ]; then
	stock=$(tests/vm/stock-kernel.sh arm64)
	out=$(pwd)/tests/vm/out/bench-arm64
	src=$(tests/vm/build-for-kernel.sh "$(pwd)" "$out" --host=aarch64-linux-gnu \
		--with-linux-obj="$stock/build")
	set -- --arch arm64 --kernel "$stock/vmlinuz" --linux-obj "$stock/build" \
		--modroot "$stock/modroot" --busybox "$stock/busybox" \
		--sysroot /usr/aarch64-linux-gnu
else
	bench_kernel=$(tests/vm/build-kernel.sh --line "$line" --flavour bench | tail -n 1)
	out=$(pwd)/tests/vm/out/bench
	[ "$line" = 6.1 ] || out=$out-$line
	src=$(tests/vm/build-for-kernel.sh "$(pwd)" "$out" --with-linux="$bench_kernel/src" \
		--with-linux-obj="$bench_kernel/obj")
	set -- --linux-obj "$bench_kernel/obj"
fi
prog=$src/tests/bench/bpbuf-bench
[ -x "$prog" ] || { echo "bench.sh: $prog was not built" >&2; exit 1; }
echo "rig_step bench /tests/bpbuf-bench $quick" >"$out/plan-extra.sh"

# A 256 MiB bpbuf heap out of 768 MiB of CMA leaves the CMA heap 512 MiB.
# The guest's clock is the host's TSC at the rate the host measured
# (run-vm.sh); should the guest still have a coarse clock, the benchmark
# refuses to run (exit 2) and there are no figures.
status=0
tests/vm/run-tests.sh "$@" --module "$src/driver/bpbuf.ko" \
	--insmod-args heap_size=256M --cma 768M --mem 4096 --timeout 3600 --idle-timeout 1800 \
	--ship "$prog" --plan-extra "$out/plan-extra.sh" --out "$out/run" \
	>"$out/report.tap" || status=$?

tr -d '\r' <"$out/run/results.log" | sed -n '/^@@rig begin bench$/,/^@@rig end bench/{/^@@rig/d;p}' >"$out/raw.txt"
grep -v '^csv,' "$out/raw.txt" | tee "$out/results.txt"
{ echo "scenario,allocator,size,metric,value"; grep '^csv,' "$out/raw.txt" | cut -d, -f2-; } >"$out/results.csv"
if ! grep -q '^csv,' "$out/raw.txt"; then
	if grep -q '^not ok .* bench (exit status 2)' "$out/report.tap"; then
		echo "bench.sh: no figures: the guest's clock was too coarse to measure with (see $out/run/console.log)" >&2
	else
		echo "bench.sh: no figures: the benchmark did not run to its end (see $out/report.tap)" >&2
	fi
	grep -E '^not ok' "$out/report.tap" >&2 || :
	exit 1
fi
if command -v gnuplot >/dev/null; then
	gnuplot -e "csv='$out/results.csv'; out='$out/latency.png'" tests/bench/plot.gp &&
		echo "bench.sh: plot in $out/latency.png"
fi
echo "bench.sh: table in $out/results.txt, figures in $out/results.csv"
grep -E '^not ok' "$out/report.tap" || :
[ "$status" = 0 ] || echo "bench.sh: the VM run failed (see $out/run/console.log)"
exit "$status"
