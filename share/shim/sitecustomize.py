"""nprof start-up shim: production code generation with Numba line tables.

nprof runs the user's own command line (``python script.py``, ``python -m
pkg``, ``python -c code``) with this directory first on PYTHONPATH, so Python
imports this module as ``sitecustomize`` while ``site`` starts up.  The
program itself then runs exactly as Python runs it: sys.argv, __main__, -m,
-c, __file__, tracebacks and the exit status are Python's own.

Environment contract (set by nprof in the target's environment):

  PYTHONPATH=<this directory>[:<the user's PYTHONPATH>]
  NPROF_SHIM=1
  NPROF_ORIG_PYTHONPATH=<the user's PYTHONPATH>  (absent if they had none)
  NUMBA_DEBUGINFO=1

(If the user's PYTHONPATH is empty, nprof should pass just this directory;
"<dir>:" is tolerated: the current directory it adds to sys.path is removed.)
Python options that skip PYTHONPATH or site (-E, -I, -S) skip this shim too;
the program then runs in Numba's debug code generation.

What this module does, all before the user's code runs:

1. Restores what the program sees: PYTHONPATH gets its original value back
   (or is deleted), NPROF_SHIM and NPROF_ORIG_PYTHONPATH are deleted (from
   os.environ and so from the environment children inherit), and the one
   sys.path entry for this directory is removed (and its path importer
   cache entry).  NUMBA_DEBUGINFO=1 stays visible, in os.environ and in
   child processes, on purpose: Numba reads it not only at import but on
   every compilation (config.reload_config() in the compiler re-reads the
   NUMBA_* environment), so hiding it once numba.core.config is loaded
   would silently drop the line tables of every function compiled later.
   Consequence: Python child processes inherit NUMBA_DEBUGINFO=1 but not
   this shim, so they compile in Numba's debug code generation.

2. Chains to the sitecustomize module Python would have imported without
   nprof (the next one on sys.path: the user's own, or Debian's
   /usr/lib/python3.X/sitecustomize.py apport hook).  It is executed under
   the name ``sitecustomize`` and replaces this module in sys.modules, so
   sys.modules['sitecustomize'] is the same module as without nprof.  If
   there is none, this import raises ImportError(name='sitecustomize'),
   which site ignores silently, exactly as when no sitecustomize exists.
   Errors raised by the chained module propagate to site, which reports
   them as it always does.  usercustomize needs nothing: site imports it
   separately, after sitecustomize.

3. Patches Numba lazily, only if and when the program imports it: a
   sys.meta_path finder, which ignores every other module name with a single
   set lookup and removes itself once Numba's hook points are patched.
   Checked against Numba 0.56.4 (Debian 12, LLVM 14) and 0.61.2 (Debian
   13, LLVM 19) by tests/shim.test on both.  Nothing here tests a version:
   every candidate hook point is wrapped where it exists, and a wrapper
   acts on what the call did (e.g. whether it added ``noinline``).  With NUMBA_DEBUGINFO=1 Numba changes the generated code:
   - ``noinline`` on every jitted function: 0.56.4 adds it in
     DIBuilder.mark_subprogram (numba.core.debuginfo), 0.61 in
     BaseLower.pre_lower (numba.core.lowering), after mark_subprogram.
     Both are wrapped: the wrapper notes whether the LLVM function had
     ``noinline`` before the call and removes it afterwards only if the
     call added it, so functions marked otherwise (e.g.
     ``_dbg_optnone=True``) keep it.
   - CPUTargetOptions.finalize (numba.core.cpu) and
     UFuncTargetOptions.finalize (numba.np.ufunc.ufuncbuilder) default
     ``dbg_extend_lifetimes`` and ``boundscheck`` to on because debug info
     is on.  (In 0.56.4 @jit always passes boundscheck=None explicitly, so
     the boundscheck default only reaches e.g. @cfunc.)  When the user did
     not ask for debug info (``debug=``) and did not set the option, the
     wrapper gives it the value finalize computes with debug info off.
     NUMBA_BOUNDSCHECK keeps overriding both, as Numba applies it later.
   - numba.core.lowering warns NumbaDebugInfoWarning when it finds no
     source for a function (one made by exec; in 0.56.4 also the wrapper
     generated behind carray); a
     production run never shows that, so it is dropped (through a stand-in
     for that module's ``warnings`` global; other warnings pass through).
   - BaseLower._disable_sroa_like_opt (both versions) keeps every local
     in an alloca instead of an SSA value; left alone, because LLVM's own
     SROA/mem2reg undoes it: shim.test checks that the optimised caller is
     production's, instruction for instruction, debug info aside (which
     LLVM 19 writes as ``#dbg_value`` records, earlier ones as calls).
   Known difference: a function the user compiles with ``debug=True`` also
   loses the ``noinline`` Numba would give it (its flags are copied before
   lowering, so the wrapper cannot tell it from NUMBA_DEBUGINFO).  If a hook
   point is missing, one line on stderr says so and the program runs in
   Numba's debug code generation.

4. Stays invisible otherwise: it imports no module that Python had not
   imported already, prints nothing, touches no warnings filter, and an
   internal error only produces one line on stderr, never a failure of the
   program.  The finder in sys.meta_path is the one visible trace, and only
   until Numba is imported.

5. Gives the functions Numba generates for ``parallel=True`` loops the
   user's file (its own section, below; also loaded with --numba-debug,
   then alone: NPROF_SHIM_PARFOR_ONLY=1, deleted like the others).  Numba
   writes each parfor body's gufunc as Python text, execs it and splices
   the user's loop body blocks into its IR; lowering names the debug
   info's file after the function's loc, ``<string>``, though the spliced
   instructions carry the user's lines.  Wrapped:
   parfor_lowering._create_gufunc_for_parfor_body notes the parfor being
   lowered, and compiler.run_frontend, called from it on the generated
   function, moves every location of the generated text (all that
   run_frontend returns) to the parfor's own: the user's file and its
   ``prange`` line (or the line of the array expression).  The body
   blocks spliced in afterwards keep their lines, but those of another
   file (Numba's own, as np.sum's loop in a parallel array expression,
   or code inlined in the IR) go to the parfor's line at lowering: the
   debug info names one file per function, so their line numbers would
   pass for lines of the user's file.  The function's own loc
   stays ``<string>`` until BaseLower.__init__ (wrapped too) builds the
   debug info from it: Numba's parfor pass tells a gufunc by that name
   and would otherwise warn that parallel=True did nothing.
   One change to the generated code, on purpose: the gufunc keeps the
   ``noinline`` that debug info gives it (BaseLower.post_lower, wrapped,
   puts it back after the faithful hook above took it off).  Inlined
   into the wrapper Numba builds around it, which has no debug info, a
   small body loses its whole line table (its samples would fall on the
   line that launched the loop); kept apart, it costs one call per chunk
   of iterations a thread runs, not one per iteration.  So the line table
   names the user's file, the loop header Numba wrote goes to the prange
   line, and no line of the generated text passes for a user line.  Only
   debug info changes: locations feed nothing else in the generated code.
"""

