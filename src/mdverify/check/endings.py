"""How a block's run ended, in words: its error, an interruption, a server check's problem.

The run stage reports these as data (`Status`, `Interruption`, `ServeProblem`); the words
for them are made here and nowhere else. `mdverify.check.report` puts them in a failure's
report; the session summary names a block stopped as a reader stops it (`forever`).
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

from mdverify.model import Halt, ServeFault
from mdverify.run.options import size_text

if TYPE_CHECKING:
    from mdverify.model import Interruption, Observation, ServeProblem

__all__ = ["forever", "message", "not_reached", "signal_name"]


def message(obs: Observation) -> str | None:
    """What went wrong in `obs`, in words: its error, or why its run was cut short."""
    if obs.serve_problems:
        return "\n\n".join(_serve_problem(problem, obs) for problem in obs.serve_problems)
    if obs.error is not None or obs.interruption is None:
        return obs.error
    text = _interruption(obs.interruption)
    if obs.interruption.after_sigint:
        return f"the server did not stop on SIGINT; it ran until the {text}"
    return text


def forever(cut: Interruption) -> str:
    """What the clock did to a block that waited forever (`Halt.FOREVER`), in words."""
    where = f"serving on {' and '.join(cut.serving)}" if cut.serving else "with nothing to wake it"
    return (
        f"the block waited forever ({where}); it was stopped with Ctrl-C (SIGINT), as a "
        "reader stops it, and its output up to then was compared"
    )


def _serve_problem(problem: ServeProblem, obs: Observation) -> str:
    fault = problem.fault
    if fault is ServeFault.NO_RESPONSE:
        return f"{problem.request}: no response ({problem.got})"
    if fault is ServeFault.DIFFERS:
        return (
            f"{problem.request}: the response differs from what the article expects\n"
            f"--- expected\n{problem.expected}\n+++ got (HTTP {problem.http_status})\n{problem.got}"
        )
    if fault is ServeFault.NEVER_LISTENED:
        where = f"on port {problem.port}" if problem.port is not None else "on any port"
        return f"the block ended without listening {where}"
    if fault is ServeFault.STILL_ACCEPTS:
        return f"the server still accepts connections on port {problem.port} after SIGINT"
    return f"on SIGINT the server did not shut down cleanly:\n{obs.error}"


def _interruption(cut: Interruption) -> str:
    if cut.halt is Halt.TIMEOUT and cut.serving and not cut.after_sigint:
        where = " and ".join(cut.serving)
        how = (
            "a client connected, and the block did not end"
            if cut.connected
            else ("nothing connected")
        )
        return (
            f"the block was still serving on {where} when it timed out "
            f"(after {cut.limit:g} s, real time): {how}"
        )
    if cut.halt is Halt.TIMEOUT:
        return f"timeout: the block ran longer than {cut.limit:g} s (real time)"
    if cut.halt is Halt.IDLE:
        return f"the child process stopped answering for {cut.limit:.0f} s"
    if cut.halt is Halt.BUDGET:
        return (
            f"output limit: the article wrote {size_text(int(cut.limit))} or more to stdout"
            " and stderr (the budget); the rest of the article was stopped"
        )
    if cut.halt is Halt.NOT_REACHED:
        return not_reached(cut.line, cut.cause)
    return _exit(cut.code)


def _exit(code: int | None) -> str:
    if code is None or code == 0:
        return "the child process exited during the block"
    if code < 0:
        name = signal_name(-code)
        if -code == getattr(signal, "SIGXFSZ", None):
            return "a file the block wrote passed the size limit (SIGXFSZ) during the block"
        return f"the interpreter crashed ({name}) during the block"
    return f"the process exited with status {code} during the block (os._exit?)"


def not_reached(line: int | None, cause: Interruption | None) -> str:
    """Why a block never started: the block at `line` ended the process, and how."""
    if line is None:
        return "not run: the article's process ended at an earlier block"
    block = f"the block at line {line}"
    if cause is not None and cause.halt is Halt.IDLE:
        return f"not run: the article's process stopped answering after {block}"
    return f"not run: {block} {_ended_by(cause)}"


def _ended_by(cause: Interruption | None) -> str:
    """How a block ended the article's process, after "the block at line N"."""
    if cause is not None and cause.halt is Halt.TIMEOUT:
        return "timed out"
    if cause is not None and cause.halt is Halt.BUDGET:
        return "passed the article's output budget"
    code = cause.code if cause is not None else None
    if code is not None and code < 0:
        return f"crashed the interpreter ({signal_name(-code)})"
    return (
        f"ended the article's process with status {code}" if code else "ended the article's process"
    )


def signal_name(number: int) -> str:
    """SIGKILL for 9; a number no signal has is named as a number."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
