"""parallel=True: two prange loops of different cost in one function.  Their
bodies run in worker threads inside gufuncs Numba generates from a string.
The program measures the truth itself: the CPU time (all threads) of each
loop run alone, printed as 'truth cheap=S costly=S'.  argv[1], if given,
scales the number of calls (gdb, which pauses threads, gets fewer)."""
import sys
import time

import numpy as np
from numba import njit, prange


@njit(parallel=True)
def kern(a, b, which):
    s = 0.0
    if which & 1:
        for i in prange(a.size):  # prange cheap
            s += np.sin(a[i]) * 1.5  # cheap body
    if which & 2:
        for j in prange(b.size):  # prange costly
            s += np.sin(b[j]) * np.cos(b[j]) + np.exp(b[j])  # costly body
    return s


a = np.random.default_rng(1).random(3_000_000)
b = np.random.default_rng(2).random(2_000_000)
for which in (1, 2, 3):
    kern(a[:10], b[:10], which)


def cpu(which, calls):
    start = time.process_time()
    for _ in range(calls):
        kern(a, b, which)
    return time.process_time() - start


scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
cheap, costly = cpu(1, round(15 * scale)), cpu(2, round(15 * scale))
cpu(3, round(40 * scale))
print(f"truth cheap={cheap:.4f} costly={costly:.4f}")
