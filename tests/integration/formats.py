"""Integration tests of nprof's output formats, each read by the program
that consumes it: nprof itself (`nprof report`), python3-jsonschema,
speedscope in headless Chromium, `go tool pprof`, and the HTML page in
Chromium through puppeteer-core.  setup/install-test-deps installs them;
a group whose consumer is missing prints a skip line and exits 77.

usage: formats.py GROUP   (json, schema, speedscope, pprof, html)"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import EXAMPLE, PYTHON, annotate, line_of, nprof, nprof_bytes, one_line_error, program, run, thread_rows

DEPS = os.environ.get("NPROF_TEST_DEPS") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nprof-test-deps")
MODULES = os.path.join(DEPS, "node_modules")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
JS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
SCHEMA = os.path.join(os.environ.get("NPROF_DATADIR", ""), "profile.schema.json")
SUFFIXES = {"text": ".txt", "json": ".json", "speedscope": ".speedscope.json",
            "pprof": ".pb.gz", "collapsed": ".collapsed", "html": ".html"}
REPEATS = "40"
_taken = {}


def profile_of_example():
    """One run of the bundled example, saved in every format at once."""
    if "text" not in _taken:
        tmp = _taken.setdefault("dir", tempfile.mkdtemp(prefix="nprof-formats-"))
        paths = {f: os.path.join(tmp, "run" + s) for f, s in SUFFIXES.items()}
        args = [a for p in paths.values() for a in ("-o", p)]
        status, out, err = annotate(*args, "--", EXAMPLE, REPEATS)
        assert status == 0, (status, err)
        _taken.update(paths)
    return _taken


def profile_of_threads():
    """One run of a parallel kernel with an idle worker spinning in
    OpenMP's pool (two threads, one waiting), saved in every format."""
    if "threads" not in _taken:
        tmp = _taken.setdefault("dir", tempfile.mkdtemp(prefix="nprof-formats-"))
        paths = {f: os.path.join(tmp, "par" + s) for f, s in SUFFIXES.items()}
        args = [a for p in paths.values() for a in ("-o", p)]
        status, out, err = annotate("--threads", "all", *args, "--", program("pool_wait.py"),
                                    env={"NUMBA_NUM_THREADS": "2", "NUMBA_THREADING_LAYER": "omp",
                                         "OMP_WAIT_POLICY": "active"})
        assert status == 0, (status, err)
        _taken["threads"] = paths
    return _taken["threads"]


def text_threads(text):
    """The text report's thread table: [(tid, samples, top line text)]."""
    return [(tid, samples, top) for tid, samples, _, top in thread_rows(text)]


def text_waiting(text):
    match = re.search(r"([0-9.]+%) waiting in Numba's thread pool", text.splitlines()[0])
    assert match, text
    return match.group(1)


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def skip_unless(ok, what):
    if not ok:
        print(f"SKIP: {what} (setup/install-test-deps installs it)")
        sys.exit(77)


# ---- json: nprof's own format and `nprof report` (no outside consumer)

def test_report_of_the_json_is_the_runs_text_byte_for_byte(tmp):
    p = profile_of_example()
    status, out, err = nprof_bytes("report", p["json"], stdin=b"")
    assert status == 0, err
    assert out == read(p["text"], "rb"), (out[:400], read(p["text"])[:400])
    assert b"two_loops.py" in out


def test_report_of_the_json_renders_the_other_formats_as_the_run_did(tmp):
    p = profile_of_example()
    for fmt in ("collapsed", "speedscope", "json"):
        dest = os.path.join(tmp, "again" + SUFFIXES[fmt])
        status, out, err = nprof("report", p["json"], "-o", dest)
        assert status == 0, err
        if fmt == "json":
            # rate_achieved and the version are the same; all else too.
            assert read(dest) == read(p["json"]), fmt
        else:
            assert read(dest) == read(p[fmt]), fmt


