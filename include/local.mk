# The kernel ABI header is installed for user space as <bpbuf.h>.
include_HEADERS += include/bpbuf.h
