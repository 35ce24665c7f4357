"""nprof as a process among others: the report file it writes (-o), the
descriptors and signal dispositions the program inherits, the signals it
passes on, and what it leaves behind when it fails or is killed.  Runs
with nprof's default sampler."""
import os
import signal
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import DATADIR, NPROF, PYTHON, annotate, one_line_error, program, read_fifo, run  # noqa: E402

NOBODY = 65534


def umask_022():
    os.umask(0o022)


def test_new_report_file_follows_the_umask(tmp):
    report = os.path.join(tmp, "r.txt")
    proc = subprocess.run([NPROF, "annotate", "--python", PYTHON, "-o", report, "--", "-c", "pass"],
                          capture_output=True, text=True, preexec_fn=umask_022)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o644, oct(os.stat(report).st_mode)


def test_replaced_report_keeps_its_mode_and_links(tmp):
    report = os.path.join(tmp, "r.txt")
    with open(report, "w") as f:
        f.write("old")
    os.chmod(report, 0o640)
    status, out, err = annotate("-o", report, "--", "-c", "pass")
    assert status == 0, err
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o640, oct(os.stat(report).st_mode)
    link = os.path.join(tmp, "link.txt")
    os.link(report, link)
    status, out, err = annotate("-o", report, "--", "-c", "print('second')")
    assert status == 0, err
    assert os.path.samefile(report, link), "the hard link was broken"
    with open(link) as f:
        assert "samples" in f.read()
    assert sorted(os.listdir(tmp)) == ["link.txt", "r.txt"], os.listdir(tmp)


def as_nobody():
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def test_writable_report_in_a_directory_not_writable(tmp):
    """echo hi > file works there; so must -o file."""
    root = os.geteuid() == 0
    os.chmod(tmp, 0o755 if root else 0o555)
    report = os.path.join(tmp, "r.txt")
    try:
        if not root:
            os.chmod(tmp, 0o755)
        with open(report, "w") as f:
            f.write("old")
        if root:
            os.chown(report, NOBODY, NOBODY)
        else:
            os.chmod(tmp, 0o555)
        proc = subprocess.run([NPROF, "annotate", "--python", PYTHON, "-o", report, "--", "-c", "pass"],
                              capture_output=True, text=True, cwd="/",
                              preexec_fn=as_nobody if root else None)
        assert proc.returncode == 0, proc.stderr
        with open(report) as f:
            assert "samples" in f.read()
        assert os.listdir(tmp) == ["r.txt"], os.listdir(tmp)
    finally:
        os.chmod(tmp, 0o755)


def test_empty_report_name_is_refused_before_the_program_runs(tmp):
    status, out, err = annotate("-o", "", "--", "-c", "print('ran')", cwd=tmp)
    assert status == 2 and "ran" not in out, (status, out)
    assert err.startswith("nprof: ") and "-o" in err, err
    assert os.listdir(tmp) == [], os.listdir(tmp)


