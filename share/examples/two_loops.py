"""The classic two-loop kernel: one cheap loop, one expensive loop.

Run it under nprof to see which line of the Numba function is hot:

    nprof annotate -- two_loops.py
"""
import sys

import numpy as np
from numba import njit


@njit
def kernel(a):
    total = 0.0
    # The cheap loop: one addition per element.
    for i in range(a.size):
        total += a[i]
    # The expensive loop: transcendental functions per element.
    for i in range(a.size):
        total += np.sqrt(a[i]) * np.sin(a[i]) + np.cos(a[i]) ** 2
    return total


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    a = np.random.default_rng(0).random(1_000_000)
    kernel(a[:10])  # compile before timing starts
    total = 0.0
    for _ in range(repeats):
        total += kernel(a)
    print(f"sum over {repeats} calls: {total:.6e}")


if __name__ == "__main__":
    main()
