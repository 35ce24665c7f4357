import sys
import numpy as np
from numba import njit

@njit
def kernel(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i]) * np.sin(a[i])
    return s

a = np.ones(1000)
for _ in range(3):
    kernel(a)
sys.exit(3)
