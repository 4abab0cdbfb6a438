"""Snippet includes in a session: the base-path setting, a mkdocs.yml, reruns, update, xdist.

What one article does with its includes is in tests/cases/snippets/; these need a session's
options, a git history, a second run or xdist.
"""

from __future__ import annotations

import re
import shutil

import pytest

ARTICLE = """\
# Greeting

```python
--8<-- "greet.py"
print(greet("Ada"))
```

```text
Hello, Ada!
```
"""
GREET = 'def greet(name):\n    return f"Hello, {name}!"  # Goodbye\n'
OTHER = 'def greet(name):\n    return "other"\n'
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def write(pytester, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_base_path_setting_has_one_name_on_the_command_line_and_in_the_ini(pytester):
    write(pytester, {"docs/a.md": ARTICLE, "lib/greet.py": GREET, "other/greet.py": OTHER})
    # Without it, greet.py is looked up at the rootdir: not there.
    missing = pytester.runpytest()
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*docs/a.md:4: snippet file 'greet.py' not found*"])
    pytester.runpytest("--mdverify-snippet-base=lib").assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nmdverify_snippet_base = other lib\n")
    # The first base path that holds the file wins: other/ has a greet() of its own.
    pytester.runpytest().assert_outcomes(failed=1)
    pytester.makeini("[pytest]\nmdverify_snippet_base = lib other\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_mkdocs_yml_s_snippets_base_path_is_used_without_the_setting(pytester):
    write(
        pytester,
        {
            "site/mkdocs.yml": (
                "site_name: x\nmarkdown_extensions:\n"
                "  - pymdownx.snippets:\n      base_path: [includes]\n"
            ),
            "site/docs/a.md": ARTICLE,
            "site/includes/greet.py": GREET,
        },
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_an_article_runs_again_when_the_file_it_includes_changes(pytester):
    write(pytester, {"a.md": ARTICLE, "greet.py": GREET})
    pytester.runpytest().assert_outcomes(passed=1)
    (pytester.path / "greet.py").write_text(GREET.replace("Hello", "Hi"))
    # The parse cache (on here) must not keep the first reading of the file.
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*+Hi, Ada!*"])


def test_update_mode_rewrites_the_article_and_never_the_included_file(pytester):
    write(pytester, {"a.md": ARTICLE.replace("Hello, Ada!", "Hi, Ada!"), "greet.py": GREET})
    before = (pytester.path / "greet.py").read_bytes()
    result = pytester.runpytest("--mdverify-update")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["mdverify: rewrote 1 declared output in 1 file", "  a.md: line 9"])
    assert (pytester.path / "a.md").read_text() == ARTICLE
    assert (pytester.path / "greet.py").read_bytes() == before  # its `# Goodbye` is code
    pytester.runpytest().assert_outcomes(passed=1)


@needs_git
def test_changed_since_collects_an_article_whose_included_file_changed(pytester, git):
    nested = '--8<-- "greet.py"\n'
    write(
        pytester,
        {
            "direct.md": ARTICLE,
            "nested.md": ARTICLE.replace('"greet.py"', '"outer.py"'),
            "outer.py": nested,
            "unrelated.md": "# Other\n\n```python\nprint(1)\n```\n",
            "greet.py": GREET,
        },
    )
    git(pytester.path, "init", "-q")
    git(pytester.path, "add", ".")
    git(pytester.path, "commit", "-q", "-m", "base")
    (pytester.path / "greet.py").write_text(GREET.replace("Hello", "Hi"))
    result = pytester.runpytest("--mdverify-changed-since=HEAD", "--collect-only", "-q")
    collected = sorted({line.split("::")[0] for line in result.outlines if "::" in line})
    assert collected == ["direct.md", "nested.md"]


def test_xdist_gives_the_same_results_for_articles_that_include(pytester):
    pytest.importorskip("xdist")
    broken = "def greet(name):\n    raise ValueError(name)\n"
    files = {f"a{n}.md": ARTICLE.replace("greet.py", f"g{n % 2}.py") for n in range(4)}
    write(pytester, {**files, "g0.py": GREET, "g1.py": broken})
    alone = pytester.runpytest("-p", "no:xdist", "-rA")
    spread = pytester.runpytest("-n", "2", "-rA")

    def outcomes(result) -> list[str]:
        return sorted(m[0] for m in (re.findall(r"^(?:PASSED|FAILED) \S+", line) for line in
                      result.outlines) if m)  # fmt: skip

    assert outcomes(alone) == outcomes(spread)
    assert len(outcomes(alone)) == 4
    spread.assert_outcomes(passed=2, failed=2)
    spread.stdout.fnmatch_lines(['*File "g1.py", line 2, in greet*'])
