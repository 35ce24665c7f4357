"""Records the gdb 13 transcripts in this directory (test-mi.c reads them).

Run from a scratch directory holding a copy of kern.py:
    python3 record.py breakpoint   # -> breakpoint-numba-gdb13.mi
    python3 record.py escapes      # -> escapes-errors-gdb13.mi
Lines starting "# > " are the commands sent; every other line is gdb's
output, byte for byte.  sample-numba-gdb13.mi was recorded the same way
while attaching to and interrupting a running Numba kernel.
"""
import os, select, subprocess, sys

def run(out, script, env=None, args=()):
    """Sends each (command, wait-for-prefix) and logs what gdb writes."""
    g = subprocess.Popen(["gdb", "--interpreter=mi3", "-nx", "-q", *args],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         bufsize=0, env=dict(os.environ, **(env or {})))
    log = open(out, "wb")
    buf = b""
    def read_until(pred, timeout=60):
        nonlocal buf
        while True:
            while b"\n" not in buf:
                r, _, _ = select.select([g.stdout], [], [], timeout)
                if not r:
                    return
                d = os.read(g.stdout.fileno(), 65536)
                if not d:
                    return
                buf += d
            line, buf = buf.split(b"\n", 1)
            log.write(line + b"\n")
            if pred(line):
                return
    read_until(lambda l: l.startswith(b"(gdb)"))
    for tok, (c, until) in enumerate(script, 1):
        s = f"{tok}{c}\n".encode()
        log.write(b"# > " + s)
        g.stdin.write(s)
        read_until(lambda l: l.startswith(f"{tok}^".encode()))
        if until:
            read_until(lambda l: l.startswith(until.encode()))
    g.wait(20)
    log.close()

if sys.argv[1] == "breakpoint":
    run("breakpoint-numba-gdb13.mi", [
        ("-gdb-set debuginfod enabled off", None),
        ("-file-exec-and-symbols /usr/bin/python3", None),
        ("-exec-arguments kern.py", None),
        ("-break-insert -f kern.py:9", None),
        ("-break-commands 1 \"print i\"", None),
        ("-break-list", None),
        ("-exec-run", "*stopped"),
        ("-stack-list-frames", None),
        ("-stack-list-variables --simple-values", None),
        ("-foo", None),
        ("-break-delete 1", None),
        ("-exec-continue", "*stopped"),
        ("-gdb-exit", None),
    ], env={"NUMBA_DEBUGINFO": "1"})
elif sys.argv[1] == "escapes":
    run("escapes-errors-gdb13.mi", [
        ("-interpreter-exec console \"echo \\\\a\\\\b\\\\f\\\\v\\\\001\\\\177\\\\033\\\\t\\\\\\\"q\\\\\\\\ \\\\303\\\\251\\\\n\"", None),
        ("-data-evaluate-expression \"\\\"a\\\\tb\\\\001\\\"\"", None),
        ("-data-evaluate-expression 1+", None),
        ("-foo", None),
        ("-file-exec-and-symbols \"/nonexistent/dir with space/x\"", None),
        ("-list-features", None),
        ("-file-exec-and-symbols /bin/true", None),
        ("-exec-run", "*stopped"),
        ("-gdb-exit", None),
    ])
