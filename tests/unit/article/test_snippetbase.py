"""Where snippets are looked up (`mdverify.article.snippetbase`): the setting, a mkdocs.yml, `.`."""

from __future__ import annotations

from mdverify.article.snippetbase import base_paths, mkdocs_base

MKDOCS = """\
site_name: Example
markdown_extensions:
  - admonition
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
  - pymdownx.snippets:
      base_path: [docs/snippets, "."]
extra:
  key: !ENV [HOME, x]
"""


def test_the_setting_wins_and_is_relative_to_the_rootdir(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS)
    assert base_paths(["src", "docs/x"], tmp_path, tmp_path / "docs") == (
        tmp_path / "src",
        tmp_path / "docs" / "x",
    )


def test_a_mkdocs_yml_above_the_article_gives_its_base_paths_relative_to_itself(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "docs" / "guide").mkdir(parents=True)
    (tmp_path / "site" / "mkdocs.yml").write_text(MKDOCS)
    folder = tmp_path / "site" / "docs" / "guide"
    assert base_paths([], tmp_path, folder) == (
        tmp_path / "site" / "docs" / "snippets",
        tmp_path / "site",
    )


def test_a_single_base_path_may_be_a_string(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(
        "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: includes\n"
    )
    assert mkdocs_base(tmp_path, tmp_path) == (tmp_path / "includes",)


def test_without_a_configured_base_path_it_is_the_rootdir(tmp_path):
    (tmp_path / "docs").mkdir()
    assert base_paths([], tmp_path, tmp_path / "docs") == (tmp_path,)
    (tmp_path / "mkdocs.yml").write_text("markdown_extensions:\n  - pymdownx.snippets\n")
    assert base_paths([], tmp_path, tmp_path / "docs") == (tmp_path,)
    (tmp_path / "mkdocs.yml").write_text("markdown_extensions: [\n")  # not YAML: ignored
    assert base_paths([], tmp_path, tmp_path / "docs") == (tmp_path,)


def test_a_mkdocs_yml_above_the_rootdir_is_not_read(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS)
    root = tmp_path / "project"
    root.mkdir()
    assert base_paths([], root, root) == (root,)
