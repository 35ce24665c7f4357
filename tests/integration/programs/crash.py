"""Raises an uncaught exception after some Numba work."""
import numpy as np
from numba import njit


@njit
def work(a):
    s = 0.0
    for i in range(a.size):
        s += np.sin(a[i])
    return s


a = np.ones(200_000)
for _ in range(20):
    work(a)
raise ValueError("boom from crash.py")
