"""A program that does what a tracer must pass on untouched: it stops
itself (SIGSTOP, continued by a child), takes signals with handlers,
forks, starts threads, and execs twice, the second time from a thread.
Its output and exit status must be the same under nprof as without.
The last image runs a Numba loop: sampling goes on after the execs."""
import os
import select
import signal
import sys
import threading

import numpy as np
from numba import njit


@njit
def spin(a):
    s = 0.0
    for i in range(a.size):
        s += np.sqrt(a[i])  # lifecycle hot line
    return s


stage = sys.argv[1] if len(sys.argv) > 1 else "first"
a = np.ones(1_000_000)
got = []
for sig in (signal.SIGCONT, signal.SIGUSR1, signal.SIGCHLD):
    signal.signal(sig, lambda n, frame: got.append(signal.Signals(n).name))


def stop_and_continue():
    """SIGSTOP ourselves; a child sends SIGCONT until we say we run."""
    ran_r, ran_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ran_w)
        while not select.select([ran_r], [], [], 0.01)[0]:
            os.kill(os.getppid(), signal.SIGCONT)
        os._exit(0)
    os.close(ran_r)
    os.kill(os.getpid(), signal.SIGSTOP)
    os.write(ran_w, b"x")
    os.close(ran_w)
    _, status = os.waitpid(pid, 0)
    print("stopped and continued, child", os.waitstatus_to_exitcode(status))


def exec_next(name):
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, __file__, name])


if stage == "first":
    stop_and_continue()
    os.kill(os.getpid(), signal.SIGUSR1)
    pid = os.fork()
    if pid == 0:
        os._exit(3 if spin(a[:1000]) == 1000.0 else 4)
    _, status = os.waitpid(pid, 0)
    print("forked child exited", os.waitstatus_to_exitcode(status))
    results = [None] * 3

    def work(k):
        results[k] = spin(a[: 1000 * (k + 1)])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("threads", results)
    print("signals", sorted(set(got)))
    os.environ["LIFECYCLE_PID"] = str(os.getpid())
    exec_next("second")
elif stage == "second":
    print("second image, pid kept:", os.getpid() == int(os.environ["LIFECYCLE_PID"]))
    t = threading.Thread(target=exec_next, args=("third",))
    t.start()
    t.join()
    sys.exit("not reached")
else:
    print("third image, exec from a thread")
    total = 0.0
    for _ in range(60):
        total += spin(a)
    print("total", total)
    sys.stderr.write("done\n")
    sys.exit(5)
