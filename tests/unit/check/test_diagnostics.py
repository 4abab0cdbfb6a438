"""asyncio's diagnostics as verdicts: `mdverify.check.diagnostics`, through `judge` and `render`."""

from dataclasses import replace

from mdverify.check.compare import judge
from mdverify.check.report import headline, render
from mdverify.model import (
    BlockSettings,
    Diagnostic,
    DiagnosticKind,
    Example,
    Observation,
    OutputClaim,
    Status,
)

LINES = ["```python", "async def main():", "    pass", "", "main()", "```"]
EXAMPLE = Example(0, "python", "async def main():\n    pass\n\nmain()\n", 1, 2, "x")
WARNING = "a.md:5: RuntimeWarning: coroutine 'main' was never awaited\n  main()\n"
MAIN = Diagnostic(DiagnosticKind.NEVER_AWAITED, "main", 5, 0)


def observed(*found: Diagnostic, stderr: str = WARNING) -> Observation:
    return Observation(0, Status.OK, stderr=stderr, diagnostics=found)


def stderr_fence(text: str) -> OutputClaim:
    return OutputClaim("fence", text, 8, form="the stderr fence", stream="stderr")


def test_a_diagnostic_fails_a_block_that_ran_and_points_at_the_line_that_made_it():
    verdict = judge(EXAMPLE, observed(MAIN))
    assert not verdict.passed
    assert verdict.diagnostics == (MAIN,)
    assert headline(verdict) == (5, "coroutine 'main' was never awaited (created at line 5)")
    text = render(verdict, "a.md", LINES)
    assert "5 | main()" in text
    assert "add allow=never-awaited to the block's directive" in text
    assert text.endswith(f"--- stderr ---\n{WARNING.rstrip()}")


def test_allow_declares_the_diagnostics_of_its_kinds_only():
    unclosed = Diagnostic(DiagnosticKind.UNCLOSED, "event loop", None, None)
    allowed = replace(EXAMPLE, settings=BlockSettings(allow=frozenset({MAIN.kind})))
    assert judge(allowed, observed(MAIN)).passed
    verdict = judge(allowed, observed(MAIN, unclosed))
    assert verdict.diagnostics == (unclosed,)
    # Of no line of the block, and given as the process ended: the block's fence, and when.
    assert headline(verdict) == (1, "an event loop was never closed")
    assert "when the article's process ended" in render(verdict, "a.md", LINES)


def test_a_stderr_fence_that_shows_the_warning_declares_it():
    fenced = replace(
        EXAMPLE,
        outputs=(
            stderr_fence("...: RuntimeWarning: coroutine 'main' was never awaited\n  main()"),
        ),
    )
    assert judge(fenced, observed(MAIN)).passed


def test_a_stderr_fence_that_shows_another_coroutine_declares_nothing_of_main():
    other = "...: RuntimeWarning: coroutine 'helper' was never awaited"
    fenced = replace(EXAMPLE, outputs=(stderr_fence(other),))
    verdict = judge(
        fenced, observed(MAIN, stderr="...: RuntimeWarning: coroutine 'helper' was never awaited\n")
    )
    assert verdict.mismatches == ()
    assert verdict.diagnostics == (MAIN,)


def test_a_block_that_raised_still_lists_its_diagnostics():
    raised = Observation(0, Status.RAISED, error="ValueError: x", diagnostics=(MAIN,))
    text = render(judge(EXAMPLE, raised), "a.md", LINES)
    assert "asyncio: coroutine 'main' was never awaited (created at line 5)" in text


def test_a_wrong_stderr_fence_fails_with_a_diff_at_its_line():
    fenced = replace(EXAMPLE, outputs=(stderr_fence("disk full"),))
    verdict = judge(fenced, Observation(0, Status.OK, stdout="disk full\n", stderr="low disk\n"))
    assert headline(verdict) == (8, "stderr differs from what the block wrote")
    text = render(verdict, "a.md", LINES)
    assert "-disk full\n+low disk" in text
    assert "--- stderr ---" not in text  # the diff shows it
    assert judge(fenced, Observation(0, Status.OK, stderr="disk full  \n")).passed
