"""The fakes that setup-file articles of this topic run before their first block."""

import asyncio

orders = {"tea": 2, "cake": 1}


async def fetch_order(name):
    await asyncio.sleep(0.5)
    return orders[name]
