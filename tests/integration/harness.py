"""A tiny harness for nprof's integration tests: each test is a function;
a failed assertion fails that test only, skip() skips it; the run ends with
the plain line 'N passed, M failed, K skipped' and exit status 1 when
anything failed, else 77 (Automake's SKIP) when anything was skipped."""
import os
import shutil
import re
import select
import subprocess
import sys
import tempfile
import time
import traceback

NPROF = os.environ.get("NPROF", "nprof")
SRCDIR = os.environ.get("srcdir", os.path.join(os.path.dirname(__file__), ".."))
DATADIR = os.environ.get("NPROF_DATADIR", os.path.join(SRCDIR, "..", "share"))
PYTHON = os.environ.get("NPROF_TEST_PYTHON", "/usr/bin/python3")
PROGRAMS = os.path.join(SRCDIR, "integration", "programs")
EXAMPLE = os.path.join(DATADIR, "examples", "two_loops.py")
TIMEOUT = 300
# A launcher that makes the listed system calls fail (deny.py), e.g.
# [*DENY, "perf_event_open", "--"] plays a kernel that refuses perf events.
DENY = [sys.executable, os.path.join(SRCDIR, "integration", "deny.py")]
NOPERF = [*DENY, "perf_event_open", "--"]
# ... and where nprof cannot read a traced program's memory either: no
# ptrace sampler, gdb (which reads /proc/PID/mem) is what is left.
NOPERF_NOPTRACE = [*DENY, "perf_event_open", "process_vm_readv", "--"]
# ... and where nothing may trace: no sampler at all.
NOTRACE = [*DENY, "perf_event_open", "ptrace", "--"]
# The sampler the annotate tests run under (annotate-gdb.test and
# annotate-perf.test run them once each); empty: nprof's default.
SAMPLER = os.environ.get("NPROF_TEST_SAMPLER", "")
SAMPLER_ARGS = ["--sampler", SAMPLER] if SAMPLER else []


def program(name):
    return os.path.join(PROGRAMS, name)


def nprof(*args, stdin=b"", env=None, cwd=None, launcher=()):
    """Runs nprof to completion; returns (status, stdout, stderr) as text
    (bytes when stdin is bytes and binary output is wanted: see nprof_bytes).
    `launcher` is a command that runs nprof (as tests/integration/deny.py)."""
    status, out, err = nprof_bytes(*args, stdin=stdin, env=env, cwd=cwd, launcher=launcher)
    return status, out.decode(errors="replace"), err.decode(errors="replace")


def nprof_bytes(*args, stdin=b"", env=None, cwd=None, launcher=()):
    full_env = dict(os.environ)
    full_env.pop("NPROF_GDB", None)
    full_env.pop("NPROF_PYTHON", None)
    full_env.update(env or {})
    proc = subprocess.run([*launcher, NPROF, *args], input=stdin, capture_output=True,
                          env=full_env, cwd=cwd, timeout=TIMEOUT)
    return proc.returncode, proc.stdout, proc.stderr


def read_fifo(path, proc, until=None, timeout=TIMEOUT):
    """Reads the FIFO at `path` that `proc` writes, without ever blocking
    on a writer that will not come: until the text holds `until`, else
    until proc has ended.  Opened read-write, it never reads as ended."""
    fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while until is None or until.encode() not in data:
            ended = proc.poll() is not None
            ready, _, _ = select.select([fd], [], [], 0 if ended else 1)
            if ready:
                data += os.read(fd, 65536)
            elif ended:
                break
            assert time.monotonic() < deadline, f"nothing more on {path}"
    finally:
        os.close(fd)
    return data.decode(errors="replace")


def annotate(*args, **kw):
    return nprof("annotate", "--python", PYTHON, *SAMPLER_ARGS, *args, **kw)


def perf_allowed():
    """Does this kernel let nprof sample with perf events?"""
    status, out, err = annotate("--sampler", "perf", "--", "-c", "pass")
    return "cannot use perf events" not in err


def perf_paranoid():
    """kernel.perf_event_paranoid (above 2: Debian's and Ubuntu's kernels
    refuse users perf events), or None."""
    try:
        with open("/proc/sys/kernel/perf_event_paranoid") as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def one_line_error(err):
    lines = [l for l in err.splitlines() if l.strip()]
    return len(lines) == 1 and lines[0].startswith("nprof: ")


