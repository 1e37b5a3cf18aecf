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
		print "written 16 MiB buffers back to back (1b), alloc+close median us"
		row("  bpbuf back to back", "reuse,bpbuf-b2b,16777216,median_us", "%.1f")
		row("  memset floor", "floor,memset,16777216,median_us", "%.1f")
		ratio_row("  bpbuf back to back / memset floor", "reuse,bpbuf-b2b,16777216,median_us", "floor,memset,16777216,median_us", "%.3f")
		print "heap of 64 MiB and of 2 GiB: load ms (carve, zero), alloc+close 16 MiB us"
		split("67108864 2147483648", hb, " ")
		split("64 MiB,2 GiB", hn, ",")
		for (i = 1; i <= 2; i++) {
			row("  " hn[i] " load", "heap_size,bpbuf," hb[i] ",load_ms", "%.1f")
			row("    carve", "heap_size,bpbuf," hb[i] ",carve_ms", "%.1f")
			row("    zero", "heap_size,bpbuf," hb[i] ",zero_ms", "%.1f")
		}
		row("  alloc+close 16 MiB, 64 MiB heap", "alloc_small_heap,bpbuf,16777216,median_us", "%.1f")
		row("  alloc+close 16 MiB, 2 GiB heap", "alloc_big_heap,bpbuf,16777216,median_us", "%.1f")
		ratio_row("  2 GiB heap / 64 MiB heap", "alloc_big_heap,bpbuf,16777216,median_us", "alloc_small_heap,bpbuf,16777216,median_us", "%.3f")
		print "mmap + first touch, median ms, page tables KiB"
		split("268435456 1073741824", bs, " ")
		split("256 MiB,1 GiB", bn, ",")
		for (i = 1; i <= 2; i++) {
			row("  " bn[i] " bpbuf", "big_touch,bpbuf," bs[i] ",median_ms", "%.2f")
			row("    page tables", "big_touch,bpbuf," bs[i] ",page_tables_kib", "%.0f")
			row("    PMD entries", "big_touch,bpbuf," bs[i] ",pmd_entries", "%.0f")
			row("    PUD entries", "big_touch,bpbuf," bs[i] ",pud_entries", "%.0f")
			row("  " bn[i] " bpbuf, 2 MiB off (PMD entries)", "big_touch,bpbuf-2m," bs[i] ",median_ms", "%.2f")
			row("  " bn[i] " bpbuf, 4 KiB entries", "big_touch,bpbuf-4k," bs[i] ",median_ms", "%.2f")
			row("    page tables", "big_touch,bpbuf-4k," bs[i] ",page_tables_kib", "%.0f")
			row("  " bn[i] " cma-heap", "big_touch,cma-heap," bs[i] ",median_ms", "%.2f")
			row("  " bn[i] " the writes alone", "big_touch,writes-only," bs[i] ",median_ms", "%.2f")
			ratio_row("  bpbuf / cma-heap", "big_touch,bpbuf," bs[i] ",median_ms", "big_touch,cma-heap," bs[i] ",median_ms", "%.2e")
			ratio_row("  page tables / 4 KiB entries", "big_touch,bpbuf," bs[i] ",page_tables_kib", "big_touch,bpbuf-4k," bs[i] ",page_tables_kib", "%.2e")
		}
		print "alloc+close 4 KiB with live buffers (fragmented), median us"
		split("1 100 1000 10000", lv, " ")
		for (i = 1; i <= 4; i++) row("  " lv[i] " live", "live_buffers,bpbuf,4096,median_us_live" lv[i], "%.1f")
		ratio_row("  10000 live / 1 live", "live_buffers,bpbuf,4096,median_us_live10000", "live_buffers,bpbuf,4096,median_us_live1", "%.3f")
		print "two processes against one, alloc+close 4 KiB, operations/s"
		row("  1 process", "two_processes,bpbuf,4096,ops_per_s_1", "%.0f")
		row("  2 processes", "two_processes,bpbuf,4096,ops_per_s_2", "%.0f")
		ratio_row("  2 / 1", "two_processes,bpbuf,4096,ops_per_s_2", "two_processes,bpbuf,4096,ops_per_s_1", "%.3f")
		row("  heap lock contended, %", "two_processes,bpbuf,4096,lock_contended_pct", "%.1f")
		print "device to disk (11), 16 MiB O_DIRECT writes to NVMe: GB/s, CPU ms per GiB"
		split("bpbuf-page-map bpbuf-copy malloc-limit", way, " ")
		for (i = 1; i <= 3; i++) {
			row("  " way[i], "disk," way[i] ",16777216,write_gbs", "%.3f")
			row("    process CPU ms/GiB", "disk," way[i] ",16777216,proc_ms_per_gib", "%.1f")
			row("    all CPUs ms/GiB", "disk," way[i] ",16777216,cpu_ms_per_gib", "%.1f")
		}
		ratio_row("  no copy / copy, GB/s", "disk,bpbuf-page-map,16777216,write_gbs", "disk,bpbuf-copy,16777216,write_gbs", "%.3f")
		ratio_row("  no copy / copy, process CPU", "disk,bpbuf-page-map,16777216,proc_ms_per_gib", "disk,bpbuf-copy,16777216,proc_ms_per_gib", "%.3f")
		ratio_row("  no copy / copy, all CPUs", "disk,bpbuf-page-map,16777216,cpu_ms_per_gib", "disk,bpbuf-copy,16777216,cpu_ms_per_gib", "%.3f")
		ratio_row("  no copy / the disk limit, GB/s", "disk,bpbuf-page-map,16777216,write_gbs", "disk,malloc-limit,16777216,write_gbs", "%.3f")
	}'