import os as _os
import sys as _sys

_PREFIX = "nprof: "
_NO_HOOK = ("this Numba version has no hook for faithful code generation; "
            "the profile runs in debug code generation")
_said = set()


def _say_once(key, text):
    """One line on stderr per key; never raises."""
    if key in _said:
        return
    _said.add(key)
    try:
        _sys.stderr.write(_PREFIX + text + "\n")
        _sys.stderr.flush()
    except Exception:
        pass


def _internal_error(err):
    _say_once("internal", "internal error in the start-up shim (%s: %s); "
              "continuing" % (type(err).__name__, err))


# ---------------------------------------------------------------------------
# 1. Environment and sys.path

def _same_dir(a, b):
    try:
        return (_os.path.normcase(_os.path.abspath(a or "."))
                == _os.path.normcase(_os.path.abspath(b or ".")))
    except Exception:
        return False


def _restore_environment(mydir):
    env = _os.environ
    ours = env.get("PYTHONPATH", "")
    orig = env.get("NPROF_ORIG_PYTHONPATH")
    if env.get("NPROF_SHIM") == "1":
        if orig is None:
            env.pop("PYTHONPATH", None)
        else:
            env["PYTHONPATH"] = orig
        env.pop("NPROF_ORIG_PYTHONPATH", None)
        env.pop("NPROF_SHIM", None)
    for i, entry in enumerate(_sys.path):
        if _same_dir(entry, mydir):
            del _sys.path[i]
            _sys.path_importer_cache.pop(entry, None)
            # "<ours>:" + "" ends in an empty item, which Python turned into
            # the current directory; an empty PYTHONPATH adds nothing.
            if orig == "" and ours.endswith(_os.pathsep) and \
                    i < len(_sys.path) and _same_dir(_sys.path[i], ""):
                del _sys.path[i]
            break