def thread_rows(report):
    """The text report's per-thread table: [(tid, samples, waiting%, top
    line text)], the top line as printed ("/x/k.py:12 (30.1%)", "none ...")."""
    rows, top_at = [], None
    for line in report.splitlines():
        if line.split()[:2] == ["thread", "name"]:
            top_at = line.index("top line")
            continue
        if top_at is not None and line.strip():
            cells = line[:top_at].split()
            waiting = next((float(c.rstrip("%")) for c in cells[4:5] if c.endswith("%")), 0.0)
            rows.append((int(cells[0]), int(cells[2]), waiting, line[top_at:].strip()))
        elif top_at is not None:
            break
    return rows


def report_lines(report, path_suffix):
    """Parses the annotated-source block of the file ending in path_suffix:
    returns {line_number: (self, total, source)} with None for blank cells."""
    rows = {}
    in_file = False
    for line in report.splitlines():
        if line.startswith("/") or line.startswith("<"):
            in_file = line.split()[0].endswith(path_suffix)
            continue
        if not in_file or "|" not in line:
            continue
        left, source = line.split("|", 1)
        cells = left.split()
        if not cells or not cells[-1].isdigit():
            continue
        # Fixed columns (report-text.c): self% in 0-7, total% in 8-15; a
        # blank cell is a zero, so the columns, not the words, say which.
        self_cell, total_cell = left[0:7].strip(), left[8:15].strip()
        self_pct = float(self_cell.rstrip("%")) if self_cell else None
        total_pct = float(total_cell.rstrip("%")) if total_cell else None
        rows[int(cells[-1])] = (self_pct, total_pct, source)
    return rows


def function_table(report):
    """Parses the function table (the block after the "function" header):
    returns {name: [(self_samples, total_samples, location), ...]}, a list
    because one name may be listed for several files."""
    table = {}
    lines = report.splitlines()
    for start, line in enumerate(lines):
        if line.startswith("function ") and "self/total" in line:
            break
    else:
        return table
    for line in lines[start + 1:]:
        cells = line.split()
        if len(cells) < 4 or "/" not in cells[-2]:
            break
        self_n, total_n = (int(x) for x in cells[-2].split("/"))
        table.setdefault(cells[0], []).append((self_n, total_n, cells[-1]))
    return table


def truth(out, *names):
    """The shares a program measured itself and printed as
    "truth NAME=P% ...": [P for each name], in percent of its CPU time."""
    found = re.search(r"^truth (.*)$", out, re.M)
    assert found, f"no truth line in {out!r}"
    shares = dict(cell.split("=") for cell in found.group(1).split())
    return [float(shares[name].rstrip("%")) for name in names]


def line_of(path, text):
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise AssertionError(f"{text!r} not in {path}")


class Skipped(Exception):
    """Raised by skip(): the test cannot check anything here."""


def skip(reason):
    """Ends the calling test as skipped, saying why.  A run with a skipped
    test and no failure exits 77, which Automake reports as SKIP: a PASS
    means every test checked what it is there for."""
    raise Skipped(reason)


def skip_without_perf():
    if not perf_allowed():
        skip("perf events are not allowed here")


def sanitized():
    """Is nprof a sanitizer build (linked to libasan)?"""
    try:
        with open(shutil.which(NPROF) or NPROF, "rb") as f:
            return b"libasan.so" in f.read()
    except OSError:
        return False


def numba_available():
    return subprocess.run([PYTHON, "-c", "import numba"], capture_output=True).returncode == 0


def run(tests):
    if not numba_available():
        print(f"SKIP: {PYTHON} cannot import numba (apt-get install python3-numba)")
        sys.exit(77)
    passed = failed = skipped = 0
    # NPROF_TEST_ONLY=WORD runs only the tests whose names hold WORD.
    only = os.environ.get("NPROF_TEST_ONLY")
    for test in tests:
        if only and only not in test.__name__:
            continue
        try:
            with tempfile.TemporaryDirectory(prefix="nprof-test-") as tmp:
                test(tmp)
            print(f"PASS: {test.__name__}")
            passed += 1
        except Skipped as why:
            print(f"SKIP: {test.__name__}: {why}")
            skipped += 1
        except Exception:
            print(f"FAIL: {test.__name__}")
            traceback.print_exc(file=sys.stdout)
            failed += 1
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 77 if skipped else 0)
