"""Greetings, included by the case articles of this folder."""


def greet(name):
    # --8<-- [start:body]
    return f"Hello, {name}!"
    # --8<-- [end:body]


# --8<-- [start:call]
print(greet("Ada"))  # a comment of the file's: no declared output
# --8<-- [end:call]