# ---------------------------------------------------------------------------
# 3. Numba patches

def _wrap(owner, name, make):
    """Replace owner.name (own attribute, not inherited) by make(orig)."""
    orig = owner.__dict__.get(name)
    if orig is None or getattr(orig, "_nprof_wrapped", False):
        return orig is not None
    new = make(orig)
    new._nprof_wrapped = True
    new.__wrapped__ = orig
    for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
        try:
            setattr(new, attr, getattr(orig, attr))
        except Exception:
            pass
    setattr(owner, name, new)
    return True


def _has_noinline(fn):
    try:
        return "noinline" in fn.attributes
    except Exception:
        return None


def _drop_noinline(fn, had):
    # Only when we know the function had no noinline before the call.
    if had is False:
        try:
            fn.attributes.discard("noinline")
        except Exception as err:
            _internal_error(err)


def _function_arg(args, kwargs):
    fn = kwargs.get("function")
    if fn is None and args:
        fn = args[0]
    return fn


def _make_mark_subprogram(orig):
    def mark_subprogram(self, *args, **kwargs):
        fn = _function_arg(args, kwargs)
        had = _has_noinline(fn)
        result = orig(self, *args, **kwargs)
        _drop_noinline(fn, had)
        return result
    return mark_subprogram


def _lowered_function(lower):
    builder = getattr(lower, "builder", None)
    fn = getattr(builder, "function", None)
    return fn if fn is not None else getattr(lower, "function", None)


def _make_pre_lower(orig):
    def pre_lower(self, *args, **kwargs):
        fn = _lowered_function(self)
        had = _has_noinline(fn)
        result = orig(self, *args, **kwargs)
        _drop_noinline(fn, had)
        return result
    return pre_lower


# Options Numba derives from debuginfo although they change the program.
_DERIVED = ("boundscheck", "dbg_extend_lifetimes")


def _production_debuginfo():
    """Numba's debuginfo default without NUMBA_DEBUGINFO (0.56.4: it falls
    back to NUMBA_ENABLE_PROFILING)."""
    config = _sys.modules.get("numba.core.config")
    return bool(getattr(config, "ENABLE_PROFILING", False))


def _make_finalize(orig):
    def finalize(self, flags, *args, **kwargs):
        try:
            options = type(flags).options
            given = {n: flags.is_set(n)
                     for n in ("debuginfo",) + _DERIVED if n in options}
            shadow = flags.copy()
        except Exception as err:
            _internal_error(err)
            given = None
        result = orig(self, flags, *args, **kwargs)
        if given and not given.get("debuginfo", True):
            try:
                if flags.debuginfo and not _production_debuginfo():
                    # What finalize computes for these options without
                    # debug info.
                    shadow.debuginfo = False
                    orig(self, shadow, *args, **kwargs)
                    for n in _DERIVED:
                        if n in given and not given[n]:
                            value = getattr(shadow, n)
                            if getattr(flags, n) != value:
                                setattr(flags, n, value)
            except Exception as err:
                _internal_error(err)
        return result
    return finalize


def _patch_debuginfo(mod):
    return _wrap(mod.DIBuilder, "mark_subprogram", _make_mark_subprogram)


