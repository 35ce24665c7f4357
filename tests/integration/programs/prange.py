"""parallel=True: the main thread runs its share of the prange loop through
Numba's thread pool (native code between two jitted frames)."""
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def f(a):
    s = 0.0
    for i in prange(a.size):  # prange line
        s += np.sqrt(a[i]) * np.sin(a[i])
    return s


a = np.ones(4_000_000)
f(a[:10])
total = 0.0
for _ in range(40):
    total += f(a)
print(f"{total:.6e}")
