# Sourced by the VM .test scripts (bash): SKIP and bail-out lines, and the
# rig's helper scripts run so that their complaints reach the TAP stream.

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
# --ship options of the files they use, as run-tests.sh takes them.
copy_vm_tests()
{
	unset MAKEFLAGS MFLAGS MAKELEVEL
	programs=$(make -s print-vm-tests)
	ship=$(for f in $(make -s print-vm-files); do printf -- '--ship %s ' "$f"; done)
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
