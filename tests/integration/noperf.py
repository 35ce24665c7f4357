"""Runs a command where perf_event_open fails with EACCES, as on a kernel
whose perf_event_paranoid forbids it or in a container whose seccomp
policy does: a seccomp filter, inherited by everything it starts.

usage: noperf.py COMMAND [ARGS...]"""
import ctypes
import os
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
NR_PERF_EVENT_OPEN = 298  # x86-64
EACCES = 13


def bpf(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


program = b"".join([
    bpf(0x20, 0, 0, 0),                       # ld [nr]
    bpf(0x15, 0, 1, NR_PERF_EVENT_OPEN),      # jeq perf_event_open
    bpf(0x06, 0, 0, 0x00050000 | EACCES),     # ret ERRNO(EACCES)
    bpf(0x06, 0, 0, 0x7fff0000),              # ret ALLOW
])
buf = ctypes.create_string_buffer(program)


class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


libc = ctypes.CDLL(None, use_errno=True)
fprog = Fprog(len(program) // 8, ctypes.addressof(buf))
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
   libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
    sys.exit(f"noperf: seccomp: {os.strerror(ctypes.get_errno())}")
os.execvp(sys.argv[1], sys.argv[1:])
