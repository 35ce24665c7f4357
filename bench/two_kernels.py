"""The split workload: two Numba kernels run in turns, each turn a batch of
calls lasting about BATCH seconds of CPU time (longer than a sampling
period), timed with the thread's own CPU clock.  Prints the measured split
as 'truth cheap=P% costly=Q%' (of the time in the two kernels), so the
harness can set nprof's split of the two functions against it."""
import sys
import time

import numpy as np
from numba import njit


@njit
def cheap(a):
    s = 0.0
    for i in range(a.size):
        s += a[i] * 1.5
    return s


@njit
def costly(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i]) * np.sin(a[i])
    return s


def batch(kernel, a, seconds, spent):
    clock = time.thread_time
    start = clock()
    while clock() - start < seconds:
        kernel(a)
    spent[kernel.__name__] += clock() - start


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    a = np.random.default_rng(0).random(200_000)
    cheap(a), costly(a)  # compile outside the timed turns
    spent = {"cheap": 0.0, "costly": 0.0}
    clock = time.thread_time
    end = clock() + seconds
    while clock() < end:
        batch(cheap, a, 0.03, spent)
        batch(costly, a, 0.07, spent)
    total = spent["cheap"] + spent["costly"]
    print(f"truth cheap={100 * spent['cheap'] / total:.2f}% costly={100 * spent['costly'] / total:.2f}%")


if __name__ == "__main__":
    main()
