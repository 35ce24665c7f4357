"""Waits for a signal and says which came.  Python only, so that it starts
fast.  argv[1]: a file (a FIFO in the tests) to write the pid to, once its
handlers are in place.  SIGTERM, SIGHUP and SIGQUIT end it with status
100+N; SIGINT is only said ('interrupted'), so that only a second Ctrl-C
(nprof's SIGKILL) ends it."""
import os
import signal
import sys


def caught(sig, frame):
    print(f"caught {sig}", flush=True)
    os._exit(100 + sig)


for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(s, caught)
signal.signal(signal.SIGINT, lambda sig, frame: print("interrupted", flush=True))
with open(sys.argv[1], "w") as f:
    f.write(f"{os.getpid()}\n")
while True:
    signal.pause()
