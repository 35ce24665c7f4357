"""Crashes inside an inlined @njit helper, for a gdb backtrace.

The store goes 10**13 elements before the array (no bounds checking in
production code), far outside any mapping, so the process gets SIGSEGV at
the line marked CRASH, in `helper` inlined into `kern` at the line marked
CALL.
"""
import numpy as np
from numba import njit


@njit
def helper(a, i):
    if i == 3:
        a[i - 10**13] = 1.0  # CRASH
    return a[i] * 2.0


@njit
def kern(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += helper(a, i)  # CALL
    return s


print(kern(np.arange(10.0)))
