"""Dies with an uncaught exception; the driver compares the traceback."""


def inner(x):
    return {"a": 1}[x]


def outer():
    try:
        inner("b")
    except KeyError as err:
        raise ValueError("chained failure") from err


print("before the failure")
outer()
