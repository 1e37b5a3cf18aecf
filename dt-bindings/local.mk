# The device tree binding of bpbuf's heaps (driver/heaps_dt.c), checked by
# tests/host/dt-binding.test.
EXTRA_DIST += dt-bindings/bpbuf,heap.yaml
