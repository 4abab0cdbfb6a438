"""A small shop, included by docs/snippets.md."""

PRICES = {"tea": 3, "cake": 4}


# --8<-- [start:total]
def total(items):
    return sum(PRICES[item] for item in items)
# --8<-- [end:total]


# --8<-- [start:receipt]
def receipt(items):
    lines = [f"{item:>6} {PRICES[item]}" for item in items]
    return "\n".join([*lines, f"{'total':>6} {total(items)}"])
# --8<-- [end:receipt]


# --8<-- [start:discount]
def discount(items, percent):
    return total(items) * (100 - percent) // 100
# --8<-- [end:discount]
