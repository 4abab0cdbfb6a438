"""The fake shop that docs/hidden.md runs before its first block (its `setup:` file)."""

import asyncio

stock = {"tea": 2, "cake": 0}


async def fetch_stock(item):
    """What a real client would ask a server for, answered after a tenth of a second."""
    await asyncio.sleep(0.1)
    return stock[item]
