"""A program with many JIT objects: compiles N small Numba functions (each
its own JIT object registered with GDB's JIT interface), then runs a hot
loop in one of them.  Prints 'compile seconds: X' and 'hot-loop seconds: Y'
(wall time of each phase), so bench/gdb_jit can tell what the number of
JIT objects costs each sample, apart from what it costs compilation.

usage: many_jit.py [N_FUNCTIONS] [HOT_CALLS]"""
import sys
import time

import numpy as np
from numba import njit

# Small, so that compiling 300 of them takes some 25 s, not minutes.
TEMPLATE = """
def f{i}(x):
    return x * {i} + 1.0
"""


def compile_many(n):
    fns = []
    for i in range(n):
        scope = {}
        exec(TEMPLATE.format(i=i), scope)
        fn = njit(scope[f"f{i}"])
        fn(1.0)  # compile now: one more JIT object
        fns.append(fn)
    return fns


@njit
def hot(a):
    s = 0.0
    for j in range(a.size):
        s += np.sqrt(a[j]) * np.sin(a[j])
    return s


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    a = np.random.default_rng(0).random(100_000)
    hot(a)
    start = time.perf_counter()
    compile_many(n)
    print(f"compile seconds: {time.perf_counter() - start:.6f}")
    start = time.perf_counter()
    for _ in range(calls):
        hot(a)
    print(f"hot-loop seconds: {time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