class _QuietDebugInfoWarnings:
    """Stands in for the ``warnings`` module inside numba.core.lowering.

    Drops NumbaDebugInfoWarning ("Could not find source for function ...
    Debug line information may be inaccurate"), which Numba only emits
    because debug info is on, so a production run never shows it; anything
    else goes to the real module, one stack level up to skip this frame.
    """

    def __init__(self, real, category):
        self._real = real
        self._category = category

    def __getattr__(self, name):
        return getattr(self._real, name)

    def warn(self, message, category=None, stacklevel=1, *args, **kwargs):
        cat = self._category
        if isinstance(message, cat) or (
                isinstance(category, type) and issubclass(category, cat)):
            if not _production_debuginfo():
                return None
        return self._real.warn(message, category, stacklevel + 1,
                               *args, **kwargs)


def _quiet_debuginfo_warnings(mod):
    real = getattr(mod, "warnings", None)
    errors = _sys.modules.get("numba.core.errors")
    category = getattr(errors, "NumbaDebugInfoWarning", None)
    if real is None or category is None or \
            isinstance(real, _QuietDebugInfoWarnings) or \
            not hasattr(real, "warn"):
        return
    mod.warnings = _QuietDebugInfoWarnings(real, category)


def _patch_lowering(mod):
    done = False
    for cls_name in ("BaseLower", "Lower"):
        cls = getattr(mod, cls_name, None)
        if cls is not None and _wrap(cls, "pre_lower", _make_pre_lower):
            done = True
    _quiet_debuginfo_warnings(mod)
    return done


def _patch_cpu(mod):
    return _wrap(mod.CPUTargetOptions, "finalize", _make_finalize)


def _patch_ufuncbuilder(mod):
    return _wrap(mod.UFuncTargetOptions, "finalize", _make_finalize)


# module name -> (patcher, part of Numba's core: imported, if the numba
# package did not import it, to check that the hook points exist)
_PATCHERS = {
    "numba.core.debuginfo": (_patch_debuginfo, True),
    "numba.core.lowering": (_patch_lowering, True),
    "numba.core.cpu": (_patch_cpu, True),
    "numba.np.ufunc.ufuncbuilder": (_patch_ufuncbuilder, False),
}
_done = {}          # module name -> patched (bool)
_watch = set(_PATCHERS) | {"numba"}


def _apply(name, module):
    patcher = _PATCHERS.get(name)
    if patcher is None or name in _done:
        return
    try:
        ok = bool(patcher[0](module))
    except AttributeError:
        ok = False
    except Exception as err:
        ok = False
        _internal_error(err)
    _done[name] = ok
    _watch.discard(name)


def _check_numba():
    """After the numba package is imported: patch what is loaded, then check
    that every place that forces debug code generation is covered."""
    for name in _PATCHERS:
        if name not in _done and name in _sys.modules:
            _apply(name, _sys.modules[name])
    _watch.discard("numba")
    for name, (_, core) in _PATCHERS.items():
        if core and name not in _done:
            try:
                __import__(name)
            except Exception:
                pass
            if name in _sys.modules:
                _apply(name, _sys.modules[name])
    noinline = _done.get("numba.core.debuginfo") or \
        _done.get("numba.core.lowering")
    if not (noinline and _done.get("numba.core.cpu")):
        _say_once("nohook", _NO_HOOK)
    _maybe_uninstall()


def _loaded(module):
    try:
        name = getattr(module, "__name__", None)
        if name == "numba":
            _check_numba()
        elif name in _PATCHERS:
            _apply(name, module)
            _maybe_uninstall()
    except Exception as err:
        _internal_error(err)


def _hook_loader(spec, loaded=None):
    """Has the module `spec` loads handed to `loaded` (default _loaded)
    right after it is executed, before its importer sees it."""
    loader = spec.loader
    orig = getattr(loader, "exec_module", None)
    if orig is None:
        return
    loaded = loaded or _loaded

    def exec_module(module):
        # Unhook first: a loader shared between modules (zipimport) must not
        # keep our wrapper for the modules this one imports.
        if getattr(loader, "__dict__", {}).get("exec_module") is exec_module:
            try:
                del loader.exec_module
            except Exception:
                pass
        orig(module)
        try:
            loaded(module)
        except Exception as err:
            _internal_error(err)

    try:
        loader.exec_module = exec_module
    except Exception:
        pass


