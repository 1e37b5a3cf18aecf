#!/bin/sh
# The whole test suite: host tests, the VM tests on the debug kernel, and
# make distcheck. Installs and builds what it needs first.
set -u
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/build.sh || { echo "test.sh: build failed"; exit 1; }

status=0
# Two at a time (BPBUF_TEST_JOBS): most VM tests boot one emulated CPU, a
# VM takes 3 GiB, and the rig's bounds count from each guest's hello, so a
# busy host fails none.
BPBUF_REQUIRE_VM=1 make -j"${BPBUF_TEST_JOBS:-2}" check || status=1
echo "test.sh: VM results: tests/vm/kselftests.log; kernel log: tests/vm/out/kselftests/console.log"
# distcheck proves the tarball builds, installs and uninstalls cleanly; the
# VM tests it would repeat have just run above on the same sources.
BPBUF_SKIP_VM="ran in the main build just before distcheck" make distcheck || status=1

# One closing line for people and CI alike.
results=$(find tests -name '*.trs' -exec cat {} + 2>/dev/null)
pass=$(echo "$results" | grep -c '^:test-result: PASS')
fail=$(echo "$results" | grep -Ec '^:test-result: (FAIL|XPASS|ERROR)')
skip=$(echo "$results" | grep -c '^:test-result: SKIP')
[ "$fail" = 0 ] || status=1
echo "test.sh: finished in $(( $(date +%s) - start )) s"
echo "$pass passed, $fail failed, $skip skipped"
exit $status
