"""The benchmark workload: the array kernel of the faithful-codegen issue.
Prints the hot loop's wall time as 'hot-loop seconds: X' (compilation and
start-up excluded), so the harness can compare runs with and without nprof."""
import sys
import time

import numpy as np
from numba import njit


@njit
def kernel(ts, result):
    for i in range(ts.size):
        result[i] = (7 + ts[i] / 9 + (ts[i] ** 2) / 7) / 5


def main():
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    ts = np.random.default_rng(0).random(1_000_000)
    result = np.empty_like(ts)
    kernel(ts, result)  # compile outside the timed loop
    start = time.perf_counter()
    for _ in range(calls):
        kernel(ts, result)
    print(f"hot-loop seconds: {time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
