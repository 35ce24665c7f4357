"""Runs a Numba loop until interrupted; says 'ready' once compiled.
argv[1], when given, is a file to write the pid to (a FIFO in the tests)."""
import os
import sys

import numpy as np
from numba import njit


@njit
def spin(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i])
    return s


a = np.ones(2_000_000)
spin(a[:10])
if len(sys.argv) > 1:
    with open(sys.argv[1], "w") as f:
        f.write(f"{os.getpid()}\n")
print("ready", flush=True)
while True:
    spin(a)
