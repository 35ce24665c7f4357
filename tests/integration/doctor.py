"""Integration tests of `nprof doctor`."""
import os
import shutil

from harness import DENY, NOPERF, NOTRACE, PYTHON, nprof, perf_allowed, run, skip

# The gdb doctor finds without --gdb (and with no gdb of nprof setup's).
GDB = shutil.which("gdb")


def skip_without_gdb():
    if GDB is None:
        skip("no gdb on PATH")


def test_healthy_machine(tmp):
    skip_without_gdb()
    status, out, err = nprof("doctor", "--python", PYTHON)
    assert status == 0, (out, err)
    assert "gdb:" in out and "GNU gdb" in out, out
    assert "numba" in out and "Python" in out, out
    assert "verdict: ok" in out, out
    assert os.listdir(tmp) == []


def test_python_without_numba(tmp):
    fake = os.path.join(tmp, "python")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'numba'\" >&2\nexit 1\n")
    os.chmod(fake, 0o755)
    status, out, err = nprof("doctor", "--python", fake)
    assert status == 1, status
    assert "No module named 'numba'" in out, out
    assert "verdict: no python with numba" in out, out


def test_not_a_gdb(tmp):
    """Without perf events and ptrace nothing can sample: a failure (no
    gdb would help: it needs ptrace).  Without perf events, gdb is what is
    left.  With them, annotate works (its default), and doctor says what
    gdb would add."""
    status, out, err = nprof("doctor", "--python", PYTHON, "--gdb", "/bin/true", launcher=NOTRACE)
    assert status == 1, status
    assert "this is not gdb" in out, out
    assert "verdict: nothing can sample here" in out, out
    status, out, err = nprof("doctor", "--python", PYTHON, "--gdb", "/bin/true",
                             launcher=[*DENY, "perf_event_open", "process_vm_readv", "--"])
    assert status == 1, status
    assert "verdict: no usable gdb, no perf events and no ptrace; run 'nprof setup'" in out, out
    if perf_allowed():
        status, out, err = nprof("doctor", "--python", PYTHON, "--gdb", "/bin/true")
        assert status == 0, (status, out)
        assert "verdict: ok with perf events" in out and "needs a gdb" in out, out


def test_where_ptrace_is_refused_gdb_is_not_tried(tmp):
    """gdb attaches with ptrace: where a seccomp policy refuses it, doctor
    skips the gdb self-test (it failed, 'could not run the program')
    instead of failing, and says what can sample."""
    skip_without_gdb()
    status, out, err = nprof("doctor", "--python", PYTHON, launcher=NOTRACE)
    assert status == 1, (status, out, err)
    assert "through gdb" not in out and err == "", (out, err)
    assert "its self-test is skipped" in out, out
    assert "verdict: nothing can sample here: perf events and ptrace are refused, and gdb needs ptrace" in out, out
    if perf_allowed():
        status, out, err = nprof("doctor", "--python", PYTHON, launcher=[*DENY, "ptrace", "--"])
        assert status == 0, (status, out, err)
        assert "with perf events ..." in out and "through gdb" not in out, out
        assert "verdict: ok with perf events" in out, out


def test_gdb_that_cannot_see_jit_code(tmp):
    """Without shared-library symbols gdb never finds llvmlite's JIT
    registration hook: it stands in for gdb 15's numba issue 9817."""
    skip_without_gdb()
    wrapper = os.path.join(tmp, "gdb")
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\nexec '{GDB}' -iex 'set auto-solib-add off' \"$@\"\n")
    os.chmod(wrapper, 0o755)
    status, out, err = nprof("doctor", "--python", PYTHON, "--gdb", wrapper)
    assert status == 1, (status, out, err)
    # nprof names the JIT code such a gdb stops in, and counts it.
    assert "in JIT code gdb could not read" in out, out
    assert "verdict: this gdb cannot see Numba's JIT code; run 'nprof setup'" in out, out


def test_usage_errors(tmp):
    for args in (["--bogus"], ["extra"], ["--gdb"]):
        status, out, err = nprof("doctor", *args)
        assert status == 2, (args, status)
        assert err.splitlines()[-1].startswith("usage: nprof doctor"), err


if __name__ == "__main__":
    run([f for name, f in sorted(globals().items()) if name.startswith("test_")])
