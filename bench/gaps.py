"""The pause workload: a Python loop that reads the clock as fast as it
can for a while and prints every gap longer than 5 us between two reads
('gaps-ns: ...'), and when each ended ('ends-ns: ...', CLOCK_MONOTONIC).  A sampler that stops the program shows as one gap per
sample; the scheduler's preemptions show in a plain run too."""
import sys
import time


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    clock = time.perf_counter_ns
    gaps, ends = [], []
    last = clock()
    end = last + int(seconds * 1e9)
    while last < end:
        now = clock()
        if now - last > 5000:
            gaps.append(now - last)
            ends.append(now)
        last = now
    print("gaps-ns:", " ".join(map(str, gaps)))
    print("ends-ns:", " ".join(map(str, ends)))
    print(f"seconds: {seconds}")


if __name__ == "__main__":
    main()
