"""A short program: most of its time goes to importing Numba (and the
libraries it loads) and compiling.  It measures its kernel's share of its
CPU time itself (the process's CPU clock, from the interpreter's start)
and prints it; it exits without the interpreter's teardown, so that the
measured total is all it ran."""
import os
import time

import numpy as np
from numba import njit


@njit
def kern(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i]) * np.sin(a[i])  # kernel line
    return s


def age():
    """Wall seconds since this process was forked (/proc/self/stat)."""
    with open("/proc/self/stat") as f:
        start = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
    return time.clock_gettime(time.CLOCK_BOOTTIME) - start


a = np.ones(200_000)
kern(a[:10])
inside = inside_wall = 0.0
end = time.process_time() + 0.8
while time.process_time() < end:
    t0, w0 = time.process_time(), time.perf_counter()
    kern(a)
    inside += time.process_time() - t0
    inside_wall += time.perf_counter() - w0
# The CPU share, and the wall share (a wall-time sampler's truth: on a
# loaded machine, or paused by a sampler, the program's wall time is not
# its CPU time).
print(f"numba share {100 * inside / time.process_time():.1f}%, "
      f"of wall time {100 * inside_wall / age():.1f}%", flush=True)
os._exit(0)
