"""Integration tests of `nprof annotate` against real Python, Numba and gdb."""
import os
import pty
import re
import select
import signal
import stat
import subprocess
import sys

from harness import (EXAMPLE, NPROF, PYTHON, SAMPLER, SAMPLER_ARGS, annotate, function_table, line_of, nprof,
                     nprof_bytes, one_line_error, program, read_fifo, report_lines, run, thread_rows, truth)


def sample_count(out):
    found = re.search(r"^nprof: (\d+) samples", out, re.M)
    assert found, out
    return int(found.group(1))


def test_two_loops_expensive_line_dominates(tmp):
    status, out, err = annotate("--", EXAMPLE, "40")
    assert status == 0, (status, err)
    assert "sum over 40 calls" in out
    rows = report_lines(out, "two_loops.py")
    assert rows, out
    cheap = line_of(EXAMPLE, "total += a[i]")
    costly = line_of(EXAMPLE, "np.sqrt(a[i])")
    comment = line_of(EXAMPLE, "# The expensive loop")
    assert costly in rows and rows[costly][0], rows
    cheap_self = rows.get(cheap, (None,))[0] or 0.0
    assert rows[costly][0] > 2 * cheap_self, (rows[costly], cheap_self)
    assert rows[comment][0] is None and rows[comment][1] is None, rows[comment]
    assert "kernel" in out.split("function")[-1]
    # Numba's `x ** 2` helper, inlined with no call site of the user's,
    # is the costly line's (it was "only in Numba's own code": 2.8% with
    # perf events, 5.5% through gdb).
    own = re.search(r"([\d.]+)% only in Numba's own code", out.splitlines()[0])
    assert not own or float(own.group(1)) < 1, out.splitlines()[0]


def test_inlined_helper_gets_self_and_its_call_line_total(tmp):
    """With production inlining, gdb reports the helper as an inline frame:
    its body line gets the self share, the caller's call line the total."""
    script = program("inlined.py")
    status, out, err = annotate("--", script)
    assert status == 0, err
    assert "numba code generation: as shipped" in out
    rows = report_lines(out, "inlined.py")
    body = line_of(script, "# helper body")
    call = line_of(script, "# call line")
    assert rows, out
    assert max(rows, key=lambda n: rows[n][0] or 0) == body, rows
    # The call line's total is the largest (the body's may equal it when
    # no sample fell on the loop around the call).
    assert rows[call][1] == max(row[1] or 0 for row in rows.values()), rows
    assert rows[call][1] >= rows[body][1], rows
    # The function table, not the listing: heavy has self samples of its
    # own, and driver's total holds them.
    table = function_table(out)
    assert table.get("heavy") and table["heavy"][0][0] > 0, table
    assert table.get("driver") and table["driver"][0][1] >= table["heavy"][0][1], table


def test_inlined_log1p_helper_keeps_its_line(tmp):
    """heavy(v) = np.log1p(v * v), inlined: the call of log1p (line 0 in
    the line table, inside heavy's inlined code) is heavy's, so its body
    line gets the most self, heavy keeps its row in the function table,
    and driver's total agrees with the time the program measured."""
    script = program("inlined_log1p.py")
    status, out, err = annotate("--", script)
    assert status == 0, err
    driver_truth, helper_truth = truth(out, "driver", "helper")
    rows = report_lines(out, "inlined_log1p.py")
    body = line_of(script, "# helper body")
    call = line_of(script, "# call line")
    assert max(rows, key=lambda n: rows[n][0] or 0) == body, rows
    # The loop around the call pays for the call too (spills, the wait for
    # its result), so the body's self is below the measured helper share.
    assert rows[body][0] >= helper_truth / 3, (helper_truth, rows[body])
    assert rows[call][1] >= rows[body][1], rows
    table = function_table(out)
    samples = sample_count(out)
    assert table.get("heavy") and table["heavy"][0][0] > 0, table
    driver_total = 100 * table["driver"][0][1] / samples
    assert abs(driver_total - driver_truth) <= 10, (driver_total, driver_truth, out)


