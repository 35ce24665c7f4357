"""Prints what a program can observe about how it was started.

tests/shim.test runs this as a script, as `-m` package and through `-c`,
with and without the nprof shim, and requires byte-identical output.  The
one intended difference is not printed: until Numba is imported, the shim's
finders sit in sys.meta_path (they remove themselves once Numba is patched).
"""
import os
import sys

# Before this probe imports anything itself.
modules = list(sys.modules)

if os.environ.get("PROBE_IMPORT_NUMBA") == "1":
    import numba  # noqa: F401
    modules = list(sys.modules)

import warnings  # noqa: E402  (after the snapshot on purpose)


def show(key, value):
    print("%s=%r" % (key, value))


g = globals()
show("argv", sys.argv)
show("orig_argv", sys.orig_argv)
show("path0", sys.path[0])
show("path", sys.path)
show("name", g.get("__name__"))
show("file", g.get("__file__"))
show("spec", getattr(g.get("__spec__"), "name", None))
show("environ", sorted(os.environ.items()))
show("numba_loaded", "numba" in sys.modules)
show("modules", modules)
show("meta_path", [type(f).__module__ + "." + type(f).__qualname__
                   for f in sys.meta_path
                   if not type(f).__name__.startswith("_Nprof")])
show("path_hooks", [getattr(h, "__qualname__", type(h).__qualname__)
                    for h in sys.path_hooks])
show("path_importer_cache", sorted(sys.path_importer_cache))
sc = sys.modules.get("sitecustomize")
show("sitecustomize", getattr(sc, "__file__", None))
show("sitecustomize_names", sorted(vars(sc)) if sc else None)
show("usercustomize", getattr(sys.modules.get("usercustomize"), "__file__",
                              None))
show("excepthook", (sys.excepthook.__module__, sys.excepthook.__qualname__))
show("displayhook", getattr(sys.displayhook, "__qualname__", None))
show("flags", sys.flags)
show("warnings_filters", warnings.filters)
show("stdin", sys.stdin.read())
sys.stdout.flush()
# The environment a child process inherits (not only os.environ).
os.system("env | LC_ALL=C sort")
