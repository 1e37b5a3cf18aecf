#!/bin/sh
# The benchmark: bpbuf against the kernel's CMA heap, system heap and
# udmabuf, in one VM run on the non-debug ("bench") test kernel, so that
# KASAN and lockdep do not distort the figures; then its scale part in a
# second VM with more memory. Prints the table; leaves it,
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

# The scale part (scenarios 7 to 10) loads bpbuf itself, with a 64 MiB and
# a 2 GiB heap, in a VM of its own with 2.5 GiB of CMA (x86 reserves CMA
# above 4 GiB if it fits there, else below, where pc leaves 3 GiB of RAM in
# pieces; 6 GiB puts 3 GiB above 4 GiB); then the huge-mapping kselftest
# runs against the 2 GiB heap, where a free, aligned GiB lets it test PUD
# entries too (opt-in: pud_mappings=1).
huge_map=$src/tests/kselftest/huge_map
[ -x "$huge_map" ] || { echo "bench.sh: $huge_map was not built" >&2; exit 1; }
{
	echo "rig_step bench-scale /tests/bpbuf-bench $quick --scale /lib/modules/bpbuf.ko"
	echo "rig_step insmod-bpbuf insmod /lib/modules/bpbuf.ko heap_size=2G pud_mappings=1"
	echo "rig_step huge_map /tests/huge_map"
	echo "rig_step rmmod-bpbuf rmmod bpbuf"
} >"$out/plan-scale.sh"

# A 256 MiB bpbuf heap out of 768 MiB of CMA leaves the CMA heap 512 MiB.
# The guest's clock is the host's TSC at the rate the host measured
# (run-vm.sh); should the guest still have a coarse clock, the benchmark
# refuses to run (exit 2) and there are no figures.
status=0
tests/vm/run-tests.sh "$@" --module "$src/driver/bpbuf.ko" \
	--insmod-args heap_size=256M --cma 768M --mem 4096 --timeout 3600 --idle-timeout 1800 \
	--ship "$prog" --plan-extra "$out/plan-extra.sh" --out "$out/run" \
	>"$out/report.tap" || status=$?
tests/vm/run-tests.sh "$@" --module "$src/driver/bpbuf.ko" --no-load \
	--cma 2560M --mem 6144 --timeout 3600 --idle-timeout 1800 \
	--ship "$prog" --ship "$huge_map" --plan-extra "$out/plan-scale.sh" --out "$out/run-scale" \
	>"$out/report-scale.tap" || status=$?

# Step STEP's output in results.log of run DIR
step_output() {
	tr -d '\r' <"$1/results.log" | sed -n "/^@@rig begin $2\$/,/^@@rig end $2/{/^@@rig/d;p}"
}
{ step_output "$out/run" bench; step_output "$out/run-scale" bench-scale; } >"$out/raw.txt"
grep -v '^csv,' "$out/raw.txt" | tee "$out/results.txt"
{ echo "scenario,allocator,size,metric,value"; grep '^csv,' "$out/raw.txt" | cut -d, -f2-; } >"$out/results.csv"
for part in bench bench-scale; do
	tap=$out/report.tap
	[ "$part" = bench ] || tap=$out/report-scale.tap
	step_output "$out/run${part#bench}" "$part" | grep -q '^csv,' && continue
	if grep -q "^not ok .* $part (exit status 2)" "$tap"; then
		echo "bench.sh: no figures from $part: the guest's clock was too coarse to measure with" >&2
	else
		echo "bench.sh: no figures from $part: it did not run to its end (see $tap)" >&2
	fi
	grep -E '^not ok' "$tap" >&2 || :
	exit 1
done
if command -v gnuplot >/dev/null; then
	gnuplot -e "csv='$out/results.csv'; out='$out/latency.png'" tests/bench/plot.gp &&
		gnuplot -e "csv='$out/results.csv'; out='$out/touch.png'" tests/bench/plot-touch.gp &&
		echo "bench.sh: plots in $out/latency.png and $out/touch.png"
fi
echo "bench.sh: table in $out/results.txt, figures in $out/results.csv"
grep -E '^not ok' "$out/report.tap" "$out/report-scale.tap" || :
echo "bench.sh: huge-mapping kselftest against the 2 GiB heap:" \
	"$(grep -c '^ok .* huge_map: ' "$out/report-scale.tap") passed," \
	"$(grep -c '^not ok .* huge_map: ' "$out/report-scale.tap") failed" \
	"($(grep -c '^ok .* huge_map: .*# SKIP' "$out/report-scale.tap") of the passed skipped)"
[ "$status" = 0 ] || echo "bench.sh: a VM run failed (see $out/run/console.log, $out/run-scale/console.log)"
exit "$status"
