"""Prints how it found SIGHUP, SIGTERM and SIGQUIT: ignored or default."""
import signal

for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGQUIT):
    h = signal.getsignal(s)
    print(s.name, "ignored" if h == signal.SIG_IGN else "default" if h == signal.SIG_DFL else h)
