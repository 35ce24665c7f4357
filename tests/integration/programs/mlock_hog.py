"""Holds perf rings until stdin closes, leaving this user less than a
default ring (64+1 pages) but at least the smallest one (1+1 pages) of
their locked-memory allowance (perf_event_mlock_kb per CPU; run it under
'ulimit -l 0' so that nothing is added).  Says 'holding' once it does."""
import ctypes
import mmap
import os
import struct
import sys

PAGE = mmap.PAGESIZE
libc = ctypes.CDLL(None, use_errno=True)
with open("/proc/sys/kernel/perf_event_mlock_kb") as f:
    left = int(f.read()) * 1024 // PAGE * os.cpu_count()


def ring(pages):
    attr = bytearray(128)
    struct.pack_into("IIQQ", attr, 0, 1, 128, 0, 100000)   # software, cpu-clock
    struct.pack_into("Q", attr, 40, (1 << 5) | (1 << 6))   # exclude_kernel, exclude_hv
    fd = libc.syscall(298, (ctypes.c_char * 128).from_buffer(attr), 0, -1, -1, 8)
    if fd < 0:
        sys.exit(f"perf_event_open: {os.strerror(ctypes.get_errno())}")
    return mmap.mmap(fd, (pages + 1) * PAGE)


held = []
while left >= 65:
    pages = 1
    while (pages * 2) + 1 <= left - 2 and pages * 2 <= 1 << 16:
        pages *= 2
    held.append(ring(pages))
    left -= pages + 1
print("holding", left, flush=True)
sys.stdin.read()
