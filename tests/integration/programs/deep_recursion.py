"""A jitted recursion 2,600 calls deep: the sampled stacks are that deep."""
import sys

import numpy as np
from numba import njit


@njit
def leaf(x):
    s = 0.0
    for i in range(2000):
        s += np.sin(x + i)  # leaf line
    return s


@njit
def rec(n, x):
    if n == 0:
        return leaf(x)
    return rec(n - 1, x) + 1.0  # recursion line


rec(10, 0.0)
total = 0.0
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 400):
    total += rec(2600, 0.5)
print(f"{total:.6e}")
