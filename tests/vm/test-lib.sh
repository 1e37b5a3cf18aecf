# Sourced by the VM .test scripts (bash): SKIP and bail-out lines, and the
# rig's helper scripts run so that their complaints reach the TAP stream.
. "$top_srcdir/tests/vm/debian-apt.sh"

skip() { echo "1..0 # SKIP $1"; exit 0; }

# vm_test_needs QEMU: SKIP, saying why, unless a VM test can run here.
vm_test_needs()
{
	[ -z "${BPBUF_SKIP_VM:-}" ] || skip "$BPBUF_SKIP_VM"
	[ -n "${LINUX_OBJ:-}" ] || skip "configured with --disable-module"
	command -v "$1" >/dev/null || skip "$1 is not installed (scripts/install-deps.sh installs it)"
}

# copy_vm_tests: in a copy of the tree that build-for-kernel.sh built (the
# current directory), set programs to its VM test programs and ship to the
# --ship options of the files they use, the --test-module options of the
# tests' own modules and the --kunit options of the KUnit suites, as
# run-tests.sh takes them.
copy_vm_tests()
{
	unset MAKEFLAGS MFLAGS MAKELEVEL
	programs=$(make -s print-vm-tests)
	ship=$(for f in $(make -s print-vm-files); do printf -- '--ship %s ' "$f"; done
	       for m in $(make -s print-vm-modules); do printf -- '--test-module %s ' "$m"; done
	       for m in $(make -s print-vm-kunit); do printf -- '--kunit %s ' "$m"; done)
}

# helper VAR DESCRIPTION COMMAND [ARGS...]: run a rig helper and set VAR to
# the last line it printed (the path it made); its stderr goes to the
# test's log and, when it fails, to the TAP stream as diagnostics under a
# failed result, and the test ends there.
helper()
{
	local var=$1 desc=$2 err status=0 output
	shift 2
	err=$(mktemp)
	output=$("$@" 2>"$err") || status=$?
	cat "$err" >&2
	if [ "$status" != 0 ]; then
		echo "1..1"
		echo "not ok 1 - $desc (exit status $status)"
		tail -n 40 "$err" | sed 's/^/# /'
		rm -f "$err"
		exit 1
	fi
	rm -f "$err"
	printf -v "$var" '%s' "$(tail -n 1 <<<"$output")"
}

# stock_build SUITE ARCH [CONFIGURE-ARGS...]: build a copy of bpbuf in $out
# for the stock kernel in $stock (stock-kernel.sh), with the compiler of the
# kernel's own Debian release: on the host when that is the host's release,
# else in a build root of it (stock-build-root.sh). Sets src to the copy and
# sysroot to where its programs' libraries are (empty: the host's own).
stock_build()
{
	local suite=$1 arch=$2 root with_root=()
	shift 2
	if [ "$suite" != "$(debian_host_suite)" ] && [ "$(id -u)" != 0 ]; then
		skip "Debian $suite's kernel wants Debian $suite's compiler, in a root made by debootstrap: run as root"
	fi
	helper root "making a Debian $suite root with the kernel's compiler" \
		"$vm/stock-build-root.sh" "$stock" "$suite" "$arch"
	[ -z "$root" ] || with_root=(--root "$root")
	helper src "building bpbuf for Debian $suite's $arch kernel (see $out/build.log)" \
		"$vm/build-for-kernel.sh" ${with_root[@]+"${with_root[@]}"} "$top_builddir" "$out" \
		--with-linux-obj="$stock/build" --with-kselftest="${KSELFTEST_DIR:-}" "$@"
	sysroot=$root
	[ "$arch" != arm64 ] || sysroot=$root/usr/aarch64-linux-gnu
}

# check_probes DESCRIPTION: tests/host/probes.test on the copy that
# build-for-kernel.sh built (the current directory): every probe's answer
# goes to the test's log, and a probe that failed for another reason than
# its feature fails the test here, named, before any VM boots.
check_probes()
{
	local ignored
	helper ignored "configure's kernel probes on $1" bash -c \
		'set -o pipefail; top_builddir=. LINUX_OBJ=set sh "$1" | sed "s/^/probes: /" >&2' \
		bash "$top_srcdir/tests/host/probes.test"
}

# The depth the stress programs run at on this kernel, as run-tests.sh
# --env options in depth_env: their full depth where BPBUF_TEST_FULL=1
# (scripts/test.sh --full), else line depth, a fifth or so of the loops
# (100 -> 15 load cycles, 1000000 -> 200000 fuzz calls, 40 -> 15 s of
# stress, 100000 -> 20000 steps of the KUnit extent model) and 10000 ->
# 5000 fault-injection attempts: the page allocator's faults come once in
# 230 to 380 attempts (26 to 43 in 10000 on the debug kernels), so 5000
# meet 13 or more of them (2000 once met none).
set_depth()
{
	depth_env=
	[ "${BPBUF_TEST_FULL:-0}" = 1 ] && return
	depth_env="--env BPBUF_LOAD_CYCLES=15 --env BPBUF_FUZZ_CALLS=200000 --env BPBUF_STRESS_SECONDS=15"
	depth_env="$depth_env --env BPBUF_FAULT_ATTEMPTS=5000 --env BPBUF_KUNIT_bpbuf_extent=model_steps=20000"
}

# only_64bit NAME: drop the 32-bit kselftests (NAME-32) from $programs unless
# BPBUF_TEST_FULL=1, and write the plan lines that say each one was skipped
# and where its kernel line's 32-bit ABI runs instead (NAME) to $out/skip-32.plan;
# sets plan_extra to the run-tests.sh option that adds them.
only_64bit()
{
	local p kept=
	plan_extra=
	[ "${BPBUF_TEST_FULL:-0}" = 1 ] && return
	: >"$out/skip-32.plan"
	for p in $programs; do
		case $p in
		*-32) echo "rig_skip $(basename "$p") \"32-bit ABI of this kernel line: runs on $1; sh scripts/test.sh --full runs it here too\"" >>"$out/skip-32.plan" ;;
		*) kept="$kept $p" ;;
		esac
	done
	programs=$kept
	plan_extra="--plan-extra $out/skip-32.plan"
}
