"""An inlined helper whose cost is a call of np.log1p: the call and the
moves of its result are line 0 in the line table, inside the helper's
inlined code.  The program measures its own truth with the CPU clock and
prints it last, as shares of its whole CPU time:
  truth driver=D% helper=H%
driver: the time of the calls of driver; helper: that less the time of
the same loop calling a helper that does almost nothing (light)."""
import time

import numpy as np
from numba import njit


@njit
def heavy(v):
    return np.log1p(v * v)  # helper body


@njit
def light(v):
    return v * v  # light body


@njit
def driver(a):
    s = 0.0
    for i in range(a.size):
        s += heavy(a[i])  # call line
    return s


@njit
def baseline(a):
    s = 0.0
    for i in range(a.size):
        s += light(a[i])  # baseline line
    return s


a = np.random.default_rng(1).random(1_000_000)
driver(a[:10])
baseline(a[:10])
t = 0.0
driver_cpu = baseline_cpu = 0.0
for _ in range(60):
    start = time.process_time()
    t += driver(a)
    driver_cpu += time.process_time() - start
    start = time.process_time()
    t += baseline(a)
    baseline_cpu += time.process_time() - start
total = time.process_time()
print(f"{t:.6e}")
print(f"truth driver={100 * driver_cpu / total:.1f}% helper={100 * (driver_cpu - baseline_cpu) / total:.1f}%")
