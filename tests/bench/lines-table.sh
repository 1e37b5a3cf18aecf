#!/bin/sh
# The benchmark's figures of several kernels side by side, from the CSV
# files scripts/bench.sh leaves (scenario,allocator,size,metric,value): a
# column per kernel, a row per figure, ratios computed from the same run's
# figures. A figure a run does not have (a heap that kernel lacks) is "-".
#
#   tests/bench/lines-table.sh LABEL=results.csv...
set -eu
[ $# -gt 0 ] || { echo "usage: lines-table.sh LABEL=results.csv..." >&2; exit 2; }
for arg; do
	[ -r "${arg#*=}" ] || { echo "lines-table.sh: cannot read ${arg#*=}" >&2; exit 1; }
done
# Each file's rows prefixed with its column number and label.
n=0
for arg; do
	n=$((n + 1))
	tail -n +2 "${arg#*=}" | sed "s|^|$n,${arg%%=*},|"
done | awk -F, -v cols="$#" '
	{ label[$1] = $2; v[$1, $3 "," $4 "," $5 "," $6] = $7 }
	function get(c, key) { return ((c, key) in v) ? v[c, key] : "" }
	function cell(x, fmt) { return x == "" ? "-" : sprintf(fmt, x) }
	function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "" : a / b }
	function row(name, key, fmt,   c, line) {
		line = sprintf("%-44s", name)
		for (c = 1; c <= cols; c++) line = line sprintf(" %12s", cell(get(c, key), fmt))
		print line
	}
	function ratio_row(name, a, b, fmt,   c, line) {
		line = sprintf("%-44s", name)
		for (c = 1; c <= cols; c++) line = line sprintf(" %12s", cell(ratio(get(c, a), get(c, b)), fmt))
		print line
	}
	END {
		line = sprintf("%-44s", "kernel")
		for (c = 1; c <= cols; c++) line = line sprintf(" %12s", label[c])
		print line
		split("bpbuf cma-heap system-heap udmabuf", peer, " ")
		print "alloc+close 16 MiB, median us"
		for (i = 1; i <= 4; i++) row("  " peer[i], "latency," peer[i] ",16777216,median_us", "%.1f")
		ratio_row("  bpbuf / cma-heap", "latency,bpbuf,16777216,median_us", "latency,cma-heap,16777216,median_us", "%.2e")
		ratio_row("  bpbuf / system-heap", "latency,bpbuf,16777216,median_us", "latency,system-heap,16777216,median_us", "%.2e")
		ratio_row("  bpbuf / memset floor", "latency,bpbuf,16777216,median_us", "floor,memset,16777216,median_us", "%.2e")
		print "mmap + first touch 64 MiB, median ms (minor faults)"
		for (i = 1; i <= 4; i++) {
			row("  " peer[i], "touch," peer[i] ",67108864,median_ms", "%.2f")
			row("    faults", "touch," peer[i] ",67108864,faults", "%.0f")
		}
		ratio_row("  bpbuf / cma-heap", "touch,bpbuf,67108864,median_ms", "touch,cma-heap,67108864,median_ms", "%.3f")
		ratio_row("  bpbuf / system-heap", "touch,bpbuf,67108864,median_ms", "touch,system-heap,67108864,median_ms", "%.3f")
		print "streaming 16 MiB through the mapping, GB/s"
		row("  malloc write", "stream,malloc,16777216,write_gbs", "%.2f")
		row("  bpbuf write", "stream,bpbuf,16777216,write_gbs", "%.2f")
		ratio_row("  bpbuf / malloc, write", "stream,bpbuf,16777216,write_gbs", "stream,malloc,16777216,write_gbs", "%.3f")
		ratio_row("  bpbuf / malloc, read", "stream,bpbuf,16777216,read_gbs", "stream,malloc,16777216,read_gbs", "%.3f")
		print "4 MiB allocations under memory pressure"
		row("  bpbuf succeeded, %", "pressure,bpbuf,4194304,success_pct", "%.1f")
		row("  bpbuf p99 us", "pressure,bpbuf,4194304,p99_us", "%.1f")
		row("  cma-heap p99 us", "pressure,cma-heap,4194304,p99_us", "%.1f")
		ratio_row("  bpbuf p99 / cma-heap p99", "pressure,bpbuf,4194304,p99_us", "pressure,cma-heap,4194304,p99_us", "%.2e")
	}'
