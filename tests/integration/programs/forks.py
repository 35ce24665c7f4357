"""The parent waits while a forked child runs a Numba loop: a profile of
the parent must not count the child's samples."""
import os

import numpy as np
from numba import njit


@njit
def spin(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i])  # child hot line
    return s


a = np.ones(2_000_000)
spin(a[:10])
pid = os.fork()
if pid == 0:
    for _ in range(150):
        spin(a)
    os._exit(0)
os.waitpid(pid, 0)
