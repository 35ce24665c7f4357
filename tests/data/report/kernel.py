"""A small Numba script for the report tests: its line numbers matter."""
import numpy as np
from numba import njit


@njit(cache=False)
def helper(x):
    return np.sqrt(x) * np.sin(x)


@njit
def kernel(a):
    total = 0.0
    # The cheap loop.
    for i in range(a.size):
        total += a[i]
    # The expensive loop.
    for i in range(a.size):
        total += helper(a[i])
    return total
