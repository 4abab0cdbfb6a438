"""Which statements of a block read the clock or a pid (`mdverify.article.volatile`)."""

from mdverify.article.parse import parse_text


def lines_of(text: str) -> list[frozenset[int]]:
    return [example.volatile_lines for example in parse_text("a.md", text).examples]


def test_the_statements_that_read_the_clock_are_kept_by_article_line():
    text = (
        "```python\n"  # line 1
        "import time\n"
        "t = time.time()\n"  # line 3
        "print(2 + 2)\n"
        "print(t)\n"  # line 5: a name bound from a reading
        "```\n"
    )
    assert lines_of(text) == [frozenset({3, 5})]


def test_a_reading_inside_a_function_marks_the_lines_that_use_it_there():
    text = (
        "```python\n"
        "from datetime import datetime\n"
        "def show():\n"
        "    now = datetime.now()\n"  # line 4
        "    print('hello')\n"
        "    print(now.year)\n"  # line 6
        "```\n"
    )
    assert lines_of(text) == [frozenset({4, 6})]


def test_a_name_read_in_an_earlier_block_counts_until_it_is_bound_anew():
    text = (
        "```python\nimport os\npid = os.getpid()\n```\n\n"
        "```python\nprint(pid)\npid = 1\nprint(pid)\n```\n"  # lines 7-9
    )
    assert lines_of(text) == [frozenset({3}), frozenset({7})]
