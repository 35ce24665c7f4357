"""Runs a kernel, then replaces itself (os.execv) with a second program
that says so on stdout ("exec'd"), then spends about 2 s of CPU in its own
kernel and exits 0."""
import os
import sys
import time

import numpy as np
from numba import njit


@njit
def before(n):
    s = 0.0
    for i in range(n):
        s += np.sin(i * 1e-3)  # before line
    return s


@njit
def after(n):
    s = 0.0
    for i in range(n):
        s += np.cos(i * 1e-3)  # after line
    return s


if sys.argv[1:2] == ["again"]:
    after(10)
    print("exec'd", flush=True)
    end = time.process_time() + 2.0
    while time.process_time() < end:
        after(200_000)
else:
    before(10)
    end = time.process_time() + 0.5
    while time.process_time() < end:
        before(200_000)
    os.execv(sys.executable, [sys.executable, __file__, "again"])
