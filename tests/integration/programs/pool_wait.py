"""A parallel kernel with a deliberate imbalance: of the prange loop's
iterations (one per thread), the first does all the work, so the other
workers wait in Numba's thread pool for it."""
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def imbalanced(a, parts):
    out = np.zeros(parts)
    for t in prange(parts):  # prange line
        if t == 0:
            s = 0.0
            for i in range(a.size):
                s += np.sin(a[i]) * np.cos(a[i])  # the work
            out[t] = s
    return out.sum()


a = np.random.default_rng(3).random(2_000_000)
imbalanced(a[:10], 2)
total = 0.0
for _ in range(30):
    total += imbalanced(a, 2)
print(f"{total:.6e}")
