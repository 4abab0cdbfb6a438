"""The baseline: known failures are xfailed, new or changed ones fail, a refresh prunes."""

from __future__ import annotations

import json

import pytest

TREE = {
    "docs/intro.md": (
        "# Intro\n\n```python\nprint(1 + 1)  # 3\n```\n\n```python\nprint(2)  # 2\n```\n"
    ),
    "docs/deep.md": "# Deep\n\n```python\nimport not_installed_anywhere\n```\n",
}


@pytest.fixture
def tree(pytester):
    for name, text in TREE.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return pytester


def entries(pytester):
    return json.loads((pytester.path / "known.json").read_text())["failures"]


def test_day_one_the_write_records_every_failure_and_the_session_passes(tree):
    result = tree.runpytest("--mdverify-baseline=known.json", "--mdverify-baseline-write")
    result.assert_outcomes(passed=1, xfailed=2)
    result.stdout.fnmatch_lines(
        ["mdverify: baseline known.json written: 2 known failures (2 new or changed, *"]
    )
    assert [(e["article"], e["kind"], e["code"]) for e in entries(tree)] == [
        ("docs/deep.md", "raised ModuleNotFoundError", "import not_installed_anywhere"),
        ("docs/intro.md", "output differs", "print(1 + 1)  # 3"),
    ]


def test_known_failures_are_xfailed_and_say_so_even_after_lines_move(tree):
    tree.runpytest("--mdverify-baseline=known.json", "--mdverify-baseline-write")
    intro = tree.path / "docs/intro.md"
    intro.write_text(intro.read_text().replace("# Intro\n", "# Intro\n\nA new paragraph.\n\n"))
    result = tree.runpytest("--mdverify-baseline=known.json", "-rx")
    result.assert_outcomes(passed=1, xfailed=2)
    result.stdout.fnmatch_lines(
        [
            (
                # pytest 8.0 writes "- reason: ", later ones "- ".
                "XFAIL docs/intro.md::Intro - *known failure, in the baseline "
                "known.json: output differs"
            )
        ]
    )
    result.stdout.fnmatch_lines(["mdverify: 2 known failures, from the baseline"])
    # pytest 8.0's -rx prints each xfail's report: ours, never a traceback of our code.
    assert "mdverify/plugin" not in result.stdout.str()


def test_a_new_failure_fails(tree):
    tree.runpytest("--mdverify-baseline=known.json", "--mdverify-baseline-write")
    intro = tree.path / "docs/intro.md"
    intro.write_text(intro.read_text() + "\n```python\nraise KeyError\n```\n")
    result = tree.runpytest("--mdverify-baseline=known.json")
    result.assert_outcomes(passed=1, xfailed=2, failed=1)


def test_a_changed_kind_of_failure_fails_and_names_the_recorded_one(tree):
    tree.runpytest("--mdverify-baseline=known.json", "--mdverify-baseline-write")
    known = json.loads((tree.path / "known.json").read_text())
    known["failures"][0]["kind"] = "timeout"  # what the block did when the file was written
    (tree.path / "known.json").write_text(json.dumps(known))
    result = tree.runpytest("--mdverify-baseline=known.json")
    result.assert_outcomes(passed=1, xfailed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            (
                "note: the baseline known.json records this block as 'timeout'; "
                "now it is 'raised ModuleNotFoundError'"
            )
        ]
    )


def test_a_fixed_block_is_reported_and_pruned_on_the_next_write(tree, monkeypatch):
    # A block whose source stays as it is and whose environment is fixed.
    (tree.path / "docs/env.md").write_text(
        "# Env\n\n```python\nimport os\nprint(os.environ.get('MDV_X'))  # 'yes'\n```\n"
    )
    args = ("--mdverify-baseline=known.json", "--mdverify-pass-env=MDV_X")
    tree.runpytest(*args, "--mdverify-baseline-write")
    assert len(entries(tree)) == 3
    monkeypatch.setenv("MDV_X", "yes")
    result = tree.runpytest(*args)
    result.assert_outcomes(passed=2, xfailed=2)
    result.stdout.fnmatch_lines(
        [
            (
                "mdverify: 1 baselined block now passes: "
                "--mdverify-baseline-write prunes it from known.json"
            )
        ]
    )
    result = tree.runpytest(*args, "--mdverify-baseline-write")
    result.stdout.fnmatch_lines(
        ["*2 known failures (0 new or changed, 1 now passing and 0 vanished pruned)"]
    )
    assert [e["article"] for e in entries(tree)] == ["docs/deep.md", "docs/intro.md"]


def test_an_edited_block_is_a_vanished_entry(tree):
    tree.runpytest("--mdverify-baseline=known.json", "--mdverify-baseline-write")
    intro = tree.path / "docs/intro.md"
    intro.write_text(intro.read_text().replace("# 3", "# 2"))
    result = tree.runpytest("--mdverify-baseline=known.json")
    result.assert_outcomes(passed=2, xfailed=1)
    result.stdout.fnmatch_lines(
        ["mdverify: 1 entry of the baseline known.json names a block no longer there*"]
    )


def test_a_write_keeps_the_entries_of_articles_the_session_did_not_run(tree):
    tree.runpytest("--mdverify-baseline=known.json", "--mdverify-baseline-write")
    intro = tree.path / "docs/intro.md"
    intro.write_text(intro.read_text().replace("# 3", "# 2"))
    tree.runpytest("docs/intro.md", "--mdverify-baseline=known.json", "--mdverify-baseline-write")
    assert [e["article"] for e in entries(tree)] == ["docs/deep.md"]


def test_a_missing_file_is_an_empty_baseline_and_a_bad_one_a_usage_error(tree):
    tree.runpytest("--mdverify-baseline=absent.json").assert_outcomes(passed=1, failed=2)
    (tree.path / "known.json").write_text('{"failures": []}')
    result = tree.runpytest("--mdverify-baseline=known.json")
    result.stderr.fnmatch_lines(
        ["*--mdverify-baseline: known.json: not a baseline file of format 1*"]
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_the_baseline_holds_under_xdist(tree):
    pytest.importorskip("xdist")
    tree.runpytest("--mdverify-baseline=known.json", "--mdverify-baseline-write", "-n", "2")
    assert len(entries(tree)) == 2
    result = tree.runpytest("--mdverify-baseline=known.json", "-n", "2")
    result.assert_outcomes(passed=1, xfailed=2)
    result.stdout.fnmatch_lines(
        ["mdverify: 3 blocks ran: *", "mdverify: 2 known failures, from the baseline"]
    )


def test_shards_written_one_after_the_other_make_the_whole_trees_baseline(tree):
    tree.runpytest("--mdverify-baseline=known.json", "--mdverify-baseline-write")
    whole = entries(tree)
    (tree.path / "known.json").unlink()
    for shard in ("1/2", "2/2"):
        args = ("--mdverify-baseline=known.json", f"--mdverify-shard={shard}")
        tree.runpytest(*args, "--mdverify-baseline-write")
    assert entries(tree) == whole
    for shard in ("1/2", "2/2"):
        result = tree.runpytest("--mdverify-baseline=known.json", f"--mdverify-shard={shard}")
        assert result.ret == pytest.ExitCode.OK