def test_killed_nprof_leaves_no_temporary_report(tmp):
    fifo = os.path.join(tmp, "pid")
    os.mkfifo(fifo)
    proc = subprocess.Popen([NPROF, "annotate", "--python", PYTHON, "-o", os.path.join(tmp, "r.txt"),
                             "--", program("signals.py"), fifo],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert read_fifo(fifo, proc, until="\n").strip().isdigit()
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert os.listdir(tmp) == ["pid"], os.listdir(tmp)


def fds_of(proc_out):
    return [line.split()[0] for line in proc_out.splitlines() if line.split()[0].isdigit()]


def test_program_inherits_no_descriptor_of_nprof(tmp):
    """Only what it would have without nprof; with -o a FIFO, the program
    must not hold the write end (the reader would wait for it)."""
    plain = subprocess.run([PYTHON, program("fds.py")], capture_output=True, text=True)
    fifo = os.path.join(tmp, "report.fifo")
    os.mkfifo(fifo)
    env = dict(os.environ, NPROF_MI_LOG=os.path.join(tmp, "mi.log"))
    for sampler in ("perf", "gdb"):
        proc = subprocess.Popen([NPROF, "annotate", "--python", PYTHON, "--sampler", sampler, "-o", fifo,
                                 "--", program("fds.py")], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        report = read_fifo(fifo, proc)
        out, err = proc.communicate(timeout=300)
        if "cannot use perf events" in err or "cannot run gdb" in err or "cannot find gdb" in err:
            continue
        assert proc.returncode == 0, err
        assert "samples" in report, report
        assert fds_of(out) == fds_of(plain.stdout), (sampler, out, plain.stdout)


def test_ignored_signals_stay_ignored(tmp):
    """nohup nprof annotate ...: the program must see SIGHUP ignored."""
    def ignore_hup():
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    plain = subprocess.run([PYTHON, program("dispositions.py")], capture_output=True, text=True,
                           preexec_fn=ignore_hup)
    assert "SIGHUP ignored" in plain.stdout, plain.stdout
    proc = subprocess.run([NPROF, "annotate", "--python", PYTHON, "--", program("dispositions.py")],
                          capture_output=True, text=True, preexec_fn=ignore_hup)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(plain.stdout), (proc.stdout, plain.stdout)


def run_until_ready(tmp, *args):
    fifo = os.path.join(tmp, "pid")
    os.mkfifo(fifo)
    proc = subprocess.Popen([NPROF, "annotate", "--python", PYTHON, *args, "--",
                             program("signals.py"), fifo],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert read_fifo(fifo, proc, until="\n").strip().isdigit(), proc.poll()
    os.unlink(fifo)
    return proc


def test_termination_signals_are_passed_on(tmp):
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        proc = run_until_ready(tmp)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 100 + sig, (sig, proc.returncode, err)
        assert f"caught {int(sig)}" in out and "samples" in err + out, (out, err)


def test_second_interrupt_kills_the_program(tmp):
    proc = run_until_ready(tmp)
    proc.send_signal(signal.SIGINT)
    assert proc.stdout.readline() == "interrupted\n"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGKILL, (proc.returncode, err)
    assert "samples" in err + out, (out, err)


def test_broken_pipe_is_one_error_line(tmp):
    r, w = os.pipe()
    os.close(r)
    proc = subprocess.run([NPROF, "annotate", "--python", PYTHON, "--", "-c", "pass"], stdout=w,
                          stderr=subprocess.PIPE, text=True)
    os.close(w)
    assert proc.returncode != 0 and one_line_error(proc.stderr), proc.stderr
    assert "Broken pipe" in proc.stderr, proc.stderr


def test_not_a_python_is_said_before_anything_runs(tmp):
    for fake in ("/bin/true", "/bin/cat"):
        status, out, err = annotate_with(fake, "--", "-c", "pass")
        assert status == 2 and one_line_error(err) and "not a python with numba" in err, (fake, err)
        assert "--python" in err and out == "", (fake, out)
    proc = subprocess.run([NPROF, "doctor", "--python", "/bin/true"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.returncode
    assert "not a python with numba" in proc.stdout and "perf events" not in proc.stdout, proc.stdout


def annotate_with(python, *args):
    proc = subprocess.run([NPROF, "annotate", "--python", python, *args], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


def test_program_that_never_started_is_said_so(tmp):
    status, out, err = annotate("--", "-m", "nprof_no_such_module")
    assert status == 1, status
    assert "No module named" in err, err
    assert "@njit" not in out and "exit status 1" in out, out


def test_interrupted_doctor_says_so(tmp):
    """Stopped by SIGTERM during its first self-test (it says so as it
    starts), doctor says it was interrupted, not that python failed."""
    proc = subprocess.Popen([NPROF, "doctor", "--python", PYTHON], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    text = ""
    while "self-test:" not in text:
        line = proc.stdout.readline()
        assert line, text
        text += line
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=120)
    text += rest
    assert "interrupted" in text and "exit status" not in text, text
    assert proc.returncode == 128 + signal.SIGTERM, (proc.returncode, text)


def test_moved_install_finds_its_start_up_hook(tmp):
    """PREFIX/bin/nprof finds PREFIX/share/nprof wherever PREFIX is."""
    import shutil
    os.makedirs(os.path.join(tmp, "bin"))
    shutil.copy(NPROF, os.path.join(tmp, "bin", "nprof"))
    shutil.copytree(DATADIR, os.path.join(tmp, "share", "nprof"))
    env = {k: v for k, v in os.environ.items() if k != "NPROF_DATADIR"}
    proc = subprocess.run([os.path.join(tmp, "bin", "nprof"), "annotate", "--python", PYTHON, "--",
                           "-c", "pass"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr, proc.stderr
    assert "numba code generation: as shipped" in proc.stdout, proc.stdout


def test_doctor_checks_the_start_up_hook(tmp):
    proc = subprocess.run([NPROF, "doctor", "--python", PYTHON], capture_output=True, text=True,
                          env=dict(os.environ, NPROF_DATADIR=tmp))
    assert proc.returncode == 1, proc.stdout
    assert "hook:" in proc.stdout and "debug code generation" in proc.stdout, proc.stdout
    assert "verdict: ok" not in proc.stdout, proc.stdout


def limited_user():
    import resource
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    if os.geteuid() == 0:
        as_nobody()   # root's CAP_IPC_LOCK would lift the allowance


def test_perf_rings_shrink_to_the_locked_memory_left(tmp):
    """Other perf users (here a program holding rings) leave less than a
    default ring: smaller rings still sample; none at all names ulimit -l."""
    hog = subprocess.Popen([PYTHON, program("mlock_hog.py")], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True, preexec_fn=limited_user)
    try:
        line = hog.stdout.readline()
        if not line.startswith("holding"):
            return   # no perf events here (annotate-perf.test skips)
        proc = subprocess.run([NPROF, "annotate", "--python", PYTHON, "--sampler", "perf", "--",
                               "-c", "pass"], capture_output=True, text=True, cwd="/",
                              preexec_fn=limited_user)
        assert proc.returncode == 0, proc.stderr
        assert "samples" in proc.stdout or "sample," in proc.stdout, proc.stdout
    finally:
        hog.stdin.close()
        hog.wait()


if __name__ == "__main__":
    run([f for name, f in sorted(globals().items()) if name.startswith("test_")])
