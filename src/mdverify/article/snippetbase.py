"""Where `--8<--` snippets are looked up: the session's base paths, or a mkdocs.yml's.

pymdownx.snippets resolves a snippet against each of its `base_path`s in turn, relative to
where MkDocs runs (the folder of `mkdocs.yml`); its default is `.`. mdverify takes the
`mdverify_snippet_base` setting (relative to pytest's rootdir) when one is given, else the
`markdown_extensions: - pymdownx.snippets: base_path:` of the first `mkdocs.yml` at or above
the article (up to the rootdir), else the rootdir.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["base_paths", "mkdocs_base"]


def base_paths(given: Sequence[str], root: Path, folder: Path) -> tuple[Path, ...]:
    """The base paths for an article in `folder`.

    `given` (relative to `root`), else those of a mkdocs.yml at or above it, else `root`
    itself (pymdownx's `.`: where MkDocs runs).
    """
    if given:
        return tuple(Path(os.path.abspath(root / name)) for name in given)  # noqa: PTH100
    return mkdocs_base(folder, root) or (root,)


def mkdocs_base(folder: Path, root: Path) -> tuple[Path, ...] | None:
    """The snippets' base paths a `mkdocs.yml` at or above `folder` (up to `root`) sets.

    None when there is no such file or it does not configure pymdownx.snippets' base_path;
    relative paths are relative to the file's folder, where `mkdocs` runs.
    """
    above = (folder, *folder.parents)
    for where in above if root in above else (folder,):
        for name in ("mkdocs.yml", "mkdocs.yaml"):
            config = where / name
            if config.is_file():
                return _configured(config)
        if where == root:
            break
    return None


class _AnyTags(yaml.SafeLoader):
    """A loader that reads MkDocs' `!!python/name:` and `!ENV` tags as plain values."""


_AnyTags.add_multi_constructor("", lambda _loader, _tag, _node: None)


def _configured(config: Path) -> tuple[Path, ...] | None:
    try:
        data: Any = yaml.load(config.read_text(encoding="utf-8"), Loader=_AnyTags)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    extensions = data.get("markdown_extensions") if isinstance(data, dict) else None
    for entry in extensions if isinstance(extensions, list) else ():
        options = entry.get("pymdownx.snippets") if isinstance(entry, dict) else None
        base = options.get("base_path") if isinstance(options, dict) else None
        if isinstance(base, str):
            base = [base]
        if isinstance(base, list) and base:
            return tuple(Path(os.path.abspath(config.parent / str(b))) for b in base)  # noqa: PTH100
    return None
