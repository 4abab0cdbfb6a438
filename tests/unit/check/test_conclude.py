"""`conclude`: one block's verdict or skip, the one question both shells ask."""

from __future__ import annotations

from mdverify.article.parse import parse_text
from mdverify.check.conclude import conclude
from mdverify.config import build
from mdverify.model import Observation, Raised, Skip, SkipKind, Status, Verdict

CONFIG = build({}, {})
TEXT = (
    "```python\nitems = load()\n```\n\n"  # line 1: fails, load is nowhere
    "```python\nprint(items)\n```\n\n"  # line 5: items only the failed block binds
    "```python\nprint(1)\n```\n\n"  # line 9
    "Output:\n\n```\n1\n```\n"
)
EXAMPLES = parse_text("a.md", TEXT).examples


def never() -> dict[str, int]:
    raise AssertionError("asked for the names of the blocks above, which this verdict needs not")


def test_a_pass_asks_nothing_of_the_blocks_above():
    verdict = conclude(EXAMPLES[2], Observation(2, Status.OK, stdout="1\n"), CONFIG, never, never)
    assert isinstance(verdict, Verdict)
    assert verdict.passed


def test_a_failure_asks_only_for_stale_names_unless_it_lacks_a_name():
    asked = []
    verdict = conclude(
        EXAMPLES[2],
        Observation(2, Status.OK, stdout="2\n"),
        CONFIG,
        never,
        lambda: asked.append("stale") or {},
    )
    assert isinstance(verdict, Verdict)
    assert not verdict.passed
    assert asked == ["stale"]


def test_a_name_only_a_failed_block_binds_is_that_blocks_failure():
    raised = Raised("NameError", "name 'items' is not defined", name="items")
    skip = conclude(
        EXAMPLES[1],
        Observation(1, Status.RAISED, error_line=6, raised=raised),
        CONFIG,
        lambda: {"items": 1},
        dict,
    )
    assert skip == Skip(SkipKind.AFTER_FAILURE, "items", 1)
