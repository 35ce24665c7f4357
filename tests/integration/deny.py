"""Runs a command where some system calls fail with EACCES, as a kernel or
a container's seccomp policy may have them fail: perf_event_open (perf
events forbidden), ptrace (tracing forbidden) or process_vm_readv (reading
another process's memory forbidden).  A seccomp filter, inherited by everything the command starts.

usage: deny.py SYSCALL... -- COMMAND [ARGS...]"""
import ctypes
import os
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
EACCES = 13
NUMBERS = {"perf_event_open": 298, "process_vm_readv": 310, "ptrace": 101}  # x86-64


def bpf(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


split = sys.argv.index("--")
denied = [NUMBERS[name] for name in sys.argv[1:split]]
command = sys.argv[split + 1:]
program = [bpf(0x20, 0, 0, 0)]                                   # ld [nr]
for nr in denied:
    program += [bpf(0x15, 0, 1, nr),                              # jeq nr
                bpf(0x06, 0, 0, 0x00050000 | EACCES)]             # ret ERRNO(EACCES)
program.append(bpf(0x06, 0, 0, 0x7fff0000))                       # ret ALLOW
code = b"".join(program)
buf = ctypes.create_string_buffer(code)


class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


libc = ctypes.CDLL(None, use_errno=True)
fprog = Fprog(len(code) // 8, ctypes.addressof(buf))
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
   libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
    sys.exit(f"deny: seccomp: {os.strerror(ctypes.get_errno())}")
# LeakSanitizer checks for leaks at exit from a thread that ptraces the
# process: where ptrace is refused it cannot run at all (a sanitizer
# build's nprof would exit 1 on its fatal error), so it is off there; every
# other test still checks for leaks.
if "ptrace" in sys.argv[1:split]:
    opts = os.environ.get("ASAN_OPTIONS", "")
    os.environ["ASAN_OPTIONS"] = (opts + ":" if opts else "") + "detect_leaks=0"
os.execvp(command[0], command)
