"""The cost sits in a small helper that LLVM inlines into its caller.

(Not sin(x) and cos(x) of one x: LLVM merges the two into one call of
sincos, which under Numba 0.61 carries no line of its own: the line table
gives it the caller's row before it, the call line, outside the helper's
inlined code, so no profiler can place it in the helper.  Under 0.56 it
keeps the helper's line.)"""
import numpy as np
from numba import njit


@njit
def heavy(x):
    return np.sqrt(x) * np.sin(x) + np.cos(x + 1.0) ** 2  # helper body


@njit
def driver(a):
    s = 0.0
    for i in range(a.size):
        s += heavy(a[i])  # call line
    return s


a = np.random.default_rng(1).random(1_000_000)
driver(a[:10])
t = 0.0
for _ in range(60):
    t += driver(a)
print(f"{t:.6e}")
