#!/bin/sh
# The whole test suite: host tests, the VM tests on the debug kernel, and
# make distcheck. Installs and builds what it needs first.
#
#   test.sh [--full]
#
# Every kernel runs every VM test program, the stress programs at line
# depth (a fifth of their loops); the debug kernels leave the 32-bit
# kselftests to the stock amd64 kernel of their line, each saying so as a
# SKIP. --full runs everything everywhere at full depth.
set -u
cd "$(dirname "$0")/.."
start=$(date +%s)
case ${1:-} in
--full) BPBUF_TEST_FULL=1; export BPBUF_TEST_FULL ;;
'') ;;
*) echo "usage: sh scripts/test.sh [--full]" >&2; exit 2 ;;
esac
scripts/build.sh || { echo "test.sh: build failed"; exit 1; }

status=0
# Two at a time (BPBUF_TEST_JOBS): most VM tests boot one emulated CPU, a
# VM takes 3 GiB, and the rig's bounds count from each guest's hello, so a
# busy host fails none.
BPBUF_REQUIRE_VM=1 make -j"${BPBUF_TEST_JOBS:-2}" check || status=1
echo "test.sh: VM results: tests/vm/kselftests.log; kernel log: tests/vm/out/kselftests/console.log"
# distcheck proves the tarball builds, installs and uninstalls cleanly; the
# VM tests it would repeat have just run above on the same sources. On all
# CPUs: one at a time it took 6.4 minutes, two at a time 2.
BPBUF_SKIP_VM="ran in the main build just before distcheck" make -j"$(nproc)" distcheck || status=1

# One closing line for people and CI alike.
results=$(find tests -name '*.trs' -exec cat {} + 2>/dev/null)
pass=$(echo "$results" | grep -c '^:test-result: PASS')
fail=$(echo "$results" | grep -Ec '^:test-result: (FAIL|XPASS|ERROR)')
skip=$(echo "$results" | grep -c '^:test-result: SKIP')
[ "$fail" = 0 ] || status=1
if [ "${BPBUF_TEST_FULL:-0}" = 1 ]; then
	echo "test.sh: finished in $(( $(date +%s) - start )) s, every kernel at full depth"
else
	echo "test.sh: finished in $(( $(date +%s) - start )) s at line depth (--full runs every kernel at full depth)"
fi
echo "$pass passed, $fail failed, $skip skipped"
exit $status
