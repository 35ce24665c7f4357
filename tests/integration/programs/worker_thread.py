"""The Numba work happens in a second thread while the main thread waits;
then the main thread runs a short loop of its own (a positive control)."""
import threading

import numpy as np
from numba import njit


@njit(nogil=True)
def crunch(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i]) * np.sin(a[i])  # worker hot line
    return s


@njit
def tally(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i])  # main thread line
    return s


a = np.random.default_rng(2).random(1_000_000)
crunch(a[:10])
tally(a[:10])
results = []
worker = threading.Thread(target=lambda: results.append(sum(crunch(a) for _ in range(60))))
worker.start()
worker.join()
print(f"{results[0] + sum(tally(a) for _ in range(40)):.6e}")
