"""The source of helpers.elf: code whose line table gives line 0 inside
and right after inlined callees.  make-fixture.py compiles it and saves
the JIT object holding `helpers`."""
import numpy as np
from numba import njit


@njit
def heavy(v):
    return np.log1p(v * v)  # helper body


@njit
def helpers(a):
    s = 0.0
    for i in range(a.size):
        s += heavy(a[i])  # call line
        s += np.cos(a[i]) ** 2  # power line
    return s