def test_two_kernels_split_matches_its_measured_truth(tmp):
    """Two kernels timed by the program with the CPU clock: each one's
    line gets its measured share of the two (within 4 points, some 1,200
    samples at 200 Hz; gdb's split once ran 2 points towards the costly
    kernel)."""
    script = program("two_kernels.py")
    status, out, err = annotate("--rate", "200", "--", script, "80")
    assert status == 0, err
    (truth_cheap,) = truth(out, "cheap")
    rows = report_lines(out, "two_kernels.py")
    cheap = rows.get(line_of(script, "# cheap line"), (None,))[0] or 0.0
    costly = rows.get(line_of(script, "# costly line"), (None,))[0] or 0.0
    assert cheap and costly, out
    assert abs(100 * cheap / (cheap + costly) - truth_cheap) <= 4, (cheap, costly, truth_cheap, out)


def test_objmode_block_is_the_total_of_its_line(tmp):
    """The Python a `with objmode()` block runs is called from that line:
    the line gets its time (self and total, like a call of any library),
    against the time the program measured in the block."""
    script = program("objmode.py")
    status, out, err = annotate("--", script)
    assert status == 0, err
    (measured,) = truth(out, "objmode")
    rows = report_lines(out, "objmode.py")
    line = line_of(script, "# objmode line")
    assert rows.get(line, (None, None))[1], (measured, out)
    assert abs(rows[line][1] - measured) <= 10, (measured, rows[line], out)
    assert rows[line_of(script, "# numba line")][0], rows


def test_escaped_names_are_decoded(tmp):
    """Numba escapes "<lambda>" and "kérnel" in its symbols ("_3clambda_3e",
    "k_c3_a9rnel" on 0.56 to 0.61): the report names them as written, and
    finds kérnel's def."""
    script = program("names.py")
    status, out, err = annotate("--", script)
    assert status == 0, err
    table = function_table(out)
    assert table.get("kérnel") and table.get("<lambda>"), table
    assert table["kérnel"][0][2].endswith(f"names.py:{line_of(script, 'def kérnel')}"), table
    assert table["<lambda>"][0][2].endswith(f"names.py:{line_of(script, '# lambda line')}"), table
    rows = report_lines(out, "names.py")
    assert line_of(script, "def kérnel") in rows, rows
    assert rows[line_of(script, "# kernel hot line")][0], rows


def test_sort_by_name_accepts_show_internals(tmp):
    status, out, err = annotate("--show-internals", "--sort", "name", "--", program("inlined.py"))
    assert status == 0, err
    table = out.split("function ")[-1].splitlines()[1:]
    names = [row.split()[0] for row in table if row.strip()]
    assert names == sorted(names), names


def test_threads_all_samples_the_worker_threads(tmp):
    """The main thread only waits while two Python threads run nogil
    kernels: with --threads main their hot lines get nothing;
    --threads all (every running thread) puts most samples on them, each
    kernel's line its own, and (perf) lists each thread."""
    script = program("worker_thread.py")
    hot = line_of(script, "# worker hot line")
    other = line_of(script, "# second worker hot line")
    main = line_of(script, "# main thread line")
    status, out, err = annotate("--threads", "main", "--", script)
    assert status == 0, err
    rows = report_lines(out, "worker_thread.py")
    assert not rows.get(hot, (None,))[0], out
    assert rows.get(main, (None,))[0], out  # the main thread's own line is seen
    if SAMPLER in ("perf", "ptrace"):   # their default: every thread
        status, out, err = annotate("--", script)
        assert status == 0, err
        assert ("of each thread's CPU time" if SAMPLER == "perf"
                else "of every running thread") in out, out
    status, out, err = annotate("--threads", "all", "--", script)
    assert status == 0, err
    assert ("one per 10 ms of each thread's CPU time" if SAMPLER == "perf"
            else "samples of every running thread") in out, out
    rows = report_lines(out, "worker_thread.py")
    # The workers' loops are most of the program's Numba time (the main
    # thread's own loop is short), each kernel's line its own.
    numba = sum(row[0] or 0 for row in rows.values())
    assert rows.get(hot, (None,))[0] and rows.get(other, (None,))[0], out
    assert rows[hot][0] + rows[other][0] > numba / 2, out
    assert min(rows[hot][0], rows[other][0]) > (rows.get(main, (None,))[0] or 0), out
    tops = [t[3] for t in thread_rows(out)]
    assert any(f"worker_thread.py:{hot} " in t for t in tops), out
    assert any(f"worker_thread.py:{other} " in t for t in tops), out


