"""GitHub Actions workflow commands: a failure shown at its line of the .md file in a PR.

The format is `::error file=F,line=N,title=T::MESSAGE`. In the message `%`, CR and LF must
be escaped as %25, %0D and %0A; in a property value `:` and `,` too (%3A, %2C), since they
separate the properties.
"""

from __future__ import annotations

__all__ = ["error_annotation", "escape_data", "escape_property"]

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
