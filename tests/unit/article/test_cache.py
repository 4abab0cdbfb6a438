"""The parse cache: an unchanged article is read back, anything else is parsed again."""

from mdverify.article.cache import ParseCache
from mdverify.article.parse import parse_text

TEXT = "# T\n\n```python\nprint(1)\n```\n"


def parse_counting(calls, display, text):
    def parse():
        calls.append(display)
        return parse_text(display, text)

    return parse


def test_an_unchanged_article_is_not_parsed_in_the_next_run(tmp_path):
    store = tmp_path / "articles.pickle"
    calls = []
    first = ParseCache(store)
    article = first.article("a.md", TEXT.encode(), parse_counting(calls, "a.md", TEXT))
    first.save()
    again = ParseCache(store).article("a.md", TEXT.encode(), parse_counting(calls, "a.md", TEXT))
    assert calls == ["a.md"]
    assert again == article


def test_a_changed_article_is_parsed_again(tmp_path):
    store = tmp_path / "articles.pickle"
    first = ParseCache(store)
    first.article("a.md", TEXT.encode(), lambda: parse_text("a.md", TEXT))
    first.save()
    changed = TEXT.replace("print(1)", "print(2)")
    got = ParseCache(store).article("a.md", changed.encode(), lambda: parse_text("a.md", changed))
    assert got.examples[0].source == "print(2)\n"


def test_the_same_bytes_under_another_path_are_parsed_for_that_path(tmp_path):
    store = tmp_path / "articles.pickle"
    first = ParseCache(store)
    first.article("a.md", TEXT.encode(), lambda: parse_text("a.md", TEXT))
    first.save()
    got = ParseCache(store).article("b.md", TEXT.encode(), lambda: parse_text("b.md", TEXT))
    assert got.path == "b.md"


def test_a_corrupt_cache_file_is_ignored(tmp_path):
    store = tmp_path / "articles.pickle"
    store.write_bytes(b"not a pickle")
    got = ParseCache(store).article("a.md", TEXT.encode(), lambda: parse_text("a.md", TEXT))
    assert got.examples[0].source == "print(1)\n"


def test_without_a_path_nothing_is_kept(tmp_path):
    calls = []
    cache = ParseCache(None)
    cache.article("a.md", TEXT.encode(), parse_counting(calls, "a.md", TEXT))
    cache.save()
    ParseCache(None).article("a.md", TEXT.encode(), parse_counting(calls, "a.md", TEXT))
    assert calls == ["a.md", "a.md"]
    assert list(tmp_path.iterdir()) == []