def test_prange_bodies_get_their_measured_shares(tmp):
    """Two prange loops in one parallel function, two threads: each loop's
    share of the two matches the share of CPU time the program measured
    for it run alone (within 5 points), in the user's own file, nothing in
    <string>; the body lines hold most of each loop."""
    script = program("prange.py")
    # Through gdb every thread pays ~1 ms a sample: fewer calls, but
    # enough samples (some 800) that the share's own noise stays small.
    status, out, err = annotate("--threads", "all", "--", script, "0.8" if SAMPLER == "gdb" else "1",
                                env={"NUMBA_NUM_THREADS": "2"})
    assert status == 0, err
    truth = re.search(r"truth cheap=([0-9.]+) costly=([0-9.]+)", out)
    assert truth, out
    cheap_cpu, costly_cpu = float(truth.group(1)), float(truth.group(2))
    assert "<string>" not in out, out
    rows = report_lines(out, "prange.py")
    self_of = lambda mark: rows.get(line_of(script, mark), (None,))[0] or 0.0
    # A loop's cost is its body's and its header's: the loop control Numba
    # writes around the body is on the prange line (Numba 0.61's code
    # spends some 5% of the loop there, 0.56's under 1%).
    cheap = self_of("# cheap body") + self_of("# prange cheap")
    costly = self_of("# costly body") + self_of("# prange costly")
    user = sum(row[0] or 0.0 for row in rows.values())
    assert cheap + costly >= 0.9 * user, (cheap, costly, out)
    assert self_of("# cheap body") > 3 * self_of("# prange cheap"), out
    assert self_of("# costly body") > 3 * self_of("# prange costly"), out
    measured = 100 * cheap_cpu / (cheap_cpu + costly_cpu)
    profiled = 100 * cheap / (cheap + costly)
    assert abs(profiled - measured) <= 5, (profiled, measured, out)
    threads = [t for t in thread_rows(out) if t[1] > 0]
    assert len(threads) >= 2, out
    assert sum("prange.py:" in t[3] for t in threads) >= 2, out


def test_parallel_forms_land_on_user_lines(tmp):
    """A prange nested under a regular loop, a prange body calling an
    inlined @njit helper, and a parallel array expression: each one's
    work is on its own lines of the user's file (at least 90% of the
    user-line samples on the bodies), nothing in <string>."""
    script = program("parallel_forms.py")
    status, out, err = annotate("--threads", "all", "--", script, env={"NUMBA_NUM_THREADS": "2"})
    assert status == 0, err
    assert "<string>" not in out, out
    # No line of Numba's own code spliced into a body (np.sum's loop)
    # passes for a line of the user's file: none past its end.
    assert "| <line " not in out, out
    rows = report_lines(out, "parallel_forms.py")
    assert max(rows) <= line_of(script, "print(f"), rows
    self_of = {mark: rows.get(line_of(script, mark), (None,))[0] or 0.0
               for mark in ("# nested body", "# helper line", "# helper call", "# array expression")}
    user = sum(row[0] or 0.0 for row in rows.values())
    assert self_of["# nested body"] > 0.05 * user, (self_of, out)
    assert self_of["# helper line"] + self_of["# helper call"] > 0.05 * user, (self_of, out)
    assert self_of["# array expression"] > 0.05 * user, (self_of, out)
    # The loops' own lines: their bodies, and the loop control Numba
    # writes around each, on the prange line.
    headers = sum(rows.get(line_of(script, mark), (None,))[0] or 0.0
                  for mark in ("# nested prange", "# prange calling helper"))
    assert sum(self_of.values()) + headers >= 0.9 * user, (self_of, headers, user, out)


def test_pool_waiting_is_not_work(tmp):
    """One thread gets all the work of a prange loop; the other spins in
    the OpenMP pool (OMP_WAIT_POLICY=active): its samples are waiting in
    Numba's thread pool, not the loop's lines."""
    script = program("pool_wait.py")
    status, out, err = annotate("--threads", "all", "--", script,
                                env={"NUMBA_NUM_THREADS": "2", "NUMBA_THREADING_LAYER": "omp",
                                     "OMP_WAIT_POLICY": "active"})
    assert status == 0, err
    assert "waiting in Numba's thread pool" in out, out
    threads = thread_rows(out)
    idle = [t for t in threads if "none: waiting in Numba's thread pool" in t[3]]
    busy = [t for t in threads if "pool_wait.py:" in t[3]]
    assert idle and busy and idle[0][1] >= 20, out
    work = report_lines(out, "pool_wait.py").get(line_of(script, "# the work"), (None,))[0] or 0
    share = 100 * busy[0][1] / sum(t[1] for t in threads)
    assert work <= share + 1, (work, share, out)