def test_json_is_lossless_and_counts_are_integers(tmp):
    prof = json.loads(read(profile_of_example()["json"]))
    c = prof["counts"]
    assert c["samples"] == c["numba"] + c["other"] + c["bad"] > 0, c
    assert len(prof["samples"]["stack"]) == c["samples"]
    assert sum(t["samples"] for t in prof["threads"]) == c["samples"]
    assert all(isinstance(v, int) for v in c.values())
    assert prof["sampler"] in ("perf", "ptrace", "gdb") and prof["command"].endswith(f"two_loops.py {REPEATS}")
    # The versions of the python profiled, as it reports them itself.
    versions = subprocess.run([PYTHON, "-c", "import sys, numba; print(sys.version.split()[0], numba.__version__)"],
                              capture_output=True, text=True, check=True).stdout.split()
    assert [prof["python_version"], prof["numba_version"]] == versions, (prof["python_version"], prof["numba_version"])
    costly = line_of(EXAMPLE, "np.sqrt(a[i])")
    hot = [f for f in prof["frames"] if f.get("line") == costly]
    assert hot and hot[0]["name"] == "kernel" and hot[0]["kind"] == "user", prof["frames"]
    src = [s for s in prof["sources"] if s["path"].endswith("two_loops.py")]
    assert src and src[0]["lines"][costly - 1] == read(EXAMPLE).splitlines()[costly - 1]


COLLAPSED = re.compile(r"^([^;\n]+)(;[^;\n]+)* ([0-9]+)$")


def test_collapsed_lines_follow_the_grammar_and_add_up(tmp):
    p = profile_of_example()
    total = 0
    for line in read(p["collapsed"]).splitlines():
        m = COLLAPSED.match(line)
        assert m, repr(line)
        assert not any(f != f.strip() or not f for f in line.rsplit(" ", 1)[0].split(";")), line
        total += int(m.group(3))
    assert total == json.loads(read(p["json"]))["counts"]["samples"]
    costly = line_of(EXAMPLE, "np.sqrt(a[i])")
    assert f"kernel (two_loops.py:{costly})" in read(p["collapsed"])


def test_threads_and_pool_waiting_in_every_format(tmp):
    """The per-thread table and the pool's waiting of a parallel run: the
    JSON's threads carry what the text table shows; `nprof report` of the
    JSON gives the text again; speedscope's profile names and pprof's
    comments carry each thread's line."""
    p = profile_of_threads()
    text = read(p["text"])
    table = text_threads(text)
    assert len(table) == 2 and "waiting in Numba's thread pool" in text, text
    prof = json.loads(read(p["json"]))
    assert prof["counts"]["pool_wait"] > 0, prof["counts"]
    c = prof["counts"]
    assert c["samples"] == c["numba"] + c["other"] + c["bad"] + c["pool_wait"], c
    assert any(f.get("pool") for f in prof["frames"] if f["kind"] == "native"), prof["frames"]
    for (tid, samples, top), t in zip(table, prof["threads"]):
        assert (t["tid"], t["samples"]) == (tid, samples), (t, table)
        if t["top_line"]:
            assert top.startswith(f"{t['top_line']['file']}:{t['top_line']['line']} "), (t, top)
        else:
            assert top.startswith("none"), (t, top)
    assert sum(t["pool_wait"] for t in prof["threads"]) == c["pool_wait"], prof["threads"]
    status, again, err = nprof("report", p["json"])
    assert status == 0 and again == text, (err, again)
    names = [q["name"] for q in json.loads(read(p["speedscope"]))["profiles"]]
    for (tid, samples, top), name in zip(table, names):
        assert f"(thread {tid} of process" in name and "% of samples" in name, names
    assert any("waiting in Numba's thread pool" in n for n in names), names
    raw = gzip.decompress(read(p["pprof"], "rb"))
    assert all(f"thread {tid} (".encode() in raw for tid, _, _ in table), table


def test_format_by_option_beats_the_suffix_and_unknown_ones_are_refused(tmp):
    p = profile_of_example()
    status, out, err = nprof("report", "--format", "collapsed", p["json"])
    assert status == 0 and out == read(p["collapsed"]), err
    status, out, err = nprof("report", "--format", "svg", p["json"])
    assert status == 2 and "unknown --format 'svg'" in err, err
    status, out, err = annotate("--format", "svg", "--", EXAMPLE)
    assert status == 2 and "unknown --format 'svg'" in err, err


