"""The table of claim styles, and the article a choice of styles leaves."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from mdverify.article.parse import parse_text
from mdverify.article.styles import CLAIM_STYLES, only_styles, parse_styles
from mdverify.model import ClaimKind

ARTICLE = """# T

```python
print(1)  # 1
print(2)
# 2
```

```
1
2
```
"""


def test_every_claim_kind_has_its_line_in_the_table():
    assert set(CLAIM_STYLES) == set(get_args(ClaimKind))


def test_styles_switched_off_leave_their_claims_out():
    article = parse_text("a.md", ARTICLE)
    assert [c.kind for c in article.examples[0].outputs] == ["trailing", "comment", "fence"]
    kept = only_styles(article, {"fence"})
    assert [c.kind for c in kept.examples[0].outputs] == ["fence"]


def test_all_styles_keep_the_article_as_it_is():
    article = parse_text("a.md", ARTICLE)
    assert only_styles(article, frozenset(CLAIM_STYLES)) is article


def test_names_are_separated_by_spaces_or_commas():
    assert parse_styles(" fence,prompt  arrow ") == {"fence", "prompt", "arrow"}
    with pytest.raises(ValueError, match="unknown claim style 'fences'"):
        parse_styles("fences")


def test_the_options_page_quotes_the_default_styles():
    page = (Path(__file__).parents[3] / "docs" / "options.md").read_text(encoding="utf-8")
    assert f"| `mdverify_claims` | {' '.join(CLAIM_STYLES)} |" in page
