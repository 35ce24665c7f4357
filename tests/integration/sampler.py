"""Integration tests of the choice of sampler: perf events where the
kernel allows them, else nprof's ptrace sampler, else gdb (deny.py plays
a kernel or container that refuses them), and what is particular to the
perf and ptrace samplers."""
import os

from harness import (DENY, EXAMPLE, NOPERF, NOPERF_NOPTRACE, NOTRACE, PYTHON, annotate, line_of,
                     nprof, one_line_error, perf_allowed, perf_paranoid, program,
                     report_lines, run, skip_without_perf)


def expensive_line_dominates(out):
    rows = report_lines(out, "two_loops.py")
    costly = line_of(EXAMPLE, "np.sqrt(a[i])")
    cheap = rows.get(line_of(EXAMPLE, "total += a[i]"), (None,))[0] or 0.0
    return rows.get(costly, (None,))[0] and rows[costly][0] > 2 * cheap


def test_default_is_perf_where_allowed(tmp):
    skip_without_perf()
    status, out, err = annotate("--", EXAMPLE, "40")
    assert status == 0, err
    assert "the kernel took the samples, the target was not stopped" in out, out
    assert "one per 10 ms of each thread's CPU time" in out, out  # every thread by default
    assert expensive_line_dominates(out), out


def test_default_falls_back_to_ptrace_without_perf(tmp):
    """No gdb is needed: a missing one shows ptrace was chosen."""
    status, out, err = nprof("annotate", "--python", PYTHON, "--gdb", os.path.join(tmp, "nogdb"),
                             "--", EXAMPLE, "40", launcher=NOPERF)
    assert status == 0, err
    assert "sampling paused the target" in out, out
    assert expensive_line_dominates(out), out


def test_default_falls_back_to_gdb_without_perf_and_ptrace(tmp):
    status, out, err = nprof("annotate", "--python", PYTHON, "--gdb", os.path.join(tmp, "nogdb"),
                             "--", EXAMPLE, "1", launcher=NOPERF_NOPTRACE)
    assert status == 2 and "nogdb" in err and one_line_error(err), (status, err)
    status, out, err = nprof("annotate", "--python", PYTHON, "--", EXAMPLE, "40",
                             launcher=NOPERF_NOPTRACE)
    assert status == 0, err
    assert "sampling paused the target" in out, out
    assert expensive_line_dominates(out), out


def test_ptrace_refused_is_one_clear_line(tmp):
    for launcher, word in ((NOTRACE, "ptrace is refused"),
                           (NOPERF_NOPTRACE, "process_vm_readv is refused")):
        status, out, err = nprof("annotate", "--python", PYTHON, "--sampler", "ptrace",
                                 "--", EXAMPLE, "1", launcher=launcher)
        assert status == 2, status
        assert one_line_error(err) and "cannot trace the program" in err, err
        assert word in err and "seccomp" in err and "--sampler gdb" in err, err
        assert out == "", out


def test_ptrace_rate_goes_to_10khz_and_gdb_stays_at_1khz(tmp):
    status, out, err = annotate("--sampler", "ptrace", "--rate", "10000", "--", EXAMPLE, "10")
    assert status == 0, err
    assert "(10000 Hz requested)" in out, out
    assert expensive_line_dominates(out), out
    status, out, err = annotate("--sampler", "gdb", "--rate", "2000", "--", EXAMPLE, "1")
    assert status == 2 and one_line_error(err) and "at most 1000" in err, err
    status, out, err = annotate("--rate", "10001", "--", EXAMPLE, "1")
    assert status == 2 and "at most 10000" in err, err


def test_ptrace_exec_with_threads_alive_does_not_hang(tmp):
    """An exec waits for the threads it ends to be reaped by their tracer:
    a sample of the main thread then must not wait for it alone."""
    status, out, err = annotate("--sampler", "ptrace", "--rate", "10000", "--",
                                program("exec_threads.py"))
    assert status == 0, err
    assert out.startswith("done\n"), out


def test_ptrace_does_not_sample_children(tmp):
    script = program("forks.py")
    hot = line_of(script, "# child hot line")
    for threads in ("main", "all"):
        status, out, err = annotate("--sampler", "ptrace", "--threads", threads, "--", script)
        assert status == 0, err
        rows = report_lines(out, "forks.py")
        assert not rows.get(hot, (None,))[0], (threads, out)


def test_perf_refused_is_one_clear_line(tmp):
    status, out, err = nprof("annotate", "--python", PYTHON, "--sampler", "perf",
                             "--", EXAMPLE, "1", launcher=NOPERF)
    assert status == 2, status
    assert one_line_error(err) and "cannot use perf events" in err, err
    assert "seccomp" in err and "--sampler ptrace or gdb" in err, err
    # A refusal at a level above 2 names the level, the likely cause.
    level = perf_paranoid()
    assert (f"kernel.perf_event_paranoid is {level} " in err) == (level is not None and level > 2), err
    assert out == "", out


def test_perf_needs_no_gdb(tmp):
    skip_without_perf()
    status, out, err = annotate("--sampler", "perf", "--gdb", os.path.join(tmp, "nogdb"), "--",
                                EXAMPLE, "20")
    assert status == 0, err
    assert expensive_line_dominates(out), out


def test_children_are_not_counted(tmp):
    """perf events follow forked processes too; only the program's own
    samples count."""
    skip_without_perf()
    script = program("forks.py")
    hot = line_of(script, "# child hot line")
    own = line_of(script, "# parent line")
    for threads in ("main", "all"):
        status, out, err = annotate("--sampler", "perf", "--threads", threads, "--", script)
        assert status == 0, err
        rows = report_lines(out, "forks.py")
        assert not rows.get(hot, (None,))[0], (threads, out)
        assert rows.get(own, (None,))[0], (threads, out)  # the parent's own line is seen


def test_doctor_says_which_samplers_work(tmp):
    status, out, err = nprof("doctor", "--python", PYTHON, launcher=NOPERF)
    assert status == 0, (out, err)
    assert "perf:    not allowed (perf_event_open is refused" in out, out
    assert "with perf events" not in out, out
    assert "ptrace:  allowed: annotate samples with ptrace" in out and "with ptrace ..." in out, out
    assert "verdict: ok" in out, out
    status, out, err = nprof("doctor", "--python", PYTHON, launcher=NOPERF_NOPTRACE)
    assert "ptrace:  not allowed (process_vm_readv is refused" in out, out
    assert "annotate samples through gdb" in out and "with ptrace ..." not in out, out
    if perf_allowed():
        status, out, err = nprof("doctor", "--python", PYTHON)
        assert status == 0, (out, err)
        assert "perf:    allowed" in out and "with perf events" in out, out


def test_memory_that_cannot_be_read_is_said(tmp):
    """Where ptrace is forbidden, the perf sampler cannot read Numba's code
    from the program: it says so instead of a silent empty profile."""
    skip_without_perf()
    status, out, err = nprof("annotate", "--python", PYTHON, "--sampler", "perf", "--",
                             EXAMPLE, "5", launcher=[*DENY, "process_vm_readv", "--"])
    assert status == 0, err
    assert "warning: cannot read the program's memory" in err, err
    assert "ptrace_scope" in err, err
    assert "sum over 5 calls" in out, out


def test_bad_sampler_is_a_usage_error(tmp):
    status, out, err = annotate("--sampler", "dtrace", "--", EXAMPLE)
    assert status == 2, status
    assert "invalid --sampler 'dtrace'" in err and "ptrace" in err, err


if __name__ == "__main__":
    run([f for name, f in sorted(globals().items()) if name.startswith("test_")])
