"""Task timelines: when each asyncio task of a block started and ended, drawn for a reader.

A timing failure ("claimed ~1s, not 2s; measured 2.000s") is only half an answer: the
writer also needs to see *why*, which is what ran one after another and what side by
side. Both renderings share one scale: the block's measured duration, or the latest task
end if a task outlived the block's last statement.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.model import ClockName, TaskSpan

__all__ = ["ascii_timeline", "svg_timeline"]

_WIDTH = 40
_MAX_ROWS = 30
_NAME_WIDTH = 24


def _scale(spans: Sequence[TaskSpan], elapsed: float) -> float:
    ends = [s.end for s in spans if s.end is not None]
    return max([elapsed, *ends, 1e-9])


def _end_label(span: TaskSpan) -> str:
    if span.end is None:
        return "still pending"
    return f"{span.end:.3f}s" + (" (cancelled)" if span.cancelled else "")


def ascii_timeline(spans: Sequence[TaskSpan], elapsed: float, clock: ClockName) -> str:
    """A bar per task, on a 40-column scale from the block's start to its end."""
    if not spans:
        return f"timeline ({clock} clock): the block created no asyncio task"
    total = _scale(spans, elapsed)
    rows = [f"timeline ({clock} clock; 0 is the block's first statement, | is {total:.3f}s):"]
    width = min(_NAME_WIDTH, max(len(s.name) for s in spans))
    for span in spans[:_MAX_ROWS]:
        first = round(span.start / total * _WIDTH)
        last = round((span.end if span.end is not None else total) / total * _WIDTH)
        last = max(last, first + 1)  # a task too short to see still gets a cell
        bar = " " * first + "#" * (last - first) + " " * (_WIDTH - last)
        name = span.name if len(span.name) <= width else span.name[: width - 1] + "~"
        rows.append(f"  {name:<{width}} |{bar[:_WIDTH]}| {span.start:.3f}s -> {_end_label(span)}")
    if len(spans) > _MAX_ROWS:
        rows.append(f"  ... and {len(spans) - _MAX_ROWS} more tasks")
    return "\n".join(rows)


def svg_timeline(spans: Sequence[TaskSpan], elapsed: float, title: str) -> str:
    """The same timeline as a self-contained SVG image, for a browser or an editor preview."""
    total = _scale(spans, elapsed)
    label_w, bar_w, row_h, top = 220, 560, 22, 44
    height = top + row_h * max(len(spans), 1) + 30
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 20}" '
            f'height="{height}" font-family="monospace" font-size="12">'
        ),
        f'<text x="10" y="18" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{label_w}" y1="{top - 8}" x2="{label_w}" y2="{height - 24}" stroke="#999"/>',
        (
            f'<line x1="{label_w + bar_w}" y1="{top - 8}" x2="{label_w + bar_w}" '
            f'y2="{height - 24}" stroke="#999"/>'
        ),
        f'<text x="{label_w}" y="{height - 8}">0s</text>',
        f'<text x="{label_w + bar_w}" y="{height - 8}" text-anchor="end">{total:.3f}s</text>',
    ]
    for row, span in enumerate(spans):
        y = top + row * row_h
        end = span.end if span.end is not None else total
        x = label_w + span.start / total * bar_w
        w = max((end - span.start) / total * bar_w, 1.0)
        colour = "#c0392b" if span.cancelled else "#999999" if span.end is None else "#2e86c1"
        out.append(f'<text x="10" y="{y + 14}">{escape(span.name[:28])}</text>')
        out.append(
            f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
            f'fill="{colour}"><title>{escape(span.name)}: {span.start:.3f}s -> '
            f"{escape(_end_label(span))}</title></rect>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
