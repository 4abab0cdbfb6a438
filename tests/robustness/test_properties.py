"""Properties of parsing on generated Markdown: only `ArticleError`, and exact fence lines."""

from __future__ import annotations

import contextlib
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdverify.article.parse import parse_article, parse_text
from mdverify.model import ArticleError

# Lines that stress the parser: fences of every kind, containers, front matter, directives.
TRICKY_LINES = [
    "```",
    "```python",
    "```py title='x.py'",
    "```{.python}",
    "```pycon",
    "````",
    "~~~",
    "~~~python",
    "> ```python",
    "> ```",
    "- ```python",
    "  ```",
    "1. item",
    "   ```python",
    "---",
    "title: x",
    "mdverify:",
    "  timeout: 2",
    "- a",
    "<!-- mdverify: skip -->",
    '<!-- mdverify: xfail reason="x" -->',
    "<!-- mdverify: bogus -->",
    "<!-- mdverify: timeout=soon -->",
    "<!-- mdverify:",
    "-->",
    "text with <!-- mdverify: skip --> inside",
    "print(1)  # 1",
    "print('a')",
    "# a comment or heading",
    "#> out",
    ">>> 1 + 1",
    "2",
    "...",
    '!!! note "n"',
    '=== "Tab"',
    "    indented",
    "\t",
    "",
    "x = (",
    "def f():",
    "    return 1",
    "**Output:**",
    "| a | b |",
    "|---|---|",
]

lines = st.one_of(st.sampled_from(TRICKY_LINES), st.text(max_size=20))
documents = st.lists(lines, max_size=40).map("\n".join)
FENCE_OPENING = re.compile(r"^(?:[ \t>]|[-*+][ \t]|\d+[.)][ \t])*(`{3,}|~{3,})")

common = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(documents)
def test_parsing_any_text_raises_only_article_error(text):
    with contextlib.suppress(ArticleError):
        parse_text("a.md", text)


@common
@given(st.binary(max_size=200))
def test_parsing_any_bytes_raises_only_article_error(data):
    with contextlib.suppress(ArticleError):
        parse_article("a.md", data)


@common
@given(documents)
def test_every_example_line_is_an_opening_fence_in_the_text(text):
    try:
        article = parse_text("a.md", text)
    except ArticleError:
        return
    text_lines = re.split(r"\r\n?|\n", text)  # an editor's lines: CR alone ends one too
    for example in article.examples:
        fence = FENCE_OPENING.match(text_lines[example.line - 1])
        assert fence is not None, (example.line, text_lines[example.line - 1])
        assert example.code_line == example.line + 1


# Documents built from known pieces, so the line of each Python fence is known exactly.
CONTAINERS = {"top": "", "list": "- ", "quote": "> ", "quote-list": "> - "}
CONTINUATION = {"top": "", "list": "  ", "quote": "> ", "quote-list": ">   "}


@st.composite
def piece(draw):
    kind = draw(st.sampled_from(["heading", "prose", "python", "text-fence"]))
    if kind == "heading":
        return [f"# {draw(st.sampled_from(['Intro', 'Usage', 'Notes']))}"], None
    if kind == "prose":
        count = draw(st.integers(1, 3))
        return ["Some prose, with `code` and *emphasis*."] * count, None
    marker = draw(st.sampled_from(["`", "~"])) * draw(st.integers(3, 5))
    closing = marker + marker[0] * draw(st.integers(0, 2))
    body = [f"x{n} = {n}" for n in range(draw(st.integers(0, 4)))]
    if kind == "text-fence":
        return [f"{marker}text", *body, closing], None
    where = draw(st.sampled_from(list(CONTAINERS)))
    first, rest = CONTAINERS[where], CONTINUATION[where]
    block = [f"{first}{marker}python", *(rest + line for line in body), rest + closing]
    return block, 0


@common
@given(st.lists(piece(), max_size=12))
def test_python_fences_are_reported_at_the_lines_they_were_written(pieces):
    text_lines: list[str] = []
    expected = []
    for block, fence_offset in pieces:
        if fence_offset is not None:
            expected.append(len(text_lines) + 1 + fence_offset)
        text_lines.extend([*block, ""])
    article = parse_text("a.md", "\n".join(text_lines))
    assert [example.line for example in article.examples] == expected