def _spec_elsewhere(me, fullname, path, target):
    """The spec the finders other than `me` give for `fullname`, or None."""
    for finder in _sys.meta_path:
        find = getattr(finder, "find_spec", None) if finder is not me else None
        spec = find(fullname, path, target) if find else None
        if spec is not None:
            return spec
    return None


class _NprofNumbaHook:
    """Meta path finder noticing when Numba's patch points are imported."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _watch:
            return None
        try:
            spec = _spec_elsewhere(self, fullname, path, target)
            if spec is not None and spec.loader is not None:
                _hook_loader(spec)
            return spec
        except Exception as err:
            _internal_error(err)
        return None

    def invalidate_caches(self):
        pass


_hook = _NprofNumbaHook()


def _maybe_uninstall():
    if _watch:
        return
    try:
        _sys.meta_path.remove(_hook)
    except ValueError:
        pass


def _install_numba_hook():
    if "numba" in _sys.modules:        # cannot happen at start-up; be safe
        _check_numba()
        return
    _sys.meta_path.insert(0, _hook)


# ---------------------------------------------------------------------------
# 5. The user's file for the gufuncs of parallel=True (see the docstring)

_PARFOR_MODULE = "numba.parfors.parfor_lowering"
_parfor_only = _os.environ.pop("NPROF_SHIM_PARFOR_ONLY", None) == "1"
_parfor_locs = []       # the parfors whose gufuncs are being built, innermost last
_gufunc_locs = None     # generated function -> its parfor's loc (weak keys)


def _relocate_ir(func_ir, loc, foreign=False):
    """Every location of the generated function's IR (its text's; with
    `foreign`, every one of another file than `loc`'s) becomes `loc`."""
    from numba.core import ir
    generated = func_ir.loc.filename

    def fix(obj):
        for name, value in list(getattr(obj, "__dict__", {}).items()):
            if isinstance(value, ir.Loc):
                moved = value.filename != loc.filename if foreign else value.filename == generated
                if moved and obj is not func_ir:
                    setattr(obj, name, loc)
            elif isinstance(value, (ir.Var, ir.Expr, ir.Inst, ir.Const,
                                    ir.Global, ir.FreeVar, ir.Arg)):
                fix(value)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, (ir.Var, ir.Expr, ir.Const)):
                        fix(item)
            elif isinstance(value, dict) and name == "_kws":
                for item in value.values():
                    if isinstance(item, (ir.Var, ir.Expr, ir.Const)):
                        fix(item)

    for block in func_ir.blocks.values():
        fix(block)
        for inst in block.body:
            fix(inst)


def _make_run_frontend(orig):
    def run_frontend(func, *args, **kwargs):
        func_ir = orig(func, *args, **kwargs)
        try:
            loc = _parfor_locs[-1] if _parfor_locs else None
            name = getattr(func, "__name__", "")
            if loc is not None and name.startswith("__numba_parfor_gufunc") and \
                    func_ir.loc.filename != loc.filename and \
                    func_ir.loc.filename == "<string>":
                _relocate_ir(func_ir, loc)
                _gufunc_locs[func] = loc
        except Exception as err:
            _internal_error(err)
        return func_ir
    return run_frontend


def _make_lower_init(orig):
    def __init__(self, context, library, fndesc, func_ir, *args, **kwargs):
        try:
            func = getattr(getattr(func_ir, "func_id", None), "func", None)
            loc = _gufunc_locs.get(func) if func is not None else None
            if loc is not None and func_ir.loc.filename == "<string>":
                func_ir.loc = loc
                # The body spliced in may hold code of another file:
                # Numba's own (np.sum's loop in parfor.py) or a helper
                # inlined in the IR.  The debug info names one file per
                # function, so its lines would pass for lines of the
                # user's file: it goes to the parfor's line instead.
                _relocate_ir(func_ir, loc, foreign=True)
                self._nprof_gufunc = True
        except Exception as err:
            _internal_error(err)
        return orig(self, context, library, fndesc, func_ir, *args, **kwargs)
    return __init__


