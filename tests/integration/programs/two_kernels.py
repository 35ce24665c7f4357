"""Two kernels of different cost called in turn, each call timed with the
CPU clock (a call lasts several sampling periods): the program prints
each kernel's share of the two as it measured it,
  truth cheap=C% costly=K%
so a sampler's split between the kernels' lines can be judged against
it (issue 8: gdb's split ran 2 points towards the costly one)."""
import sys
import time

import numpy as np
from numba import njit


@njit
def cheap(a):
    s = 0.0
    for i in range(a.size):
        s += np.exp(a[i])  # cheap line
    return s


@njit
def costly(a):
    s = 0.0
    for i in range(a.size):
        s += np.sin(a[i]) * np.cos(a[i])  # costly line
    return s


a = np.random.default_rng(5).random(2_000_000)
cheap(a[:10])
costly(a[:10])
t = 0.0
spent = {"cheap": 0.0, "costly": 0.0}
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 60):
    for name, kernel in (("cheap", cheap), ("costly", costly)):
        start = time.process_time()
        t += kernel(a)
        spent[name] += time.process_time() - start
both = spent["cheap"] + spent["costly"]
print(f"{t:.6e}")
print(f"truth cheap={100 * spent['cheap'] / both:.1f}% costly={100 * spent['costly'] / both:.1f}%")
