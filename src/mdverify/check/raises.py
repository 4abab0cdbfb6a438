"""Whether a block stopped on the exception its article declares (`model.RaisesClaim`).

What is compared is the child's data (`model.Raised`), never the traceback's text:

* **The type**: the declared name is the printed one, or its last dotted part is
  (`CancelledError` for `asyncio.exceptions.CancelledError`). The bare word `Error`, in a
  comment, names any exception.
* **The message**, when the declaration has one (a traceback, `Type: message`), with the
  matching rules of output (`...` wildcards), as doctest compares a traceback's last line;
  an ImportError's may leave out the location Python adds (` (/usr/lib/.../math.so)`).
  A declaration of a type alone (`raises=TimeoutError`, `# TypeError`) compares the type.
* **A traceback of several exception lines** (a chain, an ExceptionGroup and its members)
  is compared with every exception Python prints, in order; a traceback of one exception
  line, with the exception the block stopped on (a chain's last, the group itself).
* **Where**: a declaration on a statement (a comment) holds for an exception of that
  top-level statement; one in an output fence or a directive, for any statement of the block.

A block that declares an exception and runs to its end fails, and so does one that raises
another exception, or raises at another statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdverify.check.matching import matches
from mdverify.model import Halt, RaisesFault, RaisesMismatch, Status
from mdverify.run.raised import without_location

if TYPE_CHECKING:
    from mdverify.model import Example, Observation, Raised, RaisesClaim

__all__ = ["check_raised", "raised_line", "raises_body", "raises_headline"]


def check_raised(
    example: Example, observation: Observation
) -> tuple[RaisesClaim | None, RaisesMismatch | None]:
    """The declaration the block's exception is, or what it broke; (None, None) if neither."""
    hard = [claim for claim in example.raises if not claim.soft]
    raised = observation.raised
    if observation.status is Status.OK:
        shown = _stopped_as_shown(example, observation)
        missing = RaisesMismatch(hard[0], RaisesFault.NOT_RAISED) if hard else None
        return (shown, None) if shown is not None else (None, missing)
    if observation.status is not Status.RAISED or raised is None:
        return None, None  # a timeout, a crash: reported as such
    here = [c for c in example.raises if c.upto_line in (None, raised.statement)]
    for claim in here:
        if _matches(claim, raised):
            return claim, None
    if here:
        return None, RaisesMismatch(here[0], RaisesFault.DIFFERS)
    if hard:
        return None, RaisesMismatch(hard[0], RaisesFault.ELSEWHERE)
    return None, None


def _stopped_as_shown(example: Example, observation: Observation) -> RaisesClaim | None:
    """The declaration of the KeyboardInterrupt a block stopped with Ctrl-C ended on.

    The clock stopped it as the reader did (it waited forever), so the traceback the article
    shows under its output is what the reader saw, though the block ran to its end.
    """
    cut, raised = observation.interruption, observation.raised
    if cut is None or cut.halt is not Halt.FOREVER or raised is None:
        return None
    return next((claim for claim in example.raises if _matches(claim, raised)), None)


def raised_line(raised: Raised) -> str:
    """`ValueError: bad`, as Python prints the exception's last line."""
    return f"{raised.type}: {raised.message}" if raised.message else raised.type


def _matches(claim: RaisesClaim, raised: Raised) -> bool:
    declared = claim.exceptions
    if len(declared) == 1:
        return _one(declared[0], (raised.type, raised.message), exact=claim.exact)
    printed = raised.printed
    return len(printed) == len(declared) and all(
        _one(text, shown, exact=True) for text, shown in zip(declared, printed, strict=True)
    )


def _one(declared: str, shown: tuple[str, str], *, exact: bool) -> bool:
    name, sep, message = declared.partition(":")
    kind, text = shown
    if not exact:
        # `# Error`: the writer says only that it fails.
        return name.strip().lower() == "error" or _same_type(name.strip(), kind)
    if not _same_type(name.strip(), kind):
        return False
    if not sep:
        return not text  # `KeyError` in a traceback: Python printed no message
    message = message.removeprefix(" ")
    if kind.endswith(("ImportError", "ModuleNotFoundError")):
        return matches(message, text) or matches(message, without_location(text))
    return matches(message, text)


def _same_type(declared: str, printed: str) -> bool:
    return declared == printed or declared.rsplit(".", 1)[-1] == printed.rsplit(".", 1)[-1]


# How a failed declaration reads in a report (`check.report` puts the code around it).
_RAISES_FORMS = {
    "traceback": "the traceback",
    "comment": "the comment under the statement",
    "trailing": "the comment on the statement",
    "directive": "the directive 'raises'",
}


def _raises_form(claim: RaisesClaim) -> str:
    form = _RAISES_FORMS[claim.form]
    return f"{form} in {claim.form_text}" if claim.form_text else form


def raises_headline(problem: RaisesMismatch, obs: Observation) -> tuple[int, str]:
    """The line a failed declaration points at, and the report's title for it."""
    claim, raised = problem.claim, obs.raised
    declared = claim.exceptions[-1].split("\n", 1)[0]
    if problem.fault is RaisesFault.NOT_RAISED or raised is None:
        return claim.line, f"the block raised nothing; {_raises_form(claim)} declares {declared}"
    line = obs.error_line or claim.line
    if problem.fault is RaisesFault.ELSEWHERE:
        return line, (
            f"raised {raised_line(raised)} at another statement than the one "
            f"{_raises_form(claim)} (line {claim.line}) is on"
        )
    if len(claim.exceptions) > 1:
        return line, f"raised {raised_line(raised)}, not as {_raises_form(claim)} declares"
    return line, f"raised {raised_line(raised)}, not {declared} as {_raises_form(claim)} declares"


def raises_body(problem: RaisesMismatch, obs: Observation) -> str:
    """The declaration and what was raised, one exception a line (the report adds the code)."""
    claim, raised = problem.claim, obs.raised
    shown = [raised_line(raised)] if raised is not None else ["(nothing)"]
    if raised is not None and len(claim.exceptions) > 1:
        shown = [f"{kind}: {text}" if text else kind for kind, text in raised.printed]
    body = "\n".join(
        [
            f"declared by {_raises_form(claim)} (line {claim.line}):",
            *(f"  {line}" for text in claim.exceptions for line in text.split("\n")),
            "raised:" if raised is not None else "raised: nothing",
            *(f"  {line}" for line in shown if raised is not None),
        ]
    )
    if claim.exact is False and raised is not None:
        body += "\n(only the type is compared)"
    return body