def test_stdio_and_exit_status_pass_through(tmp):
    data = b"hi\n\x00binary\xff\nno newline at end"
    status, out, err = nprof_bytes("annotate", "--python", PYTHON, *SAMPLER_ARGS, "-o",
                                   os.path.join(tmp, "r.txt"), "--",
                                   program("io_echo.py"), "7", stdin=data)
    assert status == 7, status
    assert out == b"out:" + data, out
    assert err == b"err:" + data, err
    with open(os.path.join(tmp, "r.txt")) as f:
        assert "samples" in f.read()


def test_report_follows_program_output_on_stdout(tmp):
    status, out, err = annotate("--", program("io_echo.py"), stdin=b"x")
    assert status == 0
    assert out.startswith("out:x"), out[:50]
    assert "samples" in out[5:]


def test_death_by_signal_gives_128_plus_n(tmp):
    status, out, err = annotate("--", program("killself.py"))
    assert status == 128 + signal.SIGTERM, status
    assert "samples" in out


def test_plain_python_is_all_non_numba(tmp):
    status, out, err = annotate("--", program("plain.py"))
    assert status == 0, err
    assert "100.0% not in Numba code" in out, out
    assert "no samples were in Numba-compiled code" in out


def test_uncaught_exception_passes_through(tmp):
    status, out, err = annotate("--", program("crash.py"))
    assert status == 1, status
    assert "ValueError: boom from crash.py" in err
    assert "Traceback (most recent call last)" in err
    assert "crash.py" in out


def test_module_and_code_arguments(tmp):
    pkg = os.path.join(tmp, "pkg")
    os.mkdir(pkg)
    with open(os.path.join(pkg, "__main__.py"), "w") as f:
        f.write("import sys; print('argv', sys.argv[1:])\n")
    status, out, err = annotate("--", "-m", "pkg", "a", "b c", cwd=tmp)
    assert status == 0, err
    assert "argv ['a', 'b c']" in out
    status, out, err = annotate("--", "-c", "import sys; print(sys.argv)", "x")
    assert status == 0, err
    assert "['-c', 'x']" in out


def test_missing_script(tmp):
    status, out, err = annotate("--", os.path.join(tmp, "nope.py"))
    assert status == 2, status
    assert one_line_error(err) and "nope.py" in err, err
    assert out == ""


def test_missing_python(tmp):
    status, out, err = nprof("annotate", "--python", os.path.join(tmp, "python9"), "--", "x.py")
    assert status == 2 and one_line_error(err) and "python9" in err, (status, err)


def test_python_from_environment(tmp):
    status, out, err = nprof("annotate", *SAMPLER_ARGS, "--", program("io_echo.py"), stdin=b"",
                             env={"NPROF_PYTHON": os.path.join(tmp, "nopython")})
    assert status == 2 and "NPROF_PYTHON" in err and one_line_error(err), err


def test_missing_gdb(tmp):
    status, out, err = annotate("--sampler", "gdb", "--gdb", os.path.join(tmp, "gdb0"), "--",
                                program("plain.py"))
    assert status == 2 and one_line_error(err) and "gdb0" in err, (status, err)


def test_gdb_that_cannot_start_the_program(tmp):
    status, out, err = annotate("--sampler", "gdb", "--gdb", "/bin/false", "--", program("plain.py"))
    assert status == 2, status
    assert one_line_error(err), err
    assert "gdb" in err


def test_bad_options(tmp):
    for args in (["--rate", "0"], ["--rate", "x"], ["--sort", "size"], ["--threads", "some"],
                 ["--bogus"], []):
        status, out, err = annotate(*args, "--", program("plain.py")) if args else nprof("annotate")
        assert status == 2, (args, status)
        lines = err.splitlines()
        assert lines[0].startswith("nprof: ") and lines[-1].startswith("usage: nprof annotate"), (args, err)


def test_output_file_is_written_whole_or_not_at_all(tmp):
    report = os.path.join(tmp, "report.txt")
    status, out, err = annotate("-o", report, "--", program("plain.py"))
    assert status == 0 and os.path.exists(report)
    assert os.listdir(tmp) == ["report.txt"], os.listdir(tmp)
    status, out, err = annotate("-o", os.path.join(tmp, "no", "dir.txt"), "--", program("plain.py"))
    assert status == 2 and one_line_error(err), err
    assert out == "", "the program must not run when the report cannot be written"


