"""The table of every setting: its one name, its one default, its help text.

`mdverify.config` reads raw values by this table; the pytest shell registers it as
options and ini keys. Each default is the raw text a user could have typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mdverify.article.fences import OUTPUT_WORDS
from mdverify.article.filters import DEFAULT_FILTERS, PRESETS
from mdverify.article.styles import CLAIM_STYLES
from mdverify.check.tolerance import DEFAULT_TOLERANCE
from mdverify.run.options import RunOptions
from mdverify.run.sandbox import MODES

__all__ = ["OPTIONS", "Kind", "Option"]

Kind = Literal["seconds", "choice", "size", "text", "list", "flag"]
"""How a setting is read: it decides the parser, and how the shell registers it."""

_NO_LIMIT = 1 << 62
_RUN = RunOptions()


def _size_text(size: int | None) -> str:
    """`4294967296` -> `4G`: a default in the words a user would write it; None is `0`."""
    for suffix, scale in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if size and size % scale == 0:
            return f"{size // scale}{suffix}"
    return str(size or 0)


@dataclass(frozen=True)
class Option:
    """One setting as a user names it; `default` is raw text (None: unset)."""

    name: str
    help: str
    default: str | None = None
    kind: Kind = "text"
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    command_line: bool = True
    """False for a setting that only makes sense in the ini file (a list of globs)."""
    ini_aliases: tuple[str, ...] = ()
    """Older ini names read as this one too."""

    @property
    def key(self) -> str:
        """`mdverify_x`: the ini key, the argparse destination and the raw mapping's key."""
        return f"mdverify_{self.name}"

    @property
    def flag(self) -> str:
        """`--mdverify-x`."""
        return f"--mdverify-{self.name.replace('_', '-')}"


OPTIONS: tuple[Option, ...] = (
    Option(
        "timeout",
        "real-time limit for a block",
        f"{_RUN.timeout:g}",
        "seconds",
        "SECONDS",
    ),
    Option("clock", "clock the examples run on", _RUN.clock, "choice", choices=("virtual", "real")),
    Option(
        "cap",
        "virtual seconds one block may advance the clock (86400 is one virtual day)",
        f"{_RUN.cap:g}",
        "seconds",
        "SECONDS",
    ),
    Option(
        "tolerance",
        "how far a timing claim may be from the measurement: 10%, 0.2s or 10%,0.2s, the larger "
        f"wins (default {DEFAULT_TOLERANCE['virtual'].describe()} on the virtual clock, "
        f"{DEFAULT_TOLERANCE['real'].describe()} on the real one)",
        metavar="TOL",
    ),
    Option(
        "timelines", "write an SVG task timeline for each timing failure into DIR", metavar="DIR"
    ),
    Option(
        "pass_env",
        "pass this environment variable (or shell-style pattern) to the examples; repeatable",
        kind="list",
        metavar="NAME",
        ini_aliases=("mdverify_env",),
    ),
    Option(
        "memory",
        "address space each process of an article may use, such as 4G; 0 for none",
        _size_text(_RUN.memory),
        "size",
        "SIZE",
    ),
    Option(
        "processes",
        "processes and threads an article may have at once; 0 for none",
        _size_text(_RUN.processes),
        "size",
        "N",
    ),
    Option(
        "output_limit",
        "bytes of a block's stdout and of its stderr kept and shown; 0 for none",
        _size_text(_RUN.output_limit),
        "size",
        "SIZE",
    ),
    Option(
        "output_budget",
        "bytes of output an article may write before it is stopped; 0 for none",
        _size_text(_RUN.output_budget),
        "size",
        "SIZE",
    ),
    Option(
        "max_article_size",
        "the largest Markdown article read, such as 10M; a bigger one fails unread; 0 for none",
        "10M",
        "size",
        "SIZE",
    ),
    Option(
        "update", "rewrite declared outputs that differ from what the blocks printed", kind="flag"
    ),
    Option(
        "changed_since",
        "collect only the Markdown articles changed since the git ref REF "
        "(added, modified or renamed; not deleted)",
        metavar="REF",
    ),
    Option(
        "start",
        "how each article's process starts: forked from a warm worker or as a fresh interpreter",
        "warm",
        "choice",
        choices=("warm", "cold"),
    ),
    Option(
        "sandbox",
        "run the examples inside Linux namespaces (bubblewrap): auto where they work, "
        "require to make their absence an error, off for none",
        _RUN.sandbox,
        "choice",
        choices=MODES,
    ),
    Option(
        "shard",
        "run only the files of shard K of N (by a hash of each file's path), to split one run "
        "across N CI jobs",
        metavar="K/N",
    ),
    Option(
        "output_words",
        "words that, as a heading or a fence's title, say that the next fence is a block's "
        "output (Output, Salida, ...); repeatable, and the ini key's list replaces the default",
        " ".join(OUTPUT_WORDS),
        "list",
        "WORD",
    ),
    Option(
        "claims",
        "the claim styles read as declared output, separated by spaces or commas: "
        + "; ".join(f"{name} ({what})" for name, what in CLAIM_STYLES.items()),
        " ".join(CLAIM_STYLES),
        metavar="STYLES",
    ),
    Option(
        "filters",
        "an output filter applied before comparing: REGEX => REPLACEMENT, or a preset ("
        + ", ".join(PRESETS)
        + "); none drops those before it; repeatable, and the ini key's list replaces the "
        "default",
        " ".join(DEFAULT_FILTERS),
        "list",
        "FILTER",
    ),
    Option(
        "baseline",
        "the baseline file of known failures: a failure it holds is reported as xfailed, "
        "any other fails",
        metavar="PATH",
    ),
    Option(
        "baseline_write",
        "write this session's failures to the baseline file (new ones added, fixed and "
        "vanished ones pruned) and report them as known",
        kind="flag",
    ),
    Option(
        "job_summary",
        "append a Markdown summary of the session (the counts, a table of failures) to PATH; "
        "none for no summary (default: $GITHUB_STEP_SUMMARY, when set)",
        metavar="PATH",
    ),
    Option(
        "snippet_base",
        "a base path of `--8<--` snippet includes, relative to the rootdir; repeatable "
        "(default: pymdownx.snippets' base_path in a mkdocs.yml at or above the article, "
        "else the rootdir)",
        kind="list",
        metavar="PATH",
    ),
    Option(
        "postgres_bin",
        "directory of initdb, postgres and psql (default: found)",
        command_line=False,
    ),
    Option(
        "globs",
        "file patterns collected as Markdown articles",
        "*.md",
        "list",
        command_line=False,
    ),
)
