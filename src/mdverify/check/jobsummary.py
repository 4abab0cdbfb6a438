"""The session in Markdown, for a CI job's summary page (GitHub's `$GITHUB_STEP_SUMMARY`).

The counts are the terminal summary's own lines, in a code fence, and the failures a table
with a link to each one's file and line. Everything in it comes from articles (paths,
titles that quote an exception's message, skip reasons): none of it may become Markdown or
HTML on the page, so the fence is longer than any run of backticks in the lines, and a
table cell has every character that means something in Markdown escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["Failure", "blob_link", "cell", "job_summary"]

_PUNCTUATION = re.compile(r"([!-.:-@\[-`{-~])")
"""ASCII punctuation but `/` (which means nothing in Markdown): CommonMark lets a backslash
make any of it a literal."""
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


@dataclass(frozen=True)
class Failure:
    """One failed block (or unreadable article): where it points, and why in one line."""

    path: str
    """Relative to the repository's root, with `/`."""
    line: int | None
    title: str


def cell(text: str) -> str:
    """`text` as one table cell that shows it as written: one line, no markup."""
    flat = " ".join(text.split())  # a newline would end the row, a tab is no table's
    return "".join(_ENTITIES.get(ch) or _PUNCTUATION.sub(r"\\\1", ch) for ch in flat)


def blob_link(env: Mapping[str, str]) -> str | None:
    """`https://github.com/owner/repo/blob/SHA/`, from a GitHub Actions job's variables."""
    parts = [env.get(name, "") for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")]
    if not all(parts):
        return None
    server, repository, sha = parts
    return f"{server.rstrip('/')}/{quote(repository)}/blob/{quote(sha, safe='')}/"


def job_summary(lines: Sequence[str], failures: Sequence[Failure], base: str | None) -> str:
    """The Markdown: a heading, the summary `lines`, then a table of `failures`.

    `base` is where a file's path is appended to link it (`blob_link`); None writes the
    places as text (`docs/a.md:12`).
    """
    parts = ["## mdverify", ""]
    if lines:
        runs = [len(run) + 1 for line in lines for run in re.findall("`+", line)]
        fence = "`" * max([3, *runs])
        parts += [f"{fence}text", *lines, fence, ""]
    if failures:
        parts += ["| where | failure |", "| --- | --- |"]
        for failure in failures:
            where = failure.path + (f":{failure.line}" if failure.line is not None else "")
            shown = cell(where)
            if base is not None:
                anchor = f"#L{failure.line}" if failure.line is not None else ""
                shown = f"[{shown}](<{base}{quote(failure.path)}{anchor}>)"
            parts.append(f"| {shown} | {cell(failure.title)} |")
        parts.append("")
    elif lines:
        parts += ["No failures.", ""]
    return "\n".join(parts) + "\n"