def _make_post_lower(orig):
    def post_lower(self, *args, **kwargs):
        if getattr(self, "_nprof_gufunc", False):
            try:
                fn = _lowered_function(self)
                if _has_noinline(fn) is False:
                    fn.attributes.add("noinline")
            except Exception as err:
                _internal_error(err)
        return orig(self, *args, **kwargs)
    return post_lower


def _wrap_parfor_points(mod):
    """Numba's compiler and lowering, once they are imported."""
    global _gufunc_locs
    import weakref
    if _gufunc_locs is None:
        _gufunc_locs = weakref.WeakKeyDictionary()
    compiler = getattr(mod, "compiler", None)
    lowering = _sys.modules.get("numba.core.lowering")
    base = getattr(lowering, "BaseLower", None)
    return (compiler is not None and base is not None and
            _wrap(compiler, "run_frontend", _make_run_frontend) and
            _wrap(base, "__init__", _make_lower_init) and
            _wrap(base, "post_lower", _make_post_lower))


def _make_create_gufunc(orig, mod):
    def create_gufunc(lowerer, parfor, *args, **kwargs):
        # numba.core.compiler is still being imported when Numba imports
        # the parfor lowering: its run_frontend is wrapped at first use.
        if not _wrap_parfor_points(mod):
            _say_once("noparfor", "this Numba version has no hook for the files of "
                      "parallel=True loops; their bodies are reported as <string>")
        _parfor_locs.append(getattr(parfor, "loc", None))
        try:
            return orig(lowerer, parfor, *args, **kwargs)
        finally:
            _parfor_locs.pop()
    return create_gufunc


def _patch_parfor_lowering(mod):
    if not _wrap(mod, "_create_gufunc_for_parfor_body",
                 lambda orig: _make_create_gufunc(orig, mod)):
        _say_once("noparfor", "this Numba version has no hook for the files of "
                  "parallel=True loops; their bodies are reported as <string>")


class _NprofParforHook:
    """Meta path finder noticing the import of Numba's parfor lowering."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _PARFOR_MODULE:
            return None
        try:
            _sys.meta_path.remove(self)
            spec = _spec_elsewhere(self, fullname, path, target)
            if spec is not None and spec.loader is not None:
                _hook_loader(spec, _patch_parfor_lowering)
            return spec
        except Exception as err:
            _internal_error(err)
        return None

    def invalidate_caches(self):
        pass


def _install_parfor_hook():
    if _PARFOR_MODULE in _sys.modules:
        _patch_parfor_lowering(_sys.modules[_PARFOR_MODULE])
    else:
        _sys.meta_path.insert(0, _NprofParforHook())


# ---------------------------------------------------------------------------
# 2. Chain to the sitecustomize Python would have imported without nprof

def _next_sitecustomize():
    """Spec of the next sitecustomize on sys.path, or None."""
    import _frozen_importlib_external as _external
    return _external.PathFinder.find_spec("sitecustomize", _sys.path)


def _run_chained(spec):
    import _frozen_importlib as _bootstrap
    module = _bootstrap.module_from_spec(spec)
    # The import of "sitecustomize" in progress is ours; importlib returns
    # whatever sys.modules holds under that name once we are done.
    _sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


def _main():
    try:
        mydir = _os.path.dirname(_os.path.abspath(__file__))
        _restore_environment(mydir)
        _install_parfor_hook()
        if not _parfor_only:
            _install_numba_hook()
    except Exception as err:
        _internal_error(err)
    try:
        spec = _next_sitecustomize()
    except Exception as err:
        _internal_error(err)
        spec = None
    if spec is None or spec.loader is None:
        raise ImportError("no sitecustomize after nprof's",
                          name="sitecustomize")
    _run_chained(spec)


_main()