def test_report_refuses_what_is_not_a_profile(tmp):
    bad = os.path.join(tmp, "bad.json")
    for text, why in (("{", "line 1"), ('{"format": "x"}', "not an nprof profile"),
                      ('{"format": "nprof-profile", "version": 99}', "newer than this nprof"),
                      (read(profile_of_example()["json"]).replace('"stacks": [null', '"stacks": [null, [7, 0]'),
                       "stack 1")):
        with open(bad, "w") as f:
            f.write(text)
        status, out, err = nprof("report", bad)
        assert status == 2 and one_line_error(err) and why in err, (text[:40], err)
        assert out == ""
    status, out, err = nprof("report", os.path.join(tmp, "missing.json"))
    assert status == 2 and one_line_error(err) and "cannot open profile" in err, err


def test_report_options_apply_to_a_saved_profile(tmp):
    p = profile_of_example()
    status, out, err = nprof("report", "--sort", "name", "--show-internals", p["json"])
    assert status == 0 and "function" in out, err
    status, out, err = nprof("report", "--sort", "size", p["json"])
    assert status == 2 and "invalid --sort" in err


# ---- schema: python3-jsonschema against nprof's schema and speedscope's

def have_jsonschema():
    try:
        import jsonschema  # noqa: F401
        return True
    except ImportError:
        return False


def test_json_validates_against_nprofs_schema(tmp):
    import jsonschema
    schema = json.loads(read(SCHEMA))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(json.loads(read(profile_of_example()["json"])), schema)
    broken = json.loads(read(profile_of_example()["json"]))
    broken["counts"]["samples"] = 1.5
    try:
        jsonschema.validate(broken, schema)
        raise AssertionError("a fractional count passed the schema")
    except jsonschema.ValidationError:
        pass


def test_json_of_a_parallel_run_validates(tmp):
    import jsonschema
    jsonschema.validate(json.loads(read(profile_of_threads()["json"])), json.loads(read(SCHEMA)))


def test_speedscope_output_validates_against_speedscopes_schema(tmp):
    import jsonschema
    schema = json.loads(read(os.path.join(MODULES, "speedscope", "dist", "release",
                                          "file-format-schema.json")))
    jsonschema.validate(json.loads(read(profile_of_example()["speedscope"])), schema)
    jsonschema.validate(json.loads(read(profile_of_threads()["speedscope"])), schema)


# ---- speedscope: its own page imports our speedscope, collapsed and pprof files

def test_speedscope_imports_speedscope_collapsed_and_pprof_files(tmp):
    p = profile_of_example()
    proc = subprocess.run(["node", os.path.join(JS, "speedscope-import.js"), MODULES, CHROMIUM, tmp,
                           p["speedscope"], p["collapsed"], p["pprof"]],
                          capture_output=True, text=True, timeout=300)
    print(proc.stdout + proc.stderr)
    assert proc.returncode == 0


# ---- pprof: go tool pprof reads it and finds the hot line

def test_go_pprof_shows_the_hot_line_first(tmp):
    p = profile_of_example()
    assert gzip.decompress(read(p["pprof"], "rb"))
    proc = subprocess.run(["go", "tool", "pprof", "-top", "-lines", p["pprof"]],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HOME": tmp, "GOCACHE": os.path.join(tmp, "go")})
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout)
    rows = [l for l in proc.stdout.splitlines() if "two_loops.py:" in l]
    costly = line_of(EXAMPLE, "np.sqrt(a[i])")
    assert rows and rows[0].rstrip().endswith(f"two_loops.py:{costly}"), proc.stdout
    assert "Type: " in proc.stdout


def test_go_pprof_lists_the_threads_in_its_comments(tmp):
    p = profile_of_threads()
    table = text_threads(read(p["text"]))
    proc = subprocess.run(["go", "tool", "pprof", "-comments", p["pprof"]],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HOME": tmp, "GOCACHE": os.path.join(tmp, "go")})
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout)
    assert f"{text_waiting(read(p['text']))} of samples waiting in Numba's thread pool" in proc.stdout
    for tid, samples, top in table:
        assert re.search(rf"^thread {tid} \(.*% of samples", proc.stdout, re.M), (tid, proc.stdout)


