"""The Numba work happens in two Python threads calling nogil kernels
while the main thread waits; then the main thread runs a short loop of
its own (a positive control)."""
import threading

import numpy as np
from numba import njit


@njit(nogil=True)
def crunch(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i]) * np.sin(a[i])  # worker hot line
    return s


@njit(nogil=True)
def crunch2(a):
    s = 0.0
    for i in range(a.size):
        s += np.cos(a[i]) * np.exp(a[i])  # second worker hot line
    return s


@njit
def tally(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i])  # main thread line
    return s


a = np.random.default_rng(2).random(1_000_000)
crunch(a[:10])
crunch2(a[:10])
tally(a[:10])
results = []
workers = [threading.Thread(target=lambda k=k: results.append(sum(k(a) for _ in range(40))))
           for k in (crunch, crunch2)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print(f"{sum(results) + sum(tally(a) for _ in range(40)):.6e}")
