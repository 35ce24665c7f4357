"""Integration tests of the choice of sampler: perf events where the
kernel allows them, gdb otherwise (deny.py plays a kernel that does
not), and what is particular to the perf sampler."""
import os

from harness import (DENY, EXAMPLE, NOPERF, PYTHON, annotate, line_of, nprof, one_line_error,
                     perf_allowed, program, report_lines, run)


def expensive_line_dominates(out):
    rows = report_lines(out, "two_loops.py")
    costly = line_of(EXAMPLE, "np.sqrt(a[i])")
    cheap = rows.get(line_of(EXAMPLE, "total += a[i]"), (None,))[0] or 0.0
    return rows.get(costly, (None,))[0] and rows[costly][0] > 2 * cheap


def test_default_is_perf_where_allowed(tmp):
    if not perf_allowed():
        print("(perf events not allowed here: nothing to check)")
        return
    status, out, err = annotate("--", EXAMPLE, "40")
    assert status == 0, err
    assert "the kernel took the samples, the target was not stopped" in out, out
    assert "one per 10 ms of each thread's CPU time" in out, out  # every thread by default
    assert expensive_line_dominates(out), out


def test_default_falls_back_to_gdb_without_perf(tmp):
    status, out, err = nprof("annotate", "--python", PYTHON, "--", EXAMPLE, "40",
                             launcher=NOPERF)
    assert status == 0, err
    assert "sampling paused the target" in out, out
    assert expensive_line_dominates(out), out


def test_perf_refused_is_one_clear_line(tmp):
    status, out, err = nprof("annotate", "--python", PYTHON, "--sampler", "perf",
                             "--", EXAMPLE, "1", launcher=NOPERF)
    assert status == 2, status
    assert one_line_error(err) and "cannot use perf events" in err, err
    assert "seccomp" in err and "--sampler gdb" in err, err
    assert out == "", out


def test_perf_needs_no_gdb(tmp):
    if not perf_allowed():
        return
    status, out, err = annotate("--sampler", "perf", "--gdb", os.path.join(tmp, "nogdb"), "--",
                                EXAMPLE, "20")
    assert status == 0, err
    assert expensive_line_dominates(out), out


def test_children_are_not_counted(tmp):
    """perf events follow forked processes too; only the program's own
    samples count."""
    if not perf_allowed():
        return
    script = program("forks.py")
    hot = line_of(script, "# child hot line")
    for threads in ("main", "all"):
        status, out, err = annotate("--sampler", "perf", "--threads", threads, "--", script)
        assert status == 0, err
        rows = report_lines(out, "forks.py")
        assert not rows.get(hot, (None,))[0], (threads, out)


def test_doctor_says_which_samplers_work(tmp):
    status, out, err = nprof("doctor", "--python", PYTHON, launcher=NOPERF)
    assert status == 0, (out, err)
    assert "perf:    not allowed (perf_event_open is refused" in out, out
    assert "with perf events" not in out, out
    assert "verdict: ok" in out, out
    if perf_allowed():
        status, out, err = nprof("doctor", "--python", PYTHON)
        assert status == 0, (out, err)
        assert "perf:    allowed" in out and "with perf events" in out, out


def test_memory_that_cannot_be_read_is_said(tmp):
    """Where ptrace is forbidden, the perf sampler cannot read Numba's code
    from the program: it says so instead of a silent empty profile."""
    if not perf_allowed():
        return
    status, out, err = nprof("annotate", "--python", PYTHON, "--sampler", "perf", "--",
                             EXAMPLE, "5", launcher=[*DENY, "process_vm_readv", "--"])
    assert status == 0, err
    assert "warning: cannot read the program's memory" in err, err
    assert "ptrace_scope" in err, err
    assert "sum over 5 calls" in out, out


def test_bad_sampler_is_a_usage_error(tmp):
    status, out, err = annotate("--sampler", "ptrace", "--", EXAMPLE)
    assert status == 2, status
    assert "invalid --sampler 'ptrace'" in err, err


if __name__ == "__main__":
    run([f for name, f in sorted(globals().items()) if name.startswith("test_")])
