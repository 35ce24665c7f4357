"""The source of kernel.elf: a kernel whose work sits in an inlined helper.
make-fixture.py compiles it and saves the JIT object holding `kernel`."""
from numba import njit


@njit
def heavy(x):
    return (7 + x / 9 + (x ** 2) / 7) / 5  # helper body


@njit
def kernel(ts, out):
    for i in range(ts.shape[0]):
        out[i] = heavy(ts[i])  # call line
