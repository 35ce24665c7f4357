"""Execs itself 30 times, each image with four threads alive: an exec
ends them, and waits until their tracer has reaped them."""
import os
import sys
import threading

n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
for _ in range(4):
    threading.Thread(target=threading.Event().wait, daemon=True).start()
if n > 0:
    os.execv(sys.executable, [sys.executable, __file__, str(n - 1)])
print("done")
