"""Functions whose names Numba escapes in its symbols: a lambda
("<lambda>") and a non-ASCII name ("kérnel")."""
import numpy as np
from numba import njit


@njit
def kérnel(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i]) * np.sin(a[i])  # kernel hot line
    return s


square_sum = njit(lambda a: (a * a).sum() + np.cos(a).sum())  # lambda line

a = np.random.default_rng(3).random(1_000_000)
kérnel(a[:10])
square_sum(a[:10])
t = 0.0
for _ in range(40):
    t += kérnel(a) + square_sum(a)
print(f"{t:.6e}")
