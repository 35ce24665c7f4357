"""The source of power.elf: Numba's own `x ** 2` (numba/cpython/numbers.py)
inlined into the user's line, with line-0 code right after it.
make-fixture.py compiles it and saves the JIT object holding `power`."""
import numpy as np
from numba import njit


@njit
def power(a):
    total = 0.0
    for i in range(a.size):
        total += np.sqrt(a[i]) * np.sin(a[i]) + np.cos(a[i]) ** 2  # power line
    return total
