"""A block's exception against what its article declares: `mdverify.check.raises`."""

from __future__ import annotations

from mdverify.check.compare import judge
from mdverify.check.raises import check_raised
from mdverify.model import (
    Example,
    Observation,
    OutputClaim,
    Raised,
    RaisesClaim,
    RaisesFault,
    Status,
)

_VALUE = Raised("ValueError", "bad value 7", 3, (("ValueError", "bad value 7"),))


def _example(*raises: RaisesClaim, outputs: tuple[OutputClaim, ...] = ()) -> Example:
    return Example(0, "python", "x\n", 1, 2, "t", outputs=outputs, raises=raises, ends=(2, 3, 4))


def _raised(raised: Raised = _VALUE, stdout: str = "") -> Observation:
    return Observation(0, Status.RAISED, stdout=stdout, raised=raised, segments=((2, len(stdout)),))


def test_the_declared_exception_passes_and_its_message_may_use_ellipsis():
    claim = RaisesClaim("traceback", ("ValueError: bad value ...",), 9)
    assert check_raised(_example(claim), _raised()) == (claim, None)
    assert judge(_example(claim), _raised()).passed


def test_another_message_or_type_fails():
    for text in ("ValueError: bad value 8", "TypeError: bad value 7", "ValueError"):
        claim = RaisesClaim("traceback", (text,), 9)
        assert check_raised(_example(claim), _raised()) == (
            None,
            check_raised(_example(claim), _raised())[1],
        )
        verdict = judge(_example(claim), _raised())
        assert not verdict.passed
        assert verdict.raises is not None
        assert verdict.raises.fault is RaisesFault.DIFFERS


def test_a_type_alone_compares_the_type_and_a_module_may_be_left_out():
    claim = RaisesClaim("directive", ("CancelledError",), 1, exact=False)
    cancelled = Raised("asyncio.exceptions.CancelledError", "", 3)
    assert judge(_example(claim), _raised(cancelled)).passed
    assert not judge(_example(claim), _raised()).passed


def test_a_bare_error_comment_names_any_exception():
    claim = RaisesClaim("comment", ("Error",), 4, 3, exact=False, soft=True)
    assert judge(_example(claim), _raised()).passed


def test_a_declaration_on_another_statement_fails_as_elsewhere():
    claim = RaisesClaim("trailing", ("ValueError: bad value 7",), 4, 4)
    verdict = judge(_example(claim), _raised())
    assert verdict.raises is not None
    assert verdict.raises.fault is RaisesFault.ELSEWHERE


def test_a_soft_declaration_elsewhere_leaves_the_failure_a_plain_raise():
    claim = RaisesClaim("comment", ("TypeError",), 5, 4, exact=False, soft=True)
    verdict = judge(_example(claim), _raised())
    assert verdict.raises is None
    assert not verdict.passed


def test_a_block_that_declares_an_exception_and_runs_to_its_end_fails():
    claim = RaisesClaim("directive", ("TimeoutError",), 1, exact=False)
    verdict = judge(_example(claim), Observation(0, Status.OK))
    assert verdict.raises is not None
    assert verdict.raises.fault is RaisesFault.NOT_RAISED
    soft = RaisesClaim("comment", ("TypeError",), 5, 4, exact=False, soft=True)
    assert judge(_example(soft), Observation(0, Status.OK)).passed


def test_a_chain_or_group_is_compared_whole_or_by_its_last_exception():
    printed = (("KeyError", "'k'"), ("RuntimeError", "wrapped"))
    raised = Raised("RuntimeError", "wrapped", 3, printed)
    whole = RaisesClaim("traceback", ("KeyError: 'k'", "RuntimeError: wrapped"), 9)
    last = RaisesClaim("traceback", ("RuntimeError: wrapped",), 9)
    wrong = RaisesClaim("traceback", ("KeyError: 'j'", "RuntimeError: wrapped"), 9)
    assert judge(_example(whole), _raised(raised)).passed
    assert judge(_example(last), _raised(raised)).passed
    assert not judge(_example(wrong), _raised(raised)).passed


def test_output_before_the_exception_is_compared_and_after_it_is_not_run():
    before = OutputClaim("comment", "a", 2, 2, 2)
    after = OutputClaim("comment", "b", 6, 4, 6)
    claim = RaisesClaim("trailing", ("ValueError: bad value 7",), 3, 3)
    verdict = judge(_example(claim, outputs=(before, after)), _raised(stdout="a\n"))
    assert verdict.passed
    assert verdict.not_run == (after,)
    wrong = judge(_example(claim, outputs=(before,)), _raised(stdout="z\n"))
    assert [m.claim for m in wrong.mismatches] == [before]


def test_an_import_error_may_leave_out_the_location_python_adds():
    message = "cannot import name 'power' from 'math' (/usr/lib/python3.11/math.so)"
    raised = Raised("ImportError", message, 3)
    claim = RaisesClaim("trailing", ("ImportError: cannot import name 'power' from 'math'",), 3, 3)
    assert judge(_example(claim), _raised(raised)).passed
    other = RaisesClaim("trailing", ("ImportError: cannot import name 'pow' from 'math'",), 3, 3)
    assert not judge(_example(other), _raised(raised)).passed
