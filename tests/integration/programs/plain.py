"""Pure Python: no Numba at all."""
total = 0
for i in range(3_000_000):
    total += i * i
print(total)
