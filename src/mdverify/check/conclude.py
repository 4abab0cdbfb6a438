"""What one block's run comes to: its verdict, or the skip it turns out to be.

Both shells ask this one question in the same way, so that a page's verdicts under the
MkDocs plugin are the ones `pytest` gives the same file: `mdverify.plugin.items` for an
item, `mdverify.mkdocs.verify` for a page's block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdverify.check.compare import judge
from mdverify.check.runskips import skip_of

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from mdverify.config import Config
    from mdverify.model import Example, Observation, Skip, Verdict

__all__ = ["conclude"]


def conclude(
    example: Example,
    observation: Observation,
    config: Config,
    failed_before: Callable[[], Mapping[str, int]],
    stale_before: Callable[[], Mapping[str, int]],
) -> Verdict | Skip:
    """Judge `observation` of `example`, then tell a skip from a pass or a failure.

    `failed_before` (names that only failed blocks above bind) and `stale_before` (names
    whose last binder above failed) are asked only when the verdict needs them: looking at
    every block above for every block would cost a long article quadratic time.
    """
    tolerance = config.tolerance(observation.clock)
    verdict = judge(example, observation, tolerance, config.filters)
    missing = observation.raised is not None and observation.raised.name is not None
    failed = failed_before() if missing else None
    stale = None if verdict.passed else stale_before()
    skip = skip_of(verdict, failed, stale)
    return verdict if skip is None else skip
