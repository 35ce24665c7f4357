"""The parent waits while a forked child runs a Numba loop: a profile of
the parent must not count the child's samples.  The parent then runs a
loop of its own (a positive control)."""
import os

import numpy as np
from numba import njit


@njit
def spin(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i])  # child hot line
    return s


@njit
def own(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i] + 1.0)  # parent line
    return s


a = np.ones(2_000_000)
spin(a[:10])
own(a[:10])
pid = os.fork()
if pid == 0:
    for _ in range(150):
        spin(a)
    os._exit(0)
os.waitpid(pid, 0)
print(sum(own(a) for _ in range(30)))
