"""Update mode for a declared traceback: `mdverify.edit.raises`."""

from __future__ import annotations

from mdverify.article.parse import parse_text
from mdverify.edit.raises import TracebackFix, fix_tracebacks


def test_only_the_exception_line_changes_and_its_marker_and_ending_stay():
    text = (
        "```python\r\n[][1]\r\n#> Traceback (most recent call last):\r\n#>   ...\r\n"
        "#> IndexError: old\r\n```\r\n"
    )
    data = text.encode()
    article = parse_text("a.md", text.replace("\r\n", "\n"))
    got = "IndexError: list index out of range"
    new, lines, refused = fix_tracebacks(data, article, [TracebackFix(0, 0, got)])
    assert refused == []
    assert lines == [5]
    assert new == data.replace(b"#> IndexError: old", b"#> " + got.encode())


def test_a_fix_the_new_text_would_not_declare_is_refused():
    text = "```python\n[][1]\n#> Traceback (most recent call last):\n#> IndexError: old\n```\n"
    article = parse_text("a.md", text)
    fix = TracebackFix(0, 0, "IndexError: two\nlines")
    new, lines, refused = fix_tracebacks(text.encode(), article, [fix])
    assert (new, lines) == (text.encode(), [])
    assert refused == [
        (4, "an exception message of several lines is not rewritten; update it by hand")
    ]
