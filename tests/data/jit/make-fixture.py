"""Remakes NAME.elf (kernel.elf by default): the JIT object Numba
registers for the function NAME of NAME.py, as GDB's JIT interface hands
it to a debugger.  Run it with nprof's start-up hook (faithful code
generation) and debug info on, on the Numba the fixture is for (the
committed ones come from Debian 12's Numba 0.56.4):

  NUMBA_DEBUGINFO=1 PYTHONPATH=../../../share/shim /usr/bin/python3 make-fixture.py [NAME]

The object keeps the absolute path of NAME.py it was made from; the
tests look at the file's base name only."""
import ctypes
import os
import sys

import numpy as np
import llvmlite.binding.ffi as ffi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
NAME = sys.argv[1] if len(sys.argv) > 1 else "kernel"
function = getattr(__import__(NAME), NAME)


class Entry(ctypes.Structure):
    pass


Entry._fields_ = [("next", ctypes.POINTER(Entry)), ("prev", ctypes.POINTER(Entry)),
                  ("symfile_addr", ctypes.c_void_p), ("symfile_size", ctypes.c_uint64)]


class Descriptor(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("action_flag", ctypes.c_uint32),
                ("relevant_entry", ctypes.POINTER(Entry)), ("first_entry", ctypes.POINTER(Entry))]


ts = np.arange(100.0)
function(ts, np.empty_like(ts)) if NAME == "kernel" else function(ts)
descriptor = Descriptor.in_dll(ffi.lib._lib if hasattr(ffi.lib, "_lib") else ffi.lib,
                               "__jit_debug_descriptor")
entry = descriptor.first_entry
while entry:
    image = ctypes.string_at(entry.contents.symfile_addr, entry.contents.symfile_size)
    if f"{len(NAME)}{NAME}".encode() in image and b".debug_line" in image:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{NAME}.elf"), "wb") as f:
            f.write(image)
        print(f"{NAME}.elf: {len(image)} bytes")
        break
    entry = entry.contents.next
else:
    sys.exit(f"no JIT object of {NAME} found")
