# A "Numba" without any of the hook points the nprof shim patches.
from numba.core import cpu, debuginfo, lowering  # noqa: F401
