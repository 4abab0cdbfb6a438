"""Task timelines drawn for a writer: ASCII in the terminal, SVG on request."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mdverify.check.timeline import ascii_timeline, svg_timeline
from mdverify.model import TaskSpan

GATHER = (
    TaskSpan("main", 0.0, 2.0, cancelled=False),
    TaskSpan("fetch", 0.0, 1.0, cancelled=False),
    TaskSpan("fetch", 1.0, 2.0, cancelled=False),
)


def bars(text: str) -> list[str]:
    return [line.split("|")[1] for line in text.splitlines()[1:]]


def test_sequential_tasks_draw_as_bars_one_after_the_other():
    first, second = bars(ascii_timeline(GATHER, 2.0, "virtual"))[1:]
    assert first == "#" * 20 + " " * 20
    assert second == " " * 20 + "#" * 20


def test_overlapping_tasks_draw_as_bars_side_by_side():
    spans = (TaskSpan("a", 0.0, 1.0, cancelled=False), TaskSpan("b", 0.0, 1.0, cancelled=False))
    assert bars(ascii_timeline(spans, 1.0, "virtual")) == ["#" * 40, "#" * 40]


def test_header_names_the_clock_and_the_scale():
    header = ascii_timeline(GATHER, 2.0, "real").splitlines()[0]
    assert "real clock" in header
    assert "2.000s" in header


def test_rows_give_start_end_and_cancellation():
    spans = (TaskSpan("sleeper", 0.5, 1.0, cancelled=True), TaskSpan("x", 0, None, False))
    rows = ascii_timeline(spans, 1.0, "virtual").splitlines()
    assert rows[1].endswith("0.500s -> 1.000s (cancelled)")
    assert rows[2].endswith("0.000s -> still pending")


def test_a_block_without_tasks_says_so():
    assert "created no asyncio task" in ascii_timeline((), 1.0, "virtual")


def test_an_instant_task_still_gets_a_cell():
    spans = (TaskSpan("quick", 0.0, 0.0, cancelled=False),)
    assert bars(ascii_timeline(spans, 1.0, "virtual")) == ["#" + " " * 39]


def test_svg_is_well_formed_with_one_bar_per_task():
    root = ET.fromstring(svg_timeline(GATHER, 2.0, "a.md:3 <virtual>"))
    rects = root.findall("{http://www.w3.org/2000/svg}rect")
    assert len(rects) == 3
    assert float(rects[2].get("x")) > float(rects[1].get("x"))


def test_svg_escapes_names_and_title():
    spans = (TaskSpan("<script>", 0.0, 1.0, cancelled=False),)
    text = svg_timeline(spans, 1.0, "a & b")
    ET.fromstring(text)
    assert "<script>" not in text
