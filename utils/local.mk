# The bpbuf command. size.c (size parsing and formatting) has no other
# dependency so that the host test tests/host/tool-size links it alone.
bin_PROGRAMS += utils/bpbuf
# bpbuf.c is main() and the command table (bpbuf-tool.h); one cmd-*.c file per
# subcommand, cmd-common.c what they share.
utils_bpbuf_SOURCES = utils/bpbuf.c utils/bpbuf-tool.h \
	utils/cmd-info.c utils/cmd-alloc.c utils/cmd-addr.c \
	utils/cmd-common.c utils/cmd-common.h \
	utils/tools-common.c utils/tools-common.h utils/size.c utils/size.h
utils_bpbuf_LDADD = libbpbuf/libbpbuf.la

# Host unit test of size.c: tests/host/tool-size.test runs it.
check_PROGRAMS += tests/host/tool-size
tests_host_tool_size_SOURCES = tests/host/tool-size.c utils/size.c utils/size.h
tests_host_tool_size_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/utils

# VM test of the tool: tool-vm (a copy of tool-vm.sh, so that it is in the
# build tree) runs /tests/bpbuf and /tests/tool-helper, shipped beside it.
# tool_vm_test_programs and tool_vm_test_files go into vm_test_programs and
# vm_test_files (tests/local.mk).
tool_vm_test_programs = tests/tool/tool-vm
tool_vm_test_files = utils/bpbuf tests/tool/tool-helper
check_SCRIPTS = tests/tool/tool-vm
check_PROGRAMS += tests/tool/tool-helper
tests_tool_tool_helper_SOURCES = tests/tool/tool-helper.c
tests/tool/tool-vm: $(srcdir)/tests/tool/tool-vm.sh
	$(AM_V_GEN)$(MKDIR_P) tests/tool && cp $(srcdir)/tests/tool/tool-vm.sh $@ && chmod +x $@
CLEANFILES += tests/tool/tool-vm
EXTRA_DIST += tests/tool/tool-vm.sh
