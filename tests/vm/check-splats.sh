#!/bin/bash
# check-splats.sh CONSOLE_LOG: exit 1, printing the offending lines, if the
# kernel log holds any report that must fail a run: WARN, BUG, Oops, panic,
# KASAN, lockdep, RCU, hung tasks, kmemleak, DMA-API debug, UBSAN, an IOMMU
# fault (a device reached memory it was not given), or a debug facility
# switching itself off. Exit 0 and print nothing otherwise.
set -u
log=$1
[ -r "$log" ] || { echo "check-splats.sh: cannot read $log" >&2; exit 2; }

# Each pattern is an extended regex matched against a line with its printk
# timestamp removed. They are the headers the kernel prints for each kind of
# report (see lib/bug.c, kernel/panic.c, mm/kasan/report.c, kernel/locking/
# lockdep.c, mm/kmemleak.c, kernel/dma/debug.c, lib/ubsan.c).
patterns=(
	'^-+\[ cut here \]-+'
	'^WARNING: '
	'^BUG: '
	'^kernel BUG at '
	'^Oops'
	'Internal error: Oops'
	'^general protection fault'
	'^Unable to handle kernel'
	'Kernel panic'
	'^Call Trace:'
	'^Call trace:'
	'KASAN'
	'DEBUG_LOCKS_WARN_ON'
	'^INFO: '
	'suspicious RCU usage'
	'rcu_(sched|preempt).*(stall|detected stalls)'
	'blocked for more than [0-9]+ seconds'
	'kmemleak: .*(suspected memory leak|disabled|Cannot)'
	'^unreferenced object 0x'
	'DMA-API: '
	'UBSAN: '
	'page allocation failure'
	'Out of memory'
	'^list_(add|del) corruption'
	'Bad page (state|map)'
	# drivers/iommu/intel/dmar.c, drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c
	'DMAR: \[[^]]+\] Request device'
	'DMAR: DRHD: handling fault status'
	'arm-smmu-v3 .*: event 0x[0-9a-f]+ received'
	'arm-smmu-v3 .*: event: F_[A-Z_]+ client'
	'arm-smmu-v3 .*: (unexpected PRI request|EVTQ overflow)'
)
# DMA-API debug announces itself at boot; those lines are not reports.
allow=(
	'DMA-API: preallocated [0-9]+ debug entries'
	'DMA-API: debugging enabled by kernel config'
)

strip() { sed -e 's/\r$//' -e 's/^\[ *[0-9]*\.[0-9]*\] //' -e 's/^<[0-9]>//' "$log"; }
any=$(printf '%s\n' "${patterns[@]}" | paste -sd'|')
ok=$(printf '%s\n' "${allow[@]}" | paste -sd'|')
hits=$(strip | grep -En -- "$any" | grep -Ev -- "$ok")
[ -z "$hits" ] && exit 0
echo "$hits" | head -n 40
exit 1
