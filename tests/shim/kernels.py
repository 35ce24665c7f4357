"""Code generation facts for tests/shim.test, one `key=value` line each.

Run in several configurations (production, NUMBA_DEBUGINFO=1, NUMBA_DEBUGINFO=1
under the nprof shim); the driver compares the values.

dispatcher.inspect_llvm(sig) returns the *final* module of the function's
code library, i.e. after Numba's full LLVM optimisation pipeline, with the
libraries of the jitted functions it calls linked in.  So "the helper was
inlined" is checked as: the caller's own function body (its `define` up to
the closing brace) contains no `call` whose callee is the helper's mangled
name.  The helper's definition itself may still be present (linkonce_odr),
so checking the whole module for the name would be wrong.
"""
import ctypes
import hashlib
import re
import sys
import warnings

import numpy as np
from numba import carray, cfunc, njit, types, vectorize
from numba.core import itanium_mangler
from numba.core.compiler import Flags
from numba.core.cpu import CPUTargetOptions
from numba.core.errors import NumbaDebugInfoWarning
from numba.np.ufunc.ufuncbuilder import UFuncTargetOptions


@njit
def helper(a, i):
    return a[i] * 2.0


@njit
def kern(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += helper(a, i)
    return s


@njit(_dbg_optnone=True)
def helper_optnone(a, i):
    return a[i] * 3.0


@njit
def kern_optnone(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += helper_optnone(a, i)
    return s


@njit(_dbg_extend_lifetimes=True)
def extended(a):
    return a.sum()


@vectorize
def vinc(x):
    return x + 1.0


def only(disp):
    sigs = disp.signatures
    assert len(sigs) == 1, sigs
    return disp.overloads[sigs[0]]


def yes(b):
    return "yes" if b else "no"


def function_body(ir, name):
    m = re.search(r'^define [^\n]*@"?' + re.escape(name) + r'"?\(.*?^}',
                  ir, re.M | re.S)
    assert m, "no definition of " + name
    return m.group(0)


def attribute_group(ir, body):
    """The attributes of the function defined by `body` (its #N group)."""
    header = body.split("\n", 1)[0]
    m = re.search(r"\) [^{]*#(\d+)", header)
    if not m:
        return ""
    g = re.search(r"^attributes #" + m.group(1) + r" = \{([^}]*)\}", ir, re.M)
    return g.group(1) if g else ""


def calls(body, name):
    return re.search(r'\bcall [^\n]*@"?' + re.escape(name) + r'"?\(', body) \
        is not None


def flags_of(cres):
    """Flags summary encoded in the mangled name: the real compile flags."""
    return " ".join(Flags.demangle(t) for t in cres.fndesc.abi_tags)


def flag_on(summary, name):
    return yes(re.search(r"\b" + name + r"=True\b", summary))


def normalised(body, tags):
    """Body without debug metadata, with abi tags and local names canonical,
    so production and shim code can be compared instruction by instruction.
    """
    for t in tags:
        body = body.replace(itanium_mangler.mangle_abi_tag(t), "TAG")
    lines = []
    for line in body.splitlines():
        # Debug intrinsics (`call void @llvm.dbg.value(...)`, LLVM < 19) and
        # debug records (`#dbg_value(...)` lines, LLVM 19: Numba 0.61) are
        # debug info, not code.
        if "llvm.dbg." in line or re.match(r"\s*#dbg_\w+\(", line):
            continue
        line = re.sub(r",? !dbg !\d+", "", line)
        line = re.sub(r"!\d+", "!N", line)
        line = re.sub(r"#\d+", "#N", line)
        lines.append(line)
    names = {}
    return re.sub(r"%[-a-zA-Z$._0-9]+",
                  lambda m: names.setdefault(m.group(0), "%%v%d" % len(names)),
                  "\n".join(lines))


def out(key, value):
    print("%s=%s" % (key, value))


a = np.arange(10.0)
kern(a)
kern_optnone(a)

cres = only(kern)
hres = only(helper)
ir = kern.inspect_llvm(kern.signatures[0])
body = function_body(ir, cres.fndesc.mangled_name)
out("dbg_locations", yes("!dbg" in body))
out("caller_noinline", yes("noinline" in attribute_group(ir, body).split()))
out("helper_inlined", yes(not calls(body, hres.fndesc.mangled_name)))
# Inlined code keeps its own lines: DILocations with an inlinedAt scope,
# which gdb turns into inline frames.
out("inlined_at", yes(re.search(r"!DILocation\([^)]*inlinedAt:", ir)))
summary = flags_of(cres)
out("debuginfo_flag", flag_on(summary, "debuginfo"))
out("boundscheck_flag", flag_on(summary, "boundscheck"))
out("lifetimes_flag", flag_on(summary, "dbg_extend_lifetimes"))
tags = set(cres.fndesc.abi_tags) | set(hres.fndesc.abi_tags)
out("code_digest",
    hashlib.sha256(normalised(body, tags).encode()).hexdigest()[:16])

ores = only(kern_optnone)
oh = only(helper_optnone)
oir = kern_optnone.inspect_llvm(kern_optnone.signatures[0])
obody = function_body(oir, ores.fndesc.mangled_name)
ohbody = function_body(oir, oh.fndesc.mangled_name)
out("optnone_helper_called", yes(calls(obody, oh.fndesc.mangled_name)))
out("optnone_helper_noinline",
    yes("noinline" in attribute_group(oir, ohbody).split()))

# @njit/@vectorize pass boundscheck=None explicitly in Numba 0.56.4, so the
# debuginfo default for boundscheck only reaches flags built without that
# option: @cfunc in practice.  Report what finalize computes for both.
def derived(cls, options):
    flags = Flags()
    cls.parse_as_flags(flags, options)
    return "boundscheck:%s,lifetimes:%s" % (yes(flags.boundscheck),
                                            yes(flags.dbg_extend_lifetimes))


out("cpu_flags_default", derived(CPUTargetOptions, {}))
out("cpu_flags_explicit", derived(CPUTargetOptions, {
    "boundscheck": True, "_dbg_extend_lifetimes": True}))
out("cpu_flags_user_debug", derived(CPUTargetOptions, {"debug": True}))
out("ufunc_flags_default", derived(UFuncTargetOptions, {}))

# An out-of-bounds read through a @cfunc.  The pointer is into a larger
# buffer, so without bounds checking the read stays in valid memory and
# returns big[15]; with bounds checking the IndexError is "unraisable"
# (a cfunc cannot raise), so it is recorded through sys.unraisablehook.
unraisable = []
sys.unraisablehook = lambda u: unraisable.append(u.exc_type.__name__)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")

    @cfunc(types.float64(types.CPointer(types.float64), types.int64))
    def pick(p, i):
        return carray(p, 10)[i]
    # A function Numba finds no source for (made by exec): with debug info
    # on, Numba warns it cannot place its lines (0.56.4 also warns for the
    # wrapper behind carray above, 0.61 does not).
    made = {}
    exec("def nosource(x):\n    return x + 1\n", made)
    njit(made["nosource"])(1)
out("debuginfo_warnings",
    yes(any(issubclass(w.category, NumbaDebugInfoWarning) for w in caught)))
big = np.arange(100.0)
value = pick.ctypes(big.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), 15)
out("cfunc_oob", unraisable[0] if unraisable else "silent:%g" % value)

extended(a)
out("explicit_lifetimes_flag",
    flag_on(flags_of(only(extended)), "dbg_extend_lifetimes"))

vinc(a)
vres = next(iter(vinc._dispatcher.overloads.values()))
out("ufunc_debuginfo_flag", flag_on(flags_of(vres), "debuginfo"))

out("meta_path_clean",
    yes(not any("nprof" in type(f).__name__.lower() for f in sys.meta_path)))
