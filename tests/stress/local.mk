# The reliability and security programs (stress, fuzzing, fault injection,
# races, module unload and reload, the security model; see stress.h): each
# is a step in the VM (tests/vm/) that prints TAP and ends within its own
# time bound. 64-bit only; they talk to /dev/bpbuf with raw ioctls
# (tests/kselftest/bpbuf_test.h).
stress_vm_test_programs = tests/stress/security tests/stress/stress \
	tests/stress/fuzz tests/stress/faults tests/stress/races \
	tests/stress/loadunload
check_PROGRAMS += tests/stress/security tests/stress/stress \
	tests/stress/fuzz tests/stress/faults tests/stress/races \
	tests/stress/loadunload
STRESS_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tests/kselftest
stress_common = tests/stress/stress.h
tests_stress_security_SOURCES = tests/stress/security.c $(stress_common)
tests_stress_security_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_stress_SOURCES = tests/stress/stress.c $(stress_common)
tests_stress_stress_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_fuzz_SOURCES = tests/stress/fuzz.c $(stress_common)
tests_stress_fuzz_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_faults_SOURCES = tests/stress/faults.c $(stress_common)
tests_stress_faults_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_races_SOURCES = tests/stress/races.c $(stress_common)
tests_stress_races_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_races_CFLAGS = $(AM_CFLAGS) -pthread
tests_stress_races_LDADD = -lpthread
tests_stress_loadunload_SOURCES = tests/stress/loadunload.c $(stress_common)
tests_stress_loadunload_CPPFLAGS = $(STRESS_CPPFLAGS)
