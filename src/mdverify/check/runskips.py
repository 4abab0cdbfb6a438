"""The skips only a block's run can tell, and the names that failed or went stale above it.

A block that fails because an earlier one failed (a name it never bound, an older value),
an exercise, a script that wants arguments, a server no client reached: each is a skip
(`mdverify.model.Skip`), not a failure. `mdverify.check.skips` words them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mdverify.model import Halt, Mismatch, Skip, SkipKind, Status

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from mdverify.model import Example, Interruption, Observation, Verdict

__all__ = ["failed_names", "skip_of", "stale_names"]


def failed_names(
    examples: Sequence[Example], observations: Mapping[int, Observation], index: int
) -> dict[str, int]:
    """Names that only failed blocks above `examples[index]` bind -> the first one's line.

    A block that failed stopped before its later statements: what they would have bound
    is missing for the blocks after it, which fail for it with a NameError of their own.
    Only the blocks of its namespace count (`Example.namespace`): no other binds its names.
    """
    failed: dict[str, int] = {}
    fine: set[str] = set()
    for example in _above(examples, index):
        obs = observations.get(example.index)
        if obs is not None and obs.status is not Status.OK:
            for name in example.binds:
                failed.setdefault(name, example.line)
        else:
            fine |= example.binds
    return {name: line for name, line in failed.items() if name not in fine}


def stale_names(
    examples: Sequence[Example], observations: Mapping[int, Observation], index: int
) -> dict[str, int]:
    """Names whose last binder above `examples[index]` failed -> that block's line.

    A block that failed may not have bound them: a later block then reads what a block
    before it bound (`df` of an earlier example, not the data file that was missing).
    Only the blocks of its namespace count, as for `failed_names`.
    """
    last: dict[str, tuple[int, bool]] = {}
    for example in _above(examples, index):
        obs = observations.get(example.index)
        failed = obs is not None and obs.status is not Status.OK
        for name in example.binds:
            last[name] = (example.line, failed)
    return {name: line for name, (line, failed) in last.items() if failed}


def _above(examples: Sequence[Example], index: int) -> list[Example]:
    """The blocks above `examples[index]` that ran in its namespace."""
    namespace = examples[index].namespace
    return [example for example in examples[:index] if example.namespace == namespace]


def skip_of(
    verdict: Verdict,
    failed: Mapping[str, int] | None = None,
    stale: Mapping[str, int] | None = None,
) -> Skip | None:
    """Whether `verdict` is a skip, not a pass or a failure, and why; None when neither.

    * An earlier block ended the article's process. A hang or a crash is that block's
      failure; the blocks after it say nothing about the article, and failing them too
      would count one defect many times.
    * The block tried a host it does not declare and went on (it caught the error). What it
      printed comes from a network the reader has and the run had not, so its verdict
      cannot be trusted either way: an environment skip naming the host, as for a missing
      service. A declared output that matched stands (it was written for the offline run),
      and a block that raised fails with the error, which names the host.
    * The block ended on a NameError for a name it may lack (`Example.unbound`: no block
      binds it, and it is no typo and no standard module): an exercise stub or a template
      that parses, which shows the reader a call, not a program. So did one that lacks
      such a name and ran out of time before it reached it: pseudo-code's endless loop.
    * A block of one statement raised "no running event loop": a line from inside a
      coroutine (`asyncio.all_tasks()`), shown alone.
    * The block raised FileNotFoundError for a file or program named by a placeholder
      (`'path'`, `'cmd'`, `'directory_name'`, `'path/to/data.csv'`): a syntax template.
    * The block called `input()`, and examples get no standard input: what it printed is
      not what a reader sees. As for a host, a declared output that matched stands; a block
      that raised fails, unless it ended on the EOFError that `input()` raised.
    * The block stopped on an IndexError at a line that reads `sys.argv[1]` or later: a
      script that the article runs with arguments (`python greet.py Ada`); examples get none.
    * The block failed, and calls a function the prose above asks the reader to write
      (`Example.asked`): an exercise, whose output is the reader's solution's.
    * The block ended on a NameError for a name it uses at its top level, which the article
      binds only inside functions (`Example.local`): a line of that function, shown alone.
    * The block ended on a NameError for a name that only an earlier block binds, and that
      block failed (`failed`, from `failed_names`): one defect, reported once, at its block.
    * The block failed, and reads a name whose last binder above failed (`stale`, from
      `stale_names`): it read an older value of that name, so its failure is that block's.
    * The block served, no client came, and it was stopped (with Ctrl-C, or at its time
      limit when it polls) having printed the first lines of its declared output: the rest
      is what a client's visit prints.

    A block marked xfail is the writer's to judge: it is never skipped after its run; nor is
    a `norun` block, which only compiled.
    """
    obs = verdict.observation
    example = verdict.example
    cut = obs.interruption
    if obs.status is Status.NOT_RUN and cut is not None and cut.halt is Halt.NOT_REACHED:
        return Skip(SkipKind.NOT_REACHED, line=cut.line, cause=cut.cause)
    if example.settings.norun:
        return None  # it ran nothing whose failure could be another's: it compiles or not
    if obs.offline and obs.status is Status.OK and not (example.outputs and verdict.passed):
        return Skip(SkipKind.OFFLINE, ", ".join(obs.offline))
    if example.settings.xfail is not None:
        return None
    if cut is not None and _awaits_a_client(verdict, cut):
        return Skip(SkipKind.NO_CLIENT, ", ".join(cut.serving))
    return (
        _wanting(verdict, failed or {})
        or _shown_alone(verdict)
        or _exercise(verdict)  # after them: a name no block binds says so already
        or _arguments(verdict)
        or _stale(verdict, stale or {})
    )


def _exercise(verdict: Verdict) -> Skip | None:
    """A failed block that calls the function an exercise asks the reader to write."""
    if verdict.passed or verdict.raised_as is not None or not verdict.example.asked:
        return None
    (name, line), unchecked = verdict.example.asked[0], len(verdict.example.outputs)
    return Skip(SkipKind.EXERCISE, name, line, unchecked=unchecked)


def _arguments(verdict: Verdict) -> Skip | None:
    """A script that stopped reading the command-line arguments the run did not give it."""
    raised = verdict.observation.raised if verdict.raised_as is None else None
    if raised is None or raised.message != _PAST_END or not _ARGV.search(_stop_line(verdict)):
        return None
    line, unchecked = verdict.observation.error_line, len(verdict.example.outputs)
    return Skip(SkipKind.ARGV, line=line, unchecked=unchecked)


def _stale(verdict: Verdict, stale: Mapping[str, int]) -> Skip | None:
    """A failure that comes from an older value of a name, after its new binder failed."""
    if verdict.passed or verdict.raised_as is not None:
        return None
    example, obs = verdict.example, verdict.observation
    names = sorted(example.reads & stale.keys())
    if obs.status is Status.RAISED:
        # An error raised where the name is not read is the block's own (a missing module).
        line = _stop_line(verdict)
        names = [n for n in names if re.search(rf"\b{re.escape(n)}\b", line)]
    if not names:
        return None
    unchecked = len(example.outputs)
    return Skip(SkipKind.STALE, names[0], stale[names[0]], unchecked=unchecked)


def _stop_line(verdict: Verdict) -> str:
    """The source line the block's error stopped at; empty when it is not the block's."""
    example, error_line = verdict.example, verdict.observation.error_line
    lines = example.source.splitlines()
    if example.origins:  # the code at that article line: an include's are all its lines
        return "\n".join(t for t, n in zip(lines, example.origins, strict=False) if n == error_line)
    at = (error_line or 0) - example.code_line
    return lines[at] if 0 <= at < len(lines) else ""


def _awaits_a_client(verdict: Verdict, cut: Interruption) -> bool:
    """Whether a server block that no client reached printed only the start of its output.

    The declared output goes on with what a client's visit prints ("Connection from ..."),
    shown by a writer who ran a client beside it. A line it printed that differs fails.
    """
    if not cut.serving or cut.connected:
        return False
    obs = verdict.observation
    if cut.halt is Halt.TIMEOUT:
        # A server that polls (non-blocking accept in a loop) is never idle: it reaches
        # its time limit, and nothing of it was compared.
        claims = verdict.example.outputs
        return bool(claims) and all(
            c.call is None and c.kind != "value" and _starts(Mismatch(c, obs.stdout))
            for c in claims
        )
    if cut.halt is not Halt.FOREVER or obs.status is not Status.OK:
        return False
    if verdict.timing or verdict.raises:
        return False
    return bool(verdict.mismatches) and all(_starts(m) for m in verdict.mismatches)


def _starts(mismatch: Mismatch) -> bool:
    """Whether what was printed is the first lines of the declared output, and not all."""
    declared, printed = mismatch.shown or (mismatch.claim.expected, mismatch.got)
    want = [line.rstrip() for line in declared.rstrip("\n").split("\n")]
    got = [line.rstrip() for line in printed.rstrip("\n").split("\n")] if printed.strip() else []
    return len(got) < len(want) and want[: len(got)] == got


_LOOPED = frozenset({Status.TIMEOUT, Status.CAP})
_MISSING = re.compile(r"\[Errno 2\] No such file or directory: '(?P<name>[^']+)'")
_PLACEHOLDER_NAME = re.compile(
    r"(?:path|cmd|command|args?|program|executable|file|"
    r"(?:file|dir|directory|folder)_?(?:name|path)|directory|folder)"
    r"(?:\.\w{1,4})?",  # `open('file.txt')` in a syntax comparison: any file of yours
    re.IGNORECASE,
)
_NO_LOOP = "no running event loop"
_PAST_END = "list index out of range"
# A script's own arguments, past its name (`sys.argv[1]`): the command line gives them.
_ARGV = re.compile(r"\bargv\s*\[\s*[1-9]")


def _shown_alone(verdict: Verdict) -> Skip | None:
    """What a block that is part of a program, shown alone, ran into instead of a NameError."""
    obs, example = verdict.observation, verdict.example
    if verdict.raised_as is not None:
        return None
    unchecked = len(example.outputs)
    # Its own words only: a name a block above lacks says nothing of this one's hang.
    own = sorted(n for n in example.unbound if re.search(rf"\b{re.escape(n)}\b", example.source))
    if obs.status in _LOOPED and own:
        # It never reached the name it lacks: `while True: handle(queue.popleft())`.
        return Skip(SkipKind.UNBOUND, own[0], unchecked=unchecked)
    raised = obs.raised if obs.status is Status.RAISED else None
    if raised is not None and raised.type == "IndentationError" and example.unbound:
        # An exercise indented as a whole: it would lack that name once it ran.
        return Skip(SkipKind.UNBOUND, min(example.unbound), obs.error_line, unchecked=unchecked)
    if raised is not None and raised.message == _NO_LOOP and _one_statement(example):
        return Skip(SkipKind.IN_COROUTINE, line=obs.error_line, unchecked=unchecked)
    missing = _MISSING.fullmatch(raised.message) if raised is not None else None
    if raised is not None and raised.type == "FileNotFoundError" and missing is not None:
        name = missing["name"]
        if _PLACEHOLDER_NAME.fullmatch(name) or name.startswith(("path/to/", "/path/to/")):
            # `os.chdir('path')`, `create_subprocess_exec('cmd', 'arg')`: the reader's own.
            return Skip(SkipKind.PLACEHOLDER, repr(name), obs.error_line)
    return None


def _one_statement(example: Example) -> bool:
    """Whether the block is one statement, besides the imports it starts with."""
    lines = example.source.splitlines()
    imports = sum(1 for line in lines if line.startswith(("import ", "from ")))
    return len(example.ends) - imports == 1


def _wanting(verdict: Verdict, failed: Mapping[str, int]) -> Skip | None:
    """What a block that ran wanted, if that is why it ended as it did: stdin, or a name.

    Not a block that raised what its article declares: that is the point of the example.
    """
    if verdict.raised_as is not None:
        return None
    obs = verdict.observation
    example = verdict.example
    raised = obs.raised if obs.status is Status.RAISED else None
    unchecked = len(example.outputs)
    if obs.asked_input and (
        raised.type == "EOFError"
        if raised is not None
        else obs.status is Status.OK and not (example.outputs and verdict.passed)
    ):
        return Skip(SkipKind.STDIN, line=obs.error_line, unchecked=unchecked)
    if raised is not None and raised.type == "NameError" and raised.name in example.unbound:
        return Skip(SkipKind.UNBOUND, raised.name, obs.error_line, unchecked=unchecked)
    name = raised.name if raised is not None and raised.type == "NameError" else None
    inside = dict(example.local)
    if name is not None and name in inside:
        return Skip(SkipKind.LOCAL, name, inside[name], unchecked=unchecked)
    if name is not None and name in failed:
        return Skip(SkipKind.AFTER_FAILURE, name, failed[name], unchecked=unchecked)
    return None
