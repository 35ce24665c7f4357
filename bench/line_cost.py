"""Writes the JIT object of `big` (a Numba function of many statements,
inlined helpers and library calls: a line table of thousands of rows,
line-0 code among them) to the file named on the command line, for
bench/line_cost.  Run it as the profiled program would be run:

  NUMBA_DEBUGINFO=1 PYTHONPATH=share/shim /usr/bin/python3 bench/line_cost.py /tmp/big.elf"""
import ctypes
import sys

import numpy as np
import llvmlite.binding.ffi as ffi
from numba import njit


@njit
def heavy(v):
    return np.log1p(v * v)


@njit
def big(a):
    s = 0.0
    for i in range(a.size):
        s += heavy(a[i])
        s += np.cos(a[i]) ** 2
        s += np.sqrt(abs(a[i])) * np.sin(a[i])
    for i in range(1, a.size):
        s -= np.exp(-a[i - 1]) * heavy(a[i]) / (1.0 + a[i] ** 2)
    for i in range(a.size):
        for j in range(3):
            s += np.arctan2(a[i], j + 1.0) * heavy(a[i] + j)
    t = np.sort(a)
    s += t[0] + np.median(a) + np.std(a)
    return s


class Entry(ctypes.Structure):
    pass


Entry._fields_ = [("next", ctypes.POINTER(Entry)), ("prev", ctypes.POINTER(Entry)),
                  ("symfile_addr", ctypes.c_void_p), ("symfile_size", ctypes.c_uint64)]


class Descriptor(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("action_flag", ctypes.c_uint32),
                ("relevant_entry", ctypes.POINTER(Entry)), ("first_entry", ctypes.POINTER(Entry))]


big(np.arange(100.0))
descriptor = Descriptor.in_dll(ffi.lib._lib if hasattr(ffi.lib, "_lib") else ffi.lib,
                               "__jit_debug_descriptor")
entry, best = descriptor.first_entry, b""
while entry:
    image = ctypes.string_at(entry.contents.symfile_addr, entry.contents.symfile_size)
    if b"3big" in image and len(image) > len(best):
        best = image
    entry = entry.contents.next
if not best:
    sys.exit("no JIT object of big found")
with open(sys.argv[1], "wb") as f:
    f.write(best)
print(f"{sys.argv[1]}: {len(best)} bytes")
