"""The exception a block stopped on, as data: `mdverify.run.raised`."""

from __future__ import annotations

import asyncio
import builtins
import sys

import pytest

from mdverify.run.raised import describe


def _caught(raise_it: object) -> BaseException:
    try:
        raise_it()  # type: ignore[operator]
    except BaseException as exc:  # noqa: BLE001 -- the test wants whatever it raised
        return exc
    pytest.fail("did not raise")


def test_a_builtin_type_is_named_alone_and_the_message_is_str():
    def boom() -> None:
        raise ValueError("bad value")

    raised = describe(_caught(boom), 7)
    assert (raised.type, raised.message, raised.statement) == ("ValueError", "bad value", 7)
    assert raised.printed == (("ValueError", "bad value"),)


def test_another_module_qualifies_the_name_as_the_traceback_prints_it():
    def cancel() -> None:
        raise asyncio.CancelledError

    raised = describe(_caught(cancel), None)
    assert raised.type == "asyncio.exceptions.CancelledError"
    assert raised.message == ""


def _missing() -> None:
    raise KeyError("k")


def test_a_chain_is_printed_cause_first():
    def chained() -> None:
        try:
            _missing()
        except KeyError as err:
            raise RuntimeError("wrapped") from err

    raised = describe(_caught(chained), None)
    assert raised.printed == (("KeyError", "'k'"), ("RuntimeError", "wrapped"))


def test_a_suppressed_context_is_not_printed():
    def suppressed() -> None:
        try:
            _missing()
        except KeyError:
            raise RuntimeError("clean") from None

    assert describe(_caught(suppressed), None).printed == (("RuntimeError", "clean"),)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="ExceptionGroup arrived in 3.11")
def test_a_group_is_printed_before_its_members_depth_first():
    group_type = builtins.ExceptionGroup  # type: ignore[attr-defined,unused-ignore]

    def group() -> None:
        inner = group_type("inner", [TypeError("t")])
        raise group_type("outer", [ValueError("v"), inner])

    raised = describe(_caught(group), None)
    assert raised.message == "outer (2 sub-exceptions)"
    assert raised.printed == (
        ("ExceptionGroup", "outer (2 sub-exceptions)"),
        ("ValueError", "v"),
        ("ExceptionGroup", "inner (1 sub-exception)"),
        ("TypeError", "t"),
    )


def test_a_syntax_error_is_its_msg():
    def syntax() -> None:
        compile("1 +", "x.md", "exec")

    assert describe(_caught(syntax), None).message == "invalid syntax"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="add_note arrived in 3.11")
def test_the_notes_of_an_exception_follow_its_message():
    def noted() -> None:
        err = ValueError("bad")
        err.add_note("see the docs")
        raise err

    assert describe(_caught(noted), None).message == "bad\nsee the docs"