def test_output_to_a_fifo_writes_through_it(tmp):
    """A device or FIFO given to -o is written, never replaced by a file."""
    fifo = os.path.join(tmp, "report.fifo")
    os.mkfifo(fifo)
    proc = subprocess.Popen([NPROF, "annotate", "--python", PYTHON, *SAMPLER_ARGS, "-o", fifo, "--",
                             program("io_echo.py")], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    report = read_fifo(fifo, proc)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert "samples" in report, report
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert os.listdir(tmp) == ["report.fifo"], os.listdir(tmp)


def test_output_through_a_symlink_replaces_its_target(tmp):
    target = os.path.join(tmp, "real.txt")
    link = os.path.join(tmp, "link.txt")
    with open(target, "w") as f:
        f.write("old")
    os.symlink("real.txt", link)
    status, out, err = annotate("-o", link, "--", program("plain.py"))
    assert status == 0, err
    assert os.path.islink(link)
    with open(target) as f:
        assert "samples" in f.read()


def test_numba_debug_is_said_in_the_report(tmp):
    status, out, err = annotate("--numba-debug", "--", program("plain.py"))
    assert status == 0
    assert "numba code generation: debug, as --numba-debug asks" in out


def test_ctrl_c_ends_the_program_and_reports(tmp):
    """A real terminal: Ctrl-C reaches the program's process group."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(NPROF, [NPROF, "annotate", "--python", PYTHON, *SAMPLER_ARGS, "--",
                         program("forever.py")])
    output = b""
    sent = False
    while True:
        ready, _, _ = select.select([fd], [], [], 120)
        assert ready, "no output from nprof under a terminal"
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not sent and b"ready" in output:
            os.write(fd, b"\x03")
            sent = True
    _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert sent, text
    assert os.WEXITSTATUS(status) == 128 + signal.SIGINT, (status, text)
    assert "KeyboardInterrupt" in text, text
    assert re.search(r"nprof: \d+ samples", text) and "forever.py" in text, text


def test_killing_nprof_takes_gdb_and_program_along(tmp):
    fifo = os.path.join(tmp, "pid")
    os.mkfifo(fifo)
    proc = subprocess.Popen([NPROF, "annotate", "--python", PYTHON, *SAMPLER_ARGS, "--",
                             program("forever.py"), fifo],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        line = read_fifo(fifo, proc, until="\n")
        assert line.strip().isdigit(), (line, proc.poll())
        target = int(line)
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)],
                                  capture_output=True, text=True).stdout.split()
        gdb = [int(p) for p in children if int(p) != target]
        assert gdb or SAMPLER in ("perf", "ptrace"), children
        watched = [os.pidfd_open(p) for p in [target] + gdb]
        proc.kill()
        proc.wait()
        for fd in watched:
            ready, _, _ = select.select([fd], [], [], 30)
            assert ready, "a process outlived nprof"
            os.close(fd)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_program_that_stops_forks_threads_and_execs_behaves_as_without_nprof(tmp):
    """Stopped by its own SIGSTOP and continued by a child, signal
    handlers, a fork, threads, an exec and an exec from a thread: the
    same output and exit status as a plain run.  The gdb sampler loses
    the program's SIGCONT (its handler never runs), so it is not held to
    this yet."""
    if SAMPLER == "gdb":
        print("(the gdb sampler swallows SIGCONT: not checked)")
        return
    script = program("lifecycle.py")
    plain = subprocess.run([PYTHON, script], capture_output=True, timeout=300)
    assert plain.returncode == 5, plain
    report = os.path.join(tmp, "report.txt")
    status, out, err = nprof_bytes("annotate", "--python", PYTHON, *SAMPLER_ARGS, "-o", report,
                                   "--", script)
    assert (status, out, err) == (plain.returncode, plain.stdout, plain.stderr), (status, out, err)
    if SAMPLER in ("ptrace", "perf"):
        # Sampling went on in the image of the second exec, its Numba
        # code named.
        with open(report) as f:
            text = f.read()
        rows = report_lines(text, "lifecycle.py")
        hot = line_of(script, "# lifecycle hot line")
        assert rows.get(hot, (None,))[0], text


if __name__ == "__main__":
    run([f for name, f in sorted(globals().items()) if name.startswith("test_")])
