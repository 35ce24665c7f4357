"""Runs a Numba loop until the file argv[1] exists, then exits with status
7.  Says 'ready' once it has run the loop for a second of CPU time (so a
profile of it holds samples of the loop), so that a test can act on a
running program and then end it without any sleep."""
import os
import sys
import time

import numpy as np
from numba import njit


@njit
def spin(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i])  # spin line
    return s


a = np.ones(200_000)
spin(a[:10])
start = time.process_time()
while time.process_time() - start < 1.0:
    spin(a)
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    spin(a)
print("done", flush=True)
sys.exit(7)
