"""Which text is one of asyncio's diagnostics: `mdverify.run.diagnostics`."""

import pytest

from mdverify.model import DiagnosticKind
from mdverify.run.diagnostics import declared, of_context, of_warning, origin, same

NEVER, PENDING = DiagnosticKind.NEVER_AWAITED, DiagnosticKind.PENDING_TASK
UNRETRIEVED, UNCLOSED = DiagnosticKind.UNRETRIEVED, DiagnosticKind.UNCLOSED


@pytest.mark.parametrize(
    ("category", "message", "found"),
    [
        ("RuntimeWarning", "coroutine 'main' was never awaited", (NEVER, "main")),
        ("RuntimeWarning", "coroutine 'Client.fetch' was never awaited", (NEVER, "Client.fetch")),
        # With origin tracking Python adds the place after a newline: the name stays.
        (
            "RuntimeWarning",
            "coroutine 'main' was never awaited\nCoroutine created at (most recent call last)",
            (NEVER, "main"),
        ),
        (
            "ResourceWarning",
            "unclosed event loop <_UnixSelectorEventLoop running=False>",
            (UNCLOSED, "event loop"),
        ),
        (
            "ResourceWarning",
            "unclosed transport <_SelectorSocketTransport fd=6>",
            (UNCLOSED, "transport"),
        ),
        # Not asyncio's: a file or a socket left open, another category, another message.
        ("ResourceWarning", "unclosed file <_io.TextIOWrapper name='a.txt'>", None),
        ("ResourceWarning", "unclosed <socket.socket fd=3>", None),
        ("UserWarning", "coroutine 'main' was never awaited", None),
        ("RuntimeWarning", "divide by zero encountered", None),
    ],
)
def test_a_warning_is_a_diagnostic_by_its_category_and_the_start_of_its_message(
    category, message, found
):
    assert of_warning(category, message) == found


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Task was destroyed but it is pending!", PENDING),
        ("Task exception was never retrieved", UNRETRIEVED),
        ("Future exception was never retrieved", UNRETRIEVED),
        ("Unclosed client session", UNCLOSED),
        ("Unclosed connector", None),  # comes with the session's: one defect, one verdict
        ("Exception in callback Handle._run()", None),
        ("an error: Task was destroyed but it is pending!", None),
    ],
)
def test_what_the_loops_exception_handler_is_given_is_read_by_its_message(message, kind):
    assert of_context(message) is kind


def test_a_stderr_fence_declares_each_diagnostic_on_a_line_of_its_own():
    text = """\
demo.py:5: RuntimeWarning: coroutine 'main' was never awaited
  main()
RuntimeWarning: Enable tracemalloc to get the object allocation traceback
sys:1: RuntimeWarning: coroutine 'fetch' was never awaited
...: RuntimeWarning: coroutine '...' was never awaited
Task was destroyed but it is pending!
task: <Task pending name='Task-2' coro=<tick() running at demo.py:4>>
ERROR:asyncio:Task exception was never retrieved
sys:1: ResourceWarning: unclosed event loop <_UnixSelectorEventLoop ...>
Unclosed client session
client_session: <aiohttp.client.ClientSession object at 0x...>
"""
    assert declared(text) == [
        (NEVER, "main"),
        (NEVER, "fetch"),
        (NEVER, "..."),
        (PENDING, None),
        (UNRETRIEVED, None),
        (UNCLOSED, "event loop"),
        (UNCLOSED, "aiohttp client session"),
    ]


def test_a_fence_without_a_diagnostic_declares_none():
    assert declared("WARNING:root:cache is cold\nTraceback (most recent call last):") == []
    assert declared("") == []


@pytest.mark.parametrize(
    ("name", "shown", "expected"),
    [
        ("main", "main", True),
        ("main", "helper", False),
        ("main", None, True),  # a task's line names no coroutine: the kind is enough
        ("Client.fetch", "...fetch", True),
        ("Client.fetch", "...", True),
        ("fetch_all", "fetch", False),
    ],
)
def test_a_name_on_the_fence_is_the_diagnostics_own_or_a_wildcard(name, shown, expected):
    assert same(name, shown) is expected


def test_the_origin_is_the_innermost_frame_in_the_article():
    frames = (
        ("/usr/lib/python3.11/asyncio/tasks.py", 600, "ensure_future"),
        ("/docs/a.md", 12, "main"),
        ("/docs/a.md", 20, "<module>"),
    )
    assert origin(frames, "/docs/a.md") == 12
    assert origin(frames[:1], "/docs/a.md") is None
    assert origin(None, "/docs/a.md") is None
