import numba
print("imported", numba.__name__)
