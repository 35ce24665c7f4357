"""A jitted recursion 2,600 calls deep, for about 3 s of CPU: the sampled
stacks are that deep."""
import time

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
end = time.process_time() + 3.0
while time.process_time() < end:
    total += rec(2600, 0.5)
print(f"{total:.6e}")
