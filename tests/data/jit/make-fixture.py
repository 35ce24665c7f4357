"""Remakes kernel.elf: the JIT object Numba registers for `kernel` in
kernel.py, as GDB's JIT interface hands it to a debugger.  Run it with
nprof's start-up hook (faithful code generation) and debug info on:

  NUMBA_DEBUGINFO=1 PYTHONPATH=../../../share/shim /usr/bin/python3 make-fixture.py

The object keeps the absolute path of kernel.py it was made from; the
tests look at the file's base name only."""
import ctypes
import os
import sys

import numpy as np
import llvmlite.binding.ffi as ffi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel import kernel  # noqa: E402


class Entry(ctypes.Structure):
    pass


Entry._fields_ = [("next", ctypes.POINTER(Entry)), ("prev", ctypes.POINTER(Entry)),
                  ("symfile_addr", ctypes.c_void_p), ("symfile_size", ctypes.c_uint64)]


class Descriptor(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("action_flag", ctypes.c_uint32),
                ("relevant_entry", ctypes.POINTER(Entry)), ("first_entry", ctypes.POINTER(Entry))]


ts = np.arange(100.0)
kernel(ts, np.empty_like(ts))
descriptor = Descriptor.in_dll(ffi.lib._lib if hasattr(ffi.lib, "_lib") else ffi.lib,
                               "__jit_debug_descriptor")
entry = descriptor.first_entry
while entry:
    image = ctypes.string_at(entry.contents.symfile_addr, entry.contents.symfile_size)
    if b"6kernel" in image and b".debug_line" in image:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel.elf"), "wb") as f:
            f.write(image)
        print(f"kernel.elf: {len(image)} bytes")
        break
    entry = entry.contents.next
else:
    sys.exit("no JIT object of kernel found")
