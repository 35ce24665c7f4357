# A "Numba" whose hook points raise when the nprof shim inspects them.
from numba.core import cpu  # noqa: F401
