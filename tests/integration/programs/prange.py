"""parallel=True: two prange loops of different cost in one function.  Their
bodies run in worker threads inside gufuncs Numba generates from a string.
The program measures the truth itself: the CPU time (all threads) of each
loop run alone, printed as 'truth cheap=S costly=S'."""
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


cheap, costly = cpu(1, 15), cpu(2, 15)
cpu(3, 40)
print(f"truth cheap={cheap:.4f} costly={costly:.4f}")
