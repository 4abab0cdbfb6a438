"""GitHub Actions workflow commands: a failure shown at its line of the .md file in a PR.

The format is `::error file=F,line=N,title=T::MESSAGE`. In the message `%`, CR and LF must
be escaped as %25, %0D and %0A; in a property value `:` and `,` too (%3A, %2C), since they
separate the properties.

The runner also obeys a workflow command that an example printed, wherever a report shows
it at the start of a line (`::add-mask::`, `::error ...`, after any spaces) or anywhere in
a line (the older `##[error]` form). `stop_commands` shows a report with GitHub's own
`::stop-commands::TOKEN` ... `::TOKEN::` around all of it but its first line, which the
short test summary prints after `FAILED node - `; the token is random per report, so an
example cannot print it to end the stop early.
"""

from __future__ import annotations

__all__ = ["error_annotation", "escape_data", "escape_property", "stop_commands"]

# A runner shows at most a few KB of an annotation; the full report is in the log anyway.
_MAX_MESSAGE = 4000


def escape_data(text: str) -> str:
    """Escape an annotation's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (file, title)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def error_annotation(file: str, line: int | None, title: str, message: str) -> str:
    """One `::error` line; `line` None annotates the file as a whole."""
    props = [f"file={escape_property(file)}"]
    if line is not None:
        props.append(f"line={line}")
    props.append(f"title={escape_property(title)}")
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "\n[... see the log for the rest]"
    return f"::error {','.join(props)}::{escape_data(message)}"


def stop_commands(text: str, token: str) -> str:
    """`text` with workflow commands stopped below its first line; `token` ends the stop.

    A first line that could itself be read as a command moves under the stop too, below a
    line of mdverify's own.
    """
    first, _, rest = text.partition("\n")
    if first.lstrip().startswith("::") or "##[" in first:
        first, rest = "mdverify: the report below is shown with workflow commands off", text
    if not rest:
        return first
    return f"{first}\n::stop-commands::{token}\n{rest}\n::{token}::"
