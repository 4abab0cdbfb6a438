"""A lighter run protocol for example items, used only where it changes nothing.

pytest runs every item through three phase hooks (setup, call, teardown), and the built-in
plugins wrap each phase: output capture, log capture, skip and xfail marks, warnings about
unraisable and thread exceptions. For an item that writes nothing in pytest's process, logs
nothing, has no marks and no fixtures, those wrappers find nothing to do, yet they cost
about 0.3 ms per item on a 2-vCPU VM: with 10,000 blocks, the largest part of a docs run.

For such items this protocol calls pytest's own phase functions directly and keeps every
hook a reporter or another plugin sees: `pytest_runtest_logstart`, `_makereport`,
`_logreport`, `_exception_interact` (so `--pdb`) and `_logfinish`, with the same reports.
Protocol wrappers (warnings, faulthandler) still wrap it. As soon as a plugin not listed
below implements a phase hook (pytest-timeout, say), the item has a mark (skip, xfail) or
fixtures (service articles), `--setup-show`-like options are on, or another plugin runs
items itself (pytest-rerunfailures), the item takes pytest's own protocol instead. With
the light protocol, anything pytest's own process printed during a phase would reach the
terminal instead of the report's captured-output section; an example's output never
does, since examples run in their own process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pytest
from _pytest import runner

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["applies", "run"]

_PHASE_HOOKS = ("pytest_runtest_setup", "pytest_runtest_call", "pytest_runtest_teardown")
_NO_OP_FOR_US = frozenset(
    {
        "runner",  # the phases themselves, called directly here
        "skipping",  # evaluates marks; only unmarked items come here
        "capturemanager",  # per-phase sections of pytest's own output: ours writes none
        "logging-plugin",  # per-phase log sections: ours logs nothing
        "threadexception",  # reported by the next item or at the end of the session
        "unraisableexception",  # likewise
        # Phase hooks that act only on items ours never are:
        "nose",  # pytest 8.0's: Function items
        "asyncio",  # pytest-asyncio 0.23's: items marked asyncio
        "hypothesispytest",  # hypothesis': items whose function is a @given test
    }
)
_PLAIN: pytest.StashKey[bool] = pytest.StashKey()


def applies(item: pytest.Item) -> bool:
    """Whether `item` may take the light protocol (the caller checks its kind)."""
    config = item.config
    plain = config.stash.get(_PLAIN, None)
    if plain is None:
        hook = config.pluginmanager.hook
        plain = (
            not any(
                config.getoption(option, False)
                for option in ("setupshow", "setuponly", "setupplan")
            )
            and all(
                impl.plugin_name in _NO_OP_FOR_US
                for name in _PHASE_HOOKS
                for impl in getattr(hook, name).get_hookimpls()
            )
            and all(
                impl.plugin_name == "runner" or impl.function.__module__.startswith("mdverify.")
                for impl in hook.pytest_runtest_protocol.get_hookimpls()
                if not (impl.wrapper or impl.hookwrapper)
            )
        )
        config.stash[_PLAIN] = plain
    return plain and next(item.iter_markers(), None) is None


def run(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """`runtestprotocol` for an item `applies` accepted, phases called without wrappers."""
    ihook = item.ihook  # a lookup per access; once per item is enough
    reraise: tuple[type[BaseException], ...] = (pytest.exit.Exception,)
    if not item.config.getoption("usepdb", False):
        reraise += (KeyboardInterrupt,)
    ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    setup = _phase(item, ihook, reraise, "setup", lambda: runner.pytest_runtest_setup(item))
    if setup.passed:
        _phase(item, ihook, reraise, "call", lambda: runner.pytest_runtest_call(item))
    session = item.session
    if session.shouldfail or session.shouldstop:
        nextitem = None  # the session ends here: tear everything down
    _phase(item, ihook, reraise, "teardown", lambda: runner.pytest_runtest_teardown(item, nextitem))
    ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)


def _phase(
    item: pytest.Item,
    ihook: Any,  # noqa: ANN401 -- pytest's hook relay for the item's path
    reraise: tuple[type[BaseException], ...],
    when: Literal["setup", "call", "teardown"],
    body: Callable[[], None],
) -> pytest.TestReport:
    call = pytest.CallInfo.from_call(body, when=when, reraise=reraise)
    report: pytest.TestReport = ihook.pytest_runtest_makereport(item=item, call=call)
    ihook.pytest_runtest_logreport(report=report)
    if runner.check_interactive_exception(call, report):
        ihook.pytest_exception_interact(node=item, call=call, report=report)
    return report
