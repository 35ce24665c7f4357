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


a = np.ones(200_000)
kern(a[:10])
inside = 0.0
end = time.process_time() + 0.8
while time.process_time() < end:
    t0 = time.process_time()
    kern(a)
    inside += time.process_time() - t0
print(f"numba share {100 * inside / time.process_time():.1f}%", flush=True)
os._exit(0)
