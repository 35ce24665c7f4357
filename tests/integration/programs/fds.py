"""Prints the file descriptors it was started with, one 'N TARGET' a line."""
import os

fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
for fd in fds:
    try:
        print(fd, os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        pass  # the listing's own descriptor, closed already
