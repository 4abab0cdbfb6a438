"""mdverify's settings as pytest options: each one `--mdverify-x` and its ini twin `mdverify_x`.

The settings, their defaults and their parsing are the core's (`mdverify.config`); this
module registers its table with pytest, hands the raw values back to it once per session,
and turns its ValueError into pytest's usage error.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

import pytest

from mdverify.article.snippetbase import base_paths
from mdverify.article.snippets import Snippets
from mdverify.config import OPTIONS, Config, Option, Raw, build
from mdverify.run.sandbox import SandboxRequired, choose

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["quiet_asyncio_scope", "read", "register", "settings", "snippets_for"]

_SETTINGS = pytest.StashKey[Config]()
# How pytest reads a kind of setting; the core parses the text it hands over.
_INI_TYPE: dict[str, Literal["args", "bool"]] = {"list": "args", "flag": "bool"}
_INI_DEFAULT: dict[str, list[str] | bool] = {"list": [], "flag": False}


def register(parser: pytest.Parser) -> None:
    """Add every option to mdverify's group, and every ini key (older names too)."""
    group = parser.getgroup("mdverify", "run the Python examples of Markdown articles")
    for option in OPTIONS:
        kind, default = _INI_TYPE.get(option.kind), _INI_DEFAULT.get(option.kind)
        if option.command_line:
            # argparse formats help with %: a literal one is written twice.
            text = _help(option, f"ini {option.key}").replace("%", "%%")
            group.addoption(option.flag, help=text, **_cli(option))
        parser.addini(option.key, _help(option, option.flag), type=kind, default=default)
        for alias in option.ini_aliases:
            parser.addini(alias, f"the older name of {option.key}", type=kind, default=default)


def read(config: pytest.Config) -> Config:
    """The session's settings, read once; a bad value is a usage error."""
    cli: dict[str, Raw] = {o.key: config.getoption(o.key) for o in OPTIONS if o.command_line}
    ini: dict[str, Raw] = {key: config.getini(key) for key in _ini_keys()}
    try:
        settings = build(cli, ini)
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None
    # pytest's own `pythonpath` (absolute paths by now) reaches the articles' children too.
    pythonpath = tuple(str(path) for path in config.getini("pythonpath"))
    run = replace(settings.run, pythonpath=pythonpath, tree=str(config.rootpath))
    try:
        choose(
            run.sandbox, run.python, run.tree, run.memory
        )  # `require` fails here, before any test
    except SandboxRequired as err:
        raise pytest.UsageError(str(err)) from None
    settings = replace(settings, run=run)
    config.stash[_SETTINGS] = settings
    return settings


def settings(config: pytest.Config) -> Config:
    """The settings `read` stored on the session's config."""
    return config.stash[_SETTINGS]


def _ini_keys() -> Iterator[str]:
    for option in OPTIONS:
        yield option.key
        yield from option.ini_aliases


def _help(option: Option, twin: str) -> str:
    """The help text, naming the twin (if there is one) and the default."""
    notes = [twin] if option.command_line else []
    if option.default is not None:
        notes.append(f"default {option.default}")
    return f"{option.help} ({'; '.join(notes)})" if notes else option.help


def _cli(option: Option) -> dict[str, object]:
    """The arguments argparse takes for an option of this kind."""
    if option.kind == "flag":
        return {"action": "store_true"}
    if option.kind == "list":
        return {"action": "append", "default": [], "metavar": option.metavar}
    if option.kind == "choice":
        return {"choices": option.choices}
    if option.kind == "seconds":
        return {"type": float, "metavar": option.metavar}
    return {"metavar": option.metavar}


_ASYNCIO_SCOPE = "asyncio_default_fixture_loop_scope"


def quiet_asyncio_scope(config: pytest.Config) -> None:
    """Keep pytest-asyncio from warning that its fixture loop scope is unset.

    mdverify needs pytest-asyncio installed and never uses its fixtures, yet without this
    every run on a docs tree with no pytest-asyncio settings starts with that deprecation
    warning (three times under xdist), and `-W error` dies on it before any article runs.
    The filter names that one message, so a user's own `-W` and `filterwarnings` still
    decide every other warning; a tree that sets the option never meets it.
    """
    if config.pluginmanager.hasplugin("asyncio"):
        warnings.filterwarnings(
            "ignore",
            message=f'The configuration option "{_ASYNCIO_SCOPE}" is unset',
            category=pytest.PytestDeprecationWarning,
        )


def snippets_for(config: pytest.Config, article: Path) -> Snippets:
    """Where the `--8<--` includes of the article at `article` are looked up."""
    bases = base_paths(settings(config).snippet_base, config.rootpath, article.parent)
    return Snippets(bases, config.invocation_params.dir)
