"""The wire between child, worker and parent: `mdverify.run.events` and `mdverify.run.frames`."""

from mdverify.model import Diagnostic, DiagnosticKind, Halt, Raised, Status, TaskSpan
from mdverify.run import frames
from mdverify.run.events import (
    Done,
    End,
    Forever,
    Leftover,
    Listening,
    Offline,
    Start,
    decode_event,
    encode_event,
)
from mdverify.run.watch import Outcome


def test_every_event_decodes_to_what_was_encoded():
    tasks = (TaskSpan("worker", 0.0, 1.5, cancelled=False),)
    events = [
        Start(0, 1, 2),
        End(0, Status.RAISED, "Traceback", 3, 0.25, ((2, 4), (3, 9)), tasks, 10, 20),
        End(
            1,
            Status.RAISED,
            "Traceback",
            4,
            0.0,
            (),
            (),
            0,
            0,
            raised=Raised("TimeoutError", "", 4, (("CancelledError", ""), ("TimeoutError", ""))),
        ),
        End(
            2,
            Status.OK,
            None,
            None,
            0.0,
            (),
            (),
            0,
            0,
            diagnostics=(Diagnostic(DiagnosticKind.NEVER_AWAITED, "main", 12, 2),),
        ),
        End(3, Status.CRASHED, None, None, 0.0, (), (), 0, 0, exited=-9),
        Listening("127.0.0.1", 40000, 8080),
        Offline("example.org"),
        Forever(),
        Leftover(
            (
                Diagnostic(DiagnosticKind.UNRETRIEVED, "Task-2 running f()", 7, None, "E('x')"),
                Diagnostic(DiagnosticKind.UNCLOSED, "event loop"),
            ),
            99,
        ),
        Done(),
    ]
    assert [decode_event(encode_event(event)) for event in events] == events


def test_what_is_not_an_event_decodes_to_none():
    for line in (b"", b"not json", b"[1]", b'{"event": "start"}', b'{"event": "what"}'):
        assert decode_event(line) is None


def test_a_result_frame_carries_the_outcome():
    outcome = Outcome((Start(1, 0, 0),), Halt.TIMEOUT, -9)
    payload, rest = frames.split_frame(
        frames.encode_frame(frames.ResultFrame(7, outcome, "/tmp/x")) + b"more"
    )
    assert rest == b"more"
    assert frames.decode_result(payload) == frames.ResultFrame(7, outcome, "/tmp/x")


def test_a_job_frame_keeps_integer_block_indexes():
    job = frames.Job(3, {"path": "a.md"}, {0: 1.5, 12: 30.0}, None, 100)  # type: ignore[typeddict-item]
    payload, _ = frames.split_frame(frames.encode_frame(job))
    assert frames.decode_job(payload) == job
    assert frames.split_frame(frames.encode_frame(job)[:-1]) is None


def test_end_carries_print_calls_and_values():
    event = End(0, Status.OK, None, None, 1.0, (), (), 5, 0, ((3, 4, 0, 2),), ((7, ["1"]),))
    assert decode_event(encode_event(event)) == event


def test_end_carries_the_exception_as_data():
    for raised in (
        Raised("NameError", "name 'reverse_list' is not defined", name="reverse_list"),
        Raised("EOFError", ""),
    ):
        for asked in (False, True):
            event = End(
                0, Status.RAISED, "x", 3, 0.0, (), (), 0, 0, raised=raised, asked_input=asked
            )
            assert decode_event(encode_event(event)) == event