# ---- html: the page in Chromium

def test_html_page_shows_the_hot_line_sorts_and_zooms(tmp):
    p = profile_of_example()
    costly = line_of(EXAMPLE, "np.sqrt(a[i])")
    prof = json.loads(read(p["json"]))
    rows = [l for l in read(p["text"]).splitlines() if re.match(rf"^.{{16}}\s+{costly} \|", l)]
    assert rows, read(p["text"])
    self_pct = rows[0][:7].strip()
    shot = os.environ.get("NPROF_TEST_SCREENSHOT") or os.path.join(tmp, "page.png")
    proc = subprocess.run(["node", os.path.join(JS, "html-check.js"), MODULES, CHROMIUM, p["html"],
                           str(costly), self_pct, shot],
                          capture_output=True, text=True, timeout=300)
    print(proc.stdout + proc.stderr)
    assert proc.returncode == 0
    assert prof["counts"]["samples"] > 0


def test_html_page_lists_the_threads(tmp):
    p = profile_of_threads()
    text = read(p["text"])
    expected = os.path.join(tmp, "expected.json")
    with open(expected, "w") as f:
        json.dump({"waiting": text_waiting(text),
                   "threads": [[tid, samples, os.path.basename(top.split()[0]) if not top.startswith("none")
                                else "none"] for tid, samples, top in text_threads(text)]}, f)
    shot = os.environ.get("NPROF_TEST_SCREENSHOT_THREADS") or os.path.join(tmp, "threads.png")
    proc = subprocess.run(["node", os.path.join(JS, "html-threads.js"), MODULES, CHROMIUM, p["html"],
                           expected, shot], capture_output=True, text=True, timeout=300)
    print(proc.stdout + proc.stderr)
    assert proc.returncode == 0


GROUPS = {
    "json": ([test_report_of_the_json_is_the_runs_text_byte_for_byte,
              test_report_of_the_json_renders_the_other_formats_as_the_run_did,
              test_json_is_lossless_and_counts_are_integers,
              test_collapsed_lines_follow_the_grammar_and_add_up,
              test_threads_and_pool_waiting_in_every_format,
              test_format_by_option_beats_the_suffix_and_unknown_ones_are_refused,
              test_report_refuses_what_is_not_a_profile,
              test_report_options_apply_to_a_saved_profile], lambda: (True, "")),
    "schema": ([test_json_validates_against_nprofs_schema,
                test_json_of_a_parallel_run_validates,
                test_speedscope_output_validates_against_speedscopes_schema],
               lambda: (have_jsonschema() and os.path.isdir(os.path.join(MODULES, "speedscope")),
                        "python3-jsonschema or npm's speedscope is missing")),
    "speedscope": ([test_speedscope_imports_speedscope_collapsed_and_pprof_files],
                   lambda: (shutil.which("node") and os.path.exists(CHROMIUM) and
                            os.path.isdir(os.path.join(MODULES, "speedscope")) and
                            os.path.isdir(os.path.join(MODULES, "puppeteer-core")),
                            "node, chromium, or npm's speedscope or puppeteer-core is missing")),
    "pprof": ([test_go_pprof_shows_the_hot_line_first, test_go_pprof_lists_the_threads_in_its_comments],
              lambda: (shutil.which("go"), "go (golang-go) is missing")),
    "html": ([test_html_page_shows_the_hot_line_sorts_and_zooms, test_html_page_lists_the_threads],
             lambda: (shutil.which("node") and os.path.exists(CHROMIUM) and
                      os.path.isdir(os.path.join(MODULES, "puppeteer-core")),
                      "node, chromium or npm's puppeteer-core is missing")),
}

if __name__ == "__main__":
    tests, available = GROUPS[sys.argv[1]]
    ok, why = available()
    skip_unless(ok, why)
    try:
        run(tests)
    finally:
        if _taken:
            shutil.rmtree(_taken["dir"], ignore_errors=True)
