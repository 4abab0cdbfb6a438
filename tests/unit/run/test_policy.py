"""The scheduling policy: which blocks run, which articles are scoped, when to start early."""

import sys

from mdverify.article.parse import parse_text
from mdverify.model import Skip, SkipKind
from mdverify.run import policy


def article(*blocks: str, front: str = ""):
    text = (f"---\n{front}---\n\n" if front else "") + "".join(
        f"{directive}```python\nprint({n})\n```\n\n" for n, directive in enumerate(blocks)
    )
    return parse_text("a.md", text)


SKIP = "<!-- mdverify: skip -->\n"
XFAIL = '<!-- mdverify: xfail reason="not yet" -->\n'
OLD_PYTHON = f"<!-- mdverify: python<{sys.version_info.major}.{sys.version_info.minor} -->\n"


def test_a_skipped_block_does_not_run_and_blocks_after_the_last_selected_are_not_needed():
    art = article("", SKIP, OLD_PYTHON, "", "")
    assert [e.index for e in policy.runnable(art.examples)] == [0, 3, 4]
    assert [e.index for e in policy.to_run(art, 3)] == [0, 3]
    assert policy.to_run(art, -1) == []


def test_a_block_is_marked_skip_or_xfail_with_its_reason():
    art = article(SKIP, XFAIL, OLD_PYTHON, "")
    marks = [policy.block_mark(e) for e in art.examples]
    assert isinstance(marks[0], Skip)
    assert marks[0].kind is SkipKind.WRITER
    assert marks[1] == "not yet"
    assert isinstance(marks[2], Skip)
    assert marks[2].kind is SkipKind.PYTHON
    assert marks[2].detail.startswith("<")
    assert marks[3] is None


def test_an_article_with_hosts_is_scoped_and_never_started_early_one_with_files_may_be():
    scoped = policy.schedule(article("", front="mdverify:\n  hosts: [a.test]\n"), speculating=True)
    assert scoped.scoped
    assert scoped.speculate is None
    files = policy.schedule(
        article("", front="mdverify:\n  files:\n    a.txt: hi\n"), speculating=True
    )
    assert not files.scoped
    assert files.speculate is not None
    warm = policy.schedule(article("", SKIP), speculating=True)
    assert not warm.scoped
    assert warm.speculate is not None
    assert [e.index for e in warm.speculate] == [0]
    assert policy.schedule(article(""), speculating=False).speculate is None


def test_postgres_is_begun_early_only_while_speculating():
    art = article("<!-- mdverify: services=postgres -->\n")
    assert policy.schedule(art, speculating=True).begin == ("postgres",)
    assert policy.schedule(art, speculating=False).begin == ()


def test_speculation_only_when_every_collected_item_will_probably_run():
    assert policy.may_speculate(collect_only=False, xdist_worker=False, narrowed=False)
    for flag in ("collect_only", "xdist_worker", "narrowed"):
        facts = {"collect_only": False, "xdist_worker": False, "narrowed": False, flag: True}
        assert not policy.may_speculate(**facts)


def test_look_ahead_plans_the_upcoming_articles_that_are_not_scoped():
    assert policy.look_ahead(["a", "scoped", "b"], lambda key: key == "scoped") == ["a", "b"]
