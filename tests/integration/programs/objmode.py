"""A Numba function that runs Python in a `with objmode()` block.  The
program measures its own truth with the CPU clock and prints it last, as
a share of its whole CPU time: "truth objmode=P%" (the block's Python)."""
import time

import numpy as np
from numba import njit, objmode

spent = [0.0]


def python_work(n):
    start = time.process_time()
    s = 0.0
    for i in range(n):
        s += i * 0.5
    spent[0] += time.process_time() - start
    return s


@njit
def kernel(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i])  # numba line
    with objmode(r="float64"):  # objmode line
        r = python_work(150_000)
    return s + r


a = np.random.default_rng(4).random(1_000_000)
kernel(a[:10])
spent[0] = 0.0
t = 0.0
for _ in range(30):
    t += kernel(a)
print(f"{t:.6e}")
print(f"truth objmode={100 * spent[0] / time.process_time():.1f}%")
