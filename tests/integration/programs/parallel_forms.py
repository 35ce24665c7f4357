"""parallel=True in the forms issue 10 lists, each its own kernel: a
prange nested under a regular loop, a prange body calling an @njit helper
Numba inlines, and a parallel array expression (no prange).  Each is run
long enough to be sampled; every hot line is marked."""
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def nested(a, reps):
    s = 0.0
    for r in range(reps):  # outer regular loop
        for i in prange(a.size):  # nested prange
            s += np.sin(a[i] + r)  # nested body
    return s


@njit
def helper(x):
    return np.cos(x) * np.exp(x)  # helper line


@njit(parallel=True)
def calls_helper(a):
    s = 0.0
    for i in prange(a.size):  # prange calling helper
        s += helper(a[i])  # helper call
    return s


@njit(parallel=True)
def array_expr(a):
    return np.sum(np.sin(a) * np.cos(a) + np.sqrt(a))  # array expression


a = np.random.default_rng(4).random(1_000_000)
nested(a[:10], 1)
calls_helper(a[:10])
array_expr(a[:10])
total = 0.0
for _ in range(20):
    total += nested(a, 4) + calls_helper(a) + array_expr(a) + array_expr(a)
print(f"{total:.6e}")
